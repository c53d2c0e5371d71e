#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# t_xfrout: zone transfers out to downstream replicas (tiering).
#
#   BIND (primary, P1) -> rodnsd A (P2, allow-transfer 127.0.0.1)
#                      -> rodnsd B (P3, primary = A)
# Checks: A's AXFR equals the primary's; a source outside allow-transfer
# (127.0.0.2) is REFUSED; AXFR over UDP is sent to TCP (TC=1); B, a replica
# of A, holds the primary's data, and after an update on the primary both
# tiers converge on the new serial (A is NOTIFYed by BIND; rodns sends no
# NOTIFY downstream yet, so B finds the change by its short refresh timer).
# shellcheck disable=SC2317
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/xfr_lib.sh
. "$HERE/xfr_lib.sh"
t_init xfrout

RODNSD=$RODNS_BUILD/rodnsd
[ -x "$RODNSD" ] || t_abort "no $RODNSD (run make all)"
xfr_need_tools
if ! { P1=$(free_port) && P2=$(free_port) && P3=$(free_port) && PR=$(free_port); }; then
	t_abort "no free ports"
fi
ZD=$T_DIR/zone
bash "$HERE/mkzone.sh" 500 "$ZD" nsec "$XFR_ZONE" >/dev/null || t_abort "mkzone.sh failed"
xfr_primary_start "$T_DIR/ns" "$ZD" "$P1" "$PR" "$P2" || t_abort "BIND primary did not start"

# conf NAME PORT PRIMARY_PORT EXTRA: writes $T_DIR/NAME.yaml
conf() {
	mkdir -p "$T_DIR/$1"
	cat >"$T_DIR/$1.yaml" <<YAML
server:
  listen: ["127.0.0.1@$2"]
  workers: 2
  state-dir: $T_DIR/$1
  user: root
  control: $T_DIR/$1/control.sock
  metrics: off
events:
  syslog: no
zones:
  - name: $XFR_ZONE
    primaries: ["127.0.0.1@$3"]
    refresh-min: 1s
    refresh-max: 2s
    retry-min: 1s
$4
YAML
}
conf a "$P2" "$P1" '    allow-transfer: ["127.0.0.1"]'
conf b "$P3" "$P2" ''
t_spawn "$T_DIR/a.log" "$RODNSD" -c "$T_DIR/a.yaml"
t_spawn "$T_DIR/b.log" "$RODNSD" -c "$T_DIR/b.yaml"

want=$(xfr_serial "$P1")
serial_is() { [ "$(xfr_stored "$T_DIR/$1/rodns.sqlite")" = "$2" ]; }
t_check "tier A has the primary's serial $want" wait_for 60 serial_is a "$want"
t_check "tier B has the primary's serial $want" wait_for 60 serial_is b "$want"

xfr_norm_axfr "$P1" >"$T_DIR/primary.txt"
xfr_norm_axfr "$P2" >"$T_DIR/a-out.txt"
nonempty_same() { [ "$(wc -l <"$1")" -gt 1000 ] && cmp -s "$1" "$2"; }
t_check "AXFR from A equals the primary's AXFR" nonempty_same "$T_DIR/primary.txt" "$T_DIR/a-out.txt"
xfr_norm_store "$T_DIR/b/rodns.sqlite" >"$T_DIR/b.txt"
t_check "B (replica of A) holds the primary's data" nonempty_same "$T_DIR/primary.txt" "$T_DIR/b.txt"

