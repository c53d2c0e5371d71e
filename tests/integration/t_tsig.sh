#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# t_tsig: TSIG (RFC 8945) between rodnsd and BIND 9.18.
#
#   BIND (primary, 127.0.0.1@P1, key "xfr" hmac-sha256, allow-transfer
#   { key xfr; }, signed NOTIFYs to P3 and P4) <- rodnsd A (P3, tsig: xfr)
#   BIND <- rodns-fakeprimary (P2, tsig-flip: upstream bytes as they came but
#   one RDATA octet in the middle message) <- rodnsd D (P4) and E (P5)
#
#   keyed     A: AXFR at start and an IXFR after a change (triggered by
#             BIND's signed NOTIFY), each equal to `dig -y` AXFR of the
#             primary (ldns-read-zone -z on both sides);
#   notify    dig as the notifier: unsigned NOTIFY refused (the zone's
#             primary uses TSIG), signed NOTIFY accepted and dig verifies
#             the signed answer, wrong secret answered NOTAUTH/BADSIG;
#   tampered  D held the zone through the fake primary in pass-through
#             (proves the raw pass keeps BIND's TSIGs valid), then the IXFR
#             with a flipped octet is rejected (serial and records kept,
#             BADSIG logged); E starts empty and the multi-message AXFR with
#             a flipped octet is rejected whole (nothing stored);
#   bad keys  A restarted with a wrong secret, then with hmac-sha512: the
#             refresh fails (TSIG BADSIG / BADKEY logged), the serial stays;
#             A restarted with the right key catches up by IXFR.
# SC2317: functions run through t_check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/xfr_lib.sh
. "$HERE/xfr_lib.sh"
t_init tsig

ZONE=$XFR_ZONE
RODNSD=$RODNS_BUILD/rodnsd
FAKE=$RODNS_BUILD/tools/rodns-fakeprimary
for b in "$RODNSD" "$FAKE" "$XFR_DUMP"; do
	[ -x "$b" ] || t_abort "no $b (run make all)"
done
xfr_need_tools

if ! { P1=$(free_port) && P2=$(free_port) && P3=$(free_port) && P4=$(free_port) &&
	P5=$(free_port) && PR=$(free_port); }; then
	t_abort "no free ports"
fi
SECRET=$(head -c 32 /dev/urandom | base64)
BADSECRET=$(head -c 32 /dev/urandom | base64)
ZD=$T_DIR/zone
bash "$HERE/mkzone.sh" 300 "$ZD" nsec "$ZONE" >/dev/null || t_abort "mkzone.sh failed"

# ------------------------------------------------------------ the primary

