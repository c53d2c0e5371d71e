#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# t_xfr: rodnsd's transfer invariants against a real BIND 9 primary.
#
# The primary (named -g) serves signed zones, accepts dynamic updates from
# 127.0.0.1 and re-signs what changes with the keys in its key-directory,
# keeps an IXFR journal and NOTIFYs rodnsd. rodnsd (build/rodnsd) is its
# secondary over plain TCP. Cases:
#   1 equivalence  nsec.test (NSEC) and nsec3.test (NSEC3), a few thousand
#                  names each: after the first AXFR and after each of
#                  XT_ROUNDS rounds of random nsupdate changes (records
#                  added, deleted and replaced at existing names, whole names
#                  deleted, new names and names below new empty
#                  non-terminals, RRset TTL changes; some rounds are two
#                  updates, some are large), once rodnsd's stored serial
#                  equals the primary's: rodns-dump == the primary's AXFR at
#                  that serial, RR for RR; exactly one RRSIG per (owner,
#                  type covered, key tag), like the primary; most transfers
#                  were IXFR and none fell back to AXFR.
#   3 journal gone the primary is stopped, its journal deleted and its zone
#                  file replaced by a re-signed copy with a higher serial:
#                  rodnsd cannot get an IXFR from its serial, takes a full
#                  transfer (6523, or a 6520 AXFR line) and ends equal.
#   2 NOTIFY       rodnsd restarted with refresh clamped to 1h..1d, so only
#                  NOTIFY explains a catch-up: after each nsupdate its serial
#                  follows within 30 s (the time is printed, target < 1 s).
#   4 restart      primary stopped, rodnsd restarted: "serving stored
#                  serial" at once, the store unchanged, the zone answered
#                  from it when answering exists (else that is printed), the
#                  timers resumed from the store (next refresh far away), no
#                  transfer.
#   5 crash        big.test (XT_BIG_N names): XT_CRASHES times a full
#                  transfer is started (rodnsd from a stored older serial
#                  with every transfer forced to AXFR, or from an empty
#                  store) and rodnsd is killed with SIGKILL at a random
#                  instant during it: the store holds exactly the old or the
#                  new serial and exactly the primary's data for it, SQLite's
#                  integrity_check says ok, and a restarted rodnsd reaches
#                  the new serial.
#   6 SIGTERM      SIGTERM during such a transfer: rodnsd exits within 30 s
#                  and the store holds the old serial and data.
# Order of the run: 1, 3, 2, 4 (case 3 still needs the short refresh
# clamps of case 1; case 2 the restart that case 4 then repeats), 5, 6.
#
# Comparisons go through xt_norm (xfrtest_lib.sh): ldns-read-zone -z on both
# sides, nothing else; a comparison needs the expected SOA serial on both
# sides and more than a minimum number of RRs.
#
# Ports come from 10000-19999 (xt_free_port: away from the 20000-32699 the
# other tests use; named and rodnsd bind with SO_REUSEPORT, so a shared port
# would not fail, it would split the traffic) and are checked to be ours.
#
# Env: XT_SEED (random seed, printed), XT_N (names per small zone, 3000),
# XT_ROUNDS (22), XT_BIG_N (50000), XT_CRASHES (20). T_KEEP=1 keeps $T_DIR.
# SC2317: functions run through t_check, which shellcheck cannot see.
# shellcheck disable=SC2317
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/xfrtest_lib.sh
. "$(dirname "$0")/xfrtest_lib.sh"
t_init xfr
PATH=$PATH:/usr/sbin:/sbin
# every path below is absolute; tools that drop files into the current
# directory (dnssec-signzone's dsset-*) drop them into $T_DIR
[ -d "$RODNS_BUILD" ] && RODNS_BUILD=$(cd "$RODNS_BUILD" && pwd)
cd "$T_DIR" || t_abort "cd $T_DIR"

RODNSD=$RODNS_BUILD/rodnsd
DUMP=$RODNS_BUILD/tools/rodns-dump
MKZONE=$T_LIB_DIR/mkzone.sh
[ -x "$RODNSD" ] || t_abort "no $RODNSD (run make all)"
[ -x "$DUMP" ] || t_abort "no $DUMP (run make all)"
[ -f "$MKZONE" ] || t_abort "no $MKZONE"
for c in named dig nsupdate ldns-read-zone sqlite3 dnssec-keygen dnssec-signzone ss awk; do
	command -v "$c" >/dev/null 2>&1 || t_abort "$c is not installed (make deps)"
done

