# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# shellcheck shell=bash
# tests/integration/xfrtest_lib.sh — helpers for t_xfr.sh (transfer
# invariants against a BIND primary). Source it after lib.sh:
#
#	. "$(dirname "$0")/lib.sh"
#	. "$(dirname "$0")/xfrtest_lib.sh"
#
# What is here: process bookkeeping for daemons that are restarted or killed
# many times (xt_forget), BIND primary and rodnsd configurations, the one
# normalisation both sides of every comparison go through (xt_norm), waits
# on serials and log lines, and the random-update generator (xt_gen_update).
#
# Normalisation (the same for the primary's AXFR and rodns-dump's output):
# comment and empty lines dropped, the closing SOA of the AXFR dropped, then
# `ldns-read-zone -z` (canonical form: owner and RDATA names lowercased,
# sorted in canonical order, one RR per line, duplicates kept, TTLs kept).

# xt_forget PID: drops PID from lib.sh's cleanup list once it has been
# waited for (a reaped PID may be reused by an unrelated process; cleanup
# must never signal it).
xt_forget() {
	local p keep=()
	for p in "${T_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	T_PIDS=("${keep[@]}")
}

# xt_kill9 PID: SIGKILL, reap, forget.
xt_kill9() {
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	xt_forget "$1"
}

# xt_stop PID [SECONDS]: SIGTERM (SIGKILL after SECONDS), reap, forget.
xt_stop() {
	t_stop "$1" "${2:-10}"
	xt_forget "$1"
}

xt_now() { date +%s.%N; }
# xt_since T0: seconds since T0 (xt_now), 3 decimals.
xt_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'; }

# xt_primary_serial PORT ZONE: the SOA serial the primary answers (or empty).
xt_primary_serial() {
	dig +norec +time=2 +tries=2 +short @127.0.0.1 -p "$1" "$2" SOA 2>/dev/null |
		awk 'NF >= 7 { print $3; exit }'
}

# xt_store_serial STORE ZONE: rodns-dump's stored serial ("-" when empty,
# empty output when the store or zone cannot be read).
xt_store_serial() {
	"$RODNS_BUILD/tools/rodns-dump" "$1" "$2" serial 2>/dev/null
}

# xt_wait_store_serial STORE ZONE SERIAL SECONDS: polls every 20 ms.
xt_wait_store_serial() {
	local store=$1 zone=$2 want=$3 limit=$4 t0
	t0=$(date +%s)
	while :; do
		[ "$(xt_store_serial "$store" "$zone")" = "$want" ] && return 0
		[ $(($(date +%s) - t0)) -ge "$limit" ] && return 1
		sleep 0.02
	done
}

# xt_wait_grep SECONDS FILE ERE [MIN]: waits until FILE has at least MIN
# (default 1) lines matching the extended regexp ERE.
xt_count() { grep -cE -- "$2" "$1" 2>/dev/null || true; }
xt_wait_grep() {
	local limit=$1 file=$2 re=$3 min=${4:-1} i n
	for ((i = 0; i < limit * 20; i++)); do
		n=$(xt_count "$file" "$re")
		[ "${n:-0}" -ge "$min" ] && return 0
		sleep 0.05
	done
	return 1
}

# xt_norm IN OUT: the normalisation described above. The closing SOA of an
# AXFR (the last RR, if it is an SOA and not the only one) is dropped.
xt_norm() {
	awk 'NF && $1 !~ /^;/' "$1" | awk '
		{ l[NR] = $0; if ($4 == "SOA") nsoa++ }
		END { n = NR; if (nsoa > 1) { split(l[NR], f); if (f[4] == "SOA") n-- }
		      for (i = 1; i <= n; i++) print l[i] }' >"$2.pre"
	if [ ! -s "$2.pre" ]; then
		: >"$2"
		rm -f "$2.pre"
		return 0
	fi
	ldns-read-zone -z "$2.pre" >"$2" 2>"$2.err" || {
		echo "xt_norm: ldns-read-zone failed on $1: $(head -3 "$2.err")" >&2
		return 1
	}
	rm -f "$2.pre" "$2.err"
}