# BIND as in xfr_lib.sh's xfr_primary_start, with the TSIG key: transfers
# only with the key, NOTIFYs signed with it.
NS=$T_DIR/ns
mkdir -p "$NS/keys"
cp "$ZD/$ZONE.signed" "$NS/$ZONE.db"
cp "$ZD"/keys/K* "$NS/keys/"
rndc-confgen -a -k xfr-rndc -c "$NS/rndc.key" >/dev/null 2>&1 || t_abort "rndc-confgen failed"
XFR_RNDC_PORT=$PR
XFR_RNDC_KEY=$NS/rndc.key
XFR_PRIMARY_PORT=$P1
cat >"$NS/named.conf" <<EOF
include "$NS/rndc.key";
key "xfr" { algorithm hmac-sha256; secret "$SECRET"; };
controls { inet 127.0.0.1 port $PR allow { 127.0.0.1; } keys { xfr-rndc; }; };
options {
	directory "$NS";
	pid-file none;
	session-keyfile "$NS/session.key";
	managed-keys-directory "$NS";
	listen-on port $P1 { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	allow-query { any; };
	allow-transfer { key xfr; };
	ixfr-from-differences yes;
	max-journal-size unlimited;
	notify explicit;
	also-notify { 127.0.0.1 port $P3 key xfr; 127.0.0.1 port $P4 key xfr; };
	notify-delay 0;
	key-directory "$NS/keys";
};
zone "$ZONE" {
	type primary;
	file "$ZONE.db";
	allow-update { 127.0.0.1; };
};
EOF
start_named primary "$NS/named.conf" || t_abort "BIND primary did not start"
BLOG=$T_DIR/primary.log

MODE_FILE=$T_DIR/fake.mode
FLOG=$T_DIR/fake.log
echo "tsig-flip 1000" >"$MODE_FILE" # raw pass-through: no transfer is the 1000th
t_spawn "$FLOG" "$FAKE" -p "$P2" -u "$P1" -c "$MODE_FILE"
wait_log 10 "$FLOG" "listening on port" || t_abort "rodns-fakeprimary did not start"

# ---------------------------------------------------------------- helpers

# write_conf FILE PORT STATE_DIR PRIMARY_PORT ALGORITHM SECRET
write_conf() {
	mkdir -p "$3"
	cat >"$1" <<EOF
server:
  listen: ["127.0.0.1@$2"]
  workers: 1
  state-dir: $3
  user: root
  control: $3/control.sock
  metrics: off
events:
  syslog: false
tsig-keys:
  - { name: xfr, algorithm: $5, secret: "$6" }
zones:
  - name: $ZONE
    primaries: [{ address: "127.0.0.1@$4", transport: tcp, tsig: xfr }]
    notify-from: ["127.0.0.1"]
    refresh-min: 1h
    refresh-max: 1h
    retry-min: 1h
    retry-max: 1h
    expire-min: 1w
    expire-max: 4w
    xfr-idle-timeout: 10s
    xfr-timeout: 1m
EOF
}

# run_rodnsd NAME PORT PRIMARY_PORT ALGORITHM SECRET: starts rodnsd NAME
# (state in $T_DIR/NAME, log $T_DIR/NAME-N.log, N counting the starts) and
# waits until it answers. Sets RPID and RLOG.
declare -A STARTS
run_rodnsd() {
	local n=$1 port=$2 c=$T_DIR/$1.yaml
	STARTS[$n]=$((${STARTS[$n]:-0} + 1))
	write_conf "$c" "$port" "$T_DIR/$n" "$3" "$4" "$5"
	"$RODNSD" -t -c "$c" >/dev/null || return 1
	RLOG=$T_DIR/$n-${STARTS[$n]}.log
	t_spawn "$RLOG" "$RODNSD" -c "$c"
	RPID=$T_LAST_PID
	wait_for 15 answers "$port" && return 0
	echo "   rodnsd $n does not answer on port $port; its log ends:" >&2
	tail -n 5 "$RLOG" >&2
	return 1
}

answers() {
	dig +norec +time=1 +tries=1 @127.0.0.1 -p "$1" "$ZONE" SOA | grep -q 'status: '
}

stored_is() { [ "$(xfr_stored "$1")" = "$2" ]; }

# The primary's zone through `dig -y` (it transfers only with the key),
# without the TSIG RRs dig prints with each message.
norm_axfr_key() {
	local f
	f=$(mktemp "$T_DIR/axfr.XXXXXX") || return 1
	dig -y "hmac-sha256:xfr:$SECRET" +onesoa +nocmd +nostats +time=10 @127.0.0.1 -p "$P1" \
		"$ZONE" AXFR | awk '!/^;/ && $4 != "TSIG"' >"$f" && xfr_norm "$f"
	rm -f "$f"
}

# same_zone TAG STORE: the store holds exactly the primary's zone.
same_zone() {
	xfr_norm_store "$2" >"$T_DIR/store.txt"
	norm_axfr_key >"$T_DIR/primary.txt"
	if [ -s "$T_DIR/primary.txt" ] && cmp -s "$T_DIR/store.txt" "$T_DIR/primary.txt"; then
		t_pass "$1"
	else
		t_fail "$1"
		diff "$T_DIR/primary.txt" "$T_DIR/store.txt" | head -n 8 | sed 's/^/#   /'
	fi
}

# expect_serial TAG STORE SERIAL
expect_serial() {
	local s
	s=$(xfr_stored "$2")
	if [ "$s" = "$3" ]; then
		t_pass "$1 (serial $3)"
	else
		t_fail "$1: stored serial is $s, expected $3"
	fi
}

# last_line_has TAG LOG TEXT WORD...: the newest line of LOG holding TEXT
# holds every WORD.
last_line_has() {
	local tag=$1 log=$2 text=$3 line w
	shift 3
	line=$(grep -F -- "$text" "$log" | tail -n 1)
	for w in "$@"; do
		case "$line" in *"$w"*) ;; *)
			t_fail "$tag: no '$w' in: ${line:-<no line with \"$text\">}"
			return
			;;
		esac
	done
	t_pass "$tag"
}

CHG=0
change() {
	local del
	CHG=$((CHG + 1))
	del=$(sed -n "${CHG}p" "$ZD/anames.txt")
	xfr_update "update delete $del A" "update add tsig$CHG.$ZONE. 3600 A 10.79.$CHG.1" \
		>/dev/null 2>&1 || echo "# nsupdate failed for change $CHG"
}