SEED=${XT_SEED:-$(($(date +%s) % 100000))}
RANDOM=$SEED
N_SMALL=${XT_N:-3000}
ROUNDS=${XT_ROUNDS:-22}
N_BIG=${XT_BIG_N:-50000}
CRASHES=${XT_CRASHES:-20}
ZONES="nsec.test nsec3.test"
START=$(xt_now)
echo "   t_xfr: seed $SEED (XT_SEED=$SEED reproduces the updates and kill instants)"

info() { echo "   $*"; }

# start_rodns CONF LOG [PORT]: starts rodnsd, waits up to 30 s for its
# "rodnsd started" event, and checks that it alone listens on PORT; sets
# R_PID. On failure prints the log's tail.
start_rodns() {
	local i
	t_spawn "$2" "$RODNSD" -c "$1"
	R_PID=$T_LAST_PID
	for ((i = 0; i < 300; i++)); do
		if grep -qF "rodnsd started" "$2" 2>/dev/null; then
			[ -z "${3:-}" ] && return 0
			xt_port_owned "$3" "$R_PID" && return 0
			break
		fi
		kill -0 "$R_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "   rodnsd did not start ($2):" >&2
	tail -n 15 "$2" >&2
	xt_stop "$R_PID"
	return 1
}

# zre ZONE: ZONE as an extended regexp (dots escaped), final dot optional.
zre() { printf '%s\\.?' "${1//./\\.}"; }
# ev6520 LOG ZONE: the "transfer applied" event lines for ZONE in LOG.
ev6520() { grep -E "\[6520\] $(zre "$2"): " "$1" 2>/dev/null; }

# ev_info LOG ZONE N: prints the Nth 6520 line of ZONE in LOG (the event is
# logged just after the commit that makes the serial visible: wait for it).
ev_info() {
	xt_wait_grep 10 "$1" "\[6520\] $(zre "$2"): " "$3"
	info "  $(ev6520 "$1" "$2" | sed -n "$3p" | sed 's/.*\] //')"
}

# ---------------------------------------------------------------- zones
W=$T_DIR/work
mkdir -p "$W"
for z in $ZONES; do
	mode=nsec
	[ "$z" = nsec3.test ] && mode=nsec3
	SEED=$SEED bash "$MKZONE" "$N_SMALL" "$T_DIR/zones/$z" "$mode" "$z" >"$W/mkzone-$z.log" 2>&1 ||
		{ cat "$W/mkzone-$z.log"; t_abort "mkzone.sh $N_SMALL $z $mode"; }
done

# ---------------------------------------------------------------- primary 1
P1=$T_DIR/p1
mkdir -p "$P1/keys"
PP1=$(xt_free_port) || t_abort "no free port"
RP1=$(xt_free_port) || t_abort "no free port"
while [ "$RP1" = "$PP1" ]; do RP1=$(xt_free_port) || t_abort "no free port"; done
for z in $ZONES; do
	cp "$T_DIR/zones/$z/$z.signed" "$P1/$z.db"
	cp "$T_DIR/zones/$z"/keys/K* "$P1/keys/"
done
# shellcheck disable=SC2086
xt_named_conf "$P1" "$PP1" "$RP1" $ZONES >"$P1/named.conf"
start_named p1 "$P1/named.conf" || t_abort "primary did not start"
P1_PID=$NAMED_PID
# shellcheck disable=SC2086
xt_serving 60 "$PP1" $ZONES || t_abort "the primary does not serve its zones"
xt_port_owned "$PP1" "$P1_PID" || t_abort "port collision on the primary's port"

# ---------------------------------------------------------------- rodnsd 1
R1=$T_DIR/r1
mkdir -p "$R1"
STORE1=$R1/rodns.sqlite
# shellcheck disable=SC2086
xt_rodns_conf "$R1" "$RP1" "$PP1" fast $ZONES >"$R1/fast.yaml"
# shellcheck disable=SC2086
xt_rodns_conf "$R1" "$RP1" "$PP1" slow $ZONES >"$R1/slow.yaml"
"$RODNSD" -t -c "$R1/fast.yaml" >"$W/conf-check.log" 2>&1 ||
	{ cat "$W/conf-check.log"; t_abort "rodnsd -t rejects the test config"; }

declare -A CUR    # zone -> the primary's normalised AXFR at the latest serial
declare -A SERIAL # zone -> that serial
# MIN_RRS: a zone of N names has well over N RRs once signed
MIN_RRS=$N_SMALL

