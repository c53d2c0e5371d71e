/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for serve/cookie.c, serve/edns.c and serve/rrl.c, and for the
 * dispatcher's EDNS side (serve/query.c): NSID, COOKIE, BADCOOKIE, EXPIRE,
 * Extended DNS Errors and response rate limiting. */
#include <arpa/inet.h>
#include <check.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "tests/check_bounds.h"
#include "serve/cookie.h"
#include "serve/edns.h"
#include "serve/query.h"
#include "serve/rrl.h"

Suite *edns_suite(void);

/* ---- SipHash-2-4 and server cookies --------------------------------- */

/* The paper's test vector: key 00..0f, message 00..0e (15 octets). */
START_TEST(siphash_reference_vector)
{
	uint8_t key[16], msg[15];
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	ck_assert_uint_eq(serve_siphash24(key, msg, 15), 0xa129ca6149be45e5ULL);
	/* the empty message (the first line of the reference vectors) */
	ck_assert_uint_eq(serve_siphash24(key, msg, 0), 0x726fdb47dd0e0e31ULL);
}
END_TEST

/* Against OpenSSL's SipHash-2-4 (EVP_MAC "SIPHASH", 8-octet output) on
 * every length from 0 to 64 octets and random keys: the same 64 bits,
 * octet for octet as OpenSSL writes them. (rodns has its own: about half
 * the cost per call of an EVP_MAC context, on the query path.) */
START_TEST(siphash_as_openssl)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
	ck_assert_ptr_nonnull(mac);
	size_t sz = 8;
	OSSL_PARAM par[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &sz),
			    OSSL_PARAM_construct_end()};
	uint8_t key[16], in[64], out[8];
	for (size_t len = 0; len <= sizeof(in); len++) {
		ck_assert_int_eq(RAND_bytes(key, sizeof(key)), 1);
		ck_assert_int_eq(RAND_bytes(in, sizeof(in)), 1);
		EVP_MAC_CTX *c = EVP_MAC_CTX_new(mac);
		size_t ol = 0;
		ck_assert_int_eq(EVP_MAC_init(c, key, sizeof(key), par), 1);
		ck_assert_int_eq(EVP_MAC_update(c, in, len), 1);
		ck_assert_int_eq(EVP_MAC_final(c, out, &ol, sizeof(out)), 1);
		EVP_MAC_CTX_free(c);
		ck_assert_uint_eq(ol, 8);
		uint64_t h = serve_siphash24(key, in, len);
		for (int i = 0; i < 8; i++)
			ck_assert_msg(out[i] == (uint8_t)(h >> (8 * i)), "length %zu octet %d", len,
				      i);
	}
	EVP_MAC_free(mac);
}
END_TEST

static struct sockaddr_in v4(const char *a)
{
	struct sockaddr_in s = {.sin_family = AF_INET};
	inet_pton(AF_INET, a, &s.sin_addr);
	return s;
}

static struct sockaddr_in6 v6(const char *a)
{
	struct sockaddr_in6 s = {.sin6_family = AF_INET6};
	inet_pton(AF_INET6, a, &s.sin6_addr);
	return s;
}

/* RFC 9018 appendix A.1: client 2464c4abcf10c957, client address
 * 198.51.100.100, time 1559731985, secret e5e973e5a6b2a43f48e7dc849e37bfcf
 * gives 0100000 05cf79f11 1f8130c3eee29480. */