# dig_notify PORT [KEYSPEC]: a NOTIFY for the zone, signed with KEYSPEC
# (dig -y syntax) when given; dig's output on stdout.
dig_notify() {
	local k=()
	[ $# -gt 1 ] && k=(-y "$2")
	dig +opcode=notify +norec +time=3 +tries=1 "${k[@]}" @127.0.0.1 -p "$1" "$ZONE" SOA 2>&1
}

FAILED="[6521] $ZONE.: refresh failed"

# ---------------------------------------------------------- keyed transfers

S0=$(xfr_serial "$P1")
[ -n "$S0" ] || t_abort "the primary does not answer"
run_rodnsd a "$P3" "$P1" hmac-sha256 "$SECRET" || t_abort "rodnsd A did not start"
A_PID=$RPID A_LOG=$RLOG
A_STORE=$T_DIR/a/rodns.sqlite
run_rodnsd d "$P4" "$P2" hmac-sha256 "$SECRET" || t_abort "rodnsd D did not start"
D_LOG=$RLOG
D_STORE=$T_DIR/d/rodns.sqlite

wait_for 60 stored_is "$A_STORE" "$S0" || tail -n 3 "$A_LOG"
expect_serial "keyed AXFR at start" "$A_STORE" "$S0"
last_line_has "the AXFR is logged as such" "$A_LOG" "[6520] $ZONE.:" "AXFR from"
same_zone "keyed AXFR: stored zone equals dig -y AXFR of the primary" "$A_STORE"

wait_for 60 stored_is "$D_STORE" "$S0" || tail -n 3 "$D_LOG"
expect_serial "AXFR through the fake primary's raw pass-through" "$D_STORE" "$S0"
n=$(grep -F "AXFR mode=tsig-flip 1000" "$FLOG" | tail -n 1 | sed -n 's/.*: \([0-9]*\) msgs in.*/\1/p')
if [ "${n:-0}" -gt 2 ]; then
	t_pass "BIND's AXFR came in $n messages"
else
	t_fail "BIND's AXFR came in ${n:-?} messages (want 3 or more for a middle message)"
fi

# ------------------------------------------------------------------ NOTIFY

out=$(dig_notify "$P3")
case "$out" in *"status: REFUSED"*) t_pass "unsigned NOTIFY refused (zone uses TSIG)" ;;
*) t_fail "unsigned NOTIFY: $(echo "$out" | grep -m1 status:)" ;; esac
out=$(dig_notify "$P3" "hmac-sha256:xfr:$SECRET")
if echo "$out" | grep -q "status: NOERROR" && echo "$out" | grep -q "TSIG PSEUDOSECTION" &&
	! echo "$out" | grep -qi "verify"; then
	t_pass "signed NOTIFY accepted, dig verifies our signed answer"
else
	t_fail "signed NOTIFY:"
	echo "$out" | grep -iE 'status:|verify|TSIG' | head -n 4 | sed 's/^/#   /'
fi
out=$(dig_notify "$P3" "hmac-sha256:xfr:$BADSECRET")
if echo "$out" | grep -q "status: NOTAUTH" && echo "$out" | grep -q "BADSIG"; then
	t_pass "NOTIFY with a wrong secret: NOTAUTH, TSIG error BADSIG"
else
	t_fail "NOTIFY with a wrong secret:"
	echo "$out" | grep -iE 'status:|verify|TSIG|BAD' | head -n 4 | sed 's/^/#   /'
fi

# -------------------------------------------------- IXFR, and a tampered one

echo "tsig-flip" >"$MODE_FILE"
nd=$(xfr_count "$D_LOG" "$FAILED")
nbad=$(xfr_count "$BLOG" "tsig verify failure")
change
S1=$(xfr_serial "$P1")
# BIND NOTIFYs A and D (signed); A takes the IXFR directly, D through the fake.
wait_for 60 stored_is "$A_STORE" "$S1" || tail -n 3 "$A_LOG"
expect_serial "keyed IXFR after BIND's signed NOTIFY" "$A_STORE" "$S1"
last_line_has "the IXFR is logged as such" "$A_LOG" "[6520] $ZONE.:" "IXFR from" "-> $S1"
same_zone "keyed IXFR: stored zone equals dig -y AXFR of the primary" "$A_STORE"
t_check "no IXFR fallback" [ "$(xfr_count "$A_LOG" "[6523]")" -eq 0 ]
t_check "BIND saw no TSIG failure in our answers to its NOTIFYs" \
	[ "$(xfr_count "$BLOG" "tsig verify failure")" -eq "$nbad" ]

