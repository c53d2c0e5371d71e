#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# t_expiry: signature expiry end to end against a real BIND 9 primary, with
# every event sink, the metrics endpoint and rodnsctl.
#
# The primary (named -g, no re-signing of its own) serves two pre-signed
# zones: warn.test, signed with signatures that expire in 2 days, and
# dead.test, whose signatures expired an hour ago. rodnsd (build/rodnsd)
# transfers both over TCP with its refresh clamped to 2 s, and sends its
# events to a JSON-lines file, to syslog through a test socket
# (events.syslog-socket, read here by a small python3 listener) and to a
# hook script that records its environment and standard input. Cases:
#   1 warning    warn.test raises 1525 in all three sinks, naming the zone,
#                the first RRSIG's owner/type/key tag and its expiry in UTC;
#                the forced AXFR that follows is reported as not curing it,
#                and no scan repeats the event (repeat is 1h).
#   2 error      dead.test raises 1524 in all three sinks.
#   3 metrics    curl /metrics: promtool check metrics (an awk check of the
#                line grammar when promtool is missing) and the values:
#                serial, expiry timestamps, expired/expiring counts, expiry
#                state, transfers, events.
#   4 rodnsctl   expiry tables and exit codes (1 warning, 2 error, 0 ok),
#                --json, TSV when piped; status, zones, zone-status,
#                refresh, retransfer (a new AXFR), events, events --follow,
#                dump (equal to the primary's AXFR, canonical order),
#                reload; errors: unknown zone, bad usage.
#   5 cure       warn.test re-signed on the primary with 30-day signatures
#                at the SAME serial and reloaded: the forced AXFR picks
#                them up and 1526 fires; rodnsctl expiry warn.test exits 0.
#   6 restart    rodnsctl stop; rodnsctl reports the daemon down (exit 3);
#                rodnsd started again appends to the same JSON file (old
#                lines intact) and re-raises dead.test's standing 1524.
#   7 zone expiry the primary stopped: warn.test (expire clamped to 8 s)
#                raises 6527; the primary back: 6526.
# Ports: random, checked free (lib.sh). T_KEEP=1 keeps $T_DIR.
# SC2317: functions run through t_check, which shellcheck cannot see;
# SC2016: `bash -c '...' _ ARGS` expands its arguments itself; SC2015: the
# port line aborts when any free_port fails, as meant.
# shellcheck disable=SC2317,SC2016,SC2015
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
t_init expiry
PATH=$PATH:/usr/sbin:/sbin
[ -d "$RODNS_BUILD" ] && RODNS_BUILD=$(cd "$RODNS_BUILD" && pwd)
cd "$T_DIR" || t_abort "cd $T_DIR"

RODNSD=$RODNS_BUILD/rodnsd
CTL=$RODNS_BUILD/rodnsctl
MKZONE=$T_LIB_DIR/mkzone.sh
[ -x "$RODNSD" ] || t_abort "no $RODNSD (run make all)"
[ -x "$CTL" ] || t_abort "no $CTL (run make all)"
for c in named rndc rndc-confgen dig dnssec-signzone dnssec-keygen ldns-read-zone curl python3 \
	ss awk; do
	command -v "$c" >/dev/null 2>&1 || t_abort "$c is not installed (make deps)"
done

P_PRI=$(free_port) && P_RNDC=$(free_port) && P_DNS=$(free_port) && P_MET=$(free_port) ||
	t_abort "no free ports"
SOCK=$T_DIR/state/control.sock
EVENTS=$T_DIR/events.jsonl
SYSLOG=$T_DIR/syslog.out
HOOKOUT=$T_DIR/hook.out

