#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# t_demo: the README's first command (scripts/demo.sh, what `make demo`
# runs) on free ports in a temporary directory: every step must show what
# it promises, and `stop` must end what it started.
# shellcheck disable=SC2317
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
t_init demo

if ! { P1=$(free_port) && P2=$(free_port) && P3=$(free_port); }; then
	t_abort "no free ports"
fi
export DEMO_DIR=$T_DIR/demo DEMO_PORT=$P1 DEMO_PRIMARY_PORT=$P2 DEMO_METRICS_PORT=$P3
chmod 755 "$T_DIR" # the demo's rodnsd runs as nobody
OUT=$T_DIR/demo.out
stop_demo() { bash "$RODNS_TOP/scripts/demo.sh" stop >/dev/null 2>&1; }
trap 'stop_demo; t_cleanup' EXIT
timeout 300 bash "$RODNS_TOP/scripts/demo.sh" >"$OUT" 2>&1
rc=$?
sed 's/^/  | /' "$OUT"
t_check "the demo exits 0" [ "$rc" -eq 0 ]
has() { grep -qE -- "$1" "$OUT"; }
t_check "step 1: a signed zone" has 'records, signatures valid 30 days'
t_check "step 2: BIND primary running" has 'named running, pid [0-9]+'
t_check "step 3: the AXFR line (kind, primary, transport, serials, counts)" \
	has '\[6520\] example.test.: AXFR from 127.0.0.1@[0-9]+ over tcp: serial 0 -> [0-9]+, [0-9]+ RRs'
t_check "step 4: a DNSSEC answer from rodns (AA, RRSIG)" has 'flags: qr aa;.*ANSWER: 2'
t_check "step 4: the answer carries the RRSIG" has 'IN[[:space:]]+RRSIG A 13 3'
t_check "step 5: the change arrives as IXFR, with the pruned count" \
	has '\[6520\] example.test.: IXFR from .* RRSIGs pruned'
t_check "step 5: the new name answers" has 'new.example.test A = 192.0.2.99'
t_check "step 6: warning 1525 for the soon-expiring signature" \
	has '\[1525\] example.test.: RRSIG soon.example.test./TXT'
t_check "step 7: rodnsctl expiry shows the warning" has 'example.test.[[:space:]]+warning'
t_check "step 7: and exits 1 (warning)" has 'exit code 1'
t_check "it says how to stop" has "make demo-stop"
running() { kill -0 "$(cat "$DEMO_DIR/rodnsd.pid")" 2>/dev/null && kill -0 "$(cat "$DEMO_DIR/named.pid.run")" 2>/dev/null; }
t_check "both daemons are left running" running
rpid=$(cat "$DEMO_DIR/rodnsd.pid" 2>/dev/null)
npid=$(cat "$DEMO_DIR/named.pid.run" 2>/dev/null)
stop_demo
gone() { ! kill -0 "$rpid" 2>/dev/null && ! kill -0 "$npid" 2>/dev/null; }
t_check "demo stop ends both" wait_for 30 gone
t_summary
