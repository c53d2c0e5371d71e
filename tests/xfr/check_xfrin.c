/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for xfr/xfrin.c's commit hook: pre_commit runs once per committed
 * transfer, after validation and before the commit (a reader still sees
 * the old serial), and never for a transfer that is rejected. The query
 * workers' answer cache relies on this order (daemon.c, commit_gate_t). */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/check_bounds.h"
#include "dns/err.h"
#include "dns/msg.h"
#include "xfr/xfrin.h"

Suite *xfrin_suite(void);

static char path[64];
static dns_name_t apex;
static int hook_calls;
static uint32_t hook_saw; /* the serial a reader saw from inside the hook */

static void setup(void)
{
	snprintf(path, sizeof(path), "/tmp/rodns-xfrin.%d", (int)getpid());
	ck_assert_int_eq(dns_name_from_text("example.test.", NULL, &apex), RODNS_OK);
	hook_calls = 0;
	hook_saw = 0;
}

static void teardown(void)
{
	const char *sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[96];
	for (size_t j = 0; j < 4; j++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[j]);
		unlink(p);
	}
}

/* The serial a separate read-only connection sees now (0: no zone). */
static uint32_t reader_serial(void)
{
	store_t *r;
	store_zone_t z;
	ck_assert_int_eq(store_open(path, STORE_RDONLY, &r), RODNS_OK);
	int rc = store_zone_get(r, &apex, &z);
	store_close(r);
	return rc == RODNS_OK ? z.serial : 0;
}

static void hook(void *arg)
{
	(void)arg;
	hook_calls++;
	hook_saw = reader_serial();
}

static int reject(void *arg, store_t *s, store_txn_t *t, int64_t zone_id, int kind, char *reason,
		  size_t cap)
{
	(void)arg, (void)s, (void)t, (void)zone_id, (void)kind;
	snprintf(reason, cap, "rejected by the test");
	return RODNS_E_XFR_SOA;
}

/* One AXFR message: SOA (serial), www A, SOA. */
static int axfr_msg(uint8_t *buf, size_t cap, uint16_t id, uint32_t serial)
{
	dns_name_t www;
	uint8_t soa[64], a[4] = {192, 0, 2, 1};
	ck_assert_int_eq(dns_name_from_text("www.example.test.", NULL, &www), RODNS_OK);
	/* mname and rname: the root, twice; then the five counters */
	memset(soa, 0, sizeof(soa));
	uint32_t v[5] = {serial, 3600, 900, 1209600, 300};
	for (int i = 0; i < 5; i++) {
		soa[2 + 4 * i] = (uint8_t)(v[i] >> 24);
		soa[3 + 4 * i] = (uint8_t)(v[i] >> 16);
		soa[4 + 4 * i] = (uint8_t)(v[i] >> 8);
		soa[5 + 4 * i] = (uint8_t)v[i];
	}
	dns_rr_t s = {.owner = apex, .type = DNS_T_SOA, .rclass = DNS_C_IN, .ttl = 3600,
		      .rdlen = 22, .rdata = soa};
	dns_rr_t w = {.owner = www, .type = DNS_T_A, .rclass = DNS_C_IN, .ttl = 3600,
		      .rdlen = 4, .rdata = a};
	dns_mbuild_t b;
	dns_mbuild_init(&b, buf, cap, id, DNS_F_QR | DNS_F_AA);
	ck_assert_int_eq(dns_mbuild_question(&b, &apex, DNS_T_AXFR, DNS_C_IN), RODNS_OK);
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AN, &s), RODNS_OK);
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AN, &w), RODNS_OK);
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AN, &s), RODNS_OK);
	return dns_mbuild_finish(&b);
}

/* Runs one AXFR to serial into the store; returns xfr_in_commit's code. */
static int transfer(store_t *s, store_zone_t *meta, uint32_t serial, xfr_validate_fn validate)
{
	xfr_in_params_t p = {.zone = apex, .qtype = DNS_T_AXFR, .id = 0x1234,
			     .serial = meta->serial, .have_serial = meta->serial != 0,
			     .validate = validate, .pre_commit = hook};
	xfr_in_t *x;
	uint8_t msg[512];
	ck_assert_int_eq(xfr_in_new(s, meta->id, &p, &x), RODNS_OK);
	int n = axfr_msg(msg, sizeof(msg), p.id, serial);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(xfr_in_message(x, msg, (size_t)n), 1); /* complete */
	int rc = xfr_in_commit(x, meta);
	xfr_in_free(x);
	return rc;
}

/* A new store holding serial 1 of the zone, transferred with the hook. */
static store_t *store_at_serial_1(store_zone_t *meta)
{
	store_t *s;
	*meta = (store_zone_t){.name = apex};
	ck_assert_int_eq(store_open(path, STORE_CREATE, &s), RODNS_OK);
	ck_assert_int_eq(store_zone_ensure(s, meta), RODNS_OK);
	ck_assert_int_eq(transfer(s, meta, 1, NULL), RODNS_OK);
	ck_assert_int_eq(hook_calls, 1);
	return s;
}

START_TEST(pre_commit_before_the_commit)
{
	store_zone_t meta;
	store_t *s = store_at_serial_1(&meta);
	ck_assert_uint_eq(hook_saw, 0); /* the zone held nothing yet */
	ck_assert_uint_eq(reader_serial(), 1);
	ck_assert_int_eq(transfer(s, &meta, 2, NULL), RODNS_OK);
	ck_assert_int_eq(hook_calls, 2);
	ck_assert_uint_eq(hook_saw, 1); /* not yet the new serial */
	ck_assert_uint_eq(reader_serial(), 2);
	store_close(s);
}
END_TEST

START_TEST(no_hook_for_a_rejected_transfer)
{
	store_zone_t meta;
	store_t *s = store_at_serial_1(&meta);
	ck_assert_int_ne(transfer(s, &meta, 2, reject), RODNS_OK);
	ck_assert_int_eq(hook_calls, 1);
	ck_assert_uint_eq(reader_serial(), 1);
	store_close(s);
}
END_TEST

Suite *xfrin_suite(void)
{
	Suite *s = suite_create("xfrin");
	TCase *tc = t_case("commit", T_UNIT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pre_commit_before_the_commit);
	tcase_add_test(tc, no_hook_for_a_rejected_transfer);
	suite_add_tcase(s, tc);
	return s;
}
