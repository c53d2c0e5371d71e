/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* DNSSEC cryptography: see dnssec.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include "dns/dnssec.h"
#include "dns/err.h"
#include "dns/serial.h"

/* Signed data up to this size is built on the stack. */
#define SIGNED_STACK 16384
/* RRsets up to this many RRs are sorted on the stack. */
#define REFS_STACK 64

static inline uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static inline uint8_t *put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

const char *dns_v_str(int why)
{
	switch (why) {
	case DNS_V_OK: return "ok";
	case DNS_V_BADSIG: return "bad signature";
	case DNS_V_EXPIRED: return "signature expired";
	case DNS_V_NOTYET: return "signature not yet valid";
	case DNS_V_KEYMISMATCH: return "key does not match the signature";
	case DNS_V_UNSUPPORTED_ALG: return "unsupported algorithm";
	case DNS_V_MALFORMED: return "malformed RRSIG or RRset";
	default: return "unknown verdict";
	}
}

/* ---- algorithms ------------------------------------------------------------ */

bool dns_alg_supported(uint8_t alg)
{
	switch (alg) {
	case DNS_ALG_RSASHA1:
	case DNS_ALG_RSASHA1_NSEC3_SHA1:
	case DNS_ALG_RSASHA256:
	case DNS_ALG_RSASHA512:
	case DNS_ALG_ECDSAP256SHA256:
	case DNS_ALG_ECDSAP384SHA384:
	case DNS_ALG_ED25519:
	case DNS_ALG_ED448: return true;
	default: return false;
	}
}

bool dns_alg_weak(uint8_t alg)
{
	switch (alg) {
	case DNS_ALG_RSAMD5:
	case DNS_ALG_DSA:
	case DNS_ALG_RSASHA1:
	case DNS_ALG_DSA_NSEC3_SHA1:
	case DNS_ALG_RSASHA1_NSEC3_SHA1:
	case DNS_ALG_ECC_GOST: return true;
	default: return false;
	}
}

/* The digest a signature algorithm hashes with (NULL: EdDSA hashes itself). */
static const char *alg_digest(uint8_t alg)
{
	switch (alg) {
	case DNS_ALG_RSASHA1:
	case DNS_ALG_RSASHA1_NSEC3_SHA1: return "SHA1";
	case DNS_ALG_RSASHA256:
	case DNS_ALG_ECDSAP256SHA256: return "SHA256";
	case DNS_ALG_ECDSAP384SHA384: return "SHA384";
	case DNS_ALG_RSASHA512: return "SHA512";
	default: return NULL;
	}
}

/* Octets in one ECDSA coordinate (and in r and s), 0 for other algorithms. */
static size_t ecdsa_len(uint8_t alg)
{
	return alg == DNS_ALG_ECDSAP256SHA256 ? 32 : alg == DNS_ALG_ECDSAP384SHA384 ? 48 : 0;
}

/* ---- keys ------------------------------------------------------------------- */

static int pkey_fromdata(const char *type, OSSL_PARAM *params, EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	int rc = RODNS_E_RDATA;

	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1)
		rc = RODNS_OK;
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/* RFC 3110 §2: exponent length (one octet, or zero and two octets), exponent,
 * modulus. */
