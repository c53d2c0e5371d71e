#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# t_xot: XFR-over-TLS (RFC 9103) with mutual TLS between rodnsd and BIND 9.
#
# BIND is the primary of a small signed zone (mkzone.sh): zone transfers
# only over TLS (`listen-on port P tls xot`, `allow-transfer port P
# transport tls`), a `tls` block with ca-file so that it requires and checks
# a client certificate, dynamic updates on a plain port (nsupdate), NOTIFY
# to rodnsd. rodnsd's only primary is the TLS port. Cases:
#   success   the first AXFR over TLS (stored serial = the primary's), the
#             SOA probes went over TLS too (BIND's query log: every SOA
#             query came over TCP/TLS, none over UDP), rodnsd answers the
#             serial; an nsupdate, NOTIFY, and an IXFR over TLS.
#   failures  each from a store holding the older serial S2 while the
#             primary has S3, after a NOTIFY: no client certificate, a
#             client certificate from another CA, a primary certificate
#             from a rogue CA, a wrong expected hostname, a wrong pin. Each
#             leaves the store at S2 (nothing applied, no 6520) and logs a
#             6522 event naming the cause.
#   key mode  rodnsd refuses to start with a private key of mode 0644.
#   recovery  the right profile again: the store reaches S3 by IXFR over TLS.
# No durations are asserted; every wait is bounded.
#
# Env: T_KEEP=1 keeps $T_DIR. Ports from lib.sh's free_port (20000-32699).
# SC2317: functions called through t_check.
# shellcheck disable=SC2317
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/xfr_lib.sh
. "$(dirname "$0")/xfr_lib.sh"
t_init xot
PATH=$PATH:/usr/sbin:/sbin
[ -d "$RODNS_BUILD" ] && RODNS_BUILD=$(cd "$RODNS_BUILD" && pwd)
XFR_DUMP=$RODNS_BUILD/tools/rodns-dump
cd "$T_DIR" || t_abort "cd $T_DIR"

RODNSD=$RODNS_BUILD/rodnsd
[ -x "$RODNSD" ] || t_abort "no $RODNSD (run make all)"
[ -x "$XFR_DUMP" ] || t_abort "no $XFR_DUMP (run make all)"
for c in named nsupdate dig openssl ss dnssec-keygen dnssec-signzone awk; do
	command -v "$c" >/dev/null 2>&1 || t_abort "$c is not installed (make deps)"
done

if ! P_TLS=$(free_port) || ! P_PLAIN=$(free_port) || ! R_PORT=$(free_port); then
	t_abort "no free ports"
fi
PKI=$T_DIR/pki
PD=$T_DIR/primary
RD=$T_DIR/rodns
STORE=$RD/rodns.sqlite
ZONE=$XFR_ZONE
export XFR_PRIMARY_PORT=$P_PLAIN # for xfr_update
mkdir -p "$PKI" "$PD/keys" "$RD"
info() { echo "   $*"; }
info "ports: primary tls $P_TLS, primary plain $P_PLAIN, rodnsd $R_PORT"

# forget PID: drops a stopped process from lib.sh's cleanup list (its PID
# may be reused by a process that is not ours).
forget() {
	local p keep=()
	for p in "${T_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	T_PIDS=("${keep[@]}")
}

# ---------------------------------------------------------------- PKI
# ca NAME CN: a self-signed CA. leaf NAME CA CN EKU: a P-256 leaf with
# subjectAltName DNS:CN issued by CA.
ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3 \
		-keyout "$PKI/$1.key" -out "$PKI/$1.crt" -subj "/CN=$2" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
leaf() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$PKI/$1.key" -out "$PKI/$1.csr" -subj "/CN=$3" 2>/dev/null || return 1
	printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
		"extendedKeyUsage=$4" "subjectAltName=DNS:$3" >"$PKI/$1.ext"
	openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/$2.crt" -CAkey "$PKI/$2.key" \
		-CAcreateserial -days 3 -extfile "$PKI/$1.ext" -out "$PKI/$1.crt" 2>/dev/null
}
if ! { ca ca "rodns test CA" && ca rogueca "Rogue CA" &&
	leaf primary ca primary.example.test serverAuth &&
	leaf impostor rogueca primary.example.test serverAuth &&
	leaf replica ca replica.example.test clientAuth &&
	leaf rogue rogueca replica.example.test clientAuth; }; then
	t_abort "PKI generation failed"
