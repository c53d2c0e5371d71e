#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# t_edns: what an exposed site expects of the query side, against real
# clients (dig and kdig): NSID (RFC 5001), DNS Cookies (RFC 7873, RFC 9018),
# EDNS EXPIRE (RFC 7314), Extended DNS Errors (RFC 8914) and response rate
# limiting with slip.
#
#   BIND primary (P1) <- rodnsd (P2: nsid, cookies, rrl rate 20/s slip 2,
#   127.0.0.1 exempt; example.test from BIND, never.test from a port where
#   nothing listens)
#
#   nsid     dig +nsid and kdig +nsid show our NSID; without +nsid none
#   cookies  dig's client cookie gets a server cookie dig calls "good"; sent
#            back, still good; kdig +cookie the same
#   expire   dig +expire SOA: an EXPIRE no larger than the SOA's EXPIRE;
#            a branch rodnsd pulling from this one (its hub) asks EXPIRE and
#            its copy expires no later than the hub's
#   ede      a name we do not serve: REFUSED with EDE 20; a zone never
#            loaded: SERVFAIL with EDE 14
#   rrl      a flood from 16 addresses of 127.1.2.0/24 is cut to about the
#            rate (full answers <= rate x (seconds + 3)), some slip with TC,
#            while a client in another prefix gets every answer in full; dig
#            from the flooded prefix gets its answer (TC, then TCP; with a
#            cookie: BADCOOKIE, then the full answer with the server
#            cookie), so does Unbound resolving through rodnsd from that prefix; the
#            metrics count the dropped and slipped answers
# shellcheck disable=SC2317
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/xfr_lib.sh
. "$HERE/xfr_lib.sh"
t_init edns

ZONE=$XFR_ZONE
RODNSD=$RODNS_BUILD/rodnsd
[ -x "$RODNSD" ] || t_abort "no $RODNSD (run make all)"
xfr_need_tools
for c in kdig curl python3 unbound unbound-checkconf; do
	command -v "$c" >/dev/null 2>&1 || t_abort "$c is not installed (make deps)"
done
if ! { P1=$(free_port) && P2=$(free_port) && PR=$(free_port) && PM=$(free_port) &&
	PDEAD=$(free_port); }; then
	t_abort "no free ports"
fi
ZD=$T_DIR/zone
bash "$HERE/mkzone.sh" 100 "$ZD" nsec "$ZONE" >/dev/null || t_abort "mkzone.sh failed"
xfr_primary_start "$T_DIR/ns" "$ZD" "$P1" "$PR" "$P2" || t_abort "named did not start"

RATE=20
mkdir -p "$T_DIR/rodns"
cat >"$T_DIR/rodns.yaml" <<EOF
server:
  listen: ["127.0.0.1@$P2"]
  workers: 2
  state-dir: $T_DIR/rodns
  user: root
  control: $T_DIR/rodns/control.sock
  metrics: 127.0.0.1@$PM
  nsid: branch-office-7
  cookies: true
  rrl:
    rate: $RATE
    slip: 2
    exempt: ["127.0.0.1"]
events:
  syslog: false
zones:
  - name: $ZONE
    primaries: ["127.0.0.1@$P1"]
    allow-transfer: ["127.0.0.1"]
  - name: never.test
    primaries: ["127.0.0.1@$PDEAD"]
EOF
t_spawn "$T_DIR/rodnsd.log" "$RODNSD" -c "$T_DIR/rodns.yaml"
S=$(xfr_serial "$P1")
serves() { [ "$(xfr_serial "$1")" = "$S" ]; } # PORT: answers the primary's serial
if ! wait_for 60 serves "$P2"; then
	tail -n 20 "$T_DIR/rodnsd.log" >&2
	t_abort "rodnsd did not load $ZONE ($S)"
fi
t_pass "rodnsd serves $ZONE at serial $S"

DIG="dig +norec +time=3 +tries=2 @127.0.0.1 -p $P2"
KDIG="kdig +norec +time=3 +retry=1 @127.0.0.1 -p $P2"
not_in() { ! grep -q "$2" "$1"; }