static int rsa_key(const uint8_t *p, size_t n, dns_key_t *k)
{
	size_t elen, off;

	if (n < 1)
		return RODNS_E_RDATA;
	if (p[0] != 0) {
		elen = p[0];
		off = 1;
	} else {
		if (n < 3)
			return RODNS_E_RDATA;
		elen = (size_t)p[1] << 8 | p[2];
		off = 3;
	}
	if (elen == 0 || n - off <= elen)
		return RODNS_E_RDATA;
	const uint8_t *e = p + off, *m = p + off + elen;
	size_t mlen = n - off - elen;
	while (mlen > 0 && m[0] == 0)
		m++, mlen--;
	if (mlen == 0)
		return RODNS_E_RDATA;
	unsigned top = m[0], bits = (unsigned)(mlen - 1) * 8;
	while (top != 0)
		bits++, top >>= 1;
	/* RFC 3110 §2 bounds; bigger moduli would only make verification slow */
	if (mlen > 512 || bits < 512 || bits > 4096)
		return RODNS_E_UNSUPPORTED;
	k->bits = (uint16_t)bits;

	int rc = -ENOMEM;
	BIGNUM *bn_n = BN_bin2bn(m, (int)mlen, NULL), *bn_e = BN_bin2bn(e, (int)elen, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	if (bn_n == NULL || bn_e == NULL || bld == NULL)
		goto fail;
	if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto fail;
	rc = pkey_fromdata("RSA", params, &k->pkey);
fail:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	return rc;
}

/* RFC 6605 §4: the public key is x | y, each coordinate clen octets. */
static int ec_key(const char *group, size_t clen, const uint8_t *p, size_t n, dns_key_t *k)
{
	uint8_t point[1 + 2 * 48];

	if (n != 2 * clen)
		return RODNS_E_RDATA;
	point[0] = 0x04; /* uncompressed (SEC 1 §2.3.3) */
	memcpy(point + 1, p, n);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, 1 + n),
		OSSL_PARAM_construct_end(),
	};
	k->bits = (uint16_t)(clen * 8);
	return pkey_fromdata("EC", params, &k->pkey);
}

/* RFC 8080 §3: the public key is the raw 32 (Ed25519) or 57 (Ed448) octets. */
static int ed_key(const char *type, size_t klen, const uint8_t *p, size_t n, dns_key_t *k)
{
	if (n != klen)
		return RODNS_E_RDATA;
	k->pkey = EVP_PKEY_new_raw_public_key_ex(NULL, type, NULL, p, n);
	k->bits = klen == 32 ? 256 : 456;
	return k->pkey != NULL ? RODNS_OK : RODNS_E_RDATA;
}

int dns_key_parse(const uint8_t *rdata, size_t len, dns_key_t *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (len < 4 || len > DNS_RDATA_MAX)
		return RODNS_E_RDATA;
	out->flags = (uint16_t)(rdata[0] << 8 | rdata[1]);
	out->protocol = rdata[2];
	out->algorithm = rdata[3];
	out->tag = dns_dnskey_tag(rdata, len);
	const uint8_t *p = rdata + 4;
	size_t n = len - 4;

	switch (out->algorithm) {
	case DNS_ALG_RSASHA1:
	case DNS_ALG_RSASHA1_NSEC3_SHA1:
	case DNS_ALG_RSASHA256:
	case DNS_ALG_RSASHA512: rc = rsa_key(p, n, out); break;
	case DNS_ALG_ECDSAP256SHA256: rc = ec_key("P-256", 32, p, n, out); break;
	case DNS_ALG_ECDSAP384SHA384: rc = ec_key("P-384", 48, p, n, out); break;
	case DNS_ALG_ED25519: rc = ed_key("ED25519", 32, p, n, out); break;
	case DNS_ALG_ED448: rc = ed_key("ED448", 57, p, n, out); break;
	default: return RODNS_E_UNSUPPORTED;
	}
	const char *md = alg_digest(out->algorithm);
	/* fetched once here: an implicit fetch on every verification costs more
	 * than hashing a small RRset */
	if (rc == RODNS_OK && md != NULL && (out->md = EVP_MD_fetch(NULL, md, NULL)) == NULL)
		rc = -ENOMEM;
	if (rc != RODNS_OK) {
		EVP_PKEY_free(out->pkey);
		out->pkey = NULL;
		ERR_clear_error();
	}
	return rc;
}

void dns_key_free(dns_key_t *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	EVP_MD_free(k->md);
	memset(k, 0, sizeof(*k));
}

/* ---- signatures ------------------------------------------------------------ */

/* One DER INTEGER from an unsigned big-endian value. */
static size_t der_uint(uint8_t *out, const uint8_t *v, size_t n)
{
	while (n > 1 && v[0] == 0)
		v++, n--;
	size_t pad = (v[0] & 0x80) ? 1 : 0;
	out[0] = 0x02;
	out[1] = (uint8_t)(n + pad);
	out[2] = 0;
	memcpy(out + 2 + pad, v, n);
	return 2 + pad + n;
}

