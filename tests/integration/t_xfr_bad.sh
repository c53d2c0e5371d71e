#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# t_xfr_bad: rodnsd against a primary that gets transfers wrong on purpose.
#
#   BIND (primary, 127.0.0.1@P1, re-signs dynamic updates, journals IXFR,
#   NOTIFYs rodnsd) <- rodns-fakeprimary (P2, mutates what BIND sends, mode
#   read from a control file per query) <- rodnsd (P3, primary = P2, tcp).
#
# Every case starts from rodnsd holding the primary's serial (pass-through),
# switches the fake primary's mode, changes the zone on BIND with nsupdate
# (a deletion, a modification and an addition; BIND re-signs them and
# NOTIFYs rodnsd) and checks what rodnsd stored (rodns-dump) against the
# primary (dig AXFR), both normalised by ldns-read-zone -z:
#   rejected  bad-id, truncate, flip (RDLENGTH broken), out-of-zone: IXFR and
#             the AXFR fallback both fail; the serial and every record stay;
#             the log line names zone, primary, transport and the reason;
#   fallback  ixfr-bad-delete, ixfr-dup-add, ixfr-gap (two diffs, one
#             dropped; and one diff with a bent serial), rcode=1/2/4/5,
#             "truncate 1" (only the IXFR is cut): the IXFR is abandoned
#             (logged with its reason), AXFR ends with the primary's data;
#   accepted  axfr-style-ixfr (taken as a full zone, no fallback),
#             ixfr-omit-rrsig-del (applied as IXFR; rodns prunes the stale
#             RRSIGs: one RRSIG per owner/type covered/key tag, data exact),
#             once with the stale RRSIGs a second older than the new ones and
#             once with both made in the same second (same inception);
#   serial    serial-down (SOA and transfers lower): nothing transferred,
#             serial kept; serial-down-xfr (only the transfers lower): the
#             stored serial must not go backwards;
#   single-soa  IXFR answered with the current SOA alone: the zone is left
#             as is (or, if rodns falls back to AXFR, is the primary's data);
#   oversize  a second rodnsd with max-rrs below the zone size: the AXFR is
#             rejected and nothing is stored.
# SC2317: functions run through t_check/wait_for, which shellcheck cannot see.
# shellcheck disable=SC2317
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/xfr_lib.sh
. "$HERE/xfr_lib.sh"
t_init xfr_bad

ZONE=$XFR_ZONE
RODNSD=$RODNS_BUILD/rodnsd
FAKE=$RODNS_BUILD/tools/rodns-fakeprimary
for b in "$RODNSD" "$FAKE" "$XFR_DUMP"; do
	[ -x "$b" ] || t_abort "no $b (run make all)"
done
xfr_need_tools

if ! { P1=$(free_port) && P2=$(free_port) && P3=$(free_port) && P4=$(free_port) &&
	PR=$(free_port); }; then
	t_abort "no free ports"
fi
ZD=$T_DIR/zone
bash "$HERE/mkzone.sh" 300 "$ZD" nsec "$ZONE" >/dev/null || t_abort "mkzone.sh failed"
xfr_primary_start "$T_DIR/ns" "$ZD" "$P1" "$PR" "$P3" || t_abort "BIND primary did not start"

MODE_FILE=$T_DIR/fake.mode
FLOG=$T_DIR/fake.log
echo pass >"$MODE_FILE"
t_spawn "$FLOG" "$FAKE" -p "$P2" -u "$P1" -c "$MODE_FILE"
wait_log 10 "$FLOG" "listening on port" || t_abort "rodns-fakeprimary did not start"

# write_conf FILE PORT STATE_DIR PRIMARY_PORT [EXTRA_ZONE_KEY...]
write_conf() {
	local f=$1 port=$2 state=$3 pport=$4 k
	shift 4
	mkdir -p "$state"
	{
		cat <<EOF
server:
  listen: ["127.0.0.1@$port"]
  workers: 1
  state-dir: $state
  user: root
  control: $state/control.sock
  metrics: off
events:
  syslog: false
zones:
  - name: $ZONE
    primaries: [{ address: "127.0.0.1@$pport", transport: tcp }]
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
		for k in "$@"; do echo "    $k"; done
	} >"$f"
}

