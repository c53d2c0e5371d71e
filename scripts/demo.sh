#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# make demo: rodns doing its job, step by step, on this machine.
#
#   scripts/demo.sh        build a signed zone, start a BIND primary and rodnsd
#                          (default embedded SQLite store), show the transfer,
#                          an answer, an IXFR via NOTIFY, the expiry warning;
#                          then leave both running to explore
#   scripts/demo.sh stop   stop what the demo started (make demo-stop)
#
# Everything lives in $DEMO_DIR (default /tmp/rodns-demo). Loopback only.
# Ports: primary 127.0.0.1@$DEMO_PRIMARY_PORT (5391), rodnsd @$DEMO_PORT (5390).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${RODNS_BUILD:-$TOP/build}
D=${DEMO_DIR:-/tmp/rodns-demo}
PORT=${DEMO_PORT:-5390}
PPORT=${DEMO_PRIMARY_PORT:-5391}
MPORT=${DEMO_METRICS_PORT:-9353}
ZONE=example.test
PATH=$PATH:/usr/sbin:/sbin

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
info() { printf '   %s\n' "$*"; }
die() {
	printf '\n\033[1;31mdemo failed: %s\033[0m\n' "$1" >&2
	[ -n "${2:-}" ] && [ -f "$2" ] && { echo "--- last lines of $2:" >&2; tail -n 15 "$2" >&2; }
	echo "logs are in $D; stop what runs with: make demo-stop" >&2
	exit 1
}

stop_pidfile() {
	local f=$1 p i
	[ -f "$f" ] || return 0
	p=$(cat "$f")
	if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
		kill -TERM "$p" 2>/dev/null
		for i in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
	fi
	rm -f "$f"
}

if [ "${1:-}" = stop ]; then
	stop_pidfile "$D/rodnsd.pid"
	stop_pidfile "$D/named.pid.run"
	echo "demo: stopped (files kept in $D)"
	exit 0
fi

port_busy() { [ -n "$(ss -Htuln "sport = :$1" 2>/dev/null)" ]; }

# wait_grep SECONDS FILE PATTERN (extended regexp)
wait_grep() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		grep -qE -- "$3" "$2" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

stop_pidfile "$D/rodnsd.pid"
stop_pidfile "$D/named.pid.run"
for p in "$PORT" "$PPORT" "$MPORT"; do
	port_busy "$p" && die "port $p is in use (set DEMO_PORT / DEMO_PRIMARY_PORT)"
done
rm -rf "$D"
mkdir -p "$D/zone" "$D/primary" "$D/state"

say "1. A signed zone: $ZONE (dnssec-keygen + dnssec-signzone, ECDSA P-256)"
(
	cd "$D/zone" || exit 1
	{
		echo "\$ORIGIN $ZONE."
		echo "\$TTL 3600"
		echo "@ SOA ns1 hostmaster 2026112801 60 30 1209600 300"
		echo "@ NS ns1"
		echo "ns1 A 127.0.0.1"
		echo "@ A 192.0.2.1"
		echo "@ MX 10 mail"
		echo "mail A 192.0.2.25"
		echo "www A 192.0.2.80"
		echo "www AAAA 2001:db8::80"
		echo "*.wild TXT \"wildcard\""
		for i in $(seq 1 200); do echo "host$i A 192.0.2.$((i % 250 + 1))"; done
		echo "soon TXT \"these signatures expire in 3 days\""
	} >"$ZONE.zone"
	dnssec-keygen -q -K . -a ECDSAP256SHA256 -f KSK "$ZONE" >/dev/null &&
		dnssec-keygen -q -K . -a ECDSAP256SHA256 "$ZONE" >/dev/null &&
		dnssec-signzone -q -S -K . -d . -o "$ZONE" -e now+30d -f "$ZONE.signed" \
			"$ZONE.zone" >/dev/null || exit 1
	# one RRset whose signatures expire soon: sign it alone with the same
	# keys and a 3-day validity, and put that RRSIG in place of the 30-day one
	{
		echo "\$ORIGIN $ZONE."
		echo "\$TTL 3600"
		grep -E '^@ (SOA|NS)' "$ZONE.zone"
		echo "soon TXT \"these signatures expire in 3 days\""
	} >soon.zone
	dnssec-signzone -q -S -K . -d . -o "$ZONE" -e now+3d -f soon.signed soon.zone >/dev/null ||
		exit 1
	ldns-read-zone soon.signed 2>/dev/null | awk '$1 == "soon.'$ZONE'." && $4 == "RRSIG" && $5 == "TXT"' >soon.rrsig
	ldns-read-zone "$ZONE.signed" 2>/dev/null |
		awk '!($1 == "soon.'$ZONE'." && $4 == "RRSIG" && $5 == "TXT")' >full.txt
	cat full.txt soon.rrsig >"$ZONE.signed"
) || die "could not build the signed zone" ""
info "$(grep -c . "$D/zone/$ZONE.signed") records, signatures valid 30 days; soon.$ZONE TXT: 3 days"