xfr_wait_more 60 "$D_LOG" "$FAILED" "$nd" || tail -n 3 "$D_LOG"
expect_serial "tampered IXFR rejected" "$D_STORE" "$S0"
last_line_has "tampered IXFR: reason names TSIG and BADSIG" "$D_LOG" "$FAILED" \
	"127.0.0.1@$P2" "IXFR" "TSIG" "BADSIG"
t_check "the fake primary did flip an octet" xfr_more "$FLOG" "IXFR mode=tsig-flip (applied)" 0
# D's records are S0's: compare with what A held at S0 is no longer
# possible, so check that nothing of change 1 arrived.
t_check "tampered IXFR: nothing of it stored" \
	bash -c "! '$XFR_DUMP' '$D_STORE' '$ZONE' | grep -q '^tsig1\.'"

# E: empty store, the whole AXFR tampered in its middle message.
run_rodnsd e "$P5" "$P2" hmac-sha256 "$SECRET" || t_abort "rodnsd E did not start"
E_LOG=$RLOG
xfr_wait_more 60 "$E_LOG" "$FAILED" 0 || tail -n 3 "$E_LOG"
expect_serial "tampered multi-message AXFR rejected whole" "$T_DIR/e/rodns.sqlite" "-"
last_line_has "tampered AXFR: reason names TSIG and BADSIG" "$E_LOG" "$FAILED" "AXFR" \
	"TSIG" "BADSIG"
line=$(grep -F "AXFR mode=tsig-flip (applied)" "$FLOG" | tail -n 1)
n=$(echo "$line" | sed -n 's/.*: \([0-9]*\) msgs in.*/\1/p')
t_check "the tampered AXFR had a middle message ($n messages)" [ "${n:-0}" -gt 2 ]

# ---------------------------------------------------------------- bad keys

t_stop "$A_PID"
change
S2=$(xfr_serial "$P1")

# wrong secret: our NOTIFY (signed with the same wrong secret, so rodnsd
# takes it) starts a refresh whose SOA query BIND rejects.
run_rodnsd a "$P3" "$P1" hmac-sha256 "$BADSECRET" || t_abort "rodnsd A did not restart"
A_PID=$RPID A_LOG=$RLOG
dig_notify "$P3" "hmac-sha256:xfr:$BADSECRET" >/dev/null
xfr_wait_more 30 "$A_LOG" "$FAILED" 0 || tail -n 3 "$A_LOG"
expect_serial "wrong secret: refresh rejected, old serial kept" "$A_STORE" "$S1"
last_line_has "wrong secret: reason names TSIG and BADSIG" "$A_LOG" "$FAILED" "TSIG" "BADSIG"
t_stop "$A_PID"

# wrong algorithm: hmac-sha512 on our side, hmac-sha256 on BIND's.
run_rodnsd a "$P3" "$P1" hmac-sha512 "$SECRET" || t_abort "rodnsd A did not restart"
A_PID=$RPID A_LOG=$RLOG
dig_notify "$P3" "hmac-sha512:xfr:$SECRET" >/dev/null
xfr_wait_more 30 "$A_LOG" "$FAILED" 0 || tail -n 3 "$A_LOG"
expect_serial "wrong algorithm: refresh rejected, old serial kept" "$A_STORE" "$S1"
last_line_has "wrong algorithm: reason names TSIG and BADKEY" "$A_LOG" "$FAILED" "TSIG" \
	"BADKEY"
if xfr_norm_store "$A_STORE" | grep -q "^tsig2\."; then
	t_fail "wrong keys: change 2 arrived anyway"
else
	t_pass "wrong keys: nothing of change 2 stored"
fi
t_stop "$A_PID"

# the right key again: BIND's signed NOTIFY brings the IXFR.
run_rodnsd a "$P3" "$P1" hmac-sha256 "$SECRET" || t_abort "rodnsd A did not restart"
A_LOG=$RLOG
xfr_rndc notify "$ZONE" >/dev/null 2>&1
wait_for 60 stored_is "$A_STORE" "$S2" || tail -n 3 "$A_LOG"
expect_serial "right key again: caught up" "$A_STORE" "$S2"
last_line_has "caught up by IXFR" "$A_LOG" "[6520] $ZONE.:" "IXFR from" "$S1 -> $S2"
same_zone "right key again: stored zone equals dig -y AXFR of the primary" "$A_STORE"

t_summary