STORE=$T_DIR/state/rodns.sqlite
RLOG=$T_DIR/rodnsd.log
write_conf "$T_DIR/rodns.yaml" "$P3" "$T_DIR/state" "$P2"
"$RODNSD" -t -c "$T_DIR/rodns.yaml" >/dev/null || t_abort "rodnsd rejects the test config"
t_spawn "$RLOG" "$RODNSD" -c "$T_DIR/rodns.yaml"
RODNSD_PID=$T_LAST_PID

stored_is() { [ "$(xfr_stored "$STORE")" = "$1" ]; }
set_mode() { echo "$*" >"$MODE_FILE"; }

S0=$(xfr_serial "$P1")
[ -n "$S0" ] || t_abort "the primary does not answer"
wait_for 60 stored_is "$S0" || {
	tail -n 5 "$RLOG"
	t_abort "rodnsd did not transfer the zone at start"
}
t_check "initial AXFR: stored zone equals the primary's" \
	cmp -s <(xfr_norm_store "$STORE") <(xfr_norm_axfr "$P1")

# ---------------------------------------------------------------- helpers

# resync: pass-through mode, and rodnsd at the primary's serial.
resync() {
	local want
	set_mode pass
	want=$(xfr_serial "$P1")
	[ -n "$want" ] || return 1
	stored_is "$want" && return 0
	xfr_rndc notify "$ZONE" >/dev/null 2>&1
	# the serial is visible at commit, the log line comes just after
	wait_for 60 stored_is "$want" && wait_log 60 "$RLOG" "-> $want, "
}

# change: one update that deletes an A RRset, replaces another, adds a name.
CHG=0
change() {
	local del mod
	CHG=$((CHG + 1))
	del=$(sed -n "$((2 * CHG - 1))p" "$ZD/anames.txt")
	mod=$(sed -n "$((2 * CHG))p" "$ZD/anames.txt")
	xfr_update "update delete $del A" "update delete $mod A" \
		"update add $mod 3600 A 10.77.$CHG.1" \
		"update add chg$CHG.$ZONE. 3600 A 10.78.$CHG.1" >/dev/null 2>&1 ||
		echo "# nsupdate failed for change $CHG"
}

# begin TAG MODE: resync, remember the state and log counts, set the mode.
begin() {
	TAG=$1
	if ! resync; then
		t_fail "$TAG: rodnsd did not catch up with the primary before the case"
		return 1
	fi
	OLD=$(xfr_stored "$STORE")
	xfr_norm_store "$STORE" >"$T_DIR/old.txt"
	N_FAIL=$(xfr_count "$RLOG" "[6521] $ZONE.: refresh failed")
	N_FB=$(xfr_count "$RLOG" "[6523] $ZONE.:")
	N_DONE=$(xfr_count "$RLOG" "[6520] $ZONE.:")
	N_OLDER=$(xfr_count "$RLOG" "older than ours")
	N_APPLIED=$(xfr_count "$FLOG" "mode=$2 (applied)")
	set_mode "$2"
}

# same_files TAG A B: passes when equal, else shows the start of the diff.
same_files() {
	if cmp -s "$2" "$3"; then
		t_pass "$1"
	else
		t_fail "$1"
		diff "$2" "$3" | head -n 8 | sed 's/^/#   /'
	fi
}

# check_kept: serial and every record as before the case.
check_kept() {
	local s
	s=$(xfr_stored "$STORE")
	if [ "$s" = "$OLD" ]; then
		t_pass "$TAG: stored serial stays $OLD"
	else
		t_fail "$TAG: stored serial is $s, expected the old $OLD"
	fi
	xfr_norm_store "$STORE" >"$T_DIR/now.txt"
	same_files "$TAG: stored records unchanged" "$T_DIR/old.txt" "$T_DIR/now.txt"
}

