/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* TSIG (RFC 8945): see tsig.h.
 *
 * What each MAC covers (§4.3), every MAC digested with its two-octet size
 * in front, "message" meaning the message without its TSIG RR, ARCOUNT one
 * less and the original ID put back (§4.3.2):
 *   request                      message + TSIG variables
 *   response, or first message   request MAC + message + TSIG variables
 *   later messages (§5.3.1)      prior MAC + the unsigned messages since,
 *                                as received + message + TSIG timers
 * The exchange state keeps one running HMAC that always starts with the
 * MAC to chain from, so unsigned messages are digested as they arrive and
 * nothing is buffered.
 *
 * Local policy: full-length MACs only (a truncated MAC is BADSIG), and the
 * allowed clock difference is the smaller of the signer's fudge and
 * IPSEC_TSIG_FUDGE. The TSIG code depends only on dns/ and OpenSSL (and the
 * conf_t structs, not conf/'s functions).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "dns/msg.h"
#include "dns/rr.h"
#include "ipsec/tsig.h"

#define TSIG_MAC_MAX      64 /* HMAC-SHA512 */
#define TSIG_UNSIGNED_MAX 99 /* §5.3.1: unsigned messages allowed in a row */

/* TSIG error field values (RFC 8945 §3). */
enum { TSIG_BADSIG = 16, TSIG_BADKEY = 17, TSIG_BADTIME = 18, TSIG_BADTRUNC = 22 };

typedef struct {
	conf_tsig_alg_t alg;
	const char *md;      /* OpenSSL digest name */
	size_t len;          /* full MAC length */
	const uint8_t *wire; /* algorithm name, wire form, lowercase */
	size_t wlen;
	bool legacy;         /* only with `legacy: true` on the key */
} tsig_alg_t;

#define WIRE(s) (const uint8_t *)(s), sizeof(s) /* sizeof counts the root label */
static const tsig_alg_t algs[] = {
	{CONF_TSIG_HMAC_MD5, "MD5", 16, WIRE("\x08hmac-md5\x07sig-alg\x03reg\x03int"), true},
	{CONF_TSIG_HMAC_SHA1, "SHA1", 20, WIRE("\x09hmac-sha1"), true},
	{CONF_TSIG_HMAC_SHA256, "SHA256", 32, WIRE("\x0bhmac-sha256"), false},
	{CONF_TSIG_HMAC_SHA384, "SHA384", 48, WIRE("\x0bhmac-sha384"), false},
	{CONF_TSIG_HMAC_SHA512, "SHA512", 64, WIRE("\x0bhmac-sha512"), false},
};
#define NALGS (sizeof(algs) / sizeof(algs[0]))

/* The fields of a TSIG RR that go into digests. */
typedef struct {
	uint64_t time; /* 48 bits */
	uint16_t fudge, error, other_len;
	const uint8_t *other;
} tsig_vars_t;

/* A TSIG RR found in a message. */
typedef struct {
	bool present;
	size_t off;       /* where the TSIG RR starts: the message before it is digested */
	uint16_t arcount; /* as in the header */
	dns_name_t key, alg;
	tsig_vars_t v;
	const uint8_t *mac;
	uint16_t mac_len, orig_id;
} tsig_rr_t;

/* A running HMAC with a sticky failure flag (checked once at the end). */
typedef struct {
	EVP_MAC_CTX *c;
	bool ok;
} mac_t;

struct ipsec_tsig {
	const tsig_alg_t *a;
	dns_name_t key; /* lowercased: as digested and for comparison */
	uint8_t *secret;
	size_t secret_len;
	mac_t m;        /* open, started with the MAC to chain from */
	uint8_t prior[TSIG_MAC_MAX];
	uint64_t seen;  /* response messages so far */
	unsigned run;   /* unsigned messages since the last signed one */
	int dead;       /* sticky failure of the exchange */
};

/* ---- algorithms and keys -------------------------------------------------- */

static const tsig_alg_t *alg_of(conf_tsig_alg_t alg)
{
	for (size_t i = 0; i < NALGS; i++)
		if (algs[i].alg == alg)
			return &algs[i];
	return NULL;
}

static const tsig_alg_t *alg_by_name(const dns_name_t *n)
{
	for (size_t i = 0; i < NALGS; i++) {
		dns_name_t an;
		size_t used;
		if (dns_name_from_wire(algs[i].wire, algs[i].wlen, &an, &used) == RODNS_OK &&
		    dns_name_eq(&an, n))
			return &algs[i];
	}
	return NULL;
}

/* The key's algorithm when the key may be used (legacy ones only when the
 * key says so), else NULL. */
static const tsig_alg_t *key_alg(const conf_tsig_t *key)
{
	const tsig_alg_t *a = key ? alg_of(key->alg) : NULL;
	if (!a || (a->legacy && !key->legacy) || !key->secret || key->secret_len == 0)
		return NULL;
	return a;
}

/* ---- digests -------------------------------------------------------------- */

static int mac_open(mac_t *m)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	m->c = mac ? EVP_MAC_CTX_new(mac) : NULL;
	EVP_MAC_free(mac); /* the context holds its own reference */
	m->ok = m->c != NULL;
	return m->c ? RODNS_OK : -ENOMEM;
}