# xt_axfr PORT ZONE OUT: the primary's AXFR, normalised. Fails when the
# transfer failed or is empty.
xt_axfr() {
	dig +nocomments +nocmd +nostats +nosplit +time=30 +tries=1 @127.0.0.1 -p "$1" "$2" AXFR \
		>"$3.raw" 2>&1 || return 1
	grep -q '; Transfer failed' "$3.raw" && return 1
	xt_norm "$3.raw" "$3" && rm -f "$3.raw" && [ -s "$3" ]
}

# xt_dump STORE ZONE OUT: rodns-dump of the zone, normalised (raw text kept
# in OUT.raw).
xt_dump() {
	"$RODNS_BUILD/tools/rodns-dump" "$1" "$2" >"$3.raw" 2>"$3.err" || {
		echo "xt_dump: rodns-dump $1 $2: $(head -3 "$3.err")" >&2
		return 1
	}
	xt_norm "$3.raw" "$3"
}

# xt_file_serial FILE: the serial of the (first) SOA of a normalised file.
xt_file_serial() { awk -F'\t' '$4 == "SOA" { split($5, f, " "); print f[3]; exit }' "$1"; }

# xt_same LABEL EXPECTED_SERIAL MIN_RRS PRIMARY_FILE OURS_FILE: the core
# equivalence check. Both sides must carry EXPECTED_SERIAL and more than
# MIN_RRS records (so that it cannot pass on two empty or failed outputs),
# and be identical line for line. Prints a short diff on failure.
xt_same() {
	local label=$1 want=$2 min=$3 a=$4 b=$5 sa sb na nb
	sa=$(xt_file_serial "$a")
	sb=$(xt_file_serial "$b")
	na=$(wc -l <"$a")
	nb=$(wc -l <"$b")
	if [ "$sa" != "$want" ] || [ "$sb" != "$want" ]; then
		echo "  $label: serials primary=$sa rodns=$sb, expected $want" >&2
		return 1
	fi
	if [ "$na" -le "$min" ] || [ "$nb" -le "$min" ]; then
		echo "  $label: too few RRs (primary $na, rodns $nb, need > $min)" >&2
		return 1
	fi
	if ! cmp -s "$a" "$b"; then
		echo "  $label: primary ($na RRs) and rodns ($nb RRs) differ (< primary, > rodns):" >&2
		diff "$a" "$b" | grep '^[<>]' | head -n 12 | cut -c1-160 >&2
		return 1
	fi
	return 0
}

# xt_sig_keys FILE: one line "owner covered keytag" per RRSIG of a normalised
# file, sorted (duplicates kept).
xt_sig_keys() {
	awk -F'\t' '$4 == "RRSIG" { split($5, f, " "); print $1, f[1], f[7] }' "$1" | LC_ALL=C sort
}

# xt_sig_dups FILE: how many (owner, type covered, key tag) keys occur more
# than once among the RRSIGs of FILE.
xt_sig_dups() { xt_sig_keys "$1" | uniq -d | wc -l; }

# xt_rrsig_unique LABEL PRIMARY_FILE OURS_FILE: rodns holds exactly one
# RRSIG per (owner, type covered, key tag), and the same keys as the primary.
xt_rrsig_unique() {
	local label=$1 a=$2 b=$3 da db
	da=$(xt_sig_dups "$a")
	db=$(xt_sig_dups "$b")
	if [ "$db" -ne 0 ]; then
		echo "  $label: rodns has $db (owner, covered, keytag) with more than one RRSIG:" >&2
		xt_sig_keys "$b" | uniq -d | head -n 5 >&2
		return 1
	fi
	if ! cmp -s <(xt_sig_keys "$a") <(xt_sig_keys "$b"); then
		echo "  $label: RRSIG keys differ from the primary's (primary dups: $da):" >&2
		diff <(xt_sig_keys "$a") <(xt_sig_keys "$b") | grep '^[<>]' | head -n 8 >&2
		return 1
	fi
	[ "$(xt_sig_keys "$b" | wc -l)" -gt 0 ] || {
		echo "  $label: no RRSIGs at all" >&2
		return 1
	}
}

