/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for serve/cache.c: a hit must be the fresh answer byte for byte
 * (random 0x20 case, IDs, flags, EDNS sizes, transports), a new generation
 * misses, memory stays bounded, queries the key cannot describe bypass,
 * and admission keeps what is asked for against floods and scans. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check_bounds.h"
#include "dns/text.h"
#include "serve/answer.h"
#include "serve/cache.h"
#include "tests/serve/answer_zone.h"

Suite *cache_suite(void);

static char path[64];
static int64_t zid;
static serve_ctx_t *ctx;

static void setup(void)
{
	static const char *rrs[] = {
	    "@ 3600 SOA ns1 hostmaster 1 3600 900 1209600 300",
	    "@ 3600 NS ns1",
	    "@ 3600 NS ns2.example.net.",
	    "@ 3600 MX 10 mail",
	    "@ 3600 DNSKEY 257 3 13 00112233445566778899aabbccddeeff",
	    "ns1 3600 A 192.0.2.53",
	    "mail 3600 A 192.0.2.25",
	    "www 3600 A 192.0.2.80",
	    "www 3600 AAAA 2001:db8::80",
	    "alias 3600 CNAME www",
	    "*.wild 3600 A 192.0.2.81",
	    "sub 3600 NS ns.sub",
	    "ns.sub 3600 A 192.0.2.100",
	    "big 3600 TXT "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1",
	    "big 3600 TXT "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2",
	    "big 3600 TXT "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa3",
	    "big 3600 TXT "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa4",
	    "big 3600 TXT "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa5",
	    "big 3600 TXT "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa6",
	    "big 3600 TXT "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa7",
	};
	snprintf(path, sizeof(path), "/tmp/rodns-cache.%d", (int)getpid());
	tz_begin("example.test.");
	for (size_t i = 0; i < sizeof(rrs) / sizeof(rrs[0]); i++)
		tz_rr(rrs[i]);
	tz_sign(TZ_NSEC);
	zid = tz_store(path);
	ck_assert_int_eq(serve_ctx_new(path, &ctx), RODNS_OK);
}

static void teardown(void)
{
	const char *sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[96];
	serve_ctx_free(ctx);
	for (size_t j = 0; j < 4; j++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[j]);
		unlink(p);
	}
}

typedef struct {
	uint8_t wire[512];
	int len;
	dns_msg_t m;
	bool tcp;
	size_t cap;
} query_t;

static const char *NAMES[] = {
    "example.test.",	 "www.example.test.", "alias.example.test.", "x.wild.example.test.",
    "nope.example.test.", "a.b.sub.example.test.", "big.example.test.", "mail.example.test.",
};
static const uint16_t TYPES[] = {DNS_T_A, DNS_T_AAAA, DNS_T_MX, DNS_T_TXT, DNS_T_NS,
				 DNS_T_SOA, DNS_T_DNSKEY};
static const uint16_t SIZES[] = {0, 100, 512, 600, 1232, 4096};

/* A query for name in random case with random ID, RD/CD, EDNS and size. */
static void make_query(query_t *q, const char *name, uint16_t qtype, unsigned seed)
{
	dns_name_t n;
	dns_mbuild_t b;
	ck_assert_int_eq(dns_name_from_text(name, NULL, &n), RODNS_OK);
	for (unsigned i = 0; i < n.len; i++)
		if (n.data[i] >= 'a' && n.data[i] <= 'z' && (rand() & 1))
			n.data[i] = (uint8_t)(n.data[i] - 32);
	uint16_t flags = (uint16_t)((seed & 1 ? DNS_F_RD : 0) | (seed & 2 ? DNS_F_CD : 0));
	dns_mbuild_init(&b, q->wire, sizeof(q->wire), (uint16_t)rand(), flags);
	ck_assert_int_eq(dns_mbuild_question(&b, &n, qtype, DNS_C_IN), RODNS_OK);
	uint16_t size = SIZES[(seed >> 2) % 6];
	if (size)
		ck_assert_int_eq(dns_mbuild_opt(&b, size, 0, 0, seed & 32 ? DNS_EDNS_DO : 0, NULL,
						0),
				 RODNS_OK);
	q->len = dns_mbuild_finish(&b);
	ck_assert_int_gt(q->len, 0);
	ck_assert_int_eq(dns_msg_parse(&q->m, q->wire, (size_t)q->len), RODNS_OK);
	q->tcp = (seed & 64) != 0;
	q->cap = q->tcp ? 65535 : 1232;
}

