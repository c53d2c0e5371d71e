#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# usage: tests/bench/peers.sh [N...]
#   rodns against Knot DNS and NSD, side by side in one run: the three are
#   secondaries of the same BIND 9 primary serving the same signed zone
#   (example.test, ECDSAP256, NSEC, about N names; tests/bench/mkzone-bench.sh,
#   cached under /var/tmp/rodns-bench/zones). For each N (default 100000 and
#   1000000; BENCH_QUICK=1: 100000 only):
#    1 AXFR ingest, one server at a time from a fresh empty data dir: time
#      from daemon start to the primary's serial answered (dig every 50 ms);
#      peak memory (max VmHWM over the server's processes; NSD also the
#      peak of its PSS sum, sampled at each poll).
#    2 IXFR: IXFR_REPS (3) times one nsupdate changing IXFR_K (1000) records
#      (1/3 deleted, 1/3 modified, 1/3 added); time from nsupdate's return
#      to each server answering the new serial (all three polled at once).
#    3 queries, each server in turn, all its threads pinned to cpu0 and
#      dnsperf on cpu1, query mix plain and DO (-D): QPS (`-c 8 -l 10`),
#      latency percentiles at a fixed 10,000 QPS (`-Q 10000 -l 5 -v`), CPU
#      per answered query at `-Q 50000 -l 10` (utime+stime of the server's
#      processes); the same for build/bench/echo (the floor); rodns unpinned
#      on both cores (dnsperf shares them) for scaling. Lost queries count.
#    4 memory while serving, after the query runs (RSS sum, PSS sum).
#   Writes a markdown table to build/bench/results.md (and stdout), raw rows
#   to build/bench/results.tsv, the configs used to build/bench/peers-conf/.
#   Figures, not tests: the exit status only says whether the run completed.
# Env: BENCH_QUICK=1; BENCH_PORT_BASE (7300: +1 primary, +51 rndc, +11 rodns,
#   +12 knot, +13 nsd, +14 echo; below the ephemeral port range, which
#   outgoing connections may take); BENCH_ROOT (/var/tmp/rodns-bench);
#   BENCH_KEEP=1 keeps the run directory; BENCH_NO_QUERIES=1 skips part 3;
#   BENCH_SERVERS (a subset of "rodns knot nsd"); POLL (0.05 s between digs);
#   IXFR_REPS (3); IXFR_K (1000); QSECS (10); LATQPS (10000); LATSECS (5);
#   CPUQPS (50000); AXFR_TIMEOUT (1800 s per server); OTHER_MAX (30) and
#   QRETRIES (2): a QPS run during which other processes used more than
#   OTHER_MAX % of a core is repeated, at most QRETRIES times; RODNS_BUILD
#   (build dir, default build/); BENCH_RODNS_COLD (1: also measure rodns
#   with its answer cache off, the "rodns cold" column; 0: skip).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
BUILD=${RODNS_BUILD:-$TOP/build}
PATH=$PATH:/usr/sbin:/sbin
export LC_ALL=C

sh "$HERE/deps.sh" || { echo "peers: tests/bench/deps.sh failed" >&2; exit 1; }

if [ $# -gt 0 ]; then NS=("$@")
elif [ "${BENCH_QUICK:-0}" = 1 ]; then NS=(100000)
else NS=(100000 1000000); fi
for n in "${NS[@]}"; do
	case "$n" in '' | *[!0-9]*) echo "peers: N must be a number, not '$n'" >&2; exit 2 ;; esac
done

BASE=${BENCH_PORT_BASE:-7300}
P_PRIM=$((BASE + 1)) P_RNDC=$((BASE + 51)) P_RODNS=$((BASE + 11)) P_KNOT=$((BASE + 12))
P_NSD=$((BASE + 13)) P_ECHO=$((BASE + 14))
ROOT=${BENCH_ROOT:-/var/tmp/rodns-bench}
IXFR_REPS=${IXFR_REPS:-3} IXFR_K=${IXFR_K:-1000} QSECS=${QSECS:-10}
LATQPS=${LATQPS:-10000} LATSECS=${LATSECS:-5} CPUQPS=${CPUQPS:-50000}
AXFR_TIMEOUT=${AXFR_TIMEOUT:-1800} OTHER_MAX=${OTHER_MAX:-30} QRETRIES=${QRETRIES:-2}
Z=example.test
ALL_SERVERS=${BENCH_SERVERS:-rodns knot nsd}
for s in $ALL_SERVERS; do
	case $s in rodns | knot | nsd) ;; *) echo "peers: BENCH_SERVERS: unknown server $s" >&2; exit 2 ;; esac
done
SERVERS=$ALL_SERVERS # those still running; a server that fails is dropped
POLL=${POLL:-0.05}
declare -A PORT=([rodns]=$P_RODNS [knot]=$P_KNOT [nsd]=$P_NSD [echo]=$P_ECHO)
declare -A SID=()   # server -> session id (= the pid we spawned, via setsid)

RODNSD=$BUILD/rodnsd ECHO=$BUILD/bench/echo
for f in "$RODNSD" "$ECHO"; do
	[ -x "$f" ] || { echo "peers: no $f (run make all and make $f, or make bench)" >&2; exit 1; }
done
for c in named rndc-confgen nsupdate dig knotd nsd dnsperf taskset ss ps python3; do
	command -v "$c" >/dev/null || { echo "peers: $c missing (tests/bench/deps.sh)" >&2; exit 1; }