/* RFC 6605 §4 signatures are r | s; OpenSSL wants the X9.62 DER SEQUENCE.
 * At most 2 + 2 * (3 + 48) = 104 octets, so the length is always short form. */
static size_t ecdsa_der(const uint8_t *sig, size_t clen, uint8_t out[2 + 2 * (3 + 48)])
{
	size_t l = der_uint(out + 2, sig, clen);
	l += der_uint(out + 2 + l, sig + clen, clen);
	out[0] = 0x30;
	out[1] = (uint8_t)l;
	return 2 + l;
}

/* 1 valid, 0 not, -ENOMEM when OpenSSL could not set up. */
static int pkey_verify(const dns_key_t *k, const uint8_t *sig, size_t siglen,
		       const uint8_t *data, size_t len)
{
	uint8_t der[2 + 2 * (3 + 48)];
	size_t clen = ecdsa_len(k->algorithm);

	if (clen > 0) {
		if (siglen != 2 * clen)
			return 0;
		siglen = ecdsa_der(sig, clen, der);
		sig = der;
	} else if ((k->algorithm == DNS_ALG_ED25519 && siglen != 64) ||
		   (k->algorithm == DNS_ALG_ED448 && siglen != 114)) {
		return 0;
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return -ENOMEM;
	int rc = -ENOMEM;
	if (EVP_DigestVerifyInit(ctx, NULL, k->md, NULL, k->pkey) == 1)
		rc = EVP_DigestVerify(ctx, sig, siglen, data, len) == 1 ? 1 : 0;
	EVP_MD_CTX_free(ctx);
	if (rc != 1)
		ERR_clear_error();
	return rc;
}

/* The checks that need no cryptography, in the order dnssec.h gives. */
static int precheck(const dns_rrsig_t *sig, size_t sig_rdlen, const dns_name_t *owner, size_t n,
		    const dns_key_t *key, uint32_t now)
{
	if (sig_rdlen < 18 + (size_t)sig->signer.len || n == 0 || sig->labels > owner->labels)
		return DNS_V_MALFORMED;
	if (key->algorithm != sig->algorithm || key->tag != sig->key_tag || key->protocol != 3 ||
	    !(key->flags & DNS_KEYF_ZONE) || !dns_name_is_sub(owner, &sig->signer) ||
	    (key->owner.len > 0 && !dns_name_eq(&key->owner, &sig->signer)))
		return DNS_V_KEYMISMATCH;
	if (key->pkey == NULL || !dns_alg_supported(sig->algorithm))
		return DNS_V_UNSUPPORTED_ALG;
	/* RFC 4034 §3.1.5: serial number arithmetic; "not comparable" fails */
	int c = dns_serial_cmp(now, sig->inception);
	if (c != 0 && c != 1)
		return DNS_V_NOTYET;
	c = dns_serial_cmp(now, sig->expiration);
	if (c != 0 && c != -1)
		return DNS_V_EXPIRED;
	return DNS_V_OK;
}

typedef struct {
	const uint8_t *p;
	uint16_t len;
} rref_t;

/* Canonical RDATA order (RFC 4034 §6.3): insertion sort for the usual small
 * sets, a merge sort with tmp (n entries) for large ones. */
static void rrefs_sort(uint16_t type, rref_t *r, size_t n, rref_t *tmp)
{
	if (n <= 16 || tmp == NULL) {
		for (size_t i = 1; i < n; i++) {
			rref_t x = r[i];
			size_t j = i;
			while (j > 0 && dns_rdata_cmp(type, r[j - 1].p, r[j - 1].len, x.p, x.len) > 0) {
				r[j] = r[j - 1];
				j--;
			}
			r[j] = x;
		}
		return;
	}
	size_t h = n / 2;
	rrefs_sort(type, r, h, tmp);
	rrefs_sort(type, r + h, n - h, tmp);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = dns_rdata_cmp(type, r[j].p, r[j].len, r[i].p, r[i].len) < 0 ? r[j++] : r[i++];
	while (i < h)
		tmp[k++] = r[i++];
	memcpy(r, tmp, k * sizeof(*r));
}

/* The name the RRset was signed under: lowercased, and for a wildcard
 * expansion "*." plus the rightmost sig->labels labels (RFC 4035 §5.3.2). */
static void signed_owner(const dns_rrsig_t *sig, const dns_name_t *owner, dns_name_t *out)
{
	if (sig->labels < owner->labels) {
		dns_name_t base;
		dns_name_strip(owner, (unsigned)(owner->labels - sig->labels), &base);
		out->data[0] = 1;
		out->data[1] = '*';
		memcpy(out->data + 2, base.data, base.len);
		out->len = (uint8_t)(base.len + 2);
		out->labels = (uint8_t)(base.labels + 1);
	} else {
		*out = *owner;
	}
	dns_name_lower(out);
}

/* Writes the signed data (RFC 4034 §3.1.8.1) to buf, which holds at least
 * what signed_size computed. Returns its length or DNS_V_MALFORMED (< 0). */
static long signed_data(const dns_rrsig_t *sig, const uint8_t *sig_rdata, const dns_name_t *on,
			uint16_t rclass, const rref_t *r, size_t n, uint8_t *buf)
{
	uint8_t *p = buf;

	memcpy(p, sig_rdata, 18);
	p += 18;
	for (size_t i = 0; i < sig->signer.len; i++)
		*p++ = dns_lower(sig->signer.data[i]);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && dns_rdata_cmp(sig->covered, r[i - 1].p, r[i - 1].len, r[i].p,
					   r[i].len) == 0)
			continue; /* RFC 4034 §6.3: duplicates count once */
		memcpy(p, on->data, on->len);
		p += on->len;
		p = put16(p, sig->covered);
		p = put16(p, rclass);
		p = put32(p, sig->orig_ttl);
		p = put16(p, r[i].len);
		if (dns_rdata_canon(sig->covered, r[i].p, r[i].len, p) < 0)
			return -DNS_V_MALFORMED;
		p += r[i].len;
	}
	return (long)(p - buf);
}