static void mac_close(mac_t *m)
{
	EVP_MAC_CTX_free(m->c);
	m->c = NULL;
}

/* (Re)starts the HMAC with the key; the key is passed every time because
 * OpenSSL takes a NULL key as "keep the previous one". */
static void mac_begin(mac_t *m, const tsig_alg_t *a, const uint8_t *secret, size_t len)
{
	OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)a->md, 0),
			  OSSL_PARAM_construct_end()};
	m->ok = m->c && EVP_MAC_init(m->c, secret, len, p) == 1;
}

static void mac_bytes(mac_t *m, const void *p, size_t n)
{
	if (m->ok && n > 0)
		m->ok = EVP_MAC_update(m->c, p, n) == 1;
}

static void mac_u16(mac_t *m, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	mac_bytes(m, b, sizeof(b));
}

static void mac_u48(mac_t *m, uint64_t v)
{
	uint8_t b[6];
	for (int i = 0; i < 6; i++)
		b[i] = (uint8_t)(v >> (40 - 8 * i));
	mac_bytes(m, b, sizeof(b));
}

/* A MAC to chain from (request MAC, prior MAC): size, then the MAC. */
static void mac_chain(mac_t *m, const uint8_t *mac, size_t len)
{
	mac_u16(m, (uint16_t)len);
	mac_bytes(m, mac, len);
}

/* The message up to end with the given ID and ARCOUNT in its header. */
static void mac_msg(mac_t *m, const uint8_t *msg, size_t end, uint16_t id, uint16_t arcount)
{
	uint8_t h[DNS_HDR_LEN];
	memcpy(h, msg, DNS_HDR_LEN);
	h[0] = (uint8_t)(id >> 8);
	h[1] = (uint8_t)id;
	h[10] = (uint8_t)(arcount >> 8);
	h[11] = (uint8_t)arcount;
	mac_bytes(m, h, sizeof(h));
	mac_bytes(m, msg + DNS_HDR_LEN, end - DNS_HDR_LEN);
}

/* TSIG variables (§4.3.3), or only the timers (full false). */
static void mac_vars(mac_t *m, const dns_name_t *key, const tsig_alg_t *a, const tsig_vars_t *v,
		     bool full)
{
	if (full) {
		dns_name_t k = *key;
		dns_name_lower(&k);
		mac_bytes(m, k.data, k.len);
		mac_u16(m, DNS_C_ANY);
		mac_u16(m, 0); /* TTL, 32 bits */
		mac_u16(m, 0);
		mac_bytes(m, a->wire, a->wlen);
	}
	mac_u48(m, v->time);
	mac_u16(m, v->fudge);
	if (full) {
		mac_u16(m, v->error);
		mac_u16(m, v->other_len);
		mac_bytes(m, v->other, v->other_len);
	}
}

static void mac_end(mac_t *m, uint8_t *out, size_t cap, size_t *len)
{
	if (m->ok)
		m->ok = EVP_MAC_final(m->c, out, len, cap) == 1;
}

/* ---- the TSIG RR on the wire ---------------------------------------------- */