done
for p in $P_PRIM $P_RNDC $P_RODNS $P_KNOT $P_NSD $P_ECHO; do
	if [ -n "$(ss -Htuln "sport = :$p" 2>/dev/null)" ]; then
		echo "peers: port $p is in use; set BENCH_PORT_BASE to another base" >&2
		exit 1
	fi
done

mkdir -p "$ROOT" "$BUILD/bench"
RUN=$(mktemp -d "$ROOT/run.XXXXXX")
TSV=$RUN/results.tsv CMDS=$RUN/commands.txt
: >"$TSV"
: >"$CMDS"
PRIM_SID=

log() { echo "[$(date +%T)] $*" >&2; }

# ------------------------------------------------------------ processes
# spawn NAME LOG CMD...: runs CMD in a session of its own (setsid: in a
# non-interactive shell the background job is no group leader, so setsid
# execs in place and $! is the daemon). Every process it forks stays in that
# session, which is how its process tree is found again (NSD's reloads
# replace its main process).
spawn() {
	local name=$1 lf=$2
	shift 2
	setsid "$@" >"$lf" 2>&1 </dev/null &
	SPAWNED=$!
	echo "$SPAWNED" >"$RUN/$name.sid"
}
# NSD's current main process (its reloads replace the one we started)
pidfile_of() { [ "$1" = nsd ] && echo "$RUN/nsd/nsd.pid"; }
sess_pids() { [ -n "${1:-}" ] && ps -o pid= -s "$1" 2>/dev/null | tr -d ' '; }
sess_alive() { [ -n "$(sess_pids "$1")" ]; }
# sess_stop SID [NSD_PIDFILE]: TERM the session leader (or NSD's current main
# process), wait up to 30 s for the whole session to be gone, KILL what is
# left of it. Only sessions this script spawned are ever passed here.
sess_stop() {
	local sid=$1 pf=${2:-} p i
	[ -n "$sid" ] || return 0
	sess_alive "$sid" || return 0
	if [ -n "$pf" ] && [ -s "$pf" ]; then kill -TERM "$(cat "$pf")" 2>/dev/null; fi
	kill -TERM "$sid" 2>/dev/null
	for ((i = 0; i < 300; i++)); do
		sess_alive "$sid" || break
		sleep 0.1
	done
	for p in $(sess_pids "$sid"); do kill -KILL "$p" 2>/dev/null; done
	wait "$sid" 2>/dev/null
	return 0
}
# jiffies of CPU over the session: utime + stime of every process (all
# threads), plus cutime + cstime (children that exited and were reaped, as
# NSD's reload processes); a process that exits unreaped by the session is
# not counted
sess_cpu() {
	local s=0 p v
	for p in $(sess_pids "$1"); do
		v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 + $14 + $15 }')
		s=$((s + ${v:-0}))
	done
	echo "$s"
}
# sess_mem SID max|sum FIELD: FIELD (kB) from /proc/PID/status (VmHWM, VmRSS)
sess_mem() {
	local p v r=0
	for p in $(sess_pids "$1"); do
		v=$(awk -v f="$3:" '$1 == f { print $2 }' "/proc/$p/status" 2>/dev/null)
		v=${v:-0}
		if [ "$2" = max ]; then [ "$v" -gt "$r" ] && r=$v; else r=$((r + v)); fi
	done
	echo "$r"
}
sess_pss() {
	local p v s=0
	for p in $(sess_pids "$1"); do
		v=$(awk '$1 == "Pss:" { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
		s=$((s + ${v:-0}))
	done
	echo "$s"
}
# pin SID CPUS: every thread of every process of the session onto CPUS
pin() {
	local p
	for p in $(sess_pids "$1"); do taskset -a -p -c "$2" "$p" >/dev/null 2>&1; done
}
# wait_idle SID MAX: until the session uses < 3% of a core over 1 s
wait_idle() {
	local i a b
	for ((i = 0; i < $2; i++)); do
		a=$(sess_cpu "$1")
		sleep 1
		b=$(sess_cpu "$1")
		[ $((b - a)) -lt 3 ] && return 0
	done
	return 0
}

POLLERS=() # background poll loops (subshells of this script) of the IXFR part
cleanup() {
	local s p
	trap - EXIT INT TERM HUP
	for p in "${POLLERS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for s in nsd knot rodns echo; do
		[ -n "${SID[$s]:-}" ] && sess_stop "${SID[$s]}" "$(pidfile_of $s)"
	done
	[ -n "$PRIM_SID" ] && sess_stop "$PRIM_SID"
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		log "kept $RUN"
	else
		rm -rf "$RUN"
	fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM HUP

# ------------------------------------------------------------ helpers
rec() { printf '%s\t%s\t%s\t%s\n' "$CUR_N" "$1" "$2" "$3" >>"$TSV"; log "  $1 $2 = $3"; }
# note KEY TEXT: the exact command lines for the report, first one per KEY
note() { grep -q "^$1	" "$CMDS" || printf '%s\t%s\n' "$1" "$2" >>"$CMDS"; }
serial_at() {
	timeout 5 dig +norec +time=1 +tries=1 +short @127.0.0.1 -p "$1" $Z SOA 2>/dev/null |
		awk 'NF >= 7 { print $3; exit }'
}
# has_serial PORT SERIAL: serial answered >= SERIAL (serials stay far below 2^31 here)
has_serial() {
	local s
	s=$(serial_at "$1")
	[ -n "$s" ] && [ "$s" -ge "$2" ] 2>/dev/null
}
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }

# ------------------------------------------------------------ primary
primary_start() { # ZONEDIR
	local zd=$1 d=$RUN/primary i
	rm -rf "$d"
	mkdir -p "$d/keys"
	cp "$zd/$Z.signed" "$d/$Z.db"
	cp "$zd"/keys/K* "$d/keys/"
	rndc-confgen -a -k bench-rndc -c "$d/rndc.key" >/dev/null 2>&1
	cat >"$d/named.conf" <<EOF
include "$d/rndc.key";
controls { inet 127.0.0.1 port $P_RNDC allow { 127.0.0.1; } keys { bench-rndc; }; };
options {
	directory "$d";
	pid-file none;
	session-keyfile "$d/session.key";
	managed-keys-directory "$d";
	listen-on port $P_PRIM { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	allow-transfer { 127.0.0.1; };
	max-journal-size unlimited;
	notify explicit;
	also-notify { 127.0.0.1 port $P_RODNS; 127.0.0.1 port $P_KNOT; 127.0.0.1 port $P_NSD; };
	notify-delay 0;
	notify-rate 1000;
	transfers-out 10;
	key-directory "$d/keys";
};
logging {
	channel f { file "$d/named.log"; print-time yes; severity info; };
	category default { f; }; category xfer-out { f; }; category notify { f; };
	category update { f; };
};
zone "$Z" {
	type primary;
	file "$Z.db";
	allow-update { 127.0.0.1; };
};
EOF
	cp "$d/named.conf" "$BUILD/bench/peers-conf/named-primary.conf"
	note primary "named -f -c named.conf   # build/bench/peers-conf/named-primary.conf"
	spawn primary "$d/named.stderr" named -f -c "$d/named.conf"
	PRIM_SID=$SPAWNED
	for ((i = 0; i < 9000; i++)); do # 900 s: loading a 1M-name signed zone takes a while
		has_serial $P_PRIM 1 && return 0
		sess_alive "$PRIM_SID" || break
		sleep 0.1
	done
	log "primary did not start:"
	tail -20 "$d/named.stderr" "$d/named.log" >&2
	return 1
}

# ------------------------------------------------------------ secondaries
conf_rodns() {
	local d=$RUN/rodns
	mkdir -p "$d/state"
	cat >"$d/rodns.yaml" <<EOF
server:
  listen: ["127.0.0.1@$P_RODNS"]
  workers: 2
$([ "$(id -u)" = 0 ] && echo "  user: root # as the other servers here (rodnsd refuses root unless told)")
  state-dir: $d/state
  control: $d/control.sock
  metrics: off
${RODNS_EXTRA:-}
log:
  level: info
events:
  syslog: false
zones:
  - name: $Z
    primaries: [{ address: "127.0.0.1@$P_PRIM", transport: tcp }]
    notify-from: ["127.0.0.1"]
EOF
	echo "$d/rodns.yaml"
}
conf_knot() {
	local d=$RUN/knot
	mkdir -p "$d/db" "$d/zones"
	cat >"$d/knot.conf" <<EOF
server:
    rundir: "$d"
    pidfile: "$d/knot.pid"
    listen: 127.0.0.1@$P_KNOT
    udp-workers: 2
    tcp-workers: 2
    background-workers: 2
control:
    listen: "$d/knot.sock"
database:
    storage: "$d/db"
log:
  - target: "$d/knot.log"
    any: info
remote:
  - id: primary
    address: 127.0.0.1@$P_PRIM
acl:
  - id: notify-from-primary
    address: 127.0.0.1
    action: notify
zone:
  - domain: $Z
    storage: "$d/zones"
    master: primary
    acl: notify-from-primary
EOF
	echo "$d/knot.conf"
}
conf_nsd() {
	local d=$RUN/nsd
	mkdir -p "$d/xfr"
	# Debian's NSD has response rate limiting on at 200 qps per /24: off.
	cat >"$d/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@$P_NSD
    port: $P_NSD
    server-count: 2
    reuseport: yes
    username: ""
    chroot: ""
    zonesdir: "$d"
    database: ""
    pidfile: "$d/nsd.pid"
    xfrdfile: "$d/xfrd.state"
    xfrdir: "$d/xfr"
    zonelistfile: "$d/zone.list"
    logfile: "$d/nsd.log"
    verbosity: 1
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: $Z
    zonefile: "$Z.zone"
    request-xfr: 127.0.0.1@$P_PRIM NOKEY
    allow-notify: 127.0.0.1 NOKEY
EOF
	echo "$d/nsd.conf"
}
server_start() { # SERVER: fresh data dir, then the daemon
	local s=$1 c
	rm -rf "${RUN:?}/$s"
	mkdir -p "$RUN/$s"
	c=$(conf_"$s")
	cp "$c" "$BUILD/bench/peers-conf/"
	case $s in
	rodns)
		note rodns "build/rodnsd -c rodns.yaml   # build/bench/peers-conf/rodns.yaml"
		spawn rodns "$RUN/rodns/stderr" "$RODNSD" -c "$c" ;;
	knot)
		note knot "knotd -c knot.conf   # build/bench/peers-conf/knot.conf"
		spawn knot "$RUN/knot/stderr" knotd -c "$c" ;;
	nsd)
		note nsd "nsd -d -c nsd.conf   # build/bench/peers-conf/nsd.conf"
		spawn nsd "$RUN/nsd/stderr" nsd -d -c "$c" ;;
	esac
	SID[$s]=$SPAWNED
}

