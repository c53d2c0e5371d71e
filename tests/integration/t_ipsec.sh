#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# t_ipsec: transport ipsec end to end. Two network namespaces made for this
# run, joined by a veth pair; one strongSwan charon in each (userland ESP:
# kernel-libipsec over a TUN device, ESP always in UDP 4500), both sides
# authenticated with X.509 certificates this test generates. BIND is the
# primary inside the primary namespace, listening on its inner address
# only; rodnsd runs inside the replica namespace with `transport: ipsec`,
# `ipsec-id` = the primary's DN and `vici` = the replica charon's socket.
#
#   replica ns  veth 198.18.0.1/24   inner 198.18.1.1/32 (lo)
#   primary ns  veth 198.18.0.2/24   inner 198.18.2.1/32 (lo)
#   CHILD SA "xfr": 198.18.1.1/32 === 198.18.2.1/32
#
# Cases:
#   A  no SA at start: rodnsd asks charon to initiate (ipsec-initiate), the
#      AXFR works; an nsupdate on the primary is NOTIFYed through the tunnel
#      and taken as IXFR (refresh is clamped to 1h: only NOTIFY explains
#      it); a capture on the replica's veth during all this holds only IKE
#      and ESP-in-UDP, no TCP and nothing on port 53, while the replica's
#      ipsec0 shows the DNS flows in clear (they went through the tunnel).
#      NOTIFY from the primary's outer address is refused (notify-from
#      defaults to the inner address). A cleartext NOTIFY that spoofs the
#      inner address on the veth is refused too: userland IPsec enforces no
#      inbound policy, so rodnsd takes NOTIFY for an ipsec zone only from
#      the tunnel device.
#   B  a second rodnsd whose ipsec-id names another peer (wrong identity)
#      refuses to transfer while the SA is up: event 6522 says why, its
#      store stays empty.
#   D  the primary's charon is stopped: the next refresh is refused (6522,
#      no IKE SA), rodnsd keeps the old serial and answers it.
#   C  the primary comes back with a certificate from a rogue CA (same
#      DN): no SA comes up, rodnsd refuses (6522) and keeps the old serial.
# Skipped (and counted as such) only when this machine cannot create
# network namespaces or TUN devices. Needs root. Every wait is bounded,
# every command that could hang runs under `timeout`; namespaces, charons,
# named, rodnsd and tcpdump are stopped by PID on any exit.
# SC2317: functions run through t_check, which shellcheck cannot see.
# shellcheck disable=SC2317
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/xfr_lib.sh
. "$(dirname "$0")/xfr_lib.sh"
PATH=$PATH:/usr/sbin:/sbin

ZONE=ipsec.test
XFR_ZONE=$ZONE
NS_R=rodns-ipsr-$$
NS_P=rodns-ipsp-$$
IF_R=rdR$$
IF_P=rdP$$
OUT_R=198.18.0.1
OUT_P=198.18.0.2
IN_R=198.18.1.1
IN_P=198.18.2.1
ID_R="O=DNSLab, CN=replica.dnslab.test"
ID_P="O=DNSLab, CN=primary.dnslab.test"
ID_X="O=DNSLab, CN=intruder.dnslab.test"
CHARON=/usr/lib/ipsec/charon
RODNSD=$RODNS_BUILD/rodnsd
T_SKIP=0
NETNS_MADE=0

t_init ipsec
info() { echo "   $*"; }

# lib.sh's cleanup stops our PIDs and removes $T_DIR; the namespaces must go
# in between (after the processes inside them, before the files).
eval "$(declare -f t_cleanup | sed '1s/t_cleanup/lib_t_cleanup/')"
t_cleanup() {
	local pid ns
	trap - EXIT INT TERM HUP
	for pid in "${T_PIDS[@]}"; do
		t_stop "$pid" 5
	done
	T_PIDS=()
	if [ "$NETNS_MADE" = 1 ]; then
		for ns in "$NS_R" "$NS_P"; do
			# anything still inside namespaces made by this run was started by it
			for pid in $(ip netns pids "$ns" 2>/dev/null); do
				kill -KILL "$pid" 2>/dev/null
			done
			ip netns del "$ns" 2>/dev/null
		done
	fi
	lib_t_cleanup
}
trap t_cleanup EXIT
trap 't_cleanup; exit 130' INT
trap 't_cleanup; exit 143' TERM HUP

