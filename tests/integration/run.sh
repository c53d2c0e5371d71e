#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# Runs every integration test (tests/integration/t_*.sh). Each test prints
# "N passed, N failed" as its last line; this adds them up and prints the
# total alone on the last line. Exit status 1 when anything failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${RODNS_BUILD:=$here/../../build}"
export RODNS_BUILD RODNS_TOP="$here/../.."
tp=0 tf=0
for t in "$here"/t_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	echo "== $name"
	out=$(mktemp)
	bash "$t" 2>&1 | tee "$out"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	rm -f "$out"
	if [ -z "$line" ]; then
		echo "$name: printed no summary (counted as one failure)"
		tf=$((tf + 1))
		continue
	fi
	p=$(echo "$line" | awk '{print $1}')
	f=$(echo "$line" | awk '{print $3}')
	tp=$((tp + p))
	tf=$((tf + f))
done
echo "integration: $tp passed, $tf failed"
[ "$tf" -eq 0 ]