# ------------------------------------------------------------ 1 AXFR
axfr_one() { # SERVER SERIAL
	local s=$1 want=$2 t0 dt=NaN pss peak=0 end
	log "$s: AXFR ingest (serial $want)"
	t0=$EPOCHREALTIME
	server_start "$s"
	end=$((${t0%.*} + AXFR_TIMEOUT))
	while :; do
		if has_serial "${PORT[$s]}" "$want"; then
			dt=$(fsub "$EPOCHREALTIME" "$t0")
			break
		fi
		if [ "$s" = nsd ]; then
			pss=$(sess_pss "${SID[$s]}")
			[ "$pss" -gt "$peak" ] && peak=$pss
		fi
		sess_alive "${SID[$s]}" || { log "$s died:"; tail -5 "$RUN/$s/stderr" >&2; break; }
		[ "${EPOCHREALTIME%.*}" -ge "$end" ] && { log "$s: AXFR timeout"; break; }
		sleep "$POLL"
	done
	note poll "dig +norec +time=1 +tries=1 +short @127.0.0.1 -p PORT $Z SOA   # every $POLL s"
	rec "$s" axfr_s "$dt"
	if ! sess_alive "${SID[$s]}"; then
		SERVERS=$(echo " $SERVERS " | sed "s/ $s / /; s/^ *//; s/ *$//")
		unset "SID[$s]"
		return 1
	fi
	rec "$s" axfr_vmhwm_mb "$(($(sess_mem "${SID[$s]}" max VmHWM) / 1024))"
	if [ "$s" = nsd ]; then
		pss=$(sess_pss "${SID[$s]}")
		[ "$pss" -gt "$peak" ] && peak=$pss
		rec "$s" axfr_pss_peak_mb "$((peak / 1024))"
	fi
	wait_idle "${SID[$s]}" 300
	rec "$s" idle_rss_mb "$(($(sess_mem "${SID[$s]}" sum VmRSS) / 1024))"
}