static int tsig_rdata(const uint8_t *rd, size_t len, tsig_rr_t *t)
{
	size_t used;
	dns_rd_t r;
	if (dns_name_from_wire(rd, len, &t->alg, &used) != RODNS_OK)
		return RODNS_E_MALFORMED;
	dns_rd_init(&r, rd + used, len - used);
	uint64_t hi = dns_rd_u16(&r);
	t->v.time = hi << 32 | dns_rd_u32(&r);
	t->v.fudge = dns_rd_u16(&r);
	t->mac_len = dns_rd_u16(&r);
	t->mac = dns_rd_skip(&r, t->mac_len);
	t->orig_id = dns_rd_u16(&r);
	t->v.error = dns_rd_u16(&r);
	t->v.other_len = dns_rd_u16(&r);
	t->v.other = dns_rd_skip(&r, t->v.other_len);
	return r.error == RODNS_OK && dns_rd_left(&r) == 0 ? RODNS_OK : RODNS_E_MALFORMED;
}

/* Walks the message's RRs (without expanding RDATA) and picks out its TSIG,
 * which may only be the last RR of the additional section. A message that
 * does not walk cleanly to its last octet is RODNS_E_MALFORMED. */
static int tsig_find(const uint8_t *msg, size_t len, tsig_rr_t *t)
{
	dns_rd_t r;
	dns_name_t n;
	uint16_t cnt[4];
	memset(t, 0, sizeof(*t));
	dns_rd_init(&r, msg, len);
	dns_rd_skip(&r, 4);
	for (int s = DNS_SEC_QD; s <= DNS_SEC_AR; s++)
		cnt[s] = dns_rd_u16(&r);
	t->arcount = cnt[DNS_SEC_AR];
	for (unsigned i = 0; i < cnt[DNS_SEC_QD] && r.error == RODNS_OK; i++) {
		dns_name_read(&r, &n);
		dns_rd_skip(&r, 4);
	}
	unsigned total = (unsigned)cnt[DNS_SEC_AN] + cnt[DNS_SEC_NS] + cnt[DNS_SEC_AR];
	for (unsigned i = 0; i < total && r.error == RODNS_OK; i++) {
		size_t off = dns_rd_off(&r);
		dns_name_read(&r, &n);
		uint16_t type = dns_rd_u16(&r), cls = dns_rd_u16(&r);
		uint32_t ttl = dns_rd_u32(&r);
		uint16_t rdlen = dns_rd_u16(&r);
		const uint8_t *rd = dns_rd_skip(&r, rdlen);
		if (r.error != RODNS_OK || type != DNS_T_TSIG)
			continue;
		if (i + 1 != total || cnt[DNS_SEC_AR] == 0 || cls != DNS_C_ANY || ttl != 0)
			return RODNS_E_MALFORMED;
		t->present = true;
		t->off = off;
		t->key = n;
		if (tsig_rdata(rd, rdlen, t) != RODNS_OK)
			return RODNS_E_MALFORMED;
	}
	return r.error == RODNS_OK && dns_rd_left(&r) == 0 ? RODNS_OK : RODNS_E_MALFORMED;
}

/* Appends a TSIG RR and counts it in ARCOUNT. */
static int tsig_append(uint8_t *msg, size_t *len, size_t cap, const dns_name_t *key,
		       const tsig_alg_t *a, const tsig_vars_t *v, const uint8_t *mac,
		       size_t mac_len, uint16_t orig_id)
{
	uint16_t ar = (uint16_t)(msg[10] << 8 | msg[11]);
	dns_wr_t w;
	if (ar == 0xffff || *len > cap)
		return RODNS_E_SPACE;
	dns_wr_init(&w, msg + *len, cap - *len);
	dns_name_write(&w, key, NULL);
	dns_wr_u16(&w, DNS_T_TSIG);
	dns_wr_u16(&w, DNS_C_ANY);
	dns_wr_u32(&w, 0);
	size_t rdl = dns_wr_off(&w);
	dns_wr_u16(&w, 0);
	dns_wr_bytes(&w, a->wire, a->wlen);
	dns_wr_u16(&w, (uint16_t)(v->time >> 32));
	dns_wr_u32(&w, (uint32_t)v->time);
	dns_wr_u16(&w, v->fudge);
	dns_wr_u16(&w, (uint16_t)mac_len);
	dns_wr_bytes(&w, mac, mac_len);
	dns_wr_u16(&w, orig_id);
	dns_wr_u16(&w, v->error);
	dns_wr_u16(&w, v->other_len);
	dns_wr_bytes(&w, v->other, v->other_len);
	dns_wr_put_u16_at(&w, rdl, (uint16_t)(dns_wr_off(&w) - rdl - 2));
	if (w.error != RODNS_OK)
		return RODNS_E_SPACE;
	*len += dns_wr_off(&w);
	ar++;
	msg[10] = (uint8_t)(ar >> 8);
	msg[11] = (uint8_t)ar;
	return RODNS_OK;
}

