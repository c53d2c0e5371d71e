/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* DNSSEC cryptography for validating transferred zones (untrusted-site mode):
 * DNSKEY parsing into OpenSSL keys, RRSIG verification over an RRset
 * (RFC 4034 §3.1.8.1 and §6, RFC 4035 §5.3, RFC 6840 §5.1), DS digests
 * (RFC 4034 §5.1.4, RFC 4509, RFC 6605), NSEC3 owner hashes (RFC 5155 §5)
 * and the ZONEMD SIMPLE digest (RFC 8976).
 *
 * Pure functions of their inputs and a caller-supplied clock; no I/O, no
 * global state. A parsed dns_key_t is read-only after dns_key_parse, so one
 * key may verify from several threads at once.
 */
#ifndef RODNS_DNS_DNSSEC_H
#define RODNS_DNS_DNSSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "dns/name.h"
#include "dns/rr.h"

/* DNSKEY/RRSIG algorithm numbers (IANA "DNS Security Algorithm Numbers"). */
enum {
	DNS_ALG_RSAMD5 = 1,
	DNS_ALG_DSA = 3,
	DNS_ALG_RSASHA1 = 5,
	DNS_ALG_DSA_NSEC3_SHA1 = 6,
	DNS_ALG_RSASHA1_NSEC3_SHA1 = 7,
	DNS_ALG_RSASHA256 = 8,
	DNS_ALG_RSASHA512 = 10,
	DNS_ALG_ECC_GOST = 12,
	DNS_ALG_ECDSAP256SHA256 = 13,
	DNS_ALG_ECDSAP384SHA384 = 14,
	DNS_ALG_ED25519 = 15,
	DNS_ALG_ED448 = 16,
};

/* DS digest types. */
enum { DNS_DS_SHA1 = 1, DNS_DS_SHA256 = 2, DNS_DS_SHA384 = 4 };

/* ZONEMD scheme and hash algorithms (RFC 8976 §5.2, §5.3). */
enum { DNS_ZONEMD_SIMPLE = 1, DNS_ZONEMD_SHA384 = 1, DNS_ZONEMD_SHA512 = 2 };
#define DNS_ZONEMD_DIGEST_MAX 64

/* DNSKEY flags (RFC 4034 §2.1.1, RFC 5011 §3). */
#define DNS_KEYF_ZONE   0x0100
#define DNS_KEYF_REVOKE 0x0080
#define DNS_KEYF_SEP    0x0001

/* Why a signature did or did not verify. */
enum {
	DNS_V_OK = 0,          /* valid now */
	DNS_V_BADSIG,          /* the cryptographic check failed */
	DNS_V_EXPIRED,         /* now is after the expiration (RFC 1982 order) */
	DNS_V_NOTYET,          /* now is before the inception */
	DNS_V_KEYMISMATCH,     /* key tag, algorithm, signer name or zone-key flag do not fit */
	DNS_V_UNSUPPORTED_ALG, /* an algorithm rodns cannot verify */
	DNS_V_MALFORMED,       /* RRSIG labels above the owner's, RDATA that does not parse,
				  an empty RRset */
};

/* A short static name for a DNS_V_* value ("ok", "bad signature" ...). */
const char *dns_v_str(int why);

/* true for the algorithms dns_rrsig_verify can check (5 7 8 10 13 14 15 16). */
bool dns_alg_supported(uint8_t alg);

/* true for the algorithms RFC 8624 §3.1 says not to sign with (MUST NOT:
 * 1 3 6 12; NOT RECOMMENDED: 5 7, which rest on SHA-1). rodns still verifies
 * 5 and 7 for the zones that use them; the caller should warn about it. */
bool dns_alg_weak(uint8_t alg);

/* One DNSKEY, parsed once and used for many verifications. */
typedef struct {
	uint16_t flags;
	uint8_t protocol;
	uint8_t algorithm;
	uint16_t tag;      /* RFC 4034 Appendix B */
	uint16_t bits;     /* RSA modulus or curve size */
	dns_name_t owner;  /* owner.len == 0: unknown (dns_key_parse leaves it so);
			      when set, dns_rrsig_verify requires signer == owner */
	EVP_PKEY *pkey;    /* NULL when the algorithm is not supported */
	EVP_MD *md;        /* NULL for EdDSA (no separate digest) */
} dns_key_t;

/* Parses DNSKEY RDATA into out. Returns RODNS_OK; RODNS_E_UNSUPPORTED for
 * an algorithm rodns cannot verify or an RSA modulus outside 512..4096 bits
 * (flags, protocol, algorithm and tag are filled, pkey is NULL); RODNS_E_RDATA
 * when the RDATA or the public key is malformed (for ECDSA also a point not on
 * the curve); -ENOMEM. out needs dns_key_free whatever the result. */
int dns_key_parse(const uint8_t *rdata, size_t len, dns_key_t *out);

/* Releases the OpenSSL objects and zeroes the key (NULL is fine). */
void dns_key_free(dns_key_t *k);