# ------------------------------------------------------------ 2 IXFR
# bump K: one nsupdate changing K records (K/3 A RRs deleted, the A RR of
# K/3 names replaced, K/3 new names): one serial bump. Names come from
# anames.txt in a stride that never revisits a name in later bumps.
BUMPS=0
bump() {
	local k=$1 f=$RUN/bump.$BUMPS.txt
	awk -v b="$BUMPS" -v K="$k" -v z="$Z" -v port="$P_PRIM" '
	{ nm[n++] = $1 }
	END {
		stride = 104729; while (n % stride == 0) stride += 2
		k3 = int(K / 3); km = K - 2 * k3
		print "server 127.0.0.1 " port; print "zone " z
		for (j = 0; j < K - k3; j++) {
			i = ((b * K + j) * stride + 7) % n
			print "update delete " nm[i] "." z ". A"
			if (j >= k3) print "update add " nm[i] "." z ". 3600 A 10.250." (b % 256) "." (j % 256)
		}
		for (j = 0; j < k3; j++)
			printf "update add bump%d-%d.%s. 3600 A 10.251.%d.%d\n", b, j, z, int(j / 256), j % 256
		print "send"
	}' "$ZD/anames.txt" >"$f"
	BUMPS=$((BUMPS + 1))
	note nsupdate "nsupdate -v -t 300 FILE   # $((IXFR_K / 3)) A deleted, $((IXFR_K - 2 * (IXFR_K / 3))) A replaced, $((IXFR_K / 3)) names added"
	timeout 600 nsupdate -v -t 300 "$f"
}
# poll_serial PORT SERIAL T0 OUT SID: writes seconds since T0 until PORT
# answers SERIAL (or NaN after 600 s or when the server is gone) to OUT
poll_serial() {
	local end=$((${3%.*} + 600))
	while :; do
		if has_serial "$1" "$2"; then fsub "$EPOCHREALTIME" "$3" >"$4"; return; fi
		[ "${EPOCHREALTIME%.*}" -ge "$end" ] && { echo NaN >"$4"; return; }
		sess_alive "$5" || { echo NaN >"$4"; return; }
		kill -0 $$ 2>/dev/null || return # the script is gone
		sleep "$POLL"
	done
}
ixfr_all() {
	local r old new t0 s tb hz
	local -A cpu0=()
	hz=$(getconf CLK_TCK)
	for ((r = 1; r <= IXFR_REPS; r++)); do
		old=$(serial_at $P_PRIM)
		# CPU cost of the change for each server: its processes' CPU time
		# from before the update until it is idle again (zone file writes,
		# reload forks and all)
		for s in $SERVERS; do cpu0[$s]=$(sess_cpu "${SID[$s]}"); done
		tb=$EPOCHREALTIME
		bump "$IXFR_K" || { log "nsupdate failed"; return 1; }
		t0=$EPOCHREALTIME
		new=$(serial_at $P_PRIM)
		log "IXFR rep $r: serial $old -> $new (nsupdate took $(fsub "$t0" "$tb") s)"
		rec primary "nsupdate_s" "$(fsub "$t0" "$tb")"
		POLLERS=()
		for s in $SERVERS; do
			poll_serial "${PORT[$s]}" "$new" "$t0" "$RUN/ixfr.$s.$r" "${SID[$s]}" &
			POLLERS+=($!)
		done
		wait "${POLLERS[@]}"
		POLLERS=()
		for s in $SERVERS; do rec "$s" ixfr_s "$(cat "$RUN/ixfr.$s.$r")"; done
		# what the primary served for this serial (IXFR expected)
		for s in $SERVERS; do wait_idle "${SID[$s]}" 120; done
		for s in $SERVERS; do
			rec "$s" ixfr_cpu_s "$(awk -v j=$(($(sess_cpu "${SID[$s]}") - cpu0[$s])) -v hz="$hz" 'BEGIN { printf "%.2f", j / hz }')"
		done
		rec primary ixfr_kinds "$(grep -E "transfer of '$Z/IN'.*(IXFR|AXFR) ended" "$RUN/primary/named.log" |
			grep -F "(serial $new)" | grep -oE '(AXFR-style IXFR|IXFR|AXFR) ended' | sed 's/ ended//; s/ /-/g' |
			sort | uniq -c | awk '{ printf "%s%sx%s", sep, $1, $2; sep = "," }')"
	done
}