static int fresh(const query_t *q, uint64_t gen, uint8_t *resp)
{
	serve_zone_t z = {.zone_id = zid, .gen = gen};
	serve_opts_t o = {.max_udp_payload = 1232, .tcp = q->tcp};
	ck_assert_int_eq(dns_name_from_text("example.test.", NULL, &z.apex), RODNS_OK);
	return serve_answer(ctx, &z, &q->m, &o, resp, q->cap);
}

static uint8_t want[65535], got[65535];

START_TEST(hit_equals_fresh)
{
	serve_cache_t *c;
	serve_cache_key_t k;
	query_t q;
	unsigned hits = 0;
	ck_assert_int_eq(serve_cache_new(1 << 20, &c), RODNS_OK);
	srand(7);
	for (int i = 0; i < 4000; i++) {
		make_query(&q, NAMES[rand() % 8], TYPES[rand() % 7], (unsigned)rand());
		ck_assert(serve_cache_key(&k, &q.m, q.tcp, q.cap, 1232, 0, 0, 2));
		int n = fresh(&q, 2, want);
		ck_assert_int_gt(n, 0);
		int h = serve_cache_get(c, &k, &q.m, got, q.cap);
		if (h == 0) {
			serve_cache_put(c, &k, want, (size_t)n);
			continue;
		}
		hits++;
		ck_assert_int_eq(h, n);
		ck_assert_msg(memcmp(want, got, (size_t)n) == 0, "hit %d differs from fresh", i);
	}
	ck_assert_uint_gt(hits, 2000);
	serve_cache_free(c);
}
END_TEST

START_TEST(generation_change_misses)
{
	serve_cache_t *c;
	serve_cache_key_t k;
	query_t q;
	ck_assert_int_eq(serve_cache_new(1 << 20, &c), RODNS_OK);
	make_query(&q, "www.example.test.", DNS_T_A, 4);
	ck_assert(serve_cache_key(&k, &q.m, false, 1232, 1232, 0, 0, 4));
	int n = fresh(&q, 4, want);
	serve_cache_put(c, &k, want, (size_t)n);
	ck_assert_int_eq(serve_cache_get(c, &k, &q.m, got, 1232), n);
	ck_assert(serve_cache_key(&k, &q.m, false, 1232, 1232, 0, 0, 6));
	ck_assert_int_eq(serve_cache_get(c, &k, &q.m, got, 1232), 0);
	/* odd: the zone's data is changing, nothing is cached */
	ck_assert(!serve_cache_key(&k, &q.m, false, 1232, 1232, 0, 0, 7));
	/* another zone number is another key */
	ck_assert(serve_cache_key(&k, &q.m, false, 1232, 1232, 0, 1, 4));
	ck_assert_int_eq(serve_cache_get(c, &k, &q.m, got, 1232), 0);
	serve_cache_stats_t st;
	serve_cache_stats(c, &st);
	ck_assert_uint_eq(st.entries, 0); /* the stale one was dropped */
	serve_cache_free(c);
}
END_TEST

/* What a worker does for one query: look it up, and on a miss answer it
 * fresh and offer the answer to the cache. Returns true on a hit (checked
 * against the fresh answer). */