static int verdict(int *why, int v)
{
	if (why != NULL)
		*why = v;
	return v == DNS_V_OK ? 0 : 1;
}

int dns_rrsig_verify(const dns_rrsig_t *sig, const uint8_t *sig_rdata, size_t sig_rdlen,
		     const dns_name_t *owner, uint16_t rclass, const uint8_t *const *rdatas,
		     const uint16_t *rdlens, size_t n, const dns_key_t *key, uint32_t now, int *why)
{
	int v = precheck(sig, sig_rdlen, owner, n, key, now);
	if (v != DNS_V_OK)
		return verdict(why, v);

	dns_name_t on;
	signed_owner(sig, owner, &on);
	size_t size = 18 + (size_t)sig->signer.len;
	for (size_t i = 0; i < n; i++)
		size += (size_t)on.len + 10 + rdlens[i];

	rref_t refs_stack[REFS_STACK], *refs = refs_stack, *tmp = NULL;
	uint8_t buf_stack[SIGNED_STACK], *buf = buf_stack;
	int rc = -ENOMEM;
	if (n > REFS_STACK) {
		refs = malloc(2 * n * sizeof(*refs));
		if (refs == NULL)
			goto fail;
		tmp = refs + n;
	}
	if (size > sizeof(buf_stack) && (buf = malloc(size)) == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		refs[i].p = rdatas[i];
		refs[i].len = rdlens[i];
	}
	rrefs_sort(sig->covered, refs, n, tmp);
	long len = signed_data(sig, sig_rdata, &on, rclass, refs, n, buf);
	if (len < 0) {
		rc = verdict(why, DNS_V_MALFORMED);
		goto fail;
	}
	rc = pkey_verify(key, sig->sig, sig->siglen, buf, (size_t)len);
	if (rc >= 0)
		rc = verdict(why, rc == 1 ? DNS_V_OK : DNS_V_BADSIG);
fail:
	if (refs != refs_stack)
		free(refs);
	if (buf != buf_stack)
		free(buf);
	return rc;
}

/* ---- DS --------------------------------------------------------------------- */