# equal_at LABEL ZONE SERIAL: fetches the primary's AXFR and rodns's dump
# (store $STORE) and runs both equivalence checks; keeps CUR/SERIAL.
STORE=$STORE1
PRIMARY_PORT=$PP1
equal_at() {
	local label=$1 z=$2 s=$3 a=$W/$2.$3.axfr b=$W/$2.$3.dump
	# without the primary's data nothing further can be compared
	xt_axfr "$PRIMARY_PORT" "$z" "$a" || t_abort "$label: AXFR of $z from the primary"
	CUR[$z]=$a
	SERIAL[$z]=$s
	if ! xt_dump "$STORE" "$z" "$b"; then
		t_fail "$label: rodns-dump $z"
		return
	fi
	t_check "$label: $z at serial $s equals the primary's AXFR ($(wc -l <"$a") RRs)" \
		xt_same "$label $z" "$s" "$MIN_RRS" "$a" "$b"
	t_check "$label: $z has one RRSIG per (owner, covered, key tag), as the primary" \
		xt_rrsig_unique "$label $z" "$a" "$b"
}

# ================================================================ case 1
R1_T0=$(xt_now)
start_rodns "$R1/fast.yaml" "$W/r1-1.log" "$RP1" || t_abort "rodnsd did not start"
R1_PID=$R_PID
for z in $ZONES; do
	s=$(xt_primary_serial "$PP1" "$z")
	[ -n "$s" ] || t_abort "the primary does not answer for $z"
	if xt_wait_store_serial "$STORE1" "$z" "$s" 120; then
		info "initial AXFR of $z: serial $s in the store $(xt_since "$R1_T0") s after rodnsd started"
		ev_info "$W/r1-1.log" "$z" 1
		equal_at "case 1 initial AXFR" "$z" "$s"
	else
		t_fail "case 1: rodnsd stored $z serial $s within 120 s (has: $(xt_store_serial "$STORE1" "$z"))"
		tail -n 5 "$W/r1-1.log"
		CUR[$z]=$W/$z.$s.axfr
		xt_axfr "$PP1" "$z" "${CUR[$z]}" || t_abort "AXFR of $z from the primary"
		SERIAL[$z]=$s
	fi
done

# rounds of random updates; every 4th round is two updates (two serials),
# every 7th is large
for ((r = 1; r <= ROUNDS; r++)); do
	k=12 sends=1
	((r % 4 == 0)) && sends=2
	((r % 7 == 0)) && k=150
	declare -A want=()
	for z in $ZONES; do
		xt_gen_update "${CUR[$z]}" "$z" "$PP1" "$r" "$k" "$sends" "$((SEED + r))" >"$W/upd-$z-$r"
		if ! nsupdate -v -t 30 "$W/upd-$z-$r" >"$W/upd-$z-$r.log" 2>&1; then
			t_fail "round $r: nsupdate of $z ($(head -n 2 "$W/upd-$z-$r.log" | tr '\n' ' '))"
		fi
		want[$z]=$(xt_primary_serial "$PP1" "$z")
		[ "${want[$z]}" != "${SERIAL[$z]}" ] ||
			t_fail "round $r: the primary's serial of $z did not change (${want[$z]})"
	done
	for z in $ZONES; do
		if xt_wait_store_serial "$STORE1" "$z" "${want[$z]}" 60; then
			equal_at "case 1 round $r ($k changes, $sends update(s))" "$z" "${want[$z]}"
		else
			t_fail "case 1 round $r: rodnsd stored $z serial ${want[$z]} within 60 s (has: $(xt_store_serial "$STORE1" "$z"))"
			xt_axfr "$PP1" "$z" "$W/$z.${want[$z]}.axfr" && CUR[$z]=$W/$z.${want[$z]}.axfr
			SERIAL[$z]=${want[$z]}
		fi
	done
done

# transfer kinds during the rounds (the first 6520 line is the initial AXFR)
ixfr_mostly() {
	local z=$1 tot ix ax
	tot=$(ev6520 "$W/r1-1.log" "$z" | tail -n +2 | wc -l)
	ix=$(ev6520 "$W/r1-1.log" "$z" | tail -n +2 | grep -c ': IXFR ')
	ax=$((tot - ix))
	info "$z: $tot transfers after the initial AXFR: $ix IXFR, $ax AXFR;" \
		"$(grep -cE "\[6524\] $(zre "$z"): " "$W/r1-1.log") RRSIG-pruned events"
	[ "$tot" -ge 1 ] && [ $((ix * 2)) -gt "$tot" ]
}
no_fallback() {
	local n
	n=$(grep -cE "\[6523\] $(zre "$1"): " "$W/r1-1.log")
	[ "$n" -eq 0 ] || grep -E "\[6523\] $(zre "$1"): " "$W/r1-1.log" | head -n 3 >&2
	[ "$n" -eq 0 ]
}
sleep 1 # the last round's events follow its commit
for z in $ZONES; do
	t_check "case 1: $z: most update rounds were applied as IXFR" ixfr_mostly "$z"
	t_check "case 1: $z: no IXFR fell back to AXFR (6523) during the rounds" no_fallback "$z"