static uint16_t msg_id(const uint8_t *msg)
{
	return (uint16_t)(msg[0] << 8 | msg[1]);
}

static uint16_t msg_arcount(const uint8_t *msg)
{
	return (uint16_t)(msg[10] << 8 | msg[11]);
}

/* Within the smaller of the signer's fudge and ours. */
static bool time_ok(uint64_t signed_at, uint16_t fudge, int64_t now)
{
	int64_t lim = fudge < IPSEC_TSIG_FUDGE ? fudge : IPSEC_TSIG_FUDGE;
	int64_t d = now - (int64_t)signed_at;
	return d <= lim && d >= -lim;
}

/* Signs msg: [chain MAC] + msg + full variables, then appends the TSIG. */
static int sign_msg(const tsig_alg_t *a, const conf_tsig_t *key, const uint8_t *chain,
		    size_t chain_len, uint8_t *msg, size_t *len, size_t cap, int64_t now,
		    uint8_t *mac_out)
{
	tsig_vars_t v = {.time = (uint64_t)now & 0xffffffffffffULL, .fudge = IPSEC_TSIG_FUDGE};
	mac_t m;
	size_t n = 0;
	if (*len < DNS_HDR_LEN || *len > cap)
		return RODNS_E_MALFORMED;
	int rc = mac_open(&m);
	if (rc != RODNS_OK)
		return rc;
	mac_begin(&m, a, key->secret, key->secret_len);
	if (chain)
		mac_chain(&m, chain, chain_len);
	mac_msg(&m, msg, *len, msg_id(msg), msg_arcount(msg));
	mac_vars(&m, &key->name, a, &v, true);
	mac_end(&m, mac_out, TSIG_MAC_MAX, &n);
	rc = m.ok && n == a->len ? RODNS_OK : RODNS_E_TSIG_BADKEY;
	mac_close(&m);
	if (rc == RODNS_OK)
		rc = tsig_append(msg, len, cap, &key->name, a, &v, mac_out, a->len, msg_id(msg));
	return rc;
}

/* ---- requests we send, responses we get ----------------------------------- */

int ipsec_tsig_sign(const conf_tsig_t *key, uint8_t *msg, size_t *len, size_t cap, int64_t now,
		    ipsec_tsig_t **out)
{
	const tsig_alg_t *a = key_alg(key);
	*out = NULL;
	if (!a)
		return RODNS_E_TSIG_BADKEY;
	ipsec_tsig_t *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->a = a;
	t->key = key->name;
	dns_name_lower(&t->key);
	t->secret = malloc(key->secret_len);
	int rc = t->secret ? mac_open(&t->m) : -ENOMEM;
	if (rc == RODNS_OK) {
		memcpy(t->secret, key->secret, key->secret_len);
		t->secret_len = key->secret_len;
		rc = sign_msg(a, key, NULL, 0, msg, len, cap, now, t->prior);
	}
	if (rc == RODNS_OK) {
		/* the first response chains from our request's MAC */
		mac_begin(&t->m, a, t->secret, t->secret_len);
		mac_chain(&t->m, t->prior, a->len);
		rc = t->m.ok ? RODNS_OK : -ENOMEM;
	}
	if (rc != RODNS_OK) {
		ipsec_tsig_free(t);
		return rc;
	}
	*out = t;
	return RODNS_OK;
}

void ipsec_tsig_free(ipsec_tsig_t *t)
{
	if (!t)
		return;
	mac_close(&t->m);
	if (t->secret)
		OPENSSL_cleanse(t->secret, t->secret_len);
	free(t->secret);
	OPENSSL_cleanse(t, sizeof(*t));
	free(t);
}

/* Records why the exchange failed; every later call fails the same way. */
static int fail(ipsec_tsig_t *t, int rc, char *reason, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, cap, fmt, ap);
	va_end(ap);
	t->dead = rc;
	return rc;
}

static const char *tsig_error_name(uint16_t e)
{
	switch (e) {
	case TSIG_BADSIG: return "BADSIG";
	case TSIG_BADKEY: return "BADKEY";
	case TSIG_BADTIME: return "BADTIME";
	case TSIG_BADTRUNC: return "BADTRUNC";
	default: return "an unknown TSIG error";
	}
}