int dns_ds_matches(const uint8_t *ds, size_t ds_len, const dns_name_t *owner,
		   const uint8_t *dnskey, size_t dnskey_len)
{
	const EVP_MD *md;

	if (ds_len < 5)
		return RODNS_E_RDATA;
	switch (ds[3]) {
	case DNS_DS_SHA1: md = EVP_sha1(); break;
	case DNS_DS_SHA256: md = EVP_sha256(); break;
	case DNS_DS_SHA384: md = EVP_sha384(); break;
	default: return RODNS_E_UNSUPPORTED;
	}
	size_t dlen = (size_t)EVP_MD_get_size(md);
	if (ds_len - 4 != dlen)
		return RODNS_E_RDATA;
	if (dnskey_len < 4 || dns_dnskey_tag(dnskey, dnskey_len) != (uint16_t)(ds[0] << 8 | ds[1]) ||
	    dnskey[3] != ds[2])
		return 0;

	dns_name_t o = *owner;
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned hl = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	dns_name_lower(&o);
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
		 EVP_DigestUpdate(ctx, o.data, o.len) == 1 &&
		 EVP_DigestUpdate(ctx, dnskey, dnskey_len) == 1 &&
		 EVP_DigestFinal_ex(ctx, h, &hl) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -ENOMEM;
	return hl == dlen && memcmp(h, ds + 4, dlen) == 0;
}

/* ---- NSEC3 ------------------------------------------------------------------ */

void dns_nsec3_hash(const dns_name_t *name, uint16_t iterations, const uint8_t *salt,
		    uint8_t saltlen, uint8_t out[20])
{
	uint8_t buf[DNS_NAME_MAX + 255];
	dns_name_t n = *name;

	dns_name_lower(&n);
	memcpy(buf, n.data, n.len);
	if (saltlen > 0)
		memcpy(buf + n.len, salt, saltlen);
	SHA1(buf, (size_t)n.len + saltlen, out);
	if (iterations == 0)
		return;
	/* later rounds hash the previous digest and the salt, kept in place */
	if (saltlen > 0)
		memcpy(buf + SHA_DIGEST_LENGTH, salt, saltlen);
	for (unsigned i = 0; i < iterations; i++) {
		memcpy(buf, out, SHA_DIGEST_LENGTH);
		SHA1(buf, (size_t)SHA_DIGEST_LENGTH + saltlen, out);
	}
}

/* ---- ZONEMD ----------------------------------------------------------------- */

struct dns_zonemd {
	EVP_MD_CTX *ctx;
	dns_name_t apex; /* lowercased */
	int error;       /* sticky */
	bool have_last;
	dns_name_t last_owner; /* lowercased */
	uint16_t last_type, last_class, last_len;
	uint8_t *bufs;       /* the two below, one allocation */
	uint8_t *last, *cur; /* canonical RDATA of the previous and current RR */
};

dns_zonemd_t *dns_zonemd_new(const dns_name_t *apex, uint8_t hash_alg)
{
	const EVP_MD *md = hash_alg == DNS_ZONEMD_SHA384   ? EVP_sha384()
			   : hash_alg == DNS_ZONEMD_SHA512 ? EVP_sha512()
							   : NULL;
	if (md == NULL)
		return NULL;
	dns_zonemd_t *z = calloc(1, sizeof(*z));
	if (z == NULL)
		return NULL;
	z->bufs = malloc(2 * (size_t)DNS_RDATA_MAX);
	z->ctx = EVP_MD_CTX_new();
	if (z->bufs == NULL || z->ctx == NULL || EVP_DigestInit_ex(z->ctx, md, NULL) != 1) {
		dns_zonemd_free(z);
		return NULL;
	}
	z->last = z->bufs;
	z->cur = z->bufs + DNS_RDATA_MAX;
	z->apex = *apex;
	dns_name_lower(&z->apex);
	return z;
}

void dns_zonemd_free(dns_zonemd_t *z)
{
	if (z == NULL)
		return;
	EVP_MD_CTX_free(z->ctx);
	free(z->bufs);
	free(z);
}

/* RFC 8976 §3.3.1.1: the apex ZONEMD RRset and the RRSIGs covering it. */
static bool zonemd_excluded(const dns_zonemd_t *z, const dns_name_t *owner, const dns_rr_t *rr)
{
	if (!dns_name_eq(owner, &z->apex))
		return false;
	if (rr->type == DNS_T_ZONEMD)
		return true;
	return rr->type == DNS_T_RRSIG && rr->rdlen >= 2 &&
	       (rr->rdata[0] << 8 | rr->rdata[1]) == DNS_T_ZONEMD;
}

