#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# t_answer_cache: the query workers' answer cache against no cache.
#
#   BIND (primary, P1) -> rodnsd C (P2, answer-cache: 16, the default)
#                      -> rodnsd N (P3, answer-cache: 0)
# Checks: every query, asked three times in different 0x20 case with
# different IDs, RD/CD bits, EDNS payloads, DO and EDNS options (NSID,
# EXPIRE, a client cookie, an unknown option; the second and third time
# from C's cache), gets byte for byte the same response from C as from N
# (but for the server cookie's timestamp and hash and the EXPIRE seconds,
# which are each server's own); the same over TCP; and after each of several updates on the
# primary, as soon as C answers the new SOA serial, its answers for the
# changed names are the new ones (no stale cached answer survives a
# transfer), equal to N's.
# shellcheck disable=SC2317
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/xfr_lib.sh
. "$HERE/xfr_lib.sh"
t_init answer-cache

RODNSD=$RODNS_BUILD/rodnsd
[ -x "$RODNSD" ] || t_abort "no $RODNSD (run make all)"
xfr_need_tools
command -v python3 >/dev/null 2>&1 || t_abort "python3 is not installed"
if ! { P1=$(free_port) && P2=$(free_port) && P3=$(free_port) && PR=$(free_port); }; then
	t_abort "no free ports"
fi
ZD=$T_DIR/zone
bash "$HERE/mkzone.sh" 300 "$ZD" nsec "$XFR_ZONE" >/dev/null || t_abort "mkzone.sh failed"
xfr_primary_start "$T_DIR/ns" "$ZD" "$P1" "$PR" "$P2" "$P3" || t_abort "BIND primary did not start"

# conf NAME PORT CACHE_MIB: writes $T_DIR/NAME.yaml
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
  answer-cache: $3
  nsid: cache-test
events:
  syslog: no
zones:
  - name: $XFR_ZONE
    primaries: ["127.0.0.1@$P1"]
YAML
}
conf c "$P2" 16
conf n "$P3" 0
t_spawn "$T_DIR/c.log" "$RODNSD" -c "$T_DIR/c.yaml"
t_spawn "$T_DIR/n.log" "$RODNSD" -c "$T_DIR/n.yaml"

want=$(xfr_serial "$P1")
answers_serial() { [ "$(xfr_serial "$1")" = "$2" ]; }
t_check "C (cache) answers the primary's serial $want" wait_for 60 answers_serial "$P2" "$want"
t_check "N (no cache) answers the primary's serial $want" wait_for 60 answers_serial "$P3" "$want"
awk '{ print $1 }' "$ZD/$XFR_ZONE.zone" | grep -v '^[;$]' | sort -u | head -n 400 >"$T_DIR/names"

# cmp.py NAMES ROUNDS TCP: queries C and N alike; prints differences and
# exits 1 when there are any.
cat >"$T_DIR/cmp.py" <<'PY'
import random, socket, struct, sys
zone, c_port, n_port, names_file, rounds, tcp = sys.argv[1:7]
rounds, tcp = int(rounds), tcp == "1"
rng = random.Random(5)
names = [l.strip() for l in open(names_file) if l.strip()]
names = [n if n.endswith(".") else (n + "." + zone + "." if n != "@" else zone + ".")
         for n in names]
names += ["nx%d.%s." % (i, zone) for i in range(40)] + ["a.b.nx.%s." % zone]
types = [1, 28, 15, 16, 2, 6, 48, 47, 46, 43, 255]

# EDNS options that change an answer (NSID 3, EXPIRE 9, COOKIE 10) and
# one that does not (65001), alone and together
OPTS = [b"", struct.pack(">HH", 3, 0), struct.pack(">HH", 9, 0),
        struct.pack(">HH", 10, 8) + b"clientck", struct.pack(">HH", 65001, 2) + b"xy",
        struct.pack(">HH", 3, 0) + struct.pack(">HH", 10, 8) + b"clientck" +
        struct.pack(">HH", 9, 0)]

def wire(name, qtype, qid, flags, edns, do, opts=b""):
    q = struct.pack(">HHHHHH", qid, flags, 1, 0, 0, 1 if edns else 0)
    for label in name.rstrip(".").split("."):
        label = "".join(c.upper() if rng.random() < 0.5 else c for c in label)
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", qtype, 1)
    if edns:
        q += b"\0" + struct.pack(">HHIH", 41, edns, 0x8000 if do else 0, len(opts)) + opts
    return q

def skip_name(r, o):
    while r[o] != 0:
        if r[o] & 0xC0 == 0xC0:
            return o + 2
        o += 1 + r[o]
    return o + 1