/* The primary's own verdict on our request (error field set). */
static int peer_error(ipsec_tsig_t *t, const tsig_rr_t *r, int64_t now, char *reason, size_t cap)
{
	int rc = r->v.error == TSIG_BADKEY	? RODNS_E_TSIG_BADKEY
		 : r->v.error == TSIG_BADTIME ? RODNS_E_TSIG_BADTIME
					      : RODNS_E_TSIG_BADSIG;
	if (r->v.error == TSIG_BADTIME && r->v.other_len == 6) {
		uint64_t theirs = 0;
		for (int i = 0; i < 6; i++)
			theirs = theirs << 8 | r->v.other[i];
		return fail(t, rc, reason, cap,
			    "primary rejected our TSIG: BADTIME (its clock is %" PRId64
			    " s from ours)",
			    (int64_t)theirs - now);
	}
	return fail(t, rc, reason, cap, "primary rejected our TSIG: %s (TSIG error %u)",
		    tsig_error_name(r->v.error), r->v.error);
}

static int on_unsigned(ipsec_tsig_t *t, const uint8_t *msg, size_t len, bool first, int last,
		       char *reason, size_t cap)
{
	if (DNS_RCODE(msg[3]) == DNS_RC_NOTAUTH)
		return fail(t, RODNS_E_TSIG_BADKEY, reason, cap,
			    "primary answered NOTAUTH without a TSIG: it does not accept our key");
	if (first)
		return fail(t, RODNS_E_TSIG_MISSING, reason, cap,
			    "the first message of the answer is not signed (TSIG missing)");
	if (last)
		return fail(t, RODNS_E_TSIG_MISSING, reason, cap,
			    "the last message of the answer is not signed (TSIG missing)");
	if (++t->run > TSIG_UNSIGNED_MAX)
		return fail(t, RODNS_E_TSIG_MISSING, reason, cap,
			    "more than %d messages in a row without a TSIG", TSIG_UNSIGNED_MAX);
	mac_bytes(&t->m, msg, len);
	return t->m.ok ? RODNS_OK : fail(t, -ENOMEM, reason, cap, "HMAC failed");
}

static int on_signed(ipsec_tsig_t *t, const uint8_t *msg, const tsig_rr_t *r, bool first,
		     int64_t now, char *reason, size_t cap)
{
	char kt[DNS_NAME_TEXT_MAX];
	uint8_t mac[TSIG_MAC_MAX];
	size_t n = 0;
	if (!dns_name_eq(&r->key, &t->key)) {
		dns_name_to_text(&r->key, kt, sizeof(kt));
		return fail(t, RODNS_E_TSIG_BADKEY, reason, cap,
			    "answer signed with another TSIG key (%s)", kt);
	}
	if (alg_by_name(&r->alg) != t->a)
		return fail(t, RODNS_E_TSIG_BADKEY, reason, cap,
			    "answer signed with another TSIG algorithm");
	if (r->mac_len != t->a->len)
		return fail(t, RODNS_E_TSIG_BADSIG, reason, cap,
			    "TSIG MAC of %u octets where %zu are required (BADSIG)", r->mac_len,
			    t->a->len);
	mac_msg(&t->m, msg, r->off, r->orig_id, (uint16_t)(r->arcount - 1));
	mac_vars(&t->m, &r->key, t->a, &r->v, first);
	mac_end(&t->m, mac, sizeof(mac), &n);
	if (!t->m.ok || n != t->a->len)
		return fail(t, -ENOMEM, reason, cap, "HMAC failed");
	int diff = CRYPTO_memcmp(mac, r->mac, n);
	OPENSSL_cleanse(mac, sizeof(mac));
	if (diff != 0)
		return fail(t, RODNS_E_TSIG_BADSIG, reason, cap,
			    "message %" PRIu64 " of the answer: TSIG MAC does not verify (BADSIG)",
			    t->seen);
	if (!time_ok(r->v.time, r->v.fudge, now))
		return fail(t, RODNS_E_TSIG_BADTIME, reason, cap,
			    "message %" PRIu64 " of the answer: TSIG time is %" PRId64
			    " s from our clock, fudge %u (BADTIME)",
			    t->seen, (int64_t)r->v.time - now, r->v.fudge);
	/* the next signed message chains from this MAC */
	memcpy(t->prior, r->mac, n);
	t->run = 0;
	mac_begin(&t->m, t->a, t->secret, t->secret_len);
	mac_chain(&t->m, t->prior, n);
	return t->m.ok ? RODNS_OK : fail(t, -ENOMEM, reason, cap, "HMAC failed");
}

