/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for ipsec/tsig.c. RFC 8945 has no known-answer vectors, so the
 * responses here are signed by a second, test-local implementation of the
 * digest rules (§4.3, §5.3.1) written straight from the RFC with raw
 * EVP_MAC calls; interop with BIND is tests/integration/t_tsig.sh. */
#include <check.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "tests/check_bounds.h"
#include "dns/msg.h"
#include "ipsec/tsig.h"

Suite *tsig_suite(void);

#define NOW   1767225600 /* 2026-01-01 */
#define MSGCAP 4096

static uint8_t secret_a[] = "0123456789abcdef0123456789abcdef";
static uint8_t secret_b[] = "fedcba9876543210fedcba9876543210";

static dns_name_t nm(const char *s)
{
	dns_name_t n;
	ck_assert_int_eq(dns_name_from_text(s, NULL, &n), RODNS_OK);
	return n;
}

static conf_tsig_t mkkey(const char *name, conf_tsig_alg_t alg, bool legacy, uint8_t *secret)
{
	conf_tsig_t k = {.name = nm(name), .alg = alg, .legacy = legacy, .secret = secret,
			 .secret_len = 32};
	return k;
}

static const struct {
	conf_tsig_alg_t alg;
	const char *md;
	size_t len;
	const char *name;
} A[] = {
	{CONF_TSIG_HMAC_MD5, "MD5", 16, "hmac-md5.sig-alg.reg.int."},
	{CONF_TSIG_HMAC_SHA1, "SHA1", 20, "hmac-sha1."},
	{CONF_TSIG_HMAC_SHA256, "SHA256", 32, "hmac-sha256."},
	{CONF_TSIG_HMAC_SHA384, "SHA384", 48, "hmac-sha384."},
	{CONF_TSIG_HMAC_SHA512, "SHA512", 64, "hmac-sha512."},
};

static size_t query(uint8_t *buf, uint16_t id)
{
	dns_mbuild_t b;
	dns_name_t z = nm("example.test.");
	dns_mbuild_init(&b, buf, MSGCAP, id, 0);
	ck_assert_int_eq(dns_mbuild_question(&b, &z, DNS_T_AXFR, DNS_C_IN), RODNS_OK);
	int n = dns_mbuild_finish(&b);
	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

/* Response message k of an answer: the question in the first, three A
 * records each. */
static size_t response(uint8_t *buf, uint16_t id, int k, uint8_t rcode)
{
	dns_mbuild_t b;
	dns_name_t z = nm("example.test.");
	dns_mbuild_init(&b, buf, MSGCAP, id, DNS_F_QR | DNS_F_AA | rcode);
	if (k == 0)
		ck_assert_int_eq(dns_mbuild_question(&b, &z, DNS_T_AXFR, DNS_C_IN), RODNS_OK);
	for (int i = 0; i < 3; i++) {
		char t[64];
		uint8_t a[4] = {192, 0, 2, (uint8_t)(k * 3 + i)};
		snprintf(t, sizeof(t), "h%d-%d.example.test.", k, i);
		dns_rr_t rr = {.owner = nm(t), .type = DNS_T_A, .rclass = DNS_C_IN, .ttl = 3600,
			       .rdlen = 4, .rdata = a};
		ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AN, &rr), RODNS_OK);
	}
	int n = dns_mbuild_finish(&b);
	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

/* ---- the test-local signer (the primary's side) --------------------------- */

typedef struct {
	EVP_MAC_CTX *c;
	const char *md;
	size_t len;
	dns_name_t key, alg;
	uint8_t *secret;
	uint8_t prior[64];
	bool first;
} srv_t;

static void srv_init(srv_t *s, const char *key, int ai, uint8_t *secret)
{
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	ck_assert_ptr_nonnull(m);
	s->c = EVP_MAC_CTX_new(m);
	EVP_MAC_free(m);
	s->md = A[ai].md;
	s->len = A[ai].len;
	s->key = nm(key);
	s->alg = nm(A[ai].name);
	s->secret = secret;
	s->first = true;
}