def mask(r):
    """The response with what may rightly differ between two servers
    zeroed: the server cookie's timestamp and hash (each server has its
    own secret) and the EXPIRE seconds (each transferred at its own
    time). Everything else, option codes and lengths included, stays."""
    r = bytearray(r)
    qd, an, ns, ar = struct.unpack(">HHHH", r[4:12])
    o = 12
    for _ in range(qd):
        o = skip_name(r, o) + 4
    for _ in range(an + ns + ar):
        o = skip_name(r, o)
        rtype, _c, _t, rdlen = struct.unpack(">HHIH", r[o:o + 10])
        o += 10
        if rtype == 41:
            p = o
            while p + 4 <= o + rdlen:
                code, ln = struct.unpack(">HH", r[p:p + 4])
                if code == 10 and ln > 8:
                    r[p + 12:p + 4 + ln] = bytes(ln - 8)
                if code == 9:
                    r[p + 4:p + 4 + ln] = bytes(ln)
                p += 4 + ln
        o += rdlen
    return bytes(r)

def ask(sock, port, q):
    if tcp:
        t = socket.create_connection(("127.0.0.1", port), timeout=5)
        t.sendall(struct.pack(">H", len(q)) + q)
        buf = b""
        while len(buf) < 2 or len(buf) < 2 + struct.unpack(">H", buf[:2])[0]:
            chunk = t.recv(65535)
            if not chunk:
                break
            buf += chunk
        t.close()
        return buf[2:]
    sock.sendto(q, ("127.0.0.1", port))
    while True:
        r = sock.recv(65535)
        if r[:2] == q[:2]:
            return r

sc = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sn = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sc.settimeout(5)
sn.settimeout(5)
bad = total = 0
for name in names:
    # the same questions for a name in every pass (a later pass then meets
    # what an earlier one cached); case and ID change every time
    per = random.Random(name.lower())
    for qtype in per.sample(types, 3) + ([6] if name == zone + "." else []):
        edns = per.choice([0, 512, 1232, 4096])
        do = per.random() < 0.7
        flags = per.choice([0, 0x100, 0x110, 0x10])
        opts = per.choice(OPTS)
        for _ in range(rounds):
            q = wire(name, qtype, rng.randrange(65536), flags, edns, do, opts)
            rc, rn = ask(sc, int(c_port), q), ask(sn, int(n_port), q)
            total += 1
            if mask(rc) != mask(rn):
                bad += 1
                if bad <= 5:
                    print("differs: %s type %d edns %d do %s\n  C %s\n  N %s"
                          % (name, qtype, edns, do, rc.hex(), rn.hex()))
print("%d of %d responses differ" % (bad, total))
sys.exit(1 if bad or total == 0 else 0)
PY
same_answers() { python3 "$T_DIR/cmp.py" "$XFR_ZONE" "$P2" "$P3" "$T_DIR/names" "$@"; }
t_check "UDP: C's answers (3 rounds, 2 of them cached) equal N's byte for byte" same_answers 3 0
t_check "TCP: C's answers equal N's byte for byte" same_answers 2 1

# After every update, the first answer with the new serial means the new
# data: ask for the changed names right away (they were cached before).
new_a() { # NAME: the A records C answers, sorted
	dig +short +norec +time=2 +tries=2 @127.0.0.1 -p "$P2" "$1" A 2>/dev/null | sort | tr '\n' ' '
}
fresh_ok=0
for i in 1 2 3 4 5; do
	new_a "upd.$XFR_ZONE" >/dev/null
	new_a "gone$i.$XFR_ZONE" >/dev/null
	xfr_serial "$P2" >/dev/null
	xfr_update "update delete upd.$XFR_ZONE. A" "update add upd.$XFR_ZONE. 300 A 192.0.2.$i" \
		"update add gone$((i + 1)).$XFR_ZONE. 300 A 198.51.100.$i" \
		"update delete gone$i.$XFR_ZONE. A" >/dev/null 2>&1
	s=$(xfr_serial "$P1")
	if ! wait_for 30 answers_serial "$P2" "$s"; then
		t_fail "update $i: C answers serial $s within 30 s"
		continue
	fi
	got_upd=$(new_a "upd.$XFR_ZONE")
	got_gone=$(new_a "gone$i.$XFR_ZONE")
	got_next=$(new_a "gone$((i + 1)).$XFR_ZONE")
	if [ "$got_upd" = "192.0.2.$i " ] && [ -z "$got_gone" ] && [ "$got_next" = "198.51.100.$i " ]; then
		fresh_ok=$((fresh_ok + 1))
	else
		echo "update $i (serial $s): upd='$got_upd' gone$i='$got_gone' gone$((i + 1))='$got_next'" >&2
	fi
done
t_check "after each of 5 updates, C's first answers with the new serial are the new data ($fresh_ok of 5)" \
	[ "$fresh_ok" -eq 5 ]
t_check "N has the last serial too" wait_for 30 answers_serial "$P3" "$(xfr_serial "$P1")"
printf '%s\n' @ upd gone1 gone2 gone3 gone4 gone5 gone6 >>"$T_DIR/names"
t_check "after the updates, C's answers still equal N's" same_answers 2 0
t_summary