START_TEST(cookie_rfc9018_example)
{
	static const uint8_t secret[16] = {0xe5, 0xe9, 0x73, 0xe5, 0xa6, 0xb2, 0xa4, 0x3f,
					   0x48, 0xe7, 0xdc, 0x84, 0x9e, 0x37, 0xbf, 0xcf};
	static const uint8_t client[8] = {0x24, 0x64, 0xc4, 0xab, 0xcf, 0x10, 0xc9, 0x57};
	static const uint8_t want[16] = {0x01, 0x00, 0x00, 0x00, 0x5c, 0xf7, 0x9f, 0x11,
					 0x1f, 0x81, 0x30, 0xc3, 0xee, 0xe2, 0x94, 0x80};
	serve_cookies_t *c = serve_cookies_new();
	ck_assert_ptr_nonnull(c);
	serve_cookies_set(c, secret);
	struct sockaddr_in from = v4("198.51.100.100");
	uint8_t out[16];
	serve_cookie_make(c, client, (struct sockaddr *)&from, 1559731985, out);
	ck_assert_mem_eq(out, want, 16);
	ck_assert(serve_cookie_valid(c, client, want, 16, (struct sockaddr *)&from, 1559731985));
	serve_cookies_free(c);
}
END_TEST

START_TEST(cookie_checks)
{
	serve_cookies_t *c = serve_cookies_new();
	uint8_t client[8] = {1, 2, 3, 4, 5, 6, 7, 8}, sc[16];
	struct sockaddr_in a = v4("192.0.2.1"), b = v4("192.0.2.2");
	struct sockaddr_in6 a6 = v6("2001:db8::1");
	const struct sockaddr *A = (struct sockaddr *)&a, *B = (struct sockaddr *)&b;
	uint32_t t = 1800000000u;
	serve_cookie_make(c, client, A, t, sc);
	ck_assert(serve_cookie_valid(c, client, sc, 16, A, t + 10));
	/* another address, another client cookie, a flipped bit: no */
	ck_assert(!serve_cookie_valid(c, client, sc, 16, B, t));
	ck_assert(!serve_cookie_valid(c, client, sc, 16, (struct sockaddr *)&a6, t));
	client[0] ^= 1;
	ck_assert(!serve_cookie_valid(c, client, sc, 16, A, t));
	client[0] ^= 1;
	sc[15] ^= 0x80;
	ck_assert(!serve_cookie_valid(c, client, sc, 16, A, t));
	sc[15] ^= 0x80;
	/* too old, too far ahead, wrong length or version */
	ck_assert(serve_cookie_valid(c, client, sc, 16, A, t + SERVE_COOKIE_MAX_AGE));
	ck_assert(!serve_cookie_valid(c, client, sc, 16, A, t + SERVE_COOKIE_MAX_AGE + 1));
	ck_assert(!serve_cookie_valid(c, client, sc, 16, A, t - SERVE_COOKIE_MAX_AHEAD - 1));
	ck_assert(!serve_cookie_valid(c, client, sc, 8, A, t));
	sc[0] = 2;
	ck_assert(!serve_cookie_valid(c, client, sc, 16, A, t));
	sc[0] = 1;
	/* one rotation: still good (the previous secret); two: not */
	ck_assert_int_eq(serve_cookies_rotate(c), RODNS_OK);
	ck_assert(serve_cookie_valid(c, client, sc, 16, A, t));
	ck_assert_int_eq(serve_cookies_rotate(c), RODNS_OK);
	ck_assert(!serve_cookie_valid(c, client, sc, 16, A, t));
	serve_cookies_free(c);
}
END_TEST

/* ---- options of a query; appending to an answer ---------------------- */

/* A query for x. A with an OPT carrying the given options. */
static size_t query_with(uint8_t *q, const uint8_t *opts, size_t n, bool edns)
{
	static const uint8_t head[] = {0x12, 0x34, 0, 0,   0, 1, 0, 0, 0, 0,
				       0,    0,	   1, 'x', 0, 0, 6, 0, 1}; /* x. SOA */
	memcpy(q, head, sizeof(head));
	size_t len = sizeof(head);
	if (!edns)
		return len;
	q[11] = 1;
	const uint8_t opt[] = {0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, (uint8_t)(n >> 8), (uint8_t)n};
	memcpy(q + len, opt, sizeof(opt));
	len += sizeof(opt);
	if (n)
		memcpy(q + len, opts, n);
	return len + n;
}