done

# ================================================================ case 3
# resign_bumped ZONE MODE IN OUT: IN (a normalised AXFR) without its DNSSEC
# records, serial + 10, one new name, signed again with the zone's keys.
resign_bumped() {
	local z=$1 mode=$2 in=$3 out=$4 n3=()
	[ "$mode" = nsec3 ] && n3=(-3 - -H 0)
	awk -F'\t' -v OFS='\t' -v z="$z." '
		$4 ~ /^(RRSIG|NSEC|NSEC3|NSEC3PARAM|DNSKEY|CDS|CDNSKEY|TYPE65534)$/ { next }
		$4 == "SOA" { split($5, f, " "); f[3] += 10
			$5 = f[1] " " f[2] " " f[3] " " f[4] " " f[5] " " f[6] " " f[7] }
		{ print }
		END { print "journal-gone." z, 3600, "IN", "A", "10.99.0.1" }' "$in" >"$out.unsigned"
	dnssec-signzone -q -S -K "$P1/keys" -d "$P1" -o "$z" "${n3[@]}" -s now-3600 -e now+2592000 \
		-f "$out" "$out.unsigned" >"$out.log" 2>&1 || {
		cat "$out.log" >&2
		return 1
	}
}
pos=$(wc -l <"$W/r1-1.log")
xt_stop "$P1_PID" 30
for z in $ZONES; do
	mode=nsec
	[ "$z" = nsec3.test ] && mode=nsec3
	rm -f "$P1/$z.db.jnl"
	resign_bumped "$z" "$mode" "${CUR[$z]}" "$P1/$z.db.new" || t_abort "re-signing $z for case 3"
	mv "$P1/$z.db.new" "$P1/$z.db"
	[ -e "$P1/$z.db.jnl" ] && t_abort "the journal of $z is still there"
done
start_named p1b "$P1/named.conf" || t_abort "primary did not restart"
P1_PID=$NAMED_PID
# shellcheck disable=SC2086
xt_serving 60 "$PP1" $ZONES || t_abort "the restarted primary does not serve its zones"
xt_port_owned "$PP1" "$P1_PID" || t_abort "port collision on the primary's port"
fell_back() {
	local z=$1 s=$2 i
	# the event follows the commit that made the serial visible
	for ((i = 0; i < 100; i++)); do
		tail -n +"$((pos + 1))" "$W/r1-1.log" >"$W/r1-1.case3.log"
		ev6520 "$W/r1-1.case3.log" "$z" | grep -qE -- "-> $s," && break
		sleep 0.1
	done
	grep -qE "\[6523\] $(zre "$z"): " "$W/r1-1.case3.log" && return 0
	ev6520 "$W/r1-1.case3.log" "$z" | grep -E ": AXFR " | grep -qE -- "-> $s," && return 0
	echo "  no 6523 and no AXFR 6520 line for $z -> $s; the log since the restart:" >&2
	grep -E "\[65[0-9][0-9]\] $z" "$W/r1-1.case3.log" | head -n 5 >&2
	return 1
}
for z in $ZONES; do
	s=$(xt_primary_serial "$PP1" "$z")
	if [ "$s" != "$((SERIAL[$z] + 10))" ]; then
		t_fail "case 3: restarted primary serves $z serial $s, expected $((SERIAL[$z] + 10))"
		continue
	fi
	if xt_wait_store_serial "$STORE1" "$z" "$s" 60; then
		t_check "case 3: $z: without the primary's journal rodnsd fell back to a full transfer" \
			fell_back "$z" "$s"
		info "  $(ev6520 "$W/r1-1.case3.log" "$z" | tail -n 1 | sed 's/.*\] //')"
		equal_at "case 3 journal gone" "$z" "$s"
	else
		t_fail "case 3: rodnsd stored $z serial $s within 60 s (has: $(xt_store_serial "$STORE1" "$z"))"
		tail -n +"$((pos + 1))" "$W/r1-1.log" | tail -n 5
	fi
done

