/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for daemon/expiry.c: the signature-expiry condition machine, its
 * next instant and its event text, with a fake clock. */
#include <check.h>
#include <string.h>

#include "tests/check_bounds.h"
#include "daemon/expiry.h"
#include "daemon/json.h"
#include "xfr/refresh.h"

Suite *expiry_suite(void);

#define DAY    86400
#define T0     ((int64_t)1800000000) /* the fake clock starts here */
#define REPEAT 3600

/* A zone whose first RRSIG (www/A, key 4711) expires at earliest. */
static expiry_summary_t summary(int64_t now, int64_t earliest, uint64_t expired)
{
	expiry_summary_t s = {.when = now,
			      .window = 7 * DAY,
			      .expire_at = now + 28 * DAY,
			      .zone_state = XFR_OK,
			      .serial = 2024010101,
			      .rrsigs = 40};
	if (earliest) {
		s.earliest = earliest;
		s.latest = earliest + 10 * DAY;
		s.expired = expired;
		s.expiring = earliest <= now + 7 * DAY ? 12 : 0;
		s.nworst = 1;
		dns_name_from_text("www.example.test.", &(dns_name_t){.len = 1}, &s.worst[0].owner);
		s.worst[0].covered = 1;
		s.worst[0].keytag = 4711;
		s.worst[0].alg = 13;
		s.worst[0].inception = now - DAY;
		s.worst[0].expiration = earliest;
	}
	return s;
}

/* One scan at now: the events, and whether a heal was asked for. */
typedef struct {
	expiry_event_t ev[EXPIRY_MAX_EVENTS];
	size_t n;
	bool heal;
} step_t;

static step_t step(expiry_state_t *st, const expiry_summary_t *s, int64_t now,
		   const expiry_heal_t *h)
{
	step_t r;
	r.n = daemon_expiry_step(st, s, now, REPEAT, h, r.ev, &r.heal);
	return r;
}

START_TEST(window_rule)
{
	ck_assert_uint_eq(daemon_expiry_window(7 * DAY, 3600, 900), 7 * DAY);
	ck_assert_uint_eq(daemon_expiry_window(DAY, 6 * DAY, 2 * DAY), 8 * DAY);
	ck_assert_uint_eq(daemon_expiry_window(0, UINT32_MAX, 5), UINT32_MAX);
}
END_TEST

START_TEST(ok_zone_is_quiet)
{
	expiry_state_t st = {0};
	expiry_summary_t s = summary(T0, T0 + 30 * DAY, 0);
	s.expire_at = T0 + 14 * DAY;
	step_t r = step(&st, &s, T0, NULL);
	ck_assert_uint_eq(r.n, 0);
	ck_assert(!r.heal);
	ck_assert_int_eq(daemon_expiry_level(&s), EXPIRY_OK);
	/* an unsigned zone too */
	s = summary(T0, 0, 0);
	ck_assert_uint_eq(step(&st, &s, T0, NULL).n, 0);
	/* nothing to wake up for but the window */
	s = summary(T0, T0 + 30 * DAY, 0);
	ck_assert_int_eq(daemon_expiry_next(&st, &s, T0, REPEAT), T0 + 23 * DAY);
}
END_TEST

/* Signatures that expire in two days: 1525 on the first scan, with a
 * forced transfer; the heal's outcome comes in the next event. */
START_TEST(two_days_warns_in_one_scan)
{
	expiry_state_t st = {0};
	expiry_summary_t s = summary(T0, T0 + 2 * DAY, 0);
	step_t r = step(&st, &s, T0, NULL);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.ev[0].id, 1525);
	ck_assert_int_eq(r.ev[0].kind, EXPIRY_EV_RAISE);
	ck_assert_int_eq(r.ev[0].heal, EXPIRY_HEAL_FORCING);
	ck_assert(r.ev[0].reasons & EXPIRY_R_WINDOW);
	ck_assert(r.heal);
	ck_assert_int_eq(daemon_expiry_level(&s), EXPIRY_WARNING);
	/* scans before the heal reports say nothing and ask for nothing */
	r = step(&st, &s, T0 + 5, NULL);
	ck_assert_uint_eq(r.n, 0);
	ck_assert(!r.heal);
	/* the forced AXFR brought the same signatures: 1525 says so */
	expiry_heal_t h = {
	    .ok = true, .transferred = true, .full = true, .serial = 7, .primary = "192.0.2.1@53"};
	r = step(&st, &s, T0 + 10, &h);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.ev[0].id, 1525);
	ck_assert_int_eq(r.ev[0].heal, EXPIRY_HEAL_NOT_CURED);
	ck_assert(!r.heal); /* once per signature set */
	r = step(&st, &s, T0 + 20, NULL);
	ck_assert_uint_eq(r.n, 0);
}
END_TEST