START_TEST(query_options)
{
	uint8_t q[256], o[128];
	dns_msg_t m;
	serve_qopts_t qo;
	size_t n = 0;
	n += serve_opt_put(o + n, sizeof(o) - n, SERVE_OPT_NSID, NULL, 0);
	n += serve_opt_put(o + n, sizeof(o) - n, SERVE_OPT_EXPIRE, NULL, 0);
	n += serve_opt_put(o + n, sizeof(o) - n, 65001, (const uint8_t *)"abcd", 4);
	n += serve_opt_put(o + n, sizeof(o) - n, SERVE_OPT_COOKIE, (const uint8_t *)"12345678", 8);
	size_t ql = query_with(q, o, n, true);
	ck_assert_int_eq(dns_msg_parse(&m, q, ql), RODNS_OK);
	ck_assert_int_eq(serve_qopts_read(&m, true, &qo), RODNS_OK);
	ck_assert(qo.nsid && qo.expire && qo.cookie);
	ck_assert_mem_eq(qo.client, "12345678", 8);
	ck_assert_ptr_null(qo.server);
	/* cookies of every length: 8, 16..40 are fine, the rest FORMERR */
	for (size_t len = 0; len <= 48; len++) {
		uint8_t c[48] = {0};
		size_t k = serve_opt_put(o, sizeof(o), SERVE_OPT_COOKIE, c, len);
		ql = query_with(q, o, k, true);
		ck_assert_int_eq(dns_msg_parse(&m, q, ql), RODNS_OK);
		bool ok = len == 8 || (len >= 16 && len <= 40);
		ck_assert_int_eq(serve_qopts_read(&m, true, &qo), ok ? RODNS_OK : RODNS_E_MALFORMED);
		if (ok)
			ck_assert_uint_eq(qo.server_len, len - 8);
	}
	/* with cookies off a bad COOKIE is just an unknown option */
	{
		uint8_t c[4] = {0};
		size_t k = serve_opt_put(o, sizeof(o), SERVE_OPT_COOKIE, c, 4);
		ql = query_with(q, o, k, true);
		ck_assert_int_eq(dns_msg_parse(&m, q, ql), RODNS_OK);
		ck_assert_int_eq(serve_qopts_read(&m, false, &qo), RODNS_OK);
		ck_assert(!qo.cookie);
	}
	/* no OPT: nothing */
	ql = query_with(q, NULL, 0, false);
	ck_assert_int_eq(dns_msg_parse(&m, q, ql), RODNS_OK);
	ck_assert_int_eq(serve_qopts_read(&m, true, &qo), RODNS_OK);
	ck_assert(!qo.nsid && !qo.cookie && !qo.expire);
}
END_TEST

START_TEST(append_to_the_opt)
{
	uint8_t r[64] = {0x12, 0x34, 0x84, 0,	 0,    0, 0, 0, 0, 0, 0, 1,
			 0,    0,    41,   0x04, 0xd0, 0, 0, 0, 0, 0, 0};
	uint8_t o[8];
	size_t k = serve_opt_put(o, sizeof(o), SERVE_OPT_NSID, (const uint8_t *)"ab", 2);
	ck_assert_uint_eq(k, 6);
	ck_assert_uint_eq(serve_opt_append(r, 23, 28, o, k), 23); /* no room */
	ck_assert_uint_eq(serve_opt_append(r, 23, 29, o, k), 29);
	dns_msg_t m;
	ck_assert_int_eq(dns_msg_parse(&m, r, 29), RODNS_OK);
	ck_assert_uint_eq(m.edns.optlen, 6);
	/* the OPT has options now: nothing more is appended */
	ck_assert_uint_eq(serve_opt_append(r, 29, 64, o, k), 29);
	/* no OPT at the end */
	r[11] = 0;
	ck_assert_uint_eq(serve_opt_append(r, 12, 64, o, k), 12);
}
END_TEST