static void h(srv_t *s, const void *p, size_t n)
{
	ck_assert_int_eq(EVP_MAC_update(s->c, p, n), 1);
}

static void h16(srv_t *s, unsigned v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	h(s, b, 2);
}

/* Starts a digest chained from mac (the request's, then the prior one). */
static void srv_chain(srv_t *s, const uint8_t *mac, size_t len)
{
	OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)s->md, 0),
			  OSSL_PARAM_construct_end()};
	ck_assert_int_eq(EVP_MAC_init(s->c, s->secret, 32, p), 1);
	h16(s, (unsigned)len);
	h(s, mac, len);
	if (mac != s->prior)
		memcpy(s->prior, mac, len);
}

static void srv_unsigned(srv_t *s, const uint8_t *msg, size_t len)
{
	h(s, msg, len);
}

/* Signs msg (first: with the full variables, later: timers only),
 * appending a TSIG with the given error and time. */
static void srv_sign(srv_t *s, uint8_t *msg, size_t *len, uint64_t t, uint16_t err)
{
	uint8_t tm[6] = {(uint8_t)(t >> 40), (uint8_t)(t >> 32), (uint8_t)(t >> 24),
			 (uint8_t)(t >> 16), (uint8_t)(t >> 8), (uint8_t)t};
	uint8_t mac[64];
	size_t n = 0;
	dns_name_t lk = s->key, la = s->alg;
	dns_name_lower(&lk);
	dns_name_lower(&la);
	h(s, msg, *len);
	if (s->first) {
		h(s, lk.data, lk.len);
		h16(s, DNS_C_ANY);
		h16(s, 0);
		h16(s, 0);
		h(s, la.data, la.len);
	}
	h(s, tm, 6);
	h16(s, IPSEC_TSIG_FUDGE);
	if (s->first) {
		h16(s, err);
		h16(s, 0);
	}
	ck_assert_int_eq(EVP_MAC_final(s->c, mac, &n, sizeof(mac)), 1);
	ck_assert_uint_eq(n, s->len);
	dns_wr_t w;
	dns_wr_init(&w, msg + *len, MSGCAP - *len);
	dns_name_write(&w, &s->key, NULL);
	dns_wr_u16(&w, DNS_T_TSIG);
	dns_wr_u16(&w, DNS_C_ANY);
	dns_wr_u32(&w, 0);
	dns_wr_u16(&w, (uint16_t)(s->alg.len + 16 + n));
	dns_wr_bytes(&w, s->alg.data, s->alg.len);
	dns_wr_bytes(&w, tm, 6);
	dns_wr_u16(&w, IPSEC_TSIG_FUDGE);
	dns_wr_u16(&w, (uint16_t)n);
	dns_wr_bytes(&w, mac, n);
	dns_wr_u16(&w, (uint16_t)(msg[0] << 8 | msg[1]));
	dns_wr_u16(&w, err);
	dns_wr_u16(&w, 0);
	ck_assert_int_eq(w.error, RODNS_OK);
	*len += dns_wr_off(&w);
	msg[11]++;
	s->first = false;
	srv_chain(s, mac, n);
}

static void srv_free(srv_t *s)
{
	EVP_MAC_CTX_free(s->c);
}

/* The MAC at the end of a message we signed (no Other Data). */
static const uint8_t *tail_mac(const uint8_t *msg, size_t len, size_t maclen)
{
	return msg + len - 6 - maclen;
}

/* Our signed AXFR query, and the primary's side chained from its MAC. */
static ipsec_tsig_t *start(const conf_tsig_t *k, int ai, srv_t *s, uint8_t *secret)
{
	uint8_t q[MSGCAP];
	size_t ql = query(q, 0x1234);
	ipsec_tsig_t *t = NULL;
	ck_assert_int_eq(ipsec_tsig_sign(k, q, &ql, sizeof(q), NOW, &t), RODNS_OK);
	ck_assert_ptr_nonnull(t);
	srv_init(s, "xfr.", ai, secret);
	srv_chain(s, tail_mac(q, ql, A[ai].len), A[ai].len);
	return t;
}