# xt_integrity STORE: SQLite's own check of the file says "ok".
xt_integrity() {
	local r
	r=$(sqlite3 -readonly "$1" 'PRAGMA integrity_check' 2>&1)
	[ "$r" = ok ] || {
		echo "  integrity_check of $1: $(echo "$r" | head -3)" >&2
		return 1
	}
}

# xt_named_conf DIR PORT NOTIFY_PORT ZONE... : a primary's named.conf on
# stdout. Each ZONE is served from DIR/ZONE.db with keys in DIR/keys (BIND
# re-signs dynamic updates with them), dynamic updates from 127.0.0.1, an
# IXFR journal, and NOTIFY to 127.0.0.1 NOTIFY_PORT only ("-": no NOTIFY).
xt_named_conf() {
	local dir=$1 port=$2 nport=$3 z notify
	shift 3
	if [ "$nport" = - ]; then
		notify="notify no;"
	else
		notify="notify explicit; also-notify { 127.0.0.1 port $nport; }; notify-delay 0;"
	fi
	cat <<EOF
options {
	directory "$dir";
	pid-file none;
	session-keyfile "$dir/session.key";
	managed-keys-directory "$dir";
	listen-on port $port { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	allow-transfer { 127.0.0.1; };
	ixfr-from-differences yes;
	$notify
	max-journal-size unlimited;
	transfers-out 20;
	key-directory "$dir/keys";
};
controls { };
EOF
	for z in "$@"; do
		printf 'zone "%s" { type primary; file "%s.db"; allow-update { 127.0.0.1; }; };\n' "$z" "$z"
	done
}

# xt_rodns_conf DIR PORT PRIMARY_PORT PROFILE ZONE... : a rodnsd config on
# stdout, state in DIR (store DIR/rodns.sqlite). PROFILE:
#   fast   refresh and retry clamped to 1s..2s (the timer alone catches up)
#   slow   refresh clamped to 1h..1d, retry 1h..1d (only NOTIFY can)
#   crash  fast, and every transfer forced to be a full AXFR
xt_rodns_conf() {
	local dir=$1 port=$2 pport=$3 prof=$4 z rmin rmax force=0
	shift 4
	case $prof in
	fast) rmin=1s rmax=2s ;;
	slow) rmin=1h rmax=1d ;;
	crash) rmin=1s rmax=2s force=1s ;;
	esac
	cat <<EOF
server:
  listen: ["127.0.0.1@$port"]
  workers: 1
  state-dir: $dir
  user: root
  control: $dir/control.sock
  metrics: off
log:
  level: info
events:
  syslog: false
zones:
EOF
	for z in "$@"; do
		cat <<EOF
  - name: $z
    primaries: [{ address: "127.0.0.1@$pport", transport: tcp }]
    store: rodns.sqlite
    notify-from: ["127.0.0.1"]
    refresh-min: $rmin
    refresh-max: $rmax
    retry-min: $rmin
    retry-max: $rmax
    force-axfr-interval: $force
EOF
	done
}