/* ---- rate limiting --------------------------------------------------- */

START_TEST(rrl_bucket_slip_prefix_exempt)
{
	conf_prefix_t ex = {.family = AF_INET, .bits = 32, .addr = {192, 0, 2, 99}};
	conf_rrl_t cr = {.rate = 10,
			 .slip = 2,
			 .ipv4_prefix = 24,
			 .ipv6_prefix = 56,
			 .table_size = 1024,
			 .exempt = {.v = &ex, .n = 1}};
	serve_rrl_t *r = serve_rrl_new(&cr);
	ck_assert_ptr_nonnull(r);
	struct sockaddr_in a = v4("192.0.2.1"), a2 = v4("192.0.2.200"), b = v4("198.51.100.1"),
			   x = v4("192.0.2.99");
	const struct sockaddr *A = (struct sockaddr *)&a;
	uint64_t t = 1000;
	int pass = 0, drop = 0, slipped = 0;
	/* 100 answers in one millisecond: the bucket's 10, then half slip */
	for (int i = 0; i < 100; i++) {
		serve_rrl_verdict_t v =
		    serve_rrl_check(r, i & 1 ? A : (struct sockaddr *)&a2, SERVE_RRL_POSITIVE, t);
		pass += v == SERVE_RRL_PASS;
		drop += v == SERVE_RRL_DROP;
		slipped += v == SERVE_RRL_SLIP;
	}
	ck_assert_int_eq(pass, 10);
	ck_assert_int_eq(slipped, 45);
	ck_assert_int_eq(drop, 45);
	/* another class of the same prefix, another prefix, an exempt
	 * address: their own buckets, untouched */
	ck_assert_int_eq(serve_rrl_check(r, A, SERVE_RRL_NXDOMAIN, t), SERVE_RRL_PASS);
	ck_assert_int_eq(serve_rrl_check(r, (struct sockaddr *)&b, SERVE_RRL_POSITIVE, t),
			 SERVE_RRL_PASS);
	for (int i = 0; i < 50; i++)
		ck_assert_int_eq(serve_rrl_check(r, (struct sockaddr *)&x, SERVE_RRL_POSITIVE, t),
				 SERVE_RRL_PASS);
	/* 100 ms later: one token back (10 a second) */
	t += 100;
	ck_assert_int_eq(serve_rrl_check(r, A, SERVE_RRL_POSITIVE, t), SERVE_RRL_PASS);
	ck_assert_int_ne(serve_rrl_check(r, A, SERVE_RRL_POSITIVE, t), SERVE_RRL_PASS);
	/* ten seconds later: full again, not more */
	t += 10000;
	pass = 0;
	for (int i = 0; i < 30; i++)
		pass += serve_rrl_check(r, A, SERVE_RRL_POSITIVE, t) == SERVE_RRL_PASS;
	ck_assert_int_eq(pass, 10);
	const serve_rrl_stats_t *st = serve_rrl_stats(r);
	ck_assert_uint_eq(atomic_load(&st->slipped) + atomic_load(&st->dropped) +
			      atomic_load(&st->passed),
			  100 + 2 + 50 + 2 + 30);
	serve_rrl_free(r);
	cr.rate = 0;
	ck_assert_ptr_null(serve_rrl_new(&cr));
}
END_TEST

START_TEST(rrl_classes)
{
	uint8_t r[12] = {0, 0, 0x84, 0, 0, 1, 0, 1, 0, 0, 0, 0};
	ck_assert_int_eq(serve_rrl_classify(r, 12), SERVE_RRL_POSITIVE);
	r[3] = DNS_RC_NXDOMAIN;
	ck_assert_int_eq(serve_rrl_classify(r, 12), SERVE_RRL_NXDOMAIN);
	r[3] = DNS_RC_REFUSED;
	ck_assert_int_eq(serve_rrl_classify(r, 12), SERVE_RRL_ERROR);
	r[3] = 0;
	r[2] = 0x80; /* not AA */
	r[7] = 0;    /* no answer */
	r[9] = 2;    /* NS in authority */
	ck_assert_int_eq(serve_rrl_classify(r, 12), SERVE_RRL_REFERRAL);
	ck_assert_int_eq(serve_rrl_classify(r, 5), SERVE_RRL_ERROR);
}
END_TEST