# ---- zones ------------------------------------------------------------------
# sign DIR ZONE OUT START END [OPTION...]: re-signs DIR/ZONE.zone with DIR/keys.
sign() {
	local d=$1 z=$2 out=$3 s=$4 e=$5
	shift 5
	(cd "$d" && dnssec-signzone -q -S "$@" -K keys -o "$z" -s "$s" -e "$e" -f "$out" \
		"$z.zone" >/dev/null)
}
SERIAL=1000 bash "$MKZONE" 40 "$T_DIR/zw" nsec warn.test >/dev/null || t_abort "mkzone warn.test"
SERIAL=2000 bash "$MKZONE" 40 "$T_DIR/zd" nsec dead.test >/dev/null || t_abort "mkzone dead.test"
mkdir -p "$T_DIR/p" "$T_DIR/state"
sign "$T_DIR/zw" warn.test "$T_DIR/p/warn.test.db" now-3600 now+172800 ||
	t_abort "signing warn.test (2 days)"
# already expired: dnssec-signzone's own check would refuse it (-P)
sign "$T_DIR/zd" dead.test "$T_DIR/p/dead.test.db" now-864000 now-3600 -P ||
	t_abort "signing dead.test (expired)"

# ---- the primary -------------------------------------------------------------
rndc-confgen -a -k t-rndc -c "$T_DIR/rndc.key" >/dev/null 2>&1 || t_abort "rndc-confgen"
cat >"$T_DIR/named.conf" <<EOF
include "$T_DIR/rndc.key";
controls { inet 127.0.0.1 port $P_RNDC allow { 127.0.0.1; } keys { t-rndc; }; };
options {
	directory "$T_DIR/p";
	pid-file none;
	session-keyfile "$T_DIR/p/session.key";
	managed-keys-directory "$T_DIR/p";
	listen-on port $P_PRI { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	allow-transfer { 127.0.0.1; };
	notify no;
};
zone "warn.test" { type primary; file "warn.test.db"; };
zone "dead.test" { type primary; file "dead.test.db"; };
EOF
start_named primary "$T_DIR/named.conf" || t_abort "named did not start"
PRI_PID=$NAMED_PID
prndc() { rndc -s 127.0.0.1 -p "$P_RNDC" -k "$T_DIR/rndc.key" "$@"; }

# ---- the sinks ---------------------------------------------------------------
cat >"$T_DIR/syslogd.py" <<'EOF'
import os, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
with open(out, "ab", 0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
EOF
t_spawn "$T_DIR/syslogd.log" python3 "$T_DIR/syslogd.py" "$T_DIR/log.sock" "$SYSLOG"
wait_for 10 test -S "$T_DIR/log.sock" || t_abort "the syslog listener did not start"

cat >"$T_DIR/hook.sh" <<EOF
#!/bin/sh
{
	echo "== \$RODNS_EVENT_ID \$RODNS_EVENT_SEVERITY zone=\$RODNS_EVENT_ZONE owner=\$RODNS_EVENT_OWNER type=\$RODNS_EVENT_TYPE key_tag=\$RODNS_EVENT_KEY_TAG expires=\$RODNS_EVENT_EXPIRES"
	echo "message: \$RODNS_EVENT_MESSAGE"
	echo "stdin: \$(cat)"
} >>"$HOOKOUT"
EOF
chmod +x "$T_DIR/hook.sh"

# ---- rodnsd -------------------------------------------------------------------
zone_conf() {
	cat <<EOF
  - name: $1
    primaries: [{ address: "127.0.0.1@$P_PRI", transport: tcp }]
    store: rodns.sqlite
    notify-from: ["127.0.0.1"]
    refresh-min: 2s
    refresh-max: 2s
    retry-min: 1s
    retry-max: 1s
    expire-min: ${2:-1h}
    expire-max: ${3:-4w}
EOF
}
write_conf() {
	cat <<EOF
server:
  listen: ["127.0.0.1@$P_DNS"]
  workers: 1
  state-dir: $T_DIR/state
  user: root
  control: $SOCK
  metrics: 127.0.0.1@$P_MET
log:
  level: info
events:
  file: $EVENTS
  syslog: true
  syslog-socket: $T_DIR/log.sock
  hook: $T_DIR/hook.sh
  hook-timeout: 5s
  repeat: 1h
zones:
EOF
	zone_conf warn.test 5s 8s
	zone_conf dead.test
}
write_conf >"$T_DIR/rodns.yaml"
"$RODNSD" -t -c "$T_DIR/rodns.yaml" >/dev/null || t_abort "rodnsd -t rejects the config"
# start_rodnsd N: rodnsd with its log in rodnsd.N.log, ready when its
# control socket is. Other tests pick ports at the same time: a port taken
# between free_port and the bind means new ports and another try.
start_rodnsd() {
	local try
	for try in 1 2 3; do
		t_spawn "$T_DIR/rodnsd.$1.log" "$RODNSD" -c "$T_DIR/rodns.yaml"
		RODNSD_PID=$T_LAST_PID
		wait_for 15 bash -c '[ -S "$1" ] || ! kill -0 "$2"' _ "$SOCK" "$RODNSD_PID"
		[ -S "$SOCK" ] && kill -0 "$RODNSD_PID" 2>/dev/null && return 0
		grep -q 'Address already in use' "$T_DIR/rodnsd.$1.log" || return 1
		echo "  (port taken, try $try: new ports)"
		P_DNS=$(free_port) && P_MET=$(free_port) || return 1
		write_conf >"$T_DIR/rodns.yaml"
	done
	return 1
}
start_rodnsd 1 || t_abort "rodnsd did not start"

# count_ev ID ZONE: JSON lines with this id for this zone
count_ev() {
	grep -c "\"id\":$1,\"severity\":\"[a-z]*\",\"zone\":\"$2\"" "$EVENTS" 2>/dev/null
}
has_ev() { [ "$(count_ev "$1" "$2")" -gt "${3:-0}" ]; }
last_ev() { grep "\"id\":$1,\"severity\":\"[a-z]*\",\"zone\":\"$2\"" "$EVENTS" | tail -n 1; }

# ---- 1 warning ----------------------------------------------------------------
wait_for 30 has_ev 1525 warn.test. 1 ||
	t_fail "1525 for warn.test raised and re-raised after the forced AXFR (events: $(count_ev 1525 warn.test.))"
W=$(grep -m1 '"id":1525,"severity":"warning","zone":"warn.test."' "$EVENTS")
json_ok() {
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    json.loads(l)' "$1"
}
t_check "every line of the JSON file parses" json_ok "$EVENTS"
exp_2d() { # the expiry the event names is ~2 days away
	python3 -c 'import json,sys,time
e = json.loads(sys.argv[1])
assert e["owner"].endswith("warn.test.") and e["type"] and e["key_tag"] > 0, e
assert abs(e["expires_unix"] - time.time() - 172800) < 7200, e
assert e["expires"].endswith("Z") and e["action"] == "axfr", e' "$1"
}
t_check "1525 names owner/type/key tag and an expiry in 2 days (UTC), forcing an AXFR" exp_2d "$W"
NC=$(last_ev 1525 warn.test.)
t_check "the 1525 after the forced AXFR says it did not cure it" \
	grep -q '"cured":"no"' <<<"$NC"
t_check "...and names the AXFR that ran" grep -q 'did not cure it' <<<"$NC"
t_check "1525 in syslog: <daemon.warning>, zone, owner/type, key tag, UTC expiry" \
	grep -qE '^<28>.* rodnsd\[[0-9]+\]: \[1525\] warn\.test\.: RRSIG [a-z0-9.]*warn\.test\./[A-Z]+ key [0-9]+ expires 20[0-9-]+T[0-9:]+Z' "$SYSLOG"
t_check "1525 in the hook: environment" \
	grep -qE '^== 1525 warning zone=warn\.test\. owner=[a-z0-9.]*warn\.test\. type=[A-Z]+ key_tag=[0-9]+ expires=20' "$HOOKOUT"
t_check "1525 in the hook: the JSON line on stdin" \
	grep -q '^stdin: {"time":"[0-9TZ:-]*","id":1525,"severity":"warning","zone":"warn.test."' "$HOOKOUT"
sleep 5 # a few more refreshes (every 2 s), each followed by a scan
t_check "no event per scan: still exactly two 1525 for warn.test" \
	test "$(count_ev 1525 warn.test.)" -eq 2
t_check "the refreshes were forced AXFRs at the same serial" \
	test "$(grep -c '"id":6520,.*"zone":"warn.test.".*"kind":"AXFR".*"serial_from":1000,"serial":1000' "$EVENTS")" -ge 3

# ---- 2 error ------------------------------------------------------------------
wait_for 20 has_ev 1524 dead.test. || t_fail "1524 for dead.test"
t_check "1524 in the JSON file: error, expired count, the first RRSIG" \
	grep -qE '"id":1524,"severity":"error","zone":"dead.test.","message":"[0-9]+ RRSIGs have expired; the first, [a-z0-9.]*dead.test./[A-Z]+ key [0-9]+, at 20[0-9T:-]+Z' "$EVENTS"
t_check "1524 in syslog: <daemon.err>" \
	grep -qE '^<27>.* rodnsd\[[0-9]+\]: \[1524\] dead\.test\.: [0-9]+ RRSIGs have expired' "$SYSLOG"
t_check "1524 in the hook" grep -qE '^== 1524 error zone=dead\.test\. owner=[a-z0-9.]+ type=[A-Z]+ key_tag=[0-9]+' "$HOOKOUT"

# ---- 3 metrics ----------------------------------------------------------------
curl -sf "http://127.0.0.1:$P_MET/metrics" >"$T_DIR/metrics.txt"
t_check "GET /metrics answers 200" test -s "$T_DIR/metrics.txt"
prom_ok() {
	if command -v promtool >/dev/null 2>&1; then
		promtool check metrics <"$1"
	else # the line grammar, without promtool
		awk '/^# (HELP|TYPE) / { next }
		     !/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? -?[0-9.e+]+$/ { bad = 1; print "bad: " $0 }
		     END { exit bad }' "$1"
	fi
}
t_check "the exposition parses (${PROMTOOL:-$(command -v promtool >/dev/null && echo promtool || echo awk)})" prom_ok "$T_DIR/metrics.txt"
if command -v promtool >/dev/null 2>&1; then
	t_check "docs/alerts.yml: promtool check rules" \
		bash -c 'promtool check rules "$1" >/dev/null' _ "$RODNS_TOP/docs/alerts.yml"
fi
metric() { awk -v k="$1" '$1 == k { print $2 }' "$T_DIR/metrics.txt"; }
t_check "rodns_zone_serial{warn.test} = 1000" test "$(metric 'rodns_zone_serial{zone="warn.test."}')" = 1000
t_check "rodns_zone_state{warn.test} = 1 (serving)" test "$(metric 'rodns_zone_state{zone="warn.test."}')" = 1
near_2d() { local v=$1 now; now=$(date +%s); [ -n "$v" ] && [ $((v - now - 172800)) -lt 7200 ] && [ $((now + 172800 - v)) -lt 7200 ]; }
t_check "earliest expiry of warn.test ~ now + 2 days" \
	near_2d "$(metric 'rodns_zone_rrsig_earliest_expiry_timestamp_seconds{zone="warn.test."}')"
t_check "warn.test: RRSIGs expiring > 0, expired = 0" \
	test "$(metric 'rodns_zone_rrsig_expiring{zone="warn.test."}')" -gt 0 -a \
	"$(metric 'rodns_zone_rrsig_expired{zone="warn.test."}')" = 0
t_check "dead.test: expired > 0 and expiry state 2" \
	test "$(metric 'rodns_zone_rrsig_expired{zone="dead.test."}')" -gt 0 -a \
	"$(metric 'rodns_zone_expiry_state{zone="dead.test."}')" = 2
t_check "warn.test expiry state 1" test "$(metric 'rodns_zone_expiry_state{zone="warn.test."}')" = 1
t_check "last refresh and zone expiry timestamps are set" \
	test "$(metric 'rodns_zone_last_refresh_timestamp_seconds{zone="warn.test."}')" -gt 0 -a \
	"$(metric 'rodns_zone_expire_timestamp_seconds{zone="warn.test."}')" -gt 0
t_check "rodns_xfr_total counts the AXFRs" \
	test "$(metric 'rodns_xfr_total{zone="warn.test.",kind="axfr",transport="tcp",result="success"}')" -ge 2
t_check "rodns_events_total{1525} = 2, {1524} >= 1" \
	test "$(metric 'rodns_events_total{id="1525"}')" = 2 -a "$(metric 'rodns_events_total{id="1524"}')" -ge 1
dig +short +time=2 @127.0.0.1 -p "$P_DNS" warn.test SOA >/dev/null
dig +short +time=2 @127.0.0.1 -p "$P_DNS" nope.warn.test A >/dev/null
curl -sf "http://127.0.0.1:$P_MET/metrics" >"$T_DIR/metrics.txt"
t_check "rodns_queries_total counts a NOERROR and an NXDOMAIN over UDP" \
	test "$(metric 'rodns_queries_total{rcode="NOERROR",proto="udp"}')" -ge 1 -a \
	"$(metric 'rodns_queries_total{rcode="NXDOMAIN",proto="udp"}')" -ge 1
# the same question 40 times: repeats on one worker come from its answer cache
# (its figures reach the metrics within a worker tick, ~50 ms)
for _ in $(seq 40); do dig +short +time=2 @127.0.0.1 -p "$P_DNS" warn.test SOA >/dev/null; done
hits=0
for _ in $(seq 50); do
	curl -sf "http://127.0.0.1:$P_MET/metrics" >"$T_DIR/metrics.txt"
	hits=$(metric rodns_answer_cache_hits_total)
	[ "${hits:-0}" -ge 1 ] && break
	sleep 0.1
done
t_check "rodns_answer_cache_hits_total counts repeated questions" test "${hits:-0}" -ge 1
t_check "rodns_answer_cache_entries and _bytes are reported" test \
	"$(metric rodns_answer_cache_entries)" -ge 1 -a "$(metric rodns_answer_cache_bytes)" -ge 1
t_check "HEAD and a wrong path: 200 and 404" test \
	"$(curl -s -o /dev/null -w '%{http_code}' -I "http://127.0.0.1:$P_MET/metrics")/$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P_MET/other")" = 200/404

# ---- 4 rodnsctl ---------------------------------------------------------------
ctl() { "$CTL" -s "$SOCK" "$@"; }
# ctl_rc WANT ARGS...: the exit status is WANT
ctl_rc() {
	local want=$1 rc
	shift
	ctl "$@" >"$T_DIR/ctl.out" 2>"$T_DIR/ctl.err"
	rc=$?
	[ "$rc" -eq "$want" ] || { echo "  rodnsctl $* exited $rc, not $want: $(cat "$T_DIR/ctl.err")"; return 1; }
}
t_check "expiry warn.test: exit 1 (warning)" ctl_rc 1 expiry warn.test
t_check "...TSV when piped: header and a warning row" \
	grep -qP '^warn\.test\.\twarning\twindow' "$T_DIR/ctl.out"
t_check "...the worst RRSIGs as a second TSV table" \
	test "$(grep -cP '^warn\.test\.\t[a-z0-9.]*warn\.test\.\t[A-Z]+\t[0-9]+\t13\t' "$T_DIR/ctl.out")" -eq 10
t_check "expiry dead.test: exit 2 (error)" ctl_rc 2 expiry dead.test
t_check "expiry (all zones): exit 2, the worst" ctl_rc 2 expiry
# on a terminal (script(1) gives it one): aligned columns
script -qc "$CTL -s $SOCK expiry warn.test" "$T_DIR/tty.out" >/dev/null 2>&1
t_check "expiry on a terminal: state, figures and the RRSIG table, aligned" \
	grep -q '^  OWNER  *TYPE  *KEY  *ALG  *INCEPTION  *EXPIRATION  *LEFT' "$T_DIR/tty.out"
t_check "...headed by the zone and its state" grep -q '^warn.test.  warning (window)' "$T_DIR/tty.out"
t_check "expiry --json parses, state warning, ten worst RRSIGs" python3 -c '
import json, subprocess, sys
p = subprocess.run([sys.argv[1], "-s", sys.argv[2], "--json", "expiry", "warn.test"], capture_output=True, text=True)
assert p.returncode == 1, p
j = json.loads(p.stdout)
z = j["zones"][0]
assert j["state"] == "warning" and z["zone"] == "warn.test." and len(z["worst"]) == 10, j
assert z["expiring"] > 0 and z["expired"] == 0 and z["earliest"] > 0 and z["latest"] >= z["earliest"], z' "$CTL" "$SOCK"
t_check "the control socket is mode 0600" test "$(stat -c %a "$SOCK")" = 600
t_check "rodnsctl -c CONFIG finds the socket" \
	bash -c '"$1" -c "$2" status | grep -qP "^zones\t2$"' _ "$CTL" "$T_DIR/rodns.yaml"
t_check "status" ctl_rc 0 status
t_check "...names the zones and their expiry states" grep -qP '^expiry warning\t1$' "$T_DIR/ctl.out"
t_check "zones lists both" ctl_rc 0 zones
t_check "...warn.test serving at 1000" grep -qP '^warn\.test\.\tserving\t1000\twarning\t' "$T_DIR/ctl.out"
t_check "zone-status warn.test" ctl_rc 0 zone-status warn.test
t_check "...primary and timers" grep -qP "^primary\t127.0.0.1@$P_PRI$" "$T_DIR/ctl.out"
t_check "refresh warn.test" ctl_rc 0 refresh warn.test
t_check "...queued" grep -q 'refresh queued' "$T_DIR/ctl.out"
t_spawn "$T_DIR/follow.out" "$CTL" -s "$SOCK" --json events --follow
FOLLOW_PID=$T_LAST_PID
sleep 1
NAX=$(grep -c '"id":6520,.*"zone":"dead.test."' "$EVENTS")
t_check "retransfer dead.test" ctl_rc 0 retransfer dead.test
wait_for 15 test "$(grep -c '"id":6520,.*"zone":"dead.test."' "$EVENTS")" -gt "$NAX"
t_check "...a full transfer followed" \
	test "$(grep -c '"id":6520,.*"zone":"dead.test.".*"kind":"AXFR"' "$EVENTS")" -gt 1
t_check "events --follow printed it as it happened" \
	wait_for 10 grep -q '"id":6520,"severity":"info","zone":"dead.test."' "$T_DIR/follow.out"
t_stop "$FOLLOW_PID"
t_check "events: the recent ones, 1525 among them" ctl_rc 0 events
t_check "...TSV rows" grep -qP '^20[0-9T:-]+Z\t1525\twarning\twarn\.test\.\t' "$T_DIR/ctl.out"
t_check "dump warn.test" ctl_rc 0 dump warn.test
grep -v '^;' "$T_DIR/ctl.out" >"$T_DIR/dump.zone"
dig +onesoa +nocmd +nostats +time=10 @127.0.0.1 -p "$P_PRI" warn.test AXFR | grep -v '^;' >"$T_DIR/axfr.zone"
t_check "...equal to the primary's AXFR" \
	cmp -s <(ldns-read-zone -z "$T_DIR/dump.zone" 2>/dev/null) <(ldns-read-zone -z "$T_DIR/axfr.zone" 2>/dev/null)
# ldns-read-zone prints the SOA first whatever the order: leave it out
t_check "...in canonical order (owner, type)" \
	cmp -s <(awk '!/^$/ && $4 != "SOA" { print $1, $4 }' "$T_DIR/dump.zone") \
	<(ldns-read-zone -z "$T_DIR/dump.zone" 2>/dev/null | awk '!/^$/ && $4 != "SOA" { print $1, $4 }')
t_check "reload" ctl_rc 0 reload
t_check "unknown zone: exit 4" ctl_rc 4 zone-status nope.test
t_check "...says so" grep -q 'unknown zone nope.test' "$T_DIR/ctl.err"
t_check "expiry of an unknown zone: exit 4" ctl_rc 4 expiry nope.test
t_check "refresh without a zone: usage, exit 64" ctl_rc 64 refresh
t_check "an unknown command: exit 64" ctl_rc 64 frobnicate
t_check "usage text documents the exit codes" \
	bash -c '"$1" -h | grep -q "3   rodnsd cannot be reached"' _ "$CTL"

# ---- 5 cure: re-signed at the same serial -------------------------------------
sign "$T_DIR/zw" warn.test "$T_DIR/p/warn.test.db" now-3600 now+2592000 || t_fail "re-signing"
prndc reload warn.test >/dev/null 2>&1 || t_fail "rndc reload warn.test"
t_check "the primary still serves serial 1000" \
	test "$(dig +short @127.0.0.1 -p "$P_PRI" warn.test SOA | awk '{ print $3 }')" = 1000
t_check "1526 for warn.test within 30 s" wait_for 30 has_ev 1526 warn.test.
C=$(last_ev 1526 warn.test.)
t_check "...clearing 1525, after a full transfer at serial 1000" \
	grep -qE '"cleared":1525' <<<"$C"
t_check "...its text names the new first expiry" \
	grep -qE 'warning cleared: the earliest RRSIG, .* now expires 20[0-9T:-]+Z \(in (29d|30d)' <<<"$C"
t_check "1526 in syslog and the hook" \
	bash -c 'grep -q "\[1526\] warn.test.: signature expiry warning cleared" "$1" && grep -q "^== 1526 info zone=warn.test." "$2"' _ "$SYSLOG" "$HOOKOUT"
t_check "expiry warn.test: exit 0 now" ctl_rc 0 expiry warn.test

# ---- 6 restart ---------------------------------------------------------------
FIRST=$(head -n 1 "$EVENTS")
LINES=$(wc -l <"$EVENTS")
N1524=$(count_ev 1524 dead.test.)
t_check "stop" ctl_rc 0 stop
t_check "...rodnsd exits" wait_for 15 bash -c '! kill -0 "$1" 2>/dev/null' _ "$RODNSD_PID"
t_check "daemon down: exit 3" ctl_rc 3 status
t_check "...says it cannot reach rodnsd" grep -q 'cannot reach rodnsd' "$T_DIR/ctl.err"
start_rodnsd 2 || t_fail "rodnsd did not start again"
t_check "the standing 1524 is raised again after the restart" wait_for 20 has_ev 1524 dead.test. "$N1524"
t_check "the JSON file kept its old lines" \
	test "$(head -n 1 "$EVENTS")" = "$FIRST" -a "$(wc -l <"$EVENTS")" -gt "$LINES"
t_check "...and every line still parses" json_ok "$EVENTS"

# ---- 7 the zone itself expires -------------------------------------------------
t_stop "$PRI_PID"
t_check "primary gone: 6527 for warn.test (expire 8 s)" wait_for 40 has_ev 6527 warn.test.
t_check "...answering SERVFAIL" \
	bash -c 'dig +time=2 @127.0.0.1 -p "$1" warn.test SOA | grep -q "status: SERVFAIL"' _ "$P_DNS"
start_named primary "$T_DIR/named.conf" || t_fail "named did not restart"
t_check "primary back: 6526" wait_for 30 has_ev 6526 warn.test.

t_summary
