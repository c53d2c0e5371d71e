/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for the read snapshot that serve/answer.c keeps between queries:
 * a writer's commit becomes visible once the zone's gen changes (or the
 * snapshot is released or too old), old consistent data is served before;
 * zone transfers out take a fresh snapshot on the same connection. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/check_bounds.h"
#include "serve/answer_int.h"
#include "serve/xfrout.h"
#include "tests/serve/answer_zone.h"

Suite *answer_snap_suite(void);

static char path[64];
static int64_t zid;

static void setup(void)
{
	snprintf(path, sizeof(path), "/tmp/rodns-answer-snap.%d", (int)getpid());
	tz_begin("example.test.");
	tz_rr("@ 3600 SOA ns1 hostmaster 1 3600 900 1209600 300");
	tz_rr("@ 3600 NS ns1");
	tz_rr("ns1 3600 A 192.0.2.53");
	tz_rr("www 3600 A 192.0.2.80");
	zid = tz_store(path);
}

static void teardown(void)
{
	const char *sfx[] = {"", "-wal", "-shm"};
	char p[96];
	for (size_t j = 0; j < 3; j++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[j]);
		unlink(p);
	}
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The RCODE of the answer to (qname, A) in zone (apex, id) at gen. */
static int rcode_at(serve_ctx_t *c, const char *apex, int64_t id, uint64_t gen, const char *qname)
{
	uint8_t q[512], resp[4096];
	dns_mbuild_t b;
	dns_msg_t m, r;
	dns_name_t n;
	serve_zone_t z = {.zone_id = id, .gen = gen};

	ck_assert_int_eq(dns_name_from_text(apex, NULL, &z.apex), RODNS_OK);
	ck_assert_int_eq(dns_name_from_text(qname, NULL, &n), RODNS_OK);
	dns_mbuild_init(&b, q, sizeof(q), 0x4242, 0);
	ck_assert_int_eq(dns_mbuild_question(&b, &n, DNS_T_A, DNS_C_IN), RODNS_OK);
	int qlen = dns_mbuild_finish(&b);
	ck_assert_int_gt(qlen, 0);
	ck_assert_int_eq(dns_msg_parse(&m, q, (size_t)qlen), RODNS_OK);
	serve_opts_t o = {.max_udp_payload = 1232};
	int len = serve_answer(c, &z, &m, &o, resp, sizeof(resp));
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(dns_msg_parse(&r, resp, (size_t)len), RODNS_OK);
	return DNS_RCODE(r.flags);
}

static int rcode(serve_ctx_t *c, uint64_t gen, const char *qname)
{
	return rcode_at(c, "example.test.", zid, gen, qname);
}

/* One A RR added to zone id by a writer connection, committed. */
static void commit_a(int64_t id, const char *owner)
{
	store_t *w;
	store_txn_t *t;
	static const uint8_t addr[4] = {192, 0, 2, 7};
	dns_rr_t rr = {.type = DNS_T_A, .rclass = DNS_C_IN, .ttl = 300, .rdlen = 4, .rdata = addr};

	ck_assert_int_eq(dns_name_from_text(owner, NULL, &rr.owner), RODNS_OK);
	ck_assert_int_eq(store_open(path, 0, &w), RODNS_OK);
	ck_assert_int_eq(store_txn_begin(w, id, &t), RODNS_OK);
	ck_assert_int_eq(store_txn_add(t, &rr, true), RODNS_OK);
	ck_assert_int_eq(store_txn_commit(t, NULL), RODNS_OK);
	store_close(w);
}