/* ---- the dispatcher -------------------------------------------------- */

/* A stand-in answerer: NOERROR with the OPT the encoder would write, and
 * the EXPIRE and EDE it is told to give; REFUSED with EDE 20 for names
 * under "refused". */
static int64_t t_expire = -1;
static int answer_stub(void *arg, void *worker_ctx, const serve_src_t *src, const dns_msg_t *q,
		       uint8_t *resp, size_t cap, void *conn, serve_reply_t *rp)
{
	(void)arg;
	(void)worker_ctx;
	(void)src;
	(void)conn;
	rp->expire = t_expire;
	if (q->qname.len > 1 && q->qname.data[1] == 'r') {
		rp->ede = SERVE_EDE_NOT_AUTH;
		rp->ede_text = "not here";
		return serve_error(q->wire, q->len, q, DNS_RC_REFUSED, resp, cap);
	}
	ck_assert_uint_le(rp->optroom, 200);
	return serve_error(q->wire, q->len, q, DNS_RC_NOERROR, resp, cap);
}

typedef struct {
	serve_query_ops_t ops;
	struct sockaddr_in from;
	serve_src_t src;
} disp_t;

static void disp_init(disp_t *d, serve_cookies_t *c, serve_rrl_t *rrl)
{
	static const uint8_t nsid[] = "branch-7";
	d->from = v4("192.0.2.7");
	d->ops = (serve_query_ops_t){.answer = answer_stub,
				     .max_udp_payload = 1232,
				     .nsid = nsid,
				     .nsid_len = 8,
				     .cookies = c,
				     .rrl = rrl};
	d->src = (serve_src_t){.from = (struct sockaddr *)&d->from, .fromlen = sizeof(d->from)};
}

static int ask(disp_t *d, const uint8_t *q, size_t ql, uint8_t *resp, dns_msg_t *r)
{
	int n = serve_query(&d->ops, NULL, &d->src, q, ql, resp, 1232, NULL);
	if (n > 0)
		ck_assert_int_eq(dns_msg_parse(r, resp, (size_t)n), RODNS_OK);
	return n;
}