# ---------------------------------------------------------------- NSID
$DIG +nsid "$ZONE" SOA >"$T_DIR/nsid.out" 2>&1
t_check "dig +nsid: our NSID" grep -q 'NSID: .*("branch-office-7")' "$T_DIR/nsid.out"
$KDIG +nsid "$ZONE" SOA >"$T_DIR/knsid.out" 2>&1
t_check "kdig +nsid: our NSID" grep -q 'NSID: .*"branch-office-7"' "$T_DIR/knsid.out"
$DIG "$ZONE" SOA >"$T_DIR/nonsid.out" 2>&1
t_check "no NSID unless asked" not_in "$T_DIR/nonsid.out" NSID

# ---------------------------------------------------------------- cookies
$DIG +cookie "$ZONE" SOA >"$T_DIR/cookie1.out" 2>&1
t_check "dig's client cookie gets a server cookie dig finds good" \
	grep -qE 'COOKIE: [0-9a-f]{48} \(good\)' "$T_DIR/cookie1.out"
CK=$(sed -n 's/.*COOKIE: \([0-9a-f]*\) (good).*/\1/p' "$T_DIR/cookie1.out")
$DIG +cookie="$CK" "$ZONE" SOA >"$T_DIR/cookie2.out" 2>&1
t_check "sent back, the server cookie is good again" \
	grep -qE 'COOKIE: [0-9a-f]{48} \(good\)' "$T_DIR/cookie2.out"
t_check "the answer to it is a full answer" grep -q 'status: NOERROR' "$T_DIR/cookie2.out"
$KDIG +cookie "$ZONE" SOA >"$T_DIR/kcookie.out" 2>&1
t_check "kdig +cookie: a server cookie kdig accepts" \
	grep -qiE 'COOKIE: [0-9a-f]{48}' "$T_DIR/kcookie.out"
t_check "kdig: NOERROR" grep -q 'status: NOERROR' "$T_DIR/kcookie.out"

# ---------------------------------------------------------------- EXPIRE
$DIG +expire "$ZONE" SOA >"$T_DIR/expire.out" 2>&1
SOAEXP=$($DIG +short "$ZONE" SOA | awk '{print $6}')
EXP=$(sed -n 's/.*EXPIRE: \([0-9]*\).*/\1/p' "$T_DIR/expire.out")
t_check "dig +expire: an EXPIRE option ($EXP s)" test -n "$EXP"
t_check "EXPIRE ($EXP) is at most the SOA's EXPIRE ($SOAEXP) and more than 0" \
	test -n "$EXP" -a "${EXP:-0}" -le "${SOAEXP:-0}" -a "${EXP:-0}" -gt 0
$DIG +expire +comments "$ZONE" AXFR >"$T_DIR/expire-axfr.out" 2>&1
EXPX=$(sed -n 's/.*EXPIRE: \([0-9]*\).*/\1/p' "$T_DIR/expire-axfr.out" | head -n 1)
t_check "an AXFR with EXPIRE asked carries EXPIRE too ($EXPX s)" \
	test -n "$EXPX" -a "${EXPX:-0}" -le "${SOAEXP:-0}" -a "${EXPX:-0}" -gt 0
t_check "and the whole zone" grep -q "^ns2.$ZONE.*A.*192.0.2.2" "$T_DIR/expire-axfr.out"
$DIG +expire "www.$ZONE" A >"$T_DIR/expire2.out" 2>&1
t_check "no EXPIRE for a question that is not the apex SOA" not_in "$T_DIR/expire2.out" EXPIRE

# A branch (rodnsd B) of this replica as its hub: B asks EXPIRE on its SOA
# query and its copy expires no later than the hub's (RFC 7314 §4), not a
# full SOA EXPIRE after its own later refresh.
zone_expire_at() { # SOCKET
	"$RODNS_BUILD/rodnsctl" -s "$1" --json zones | python3 -c 'import json, sys
print([z["expire_at"] for z in json.load(sys.stdin)["zones"] if z["zone"] == sys.argv[1]][0])' \
		"$ZONE."
}
sleep 3 # the hub's last refresh is now some seconds in the past
PB=$(free_port) || t_abort "no free port"
mkdir -p "$T_DIR/branch"
cat >"$T_DIR/branch.yaml" <<EOF
server:
  listen: ["127.0.0.1@$PB"]
  workers: 1
  state-dir: $T_DIR/branch
  user: root
  control: $T_DIR/branch/control.sock
  metrics: off
events:
  syslog: false
