/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for dns/serial.c: RFC 1982 serial number arithmetic. */
#include <check.h>
#include <stdint.h>

#include "tests/check_bounds.h"
#include "dns/serial.h"

Suite *serial_suite(void);

START_TEST(t_equal)
{
	ck_assert_int_eq(dns_serial_cmp(0, 0), 0);
	ck_assert_int_eq(dns_serial_cmp(2024010101u, 2024010101u), 0);
	ck_assert_int_eq(dns_serial_cmp(UINT32_MAX, UINT32_MAX), 0);
	ck_assert(!dns_serial_lt(7, 7));
	ck_assert(!dns_serial_gt(7, 7));
}
END_TEST

START_TEST(t_simple_order)
{
	ck_assert_int_eq(dns_serial_cmp(1, 2), -1);
	ck_assert_int_eq(dns_serial_cmp(2, 1), 1);
	ck_assert(dns_serial_lt(1000, 1001));
	ck_assert(dns_serial_gt(1001, 1000));
}
END_TEST

/* The largest forward step RFC 1982 allows is 2^31 - 1. */
START_TEST(t_zero_vs_max_step)
{
	ck_assert_int_eq(dns_serial_cmp(0, 0x7fffffffu), -1);
	ck_assert_int_eq(dns_serial_cmp(0x7fffffffu, 0), 1);
	ck_assert(dns_serial_lt(0, 0x7fffffffu));
	ck_assert(dns_serial_gt(0x7fffffffu, 0));
	/* one more and the order flips: 0 now follows 2^31 + 1 */
	ck_assert_int_eq(dns_serial_cmp(0, 0x80000001u), 1);
	ck_assert_int_eq(dns_serial_cmp(0x80000001u, 0), -1);
}
END_TEST

START_TEST(t_wrap_around)
{
	ck_assert_int_eq(dns_serial_cmp(UINT32_MAX, 0), -1);
	ck_assert_int_eq(dns_serial_cmp(0, UINT32_MAX), 1);
	ck_assert(dns_serial_lt(0xfffffff0u, 5));
	ck_assert(dns_serial_gt(5, 0xfffffff0u));
	ck_assert_uint_eq(dns_serial_add(UINT32_MAX, 1), 0);
	ck_assert_uint_eq(dns_serial_add(0xfffffff0u, 0x20), 0x10);
	ck_assert(dns_serial_gt(dns_serial_add(0xfffffff0u, 0x20), 0xfffffff0u));
}
END_TEST

/* Exactly 2^31 apart: undefined by RFC 1982, reported as 2 both ways. */
START_TEST(t_half_apart)
{
	static const uint32_t a[] = {0, 1, 0x7fffffffu, 0x80000000u, 0xdeadbeefu, UINT32_MAX};

	for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
		uint32_t b = a[i] + 0x80000000u;

		ck_assert_int_eq(dns_serial_cmp(a[i], b), 2);
		ck_assert_int_eq(dns_serial_cmp(b, a[i]), 2);
		ck_assert(!dns_serial_lt(a[i], b));
		ck_assert(!dns_serial_gt(a[i], b));
		ck_assert(!dns_serial_lt(b, a[i]));
		ck_assert(!dns_serial_gt(b, a[i]));
	}
}
END_TEST

/* For every pair that is comparable, swapping the operands flips the sign,
 * and adding any allowed step (1 .. 2^31 - 1) gives a greater serial. */
START_TEST(t_properties)
{
	uint32_t x = 0x12345678u;

	for (int i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		uint32_t a = x * 2654435761u;
		uint32_t b = x;
		int ab = dns_serial_cmp(a, b);
		int ba = dns_serial_cmp(b, a);

		if (ab == 2)
			ck_assert_int_eq(ba, 2);
		else
			ck_assert_int_eq(ab, -ba);
		uint32_t n = (x & 0x7fffffffu) ? (x & 0x7fffffffu) : 1;
		ck_assert(dns_serial_gt(dns_serial_add(a, n), a));
		ck_assert(dns_serial_lt(a, dns_serial_add(a, n)));
	}
}
END_TEST

Suite *serial_suite(void)
{
	Suite *s = suite_create("serial");
	TCase *tc = t_case("rfc1982", T_UNIT);

	tcase_add_test(tc, t_equal);
	tcase_add_test(tc, t_simple_order);
	tcase_add_test(tc, t_zero_vs_max_step);
	tcase_add_test(tc, t_wrap_around);
	tcase_add_test(tc, t_half_apart);
	tcase_add_test(tc, t_properties);
	suite_add_tcase(s, tc);
	return s;
}