START_TEST(dispatcher_nsid_cookie_expire_ede)
{
	serve_cookies_t *c = serve_cookies_new();
	disp_t d;
	disp_init(&d, c, NULL);
	uint8_t q[256], o[128], resp[1232];
	const uint8_t *data;
	dns_msg_t r;
	/* nothing asked: no options */
	size_t ql = query_with(q, NULL, 0, true);
	ck_assert_int_gt(ask(&d, q, ql, resp, &r), 0);
	ck_assert_uint_eq(r.edns.optlen, 0);
	/* NSID asked: our NSID; EXPIRE asked with a zone that gave 600 s */
	t_expire = 600;
	size_t n = serve_opt_put(o, sizeof(o), SERVE_OPT_NSID, NULL, 0);
	n += serve_opt_put(o + n, sizeof(o) - n, SERVE_OPT_EXPIRE, NULL, 0);
	ql = query_with(q, o, n, true);
	ck_assert_int_gt(ask(&d, q, ql, resp, &r), 0);
	ck_assert_int_eq(dns_edns_opt(&r, SERVE_OPT_NSID, &data), 8);
	ck_assert_mem_eq(data, "branch-7", 8);
	ck_assert_int_eq(dns_edns_opt(&r, SERVE_OPT_EXPIRE, &data), 4);
	ck_assert_uint_eq((uint32_t)data[2] << 8 | data[3], 600);
	t_expire = -1;
	ck_assert_int_gt(ask(&d, q, ql, resp, &r), 0);
	ck_assert_int_eq(dns_edns_opt(&r, SERVE_OPT_EXPIRE, &data), -1);
	/* a client cookie: ours back, valid for this client */
	n = serve_opt_put(o, sizeof(o), SERVE_OPT_COOKIE, (const uint8_t *)"ccccdddd", 8);
	ql = query_with(q, o, n, true);
	ck_assert_int_gt(ask(&d, q, ql, resp, &r), 0);
	ck_assert_int_eq(dns_edns_opt(&r, SERVE_OPT_COOKIE, &data), 24);
	ck_assert_mem_eq(data, "ccccdddd", 8);
	ck_assert(serve_cookie_valid(c, data, data + 8, 16, d.src.from, (uint32_t)time(NULL)));
	/* a malformed cookie: FORMERR (RFC 7873 §5.2.2) */
	n = serve_opt_put(o, sizeof(o), SERVE_OPT_COOKIE, (const uint8_t *)"cccc", 4);
	ql = query_with(q, o, n, true);
	ck_assert_int_gt(ask(&d, q, ql, resp, &r), 0);
	ck_assert_uint_eq(DNS_RCODE(r.flags), DNS_RC_FORMERR);
	/* REFUSED with an EDE 20 and its text */
	ql = query_with(q, NULL, 0, true);
	q[13] = 'r';
	ck_assert_int_gt(ask(&d, q, ql, resp, &r), 0);
	ck_assert_uint_eq(DNS_RCODE(r.flags), DNS_RC_REFUSED);
	ck_assert_int_eq(dns_edns_opt(&r, SERVE_OPT_EDE, &data), 2 + 8);
	ck_assert_uint_eq(data[0] << 8 | data[1], SERVE_EDE_NOT_AUTH);
	ck_assert_mem_eq(data + 2, "not here", 8);
	/* without EDNS none of it */
	ql = query_with(q, NULL, 0, false);
	ck_assert_int_gt(ask(&d, q, ql, resp, &r), 0);
	ck_assert(!r.edns.present);
	serve_cookies_free(c);
}
END_TEST

/* Over the limit: a client without cookies is dropped or slips (TC, no
 * records); one with a client cookie is dropped or gets BADCOOKIE and a
 * server cookie; one with a valid server cookie is never limited; TCP
 * never is. */