# check_primary: serial and every record as the primary's.
check_primary() {
	local s want
	s=$(xfr_stored "$STORE")
	want=$(xfr_serial "$P1")
	if [ "$s" = "$want" ]; then
		t_pass "$TAG: stored serial is the primary's ($want)"
	else
		t_fail "$TAG: stored serial is $s, the primary has $want"
	fi
	xfr_norm_store "$STORE" >"$T_DIR/now.txt"
	xfr_norm_axfr "$P1" >"$T_DIR/primary.txt"
	same_files "$TAG: stored zone equals the primary's AXFR" "$T_DIR/primary.txt" \
		"$T_DIR/now.txt"
}

# expect_line LOG PEER_PORT TEXT WORD: the newest line of LOG holding TEXT
# names the zone, the primary, the transport, and holds WORD (the reason).
expect_line() {
	local log=$1 peer="127.0.0.1@$2" text=$3 word=$4 line need
	line=$(grep -F -- "$text" "$log" | tail -n 1)
	for need in "$ZONE.:" "$peer" "over tcp" "$word"; do
		case "$line" in
		*"$need"*) ;;
		*)
			t_fail "$TAG: log line lacks '$need': ${line:-<no line with \"$text\">}"
			return
			;;
		esac
	done
	t_pass "$TAG: log names zone, primary, transport and reason ('$word')"
}

# expect_applied: the fake primary says it really applied the mutation.
expect_applied() {
	if xfr_more "$FLOG" "mode=$(head -n 1 "$MODE_FILE") (applied)" "$N_APPLIED"; then
		t_pass "$TAG: the fake primary applied the mutation"
	else
		t_fail "$TAG: the fake primary never applied the mutation (see $FLOG)"
	fi
}

no_fallback() {
	if xfr_more "$RLOG" "[6523] $ZONE.:" "$N_FB"; then
		t_fail "$TAG: unexpected IXFR fallback: $(grep -F "[6523]" "$RLOG" | tail -n 1)"
	else
		t_pass "$TAG: no fallback to AXFR"
	fi
}

# outcome_logged: a transfer completed or a refresh failed since begin.
outcome_logged() {
	xfr_more "$RLOG" "[6520] $ZONE.:" "$N_DONE" ||
		xfr_more "$RLOG" "[6521] $ZONE.: refresh failed" "$N_FAIL"
}

# ---------------------------------------------------------------- cases

# case_reject MODE WORD: IXFR and the AXFR fallback must both be refused.
case_reject() {
	begin "$1" "$1" || return
	change
	if ! xfr_wait_more 60 "$RLOG" "[6521] $ZONE.: refresh failed" "$N_FAIL"; then
		t_fail "$TAG: no refresh failure logged"
		return
	fi
	expect_applied
	check_kept
	expect_line "$RLOG" "$P2" "refresh failed" "$2"
}

# case_fallback MODE WORD [TRIGGER]: the IXFR is abandoned, AXFR completes.
case_fallback() {
	begin "$1${3:+ ($3)}" "$1" || return
	"${3:-change}"
	if ! xfr_wait_more 60 "$RLOG" "[6520] $ZONE.:" "$N_DONE"; then
		t_fail "$TAG: no transfer completed: $(grep -F "[652" "$RLOG" | tail -n 1)"
		return
	fi
	expect_applied
	if xfr_more "$RLOG" "[6523] $ZONE.:" "$N_FB"; then
		t_pass "$TAG: IXFR abandoned, AXFR used"
		expect_line "$RLOG" "$P2" "[6523] $ZONE.:" "$2"
	else
		t_fail "$TAG: no IXFR fallback logged: $(grep -F "[6520]" "$RLOG" | tail -n 1)"
	fi
	check_primary
}

# Two updates that rodnsd does not fetch (the SOA it sees is lower), then a
# NOTIFY: the IXFR it asks for has two diffs.
gap_trigger() {
	set_mode serial-down
	change
	xfr_wait_more 60 "$RLOG" "older than ours" "$N_OLDER"
	change
	xfr_wait_more 60 "$RLOG" "older than ours" "$((N_OLDER + 1))"
	set_mode ixfr-gap
	xfr_rndc notify "$ZONE" >/dev/null 2>&1
}

case_axfr_style() {
	begin axfr-style-ixfr axfr-style-ixfr || return
	change
	if ! xfr_wait_more 60 "$RLOG" "[6520] $ZONE.:" "$N_DONE"; then
		t_fail "$TAG: no transfer completed"
		return
	fi
	expect_applied
	no_fallback
	case "$(grep -F "[6520] $ZONE.:" "$RLOG" | tail -n 1)" in
	*"AXFR from 127.0.0.1@$P2 over tcp"*) t_pass "$TAG: applied as a full zone" ;;
	*) t_fail "$TAG: not applied as a full zone" ;;
	esac
	check_primary
}

