#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# t_answer_diff: rodnsd's answers against Knot DNS's, query by query.
#
# Two signed zones from mkzone_answer.sh (nsec.answer.test. with NSEC;
# nsec3.answer.test. with NSEC3, Opt-Out, salt, 1 iteration) hold CNAME
# chains, DNAME, wildcards, empty non-terminals, secure and insecure
# delegations, MX/SRV and a large RRset. A BIND primary serves both; Knot
# (the reference) and rodnsd transfer them as secondaries. Once both serve
# the primary's serials, qgen.py sends the same QGEN_COUNT (default 10000)
# generated queries per zone to each (existing and missing names and types,
# wildcard hits and misses, chains, names below cuts, DS at cuts, apex
# DNSSEC types, random case, DO on and off, payloads 512..4096, UDP and
# TCP) and compares flags, RCODE, OPT and the RR sets of every section.
# A second pass per zone (QGEN_HEADER_COUNT, default 2500 queries) makes
# the header and EDNS fields the dimension: random flags, unknown opcodes,
# EDNS versions, options and flags, payloads below 512.
# The differences docs/answer-differences.md documents (D1...) are accepted
# by name and counted; every other one fails the test and the first few
# are printed in detail.
# shellcheck disable=SC2317
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
t_init answer-diff

RODNSD=$RODNS_BUILD/rodnsd
COUNT=${QGEN_COUNT:-10000}
[ -x "$RODNSD" ] || t_abort "no $RODNSD (run make all)"
for c in named knotd knotc dnssec-keygen dnssec-signzone dig python3 ss; do
	command -v "$c" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
	command -v "$c" >/dev/null 2>&1 || t_abort "$c is not installed (make deps)"
done
ZONES="nsec.answer.test nsec3.answer.test"

if ! { bash "$T_LIB_DIR/mkzone_answer.sh" nsec.answer.test "$T_DIR/z" nsec &&
	bash "$T_LIB_DIR/mkzone_answer.sh" nsec3.answer.test "$T_DIR/z" nsec3; } >"$T_DIR/mkzone.log" 2>&1; then
	cat "$T_DIR/mkzone.log" >&2
	t_abort "building the zones"
fi

if ! { PPORT=$(free_port) && KPORT=$(free_port) && RPORT=$(free_port); }; then
	t_abort "no free port"
fi

# ---------------------------------------------------------------- BIND primary
cat >"$T_DIR/named.conf" <<EOF
options {
	directory "$T_DIR/z";
	pid-file none;
	session-keyfile "$T_DIR/session.key";
	managed-keys-directory "$T_DIR";
	listen-on port $PPORT { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	allow-transfer { 127.0.0.1; };
	notify explicit;
	also-notify { 127.0.0.1 port $KPORT; 127.0.0.1 port $RPORT; };
	notify-delay 0;
};
controls { };
zone "nsec.answer.test" { type primary; file "nsec.answer.test.signed"; };
zone "nsec3.answer.test" { type primary; file "nsec3.answer.test.signed"; };
EOF
start_named primary "$T_DIR/named.conf" || t_abort "named did not start"

# ---------------------------------------------------------------- Knot
mkdir -p "$T_DIR/knot/db" "$T_DIR/knot/zones"
{
	cat <<EOF
server:
    rundir: "$T_DIR/knot"
    pidfile: "$T_DIR/knot/knot.pid"
    listen: 127.0.0.1@$KPORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
control:
    listen: "$T_DIR/knot/knot.sock"
database:
    storage: "$T_DIR/knot/db"
log:
  - target: stderr
    any: info
remote:
  - id: primary
    address: 127.0.0.1@$PPORT
acl:
  - id: notify_from_primary
    address: 127.0.0.1
    action: notify
template:
  - id: default
    storage: "$T_DIR/knot/zones"
    master: primary
    acl: notify_from_primary
    zonefile-sync: -1
zone:
EOF
	for z in $ZONES; do echo "  - domain: $z"; done
} >"$T_DIR/knot.conf"
t_spawn "$T_DIR/knot.log" knotd -c "$T_DIR/knot.conf"

# ---------------------------------------------------------------- rodnsd
mkdir -p "$T_DIR/rodns"
{
	cat <<EOF
server:
  listen: ["127.0.0.1@$RPORT"]
  workers: 2
  state-dir: $T_DIR/rodns
  user: root
  control: $T_DIR/rodns/control.sock
  metrics: off
  max-udp-payload: 1232
events:
  syslog: false
zones:
EOF
	for z in $ZONES; do
		echo "  - name: $z"
		echo "    primaries: [\"127.0.0.1@$PPORT\"]"
	done
} >"$T_DIR/rodns.yaml"
t_spawn "$T_DIR/rodnsd.log" "$RODNSD" -c "$T_DIR/rodns.yaml"

# ---------------------------------------------------------------- serials
serial() { # PORT ZONE
	dig +short +norec +time=1 +tries=1 -p "$1" @127.0.0.1 "$2" SOA 2>/dev/null |
		awk 'NF == 7 { print $3 }'
}
same_serial() { # PORT ZONE SERIAL
	[ "$(serial "$1" "$2")" = "$3" ]
}
for z in $ZONES; do
	s=$(serial "$PPORT" "$z")
	[ -n "$s" ] || t_abort "the primary does not serve $z"
	# Knot retries a failed bootstrap only after a back-off: ask it again
	if ! wait_for 15 same_serial "$KPORT" "$z" "$s"; then
		knotc -c "$T_DIR/knot.conf" zone-retransfer "$z" >/dev/null 2>&1
	fi
	if ! wait_for 45 same_serial "$KPORT" "$z" "$s"; then
		tail -n 20 "$T_DIR/knot.log" >&2
		t_abort "Knot did not load $z ($s)"
	fi
	if ! wait_for 60 same_serial "$RPORT" "$z" "$s"; then
		tail -n 20 "$T_DIR/rodnsd.log" >&2
		t_abort "rodnsd did not load $z ($s)"
	fi
	t_pass "$z: Knot and rodnsd serve serial $s"
done

# ---------------------------------------------------------------- queries
# run_diff ZONE LABEL [qgen options]: qgen.py's result line becomes the
# check's name.
run_diff() {
	local out="$T_DIR/$2.diff" rc z=$1 label=$2
	shift 2
	python3 "$T_LIB_DIR/qgen.py" --zone "$z" --names "$T_DIR/z/$z.names" \
		--ref "127.0.0.1:$KPORT" --rodns "127.0.0.1:$RPORT" --count "$COUNT" \
		--seed "${QGEN_SEED:-1}" --label "$label" --show "${QGEN_SHOW:-6}" "$@" \
		>"$out" 2>&1
	rc=$?
	sed '$d' "$out" >&2
	if [ "$rc" -eq 0 ]; then t_pass "$(tail -n 1 "$out")"; else t_fail "$(tail -n 1 "$out")"; fi
}
run_diff nsec.answer.test nsec
run_diff nsec3.answer.test nsec3 --nsec3 abcd:1
# the header and EDNS dimension: random AA/TC/RD/RA/Z/AD/CD, unknown
# opcodes, EDNS versions above 0, unknown options and EDNS flags, payloads
# below 512; every header bit, RCODE and OPT flag compared
HCOUNT=${QGEN_HEADER_COUNT:-2500}
run_diff nsec.answer.test nsec-header --header --count "$HCOUNT"
run_diff nsec3.answer.test nsec3-header --nsec3 abcd:1 --header --count "$HCOUNT"
t_summary