START_TEST(heal_cures)
{
	expiry_state_t st = {0};
	expiry_summary_t s = summary(T0, T0 + 2 * DAY, 0);
	step_t r = step(&st, &s, T0, NULL);
	ck_assert(r.heal);
	/* the primary had re-signed without a serial bump: fresh signatures */
	expiry_heal_t h = {
	    .ok = true, .transferred = true, .full = true, .serial = 7, .primary = "192.0.2.1@53"};
	s = summary(T0 + 30, T0 + 30 * DAY, 0);
	s.expire_at = T0 + 14 * DAY;
	r = step(&st, &s, T0 + 30, &h);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.ev[0].id, 1526);
	ck_assert_int_eq(r.ev[0].kind, EXPIRY_EV_CLEAR);
	ck_assert_int_eq(r.ev[0].cleared, 1525);
	ck_assert_int_eq(r.ev[0].heal, EXPIRY_HEAL_CURED);
	ck_assert_int_eq(st.sig_id, 0);
}
END_TEST

START_TEST(heal_fails)
{
	expiry_state_t st = {0};
	expiry_summary_t s = summary(T0, T0 + 2 * DAY, 0);
	step(&st, &s, T0, NULL);
	expiry_heal_t h = {.ok = false, .reason = "connection refused"};
	step_t r = step(&st, &s, T0 + 1, &h);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.ev[0].heal, EXPIRY_HEAL_FAILED);
	/* an outcome nobody waits for is ignored */
	r = step(&st, &s, T0 + 2, &h);
	ck_assert_uint_eq(r.n, 0);
}
END_TEST

START_TEST(expired_is_an_error)
{
	expiry_state_t st = {0};
	expiry_summary_t s = summary(T0, T0 - 3600, 5);
	step_t r = step(&st, &s, T0, NULL);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.ev[0].id, 1524);
	ck_assert_int_eq(r.ev[0].kind, EXPIRY_EV_RAISE);
	ck_assert(r.ev[0].reasons & EXPIRY_R_EXPIRED);
	ck_assert(r.heal);
	ck_assert_int_eq(daemon_expiry_level(&s), EXPIRY_ERROR);
	/* nothing further can expire into an error: only the repeat is left */
	ck_assert_int_eq(daemon_expiry_next(&st, &s, T0, REPEAT), T0 + REPEAT);
}
END_TEST

/* A warning that turns into an error: the clock alone does it. */
START_TEST(warning_then_error_then_cleared)
{
	expiry_state_t st = {0};
	int64_t e = T0 + 2 * DAY;
	expiry_summary_t s = summary(T0, e, 0);
	step(&st, &s, T0, NULL);
	/* the timer is armed for the instant the first RRSIG has expired */
	ck_assert_int_eq(daemon_expiry_next(&st, &s, T0, 0), e + 1);
	s = summary(e + 1, e, 1);
	step_t r = step(&st, &s, e + 1, NULL);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.ev[0].id, 1524);
	/* a transfer with fresh signatures ends it: one 1526 naming 1524 */
	s = summary(e + 100, e + 30 * DAY, 0);
	s.expire_at = e + 14 * DAY;
	r = step(&st, &s, e + 100, NULL);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.ev[0].id, 1526);
	ck_assert_int_eq(r.ev[0].cleared, 1524);
	/* an error that eases to a warning: 1526 for the error, then 1525 */
	s = summary(e + 200, e - 10, 3);
	step(&st, &s, e + 200, NULL);
	s = summary(e + 300, e + 2 * DAY, 0);
	r = step(&st, &s, e + 300, NULL);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_int_eq(r.ev[0].id, 1526);
	ck_assert_int_eq(r.ev[0].cleared, 1524);
	ck_assert_int_eq(r.ev[1].id, 1525);
}
END_TEST