static bool ask(serve_cache_t *c, const char *name, uint16_t qtype)
{
	query_t q;
	serve_cache_key_t k;
	make_query(&q, name, qtype, 4);
	ck_assert(serve_cache_key(&k, &q.m, false, 1232, 1232, 0, 0, 2));
	int n = fresh(&q, 2, want);
	ck_assert_int_gt(n, 0);
	int h = serve_cache_get(c, &k, &q.m, got, 1232);
	if (h == 0) {
		serve_cache_put(c, &k, want, (size_t)n);
		return false;
	}
	ck_assert_int_eq(h, n);
	ck_assert(memcmp(want, got, (size_t)n) == 0);
	return true;
}

/* A flood of names asked once each (a random-subdomain attack) must not
 * push out answers that clients asked for repeatedly. Without admission
 * the clock evicts them all: the flood is 20 times the cache. */
START_TEST(flood_keeps_the_asked)
{
	serve_cache_t *c;
	serve_cache_stats_t st;
	char name[64];
	ck_assert_int_eq(serve_cache_new(64 * 1024, &c), RODNS_OK);
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 40; i++) {
			snprintf(name, sizeof(name), "hot%d.example.test.", i);
			ask(c, name, DNS_T_A);
		}
	serve_cache_stats(c, &st);
	ck_assert_uint_eq(st.entries, 40);
	for (int i = 0; i < 4000; i++) {
		snprintf(name, sizeof(name), "junk%d.example.test.", i);
		ck_assert(!ask(c, name, DNS_T_A));
		serve_cache_stats(c, &st);
		ck_assert_uint_le(st.bytes, 64 * 1024);
	}
	serve_cache_stats(c, &st);
	ck_assert_uint_gt(st.rejected, 1000);
	int hits = 0;
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "hot%d.example.test.", i);
		hits += ask(c, name, DNS_T_A);
	}
	ck_assert_int_eq(hits, 40);
	serve_cache_free(c);
}
END_TEST

/* Names asked in a cycle, several times as many as the cache holds: a
 * recency policy evicts each answer before it is asked again (few hits);
 * admission keeps the share that fits. */
START_TEST(cyclic_scan_keeps_a_share)
{
	serve_cache_t *c;
	serve_cache_stats_t st;
	char name[64];
	ck_assert_int_eq(serve_cache_new(64 * 1024, &c), RODNS_OK);
	const int names = 600;
	int hits = 0;
	/* 12 rounds: past the first halvings of the counts (every 10 lookups
	 * per slot: 5120 here) */
	for (int round = 0; round < 12; round++) {
		hits = 0;
		for (int i = 0; i < names; i++) {
			snprintf(name, sizeof(name), "c%d.example.test.", i);
			hits += ask(c, name, DNS_T_A);
		}
	}
	/* the last round: as many hits as answers fit, nearly */
	serve_cache_stats(c, &st);
	ck_assert_msg(hits >= (int)st.entries / 2, "%d hits of %d, %zu cached", hits, names,
		      st.entries);
	serve_cache_free(c);
}
END_TEST

START_TEST(size_bound_and_eviction)
{
	serve_cache_t *c;
	serve_cache_key_t k, hot;
	query_t q, hq;
	serve_cache_stats_t st;
	const size_t max = 64 * 1024;
	ck_assert_int_eq(serve_cache_new(max, &c), RODNS_OK);
	make_query(&hq, "www.example.test.", DNS_T_A, 4);
	ck_assert(serve_cache_key(&hot, &hq.m, false, 1232, 1232, 0, 0, 2));
	int hn = fresh(&hq, 2, want);
	serve_cache_put(c, &hot, want, (size_t)hn);
	char name[64];
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "n%d.example.test.", i);
		make_query(&q, name, DNS_T_A, 32 | 16);
		ck_assert(serve_cache_key(&k, &q.m, false, 1232, 1232, 0, 0, 2));
		int n = fresh(&q, 2, want);
		/* looked up (a miss) before it is offered, as a worker does */
		for (int j = 0; j < 2; j++)
			ck_assert_int_eq(serve_cache_get(c, &k, &q.m, got, 1232), 0);
		serve_cache_put(c, &k, want, (size_t)n);
		/* the hot entry is asked for all along: second chance keeps it */
		ck_assert_int_eq(serve_cache_get(c, &hot, &hq.m, got, 1232), hn);
		serve_cache_stats(c, &st);
		ck_assert_uint_le(st.bytes, max);
	}
	serve_cache_stats(c, &st);
	/* every answer offered (3000 and the hot one) is in the cache, was
	 * evicted or was turned away; and the cache did turn over */
	ck_assert_uint_eq(st.entries + st.evictions + st.rejected, 3001);
	ck_assert_uint_gt(st.evictions, 100);
	ck_assert_uint_gt(st.entries, 10);
	serve_cache_free(c);
	ck_assert_int_eq(serve_cache_new(0, &c), RODNS_OK);
	ck_assert_ptr_null(c);
	serve_cache_free(NULL);
}
END_TEST