# ------------------------------------------------------------ 3 queries
# dnsperf_run OUT ARGS...: dnsperf on cpu1, bounded by its -l and timeout
# (its CPU time goes to OUT.time)
dnsperf_run() {
	local out=$1
	shift
	timeout 120 /usr/bin/time -f '%U %S' -o "$out.time" taskset -c 1 dnsperf -s 127.0.0.1 "$@" >"$out" 2>&1
}
# busy jiffies of the whole machine (user nice system irq softirq steal)
busy_jiffies() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
stat_of() { # FILE FIELD: from dnsperf's statistics
	case $2 in
	qps) awk '/Queries per second/ { printf "%.0f", $4 }' "$1" ;;
	sent) awk '/Queries sent/ { print $3 }' "$1" ;;
	completed) awk '/Queries completed/ { print $3 }' "$1" ;;
	lost) awk '/Queries lost/ { print $3 }' "$1" ;;
	esac
}
queries_one() { # SERVER (pinned to cpu0 by the caller)
	local s=$1 sid=${SID[$1]} port=${PORT[$1]} mode flag qf=$ZD/queries.txt out c0 c1 b0 b1 q try split
	for mode in plain "do"; do
		flag=""
		[ "$mode" = "do" ] && flag=-D
		dnsperf_run "$RUN/warm.txt" -p "$port" -d "$qf" $flag -c 8 -l 2 # warm-up, discarded
		# throughput
		out=$RUN/q-$s-$mode.txt
		note qps "taskset -c 1 dnsperf -s 127.0.0.1 -p PORT -d queries.txt [-D] -c 8 -l $QSECS   # server: taskset -a -p -c 0 PID (every process)"
		# CPU (% of one core) of the server, dnsperf and everything else
		# during the run: "other" is the noise of a shared machine (plus
		# kernel work charged to no process); above OTHER_MAX % the run is
		# repeated, at most QRETRIES times
		for ((try = 0; ; try++)); do
			b0=$(busy_jiffies)
			c0=$(sess_cpu "$sid")
			dnsperf_run "$out" -p "$port" -d "$qf" $flag -c 8 -l "$QSECS"
			c1=$(sess_cpu "$sid")
			b1=$(busy_jiffies)
			split=$(awk -v s=$((c1 - c0)) -v b=$((b1 - b0)) -v t="$QSECS" -v hz="$(getconf CLK_TCK)" \
				-v d="$(awk '{ print $1 + $2 }' "$out.time" 2>/dev/null)" \
				'BEGIN { d *= hz; printf "%.0f/%.0f/%.0f", 100 * s / hz / t, 100 * d / hz / t, 100 * (b - s - d) / hz / t }')
			[ "${split##*/}" -le "$OTHER_MAX" ] || [ "$try" -ge "$QRETRIES" ] && break
			log "  $s $mode: other processes used ${split##*/}% of a core (> $OTHER_MAX): again"
			sleep 5
		done
		rec "$s" "qps_$mode" "$(stat_of "$out" qps)"
		rec "$s" "cpu_pct_srv_dnsperf_other_$mode" "$split"
		rec "$s" "qps_retries_$mode" "$try"
		rec "$s" "lost_$mode" "$(stat_of "$out" lost)/$(stat_of "$out" sent)"
		# latency at a fixed rate
		out=$RUN/lat-$s-$mode.txt
		note lat "taskset -c 1 dnsperf -s 127.0.0.1 -p PORT -d queries.txt [-D] -c 8 -Q $LATQPS -l $LATSECS -v   # percentiles of the per-query times"
		dnsperf_run "$out" -p "$port" -d "$qf" $flag -c 8 -Q "$LATQPS" -l "$LATSECS" -v
		read -r p50 p99 p999 < <(awk '$1 == ">" { print $NF * 1000 }' "$out" | sort -g | awk '
			{ a[NR] = $1 }
			END { if (NR == 0) { print "NaN NaN NaN"; exit }
			      printf "%.3f %.3f %.3f\n", a[int(NR * 0.5) + 1], a[int(NR * 0.99) + 1], a[int(NR * 0.999) + 1] }')
		rec "$s" "p50_ms_$mode" "$p50"
		rec "$s" "p99_ms_$mode" "$p99"
		rec "$s" "p999_ms_$mode" "$p999"
		rec "$s" "lat_lost_$mode" "$(stat_of "$out" lost)/$(stat_of "$out" sent)"
		rm -f "$out"
		# CPU per answered query at a fixed rate
		out=$RUN/cpu-$s-$mode.txt
		note cpu "taskset -c 1 dnsperf -s 127.0.0.1 -p PORT -d queries.txt [-D] -c 8 -Q $CPUQPS -l $QSECS   # server utime+stime from /proc/PID/stat before/after"
		c0=$(sess_cpu "$sid")
		dnsperf_run "$out" -p "$port" -d "$qf" $flag -c 8 -Q "$CPUQPS" -l "$QSECS"
		c1=$(sess_cpu "$sid")
		q=$(stat_of "$out" completed)
		rec "$s" "cpu_us_per_q_$mode" "$(awk -v j=$((c1 - c0)) -v q="${q:-0}" -v hz="$(getconf CLK_TCK)" \
			'BEGIN { if (q > 0) printf "%.2f", j / hz * 1e6 / q; else print "NaN" }')"
		rec "$s" "cpu_qps_$mode" "$(stat_of "$out" qps)"
		rec "$s" "cpu_lost_$mode" "$(stat_of "$out" lost)/$(stat_of "$out" sent)"
	done
}
queries_unpinned() { # SERVER: both cores, dnsperf unpinned too
	local s=$1 mode flag out
	pin "${SID[$s]}" 0,1
	for mode in plain "do"; do
		flag=""
		[ "$mode" = "do" ] && flag=-D
		out=$RUN/q2-$s-$mode.txt
		note qps2 "dnsperf -s 127.0.0.1 -p PORT -d queries.txt [-D] -c 8 -l $QSECS   # server and dnsperf unpinned"
		timeout 120 dnsperf -s 127.0.0.1 -p "${PORT[$s]}" -d "$ZD/queries.txt" $flag -c 8 -l "$QSECS" >"$out" 2>&1
		rec "$s" "qps2_$mode" "$(stat_of "$out" qps)"
		rec "$s" "lost2_$mode" "$(stat_of "$out" lost)/$(stat_of "$out" sent)"
	done
}

# ------------------------------------------------------------ one N
run_n() {
	local n=$1 s serial
	CUR_N=$n
	SERVERS=$ALL_SERVERS
	ZD=$ROOT/zones/n$n-s1
	log "=== N=$n: zone in $ZD"
	"$HERE/mkzone-bench.sh" "$n" "$ZD" >&2 || return 1
	rec zone rrs "$(cat "$ZD/rrcount")"
	primary_start "$ZD" || return 1
	serial=$(serial_at $P_PRIM)
	log "primary up, serial $serial"
	for s in $SERVERS; do axfr_one "$s" "$serial" || log "WARNING: $s failed; left out"; done
	for s in $SERVERS; do
		[ "$(serial_at "${PORT[$s]}")" = "$serial" ] || log "WARNING: $s does not answer serial $serial"
	done
	ixfr_all
	if [ "${BENCH_NO_QUERIES:-0}" = 1 ]; then
		log "BENCH_NO_QUERIES=1: no query runs"
	else
		queries_all
	fi
	for s in $SERVERS; do
		rec "$s" serving_rss_mb "$(($(sess_mem "${SID[$s]}" sum VmRSS) / 1024))"
		rec "$s" serving_pss_mb "$(($(sess_pss "${SID[$s]}") / 1024))"
		rec "$s" data_dir_mb "$(du -sm "$RUN/$s" | cut -f1)"
	done
	for s in $SERVERS; do
		sess_stop "${SID[$s]}" "$(pidfile_of "$s")"
		unset "SID[$s]"
	done
	sess_stop "$PRIM_SID"
	PRIM_SID=
}

# rodns_restart SERVER-LINE: rodnsd again on the same data dir (it serves
# what it stored at once), with one more line in its server: section
rodns_restart() {
	local c i
	sess_stop "${SID[rodns]}"
	RODNS_EXTRA=$1
	c=$(conf_rodns)
	spawn rodns "$RUN/rodns/stderr.restart" "$RODNSD" -c "$c"
	SID[rodns]=$SPAWNED
	for ((i = 0; i < 600; i++)); do
		[ -n "$(serial_at "$P_RODNS")" ] && return 0
		sleep 0.1
	done
	log "rodns: not answering after a restart"
	return 1
}
queries_all() {
	local s
	for s in $SERVERS; do pin "${SID[$s]}" 1; done # out of the way of the server under test
	for s in $SERVERS; do
		if [ "$s" = rodns ] && [ "${BENCH_RODNS_COLD:-1}" = 1 ]; then
			# the cold path first: the answer cache off, every answer
			# computed from SQLite; then rodns as configured by default
			log "rodns: queries with the answer cache off (pinned to cpu0)"
			note rodns0 "build/rodnsd -c rodns.yaml   # restarted on its data dir with 'answer-cache: 0' for the rodns-cold column"
			if rodns_restart "  answer-cache: 0"; then
				SID[rodns0]=${SID[rodns]} PORT[rodns0]=$P_RODNS
				pin "${SID[rodns0]}" 0
				queries_one rodns0
				unset 'SID[rodns0]'
			fi
			rodns_restart "" || continue
		fi
		log "$s: queries (pinned to cpu0)"
		pin "${SID[$s]}" 0
		queries_one "$s"
		pin "${SID[$s]}" 1
	done
	log "echo: queries (pinned to cpu0)"
	note echo "build/bench/echo -p PORT -t 900"
	spawn echo "$RUN/echo.log" "$ECHO" -p "$P_ECHO" -t 900
	SID[echo]=$SPAWNED
	sleep 0.2
	pin "${SID[echo]}" 0
	queries_one echo
	sess_stop "${SID[echo]}"
	unset 'SID[echo]'
	if [ -n "${SID[rodns]:-}" ]; then
		log "rodns: queries on both cores"
		queries_unpinned rodns
	fi
	for s in $SERVERS; do pin "${SID[$s]}" 0,1; done
}

mkdir -p "$BUILD/bench/peers-conf"
START=$(date '+%Y-%m-%d %H:%M')
T_START=$EPOCHREALTIME
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
for n in "${NS[@]}"; do run_n "$n" || log "N=$n: run incomplete"; done

# ------------------------------------------------------------ report
cp "$TSV" "$BUILD/bench/results.tsv"
{
	echo "# rodns vs Knot DNS vs NSD — secondaries of one BIND primary"
	echo
	echo "Run $START, $(nproc) cores, $(uname -r); $(named -v | head -1), knotd $(knotd -V | awk '{ print $NF }'), NSD $(nsd -v 2>&1 | awk 'NR == 1 { print $3 }'), dnsperf $(dnsperf -h 2>&1 | awk '/^Version/ { print $2 }'); rodns $(git -C "$TOP" describe --always --dirty 2>/dev/null || echo '?')."
	echo "Took $(fsub "$EPOCHREALTIME" "$T_START" | cut -d. -f1) s; load average $LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end. The machine is shared: figures are noisy; compare columns of the same run."
	echo
	echo "## Commands"
	echo
	echo '```'
	echo "$(cd "$TOP" && echo "${BENCH_QUICK:+BENCH_QUICK=$BENCH_QUICK }tests/bench/peers.sh ${*:-}")   # zones: tests/bench/mkzone-bench.sh N /var/tmp/rodns-bench/zones/nN-s1"
	cut -f2- "$CMDS"
	echo '```'
	echo
	python3 - "$TSV" "$IXFR_K" "$LATQPS" "$CPUQPS" "$QSECS" <<'PY'
import sys, statistics, collections
tsv, K, LATQPS, CPUQPS, QSECS = sys.argv[1:6]
d = collections.OrderedDict()
for line in open(tsv):
    f = line.rstrip("\n").split("\t")
    if len(f) == 4:
        d.setdefault(f[0], {}).setdefault(f[1], {}).setdefault(f[2], []).append(f[3])

def num(v):
    try:
        x = float(v)
        return None if x != x else x
    except (TypeError, ValueError):
        return None

def med(n, s, m):
    v = [num(x) for x in d.get(n, {}).get(s, {}).get(m, [])]
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None

def raw(n, s, m):
    return d.get(n, {}).get(s, {}).get(m, [])

def fmt(x, unit=""):
    if x is None:
        return "—"
    if unit == "k":
        return f"{x/1000:.1f}k"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}" if abs(x) >= 1 else f"{x:.3f}"

def ratio(a, b):
    return "—" if a is None or b is None or b == 0 else f"{a/b:.2f}"

def lost(n, s, m):
    tot_l = tot_s = 0
    for v in raw(n, s, m):
        a, _, b = v.partition("/")
        if num(a) is not None and num(b):
            tot_l += float(a); tot_s += float(b)
    if not tot_s:
        return "—"
    return f"{int(tot_l)} ({100*tot_l/tot_s:.2g}%)"

servers = ["rodns", "rodns0", "knot", "nsd", "echo"]
rows = [
    ("AXFR ingest: start → serial answered (s)", "axfr_s", "", False),
    ("AXFR peak memory: max VmHWM (MB)", "axfr_vmhwm_mb", "", False),
    ("AXFR peak PSS sum, sampled (MB; NSD)", "axfr_pss_peak_mb", "", False),
    ("RSS after ingest, idle (MB)", "idle_rss_mb", "", False),
    (f"IXFR {K} changes: nsupdate return → new serial (s, median)", "ixfr_s", "", False),
    ("IXFR CPU time of the server until idle again (s, median)", "ixfr_cpu_s", "", False),
    ("QPS plain, pinned cpu0 (-c 8)", "qps_plain", "k", True),
    ("QPS DO, pinned cpu0 (-c 8)", "qps_do", "k", True),
    (f"p50 latency plain @{LATQPS} QPS (ms)", "p50_ms_plain", "", True),
    (f"p99 latency plain @{LATQPS} QPS (ms)", "p99_ms_plain", "", True),
    (f"p99.9 latency plain @{LATQPS} QPS (ms)", "p999_ms_plain", "", True),
    (f"p99 latency DO @{LATQPS} QPS (ms)", "p99_ms_do", "", True),
    (f"CPU µs per answered query, plain @{CPUQPS}", "cpu_us_per_q_plain", "", True),
    (f"CPU µs per answered query, DO @{CPUQPS}", "cpu_us_per_q_do", "", True),
    (f"achieved QPS at -Q {CPUQPS}, plain", "cpu_qps_plain", "k", True),
    ("QPS plain, unpinned, 2 cores shared with dnsperf", "qps2_plain", "k", False),
    ("QPS DO, unpinned, 2 cores shared with dnsperf", "qps2_do", "k", False),
    ("QPS runs repeated because of other load, plain", "qps_retries_plain", "raw", True),
    ("QPS runs repeated because of other load, DO", "qps_retries_do", "raw", True),
    ("CPU % server/dnsperf/other during QPS plain (other = noise)", "cpu_pct_srv_dnsperf_other_plain", "raw", True),
    ("CPU % server/dnsperf/other during QPS DO", "cpu_pct_srv_dnsperf_other_do", "raw", True),
    ("RSS sum while serving, after the query runs (MB)", "serving_rss_mb", "", False),
    ("PSS sum while serving (MB)", "serving_pss_mb", "", False),
    ("data dir on disk (MB)", "data_dir_mb", "", False),
]
lost_rows = [("lost: QPS plain", "lost_plain"), ("lost: QPS DO", "lost_do"),
             (f"lost: @{LATQPS} plain", "lat_lost_plain"), (f"lost: @{LATQPS} DO", "lat_lost_do"),
             (f"lost: @{CPUQPS} plain", "cpu_lost_plain"), (f"lost: @{CPUQPS} DO", "cpu_lost_do"),
             ("lost: unpinned plain", "lost2_plain"), ("lost: unpinned DO", "lost2_do")]
for n in d:
    rr = med(n, "zone", "rrs")
    print(f"## N = {int(n):,} names ({int(rr):,} RRs signed)" if rr else f"## N = {n}")
    print()
    print("| metric | rodns | rodns cold | Knot | NSD | echo (floor) | rodns/Knot | rodns/NSD | cold/Knot | cold/NSD | rodns/echo |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, m, unit, has_echo in rows:
        if unit == "raw":
            cells = [" ".join(raw(n, s, m)) or "—" for s in servers]
            if any(c != "—" for c in cells):
                print(f"| {label} | " + " | ".join(cells) + " | | | | | |")
            continue
        vals = {s: med(n, s, m) for s in servers}
        if all(v is None for v in vals.values()):
            continue
        cells = [fmt(vals[s], unit) for s in ["rodns", "rodns0", "knot", "nsd"]]
        cells.append(fmt(vals["echo"], unit) if has_echo else "")
        cells += [ratio(vals["rodns"], vals["knot"]), ratio(vals["rodns"], vals["nsd"]),
                  ratio(vals["rodns0"], vals["knot"]), ratio(vals["rodns0"], vals["nsd"]),
                  ratio(vals["rodns"], vals["echo"]) if has_echo else ""]
        print(f"| {label} | " + " | ".join(cells) + " |")
    for label, m in lost_rows:
        cells = [lost(n, s, m) for s in servers]
        if all(c == "—" for c in cells):
            continue
        print(f"| {label} | " + " | ".join(cells) + " | | | | | |")
    names = [(s, lab) for s, lab in [("rodns", "rodns"), ("knot", "Knot"), ("nsd", "NSD")] if raw(n, s, "ixfr_s")]
    ix = "; ".join(f"{lab} {', '.join(raw(n, s, 'ixfr_s'))}" for s, lab in names)
    ic = "; ".join(f"{lab} {', '.join(raw(n, s, 'ixfr_cpu_s'))}" for s, lab in names)
    print()
    print(f"IXFR per rep, time (s): {ix}. CPU (s): {ic}. "
          f"Primary nsupdate time (s): {', '.join(raw(n, 'primary', 'nsupdate_s'))}; "
          f"transfers the primary served per bump: {'; '.join(raw(n, 'primary', 'ixfr_kinds'))}.")
    print()
ns = list(d)
if len(ns) > 1:
    print("## Scaling with the zone size (IXFR cost should follow the change, not the zone)")
    print()
    print("| metric | " + " | ".join(f"N={int(b):,} / N={int(ns[0]):,}" for b in ns[1:]) + " |")
    print("|---|" + "---:|" * (len(ns) - 1))
    for s, name in [("rodns", "rodns"), ("knot", "Knot"), ("nsd", "NSD")]:
        for m, lab in [("ixfr_s", "IXFR time"), ("ixfr_cpu_s", "IXFR CPU"), ("axfr_s", "AXFR time"), ("serving_rss_mb", "RSS serving"),
                       ("qps_plain", "QPS plain pinned")]:
            print(f"| {name} {lab} | " + " | ".join(ratio(med(b, s, m), med(ns[0], s, m)) for b in ns[1:]) + " |")
    print()
print("Notes: every server has 2 workers (rodns workers, Knot udp/tcp/background workers, NSD server-count "
      "with reuseport); in pinned runs all of them share cpu0. NSD is one main process, xfrd and 2 servers "
      "that share memory: its RSS sum double-counts, PSS does not. rrl-ratelimit: 0 for NSD. "
      "CPU per query = utime+stime of the server's processes during the run / queries answered. "
      "NSD keeps its zones in memory only (no zone file written here), hence its tiny data dir. "
      "rodns cold: the same rodnsd restarted on its data dir with the answer cache off (answer-cache: 0), so "
      "that every answer is computed from SQLite; the rodns column is the default configuration, whose cache "
      "is warmed by each run's warm-up and by earlier runs over the same query file (the CPU run at a fixed "
      "rate replays queries the QPS run already asked).")
PY
} >"$BUILD/bench/results.md"
cat "$BUILD/bench/results.md"