zones:
  - name: $ZONE
    primaries: ["127.0.0.1@$P2"]
EOF
t_spawn "$T_DIR/branch.log" "$RODNSD" -c "$T_DIR/branch.yaml"
if wait_for 60 serves "$PB"; then
	HUB_EXP=$(zone_expire_at "$T_DIR/rodns/control.sock")
	BR_EXP=$(zone_expire_at "$T_DIR/branch/control.sock")
	echo "expire: hub $HUB_EXP, branch $BR_EXP"
	t_check "the branch's copy expires no later than the hub's ($BR_EXP <= $HUB_EXP)" \
		test -n "$BR_EXP" -a -n "$HUB_EXP" -a "${BR_EXP:-1}" -le "${HUB_EXP:-0}"
	t_check "and not much earlier (within 60 s)" \
		test "${BR_EXP:-0}" -ge "$((${HUB_EXP:-0} - 60))"
else
	t_fail "the branch did not load $ZONE from the hub"
	tail -n 20 "$T_DIR/branch.log" >&2
fi

# ---------------------------------------------------------------- EDE
$DIG www.not-ours.test A >"$T_DIR/ede20.out" 2>&1
t_check "a zone we do not serve: REFUSED" grep -q 'status: REFUSED' "$T_DIR/ede20.out"
t_check "with EDE 20 (Not Authoritative)" grep -q 'EDE: 20' "$T_DIR/ede20.out"
$DIG never.test SOA >"$T_DIR/ede14.out" 2>&1
t_check "a zone never loaded: SERVFAIL" grep -q 'status: SERVFAIL' "$T_DIR/ede14.out"
t_check "with EDE 14 (Not Ready)" grep -q 'EDE: 14' "$T_DIR/ede14.out"
$KDIG +edns www.not-ours.test A >"$T_DIR/kede.out" 2>&1
t_check "kdig sees the EDE too" grep -qi 'EDE: 20' "$T_DIR/kede.out"

# ---------------------------------------------------------------- RRL
# Unbound as a resolver whose queries to rodnsd come from the prefix the
# flood comes from (outgoing-interface), so they are rate limited too.
UPORT=$(free_port) || t_abort "no free port"
mkdir -p "$T_DIR/unbound"
cat >"$T_DIR/unbound/unbound.conf" <<EOF
server:
	verbosity: 1
	interface: 127.0.0.1@$UPORT
	port: $UPORT
	outgoing-interface: 127.1.2.250
	do-ip6: no
	do-daemonize: no
	use-syslog: no
	logfile: ""
	chroot: ""
	username: ""
	directory: "$T_DIR/unbound"
	pidfile: "$T_DIR/unbound/unbound.pid"
	do-not-query-localhost: no
	access-control: 127.0.0.0/8 allow
	module-config: "iterator"
	num-threads: 1
	outgoing-range: 64
	so-reuseport: no
	local-zone: "test." nodefault
remote-control:
	control-enable: no
stub-zone:
	name: "$ZONE"
	stub-addr: 127.0.0.1@$P2
EOF
UNBOUND=0
if unbound-checkconf "$T_DIR/unbound/unbound.conf" >"$T_DIR/unbound.check" 2>&1; then
	t_spawn "$T_DIR/unbound.log" unbound -d -c "$T_DIR/unbound/unbound.conf"
	wait_for 20 dig +time=1 +tries=1 -p "$UPORT" @127.0.0.1 version.server CH TXT && UNBOUND=1
fi
[ "$UNBOUND" = 1 ] || { cat "$T_DIR/unbound.check" "$T_DIR/unbound.log" >&2; t_fail "unbound did not start"; }
python3 "$HERE/rrl_flood.py" 127.0.0.1 "$P2" "ns1.$ZONE" 127.1.2 10000000 127.9.9.9 30 "$T_DIR/flood.stop" \
	>"$T_DIR/flood.out" 2>&1 &