START_TEST(t_visible_on_gen)
{
	serve_ctx_t *c;
	ck_assert_int_eq(serve_ctx_new(path, &c), RODNS_OK);
	ck_assert_int_eq(rcode(c, 1, "www.example.test."), DNS_RC_NOERROR);
	ck_assert_int_eq(rcode(c, 1, "new1.example.test."), DNS_RC_NXDOMAIN);
	ck_assert(store_in_read(serve_ctx_store(c))); /* kept between queries */
	int64_t t0 = mono_ms();
	commit_a(zid, "new1.example.test.");
	int rc = rcode(c, 1, "new1.example.test.");
	/* same gen, young snapshot: still the old, consistent data (unless
	 * this machine was too slow for the age bound to hold) */
	if (mono_ms() - t0 < SERVE_SNAP_MS / 2)
		ck_assert_int_eq(rc, DNS_RC_NXDOMAIN);
	ck_assert_int_eq(rcode(c, 1, "www.example.test."), DNS_RC_NOERROR);
	/* the daemon changes gen once the commit is served: visible now */
	ck_assert_int_eq(rcode(c, 2, "new1.example.test."), DNS_RC_NOERROR);
	ck_assert_int_eq(rcode(c, 2, "www.example.test."), DNS_RC_NOERROR);
	serve_ctx_free(c);
}
END_TEST

START_TEST(t_release)
{
	serve_ctx_t *c;
	ck_assert_int_eq(serve_ctx_new(path, &c), RODNS_OK);
	ck_assert_int_eq(rcode(c, 7, "new2.example.test."), DNS_RC_NXDOMAIN);
	ck_assert(store_in_read(serve_ctx_store(c)));
	serve_ctx_release(c);
	ck_assert(!store_in_read(serve_ctx_store(c)));
	serve_ctx_release(c); /* twice is fine */
	commit_a(zid, "new2.example.test.");
	/* released: the next query begins a new snapshot, same gen or not */
	ck_assert_int_eq(rcode(c, 7, "new2.example.test."), DNS_RC_NOERROR);
	serve_ctx_release(c);
	serve_ctx_release(NULL);
	serve_ctx_free(c);
}
END_TEST

START_TEST(t_age_bound)
{
	serve_ctx_t *c;
	ck_assert_int_eq(serve_ctx_new(path, &c), RODNS_OK);
	ck_assert_int_eq(rcode(c, 3, "new3.example.test."), DNS_RC_NXDOMAIN);
	commit_a(zid, "new3.example.test.");
	usleep((SERVE_SNAP_MS + 20) * 1000);
	/* gen unchanged, but the snapshot is too old to keep */
	ck_assert_int_eq(rcode(c, 3, "new3.example.test."), DNS_RC_NOERROR);
	serve_ctx_free(c);
}
END_TEST

/* Two zones of one store on one context: a new gen of either restarts the
 * snapshot, and alternating between them does not lose the other's. */
START_TEST(t_two_zones)
{
	store_t *w;
	store_txn_t *t;
	store_zone_t z;
	serve_ctx_t *c;
	/* ns1. hm. 1 3600 900 1209600 300 */
	static const uint8_t soa[] = {3, 'n', 's', '1', 0, 2, 'h', 'm', 0, 0,   0, 0, 1, 0, 0,
				      14, 16, 0, 0, 3,	 132, 0, 18, 117, 0, 0, 0, 1, 44};
	dns_rr_t rr = {.type = DNS_T_SOA, .rclass = DNS_C_IN, .ttl = 300, .rdlen = sizeof(soa),
		       .rdata = soa};

	ck_assert_int_eq(store_open(path, 0, &w), RODNS_OK);
	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(dns_name_from_text("other.test.", NULL, &z.name), RODNS_OK);
	ck_assert_int_eq(store_zone_ensure(w, &z), RODNS_OK);
	rr.owner = z.name;
	ck_assert_int_eq(store_txn_begin(w, z.id, &t), RODNS_OK);
	ck_assert_int_eq(store_txn_add(t, &rr, false), RODNS_OK);
	ck_assert_int_eq(store_txn_commit(t, NULL), RODNS_OK);
	store_close(w);

	ck_assert_int_eq(serve_ctx_new(path, &c), RODNS_OK);
	ck_assert_int_eq(rcode_at(c, "other.test.", z.id, 1, "a.other.test."), DNS_RC_NXDOMAIN);
	ck_assert_int_eq(rcode(c, 1, "new4.example.test."), DNS_RC_NXDOMAIN);
	commit_a(z.id, "a.other.test.");
	commit_a(zid, "new4.example.test.");
	/* other.test's gen moves: the new snapshot shows both commits */
	ck_assert_int_eq(rcode_at(c, "other.test.", z.id, 2, "a.other.test."), DNS_RC_NOERROR);
	ck_assert_int_eq(rcode(c, 1, "new4.example.test."), DNS_RC_NOERROR);
	serve_ctx_free(c);
}
END_TEST