int ipsec_tsig_verify(ipsec_tsig_t *t, const uint8_t *msg, size_t len, int last, int64_t now,
		      char *reason, size_t cap)
{
	char none[1];
	tsig_rr_t r;
	if (!reason || cap == 0) {
		reason = none;
		cap = sizeof(none);
	}
	reason[0] = '\0';
	if (t->dead) {
		snprintf(reason, cap, "an earlier message failed its TSIG check");
		return t->dead;
	}
	bool first = t->seen++ == 0;
	if (tsig_find(msg, len, &r) != RODNS_OK)
		return fail(t, RODNS_E_MALFORMED, reason, cap,
			    "message %" PRIu64 " of the answer is malformed (looking for its TSIG)",
			    t->seen);
	if (r.present && r.v.error != 0)
		return peer_error(t, &r, now, reason, cap);
	if (!r.present)
		return on_unsigned(t, msg, len, first, last, reason, cap);
	return on_signed(t, msg, &r, first, now, reason, cap);
}

/* ---- requests we get (NOTIFY) --------------------------------------------- */

static const conf_tsig_t *key_find(const conf_t *c, const dns_name_t *name)
{
	for (size_t i = 0; c && i < c->n_tsig; i++)
		if (dns_name_eq(&c->tsig[i].name, name))
			return &c->tsig[i];
	return NULL;
}

/* req_mac holds *req_mac_len octets on entry (64 always suffice); it gets
 * the request's MAC, for signing the response. */
int ipsec_tsig_verify_request(const conf_t *c, const uint8_t *msg, size_t len, int64_t now,
			      const conf_tsig_t **used, uint8_t *req_mac, size_t *req_mac_len)
{
	tsig_rr_t r;
	uint8_t mac[TSIG_MAC_MAX];
	size_t n = 0;
	mac_t m;
	*used = NULL;
	if (tsig_find(msg, len, &r) != RODNS_OK)
		return RODNS_E_MALFORMED;
	if (!r.present)
		return RODNS_OK;
	const conf_tsig_t *key = key_find(c, &r.key);
	const tsig_alg_t *a = key_alg(key);
	if (!a || alg_by_name(&r.alg) != a)
		return RODNS_E_TSIG_BADKEY;
	if (r.mac_len != a->len)
		return RODNS_E_TSIG_BADSIG;
	int rc = mac_open(&m);
	if (rc != RODNS_OK)
		return rc;
	mac_begin(&m, a, key->secret, key->secret_len);
	mac_msg(&m, msg, r.off, r.orig_id, (uint16_t)(r.arcount - 1));
	mac_vars(&m, &r.key, a, &r.v, true);
	mac_end(&m, mac, sizeof(mac), &n);
	rc = m.ok && n == a->len ? RODNS_OK : -ENOMEM;
	mac_close(&m);
	if (rc == RODNS_OK && CRYPTO_memcmp(mac, r.mac, n) != 0)
		rc = RODNS_E_TSIG_BADSIG;
	OPENSSL_cleanse(mac, sizeof(mac));
	if (rc == RODNS_OK && !time_ok(r.v.time, r.v.fudge, now))
		rc = RODNS_E_TSIG_BADTIME;
	if (rc == RODNS_OK && *req_mac_len < n)
		rc = RODNS_E_SPACE;
	if (rc != RODNS_OK)
		return rc;
	memcpy(req_mac, r.mac, n);
	*req_mac_len = n;
	*used = key;
	return RODNS_OK;
}

int ipsec_tsig_sign_response(const conf_tsig_t *key, const uint8_t *req_mac, size_t req_mac_len,
			     uint8_t *msg, size_t *len, size_t cap, int64_t now)
{
	uint8_t mac[TSIG_MAC_MAX];
	const tsig_alg_t *a = key_alg(key);
	if (!a)
		return RODNS_E_TSIG_BADKEY;
	int rc = sign_msg(a, key, req_mac, req_mac_len, msg, len, cap, now, mac);
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}