static int verify(ipsec_tsig_t *t, const uint8_t *m, size_t len, int last)
{
	char why[256];
	return ipsec_tsig_verify(t, m, len, last, NOW, why, sizeof(why));
}

/* ---- round trips ---------------------------------------------------------- */

START_TEST(t_roundtrip)
{
	for (int ai = 0; ai < 5; ai++) {
		conf_tsig_t keys[2] = {mkkey("other.", CONF_TSIG_HMAC_SHA256, false, secret_b),
				       mkkey("xfr.", A[ai].alg, true, secret_a)};
		conf_t c = {.tsig = keys, .n_tsig = 2};
		uint8_t q[MSGCAP], r[MSGCAP], mac[64];
		size_t ql = query(q, 77), rl, maclen = sizeof(mac);
		ipsec_tsig_t *t = NULL;
		const conf_tsig_t *used = NULL;

		/* our request, checked by our own server side */
		ck_assert_int_eq(ipsec_tsig_sign(&keys[1], q, &ql, sizeof(q), NOW, &t), RODNS_OK);
		ck_assert_uint_eq(q[11], 1);
		ck_assert_int_eq(ipsec_tsig_verify_request(&c, q, ql, NOW + 5, &used, mac, &maclen),
				 RODNS_OK);
		ck_assert_ptr_eq(used, &keys[1]);
		ck_assert_uint_eq(maclen, A[ai].len);
		ck_assert_mem_eq(mac, tail_mac(q, ql, maclen), maclen);
		/* the parser agrees the TSIG is the last RR */
		dns_msg_t m;
		ck_assert_int_eq(dns_msg_parse(&m, q, ql), RODNS_OK);
		ck_assert(m.has_tsig);

		/* a response signed by ipsec_tsig_sign_response */
		rl = response(r, 77, 0, 0);
		ck_assert_int_eq(ipsec_tsig_sign_response(used, mac, maclen, r, &rl, sizeof(r), NOW),
				 RODNS_OK);
		ck_assert_int_eq(verify(t, r, rl, 1), RODNS_OK);
		ipsec_tsig_free(t);

		/* and one signed by the test-local signer */
		srv_t s;
		t = start(&keys[1], ai, &s, secret_a);
		rl = response(r, 0x1234, 0, 0);
		srv_sign(&s, r, &rl, NOW, 0);
		ck_assert_int_eq(verify(t, r, rl, 1), RODNS_OK);
		ipsec_tsig_free(t);
		srv_free(&s);
	}
}
END_TEST

/* Our response to a request signed elsewhere verifies under the local
 * signer's rules (request MAC + message + variables). */
START_TEST(t_sign_response_matches)
{
	conf_tsig_t k = mkkey("xfr.", CONF_TSIG_HMAC_SHA256, false, secret_a);
	uint8_t req[32], r1[MSGCAP], r2[MSGCAP];
	srv_t s;
	memset(req, 0x5a, sizeof(req));
	size_t l1 = response(r1, 9, 0, 0), l2 = l1;
	memcpy(r2, r1, l1);
	ck_assert_int_eq(ipsec_tsig_sign_response(&k, req, sizeof(req), r1, &l1, sizeof(r1), NOW),
			 RODNS_OK);
	srv_init(&s, "xfr.", 2, secret_a);
	srv_chain(&s, req, sizeof(req));
	srv_sign(&s, r2, &l2, NOW, 0);
	ck_assert_uint_eq(l1, l2);
	ck_assert_mem_eq(r1, r2, l1);
	srv_free(&s);
}
END_TEST

START_TEST(t_multi_message)
{
	conf_tsig_t k = mkkey("xfr.", CONF_TSIG_HMAC_SHA384, false, secret_a);
	srv_t s;
	ipsec_tsig_t *t = start(&k, 3, &s, secret_a);
	uint8_t r[MSGCAP];
	for (int i = 0; i < 6; i++) {
		size_t rl = response(r, 0x1234, i, 0);
		bool sign = i == 0 || i == 3 || i == 5; /* 1, 2 and 4 unsigned */
		if (sign)
			srv_sign(&s, r, &rl, NOW + i, 0);
		else
			srv_unsigned(&s, r, rl);
		ck_assert_int_eq(verify(t, r, rl, i == 5), RODNS_OK);
	}
	ipsec_tsig_free(t);
	srv_free(&s);
}
END_TEST