/* Order of the current RR against the previous one: <0 out of order, 0 the
 * same RR again, >0 in order. */
static int zonemd_order(const dns_zonemd_t *z, const dns_name_t *owner, const dns_rr_t *rr)
{
	if (!z->have_last)
		return 1;
	int c = dns_name_cmp(owner, &z->last_owner);
	if (c == 0)
		c = rr->type < z->last_type ? -1 : rr->type > z->last_type;
	if (c == 0)
		c = rr->rclass < z->last_class ? -1 : rr->rclass > z->last_class;
	if (c == 0) {
		size_t m = rr->rdlen < z->last_len ? rr->rdlen : z->last_len;
		c = m > 0 ? memcmp(z->cur, z->last, m) : 0;
		if (c == 0)
			c = rr->rdlen < z->last_len ? -1 : rr->rdlen > z->last_len;
	}
	return c;
}

int dns_zonemd_add(dns_zonemd_t *z, const dns_rr_t *rr)
{
	if (z->error != RODNS_OK)
		return z->error;
	dns_name_t owner = rr->owner;
	dns_name_lower(&owner);
	if (!dns_name_is_sub(&owner, &z->apex) || zonemd_excluded(z, &owner, rr))
		return RODNS_OK;
	if (dns_rdata_canon(rr->type, rr->rdata, rr->rdlen, z->cur) < 0)
		return z->error = RODNS_E_RDATA;
	int c = zonemd_order(z, &owner, rr);
	if (c < 0)
		return z->error = -EINVAL;
	if (c == 0)
		return RODNS_OK; /* §3.3.1.1: duplicate RRs are digested once */

	uint8_t hdr[10], *p = hdr;
	p = put16(p, rr->type);
	p = put16(p, rr->rclass);
	p = put32(p, rr->ttl);
	put16(p, rr->rdlen);
	if (EVP_DigestUpdate(z->ctx, owner.data, owner.len) != 1 ||
	    EVP_DigestUpdate(z->ctx, hdr, sizeof(hdr)) != 1 ||
	    EVP_DigestUpdate(z->ctx, z->cur, rr->rdlen) != 1)
		return z->error = -ENOMEM;

	uint8_t *t = z->last;
	z->last = z->cur;
	z->cur = t;
	z->last_owner = owner;
	z->last_type = rr->type;
	z->last_class = rr->rclass;
	z->last_len = rr->rdlen;
	z->have_last = true;
	return RODNS_OK;
}

int dns_zonemd_final(dns_zonemd_t *z, uint8_t *out, size_t cap)
{
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned hl = 0;

	if (z->error != RODNS_OK)
		return z->error;
	if (cap < (size_t)EVP_MD_CTX_get_size(z->ctx))
		return RODNS_E_SPACE;
	if (EVP_DigestFinal_ex(z->ctx, h, &hl) != 1)
		return z->error = -ENOMEM;
	memcpy(out, h, hl);
	z->error = -EINVAL; /* finished: nothing more can be added */
	return (int)hl;
}

int dns_zonemd_check(const uint8_t *rdata, size_t len, uint32_t serial, uint8_t hash_alg,
		     const uint8_t *digest, size_t dlen)
{
	if (len < 6 + 12)
		return RODNS_E_RDATA;
	if (rdata[4] != DNS_ZONEMD_SIMPLE || rdata[5] != hash_alg)
		return RODNS_E_UNSUPPORTED;
	size_t want = hash_alg == DNS_ZONEMD_SHA384 ? 48 : hash_alg == DNS_ZONEMD_SHA512 ? 64 : 0;
	if (want == 0)
		return RODNS_E_UNSUPPORTED;
	if (len - 6 != want)
		return RODNS_E_RDATA;
	uint32_t s = (uint32_t)rdata[0] << 24 | (uint32_t)rdata[1] << 16 |
		     (uint32_t)rdata[2] << 8 | rdata[3];
	return s == serial && dlen == want && memcmp(rdata + 6, digest, want) == 0;
}