/* A kept snapshot does not block the writer: commits and PASSIVE
 * checkpoints return at once (the checkpoint copies what no snapshot still
 * needs), and after a release nothing is pinned. */
START_TEST(t_checkpoint)
{
	serve_ctx_t *c;
	store_t *w;
	store_txn_t *t;
	static const uint8_t addr[4] = {192, 0, 2, 9};
	dns_rr_t rr = {.type = DNS_T_A, .rclass = DNS_C_IN, .ttl = 300, .rdlen = 4, .rdata = addr};

	ck_assert_int_eq(serve_ctx_new(path, &c), RODNS_OK);
	ck_assert_int_eq(store_open(path, 0, &w), RODNS_OK);
	ck_assert_int_eq(rcode(c, 1, "new5.example.test."), DNS_RC_NXDOMAIN);
	ck_assert_int_eq(dns_name_from_text("new5.example.test.", NULL, &rr.owner), RODNS_OK);
	ck_assert_int_eq(store_txn_begin(w, zid, &t), RODNS_OK);
	ck_assert_int_eq(store_txn_add(t, &rr, true), RODNS_OK);
	ck_assert_int_eq(store_txn_commit(t, NULL), RODNS_OK);
	/* PASSIVE: returns (no wait on the reader) and says the reader's
	 * snapshot kept frames back; once released, everything goes */
	ck_assert_int_eq(store_checkpoint(w), 0);
	serve_ctx_release(c);
	ck_assert_int_eq(store_checkpoint(w), 1);
	ck_assert_int_eq(rcode(c, 2, "new5.example.test."), DNS_RC_NOERROR);
	store_close(w);
	serve_ctx_free(c);
}
END_TEST

static int count_msgs(void *conn, const uint8_t *msg, size_t len)
{
	(void)msg;
	ck_assert_int_gt(len, 12);
	(*(int *)conn)++;
	return RODNS_OK;
}

/* AXFR out on a context that keeps a snapshot: not refused as a nested
 * transaction, and from the latest data. */
START_TEST(t_xfrout_nested)
{
	serve_ctx_t *c;
	uint8_t q[512], buf[65535];
	dns_mbuild_t b;
	dns_msg_t m;
	dns_name_t apex;
	int msgs = 0;

	ck_assert_int_eq(serve_ctx_new(path, &c), RODNS_OK);
	ck_assert_int_eq(rcode(c, 5, "www.example.test."), DNS_RC_NOERROR);
	ck_assert(store_in_read(serve_ctx_store(c)));
	ck_assert_int_eq(dns_name_from_text("example.test.", NULL, &apex), RODNS_OK);
	dns_mbuild_init(&b, q, sizeof(q), 1, 0);
	ck_assert_int_eq(dns_mbuild_question(&b, &apex, DNS_T_AXFR, DNS_C_IN), RODNS_OK);
	int qlen = dns_mbuild_finish(&b);
	ck_assert_int_eq(dns_msg_parse(&m, q, (size_t)qlen), RODNS_OK);
	ck_assert_int_eq(serve_xfr_out(serve_ctx_store(c), &apex, zid, &m, -1, count_msgs, &msgs, buf,
				       sizeof(buf)),
			 RODNS_OK);
	ck_assert_int_eq(msgs, 1);
	ck_assert(!store_in_read(serve_ctx_store(c)));
	/* and the next query begins its own snapshot */
	ck_assert_int_eq(rcode(c, 5, "www.example.test."), DNS_RC_NOERROR);
	ck_assert(store_in_read(serve_ctx_store(c)));
	serve_ctx_free(c);
}
END_TEST

Suite *answer_snap_suite(void)
{
	Suite *s = suite_create("answer_snap");
	TCase *tc = t_case("snapshot", T_UNIT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_visible_on_gen);
	tcase_add_test(tc, t_release);
	tcase_add_test(tc, t_age_bound);
	tcase_add_test(tc, t_two_zones);
	tcase_add_test(tc, t_checkpoint);
	tcase_add_test(tc, t_xfrout_nested);
	suite_add_tcase(s, tc);
	return s;
}