say "2. BIND 9 as the primary on 127.0.0.1@$PPORT (re-signs updates, NOTIFYs rodnsd)"
cp "$D/zone/$ZONE.signed" "$D/primary/$ZONE.db"
cp "$D"/zone/K* "$D/primary/"
cat >"$D/primary/named.conf" <<EOF
options {
	directory "$D/primary";
	pid-file "$D/primary/named.pid";
	session-keyfile "$D/primary/session.key";
	listen-on port $PPORT { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	allow-transfer { 127.0.0.1; };
	notify explicit;
	also-notify { 127.0.0.1 port $PORT; };
	notify-delay 0;
	key-directory "$D/primary";
	// re-sign only within a day of expiry, so the 3-day signature stays
	// as it is and rodns has something to warn about
	sig-validity-interval 30 1;
};
controls { };
zone "$ZONE" { type primary; file "$ZONE.db"; allow-update { 127.0.0.1; }; };
EOF
setsid named -g -c "$D/primary/named.conf" >"$D/primary/named.log" 2>&1 </dev/null &
echo $! >"$D/named.pid.run"
wait_grep 30 "$D/primary/named.log" ' running$' || die "BIND did not start" "$D/primary/named.log"
info "named running, pid $(cat "$D/named.pid.run")"

say "3. rodnsd as the replica on 127.0.0.1@$PORT (store: $D/state/rodns.sqlite)"
cat >"$D/rodns.yaml" <<EOF
server:
  listen: ["127.0.0.1@$PORT"]
  workers: 2
  state-dir: $D/state
  user: nobody
  group: nogroup
  control: $D/state/control.sock
  metrics: 127.0.0.1@$MPORT
events:
  file: $D/state/events.jsonl
  syslog: no
zones:
  - name: $ZONE
    primaries: ["127.0.0.1@$PPORT"]
    allow-transfer: ["127.0.0.1"]
EOF
"$BUILD/rodnsd" -t -c "$D/rodns.yaml" >/dev/null || die "the demo config does not check" ""
setsid "$BUILD/rodnsd" -c "$D/rodns.yaml" >"$D/rodnsd.log" 2>&1 </dev/null &
echo $! >"$D/rodnsd.pid"
wait_grep 60 "$D/rodnsd.log" '\[6520\].*AXFR' || die "no AXFR arrived" "$D/rodnsd.log"
info "$(grep -E '\[6520\].*AXFR' "$D/rodnsd.log" | head -n 1)"

say "4. A DNSSEC answer from rodns: dig +dnssec www.$ZONE A @127.0.0.1 -p $PORT"
dig +dnssec +norec +multiline @127.0.0.1 -p "$PORT" "www.$ZONE" A | grep -vE '^;; (global|Query|SERVER|WHEN|MSG)|^$' |
	sed 's/^/   /'

say "5. A change on the primary arrives as IXFR via NOTIFY"
old=$(dig +short +norec @127.0.0.1 -p "$PPORT" "$ZONE" SOA | awk '{print $3}')
printf 'server 127.0.0.1 %s\nzone %s\nupdate delete host7.%s. A\nupdate add new.%s. 300 A 192.0.2.99\nupdate delete www.%s. A\nupdate add www.%s. 3600 A 192.0.2.81\nsend\n' \
	"$PPORT" "$ZONE" "$ZONE" "$ZONE" "$ZONE" "$ZONE" | nsupdate -v -t 30 || die "nsupdate failed" ""
# the transfer that brings the new serial (a forced full transfer of the
# old serial, for the expiring signature, may come and go in between)
new=""
for i in $(seq 1 300); do
	new=$(dig +short +norec @127.0.0.1 -p "$PPORT" "$ZONE" SOA | awk '{print $3}')
	[ -n "$new" ] && [ "$new" != "$old" ] &&
		grep -q "\[6520\].* -> $new," "$D/rodnsd.log" && break
	sleep 0.1
done
line=$(grep "\[6520\].* $old -> $new," "$D/rodnsd.log" | head -n 1)
echo "$line" | grep -q IXFR || die "the change did not arrive as IXFR" "$D/rodnsd.log"
info "$line"
info "(the primary re-signed what changed and its IXFR deleted the old signatures; any it"
info " had left behind, as Windows Server 2012 did, would show as 'RRSIGs pruned')"
dig +short +norec @127.0.0.1 -p "$PORT" "new.$ZONE" A | sed "s/^/   new.$ZONE A = /"

say "6. Signature expiry: the soon-expiring RRSIG raises warning 1525"
if wait_grep 30 "$D/rodnsd.log" '\[1525\]'; then
	info "$(grep '\[1525\]' "$D/rodnsd.log" | head -n 1)"
else
	info "(no 1525 event in the log yet: this build has no expiry tracking)"
fi

say "7. rodnsctl expiry"
if [ -x "$BUILD/rodnsctl" ]; then
	"$BUILD/rodnsctl" -s "$D/state/control.sock" expiry | sed 's/^/   /'
	info "(exit code ${PIPESTATUS[0]}: 0 ok, 1 warning, 2 error — usable as a Nagios check)"
else
	info "(rodnsctl is not built yet)"
fi

say "Running: explore, then stop with 'make demo-stop'"
info "dig @127.0.0.1 -p $PORT +dnssec host1.$ZONE A"
info "dig @127.0.0.1 -p $PORT $ZONE AXFR"
[ -x "$BUILD/rodnsctl" ] && info "$BUILD/rodnsctl -s $D/state/control.sock zone-status $ZONE"
info "logs: $D/rodnsd.log, $D/primary/named.log; events: $D/state/events.jsonl"
exit 0