# t_skip WHY: this machine cannot run the test at all.
t_skip() {
	echo "SKIP $*"
	T_SKIP=1
	t_cleanup
	echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped ($*)"
	exit 0
}

# -------------------------------------------------------------- prerequisites
[ -x "$RODNSD" ] || t_abort "no $RODNSD (run make all)"
[ "$(id -u)" = 0 ] || t_skip "not root: cannot create network namespaces"
for c in ip openssl swanctl tcpdump named dig nsupdate dnssec-keygen dnssec-signzone timeout; do
	command -v "$c" >/dev/null 2>&1 || t_abort "$c is not installed (make deps)"
done
[ -x "$CHARON" ] || t_abort "$CHARON is not installed (make deps: strongswan-charon)"

if ! out=$(timeout 10 ip netns add "$NS_R" 2>&1); then
	t_skip "cannot create network namespaces: $out"
fi
NETNS_MADE=1
timeout 10 ip netns add "$NS_P" || t_abort "ip netns add $NS_P"
[ -c /dev/net/tun ] || t_skip "no /dev/net/tun: cannot create TUN devices"
if ! out=$(timeout 10 ip -n "$NS_R" tuntap add dev rdtun0 mode tun 2>&1); then
	t_skip "cannot create TUN devices: $out"
fi
timeout 10 ip -n "$NS_R" link del rdtun0

# ------------------------------------------------------------------ network
net_up() {
	ip link add "$IF_R" type veth peer name "$IF_P" &&
		ip link set "$IF_R" netns "$NS_R" && ip link set "$IF_P" netns "$NS_P" &&
		ip -n "$NS_R" addr add "$OUT_R/24" dev "$IF_R" &&
		ip -n "$NS_P" addr add "$OUT_P/24" dev "$IF_P" &&
		ip -n "$NS_R" addr add "$IN_R/32" dev lo &&
		ip -n "$NS_P" addr add "$IN_P/32" dev lo &&
		ip -n "$NS_R" link set lo up && ip -n "$NS_P" link set lo up &&
		ip -n "$NS_R" link set "$IF_R" up && ip -n "$NS_P" link set "$IF_P" up
}
net_up || t_abort "veth and addresses in the namespaces"
info "namespaces $NS_R (veth $IF_R $OUT_R, inner $IN_R) and $NS_P (veth $IF_P $OUT_P, inner $IN_P)"

# ---------------------------------------------------------------------- PKI
PKI=$T_DIR/pki
mkdir -p "$PKI"
mkca() { # NAME: a self-signed CA; the rogue one has the same subject
	timeout 30 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$PKI/$1.key" -out "$PKI/$1.crt" -days 2 -subj "/O=DNSLab/CN=DNSLab Test CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1
}
mkcert() { # NAME CN CA
	timeout 30 openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$PKI/$1.key" -out "$PKI/$1.csr" -subj "/O=DNSLab/CN=$2" >/dev/null 2>&1 &&
		printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=DNS:%s\n' \
			"$2" >"$PKI/$1.ext" &&
		timeout 30 openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/$3.crt" -CAkey "$PKI/$3.key" \
			-CAcreateserial -days 2 -extfile "$PKI/$1.ext" -out "$PKI/$1.crt" >/dev/null 2>&1
}
{ mkca ca && mkca rogueca && mkcert replica replica.dnslab.test ca &&
	mkcert primary primary.dnslab.test ca &&
	mkcert rogue-primary primary.dnslab.test rogueca; } || t_abort "certificates (openssl)"

