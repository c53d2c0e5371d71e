# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# shellcheck shell=bash
# tests/integration/xfr_lib.sh — helpers for transfer tests, on top of
# lib.sh (source lib.sh first, then this, then call t_init):
#
#	xfr_primary_start DIR ZONEDIR PORT RNDC_PORT NOTIFY_PORT...
#	                         BIND primary for $XFR_ZONE from mkzone.sh output
#	xfr_rndc ARGS...         rndc against that primary
#	xfr_update LINE...       one nsupdate (one serial bump) with these lines
#	xfr_serial PORT          the SOA serial a server answers (UDP)
#	xfr_stored STORE         the serial rodns stored ("-" when empty)
#	xfr_norm_store STORE     rodns-dump of the zone, normalised
#	xfr_norm_axfr PORT       dig AXFR of the zone, normalised the same way
#	xfr_count FILE TEXT      lines of FILE holding the fixed string TEXT
#	xfr_wait_more SECONDS FILE TEXT N   waits until xfr_count > N
#
# Normalisation is `ldns-read-zone -z` (canonical form, sorted) on both
# sides, after dig's comment lines are dropped and its closing SOA left out
# (+onesoa); nothing else is rewritten.

: "${XFR_ZONE:=example.test}"
XFR_DUMP=$RODNS_BUILD/tools/rodns-dump

# xfr_need_tools: aborts the test when a program it needs is missing.
xfr_need_tools() {
	local c
	PATH=$PATH:/usr/sbin:/sbin
	for c in named nsupdate rndc rndc-confgen dig ldns-read-zone dnssec-keygen \
		dnssec-signzone ss; do
		command -v "$c" >/dev/null 2>&1 || t_abort "$c is not installed (make deps)"
	done
}

# xfr_primary_start DIR ZONEDIR PORT RNDC_PORT NOTIFY_PORT...: BIND as the
# primary of $XFR_ZONE on 127.0.0.1@PORT from ZONEDIR/$XFR_ZONE.signed,
# accepting updates from 127.0.0.1 and re-signing them with ZONEDIR/keys,
# journaling differences for IXFR, NOTIFYing 127.0.0.1 on each NOTIFY_PORT
# and nothing else. Sets XFR_RNDC_PORT, XFR_RNDC_KEY, XFR_PRIMARY_PORT and
# NAMED_PID (via start_named).
xfr_primary_start() {
	local dir=$1 zd=$2 port=$3 rport=$4 p also=""
	shift 4
	for p in "$@"; do also="$also 127.0.0.1 port $p;"; done
	mkdir -p "$dir/keys"
	cp "$zd/$XFR_ZONE.signed" "$dir/$XFR_ZONE.db"
	cp "$zd"/keys/K* "$dir/keys/"
	rndc-confgen -a -k xfr-rndc -c "$dir/rndc.key" >/dev/null 2>&1 || return 1
	XFR_RNDC_PORT=$rport
	XFR_RNDC_KEY=$dir/rndc.key
	XFR_PRIMARY_PORT=$port
	cat >"$dir/named.conf" <<EOF
include "$dir/rndc.key";
controls { inet 127.0.0.1 port $rport allow { 127.0.0.1; } keys { xfr-rndc; }; };
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
	max-journal-size unlimited;
	notify explicit;
	also-notify {$also };
	notify-delay 0;
	key-directory "$dir/keys";
};
zone "$XFR_ZONE" {
	type primary;
	file "$XFR_ZONE.db";
	allow-update { 127.0.0.1; };
};
EOF
	start_named primary "$dir/named.conf"
}

xfr_rndc() {
	rndc -s 127.0.0.1 -p "$XFR_RNDC_PORT" -k "$XFR_RNDC_KEY" "$@"
}

# xfr_update LINE...: sends the lines ("update add ...") as one update.
xfr_update() {
	{
		echo "server 127.0.0.1 $XFR_PRIMARY_PORT"
		echo "zone $XFR_ZONE"
		printf '%s\n' "$@"
		echo send
	} | nsupdate -v -t 30
}

xfr_serial() {
	dig +short +norec +time=2 +tries=2 @127.0.0.1 -p "$1" "$XFR_ZONE" SOA 2>/dev/null |
		awk 'NF >= 7 { print $3; exit }'
}

xfr_stored() {
	"$XFR_DUMP" "$1" "$XFR_ZONE" serial 2>/dev/null
}

xfr_norm() {
	ldns-read-zone -z "$1" 2>/dev/null
}

xfr_norm_store() {
	local f
	f=$(mktemp "$T_DIR/dump.XXXXXX") || return 1
	"$XFR_DUMP" "$1" "$XFR_ZONE" >"$f" && xfr_norm "$f"
	rm -f "$f"
}

xfr_norm_axfr() {
	local f
	f=$(mktemp "$T_DIR/axfr.XXXXXX") || return 1
	dig +onesoa +nocmd +nostats +time=10 @127.0.0.1 -p "$1" "$XFR_ZONE" AXFR |
		grep -v '^;' >"$f" && xfr_norm "$f"
	rm -f "$f"
}

xfr_count() {
	local n
	n=$(grep -cF -- "$2" "$1" 2>/dev/null)
	echo "${n:-0}"
}

xfr_more() {
	[ "$(xfr_count "$1" "$2")" -gt "$3" ]
}

xfr_wait_more() {
	wait_for "$1" xfr_more "$2" "$3" "$4"
}
