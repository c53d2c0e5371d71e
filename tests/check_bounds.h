/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Time bounds for the unit suite's test cases.
 *
 * Check kills a test that runs past its case's timeout (4 s unless set).
 * A bound is not a speed check: it only turns a hung test into a failure
 * instead of a hung CI. So every bound is sized for the slowest machine CI
 * supports: the ASan + UBSan build on one core that another process keeps
 * busy (half a core, and ASan's 2-5x), with room to spare. Every test case
 * is made with t_case() (tests/unit_main.sh refuses a bare tcase_create or
 * tcase_set_timeout), so no case can fall back to Check's 4 s.
 *
 * Check multiplies every bound by CK_TIMEOUT_MULTIPLIER when it is set
 * (valgrind, an even slower machine).
 *
 *   T_UNIT   a case whose tests each take well under a second on an idle
 *            machine, even under ASan (most cases)
 *   T_HEAVY  a case of its own for tests that do real work: thousands of
 *            transactions, full-zone validation, threads, an interpreter
 *            loop; seconds to a minute each under ASan on an idle machine
 */
#ifndef RODNS_TESTS_CHECK_BOUNDS_H
#define RODNS_TESTS_CHECK_BOUNDS_H

#include <check.h>

enum {
	T_UNIT = 120,
	T_HEAVY = 1200,
};

/* A test case with its bound; Check applies CK_TIMEOUT_MULTIPLIER. */
static inline TCase *t_case(const char *name, double bound)
{
	TCase *tc = tcase_create(name);
	tcase_set_timeout(tc, bound);
	return tc;
}

#endif