# one_rrsig_each: no two RRSIGs share owner, type covered and key tag.
one_rrsig_each() {
	local dup
	dup=$(awk '$4 == "RRSIG" { print tolower($1), $5, $11 }' "$T_DIR/now.txt" |
		sort | uniq -d | head -n 3)
	[ -z "$dup" ] && return 0
	echo "# duplicate RRSIGs: $dup"
	return 1
}

# check_omit_rrsig: after an IXFR without RRSIG deletions, rodns pruned them.
check_omit_rrsig() {
	local line pruned
	if ! xfr_wait_more 60 "$RLOG" "[6520] $ZONE.:" "$N_DONE"; then
		t_fail "$TAG: no transfer completed: $(grep -F "[652" "$RLOG" | tail -n 1)"
		return
	fi
	expect_applied
	no_fallback
	line=$(grep -F "[6520] $ZONE.:" "$RLOG" | tail -n 1)
	pruned=$(echo "$line" | sed -n 's/.* \([0-9]*\) RRSIGs pruned.*/\1/p')
	case "$line" in
	*"IXFR from"*) t_pass "$TAG: applied as IXFR" ;;
	*) t_fail "$TAG: not applied as IXFR: $line" ;;
	esac
	if [ "${pruned:-0}" -gt 0 ]; then
		t_pass "$TAG: $pruned superseded or orphaned RRSIGs pruned"
	else
		t_fail "$TAG: nothing pruned: $line"
	fi
	check_primary
	t_check "$TAG: one RRSIG per (owner, type covered, key tag)" one_rrsig_each
}

# BIND dates a signature's inception to the second: wait a second so that
# the new RRSIGs are later than the ones they replace.
case_omit_rrsig() {
	begin ixfr-omit-rrsig-del ixfr-omit-rrsig-del || return
	sleep 1.1
	change
	check_omit_rrsig
}

