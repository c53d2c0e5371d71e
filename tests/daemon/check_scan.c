/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for daemon_expiry_scan / daemon_expiry_inceptions (daemon/expiry.c
 * over store/expiry.c) against a real store, with a fake clock. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check_bounds.h"
#include "daemon/expiry.h"
#include "dns/err.h"
#include "xfr/refresh.h"

Suite *scan_suite(void);

#define T   ((int64_t)1800000000)
#define DAY 86400

static char dir[64], path[128];

static dns_name_t name(const char *text)
{
	dns_name_t n;
	ck_assert_int_eq(dns_name_from_text(text, &(dns_name_t){.len = 1}, &n), RODNS_OK);
	return n;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* An RRSIG covering type at owner, signed by example.test. */
static void add_sig(store_txn_t *t, const char *owner, uint16_t covered, uint16_t tag,
		    int64_t inception, int64_t expiration)
{
	static const uint8_t signer[] = {7,   'e', 'x', 'a', 'm', 'p', 'l',
					 'e', 4,   't', 'e', 's', 't', 0};
	uint8_t rd[18 + sizeof(signer) + 64];
	rd[0] = (uint8_t)(covered >> 8);
	rd[1] = (uint8_t)covered;
	rd[2] = 13;
	rd[3] = 3;
	put32(rd + 4, 3600);
	put32(rd + 8, (uint32_t)expiration);
	put32(rd + 12, (uint32_t)inception);
	rd[16] = (uint8_t)(tag >> 8);
	rd[17] = (uint8_t)tag;
	memcpy(rd + 18, signer, sizeof(signer));
	memset(rd + 18 + sizeof(signer), 0xab, 64);
	dns_rr_t rr = {.owner = name(owner),
		       .type = DNS_T_RRSIG,
		       .rclass = DNS_C_IN,
		       .ttl = 3600,
		       .rdlen = sizeof(rd),
		       .rdata = rd};
	ck_assert_int_eq(store_txn_add(t, &rr, false), RODNS_OK);
}

static void add_a(store_txn_t *t, const char *owner)
{
	static const uint8_t a[4] = {192, 0, 2, 1};
	dns_rr_t rr = {.owner = name(owner),
		       .type = DNS_T_A,
		       .rclass = DNS_C_IN,
		       .ttl = 3600,
		       .rdlen = 4,
		       .rdata = a};
	ck_assert_int_eq(store_txn_add(t, &rr, false), RODNS_OK);
}

/* A zone with one RRSIG expired an hour ago, two expiring in a day, three
 * in ten days (one of them not valid until T + 600). */
static store_t *make_store(int64_t *zone_id)
{
	snprintf(dir, sizeof(dir), "/tmp/rodns-check-scan.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.sqlite", dir);
	store_t *s = NULL;
	ck_assert_int_eq(store_open(path, STORE_CREATE, &s), RODNS_OK);
	store_zone_t z = {.name = name("example.test.")};
	ck_assert_int_eq(store_zone_ensure(s, &z), RODNS_OK);
	store_txn_t *t = NULL;
	ck_assert_int_eq(store_txn_begin(s, z.id, &t), RODNS_OK);
	add_a(t, "a.example.test.");
	add_a(t, "b.example.test.");
	add_a(t, "c.example.test.");
	add_sig(t, "c.example.test.", DNS_T_A, 11, T - 20 * DAY, T - 3600);
	add_sig(t, "a.example.test.", DNS_T_A, 11, T - DAY, T + DAY);
	add_sig(t, "b.example.test.", DNS_T_A, 11, T - DAY, T + DAY);
	add_sig(t, "a.example.test.", DNS_T_A, 22, T - DAY, T + 10 * DAY);
	add_sig(t, "b.example.test.", DNS_T_A, 22, T - DAY, T + 10 * DAY);
	add_sig(t, "c.example.test.", DNS_T_A, 22, T + 600, T + 10 * DAY);
	z.serial = 5;
	z.state = STORE_ZONE_OK;
	ck_assert_int_eq(store_txn_commit(t, &z), RODNS_OK);
	*zone_id = z.id;
	return s;
}

static void drop_store(store_t *s)
{
	char cmd[128];
	store_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(scan_figures)
{
	int64_t id;
	store_t *s = make_store(&id);
	expiry_inceptions_t inc;
	ck_assert_int_eq(daemon_expiry_inceptions(s, id, T, &inc), RODNS_OK);
	ck_assert(inc.valid);
	ck_assert_uint_eq(inc.total, 6);
	ck_assert_uint_eq(inc.n, 1);
	/* read it back through a reader, as the main loop does */
	store_t *r = NULL;
	ck_assert_int_eq(store_open(path, STORE_RDONLY, &r), RODNS_OK);
	expiry_summary_t sum = {.window = 7 * DAY, .zone_state = XFR_OK, .expire_at = T + 14 * DAY};
	ck_assert_int_eq(daemon_expiry_scan(r, id, T, &inc, &sum), RODNS_OK);
	ck_assert_int_eq(sum.earliest, T - 3600);
	ck_assert_int_eq(sum.latest, T + 10 * DAY);
	ck_assert_uint_eq(sum.expired, 1);
	ck_assert_uint_eq(sum.expiring, 2);
	ck_assert_uint_eq(sum.not_valid, 1);
	ck_assert_int_eq(sum.next_inception, T + 600);
	ck_assert_uint_eq(sum.rrsigs, 6);
	ck_assert_uint_eq(sum.nworst, 6);
	char owner[DNS_NAME_TEXT_MAX];
	dns_name_to_text(&sum.worst[0].owner, owner, sizeof(owner));
	ck_assert_str_eq(owner, "c.example.test.");
	ck_assert_uint_eq(sum.worst[1].keytag, 11);
	ck_assert_int_eq(sum.worst[1].expiration, T + DAY);
	ck_assert_int_eq(sum.worst[5].inception, T + 600);
	ck_assert_int_eq(daemon_expiry_level(&sum), EXPIRY_ERROR);
	/* the same store a day and a half later: three expired, none not valid */
	ck_assert_int_eq(daemon_expiry_scan(r, id, T + DAY + DAY / 2, &inc, &sum), RODNS_OK);
	ck_assert_uint_eq(sum.expired, 3);
	ck_assert_uint_eq(sum.expiring, 0); /* T + 10d is past the window */
	ck_assert_uint_eq(sum.not_valid, 0);
	ck_assert_int_eq(sum.next_inception, 0);
	/* exactly at an expiration the RRSIG still counts as valid (RFC 4035) */
	ck_assert_int_eq(daemon_expiry_scan(r, id, T + DAY, &inc, &sum), RODNS_OK);
	ck_assert_uint_eq(sum.expired, 1);
	store_close(r);
	drop_store(s);
}
END_TEST

START_TEST(scan_empty_zone)
{
	int64_t id;
	store_t *s = make_store(&id);
	store_zone_t z = {.name = name("other.test.")};
	ck_assert_int_eq(store_zone_ensure(s, &z), RODNS_OK);
	expiry_summary_t sum = {.window = 7 * DAY};
	ck_assert_int_eq(daemon_expiry_scan(s, z.id, T, NULL, &sum), RODNS_OK);
	ck_assert_int_eq(sum.earliest, 0);
	ck_assert_uint_eq(sum.nworst, 0);
	ck_assert_int_eq(daemon_expiry_level(&sum), EXPIRY_OK);
	drop_store(s);
}
END_TEST

Suite *scan_suite(void)
{
	Suite *s = suite_create("scan");
	TCase *tc = t_case("core", T_UNIT);
	tcase_add_test(tc, scan_figures);
	tcase_add_test(tc, scan_empty_zone);
	suite_add_tcase(s, tc);
	return s;
}