FLOOD=$!
T_PIDS+=("$FLOOD")
# dig from the flooded prefix while the flood runs (until flood.stop): without
# cookies it is dropped or truncated and ends up with its answer over TCP;
# with its cookie it gets BADCOOKIE and a server cookie, and asked again
# with that, the full answer over UDP
sleep 0.5
# Unbound, asking from the flooded prefix, resolves a name through the
# limit (a dropped query is retried, a truncated one asked over TCP); its
# client asks up to three times, as a stub resolver would
UNB_OK=0
for i in 1 2 3; do
	[ "$UNBOUND" = 1 ] || break
	dig +time=5 +tries=1 @127.0.0.1 -p "$UPORT" "ns2.$ZONE" A >"$T_DIR/unbound.dig.$i" 2>&1
	if grep -q 'status: NOERROR' "$T_DIR/unbound.dig.$i" &&
		grep -q '192.0.2.2' "$T_DIR/unbound.dig.$i"; then
		UNB_OK=1
		break
	fi
done
BADCK=0
for i in 1 2 3 4 5 6 7 8; do
	dig +norec +cookie +badcookie +showbadcookie +time=1 +tries=1 -b 127.1.2.201 \
		@127.0.0.1 -p "$P2" "ns1.$ZONE" A >"$T_DIR/dig-cookie.$i" 2>&1
	if grep -q 'status: BADCOOKIE' "$T_DIR/dig-cookie.$i"; then
		# dig showed the BADCOOKIE and asked again with the server cookie
		grep -q 'status: NOERROR' "$T_DIR/dig-cookie.$i" &&
			grep -qE 'COOKIE: [0-9a-f]{48} \(good\)' "$T_DIR/dig-cookie.$i" && BADCK=1
		break
	fi
done
DIGOK=0
for i in 1 2 3 4 5; do
	dig +norec +nocookie +time=1 +tries=3 -b 127.1.2.200 @127.0.0.1 -p "$P2" "ns1.$ZONE" A \
		>"$T_DIR/dig-flooded.$i" 2>&1
	if grep -q 'Truncated, retrying in TCP mode' "$T_DIR/dig-flooded.$i" &&
		grep -q 'status: NOERROR' "$T_DIR/dig-flooded.$i"; then
		DIGOK=1
		break
	fi
done
FLOOD_LEFT=$(kill -0 "$FLOOD" 2>/dev/null && echo running || echo over)
touch "$T_DIR/flood.stop"
wait "$FLOOD"
read -r _ SENT _ FULL _ TC _ EL _ OSENT _ OFULL _ OTC <"$T_DIR/flood.out"
echo "rrl: flood sent $SENT in ${EL}s, got $FULL full answers and $TC truncated;" \
	"the other client sent $OSENT, got $OFULL full and $OTC truncated"
t_check "the flood sent at least 2000 queries" test "${SENT:-0}" -ge 2000
t_check "the flood ran until the clients of its prefix were done" test "$FLOOD_LEFT" = running
MAXFULL=$(awk -v r="$RATE" -v e="${EL:-0}" 'BEGIN { printf "%d", r * (e + 3) }')
t_check "the flood's full answers ($FULL) are cut to the rate (at most $MAXFULL)" \
	test "${FULL:-999999}" -le "$MAXFULL"
t_check "some limited answers slip out truncated ($TC)" test "${TC:-0}" -gt 0
t_check "the other prefix's client got every answer in full ($OFULL of $OSENT)" \
	test "${OFULL:-0}" -eq "${OSENT:-1}" -a "${OTC:-1}" -eq 0
t_check "dig (no cookie) from the flooded prefix got its answer over TCP after a TC" \
	test "$DIGOK" -eq 1
t_check "dig (cookie) from the flooded prefix got BADCOOKIE, then with the server cookie the full answer over UDP" \
	test "$BADCK" -eq 1
t_check "Unbound from the flooded prefix resolved ns2.$ZONE through the limit (flood $FLOOD_LEFT)" \
	test "$UNB_OK" -eq 1
curl -s "http://127.0.0.1:$PM/metrics" >"$T_DIR/metrics.out"
t_check "metrics count dropped answers" \
	grep -qE '^rodns_rrl_answers_total\{action="dropped"\} [1-9]' "$T_DIR/metrics.out"
t_check "metrics count slipped answers" \
	grep -qE '^rodns_rrl_answers_total\{action="slipped"\} [1-9]' "$T_DIR/metrics.out"
# the exempt address is never limited
EX=0
for i in $(seq 1 60); do
	$DIG +short "$ZONE" SOA | grep -q . && EX=$((EX + 1))
done
t_check "127.0.0.1 (exempt) got all 60 answers ($EX)" test "$EX" -eq 60
t_summary