# ================================================================ case 2
t0=$(xt_now)
xt_stop "$R1_PID" 30
info "rodnsd (idle) stopped by SIGTERM in $(xt_since "$t0") s"
start_rodns "$R1/slow.yaml" "$W/r1-2.log" "$RP1" || t_abort "rodnsd did not restart"
R1_PID=$R_PID
# the timer stored under the 1s..2s clamps fires once more; after it the
# next refresh is an hour away
sleep 4
lat=()
z=nsec.test
for i in 1 2 3; do
	xt_gen_update "${CUR[$z]}" "$z" "$PP1" "$((100 + i))" 6 1 "$((SEED + 100 + i))" >"$W/notify-$i"
	nsupdate -v -t 30 "$W/notify-$i" >"$W/notify-$i.log" 2>&1 || t_fail "case 2: nsupdate $i"
	t0=$(xt_now)
	s=$(xt_primary_serial "$PP1" "$z")
	if xt_wait_store_serial "$STORE1" "$z" "$s" 30; then
		d=$(xt_since "$t0")
		lat+=("$d")
		t_pass "case 2: NOTIFY $i: rodnsd stored $z serial $s ${d} s after the update (target < 1 s)"
		equal_at "case 2 NOTIFY $i" "$z" "$s"
	else
		t_fail "case 2: NOTIFY $i: rodnsd stored $z serial $s within 30 s (has: $(xt_store_serial "$STORE1" "$z"))"
		xt_axfr "$PP1" "$z" "$W/$z.$s.axfr" && CUR[$z]=$W/$z.$s.axfr && SERIAL[$z]=$s
	fi
done
info "NOTIFY latencies (update committed -> serial in rodns's store): ${lat[*]:-none} s"
notify_ixfr() {
	local n
	xt_wait_grep 10 "$W/r1-2.log" "\[6520\] $(zre nsec.test): IXFR " 3
	n=$(ev6520 "$W/r1-2.log" nsec.test | grep -c ': IXFR ')
	info "case 2: $n of $(ev6520 "$W/r1-2.log" nsec.test | wc -l) transfers after the restart were IXFR"
	[ "$n" -ge 3 ]
}
t_check "case 2: the NOTIFY-driven transfers were IXFR" notify_ixfr

