#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
"""A bounded spoofed-source flood for t_edns.sh (stdlib only).

usage: rrl_flood.py HOST PORT QNAME FLOOD_PREFIX COUNT OTHER_ADDR OTHER_COUNT [STOP_FILE]

Sends up to COUNT queries, for at most 120 seconds (at least 2000, then
while the second client asks and until STOP_FILE exists, when given) for
QNAME A from 16 source addresses of FLOOD_PREFIX
(the first three octets of an IPv4 address in 127.0.0.0/8: on loopback a
test may bind any of them, which is what a spoofing attacker does to a
server), as fast as it can, and reads what comes back. Meanwhile a second
client on OTHER_ADDR asks OTHER_COUNT questions, one every 50 ms, each
waiting up to 2 s for its answer. Stops by itself. Prints one line:
"sent S full F tc T elapsed E other_sent O other_full OF other_tc OT"."""
import os
import select
import socket
import struct
import sys
import threading
import time


def query(qid, qname):
    q = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0)
    for lab in qname.rstrip(".").split("."):
        q += bytes([len(lab)]) + lab.encode()
    return q + b"\0" + struct.pack("!HH", 1, 1)


def flood(host, port, qname, prefix, count, out, other_thread, stop_file):
    socks = []
    for i in range(16):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("%s.%d" % (prefix, 10 + i), 0))
        s.setblocking(False)
        socks.append(s)
    full = tc = 0
    start = time.monotonic()

    def drain(timeout):
        nonlocal full, tc
        r, _, _ = select.select(socks, [], [], timeout)
        for s in r:
            while True:
                try:
                    d = s.recv(4096)
                except BlockingIOError:
                    break
                if len(d) >= 12:
                    if d[2] & 0x02:
                        tc += 1
                    else:
                        full += 1
    sent = 0
    for i in range(count):
        # at least 2000, then for as long as the other client asks
        if i >= 2000 and not other_thread.is_alive() and \
                (not stop_file or os.path.exists(stop_file)):
            break
        if i % 1024 == 0 and time.monotonic() - start > 120:
            break
        sent += 1
        try:
            socks[i % 16].sendto(query(i & 0xFFFF, qname), (host, port))
        except BlockingIOError:
            pass
        if i % 64 == 63:
            # about 30,000 queries a second at most: a flood far above the
            # rate, yet within what the kernel's socket buffers take, so
            # that what the other client loses is what RRL did
            drain(0.002)
    elapsed = time.monotonic() - start
    end = time.monotonic() + 2.0
    while time.monotonic() < end:
        drain(0.1)
    out.update(sent=sent, full=full, tc=tc, elapsed=elapsed)


def other(host, port, qname, addr, count, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 0))
    s.settimeout(2.0)
    full = tc = 0
    for i in range(count):
        qid = 0x8000 + i
        s.sendto(query(qid, qname), (host, port))
        try:
            while True:
                d = s.recv(4096)
                if struct.unpack("!H", d[:2])[0] == qid:
                    break
            if d[2] & 0x02:
                tc += 1
            else:
                full += 1
        except socket.timeout:
            pass
        time.sleep(0.05)
    out.update(other_sent=count, other_full=full, other_tc=tc)


def main():
    host, port, qname, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    count, oaddr, ocount = int(sys.argv[5]), sys.argv[6], int(sys.argv[7])
    stop_file = sys.argv[8] if len(sys.argv) > 8 else None
    res = {}
    t = threading.Thread(target=other, args=(host, port, qname, oaddr, ocount, res))
    t.start()
    flood(host, port, qname, prefix, count, res, t, stop_file)
    t.join()
    print("sent %(sent)d full %(full)d tc %(tc)d elapsed %(elapsed).2f other_sent %(other_sent)d "
          "other_full %(other_full)d other_tc %(other_tc)d" % res)


if __name__ == "__main__":
    main()