early_in_second() { [ $((10#$(date +%N))) -lt 300000000 ]; }

# The same with the old signatures made in the same second as the new ones
# (two updates within one second, as a busy dynamic zone has): same
# inception, so only "added by this transfer" can tell which one is newer.
case_omit_same_second() {
	local t0 t1 _
	for _ in 1 2 3; do
		begin "ixfr-omit-rrsig-del (same second)" pass || return
		wait_for 3 early_in_second
		t0=$(date +%s)
		change
		resync || continue
		begin "ixfr-omit-rrsig-del (same second)" ixfr-omit-rrsig-del || return
		change
		t1=$(date +%s)
		[ "$t0" = "$t1" ] && break
		echo "# $TAG: the two updates straddled a second; trying again"
		xfr_wait_more 60 "$RLOG" "[6520] $ZONE.:" "$N_DONE"
	done
	if [ "$t0" != "$t1" ]; then
		t_fail "$TAG: could not make two updates within one second"
		return
	fi
	check_omit_rrsig
}

case_serial_down() {
	begin serial-down serial-down || return
	change
	if ! xfr_wait_more 60 "$RLOG" "older than ours" "$N_OLDER"; then
		t_fail "$TAG: the lower serial was not noticed: $(grep -F "[652" "$RLOG" | tail -n 1)"
		return
	fi
	expect_applied
	check_kept
	expect_line "$RLOG" "$P2" "older than ours" "older than ours"
}

# The SOA probe shows the real (newer) serial; the transfers carry a lower one.
case_serial_down_xfr() {
	local s
	begin serial-down-xfr serial-down-xfr || return
	change
	if ! wait_for 60 outcome_logged; then
		t_fail "$TAG: no outcome logged"
		return
	fi
	expect_applied
	s=$(xfr_stored "$STORE")
	if [ "$s" -ge "$OLD" ] 2>/dev/null; then
		t_pass "$TAG: stored serial did not go backwards ($OLD -> $s)"
	else
		t_fail "$TAG: stored serial went backwards: $OLD -> $s" \
			"($(grep -F "[6520] $ZONE.:" "$RLOG" | tail -n 1))"
	fi
	xfr_norm_store "$STORE" >"$T_DIR/now.txt"
	same_files "$TAG: stored records unchanged" "$T_DIR/old.txt" "$T_DIR/now.txt"
}

# A primary that answers FORMERR to any query with an OPT (RFC 6891 §7):
# the SOA probe asks again without EDNS and the change arrives.
case_no_edns() {
	begin no-edns no-edns || return
	change
	if ! wait_for 60 outcome_logged; then
		t_fail "$TAG: no outcome logged"
		return
	fi
	expect_applied
	if xfr_more "$RLOG" "[6520] $ZONE.:" "$N_DONE"; then
		t_pass "$TAG: the change arrived (the probe asked again without EDNS)"
	else
		t_fail "$TAG: refresh failed: $(grep -F "[6521] $ZONE.:" "$RLOG" | tail -n 1)"
	fi
}

case_single_soa() {
	local s
	begin single-soa single-soa || return
	change
	if ! wait_for 60 outcome_logged; then
		t_fail "$TAG: no outcome logged"
		return
	fi
	expect_applied
	if xfr_more "$RLOG" "[6520] $ZONE.:" "$N_DONE"; then
		case "$(grep -F "[6520] $ZONE.:" "$RLOG" | tail -n 1)" in
		*"AXFR from"*) t_pass "$TAG: nothing applied from the lone SOA" ;;
		*) t_fail "$TAG: an IXFR was applied from a lone SOA" ;;
		esac
	fi
	s=$(xfr_stored "$STORE")
	if [ "$s" = "$OLD" ]; then
		check_kept
	else
		echo "# $TAG: rodnsd fell back to AXFR (serial $OLD -> $s)"
		check_primary
	fi
}

case_oversize() {
	local conf=$T_DIR/small.yaml store=$T_DIR/state2/rodns.sqlite log=$T_DIR/rodnsd2.log pid
	TAG=oversize
	write_conf "$conf" "$P4" "$T_DIR/state2" "$P1" "max-rrs: 100"
	t_spawn "$log" "$RODNSD" -c "$conf"
	pid=$T_LAST_PID
	if xfr_wait_more 60 "$log" "[6521] $ZONE.: refresh failed" 0; then
		expect_line "$log" "$P1" "refresh failed" "max-rrs"
	else
		t_fail "$TAG: no refresh failure logged"
	fi
	t_stop "$pid"
	local s
	s=$(xfr_stored "$store")
	if [ "$s" = "-" ]; then
		t_pass "$TAG: nothing stored"
	else
		t_fail "$TAG: stored serial is '$s', expected none"
	fi
}

case_reject bad-id "message ID"
case_reject truncate "closed"
case_reject flip "malformed"
case_reject out-of-zone "outside the zone"
case_serial_down
case_serial_down_xfr
case_fallback ixfr-bad-delete "does not hold"
case_fallback ixfr-dup-add "already holds"
case_fallback ixfr-gap "neither ours"
case_fallback ixfr-gap "not contiguous" gap_trigger
case_fallback "truncate 1" "closed"
for rc in 1 2 4 5; do
	case_fallback "rcode=$rc" "RCODE $rc"
done
case_axfr_style
case_omit_rrsig
case_omit_same_second
case_single_soa
case_no_edns
case_oversize

kill -0 "$RODNSD_PID" 2>/dev/null || t_fail "rodnsd died during the test"
t_summary
