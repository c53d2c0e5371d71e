#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# Writes the unit runner's main(): one SRunner over every `Suite *X_suite(void)`
# defined in the given check_*.c files. Refuses a file that makes a test
# case without t_case() (tests/check_bounds.h): every case gets a bound sized
# for ASan on a loaded core, never Check's 4 s default.
bare=$(grep -n 'tcase_create\|tcase_set_timeout' "$@")
if [ -n "$bare" ]; then
	echo "$bare" >&2
	echo "unit_main.sh: make test cases with t_case() from tests/check_bounds.h" >&2
	exit 1
fi
suites=$(grep -ho '^Suite \*[a-z0-9_]*_suite(void)' "$@" | sed 's/^Suite \*//; s/(void)//' | sort -u)
echo '#include <check.h>'
echo '#include <stdlib.h>'
for s in $suites; do echo "Suite *$s(void);"; done
echo 'int main(void)'
echo '{'
echo '	SRunner *sr = srunner_create(NULL);'
for s in $suites; do echo "	srunner_add_suite(sr, $s());"; done
echo '	srunner_run_all(sr, CK_NORMAL);'
echo '	int failed = srunner_ntests_failed(sr);'
echo '	srunner_free(sr);'
echo '	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;'
echo '}'