START_TEST(repeat_interval)
{
	expiry_state_t st = {0};
	expiry_summary_t s = summary(T0, T0 + 2 * DAY, 0);
	ck_assert_uint_eq(step(&st, &s, T0, NULL).n, 1);
	/* scans every minute for just under the interval: silence */
	for (int64_t t = T0 + 60; t < T0 + REPEAT; t += 60) {
		s.when = t;
		ck_assert_uint_eq(step(&st, &s, t, NULL).n, 0);
	}
	ck_assert_int_eq(daemon_expiry_next(&st, &s, T0 + REPEAT - 60, REPEAT), T0 + REPEAT);
	s.when = T0 + REPEAT;
	step_t r = step(&st, &s, T0 + REPEAT, NULL);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.ev[0].id, 1525);
	ck_assert_int_eq(r.ev[0].kind, EXPIRY_EV_REPEAT);
	s.when = T0 + REPEAT + 1;
	ck_assert_uint_eq(step(&st, &s, T0 + REPEAT + 1, NULL).n, 0);
	/* repeat 0: raised once */
	expiry_state_t once = {0};
	bool heal;
	expiry_event_t ev[EXPIRY_MAX_EVENTS];
	ck_assert_uint_eq(daemon_expiry_step(&once, &s, T0, 0, NULL, ev, &heal), 1);
	ck_assert_uint_eq(daemon_expiry_step(&once, &s, T0 + 30 * DAY, 0, NULL, ev, &heal), 0);
}
END_TEST

/* Signatures that outlive the window but not the zone's SOA EXPIRE: a
 * warning, but nothing a transfer could cure. */
START_TEST(before_zone_expire)
{
	expiry_state_t st = {0};
	expiry_summary_t s = summary(T0, T0 + 10 * DAY, 0);
	s.expire_at = T0 + 14 * DAY;
	step_t r = step(&st, &s, T0, NULL);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.ev[0].id, 1525);
	ck_assert_int_eq(r.ev[0].reasons, EXPIRY_R_BEFORE_EXPIRE);
	ck_assert_int_eq(r.ev[0].heal, EXPIRY_HEAL_NONE);
	ck_assert(!r.heal);
}
END_TEST

START_TEST(not_yet_valid)
{
	expiry_state_t st = {0};
	expiry_summary_t s = summary(T0, T0 + 30 * DAY, 0);
	s.expire_at = T0 + 14 * DAY;
	s.not_valid = 3;
	s.next_inception = T0 + 600;
	step_t r = step(&st, &s, T0, NULL);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.ev[0].id, 6529);
	ck_assert_int_eq(daemon_expiry_level(&s), EXPIRY_WARNING);
	ck_assert_int_eq(daemon_expiry_next(&st, &s, T0, REPEAT), T0 + 600);
	s.not_valid = 0;
	s.next_inception = 0;
	r = step(&st, &s, T0 + 600, NULL);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.ev[0].id, 1526);
	ck_assert_int_eq(r.ev[0].cleared, 6529);
}
END_TEST

START_TEST(zone_expired)
{
	expiry_state_t st = {0};
	expiry_summary_t s = summary(T0, T0 + 30 * DAY, 0);
	s.expire_at = T0 + 14 * DAY;
	s.zone_state = XFR_EXPIRED;
	step_t r = step(&st, &s, T0, NULL);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.ev[0].id, 6527);
	ck_assert_int_eq(daemon_expiry_level(&s), EXPIRY_ERROR);
	s.when = T0 + REPEAT;
	r = step(&st, &s, T0 + REPEAT, NULL);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.ev[0].kind, EXPIRY_EV_REPEAT);
	s.zone_state = XFR_OK;
	r = step(&st, &s, T0 + REPEAT + 5, NULL);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.ev[0].id, 6526);
	/* no heal for an expired zone: its primaries are gone anyway */
	expiry_state_t st2 = {0};
	s = summary(T0, T0 + DAY, 0);
	s.zone_state = XFR_EXPIRED;
	ck_assert(!step(&st2, &s, T0, NULL).heal);
}
END_TEST

