/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for xfr/refresh.c: the timers, with a fake clock. */
#include <check.h>

#include "tests/check_bounds.h"
#include "xfr/refresh.h"

/* RFC 7314 §4: a primary's EXPIRE shortens our expiry, never lengthens it,
 * and means nothing while we hold no data. */
START_TEST(t_cap_expire)
{
	xfr_refresh_t z;
	xfr_refresh_init(&z, 1000);
	xfr_refresh_cap_expire(&z, 10, 1000);
	ck_assert_int_eq(z.expire_at, 0); /* empty: nothing to cap */
	z.state = XFR_OK;
	z.expire_at = 1000 + 86400;
	xfr_refresh_cap_expire(&z, 3600, 1000);
	ck_assert_int_eq(z.expire_at, 1000 + 3600);
	xfr_refresh_cap_expire(&z, 7200, 1000);
	ck_assert_int_eq(z.expire_at, 1000 + 3600);
	xfr_refresh_cap_expire(&z, -1, 1000);
	ck_assert_int_eq(z.expire_at, 1000 + 3600);
	xfr_refresh_cap_expire(&z, 0, 5000);
	ck_assert_int_eq(z.expire_at, 1000 + 3600); /* 5000 + 0 is not earlier */
	xfr_refresh_cap_expire(&z, 0, 1500);
	ck_assert_int_eq(z.expire_at, 1500);
}
END_TEST

Suite *refresh_suite(void);

static const xfr_clamps_t C = {
	.refresh_min = 60, .refresh_max = 86400, .retry_min = 10, .retry_max = 3600,
	.expire_min = 3600, .expire_max = 0, .jitter_pct = 0,
};

START_TEST(clamps)
{
	xfr_soa_t in = {.serial = 7, .refresh = 5, .retry = 1, .expire = 100}, out;
	xfr_refresh_clamp(&C, &in, &out);
	ck_assert_uint_eq(out.refresh, 60);
	ck_assert_uint_eq(out.retry, 10);
	ck_assert_uint_eq(out.expire, 3600);
	in = (xfr_soa_t){.serial = 7, .refresh = 999999, .retry = 7200, .expire = 50};
	xfr_refresh_clamp(&C, &in, &out);
	ck_assert_uint_eq(out.refresh, 86400);
	ck_assert_uint_eq(out.retry, 3600);
	ck_assert_uint_eq(out.expire, 86400 + 3600); /* never below refresh + retry */
	in = (xfr_soa_t){.serial = 7, .refresh = 100, .retry = 500, .expire = 9000};
	xfr_refresh_clamp(&C, &in, &out);
	ck_assert_uint_eq(out.retry, 100); /* retry never longer than refresh */
}
END_TEST

START_TEST(life_cycle)
{
	xfr_refresh_t z;
	int64_t t = 1000000;
	xfr_refresh_init(&z, t);
	ck_assert_int_eq(z.state, XFR_EMPTY);
	ck_assert_int_eq(xfr_refresh_next(&z), t);
	ck_assert_int_eq(xfr_refresh_force_axfr(&z, &C, 0, t), XFR_FORCE_FULL); /* nothing stored */

	/* first attempt fails: retry after the retry clamp */
	xfr_refresh_start(&z);
	xfr_refresh_failure(&z, &C, t, 0);
	ck_assert_int_eq(z.next, t + 10);
	ck_assert_int_eq(z.state, XFR_EMPTY);
	ck_assert(!xfr_refresh_check_expiry(&z, t + 1000000)); /* empty never "expires" */

	/* then an AXFR lands */
	t += 10;
	xfr_soa_t soa = {.serial = 1, .refresh = 3600, .retry = 600, .expire = 7200};
	xfr_refresh_start(&z);
	xfr_refresh_success(&z, &C, &soa, true, true, t, 0);
	ck_assert_int_eq(z.state, XFR_OK);
	ck_assert_int_eq(z.next, t + 3600);
	ck_assert_int_eq(z.expire_at, t + 7200);
	ck_assert_int_eq(z.last_axfr, t);

	/* the primary vanishes: retries every 600 s until expiry */
	int64_t t1 = t + 3600;
	xfr_refresh_start(&z);
	xfr_refresh_failure(&z, &C, t1, 0);
	ck_assert_int_eq(z.next, t1 + 600);
	ck_assert_uint_eq(z.failures, 1);
	ck_assert(!xfr_refresh_check_expiry(&z, t + 7199));
	ck_assert_int_eq(xfr_refresh_next(&z), t1 + 600);
	ck_assert(xfr_refresh_check_expiry(&z, t + 7200));
	ck_assert_int_eq(z.state, XFR_EXPIRED);
	ck_assert(!xfr_refresh_check_expiry(&z, t + 7300)); /* fires once */

	/* it comes back: served again */
	xfr_refresh_start(&z);
	xfr_refresh_success(&z, &C, &soa, false, false, t + 8000, 0);
	ck_assert_int_eq(z.state, XFR_OK);
	ck_assert_uint_eq(z.failures, 0);
	ck_assert_int_eq(z.expire_at, t + 8000 + 7200);
}
END_TEST