refused() {
	dig +time=5 +tries=1 -b 127.0.0.2 @127.0.0.1 -p "$P2" "$XFR_ZONE" AXFR 2>&1 |
		grep -q 'Transfer failed'
}
t_check "AXFR from a source outside allow-transfer is refused" refused
refused_b() {
	dig +time=5 +tries=1 @127.0.0.1 -p "$P3" "$XFR_ZONE" AXFR 2>&1 | grep -q 'Transfer failed'
}
t_check "B, with no allow-transfer, refuses AXFR" refused_b
# dig always uses TCP for AXFR: send the UDP query by hand and print the
# response's flags word.
udp_tc() {
	python3 - "$P2" "$XFR_ZONE" <<'PY'
import socket, struct, sys
port, zone = int(sys.argv[1]), sys.argv[2]
q = struct.pack(">HHHHHH", 0x4242, 0, 1, 0, 0, 0)
for label in zone.rstrip(".").split("."):
    q += bytes([len(label)]) + label.encode()
q += b"\0" + struct.pack(">HH", 252, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(q, ("127.0.0.1", port))
r = s.recv(65535)
ident, flags = struct.unpack(">HH", r[:4])
sys.exit(0 if ident == 0x4242 and flags & 0x8000 and flags & 0x0200 else 1)
PY
}
t_check "AXFR over UDP answers TC=1 (use TCP)" udp_tc

xfr_update "update add tier-new.$XFR_ZONE. 300 A 192.0.2.77" >/dev/null 2>&1
new=$(xfr_serial "$P1")
t_check "the update moved the primary's serial" [ "$new" != "$want" ]
t_check "tier A follows to $new" wait_for 60 serial_is a "$new"
t_check "tier B follows to $new" wait_for 60 serial_is b "$new"
xfr_norm_axfr "$P1" >"$T_DIR/primary2.txt"
xfr_norm_store "$T_DIR/b/rodns.sqlite" >"$T_DIR/b2.txt"
t_check "B equals the primary after the update" nonempty_same "$T_DIR/primary2.txt" "$T_DIR/b2.txt"

# A TCP client that pipelines queries and never reads its answers must not
# stall the worker serving it: UDP queries keep being answered by every
# worker meanwhile (each bounded by a generous timeout).
stalled_tcp_harmless() {
	python3 - "$P2" "$XFR_ZONE" <<'PY'
import socket, struct, sys, time
port, zone = int(sys.argv[1]), sys.argv[2]
def query(qid, qtype, do):
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 1 if do else 0)
    for label in zone.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", qtype, 1)
    if do:
        q += b"\0" + struct.pack(">HHIH", 41, 1232, 0x8000, 0)
    return q
hogs = []
for _ in range(4):  # several connections, so every worker gets some
    t = socket.create_connection(("127.0.0.1", port))
    t.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    msg = query(7, 48, True)  # DNSKEY with DO: large answers
    t.setblocking(False)
    try:
        for _ in range(3000):
            t.send(struct.pack(">H", len(msg)) + msg)
    except BlockingIOError:
        pass
    hogs.append(t)
time.sleep(1)
ok = 0
for i in range(40):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(5)
    u.sendto(query(1000 + i, 6, False), ("127.0.0.1", port))
    try:
        r = u.recv(4096)
        ok += struct.unpack(">H", r[:2])[0] == 1000 + i
    except socket.timeout:
        pass
    u.close()
print("udp answered while TCP clients did not read:", ok, "of 40")
sys.exit(0 if ok == 40 else 1)
PY
}
t_check "clients that do not read their TCP answers do not stall UDP" stalled_tcp_harmless

# Privileges: as root with no `user`, rodnsd refuses to start; with a user
# it binds as root, then runs as that user, which owns the store (0700 dir).
P4=$(free_port) || t_abort "no free port"
conf c "$P4" "$P1" ''
sed -i '/^  user: root$/d' "$T_DIR/c.yaml"
refuses_root() {
	timeout 20 "$RODNSD" -c "$T_DIR/c.yaml" >"$T_DIR/c.log" 2>&1
	[ $? -ne 0 ] && grep -q 'refusing to run as root' "$T_DIR/c.log"
}
t_check "as root without server.user rodnsd refuses to start" refuses_root
conf d "$P4" "$P1" ''
sed -i 's/^  user: root$/  user: nobody\n  group: nogroup/' "$T_DIR/d.yaml"
chmod 755 "$T_DIR"
t_spawn "$T_DIR/d.log" "$RODNSD" -c "$T_DIR/d.yaml"
DPID=$T_LAST_PID
t_check "the unprivileged replica gets the zone" wait_for 60 serial_is d "$new"
runs_as_nobody() { [ "$(ps -o user= -p "$DPID")" = nobody ]; }
t_check "after binding, rodnsd runs as the configured user" runs_as_nobody
owned() {
	[ "$(stat -c '%U %a' "$T_DIR/d")" = "nobody 700" ] &&
		[ "$(stat -c '%U %a' "$T_DIR/d/rodns.sqlite")" = "nobody 600" ]
}
t_check "the state dir (0700) and the store (0600) belong to that user" owned
t_summary