START_TEST(dispatcher_rate_limits)
{
	serve_cookies_t *c = serve_cookies_new();
	conf_rrl_t cr = {
	    .rate = 2, .slip = 2, .ipv4_prefix = 24, .ipv6_prefix = 56, .table_size = 1024};
	serve_rrl_t *rrl = serve_rrl_new(&cr);
	disp_t d;
	disp_init(&d, c, rrl);
	uint8_t q[256], o[64], resp[1232];
	const uint8_t *data;
	dns_msg_t r;
	/* NSID and EXPIRE asked: full answers carry them, slipped ones (as
	 * small as the query) do not */
	size_t on = serve_opt_put(o, sizeof(o), SERVE_OPT_NSID, NULL, 0);
	on += serve_opt_put(o + on, sizeof(o) - on, SERVE_OPT_EXPIRE, NULL, 0);
	size_t ql = query_with(q, o, on, true);
	int answered = 0, dropped = 0, tc = 0;
	t_expire = 300;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 40; i++) {
		int n = ask(&d, q, ql, resp, &r);
		dropped += n == 0;
		if (n > 0 && !(r.flags & DNS_F_TC)) {
			answered++;
			ck_assert_int_eq(dns_edns_opt(&r, SERVE_OPT_NSID, &data), 8);
			ck_assert_int_eq(dns_edns_opt(&r, SERVE_OPT_EXPIRE, &data), 4);
		}
		if (n > 0 && (r.flags & DNS_F_TC) && r.count[DNS_SEC_AN] == 0) {
			tc++;
			ck_assert_int_eq(dns_edns_opt(&r, SERVE_OPT_NSID, &data), -1);
			ck_assert_int_eq(dns_edns_opt(&r, SERVE_OPT_EXPIRE, &data), -1);
			ck_assert_uint_le((size_t)n, ql);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	t_expire = -1;
	/* the bucket holds 2 and gets a token back every 500 ms: however long
	 * the loop took on this machine, no more passed than that allows, and
	 * of the rest every second one slipped (slip 2) */
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	int limited = 40 - answered;
	ck_assert_int_ge(answered, 2);
	ck_assert_int_le(answered, 2 + (int)(ms / 500) + 1);
	ck_assert_int_eq(tc + dropped, limited);
	ck_assert_int_ge(tc, limited / 2 - answered);
	ck_assert_int_ge(dropped, limited / 2 - answered);
	ck_assert_int_gt(limited, 0);
	/* TCP: not limited */
	d.src.tcp = true;
	for (int i = 0; i < 10; i++) {
		ck_assert_int_gt(ask(&d, q, ql, resp, &r), 0);
		ck_assert(!(r.flags & DNS_F_TC));
	}
	d.src.tcp = false;
	/* a client cookie: BADCOOKIE (23: extended RCODE 1, header 7) where
	 * others slip, with a server cookie to come back with; the rest
	 * dropped */
	size_t n = serve_opt_put(o, sizeof(o), SERVE_OPT_COOKIE, (const uint8_t *)"ccccdddd", 8);
	ql = query_with(q, o, n, true);
	int badcookie = 0, none = 0;
	uint8_t good[24];
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 10; i++) {
		int k = ask(&d, q, ql, resp, &r);
		none += k == 0;
		if (k > 0 && DNS_RCODE(r.flags) == 7 && r.edns.ext_rcode == 1) {
			badcookie++;
			ck_assert(!(r.flags & DNS_F_TC));
			ck_assert_int_eq(dns_edns_opt(&r, SERVE_OPT_COOKIE, &data), 24);
			memcpy(good, data, 24);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* as above: what passed is bounded by the tokens the time gave back,
	 * the rest alternate between BADCOOKIE and nothing */
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	int passed = 10 - badcookie - none;
	ck_assert_int_le(passed, (int)(ms / 500) + 1);
	ck_assert_int_ge(badcookie, (10 - passed) / 2 - passed);
	ck_assert_int_ge(none, (10 - passed) / 2 - passed);
	ck_assert_int_gt(badcookie, 0);
	/* with the server cookie: always answered in full */
	n = serve_opt_put(o, sizeof(o), SERVE_OPT_COOKIE, good, 24);
	ql = query_with(q, o, n, true);
	for (int i = 0; i < 20; i++) {
		ck_assert_int_gt(ask(&d, q, ql, resp, &r), 0);
		ck_assert_uint_eq(DNS_RCODE(r.flags), DNS_RC_NOERROR);
		ck_assert(!(r.flags & DNS_F_TC));
	}
	serve_rrl_free(rrl);
	serve_cookies_free(c);
}
END_TEST

Suite *edns_suite(void)
{
	Suite *s = suite_create("edns");
	TCase *tc = t_case("options", T_UNIT);
	tcase_add_test(tc, siphash_reference_vector);
	tcase_add_test(tc, siphash_as_openssl);
	tcase_add_test(tc, cookie_rfc9018_example);
	tcase_add_test(tc, cookie_checks);
	tcase_add_test(tc, query_options);
	tcase_add_test(tc, append_to_the_opt);
	tcase_add_test(tc, rrl_bucket_slip_prefix_exempt);
	tcase_add_test(tc, rrl_classes);
	tcase_add_test(tc, dispatcher_nsid_cookie_expire_ede);
	tcase_add_test(tc, dispatcher_rate_limits);
	suite_add_tcase(s, tc);
	return s;
}