# ------------------------------------------------------------------- charon
# side DIR CERT LOCAL_OUT REMOTE_OUT LOCAL_IN REMOTE_IN LOCAL_ID REMOTE_ID:
# a private strongswan.conf (own plugin list, VICI socket, log) and
# swanctl.conf with connection and CHILD config "xfr".
side() {
	local d=$1
	rm -rf "$d"
	mkdir -p "$d/run" "$d/swanctl/x509" "$d/swanctl/x509ca" "$d/swanctl/private"
	cp "$PKI/ca.crt" "$d/swanctl/x509ca/ca.crt"
	cp "$PKI/$2.crt" "$d/swanctl/x509/me.crt"
	cp "$PKI/$2.key" "$d/swanctl/private/me.key"
	chmod 600 "$d/swanctl/private/me.key"
	cat >"$d/strongswan.conf" <<EOF
charon {
  load_modular = no
  load = random nonce openssl pem pkcs1 pkcs8 x509 revocation constraints pubkey sha1 sha2 hmac aes gcm kdf kernel-libipsec kernel-netlink socket-default vici
  install_routes = yes
  retransmit_tries = 2
  retransmit_timeout = 1.0
  plugins {
    vici { socket = unix://$d/charon.vici }
  }
  filelog {
    t { path = $d/charon.log
        time_format = %T
        default = 1
        ike = 2
        flush_line = yes }
  }
  syslog { daemon { default = -1 } }
}
swanctl { load = random openssl pem pkcs1 pkcs8 x509 pubkey }
EOF
	cat >"$d/swanctl/swanctl.conf" <<EOF
connections {
  xfr {
    version = 2
    local_addrs = $3
    remote_addrs = $4
    proposals = aes256gcm16-prfsha256-ecp256
    local { auth = pubkey
            certs = me.crt
            id = "$7" }
    remote { auth = pubkey
             id = "$8"
             cacerts = ca.crt }
    children {
      xfr { local_ts = $5/32
            remote_ts = $6/32
            esp_proposals = aes256gcm16 }
    }
  }
}
EOF
}

# sw DIR ARGS...: swanctl against that charon, bounded.
sw() {
	local d=$1
	shift
	STRONGSWAN_CONF=$d/strongswan.conf SWANCTL_DIR=$d/swanctl timeout 30 swanctl "$@" \
		--uri "unix://$d/charon.vici"
}

# charon_start DIR NS: charon in NS with its own /run (its pid file path is
# compiled in), configuration loaded. Sets CHARON_PID.
charon_start() {
	local d=$1 ns=$2 i
	t_spawn "$d/charon.out" ip netns exec "$ns" env STRONGSWAN_CONF="$d/strongswan.conf" \
		sh -c "mount --bind '$d/run' /run && exec $CHARON"
	CHARON_PID=$T_LAST_PID
	for ((i = 0; i < 150; i++)); do
		[ -S "$d/charon.vici" ] && sw "$d" --stats >/dev/null 2>&1 && break
		kill -0 "$CHARON_PID" 2>/dev/null || break
		sleep 0.1
	done
	if ! sw "$d" --load-all --clear >"$d/load.out" 2>&1 ||
		! grep -q "loaded connection 'xfr'" "$d/load.out"; then
		echo "   charon in $ns did not start or load:" >&2
		tail -n 5 "$d/charon.out" "$d/load.out" >&2
		return 1
	fi
}

# established DIR: charon at DIR has an ESTABLISHED IKE SA with an
# INSTALLED CHILD SA.
established() {
	sw "$1" --list-sas --noblock 2>/dev/null | grep -q 'INSTALLED, TUNNEL' &&
		sw "$1" --list-sas --noblock 2>/dev/null | grep -q ESTABLISHED
}

CR=$T_DIR/charon-r
CP=$T_DIR/charon-p
side "$CR" replica "$OUT_R" "$OUT_P" "$IN_R" "$IN_P" "$ID_R" "$ID_P"
side "$CP" primary "$OUT_P" "$OUT_R" "$IN_P" "$IN_R" "$ID_P" "$ID_R"
charon_start "$CR" "$NS_R" || t_abort "replica charon"
charon_start "$CP" "$NS_P" || t_abort "primary charon"
CHARON_P_PID=$CHARON_PID
ip -n "$NS_R" link show ipsec0 >/dev/null 2>&1 || t_abort "no ipsec0 TUN device in $NS_R"
t_check "no SA before rodnsd starts" eval "! established '$CR'"

# ------------------------------------------------------------- BIND primary
ZD=$T_DIR/zone
bash "$T_LIB_DIR/mkzone.sh" 60 "$ZD" nsec "$ZONE" >"$T_DIR/mkzone.log" 2>&1 ||
	{ cat "$T_DIR/mkzone.log"; t_abort "mkzone.sh"; }
PD=$T_DIR/primary
mkdir -p "$PD/keys"
cp "$ZD/$ZONE.signed" "$PD/$ZONE.db"
cp "$ZD"/keys/K* "$PD/keys/"
cat >"$PD/named.conf" <<EOF
options {
	directory "$PD";
	pid-file none;
	session-keyfile "$PD/session.key";
	managed-keys-directory "$PD";
	listen-on port 53 { $IN_P; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	allow-transfer { $IN_R; };
	ixfr-from-differences yes;
	max-journal-size unlimited;
	notify explicit;
	also-notify { $IN_R port 53; };
	notify-source $IN_P;
	notify-delay 0;
	key-directory "$PD/keys";
};
controls { };
zone "$ZONE" { type primary; file "$ZONE.db"; allow-update { $IN_P; }; };
EOF
t_spawn "$T_DIR/named.log" ip netns exec "$NS_P" /usr/sbin/named -g -c "$PD/named.conf"
wait_for 30 grep -qE ' running$' "$T_DIR/named.log" ||
	{ tail -n 15 "$T_DIR/named.log"; t_abort "named did not start in $NS_P"; }

p_serial() {
	timeout 10 ip netns exec "$NS_P" dig +short +norec +time=2 +tries=2 @"$IN_P" "$ZONE" SOA \
		2>/dev/null | awk 'NF >= 7 { print $3; exit }'
}
# r_serial PORT: the serial rodnsd answers on its inner address
r_serial() {
	timeout 10 ip netns exec "$NS_R" dig +short +norec +time=2 +tries=2 @"$IN_R" -p "${1:-53}" \
		"$ZONE" SOA 2>/dev/null | awk 'NF >= 7 { print $3; exit }'
}
p_update() { # LINE...: one nsupdate inside the primary namespace
	{
		echo "server $IN_P 53"
		echo "zone $ZONE"
		printf '%s\n' "$@"
		echo send
	} | timeout 40 ip netns exec "$NS_P" nsupdate -v -t 30
}
S0=$(p_serial)
[ -n "$S0" ] || t_abort "the primary does not answer on $IN_P"
info "primary serves $ZONE serial $S0 on $IN_P"

# ------------------------------------------------------------------- rodnsd
# rconf DIR PROFILE IPSEC_ID LISTEN INITIATE: rodnsd config on stdout.
#   slow: refresh clamped to 1h..1d (only NOTIFY brings changes quickly)
#   fast: refresh and retry clamped to 2s..3s
rconf() {
	local dir=$1 rmin=1h rmax=1d ini=""
	[ "$2" = fast ] && rmin=2s rmax=3s
	[ -n "$5" ] && ini="
        ipsec-initiate: $5"
	cat <<EOF
server:
  listen: [$4]
  workers: 1
  state-dir: $dir
  user: root
  control: $dir/control.sock
  metrics: off
  vici: $CR/charon.vici
events:
  syslog: false
zones:
  - name: $ZONE
    primaries:
      - address: "$IN_P@53"
        transport: ipsec
        ipsec-id: "$3"$ini
    refresh-min: $rmin
    refresh-max: $rmax
    retry-min: $rmin
    retry-max: $rmax
EOF
}

# rstart CONF LOG: rodnsd inside the replica namespace; sets R_PID.
rstart() {
	t_spawn "$2" ip netns exec "$NS_R" "$RODNSD" -c "$1"
	R_PID=$T_LAST_PID
	wait_for 30 grep -qF "rodnsd started" "$2" && return 0
	echo "   rodnsd did not start ($2):" >&2
	tail -n 15 "$2" >&2
	return 1
}
stored() { xfr_stored "$1"; }
wait_stored() { # STORE SERIAL SECONDS
	local i
	for ((i = 0; i < $3 * 5; i++)); do
		[ "$(stored "$1")" = "$2" ] && return 0
		sleep 0.2
	done
	return 1
}
n6522() { xfr_count "$1" "[6522] $ZONE."; }

# capture NS IFACE FILE: tcpdump (bounded) in the background; sets CAP_PID.
capture() {
	t_spawn "$3.log" ip netns exec "$1" timeout 600 tcpdump -Z root -i "$2" -n -U -s 256 -w "$3"
	CAP_PID=$T_LAST_PID
	wait_for 10 grep -q 'listening on' "$3.log"
}
pcount() { # FILE FILTER: packets in FILE matching the pcap FILTER
	timeout 30 tcpdump -n -r "$1" "$2" 2>/dev/null | wc -l
}

RA=$T_DIR/replica
mkdir -p "$RA"
rconf "$RA" slow "$ID_P" "\"$IN_R@53\", \"$OUT_R@53\"" xfr >"$RA/slow.yaml"
timeout 10 "$RODNSD" -t -c "$RA/slow.yaml" >"$T_DIR/conf-check.log" 2>&1 ||
	{ cat "$T_DIR/conf-check.log"; t_abort "rodnsd -t rejects the test config"; }

# ================================================================ case A
VETH_PCAP=$T_DIR/veth.pcap
TUN_PCAP=$T_DIR/ipsec0.pcap
capture "$NS_R" "$IF_R" "$VETH_PCAP" || t_abort "tcpdump on $IF_R"
VETH_CAP=$CAP_PID
capture "$NS_R" ipsec0 "$TUN_PCAP" || t_abort "tcpdump on ipsec0"
TUN_CAP=$CAP_PID

LOG_A=$T_DIR/rodnsd-a.log
rstart "$RA/slow.yaml" "$LOG_A" || t_abort "rodnsd did not start"
A_PID=$R_PID
if wait_stored "$RA/rodns.sqlite" "$S0" 60; then
	t_pass "A: AXFR through the SA rodnsd asked charon to initiate: serial $S0 stored"
else
	t_fail "A: AXFR through the SA (stored: '$(stored "$RA/rodns.sqlite")'; log: $(grep -E '\[65(20|21|22)\]' "$LOG_A" | tail -n 2))"
fi
t_check "A: the SA is up (ESTABLISHED, CHILD SA INSTALLED) after rodnsd's initiate" established "$CR"
t_check "A: the transfer event names transport ipsec" \
	wait_for 5 grep -qE "\[6520\] $ZONE\.: AXFR from $IN_P@53 over ipsec" "$LOG_A"
info "  $(grep -m1 "\[6520\]" "$LOG_A" | sed 's/.*\] //')"

p_update "update add ipsec-new.$ZONE. 3600 A 192.0.2.99" >"$T_DIR/nsupdate1.log" 2>&1 ||
	t_fail "A: nsupdate on the primary ($(tail -n 1 "$T_DIR/nsupdate1.log"))"
S1=$(p_serial)
info "primary serial after the update: $S1"
if [ -n "$S1" ] && [ "$S1" != "$S0" ] && wait_stored "$RA/rodns.sqlite" "$S1" 30; then
	t_pass "A: NOTIFY through the tunnel, IXFR: serial $S1 stored (refresh is 1h: only NOTIFY explains it)"
else
	t_fail "A: IXFR after NOTIFY (primary $S1, stored '$(stored "$RA/rodns.sqlite")')"
fi
t_check "A: the second transfer was an IXFR over ipsec" \
	wait_for 5 grep -qE "\[6520\] $ZONE\.: IXFR from $IN_P@53 over ipsec: serial $S0 -> $S1" "$LOG_A"
t_check "A: rodnsd answers serial $S1 on $IN_R" eval "[ \"\$(r_serial)\" = '$S1' ]"

# ================================================================ case B
RB=$T_DIR/replica-b
mkdir -p "$RB"
rconf "$RB" fast "$ID_X" "\"$IN_R@5300\"" "" >"$RB/fast.yaml"
LOG_B=$T_DIR/rodnsd-b.log
if rstart "$RB/fast.yaml" "$LOG_B"; then
	B_PID=$R_PID
	t_check "B: wrong identity: event 6522 says no IKE SA with that identity" \
		wait_for 30 grep -qF "no IKE SA with remote identity '$ID_X' (charon has 1: '$ID_P' ESTABLISHED)" "$LOG_B"
	info "  $(grep -m1 "\[6522\]" "$LOG_B" | sed 's/.*\] //')"
	t_check "B: nothing transferred (store empty)" eval "[ \"\$(stored '$RB/rodns.sqlite')\" != '$S1' ] && ! grep -q '\[6520\]' '$LOG_B'"
	t_stop "$B_PID"
else
	t_fail "B: second rodnsd did not start"
fi

# ------------------------------------------------ the capture of A and B
sleep 0.5
t_stop "$VETH_CAP"
t_stop "$TUN_CAP"
all=$(pcount "$VETH_PCAP" "")
ike=$(pcount "$VETH_PCAP" "udp port 500 or udp port 4500")
esp=$(timeout 30 tcpdump -n -r "$VETH_PCAP" "udp port 4500" 2>/dev/null | grep -c 'UDP-encap: ESP')
tcp=$(pcount "$VETH_PCAP" "tcp")
dns=$(pcount "$VETH_PCAP" "port 53")
other=$(pcount "$VETH_PCAP" "ip and not (udp port 500 or udp port 4500)")
link=$(pcount "$VETH_PCAP" "not ip")
tun_tcp=$(pcount "$TUN_PCAP" "tcp port 53 and host $IN_P and host $IN_R")
tun_notify=$(pcount "$TUN_PCAP" "udp and src host $IN_P and dst host $IN_R and dst port 53")
info "capture on $IF_R: $all packets: $((ike - esp)) IKE, $esp ESP-in-UDP/4500, $tcp TCP, $dns on port 53, $other other IPv4, $link non-IPv4 (ARP, IPv6 ND)"
info "capture on ipsec0 (replica, in clear): $tun_tcp TCP/53 packets $IN_R<->$IN_P, $tun_notify NOTIFY packets from $IN_P"
timeout 30 tcpdump -n -r "$VETH_PCAP" 2>/dev/null | grep -m 3 'UDP-encap: ESP' | sed 's/^/     /'
t_check "capture: ESP-in-UDP/4500 crossed the veth" [ "$esp" -gt 0 ]
t_check "capture: no TCP on the veth" [ "$tcp" -eq 0 ]
t_check "capture: nothing on port 53 on the veth" [ "$dns" -eq 0 ]
t_check "capture: no IPv4 on the veth but IKE and ESP-in-UDP" [ "$other" -eq 0 ]
t_check "capture: the transfers and the NOTIFY went through ipsec0" \
	eval "[ '$tun_tcp' -gt 0 ] && [ '$tun_notify' -gt 0 ]"

# --------------------------------------------------------- NOTIFY sources
notify_from() { # SOURCE DEST: a NOTIFY for the zone sent in the primary ns
	timeout 15 ip netns exec "$NS_P" dig +opcode=notify +norec +time=3 +tries=1 -b "$1" @"$2" \
		"$ZONE" SOA 2>&1
}
out=$(notify_from "$OUT_P" "$OUT_R")
t_check "A: NOTIFY from the primary's outer address $OUT_P is refused" \
	eval "echo \"\$out\" | grep -q 'status: REFUSED'"
t_check "A: ... and logged (6528)" wait_for 5 grep -qF "[6528] $ZONE." "$LOG_A"
# A cleartext NOTIFY on the veth with the primary's inner address as its
# source: the answer from $OUT_R would go into the tunnel, so let it return
# on the veth for the time of the probe.
ip -n "$NS_R" rule add from "$OUT_R" lookup main priority 100 2>/dev/null
ip -n "$NS_R" route add "$IN_P/32" via "$OUT_P" dev "$IF_R" 2>/dev/null
out=$(notify_from "$IN_P" "$OUT_R")
ip -n "$NS_R" route del "$IN_P/32" via "$OUT_P" dev "$IF_R" 2>/dev/null
ip -n "$NS_R" rule del from "$OUT_R" lookup main priority 100 2>/dev/null
# userland IPsec enforces no inbound policy, so rodnsd itself must refuse a
# NOTIFY for an ipsec zone that did not arrive on the tunnel device
t_check "A: a cleartext NOTIFY spoofing the primary's inner address $IN_P is refused" \
	eval "echo \"\$out\" | grep -q 'status: REFUSED'"
t_check "A: ... and logged as not coming through the tunnel (6528)" \
	wait_for 5 grep -qF "did not come through the tunnel" "$LOG_A"

# ================================================================ case D
# A fresh rodnsd with refresh clamped to 2s..3s (a restarted one would keep
# the next refresh time it stored, an hour away), same SA, same primary.
t_stop "$A_PID"
RD=$T_DIR/replica-d
mkdir -p "$RD"
rconf "$RD" fast "$ID_P" "\"$IN_R@53\"" xfr >"$RD/fast.yaml"
LOG_D=$T_DIR/rodnsd-d.log
rstart "$RD/fast.yaml" "$LOG_D" || t_abort "rodnsd (fast refresh) did not start"
t_check "D: rodnsd with a 3s refresh has serial $S1 through the SA" \
	wait_stored "$RD/rodns.sqlite" "$S1" 30
t_check "D: ... and answers it" wait_for 10 eval "[ \"\$(r_serial)\" = '$S1' ]"
XFRS_D=$(xfr_count "$LOG_D" "[6520] $ZONE.")
t_stop "$CHARON_P_PID" # SIGTERM: charon deletes its SAs, telling the replica
t_check "D: the replica's SA is gone once the primary's charon stopped" \
	wait_for 20 eval "! established '$CR'"
p_update "update add ipsec-late.$ZONE. 3600 A 192.0.2.98" >"$T_DIR/nsupdate2.log" 2>&1 ||
	t_fail "D: nsupdate on the primary ($(tail -n 1 "$T_DIR/nsupdate2.log"))"
S2=$(p_serial)
info "primary serial now $S2 (rodnsd has $S1)"
t_check "D: the next refresh is refused: 6522, no IKE SA" \
	xfr_wait_more 60 "$LOG_D" "not authenticated: no IKE SA with remote identity '$ID_P'" 0
info "  $(grep "\[6522\]" "$LOG_D" | tail -n 1 | sed 's/.*\] //')"
t_check "D: refused again on the following refresh" \
	xfr_wait_more 60 "$LOG_D" "[6522] $ZONE." "$(n6522 "$LOG_D")"
t_check "D: the store keeps serial $S1" eval "[ \"\$(stored '$RD/rodns.sqlite')\" = '$S1' ]"
t_check "D: rodnsd still answers serial $S1" eval "[ \"\$(r_serial)\" = '$S1' ]"

# ================================================================ case C
side "$CP" rogue-primary "$OUT_P" "$OUT_R" "$IN_P" "$IN_R" "$ID_P" "$ID_R"
charon_start "$CP" "$NS_P" || t_abort "rogue primary charon"
m0=$(xfr_count "$LOG_D" "(initiate 'xfr' failed")
t_check "C: rogue CA: rodnsd's initiate fails, 6522 says so" \
	xfr_wait_more 60 "$LOG_D" "(initiate 'xfr' failed" "$m0"
info "  $(grep "\[6522\]" "$LOG_D" | tail -n 1 | sed 's/.*\] //')"
why=$(grep -hE 'no trusted|constraint check failed|signature validation failed|AUTHENTICATION_FAILED|no issuer' \
	"$CR/charon.log" | sed 's/^.*\] //' | sort -u | head -n 2 | tr '\n' ';')
info "  replica charon: ${why:-?}"
t_check "C: the replica's charon did not accept the rogue certificate" [ -n "$why" ]
t_check "C: no SA" eval "! established '$CR'"
t_check "C: the store keeps serial $S1" eval "[ \"\$(stored '$RD/rodns.sqlite')\" = '$S1' ]"
t_check "C: rodnsd still answers serial $S1" eval "[ \"\$(r_serial)\" = '$S1' ]"
t_check "C: rodnsd transferred nothing since the primary's charon stopped" \
	eval "[ \"\$(xfr_count '$LOG_D' '[6520] $ZONE.')\" = '$XFRS_D' ]"

t_summary