START_TEST(bypass)
{
	serve_cache_t *c;
	serve_cache_key_t k;
	query_t q;
	ck_assert_int_eq(serve_cache_new(1 << 20, &c), RODNS_OK);
	make_query(&q, "www.example.test.", DNS_T_A, 4);
	/* an answer record in the query */
	q.m.count[DNS_SEC_AN] = 1;
	ck_assert(!serve_cache_key(&k, &q.m, false, 1232, 1232, 0, 0, 2));
	q.m.count[DNS_SEC_AN] = 0;
	q.m.has_tsig = true;
	ck_assert(!serve_cache_key(&k, &q.m, false, 1232, 1232, 0, 0, 2));
	q.m.has_tsig = false;
	q.m.count[DNS_SEC_AR] = 2;
	ck_assert(!serve_cache_key(&k, &q.m, false, 1232, 1232, 0, 0, 2));
	q.m.count[DNS_SEC_AR] = 1;
	q.m.edns.version = 1;
	ck_assert(!serve_cache_key(&k, &q.m, false, 1232, 1232, 0, 0, 2));
	q.m.edns.version = 0;
	q.m.flags = (uint16_t)(q.m.flags | (DNS_OP_NOTIFY << 11));
	ck_assert(!serve_cache_key(&k, &q.m, false, 1232, 1232, 0, 0, 2));
	q.m.flags = (uint16_t)(q.m.flags & ~(0xfu << 11));
	ck_assert(serve_cache_key(&k, &q.m, false, 1232, 1232, 0, 0, 2));
	/* SERVFAIL and other errors are never kept */
	int n = fresh(&q, 2, want);
	want[3] = (uint8_t)((want[3] & 0xf0) | DNS_RC_SERVFAIL);
	serve_cache_put(c, &k, want, (size_t)n);
	ck_assert_int_eq(serve_cache_get(c, &k, &q.m, got, 1232), 0);
	/* nor an answer to another question */
	make_query(&q, "mail.example.test.", DNS_T_A, 4);
	n = fresh(&q, 2, want);
	make_query(&q, "www.example.test.", DNS_T_A, 4);
	ck_assert(serve_cache_key(&k, &q.m, false, 1232, 1232, 0, 0, 2));
	serve_cache_put(c, &k, want, (size_t)n);
	ck_assert_int_eq(serve_cache_get(c, &k, &q.m, got, 1232), 0);
	serve_cache_free(c);
}
END_TEST

Suite *cache_suite(void)
{
	Suite *s = suite_create("cache");
	TCase *tc = t_case("cache", T_UNIT);
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, hit_equals_fresh);
	tcase_add_test(tc, generation_change_misses);
	tcase_add_test(tc, size_bound_and_eviction);
	tcase_add_test(tc, flood_keeps_the_asked);
	tcase_add_test(tc, cyclic_scan_keeps_a_share);
	tcase_add_test(tc, bypass);
	suite_add_tcase(s, tc);
	return s;
}