/* Verifies one RRSIG over the RRset (owner, rclass, sig->covered) whose RDATAs
 * are rdatas[0..n) (uncompressed wire form, any order, duplicates allowed:
 * they are sorted canonically and deduplicated here). sig comes from
 * dns_rrsig_parse(sig_rdata, sig_rdlen). now is the validator's clock as
 * 32-bit seconds since 1970; validity is inception <= now <= expiration in
 * RFC 1982 serial arithmetic, so it keeps working across 2106 (two times
 * exactly 2^31 apart are not comparable and fail).
 *
 * Checks, in this order: the RRSIG shape (DNS_V_MALFORMED), the key
 * (DNS_V_KEYMISMATCH: tag, algorithm, protocol 3, zone-key flag, signer equal
 * to key->owner when that is set, and at or above the owner), the algorithm,
 * the validity period, then the signature. The REVOKE flag is not looked at
 * (RFC 5011 is the caller's business).
 *
 * Returns 0 when the signature is valid now, 1 when it is not (*why says
 * why; why may be NULL), -ENOMEM when OpenSSL could not set up. Works in a
 * 16 KiB stack buffer (signed data) and allocates only for RRsets whose
 * signed data is larger or that have more than 64 RRs. */
int dns_rrsig_verify(const dns_rrsig_t *sig, const uint8_t *sig_rdata, size_t sig_rdlen,
		     const dns_name_t *owner, uint16_t rclass, const uint8_t *const *rdatas,
		     const uint16_t *rdlens, size_t n, const dns_key_t *key, uint32_t now, int *why);

/* Whether the DS RDATA matches the DNSKEY RDATA at owner: key tag, algorithm
 * and digest over canonical owner | DNSKEY RDATA (RFC 4034 §5.1.4). Returns
 * 1 when it matches, 0 when not, RODNS_E_UNSUPPORTED for a digest type other
 * than 1, 2, 4, RODNS_E_RDATA for a DS that is too short or whose digest
 * length is wrong for its type. The zone-key flag is the caller's check. */
int dns_ds_matches(const uint8_t *ds, size_t ds_len, const dns_name_t *owner,
		   const uint8_t *dnskey, size_t dnskey_len);

/* NSEC3 hash (RFC 5155 §5, algorithm 1 = SHA-1) of the lowercased name:
 * IH(salt, x, 0) = H(x | salt), IH(salt, x, k) = H(IH(salt, x, k-1) | salt).
 * Costs iterations + 1 SHA-1 blocks-worth of work: cap iterations before
 * calling with untrusted parameters (RFC 9276 §3.2). */
void dns_nsec3_hash(const dns_name_t *name, uint16_t iterations, const uint8_t *salt,
		    uint8_t saltlen, uint8_t out[20]);

/* ZONEMD SIMPLE digest (RFC 8976 §3), streaming. The caller feeds every RR of
 * the zone in canonical order: owner (RFC 4034 §6.1), then type, then
 * canonical RDATA, the store's iteration order. dns_zonemd_add leaves out
 * what §3.3.1 excludes (the apex ZONEMD RRset, RRSIGs covering it, RRs
 * outside the zone) and exact duplicates, and digests the rest in canonical
 * form (lowercased owner and RDATA names, the RR's own TTL). */
typedef struct dns_zonemd dns_zonemd_t;

/* NULL for a hash algorithm other than 1 (SHA-384) and 2 (SHA-512), or when
 * out of memory (it holds two RDATA buffers, ~128 KiB). */
dns_zonemd_t *dns_zonemd_new(const dns_name_t *apex, uint8_t hash_alg);

/* Returns RODNS_OK (also for an RR left out), RODNS_E_RDATA for RDATA that
 * does not fit its type, -EINVAL for an RR out of canonical order. Errors are
 * sticky: every later call and dns_zonemd_final return the first one. */
int dns_zonemd_add(dns_zonemd_t *z, const dns_rr_t *rr);

/* Writes the digest (48 or 64 octets) to out; returns its length, the sticky
 * error, or RODNS_E_SPACE. Once it has returned a digest, later calls (and
 * dns_zonemd_add) return -EINVAL. */
int dns_zonemd_final(dns_zonemd_t *z, uint8_t *out, size_t cap);

void dns_zonemd_free(dns_zonemd_t *z);

/* Checks one ZONEMD RDATA against the SOA serial and a digest computed with
 * hash_alg: 1 when serial, scheme 1, hash_alg and digest all match; 0 when
 * this RR is for that scheme and algorithm but the serial or digest differ;
 * RODNS_E_UNSUPPORTED when it is for another scheme or algorithm (skip it,
 * RFC 8976 §4 step 5); RODNS_E_RDATA when it is shorter than 6 + 12 octets
 * or its digest length is wrong for its algorithm. */
int dns_zonemd_check(const uint8_t *rdata, size_t len, uint32_t serial, uint8_t hash_alg,
		     const uint8_t *digest, size_t dlen);

#endif