fi
chmod 600 "$PKI"/*.key
# the pin of the primary's key, as `kdig +tls-pin` takes it
PIN=$(openssl x509 -in "$PKI/primary.crt" -pubkey -noout | openssl pkey -pubin -outform der |
	openssl dgst -sha256 -binary | base64)
BADPIN=$(printf 'not the key' | openssl dgst -sha256 -binary | base64)

# ---------------------------------------------------------------- primary
bash "$T_LIB_DIR/mkzone.sh" 300 "$T_DIR/zone" nsec >"$T_DIR/mkzone.log" 2>&1 ||
	{ cat "$T_DIR/mkzone.log"; t_abort "mkzone.sh failed"; }
if ! { cp "$T_DIR/zone/$ZONE.signed" "$PD/$ZONE.db" && cp "$T_DIR/zone/keys"/K* "$PD/keys/"; }; then
	t_abort "cannot set up the primary's files"
fi

# primary_conf CERT: named.conf with the TLS listener using CERT.crt/.key.
primary_conf() {
	cat <<EOF
options {
	directory "$PD";
	pid-file none;
	session-keyfile "$PD/session.key";
	managed-keys-directory "$PD";
	listen-on port $P_PLAIN { 127.0.0.1; };
	listen-on port $P_TLS tls xot { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	querylog yes;
	dnssec-validation no;
	allow-transfer { none; };
	ixfr-from-differences yes;
	max-journal-size unlimited;
	notify explicit;
	also-notify { 127.0.0.1 port $R_PORT; };
	notify-delay 0;
	key-directory "$PD/keys";
};
controls { };
// ca-file: a client certificate is required and must come from this CA
tls xot {
	key-file "$PKI/$1.key";
	cert-file "$PKI/$1.crt";
	ca-file "$PKI/ca.crt";
};
zone "$ZONE" {
	type primary;
	file "$ZONE.db";
	allow-update { 127.0.0.1; };
	allow-transfer port $P_TLS transport tls { 127.0.0.1; };
};
EOF
}

PRIMARY_PID=
# start_primary CERT LOGNAME
start_primary() {
	primary_conf "$1" >"$PD/named.conf"
	start_named "$2" "$PD/named.conf" || return 1
	PRIMARY_PID=$NAMED_PID
}
stop_primary() {
	t_stop "$PRIMARY_PID"
	forget "$PRIMARY_PID"
}

# p_serial: the primary's serial, asked over TCP on the plain port (so that
# BIND's query log holds no UDP SOA query but rodnsd's).
p_serial() {
	dig +tcp +short +norec +time=3 +tries=2 @127.0.0.1 -p "$P_PLAIN" "$ZONE" SOA 2>/dev/null |
		awk 'NF >= 7 { print $3; exit }'
}

# ---------------------------------------------------------------- rodnsd
# rodns_conf CERT|- CA HOST PIN|- [KEYFILE]: rodnsd's config, one TLS
# profile "xot" (CERT "-": no client certificate), to $RD/rodns.yaml.
rodns_conf() {
	local cert=$1 cafile=$2 host=$3 pin=$4 key=${5:-$PKI/$1.key}
	{
		cat <<EOF
server:
  listen: ["127.0.0.1@$R_PORT"]
  workers: 1
  state-dir: $RD
  user: root
  control: $RD/control.sock
  metrics: off
log:
  level: info
events:
  syslog: false
tls:
  - name: xot
    ca: $PKI/$cafile
    hostname: $host
EOF
		if [ "$cert" != - ]; then
			echo "    cert: $PKI/$cert.crt"
			echo "    key: $key"
		fi
		[ "$pin" != - ] && echo "    pin: \"$pin\""
		cat <<EOF
zones:
  - name: $ZONE
    primaries: [{ address: "127.0.0.1@$P_TLS", transport: tls, tls: xot }]
    store: rodns.sqlite
    notify-from: ["127.0.0.1"]
    refresh-min: 1h
    refresh-max: 1d
    retry-min: 1h
    retry-max: 1d
EOF
	} >"$RD/rodns.yaml"
}

R_PID=
# start_rodns LOG: starts rodnsd, waits (30 s) for "rodnsd started".
start_rodns() {
	local i
	t_spawn "$1" "$RODNSD" -c "$RD/rodns.yaml"
	R_PID=$T_LAST_PID
	for ((i = 0; i < 300; i++)); do
		grep -qF "rodnsd started" "$1" 2>/dev/null && return 0
		kill -0 "$R_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "   rodnsd did not start ($1):" >&2
	tail -n 15 "$1" >&2
	stop_rodns
	return 1
}
stop_rodns() {
	t_stop "$R_PID"
	forget "$R_PID"
}

stored() { xfr_stored "$STORE"; }
stored_is() { [ "$(stored)" = "$1" ]; }
served_is() {
	[ "$(dig +short +norec +time=2 +tries=2 @127.0.0.1 -p "$R_PORT" "$ZONE" SOA |
		awk 'NF >= 7 { print $3; exit }')" = "$1" ]
}
# notify_rodns: a NOTIFY from 127.0.0.1 (in notify-from) starts a refresh.
notify_rodns() {
	dig +opcode=notify +norec +time=2 +tries=2 @127.0.0.1 -p "$R_PORT" "$ZONE" SOA >/dev/null 2>&1
}
has() { grep -qE -- "$2" "$1" 2>/dev/null; }
lacks() { ! grep -qE -- "$2" "$1" 2>/dev/null; }
# SOA queries in BIND's query log: all over TCP (flag T), at least one.
soa_over_tcp_only() {
	local all tcp
	all=$(grep -c "query: $ZONE IN SOA" "$1")
	tcp=$(grep "query: $ZONE IN SOA" "$1" | grep -cE 'IN SOA [-+][A-Z()0-9]*T')
	info "BIND saw $all SOA queries, $tcp of them over TCP/TLS"
	[ "$all" -ge 1 ] && [ "$all" = "$tcp" ]
}

# ---------------------------------------------------------------- success
start_primary primary primary || t_abort "BIND did not start"
S1=$(p_serial)
[ -n "$S1" ] || t_abort "the primary does not answer its serial"
rodns_conf replica ca.crt primary.example.test "$PIN"
"$RODNSD" -t -c "$RD/rodns.yaml" >"$T_DIR/conf-check.log" 2>&1 ||
	{ cat "$T_DIR/conf-check.log"; t_abort "rodnsd -t rejects the test config"; }
LOG=$T_DIR/r-success.log
start_rodns "$LOG" || t_abort "rodnsd did not start"
wait_for 60 stored_is "$S1"
t_check "AXFR over TLS (client certificate, CA, name, pin): stored serial $(stored) = primary's $S1" \
	stored_is "$S1"
t_check "the 6520 event says AXFR from 127.0.0.1@$P_TLS over tls" \
	has "$LOG" "\[6520\] $ZONE\.?: AXFR from 127\.0\.0\.1@$P_TLS over tls"
t_check "the SOA probe went over TLS as well (no UDP SOA query reached BIND)" \
	soa_over_tcp_only "$T_DIR/primary.log"
t_check "rodnsd answers SOA with serial $S1" wait_for 10 served_is "$S1"

n_ixfr=$(xfr_count "$LOG" "IXFR from 127.0.0.1@$P_TLS over tls")
xfr_update "update add xot1.$ZONE. 300 A 192.0.2.101" >"$T_DIR/nsupdate1.log" 2>&1 ||
	t_fail "nsupdate 1 failed: $(tail -n 3 "$T_DIR/nsupdate1.log")"
S2=$(p_serial)
info "primary serial after the update: $S2 (NOTIFY to rodnsd; its refresh timer is 1h+)"
wait_for 30 stored_is "$S2"
t_check "after NOTIFY: stored serial $(stored) = primary's $S2" stored_is "$S2"
t_check "that was an IXFR over tls" xfr_more "$LOG" "IXFR from 127.0.0.1@$P_TLS over tls" "$n_ixfr"
t_check "no authentication failure (6522) in the good case" lacks "$LOG" "\[6522\]"
stop_rodns
for f in "$STORE" "$STORE-wal" "$STORE-shm"; do
	[ -e "$f" ] && cp "$f" "$T_DIR/good.${f##*.}"
done
[ -e "$T_DIR/good.sqlite" ] || t_abort "no store file after the good case"

xfr_update "update add xot2.$ZONE. 300 A 192.0.2.102" >"$T_DIR/nsupdate2.log" 2>&1 ||
	t_fail "nsupdate 2 failed: $(tail -n 3 "$T_DIR/nsupdate2.log")"
S3=$(p_serial)
info "failure cases start from the store at $S2; the primary has $S3"

# ---------------------------------------------------------------- failures
restore_store() {
	rm -f "$STORE" "$STORE-wal" "$STORE-shm"
	cp "$T_DIR/good.sqlite" "$STORE"
	[ -e "$T_DIR/good.sqlite-wal" ] && cp "$T_DIR/good.sqlite-wal" "$STORE-wal"
	[ -e "$T_DIR/good.sqlite-shm" ] && cp "$T_DIR/good.sqlite-shm" "$STORE-shm"
	return 0
}

# fail_case NAME REGEX: with the config (and primary) as set up, rodnsd
# from the S2 store gets a NOTIFY and must log a 6522 matching REGEX and
# apply nothing.
fail_case() {
	local name=$1 re=$2 log="$T_DIR/r-${1// /-}.log"
	restore_store
	start_rodns "$log" || {
		t_fail "$name: rodnsd did not start"
		return
	}
	notify_rodns
	wait_for 30 has "$log" "\[6522\]"
	t_check "$name: 6522 names the cause ($re): $(grep -m1 -o '\[6522\].*' "$log" |
		sed 's/.*not authenticated: //')" has "$log" "\[6522\].*$re"
	t_check "$name: the old serial $S2 keeps serving" served_is "$S2"
	stop_rodns
	t_check "$name: nothing applied (store at $(stored))" stored_is "$S2"
	t_check "$name: no transfer logged (6520)" lacks "$log" "\[6520\]"
}

rodns_conf - ca.crt primary.example.test -
fail_case "no client certificate" "rejected our client certificate"
rodns_conf rogue ca.crt primary.example.test -
fail_case "client certificate from another CA" "rejected our client certificate"

stop_primary
start_primary impostor primary-impostor || t_abort "BIND (rogue CA certificate) did not start"
rodns_conf replica ca.crt primary.example.test "$PIN"
fail_case "primary certificate from a rogue CA" "unknown CA.*certificate"
stop_primary
start_primary primary primary-2 || t_abort "BIND did not restart"

rodns_conf replica ca.crt wrong.example.test -
fail_case "wrong expected hostname" "name mismatch.*wrong\.example\.test"
rodns_conf replica ca.crt primary.example.test "$BADPIN"
fail_case "wrong pin" "pin mismatch"

# ---------------------------------------------------------------- key mode
cp "$PKI/replica.key" "$PKI/replica644.key" && chmod 644 "$PKI/replica644.key"
rodns_conf replica ca.crt primary.example.test - "$PKI/replica644.key"
restore_store
timeout 20 "$RODNSD" -c "$RD/rodns.yaml" >"$T_DIR/r-keymode.log" 2>&1
rc=$?
info "rodnsd with a 0644 key: exit status $rc: $(grep -m1 -F 0644 "$T_DIR/r-keymode.log")"
refused() { [ "$1" != 0 ] && [ "$1" != 124 ]; } # exited by itself, and failed
t_check "rodnsd refuses to start with a private key of mode 0644" \
	refused "$rc"
t_check "...and says why (the file, its mode, chmod 600)" \
	has "$T_DIR/r-keymode.log" "replica644\.key.*0644.*chmod 600"
t_check "...and logs nothing of the key" lacks "$T_DIR/r-keymode.log" "PRIVATE KEY"

# ---------------------------------------------------------------- recovery
rodns_conf replica ca.crt primary.example.test -
restore_store
LOG=$T_DIR/r-recovery.log
if start_rodns "$LOG"; then
	notify_rodns
	wait_for 30 stored_is "$S3"
	t_check "recovery: the right profile again brings the store to $S3 (has $(stored))" \
		stored_is "$S3"
	t_check "recovery: by IXFR over tls" has "$LOG" "IXFR from 127\.0\.0\.1@$P_TLS over tls"
	stop_rodns
else
	t_fail "recovery: rodnsd did not start"
fi

t_summary