/* §4.3.2: the digest uses the original ID, so a changed ID still verifies. */
START_TEST(t_original_id)
{
	conf_tsig_t k = mkkey("xfr.", CONF_TSIG_HMAC_SHA256, false, secret_a);
	srv_t s;
	ipsec_tsig_t *t = start(&k, 2, &s, secret_a);
	uint8_t r[MSGCAP];
	size_t rl = response(r, 0x1234, 0, 0);
	srv_sign(&s, r, &rl, NOW, 0);
	r[0] = 0x43;
	r[1] = 0x21;
	ck_assert_int_eq(verify(t, r, rl, 1), RODNS_OK);
	ipsec_tsig_free(t);
	srv_free(&s);
}
END_TEST

/* Key names compare and digest in canonical (lowercase) form. */
START_TEST(t_key_name_case)
{
	conf_tsig_t k = mkkey("Xfr.", CONF_TSIG_HMAC_SHA256, false, secret_a);
	uint8_t q[MSGCAP], r[MSGCAP];
	size_t ql = query(q, 0x1234);
	ipsec_tsig_t *t = NULL;
	srv_t s;
	ck_assert_int_eq(ipsec_tsig_sign(&k, q, &ql, sizeof(q), NOW, &t), RODNS_OK);
	srv_init(&s, "XFR.", 2, secret_a);
	srv_chain(&s, tail_mac(q, ql, 32), 32);
	size_t rl = response(r, 0x1234, 0, 0);
	srv_sign(&s, r, &rl, NOW, 0);
	ck_assert_int_eq(verify(t, r, rl, 1), RODNS_OK);
	ipsec_tsig_free(t);
	srv_free(&s);
}
END_TEST

/* ---- failures -------------------------------------------------------------- */

START_TEST(t_tampered)
{
	conf_tsig_t k = mkkey("xfr.", CONF_TSIG_HMAC_SHA256, false, secret_a);
	srv_t s;
	ipsec_tsig_t *t = start(&k, 2, &s, secret_a);
	uint8_t r[MSGCAP];
	size_t rl = response(r, 0x1234, 0, 0);
	srv_sign(&s, r, &rl, NOW, 0);
	ck_assert_int_eq(verify(t, r, rl, 0), RODNS_OK);
	rl = response(r, 0x1234, 1, 0);
	srv_sign(&s, r, &rl, NOW, 0);
	r[14] ^= 0x01; /* inside the first owner name */
	char why[256];
	ck_assert_int_eq(ipsec_tsig_verify(t, r, rl, 0, NOW, why, sizeof(why)),
			 RODNS_E_TSIG_BADSIG);
	ck_assert_ptr_nonnull(strstr(why, "BADSIG"));
	/* the exchange stays dead */
	r[14] ^= 0x01;
	ck_assert_int_eq(verify(t, r, rl, 1), RODNS_E_TSIG_BADSIG);
	ipsec_tsig_free(t);
	srv_free(&s);
}
END_TEST

START_TEST(t_tampered_unsigned)
{
	/* a change to an unsigned message is caught by the next signed one */
	conf_tsig_t k = mkkey("xfr.", CONF_TSIG_HMAC_SHA256, false, secret_a);
	srv_t s;
	ipsec_tsig_t *t = start(&k, 2, &s, secret_a);
	uint8_t r[MSGCAP];
	size_t rl = response(r, 0x1234, 0, 0);
	srv_sign(&s, r, &rl, NOW, 0);
	ck_assert_int_eq(verify(t, r, rl, 0), RODNS_OK);
	rl = response(r, 0x1234, 1, 0);
	srv_unsigned(&s, r, rl);
	r[rl - 1] ^= 0x01; /* last octet of an A record */
	ck_assert_int_eq(verify(t, r, rl, 0), RODNS_OK);
	rl = response(r, 0x1234, 2, 0);
	srv_sign(&s, r, &rl, NOW, 0);
	ck_assert_int_eq(verify(t, r, rl, 1), RODNS_E_TSIG_BADSIG);
	ipsec_tsig_free(t);
	srv_free(&s);
}
END_TEST