# xt_gen_update AXFR_FILE ZONE PORT ROUND K SENDS SEED: an nsupdate script on
# stdout with K random changes drawn from the zone's current content (the
# normalised AXFR), split over SENDS updates (each one serial bump):
# records added to existing names (A, AAAA, TXT, MX), single records
# deleted, A RRsets replaced, whole names deleted, new names added (new
# NSEC/NSEC3 chain entries), names below new empty non-terminals, and RRset
# TTL changes. Only plain leaf names (one label below the apex, holding
# only A/AAAA/TXT/MX) are touched. The first change of every update adds a
# new name, so that every update bumps the serial.
xt_gen_update() {
	awk -F'\t' -v Z="${2%.}." -v port="$3" -v r="$4" -v K="$5" -v sends="$6" -v seed="$7" '
	function plain(o,   rest) {
		if (o == Z || index(o, ".") == length(o)) return 0
		rest = substr(o, index(o, ".") + 1)
		if (rest != Z) return 0
		if (o ~ /^(ns1|ns2|mail|sub|wild|\*)\./) return 0
		return 1
	}
	$4 == "RRSIG" || $4 == "NSEC" { next }
	{
		o = $1
		if (!(o in seen)) { seen[o] = 1; owners[++no] = o }
		if ($4 != "A" && $4 != "AAAA" && $4 != "TXT" && $4 != "MX") bad[o] = 1
		else { nr[o]++; rt[o, nr[o]] = $4; rd[o, nr[o]] = $5; if ($4 == "A") hasA[o] = 1 }
	}
	END {
		srand(seed)
		for (i = 1; i <= no; i++) if (plain(owners[i]) && !(owners[i] in bad) && nr[owners[i]] > 0) c[++nc] = owners[i]
		print "server 127.0.0.1 " port
		print "zone " Z
		per = int((K + sends - 1) / sends)
		for (k = 0; k < K; k++) {
			s = sprintf("%d.%d", r % 256, k % 256)
			if (k % per == 0) {
				if (k > 0) print "send"
				print "update add n" r "-" k "." Z " 3600 A 10.79." s
				continue
			}
			o = c[int(rand() * nc) + 1]
			if (o in gone) { print "update add n" r "-" k "." Z " 3600 TXT \"late " s "\""; continue }
			x = rand()
			if (x < 0.12) print "update add " o " 3600 A 10.77." s
			else if (x < 0.22) print "update add " o " 3600 AAAA 2001:db8:77::" (r % 256) ":" k
			else if (x < 0.29) print "update add " o " 300 TXT \"r" r " k" k "\""
			else if (x < 0.35) print "update add " o " 3600 MX " (20 + k) " mail." Z
			else if (x < 0.48) { j = int(rand() * nr[o]) + 1; print "update delete " o " " rt[o, j] " " rd[o, j] }
			else if (x < 0.58) {
				if (o in hasA) { print "update delete " o " A"; print "update add " o " 3600 A 10.78." s }
				else print "update add " o " 3600 A 10.78." s
			}
			else if (x < 0.70) { print "update delete " o; gone[o] = 1 }
			else if (x < 0.86) {
				print "update add n" r "-" k "." Z " 3600 A 10.79." s
				if (rand() < 0.5) print "update add n" r "-" k "." Z " 3600 AAAA 2001:db8:79::" (r % 256) ":" k
			}
			else if (x < 0.93) print "update add x.e" r "-" k "." Z " 3600 TXT \"below an empty non-terminal\""
			else { j = int(rand() * nr[o]) + 1; print "update add " o " " (1000 + r) " " rt[o, j] " " rd[o, j] }
		}
		print "send"
	}' "$1"
}

# xt_serving SECONDS PORT ZONE...: waits until the server on PORT answers
# the SOA of every ZONE. (start_named's " running" check also matches
# named's "running on Linux ..." banner, printed before any zone is
# loaded, so it is not enough before a transfer.)
xt_serving() {
	local limit=$1 port=$2 z t0
	shift 2
	t0=$(date +%s)
	for z in "$@"; do
		until [ -n "$(xt_primary_serial "$port" "$z")" ]; do
			if [ $(($(date +%s) - t0)) -ge "$limit" ]; then
				echo "xt_serving: no SOA for $z on port $port within $limit s" >&2
				return 1
			fi
			sleep 0.1
		done
	done
}

# xt_free_port: like lib.sh's free_port, but from 10000-19999. The other
# integration tests take their ports from 20000-40000 and may run at the
# same time; named and rodnsd both bind with SO_REUSEPORT, so two of them
# that pick the same port both succeed and silently split its traffic.
xt_free_port() {
	local p i
	for ((i = 0; i < 200; i++)); do
		p=$((10000 + RANDOM % 10000))
		case "$T_PORTS_GIVEN" in *" $p "*) continue ;; esac
		if [ -z "$(ss -Htuln "sport = :$p" 2>/dev/null)" ]; then
			T_PORTS_GIVEN="$T_PORTS_GIVEN$p "
			echo "$p"
			return 0
		fi
	done
	echo "xt_free_port: no free port found" >&2
	return 1
}

# xt_port_owned PORT PID: every socket listening on PORT (TCP and UDP)
# belongs to PID, and there is at least one.
xt_port_owned() {
	local pids
	pids=$(ss -Htulnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | sort -u)
	if [ "$pids" != "pid=$2" ]; then
		echo "port $1: listeners $(echo "$pids" | tr '\n' ' ')(expected only pid=$2):" \
			"another process shares the port" >&2
		return 1
	fi
}