# ================================================================ case 4
xt_stop "$P1_PID" 30
declare -A before=()
for z in $ZONES; do before[$z]=$(xt_store_serial "$STORE1" "$z"); done
t0=$(xt_now)
xt_stop "$R1_PID" 30
info "rodnsd stopped by SIGTERM in $(xt_since "$t0") s"
start_rodns "$R1/slow.yaml" "$W/r1-3.log" "$RP1" || t_abort "rodnsd did not restart without its primary"
R1_PID=$R_PID
serving_stored() {
	local z=$1 s=$2 line n
	xt_wait_grep 10 "$W/r1-3.log" "$(zre "$z"): serving stored serial ${s}[^0-9]" || {
		echo "  no 'serving stored serial $s' event for $z:" >&2
		head -n 10 "$W/r1-3.log" >&2
		return 1
	}
	line=$(grep -E "$(zre "$z"): serving stored serial ${s}[^0-9]" "$W/r1-3.log" | head -n 1)
	n=$(echo "$line" | sed -n 's/.*next refresh in \(-\{0,1\}[0-9]*\)s.*/\1/p')
	info "  ${line#*] }"
	# timers resumed from the store: the next refresh is the one planned
	# under the 1h..1d clamps, not "now"
	if [ -z "$n" ] || [ "$n" -lt 60 ]; then
		echo "  next refresh of $z in '${n}' s; expected the stored timer (>= 60 s)" >&2
		return 1
	fi
}
for z in $ZONES; do
	s=${before[$z]}
	[ "$s" = "${SERIAL[$z]}" ] || t_fail "case 4: before the restart the store held $z $s, the primary ${SERIAL[$z]}"
	t_check "case 4: $z: restarted without the primary, serving stored serial $s, timers resumed" \
		serving_stored "$z" "$s"
	t_check "case 4: $z: the stored serial is unchanged ($s)" \
		test "$(xt_store_serial "$STORE1" "$z")" = "$s"
	xt_dump "$STORE1" "$z" "$W/$z.restart.dump" || t_fail "case 4: rodns-dump $z"
	t_check "case 4: $z: the store still equals the primary's last AXFR" \
		xt_same "case 4 $z" "$s" "$MIN_RRS" "${CUR[$z]}" "$W/$z.restart.dump"
	ans=$(dig +norec +time=2 +tries=2 @127.0.0.1 -p "$RP1" "$z" SOA 2>&1)
	st=$(echo "$ans" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p' | head -n 1)
	if [ "$st" = NOERROR ]; then
		got=$(echo "$ans" | awk '$4 == "SOA" && $1 !~ /^;/ { print $7; exit }')
		info "case 4: $z: rodnsd answers SOA queries (NOERROR): checking the served serial"
		t_check "case 4: $z: rodnsd answers SOA with the stored serial $s (got '$got')" \
			test "$got" = "$s"
	else
		info "case 4: $z: rodnsd answers SOA with status '${st:-no answer}' (answering not in" \
			"this build?): checked the event line and the store only"
	fi
done
sleep 5
no_transfer() {
	local n
	n=$(grep -c '\[6520\]' "$W/r1-3.log")
	[ "$n" -eq 0 ] || grep '\[6520\]' "$W/r1-3.log" >&2
	[ "$n" -eq 0 ]
}
t_check "case 4: with the primary stopped no transfer happened within 5 s of the restart" no_transfer
for z in $ZONES; do
	t_check "case 4: $z: the stored serial is still ${before[$z]}" \
		test "$(xt_store_serial "$STORE1" "$z")" = "${before[$z]}"
done
xt_stop "$R1_PID" 30
info "cases 1-4 took $(xt_since "$START") s"

# ================================================================ cases 5, 6
BZ=big.test
SEED=$SEED bash "$MKZONE" "$N_BIG" "$T_DIR/zones/$BZ" nsec "$BZ" >"$W/mkzone-$BZ.log" 2>&1 ||
	{ cat "$W/mkzone-$BZ.log"; t_abort "mkzone.sh $N_BIG $BZ nsec"; }
P2=$T_DIR/p2
mkdir -p "$P2/keys"
PP2=$(xt_free_port) || t_abort "no free port"
RP2=$(xt_free_port) || t_abort "no free port"
while [ "$RP2" = "$PP2" ]; do RP2=$(xt_free_port) || t_abort "no free port"; done
cp "$T_DIR/zones/$BZ/$BZ.signed" "$P2/$BZ.db"
cp "$T_DIR/zones/$BZ"/keys/K* "$P2/keys/"
xt_named_conf "$P2" "$PP2" - "$BZ" >"$P2/named.conf"
start_named p2 "$P2/named.conf" 120 || t_abort "primary 2 did not start"
xt_serving 120 "$PP2" "$BZ" || t_abort "primary 2 does not serve $BZ"
xt_port_owned "$PP2" "$NAMED_PID" || t_abort "port collision on primary 2's port"
P2LOG=$T_DIR/p2.log
R2=$T_DIR/r2
SNAP=$T_DIR/snap
mkdir -p "$R2" "$SNAP"
STORE2=$R2/rodns.sqlite
xt_rodns_conf "$R2" "$RP2" "$PP2" crash "$BZ" >"$R2/crash.yaml"
STARTED_RE="transfer of '$BZ/IN': AXFR started"
MIN_BIG=$N_BIG

S_OLD=$(xt_primary_serial "$PP2" "$BZ")
xt_axfr "$PP2" "$BZ" "$W/big.old.axfr" || t_abort "AXFR of $BZ from the primary"
NRR=$(wc -l <"$W/big.old.axfr")

# initial AXFR into an empty store
t0=$(xt_now)
start_rodns "$R2/crash.yaml" "$W/r2-init.log" "$RP2" || t_abort "rodnsd 2 did not start"
if xt_wait_store_serial "$STORE2" "$BZ" "$S_OLD" 600; then
	info "initial AXFR of $BZ ($NRR RRs): serial $S_OLD in the store $(xt_since "$t0") s after rodnsd started"
	ev_info "$W/r2-init.log" "$BZ" 1
else
	xt_stop "$R_PID" 30
	tail -n 5 "$W/r2-init.log"
	t_abort "case 5: rodnsd stored $BZ serial $S_OLD within 600 s"
fi
xt_stop "$R_PID" 30
xt_dump "$STORE2" "$BZ" "$W/big.old.dump" || t_abort "rodns-dump $BZ"
t_check "case 5: $BZ at serial $S_OLD equals the primary's AXFR ($NRR RRs)" \
	xt_same "case 5 $BZ" "$S_OLD" "$MIN_BIG" "$W/big.old.axfr" "$W/big.old.dump"
# the raw dump of a serial whose normalised form equals the primary's AXFR
# stands for that AXFR below (plain cmp, no normalisation per iteration)
cp "$W/big.old.dump.raw" "$W/big.raw.$S_OLD"
: >"$W/big.raw.-"
cp "$STORE2"* "$SNAP/"

# the primary moves on: S_NEW
xt_gen_update "$W/big.old.axfr" "$BZ" "$PP2" 1 30 1 "$((SEED + 500))" >"$W/upd-big"
nsupdate -v -t 60 "$W/upd-big" >"$W/upd-big.log" 2>&1 || t_abort "nsupdate of $BZ"
S_NEW=$(xt_primary_serial "$PP2" "$BZ")
[ "$S_NEW" != "$S_OLD" ] || t_abort "the serial of $BZ did not change"
xt_axfr "$PP2" "$BZ" "$W/big.new.axfr" || t_abort "AXFR of $BZ from the primary"

# restore MODE: the store as before a transfer: "old" (serial S_OLD) or
# "empty" (no file)
restore() {
	rm -f "$STORE2" "$STORE2-wal" "$STORE2-shm" "$STORE2-journal"
	[ "$1" = old ] && cp "$SNAP"/* "$R2/"
	return 0
}

# spawn_r2 LOG: starts rodnsd 2 without waiting for anything (the transfer
# starts at once: the stored timer is due, or the store is empty); sets
# R_PID, SP_T (the instant) and SP_C (the primary's AXFR count before).
spawn_r2() {
	SP_C=$(xt_count "$P2LOG" "$STARTED_RE")
	SP_T=$(xt_now)
	t_spawn "$1" "$RODNSD" -c "$R2/crash.yaml"
	R_PID=$T_LAST_PID
}
# xfr_seen: the primary has logged the start of an AXFR since spawn_r2.
xfr_seen() { [ "$(xt_count "$P2LOG" "$STARTED_RE")" -gt "$SP_C" ]; }

# calibration: rodnsd started on the stored S_OLD does a full (forced)
# AXFR to S_NEW; timed from the spawn to the new serial in the store
restore old
spawn_r2 "$W/r2-cal.log"
if xt_wait_store_serial "$STORE2" "$BZ" "$S_NEW" 600; then
	TX=$(xt_since "$SP_T")
	info "forced AXFR of $BZ $S_OLD -> $S_NEW ($(wc -l <"$W/big.new.axfr") RRs): new serial in the store ${TX} s after rodnsd was started"
	ev_info "$W/r2-cal.log" "$BZ" 1
	grep -F "transfer of '$BZ/IN': AXFR ended" "$P2LOG" | tail -n 1 | sed 's/.*: AXFR ended/   primary: AXFR ended/'
else
	xt_stop "$R_PID" 30
	tail -n 5 "$W/r2-cal.log"
	t_abort "case 5: rodnsd stored $BZ serial $S_NEW within 600 s"
fi
xt_stop "$R_PID" 30
ev6520 "$W/r2-cal.log" "$BZ" | head -n 1 | grep -q ': AXFR ' ||
	t_fail "case 5: the transfer over the stored zone was a full AXFR (force-axfr-interval)"
xt_dump "$STORE2" "$BZ" "$W/big.new.dump" || t_abort "rodns-dump $BZ"
t_check "case 5: $BZ at serial $S_NEW (forced AXFR over a stored zone) equals the primary's AXFR" \
	xt_same "case 5 $BZ" "$S_NEW" "$MIN_BIG" "$W/big.new.axfr" "$W/big.new.dump"
cp "$W/big.new.dump.raw" "$W/big.raw.$S_NEW"
TX_MS=$(awk -v t="$TX" 'BEGIN { printf "%d", t * 1000 }')

# consistent OLD: after a crash the store holds OLD or S_NEW, exactly the
# primary's data for it, and passes integrity_check. Sets CRASH_GOT.
consistent() {
	local old=$1 s
	s=$(xt_store_serial "$STORE2" "$BZ")
	# killed before the schema was written: the file is empty or an SQLite
	# database without tables, which rodnsd takes as a new store (nothing
	# stored yet, like no file at all)
	if [ -z "$s" ] && [ "$old" = - ] && { [ ! -s "$STORE2" ] ||
		[ "$(sqlite3 "$STORE2" 'SELECT count(*) FROM sqlite_schema' 2>/dev/null)" = 0 ]; }; then
		info "  crash: the store file holds no schema yet (killed while creating it)"
		CRASH_GOT=-
		return 0
	fi
	CRASH_GOT=$s
	if [ "$s" != "$old" ] && [ "$s" != "$S_NEW" ]; then
		echo "  stored serial '$s', expected $old or $S_NEW" >&2
		"$DUMP" "$STORE2" "$BZ" state >&2
		return 1
	fi
	"$DUMP" "$STORE2" "$BZ" >"$W/crash.raw" 2>"$W/crash.err" || {
		echo "  rodns-dump: $(head -n 2 "$W/crash.err")" >&2
		return 1
	}
	cmp -s "$W/crash.raw" "$W/big.raw.$s" || {
		echo "  the stored zone at serial $s differs from the primary's ($(wc -l <"$W/crash.raw") vs $(wc -l <"$W/big.raw.$s") RRs)" >&2
		diff "$W/big.raw.$s" "$W/crash.raw" | grep '^[<>]' | head -n 6 | cut -c1-160 >&2
		return 1
	}
	# the zone's metadata counts what the store holds
	local st
	st=$("$DUMP" "$STORE2" "$BZ" state 2>&1)
	case $st in
	-) [ "$s" = - ] || { echo "  rodns-dump state says '-' at serial $s" >&2; return 1; } ;;
	*" rrs=$(wc -l <"$W/crash.raw")") ;;
	*)
		echo "  rodns-dump state says '$st', the dump has $(wc -l <"$W/crash.raw") RRs" >&2
		return 1
		;;
	esac
	xt_integrity "$STORE2"
}

# ================================================================ case 5
declare -A outcome=([before]=0 [during]=0 [after]=0)
for ((i = 1; i <= CRASHES; i++)); do
	mode=old
	((i % 5 == 0)) && mode=empty
	old=$S_OLD
	[ $mode = empty ] && old=-
	restore $mode
	# a random instant in [0, 1.1 x the measured start-to-commit time]
	ms=$(((RANDOM * 32768 + RANDOM) % (TX_MS * 11 / 10 + 1)))
	spawn_r2 "$W/r2-crash-$i.log"
	sleep "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')"
	xt_kill9 "$R_PID"
	seen=0
	xfr_seen && seen=1
	CRASH_GOT="?"
	t_check "case 5: crash $i (from $mode store, SIGKILL ${ms} ms after start): store consistent" \
		consistent "$old"
	# where the kill landed: before the primary saw the AXFR, during it
	# (the old state kept), or after the commit (the new serial stored)
	if [ "$CRASH_GOT" = "$S_NEW" ]; then
		when=after
	elif [ $seen = 1 ]; then
		when=during
	else
		when=before
	fi
	outcome[$when]=$((outcome[$when] + 1))
	info "  crash $i: the store holds serial $CRASH_GOT (killed $when the transfer)"
	# restart on the crashed store: it must come back and catch up
	t_spawn "$W/r2-crash-$i-b.log" "$RODNSD" -c "$R2/crash.yaml"
	R_PID=$T_LAST_PID
	t_check "case 5: crash $i: restarted rodnsd reaches serial $S_NEW" \
		xt_wait_store_serial "$STORE2" "$BZ" "$S_NEW" 300
	xt_stop "$R_PID" 30
done
info "case 5: SIGKILL landed before the AXFR started ${outcome[before]} times, during it" \
	"${outcome[during]} times, after its commit ${outcome[after]} times"
t_check "case 5: at least a quarter of the kills landed during a transfer (old state kept)" \
	test $((outcome[during] * 4)) -ge "$CRASHES"

# ================================================================ case 6
# SIGTERM at a fraction of the measured start-to-commit time, adjusted
# until it lands while the primary is sending (at most 6 tries)
term_ok=0
lo=0 hi=100 frac=50
for ((try = 1; try <= 6; try++)); do
	restore old
	log=$W/r2-term-$try.log
	spawn_r2 "$log"
	sleep "$(awk -v t="$TX" -v f="$frac" 'BEGIN { printf "%.3f", t * f / 100 }')"
	started=0
	xfr_seen && started=1
	kill -TERM "$R_PID"
	t0=$(xt_now)
	for ((j = 0; j < 300; j++)); do
		kill -0 "$R_PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$R_PID" 2>/dev/null; then
		t_fail "case 6: rodnsd exits within 30 s of SIGTERM during a transfer"
		xt_kill9 "$R_PID"
		break
	fi
	dt=$(xt_since "$t0")
	wait "$R_PID"
	rc=$?
	xt_forget "$R_PID"
	if [ $started = 0 ]; then
		info "case 6: SIGTERM at ${frac}% of ${TX} s came before the AXFR started: later"
		lo=$frac frac=$(((frac + hi) / 2))
		continue
	fi
	if ev6520 "$log" "$BZ" | grep -q .; then
		info "case 6: the transfer completed before SIGTERM at ${frac}% of ${TX} s: earlier"
		hi=$frac frac=$(((lo + frac) / 2))
		continue
	fi
	term_ok=1
	t_pass "case 6: rodnsd exited ${dt} s after SIGTERM ${frac}% into start-to-commit (exit status $rc)"
	t_check "case 6: exit status 0 after SIGTERM" test "$rc" -eq 0
	t_check "case 6: the store holds the old serial $S_OLD and exactly its data" consistent "$S_OLD"
	t_check "case 6: ... not the new serial (got $CRASH_GOT)" test "$CRASH_GOT" = "$S_OLD"
	break
done
[ $term_ok = 1 ] || t_fail "case 6: no SIGTERM landed during a transfer in 6 tries"

info "t_xfr took $(xt_since "$START") s"
t_summary