START_TEST(t_wrong_key)
{
	conf_tsig_t k = mkkey("xfr.", CONF_TSIG_HMAC_SHA256, false, secret_a);
	srv_t s;
	ipsec_tsig_t *t = start(&k, 2, &s, secret_b);
	uint8_t r[MSGCAP];
	size_t rl = response(r, 0x1234, 0, 0);
	srv_sign(&s, r, &rl, NOW, 0);
	ck_assert_int_eq(verify(t, r, rl, 1), RODNS_E_TSIG_BADSIG);
	ipsec_tsig_free(t);
	srv_free(&s);

	/* a request under the wrong secret */
	conf_tsig_t kb = mkkey("xfr.", CONF_TSIG_HMAC_SHA256, false, secret_b);
	conf_t c = {.tsig = &kb, .n_tsig = 1};
	uint8_t q[MSGCAP], mac[64];
	size_t ql = query(q, 5), maclen = sizeof(mac);
	const conf_tsig_t *used = &k;
	ck_assert_int_eq(ipsec_tsig_sign(&k, q, &ql, sizeof(q), NOW, &t), RODNS_OK);
	ipsec_tsig_free(t);
	ck_assert_int_eq(ipsec_tsig_verify_request(&c, q, ql, NOW, &used, mac, &maclen),
			 RODNS_E_TSIG_BADSIG);
	ck_assert_ptr_null(used);
}
END_TEST

START_TEST(t_wrong_key_name_or_alg)
{
	conf_tsig_t k = mkkey("xfr.", CONF_TSIG_HMAC_SHA256, false, secret_a);
	uint8_t q[MSGCAP], r[MSGCAP];
	srv_t s;
	size_t ql, rl;
	ipsec_tsig_t *t = NULL;

	/* answered with another key name */
	ql = query(q, 0x1234);
	ck_assert_int_eq(ipsec_tsig_sign(&k, q, &ql, sizeof(q), NOW, &t), RODNS_OK);
	srv_init(&s, "other.", 2, secret_a);
	srv_chain(&s, tail_mac(q, ql, 32), 32);
	rl = response(r, 0x1234, 0, 0);
	srv_sign(&s, r, &rl, NOW, 0);
	ck_assert_int_eq(verify(t, r, rl, 1), RODNS_E_TSIG_BADKEY);
	ipsec_tsig_free(t);
	srv_free(&s);

	/* answered with another algorithm */
	ql = query(q, 0x1234);
	ck_assert_int_eq(ipsec_tsig_sign(&k, q, &ql, sizeof(q), NOW, &t), RODNS_OK);
	srv_init(&s, "xfr.", 4, secret_a);
	srv_chain(&s, tail_mac(q, ql, 32), 32);
	rl = response(r, 0x1234, 0, 0);
	srv_sign(&s, r, &rl, NOW, 0);
	ck_assert_int_eq(verify(t, r, rl, 1), RODNS_E_TSIG_BADKEY);
	ipsec_tsig_free(t);
	srv_free(&s);

	/* requests: unknown key, known key with another algorithm */
	conf_tsig_t k512 = mkkey("xfr.", CONF_TSIG_HMAC_SHA512, false, secret_a);
	conf_tsig_t other = mkkey("other.", CONF_TSIG_HMAC_SHA256, false, secret_a);
	conf_t c = {.tsig = &k512, .n_tsig = 1};
	uint8_t mac[64];
	size_t maclen = sizeof(mac);
	const conf_tsig_t *used = NULL;
	ql = query(q, 1);
	ck_assert_int_eq(ipsec_tsig_sign(&k, q, &ql, sizeof(q), NOW, &t), RODNS_OK);
	ipsec_tsig_free(t);
	ck_assert_int_eq(ipsec_tsig_verify_request(&c, q, ql, NOW, &used, mac, &maclen),
			 RODNS_E_TSIG_BADKEY);
	c.tsig = &other;
	ck_assert_int_eq(ipsec_tsig_verify_request(&c, q, ql, NOW, &used, mac, &maclen),
			 RODNS_E_TSIG_BADKEY);
	/* an unsigned request is fine, and says so */
	ql = query(q, 1);
	ck_assert_int_eq(ipsec_tsig_verify_request(&c, q, ql, NOW, &used, mac, &maclen),
			 RODNS_OK);
	ck_assert_ptr_null(used);
}
END_TEST