START_TEST(expiry_before_next)
{
	xfr_refresh_t z;
	xfr_refresh_init(&z, 0);
	xfr_soa_t soa = {.serial = 1, .refresh = 86400, .retry = 3600, .expire = 1};
	xfr_clamps_t c = C;
	c.expire_min = 0;
	xfr_refresh_success(&z, &c, &soa, true, true, 100, 0);
	/* expire is lifted to refresh + retry, so the next attempt comes first */
	ck_assert_int_eq(z.expire_at, 100 + 86400 + 3600);
	ck_assert_int_eq(xfr_refresh_next(&z), 100 + 86400);
	/* a failure then schedules a retry past the expiry: next is the expiry */
	xfr_refresh_failure(&z, &c, 100 + 86400 + 3000, 0);
	ck_assert_int_eq(xfr_refresh_next(&z), 100 + 86400 + 3600);
}
END_TEST

START_TEST(notify_coalesces)
{
	xfr_refresh_t z;
	xfr_refresh_init(&z, 0);
	xfr_soa_t soa = {.serial = 1, .refresh = 3600, .retry = 600, .expire = 7200};
	xfr_refresh_success(&z, &C, &soa, true, true, 100, 0);
	xfr_refresh_notify(&z, 200);
	ck_assert_int_eq(z.next, 200);
	xfr_refresh_start(&z);
	/* a burst of NOTIFYs while the attempt runs makes exactly one follow-up */
	for (int i = 0; i < 50; i++)
		xfr_refresh_notify(&z, 201);
	ck_assert(z.notify_pending);
	soa.serial = 2;
	xfr_refresh_success(&z, &C, &soa, true, false, 205, 0);
	ck_assert_int_eq(z.next, 205);
	ck_assert(!z.notify_pending);
	xfr_refresh_start(&z);
	xfr_refresh_success(&z, &C, &soa, false, false, 206, 0);
	ck_assert_int_eq(z.next, 206 + 3600);
}
END_TEST

START_TEST(jitter_bounds)
{
	xfr_clamps_t c = C;
	c.jitter_pct = 10;
	xfr_soa_t soa = {.serial = 1, .refresh = 1000, .retry = 100, .expire = 7200};
	for (uint32_t rnd = 0; rnd < 5000; rnd += 7) {
		xfr_refresh_t z;
		xfr_refresh_init(&z, 0);
		xfr_refresh_success(&z, &c, &soa, true, true, 0, rnd * 2654435761u);
		ck_assert_int_ge(z.next, 900);
		ck_assert_int_le(z.next, 1000);
	}
}
END_TEST

START_TEST(bound_next)
{
	xfr_refresh_t z;
	xfr_refresh_init(&z, 0);
	xfr_soa_t soa = {.serial = 1, .refresh = 3600, .retry = 600, .expire = 86400};
	xfr_refresh_success(&z, &C, &soa, true, true, 1000, 0);
	ck_assert_int_eq(z.next, 1000 + 3600);
	xfr_clamps_t c = C;
	c.refresh_max = 60; /* reloaded with a lower bound */
	xfr_refresh_bound_next(&z, &c, 1010);
	ck_assert_int_eq(z.next, 1060);
	ck_assert_uint_eq(z.refresh, 60);
	xfr_refresh_bound_next(&z, &c, 5000); /* restored long after: due now */
	ck_assert_int_eq(z.next, 5000);
}
END_TEST

START_TEST(forced_axfr)
{
	xfr_refresh_t z;
	xfr_refresh_init(&z, 0);
	xfr_soa_t soa = {.serial = 1, .refresh = 3600, .retry = 600, .expire = 86400};
	xfr_refresh_success(&z, &C, &soa, true, true, 1000, 0);
	/* signatures expiring after the next refresh: nothing special */
	ck_assert_int_eq(xfr_refresh_force_axfr(&z, &C, 1000 + 3601 + 100, 1100), XFR_FORCE_NONE);
	/* expiring before the next refresh would see them: fetch anyway */
	ck_assert_int_eq(xfr_refresh_force_axfr(&z, &C, 1100 + 3600, 1100), XFR_FORCE_SIGS);
	ck_assert_int_eq(xfr_refresh_force_axfr(&z, &C, 0, 1100), XFR_FORCE_NONE); /* unsigned */
	xfr_clamps_t c = C;
	c.sig_horizon = 7 * 86400;
	/* within a configured horizon (the expiry warning window) */
	ck_assert_int_eq(xfr_refresh_force_axfr(&z, &c, 1100 + 6 * 86400, 1100), XFR_FORCE_SIGS);
	ck_assert_int_eq(xfr_refresh_force_axfr(&z, &c, 1100 + 8 * 86400, 1100), XFR_FORCE_NONE);
	/* the forced-AXFR interval and an empty zone ask for a full transfer */
	z.last_axfr = 1000;
	c.force_axfr_interval = 86400;
	ck_assert_int_eq(xfr_refresh_force_axfr(&z, &c, 0, 1000 + 86399), XFR_FORCE_NONE);
	ck_assert_int_eq(xfr_refresh_force_axfr(&z, &c, 0, 1000 + 86400), XFR_FORCE_FULL);
	xfr_refresh_t e;
	xfr_refresh_init(&e, 0);
	ck_assert_int_eq(xfr_refresh_force_axfr(&e, &C, 0, 5), XFR_FORCE_FULL);
}
END_TEST

Suite *refresh_suite(void)
{
	Suite *s = suite_create("xfr_refresh");
	TCase *tc = t_case("refresh", T_UNIT);
	tcase_add_test(tc, clamps);
	tcase_add_test(tc, life_cycle);
	tcase_add_test(tc, expiry_before_next);
	tcase_add_test(tc, notify_coalesces);
	tcase_add_test(tc, jitter_bounds);
	tcase_add_test(tc, forced_axfr);
	tcase_add_test(tc, bound_next);
	tcase_add_test(tc, t_cap_expire);
	suite_add_tcase(s, tc);
	return s;
}