/* The event text and fields, through the JSON-lines formatter. */
START_TEST(event_json)
{
	expiry_state_t st = {0};
	expiry_summary_t s = summary(T0, T0 + 2 * DAY, 0);
	step_t r = step(&st, &s, T0, NULL);
	expiry_msg_t m;
	daemon_expiry_format(&r.ev[0], &s, NULL, &m);
	ck_assert_msg(strstr(m.msg, "RRSIG www.example.test./A key 4711 expires "
				    "2027-01-17T08:00:00Z (in 2d), within the 7d warning window"),
		      "%s", m.msg);
	ck_assert(strstr(m.msg, "forcing a full transfer"));
	char line[4096];
	size_t n = daemon_event_json(line, sizeof(line), T0, r.ev[0].id, "example.test.", m.msg,
				     m.f, m.nf);
	char err[64];
	json_t *j = json_parse(line, n, err, sizeof(err));
	ck_assert_msg(j != NULL, "%s: %s", err, line);
	ck_assert_str_eq(json_get_str(j, "time", ""), "2027-01-15T08:00:00Z");
	ck_assert_int_eq(json_get_int(j, "id", 0), 1525);
	ck_assert_str_eq(json_get_str(j, "severity", ""), "warning");
	ck_assert_str_eq(json_get_str(j, "zone", ""), "example.test.");
	ck_assert_str_eq(json_get_str(j, "owner", ""), "www.example.test.");
	ck_assert_str_eq(json_get_str(j, "type", ""), "A");
	ck_assert_int_eq(json_get_int(j, "key_tag", 0), 4711);
	ck_assert_str_eq(json_get_str(j, "expires", ""), "2027-01-17T08:00:00Z");
	ck_assert_int_eq(json_get_int(j, "expires_in", 0), 2 * DAY);
	ck_assert_int_eq(json_get_int(j, "expiring", 0), 12);
	ck_assert_str_eq(json_get_str(j, "action", ""), "axfr");
	ck_assert_str_eq(json_get_str(j, "condition", ""), "window,before-expire");
	json_free(j);
	/* the cure is named in the 1526 */
	expiry_heal_t h = {
	    .ok = true, .transferred = true, .full = true, .serial = 9, .primary = "192.0.2.1@53"};
	s = summary(T0 + 9, T0 + 30 * DAY, 0);
	s.expire_at = T0 + 14 * DAY;
	r = step(&st, &s, T0 + 9, &h);
	daemon_expiry_format(&r.ev[0], &s, &h, &m);
	ck_assert_msg(strstr(m.msg, "warning cleared") &&
			  strstr(m.msg, "after a forced full transfer from 192.0.2.1@53 "
					"(serial 9)"),
		      "%s", m.msg);
	/* 1524 names the count and the first one */
	expiry_state_t st2 = {0};
	s = summary(T0, T0 - 7200, 5);
	r = step(&st2, &s, T0, NULL);
	daemon_expiry_format(&r.ev[0], &s, NULL, &m);
	ck_assert_msg(strstr(m.msg, "5 RRSIGs have expired; the first, www.example.test./A key "
				    "4711, at 2027-01-15T06:00:00Z (2h ago)"),
		      "%s", m.msg);
}
END_TEST

START_TEST(text_helpers)
{
	char b[32];
	ck_assert_str_eq(daemon_span_text(0, b, sizeof(b)), "0s");
	ck_assert_str_eq(daemon_span_text(7 * DAY, b, sizeof(b)), "7d");
	ck_assert_str_eq(daemon_span_text(DAY + 3 * 3600 + 59, b, sizeof(b)), "1d3h");
	ck_assert_str_eq(daemon_span_text(3600 + 60, b, sizeof(b)), "1h1m");
	ck_assert_str_eq(daemon_span_text(-90, b, sizeof(b)), "-1m30s");
	ck_assert_str_eq(daemon_time_text(0, b, sizeof(b)), "1970-01-01T00:00:00Z");
}
END_TEST

Suite *expiry_suite(void)
{
	Suite *s = suite_create("expiry");
	TCase *tc = t_case("core", T_UNIT);
	tcase_add_test(tc, window_rule);
	tcase_add_test(tc, ok_zone_is_quiet);
	tcase_add_test(tc, two_days_warns_in_one_scan);
	tcase_add_test(tc, heal_cures);
	tcase_add_test(tc, heal_fails);
	tcase_add_test(tc, expired_is_an_error);
	tcase_add_test(tc, warning_then_error_then_cleared);
	tcase_add_test(tc, repeat_interval);
	tcase_add_test(tc, before_zone_expire);
	tcase_add_test(tc, not_yet_valid);
	tcase_add_test(tc, zone_expired);
	tcase_add_test(tc, event_json);
	tcase_add_test(tc, text_helpers);
	suite_add_tcase(s, tc);
	return s;
}