START_TEST(t_badtime)
{
	conf_tsig_t k = mkkey("xfr.", CONF_TSIG_HMAC_SHA256, false, secret_a);
	uint8_t r[MSGCAP];
	srv_t s;
	ipsec_tsig_t *t = start(&k, 2, &s, secret_a);
	size_t rl = response(r, 0x1234, 0, 0);
	srv_sign(&s, r, &rl, NOW - 1000, 0);
	ck_assert_int_eq(verify(t, r, rl, 1), RODNS_E_TSIG_BADTIME);
	ipsec_tsig_free(t);
	srv_free(&s);

	/* within the fudge, either way */
	t = start(&k, 2, &s, secret_a);
	rl = response(r, 0x1234, 0, 0);
	srv_sign(&s, r, &rl, NOW - IPSEC_TSIG_FUDGE, 0);
	ck_assert_int_eq(verify(t, r, rl, 0), RODNS_OK);
	rl = response(r, 0x1234, 1, 0);
	srv_sign(&s, r, &rl, NOW + IPSEC_TSIG_FUDGE + 1, 0);
	ck_assert_int_eq(verify(t, r, rl, 1), RODNS_E_TSIG_BADTIME);
	ipsec_tsig_free(t);
	srv_free(&s);

	/* a request from the past */
	conf_t c = {.tsig = &k, .n_tsig = 1};
	uint8_t q[MSGCAP], mac[64];
	size_t ql = query(q, 3), maclen = sizeof(mac);
	const conf_tsig_t *used = NULL;
	ck_assert_int_eq(ipsec_tsig_sign(&k, q, &ql, sizeof(q), NOW - 3600, &t), RODNS_OK);
	ipsec_tsig_free(t);
	ck_assert_int_eq(ipsec_tsig_verify_request(&c, q, ql, NOW, &used, mac, &maclen),
			 RODNS_E_TSIG_BADTIME);
}
END_TEST

START_TEST(t_missing_first_last)
{
	conf_tsig_t k = mkkey("xfr.", CONF_TSIG_HMAC_SHA256, false, secret_a);
	uint8_t r[MSGCAP];
	srv_t s;
	ipsec_tsig_t *t = start(&k, 2, &s, secret_a);
	size_t rl = response(r, 0x1234, 0, 0);
	ck_assert_int_eq(verify(t, r, rl, 0), RODNS_E_TSIG_MISSING);
	ipsec_tsig_free(t);
	srv_free(&s);

	t = start(&k, 2, &s, secret_a);
	rl = response(r, 0x1234, 0, 0);
	srv_sign(&s, r, &rl, NOW, 0);
	ck_assert_int_eq(verify(t, r, rl, 0), RODNS_OK);
	rl = response(r, 0x1234, 1, 0);
	ck_assert_int_eq(verify(t, r, rl, 1), RODNS_E_TSIG_MISSING);
	ipsec_tsig_free(t);
	srv_free(&s);
}
END_TEST

/* §5.3.1: up to 99 unsigned messages in a row, the 100th is refused. */
static int unsigned_run(int n)
{
	conf_tsig_t k = mkkey("xfr.", CONF_TSIG_HMAC_SHA512, false, secret_a);
	uint8_t r[MSGCAP];
	srv_t s;
	ipsec_tsig_t *t = start(&k, 4, &s, secret_a);
	size_t rl = response(r, 0x1234, 0, 0);
	srv_sign(&s, r, &rl, NOW, 0);
	int rc = verify(t, r, rl, 0);
	for (int i = 1; i <= n && rc == RODNS_OK; i++) {
		rl = response(r, 0x1234, i, 0);
		srv_unsigned(&s, r, rl);
		rc = verify(t, r, rl, 0);
	}
	if (rc == RODNS_OK) {
		rl = response(r, 0x1234, n + 1, 0);
		srv_sign(&s, r, &rl, NOW, 0);
		rc = verify(t, r, rl, 1);
	}
	ipsec_tsig_free(t);
	srv_free(&s);
	return rc;
}

START_TEST(t_unsigned_run)
{
	ck_assert_int_eq(unsigned_run(99), RODNS_OK);
	ck_assert_int_eq(unsigned_run(100), RODNS_E_TSIG_MISSING);
}
END_TEST

START_TEST(t_legacy)
{
	uint8_t q[MSGCAP];
	ipsec_tsig_t *t = NULL;
	for (int ai = 0; ai < 2; ai++) {
		conf_tsig_t k = mkkey("xfr.", A[ai].alg, false, secret_a);
		size_t ql = query(q, 1), ql0 = ql;
		ck_assert_int_eq(ipsec_tsig_sign(&k, q, &ql, sizeof(q), NOW, &t),
				 RODNS_E_TSIG_BADKEY);
		ck_assert_ptr_null(t);
		ck_assert_uint_eq(ql, ql0);
		ck_assert_uint_eq(q[11], 0);

		/* a request signed under a legacy key that the config does not
		 * mark legacy */
		conf_tsig_t kl = mkkey("xfr.", A[ai].alg, true, secret_a);
		ck_assert_int_eq(ipsec_tsig_sign(&kl, q, &ql, sizeof(q), NOW, &t), RODNS_OK);
		ipsec_tsig_free(t);
		conf_t c = {.tsig = &k, .n_tsig = 1};
		uint8_t mac[64];
		size_t maclen = sizeof(mac);
		const conf_tsig_t *used = NULL;
		ck_assert_int_eq(ipsec_tsig_verify_request(&c, q, ql, NOW, &used, mac, &maclen),
				 RODNS_E_TSIG_BADKEY);
		c.tsig = &kl;
		ck_assert_int_eq(ipsec_tsig_verify_request(&c, q, ql, NOW, &used, mac, &maclen),
				 RODNS_OK);
		ck_assert_int_eq(ipsec_tsig_sign_response(&k, mac, maclen, q, &ql, sizeof(q), NOW),
				 RODNS_E_TSIG_BADKEY);
	}
}
END_TEST

/* The primary's own TSIG errors (RCODE NOTAUTH, error field, MAC size 0). */
static size_t error_answer(uint8_t *r, uint16_t err)
{
	size_t rl = response(r, 0x1234, 0, DNS_RC_NOTAUTH);
	dns_name_t key = nm("xfr."), alg = nm("hmac-sha256.");
	dns_wr_t w;
	dns_wr_init(&w, r + rl, MSGCAP - rl);
	dns_name_write(&w, &key, NULL);
	dns_wr_u16(&w, DNS_T_TSIG);
	dns_wr_u16(&w, DNS_C_ANY);
	dns_wr_u32(&w, 0);
	dns_wr_u16(&w, (uint16_t)(alg.len + 16 + (err == 18 ? 6 : 0)));
	dns_wr_bytes(&w, alg.data, alg.len);
	dns_wr_u16(&w, 0);
	dns_wr_u32(&w, NOW);
	dns_wr_u16(&w, 300);
	dns_wr_u16(&w, 0);
	dns_wr_u16(&w, 0x1234);
	dns_wr_u16(&w, err);
	if (err == 18) {
		dns_wr_u16(&w, 6);
		dns_wr_u16(&w, 0);
		dns_wr_u32(&w, NOW + 4000);
	} else {
		dns_wr_u16(&w, 0);
	}
	ck_assert_int_eq(w.error, RODNS_OK);
	r[11]++;
	return rl + dns_wr_off(&w);
}

START_TEST(t_peer_errors)
{
	static const struct {
		uint16_t err;
		int rc;
		const char *word;
	} cases[] = {
		{16, RODNS_E_TSIG_BADSIG, "BADSIG"},
		{17, RODNS_E_TSIG_BADKEY, "BADKEY"},
		{18, RODNS_E_TSIG_BADTIME, "BADTIME"},
		{22, RODNS_E_TSIG_BADSIG, "BADTRUNC"},
	};
	conf_tsig_t k = mkkey("xfr.", CONF_TSIG_HMAC_SHA256, false, secret_a);
	uint8_t r[MSGCAP];
	char why[256];
	srv_t s;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ipsec_tsig_t *t = start(&k, 2, &s, secret_a);
		size_t rl = error_answer(r, cases[i].err);
		ck_assert_int_eq(ipsec_tsig_verify(t, r, rl, 1, NOW, why, sizeof(why)),
				 cases[i].rc);
		ck_assert_ptr_nonnull(strstr(why, cases[i].word));
		ipsec_tsig_free(t);
		srv_free(&s);
	}
	/* NOTAUTH with no TSIG at all */
	ipsec_tsig_t *t = start(&k, 2, &s, secret_a);
	size_t rl = response(r, 0x1234, 0, DNS_RC_NOTAUTH);
	ck_assert_int_eq(verify(t, r, rl, 1), RODNS_E_TSIG_BADKEY);
	ipsec_tsig_free(t);
	srv_free(&s);
}
END_TEST

START_TEST(t_malformed)
{
	conf_tsig_t k = mkkey("xfr.", CONF_TSIG_HMAC_SHA256, false, secret_a);
	uint8_t r[MSGCAP];
	srv_t s;
	ipsec_tsig_t *t = start(&k, 2, &s, secret_a);
	size_t rl = response(r, 0x1234, 0, 0);
	srv_sign(&s, r, &rl, NOW, 0);
	ck_assert_int_eq(verify(t, r, rl - 1, 1), RODNS_E_MALFORMED); /* cut short */
	ipsec_tsig_free(t);
	srv_free(&s);

	/* truncated MAC: not accepted */
	t = start(&k, 2, &s, secret_a);
	rl = response(r, 0x1234, 0, 0);
	srv_sign(&s, r, &rl, NOW, 0);
	/* shorten the MAC field to 16 octets, moving the tail up */
	size_t tail = rl - 6, macoff = tail - 32;
	memmove(r + macoff + 16, r + tail, 6);
	r[macoff - 1] = 16;
	r[macoff - 2 - 2 - 6 - 13 - 2 + 1] -= 16; /* RDLENGTH (low octet) */
	rl -= 16;
	ck_assert_int_eq(verify(t, r, rl, 1), RODNS_E_TSIG_BADSIG);
	ipsec_tsig_free(t);
	srv_free(&s);

	/* no room for the TSIG */
	uint8_t q[64];
	size_t ql = query(q, 1);
	ck_assert_int_eq(ipsec_tsig_sign(&k, q, &ql, ql + 20, NOW, &t), RODNS_E_SPACE);
	ck_assert_ptr_null(t);
}
END_TEST

Suite *tsig_suite(void)
{
	Suite *s = suite_create("ipsec_tsig");
	TCase *ok = t_case("tsig_ok", T_UNIT);
	TCase *bad = t_case("tsig_bad", T_UNIT);
	tcase_add_test(ok, t_roundtrip);
	tcase_add_test(ok, t_sign_response_matches);
	tcase_add_test(ok, t_multi_message);
	tcase_add_test(ok, t_original_id);
	tcase_add_test(ok, t_key_name_case);
	tcase_add_test(bad, t_tampered);
	tcase_add_test(bad, t_tampered_unsigned);
	tcase_add_test(bad, t_wrong_key);
	tcase_add_test(bad, t_wrong_key_name_or_alg);
	tcase_add_test(bad, t_badtime);
	tcase_add_test(bad, t_missing_first_last);
	tcase_add_test(bad, t_unsigned_run);
	tcase_add_test(bad, t_legacy);
	tcase_add_test(bad, t_peer_errors);
	tcase_add_test(bad, t_malformed);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, bad);
	return s;
}
