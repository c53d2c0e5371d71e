#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
"""Differential query generator for t_answer_diff.sh (stdlib only).

Generates queries from a zone's name list (written by mkzone_answer.sh),
sends each to a reference server and to rodnsd over UDP or TCP, and
compares the responses: header flags, RCODE (with the extended bits), the
OPT (present, DO, version), the question echo, and the set of RRs in each
section (owner and RDATA names compared case-insensitively; order and TTL
ignored). Differences that docs/answer-differences.md documents are
accepted by name (D1, D2 ...) and counted; anything else is a difference.

usage: qgen.py --zone ZONE --names FILE --ref HOST:PORT --rodns HOST:PORT
               [--count N] [--seed S] [--label L] [--show K] [--nsec3 SALT:ITER]
Prints the first K differences in detail, then one line
"L: N queries, D differences (accepted: D1=.. D2=..)"; exit 1 on differences.
"""
import argparse
import hashlib
import random
import socket
import struct
import sys

T = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "HINFO": 13, "MX": 15, "TXT": 16,
     "AAAA": 28, "SRV": 33, "DNAME": 39, "OPT": 41, "DS": 43, "RRSIG": 46, "NSEC": 47,
     "DNSKEY": 48, "NSEC3": 50, "NSEC3PARAM": 51, "CAA": 257, "ANY": 255}
TN = {v: k for k, v in T.items()}


def tname(t):
    return TN.get(t, "TYPE%d" % t)


# ---------------------------------------------------------------- wire format

def enc_name(name):
    out = b""
    for lab in name.rstrip(".").split("."):
        if lab:
            out += bytes([len(lab)]) + lab.encode()
    return out + b"\0"


def read_name(msg, off):
    """Returns (name as text with original case, offset after the name)."""
    labels, end, hops = [], None, 0
    while True:
        c = msg[off]
        if c & 0xC0 == 0xC0:
            if end is None:
                end = off + 2
            off = ((c & 0x3F) << 8) | msg[off + 1]
            hops += 1
            if hops > 64:
                raise ValueError("pointer loop")
            continue
        if c == 0:
            off += 1
            break
        labels.append(msg[off + 1:off + 1 + c].decode("latin-1"))
        off += 1 + c
    return (".".join(labels) + "."), (end if end is not None else off)


def canon_rdata(msg, off, rdlen, rtype):
    """RDATA with embedded names expanded and lowercased, as bytes."""
    end = off + rdlen

    def name_at(o):
        n, o2 = read_name(msg, o)
        return enc_name(n.lower()), o2

    if rtype in (2, 5, 12, 39):
        return name_at(off)[0]
    if rtype == 15:
        n, _ = name_at(off + 2)
        return msg[off:off + 2] + n
    if rtype == 33:
        n, _ = name_at(off + 6)
        return msg[off:off + 6] + n
    if rtype == 6:
        a, o = name_at(off)
        b, o = name_at(o)
        return a + b + msg[o:end]
    if rtype == 46:
        n, o = name_at(off + 18)
        return msg[off:off + 18] + n + msg[o:end]
    if rtype == 47:
        n, o = name_at(off)
        return n + msg[o:end]
    return bytes(msg[off:end])


def parse(msg):
    """Header, question (raw bytes), sections as lists of RR tuples, OPT."""
    if len(msg) < 12:
        raise ValueError("short message")
    mid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
    off = 12
    qstart = off
    for _ in range(qd):
        _, off = read_name(msg, off)
        off += 4
    r = {"id": mid, "flags": flags, "question": bytes(msg[qstart:off]), "opt": None,
         "sec": [[], [], []], "owners": [[], [], []]}
    for si, cnt in enumerate((an, ns, ar)):
        for _ in range(cnt):
            owner, off = read_name(msg, off)
            rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
            off += 10
            if rtype == 41:
                r["opt"] = {"size": rclass, "ext": ttl >> 24, "version": (ttl >> 16) & 0xFF,
                            "do": bool(ttl & 0x8000), "z": ttl & 0x7FFF}
            else:
                rd = canon_rdata(msg, off, rdlen, rtype)
                r["sec"][si].append((owner.lower(), rtype, rclass, rd))
                r["owners"][si].append(owner)
            off += rdlen
    r["rcode"] = (flags & 0xF) | ((r["opt"]["ext"] << 4) if r["opt"] else 0)
    r["len"] = len(msg)
    return r


def build_query(qid, qname, qtype, edns, do, payload, version=0, opt_data=b"", flags=0,
                ezflags=0):
    hdr = struct.pack("!HHHHHH", qid, flags, 1, 0, 0, 1 if edns else 0)
    q = enc_name(qname) + struct.pack("!HH", qtype, 1)
    if edns:
        ttl = (version << 16) | (0x8000 if do else 0) | (ezflags & 0x7FFF)
        q += b"\0" + struct.pack("!HHIH", 41, payload, ttl, len(opt_data)) + opt_data
    return hdr + q


# ---------------------------------------------------------------- transport

def ask_udp(addr, wire, qid):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2.0)
    try:
        for _ in range(3):
            s.sendto(wire, addr)
            try:
                while True:
                    data, _src = s.recvfrom(65535)
                    if len(data) >= 2 and struct.unpack("!H", data[:2])[0] == qid:
                        return data
            except socket.timeout:
                continue
    finally:
        s.close()
    return None


def recv_all(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def ask_tcp(addr, wire):
    for _ in range(3):
        try:
            with socket.create_connection(addr, timeout=3.0) as s:
                s.sendall(struct.pack("!H", len(wire)) + wire)
                ln = recv_all(s, 2)
                if ln is None:
                    continue
                return recv_all(s, struct.unpack("!H", ln)[0])
        except OSError:
            continue
    return None


# ---------------------------------------------------------------- queries

B32HEX = "0123456789abcdefghijklmnopqrstuv"


def nsec3_hash(name, salt, iterations):
    """RFC 5155 §5: base32hex of the iterated, salted SHA-1 of the name."""
    h = hashlib.sha1(enc_name(name.lower()) + salt).digest()
    for _ in range(iterations):
        h = hashlib.sha1(h + salt).digest()
    bits = int.from_bytes(h, "big")
    return "".join(B32HEX[(bits >> (155 - 5 * i)) & 31] for i in range(32))


class Zone:
    def hashed(self, name):
        return nsec3_hash(name, self.nsec3[0], self.nsec3[1]) + "." + self.apex

    def __init__(self, apex, names_file, nsec3=None):
        self.nsec3 = nsec3
        self.apex = apex.rstrip(".").lower() + "."
        self.types = {}
        with open(names_file) as f:
            for line in f:
                w = line.split()
                if w:
                    self.types[w[0].lower()] = set(w[1:])
        self.names = sorted(self.types)
        self.cuts = [n for n, t in self.types.items() if "NS" in t and n != self.apex]
        self.wild = [n[2:] for n in self.names if n.startswith("*.")]
        self.cnames = [n for n, t in self.types.items() if "CNAME" in t]
        self.dnames = [n for n, t in self.types.items() if "DNAME" in t]
        below = lambda n: any(n != c and n.endswith("." + c) for c in self.cuts)
        self.glue = [n for n in self.names if below(n)]
        ents = set()
        for n in self.names:
            parts = n[:-len(self.apex)].rstrip(".").split(".")
            for i in range(1, len(parts)):
                a = ".".join(parts[i:]) + "." + self.apex
                if a not in self.types:
                    ents.add(a)
        self.ents = sorted(ents)


QTYPES = ["A", "AAAA", "MX", "TXT", "NS", "SOA", "DS", "CNAME", "SRV", "CAA", "HINFO", "NSEC",
          "RRSIG", "DNSKEY", "DNAME", "NSEC3PARAM", "ANY"]


def rlabel(rng):
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789-")
                   for _ in range(rng.randint(1, 12))).strip("-") or "q"


def gen_name_type(z, rng):
    r = rng.random()
    pick = rng.choice
    if r < 0.22:
        n = pick(z.names)
        return n, pick(sorted(z.types[n]))
    if r < 0.36:
        return pick(z.names), pick(QTYPES)
    if r < 0.50:
        base = pick(z.names + z.ents + [z.apex] * 20)
        for _ in range(rng.randint(1, 3)):
            base = rlabel(rng) + "." + base
        return base, pick(QTYPES[:12])
    if r < 0.60 and z.wild:
        base = pick(z.wild)
        for _ in range(rng.randint(1, 2)):
            base = rlabel(rng) + "." + base
        return base, pick(["A", "AAAA", "TXT", "MX", "A", "CNAME", "ANY", "RRSIG", "NSEC"])
    if r < 0.70:
        n = pick(z.cnames + z.dnames)
        if n in z.dnames and rng.random() < 0.7:
            n = pick(["www", "a", "x.y", rlabel(rng)]) + "." + n
        return n, pick(["A", "TXT", "AAAA", "CNAME", "DNAME", "MX", "ANY"])
    if r < 0.80 and z.cuts:
        c = pick(z.cuts)
        k = rng.random()
        if k < 0.3:
            return c, pick(["DS", "DS", "NS", "A", "ANY", "NSEC"])
        if k < 0.6 and z.glue:
            return pick(z.glue), pick(["A", "AAAA", "DS"])
        return rlabel(rng) + "." + c, pick(["A", "DS", "NS", "AAAA"])
    if r < 0.87:
        return z.apex, pick(["DNSKEY", "NSEC3PARAM", "SOA", "NS", "ANY", "DS", "RRSIG", "NSEC",
                             "MX", "TXT", "A"])
    if r < 0.94 and z.ents:
        return pick(z.ents), pick(["A", "TXT", "DS", "NS", "ANY"])
    if r < 0.95 and z.nsec3:
        # an NSEC3 owner name is not a name of the zone (RFC 5155 §7.2.9)
        return z.hashed(pick(z.names)), pick(["NSEC3", "A", "RRSIG", "ANY"])
    return "big." + z.apex, pick(["TXT", "TXT", "A", "ANY"])


def random_case(name, rng):
    return "".join(c.upper() if rng.random() < 0.5 else c for c in name)


def gen_query(z, rng, i):
    qname, qtype = gen_name_type(z, rng)
    if rng.random() < 0.5:
        qname = random_case(qname, rng)
    q = {"qname": qname, "qtype": T[qtype], "edns": rng.random() < 0.85, "tcp": rng.random() < 0.25,
         "version": 0, "opt": b""}
    q["do"] = q["edns"] and rng.random() < 0.7
    q["payload"] = rng.choice([512, 1232, 1400, 4096, rng.randint(512, 4096)])
    if q["edns"] and rng.random() < 0.01:
        q["version"] = 1
    if q["edns"] and rng.random() < 0.05:
        q["opt"] = struct.pack("!HH", 65001, 4) + b"abcd"  # an unknown option: ignored
    q["id"] = (i * 7919 + 1) & 0xFFFF
    q["flags"] = (0x0100 if rng.random() < 0.3 else 0) | (0x0010 if rng.random() < 0.1 else 0)
    return q


# The header and EDNS dimension (--header): every bit a client can set,
# compared bit by bit. Opcodes 1 (IQUERY, retired by RFC 3425), 2 (STATUS),
# 3 and 7-15 (unassigned); NOTIFY, UPDATE and DSO need messages of their own
# shape and are tested elsewhere.
HDR_BITS = [0x0400, 0x0200, 0x0100, 0x0080, 0x0040, 0x0020, 0x0010]  # AA TC RD RA Z AD CD
ODD_OPCODES = [1, 2, 3, 7, 8, 9, 10, 11, 12, 13, 14, 15]


def gen_header_query(z, rng, i):
    q = gen_query(z, rng, i)
    q["flags"] = sum(b for b in HDR_BITS if rng.random() < 0.35)
    if rng.random() < 0.15:
        q["flags"] |= rng.choice(ODD_OPCODES) << 11
    q["edns"] = rng.random() < 0.9
    q["do"] = q["edns"] and rng.random() < 0.6
    if q["edns"]:
        r = rng.random()
        q["version"] = 1 if r < 0.12 else (rng.randint(2, 255) if r < 0.15 else 0)
        if rng.random() < 0.25:  # unknown options (RFC 6891 §6.1.2: ignored)
            q["opt"] = b"".join(struct.pack("!HH", rng.choice([65001, 65500, 20, 17]), 4) +
                                bytes(rng.randrange(256) for _ in range(4))
                                for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.25:  # unknown EDNS flag bits (§6.1.4: ignored, not echoed)
            q["ezflags"] = rng.randrange(1, 0x8000)
        if rng.random() < 0.2:  # a payload below 512 counts as 512 (§6.2.5)
            q["payload"] = rng.choice([0, 1, 100, 256, 511])
    return q


def describe(q):
    return "%s %s%s%s%s%s [%s]%s%s" % (
        q["qname"], tname(q["qtype"]), " +tcp" if q["tcp"] else "",
        (" +edns(%d)" % q["payload"]) if q["edns"] else " noedns", " +do" if q["do"] else "",
        (" version=%d" % q["version"]) if q["version"] else "", flagtext(q["flags"]),
        (" ednsz=%04x" % q["ezflags"]) if q.get("ezflags") else "",
        (" opt=%s" % q["opt"].hex()) if q["opt"] else "")


def send(addr, q):
    wire = build_query(q["id"], q["qname"], q["qtype"], q["edns"], q["do"], q["payload"],
                       q["version"], q["opt"], q["flags"], q.get("ezflags", 0))
    data = ask_tcp(addr, wire) if q["tcp"] else ask_udp(addr, wire, q["id"])
    return wire, data


# ---------------------------------------------------------------- comparing

FLAGS = [("QR", 0x8000), ("AA", 0x0400), ("TC", 0x0200), ("RD", 0x0100), ("RA", 0x0080),
         ("AD", 0x0020), ("CD", 0x0010)]
SECN = ["answer", "authority", "additional"]


def flagtext(f):
    return " ".join(n for n, b in FLAGS if f & b) + " opcode=%d" % ((f >> 11) & 0xF)


def rrtext(rr):
    owner, rtype, _cls, rd = rr
    s = "%s %s" % (owner, tname(rtype))
    if rtype == 46:
        s += "(%s)" % tname(struct.unpack("!H", rd[:2])[0])
    return s + " [%s]" % rd[:12].hex()


def covered(rr):
    return struct.unpack("!H", rr[3][:2])[0] if rr[1] == 46 else rr[1]


def is_referral(r):
    return not r["sec"][0] and not (r["flags"] & 0x0400) and \
        any(rr[1] == 2 for rr in r["sec"][1])


def accept_any(q, ref, rod):
    """D1 (RFC 8482 §4.2): ANY answered with one RRset of those the
    reference returns, with its RRSIGs."""
    if q["qtype"] != 255 or not rod["sec"][0]:
        return False
    a_ref, a_rod = set(ref["sec"][0]), set(rod["sec"][0])
    keys = {(rr[0], covered(rr)) for rr in a_rod}
    if not a_rod <= a_ref or len({k[1] for k in keys}) != 1:
        return False
    # the RRset is whole: everything the reference has for it is there
    return {rr for rr in a_ref if (rr[0], covered(rr)) in keys} == a_rod


def additional_extra(ref, rod):
    """D2 (RFC 1034 §4.3.2 step 6, minimal responses): the reference adds
    addresses of MX/NS/SRV targets to positive answers; rodns adds
    additional data only to referrals. What rodns has must be in the
    reference, and what the reference has more must be A/AAAA(+RRSIG)."""
    a_ref, a_rod = set(ref["sec"][2]), set(rod["sec"][2])
    if a_rod == a_ref or is_referral(ref) or not a_rod <= a_ref:
        return False
    return all(covered(rr) in (1, 28) for rr in a_ref - a_rod)


def diff_sections(ref, rod, secs=(0, 1, 2)):
    out = []
    for si in secs:
        a, b = set(ref["sec"][si]), set(rod["sec"][si])
        if a != b:
            for rr in sorted(a - b):
                out.append("  %s only in reference: %s" % (SECN[si], rrtext(rr)))
            for rr in sorted(b - a):
                out.append("  %s only in rodns:     %s" % (SECN[si], rrtext(rr)))
    return out


def check_case(q, wire, rod):
    """The question is echoed byte for byte and owners equal to QNAME keep
    the client's case (0x20)."""
    qlen = len(enc_name(q["qname"])) + 4
    if rod["question"] != wire[12:12 + qlen]:
        return ["  question not echoed exactly"]
    want = q["qname"].rstrip(".") + "."
    for si in range(3):
        for o in rod["owners"][si]:
            if o.lower() == want.lower() and o != want:
                return ["  owner %s does not keep the query's case %s" % (o, want)]
    return []


def header_diff(ref, rod, mask=0xFFFF & ~0x000F):
    d = []
    if (ref["flags"] & mask) != (rod["flags"] & mask):
        d.append("  flags: reference [%s] rodns [%s]" % (flagtext(ref["flags"]),
                                                          flagtext(rod["flags"])))
    if ref["rcode"] != rod["rcode"]:
        d.append("  rcode: reference %d rodns %d" % (ref["rcode"], rod["rcode"]))
    ro, oo = ref["opt"], rod["opt"]
    if (ro is None) != (oo is None) or (ro and (ro["do"] != oo["do"] or ro["z"] != oo["z"] or
                                                ro["version"] != oo["version"])):
        d.append("  OPT: reference %s rodns %s" % (ro, oo))
    return d


def nsec_cname(q, ref, rod):
    """D4 (RFC 1034 §4.3.2 step 3a; RFC 5155 §8.5): QTYPE NSEC at a CNAME
    owner of an NSEC3 zone. rodns follows the CNAME; the reference answers
    NODATA at the owner with an NSEC3 whose bitmap has the CNAME bit."""
    if q["qtype"] != 47 or ref["sec"][0] or ref["rcode"] != 0:
        return False
    qn = q["qname"].lower().rstrip(".") + "."
    return any(rr[0] == qn and rr[1] == 5 for rr in rod["sec"][0])


def nsec_wild_proof(q, ref, rod):
    """D5 (RFC 4035 §3.1.3.3): QTYPE NSEC answered from a wildcard. rodns
    adds the NSEC that proves QNAME does not exist even when it is the
    wildcard's own NSEC; the reference leaves it out then."""
    if q["qtype"] != 47 or set(ref["sec"][0]) != set(rod["sec"][0]):
        return False
    a, b = set(ref["sec"][1]), set(rod["sec"][1])
    extra = b - a
    return a <= b and extra and all(rr[0].startswith("*.") and covered(rr) == 47
                                    for rr in extra)


def compare_full(q, ref, rod, accepted):
    """Sections of two complete (not truncated) responses."""
    secs = [0, 1, 2]
    if accept_any(q, ref, rod):
        accepted["D1"] = accepted.get("D1", 0) + 1
        secs = [1] if additional_extra(ref, rod) or set(ref["sec"][2]) == set(rod["sec"][2]) \
            else [1, 2]
    elif nsec_cname(q, ref, rod):
        accepted["D4"] = accepted.get("D4", 0) + 1
        return []
    elif nsec_wild_proof(q, ref, rod):
        accepted["D5"] = accepted.get("D5", 0) + 1
        secs = [0, 2]
    if 2 in secs and additional_extra(ref, rod):
        accepted["D2"] = accepted.get("D2", 0) + 1
        secs.remove(2)
    if 2 in secs and no_room(q, ref, rod):
        accepted["D6"] = accepted.get("D6", 0) + 1
        secs.remove(2)
    return diff_sections(ref, rod, secs)


def no_room(q, ref, rod):
    """D6 (RFC 1034 §4.3.2 step 6, RFC 4035 §3.1.1: additional data is
    optional): over UDP, one side leaves out additional RRs that the other
    sends because they no longer fit its message: every RR it lacks needs at
    least 12 + RDLENGTH octets (owner compressed to a pointer), more than
    its message has left under the UDP limit. Sizes differ because the two
    compress RDATA names differently."""
    if q["tcp"]:
        return False
    for small, big in ((ref, rod), (rod, ref)):
        mine, theirs = set(small["sec"][2]), set(big["sec"][2])
        if not mine < theirs:
            continue
        need = min(12 + len(rr[3]) for rr in theirs - mine)
        if small["len"] + need > udp_limit(q):
            return True
    return False


def udp_limit(q):
    if not q["edns"]:
        return 512
    return max(512, min(q["payload"], 1232))


def truncated(q, ref, rod, tcp_ref, tcp_rod, accepted):
    """D3 (RFC 2181 §9, RFC 1035 §4.2.1): when either side sets TC the
    complete answers (asked again over TCP) must agree. TC itself may differ
    only where the encodings differ in size (name compression in RDATA):
    the side with TC must need more than the UDP limit for its complete
    answer, and the side without TC must have sent the complete answer and
    authority sections."""
    d = compare_full(q, tcp_ref, tcp_rod, accepted)
    if d:
        return ["  (complete answers over TCP)"] + d
    if (ref["flags"] ^ rod["flags"]) & 0x0200 == 0:
        return []
    lim = udp_limit(q)
    tc_side, ok_side, full = (ref, rod, tcp_ref) if ref["flags"] & 0x0200 else (rod, ref, tcp_rod)
    if full["len"] <= lim:
        return ["  TC set although the complete answer (%d octets) fits %d" % (full["len"], lim)]
    if diff_sections(tcp_ref if ok_side is ref else tcp_rod, ok_side, (0, 1)):
        return ["  TC clear but the answer or authority section is incomplete"]
    accepted["D3"] = accepted.get("D3", 0) + 1
    return []


def small_payload_formerr(q, ref, rod):
    """D9 (RFC 6891 §6.2.5: a requestor's payload size below 512 MUST be
    treated as 512): the reference answers some such queries FORMERR
    without an OPT; rodns answers them as if 512 had been asked."""
    return (q["edns"] and q["payload"] < 512 and ref["rcode"] == 1 and ref["opt"] is None
            and rod["rcode"] != 1 and rod["opt"] is not None)


def header_norm(q, ref, rod, accepted, count=True):
    """Differences in header bits that docs/answer-differences.md accepts:
    returns the reference's flags as rodns's rule would have set them.
    D7 (RFC 4035 §3.1.6: the name server MUST copy CD into the response):
    the reference clears CD. D8 (RFC 6895 §2.1, RFC 1035 §4.1.1: RD is a
    QUERY flag): under an opcode other than QUERY the reference copies RD,
    rodns leaves it clear."""
    f, opcode = ref["flags"], (q["flags"] >> 11) & 0xF
    tag = None
    if opcode == 0 and q["flags"] & 0x0010 and rod["flags"] & 0x0010 and not f & 0x0010:
        f, tag = f | 0x0010, "D7"
    if opcode != 0 and q["flags"] & 0x0100 and f & 0x0100 and not rod["flags"] & 0x0100:
        f, tag = f & ~0x0100, "D8"
    if tag and count:
        accepted[tag] = accepted.get(tag, 0) + 1
    return dict(ref, flags=f)


def compare(q, wire, ref, rod, accepted, again):
    if small_payload_formerr(q, ref, rod):
        accepted["D9"] = accepted.get("D9", 0) + 1
        return []
    ref = header_norm(q, ref, rod, accepted)
    d = header_diff(ref, rod, 0xFFFF & ~0x000F & ~0x0200)
    if (q["flags"] >> 11) & 0xF:
        # not a QUERY: a header-only answer; the question echoed or not alike
        if ref["question"] != rod["question"]:
            d.append("  question: reference %s rodns %s" % (ref["question"].hex(),
                                                             rod["question"].hex()))
        return d + diff_sections(ref, rod)
    d += check_case(q, wire, rod)
    if d:
        return d
    if (ref["flags"] | rod["flags"]) & 0x0200:
        tq = dict(q, tcp=True)
        tref, trod = again(tq)
        if tref is None or trod is None:
            return ["  no answer over TCP"]
        tref = header_norm(q, tref, trod, accepted, count=False)
        d = header_diff(tref, trod)
        return d if d else truncated(q, ref, rod, tref, trod, accepted)
    return compare_full(q, ref, rod, accepted)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zone", required=True)
    ap.add_argument("--names", required=True)
    ap.add_argument("--ref", required=True)
    ap.add_argument("--rodns", required=True)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--label", default="diff")
    ap.add_argument("--show", type=int, default=5)
    ap.add_argument("--nsec3", help="SALT_HEX:ITERATIONS of the zone's NSEC3 chain")
    ap.add_argument("--header", action="store_true",
                    help="the header and EDNS dimension: random flags, opcodes, EDNS "
                         "versions, options, flags and small payloads")
    a = ap.parse_args()
    n3 = None
    if a.nsec3:
        salt, it = a.nsec3.split(":")
        n3 = (bytes.fromhex(salt), int(it))
    z = Zone(a.zone, a.names, n3)
    rng = random.Random(a.seed)
    hp = lambda s: (s.rsplit(":", 1)[0], int(s.rsplit(":", 1)[1]))
    ref_addr, rod_addr = hp(a.ref), hp(a.rodns)
    ndiff, shown, accepted, lost = 0, 0, {}, 0
    for i in range(a.count):
        q = (gen_header_query if a.header else gen_query)(z, rng, i)
        wire, dref = send(ref_addr, q)
        _, drod = send(rod_addr, q)
        if dref is None or drod is None:
            lost += 1
            d = ["  no answer from %s" % ("reference" if dref is None else "rodns")]
        else:
            def again(tq):
                a, b = send(ref_addr, tq)[1], send(rod_addr, tq)[1]
                return (parse(a) if a else None), (parse(b) if b else None)
            try:
                d = compare(q, wire, parse(dref), parse(drod), accepted, again)
            except (ValueError, IndexError, struct.error) as e:
                d = ["  unparsable response: %s" % e]
        if d:
            ndiff += 1
            if shown < a.show:
                shown += 1
                print("DIFF %s" % describe(q))
                print("\n".join(d))
    acc = " ".join("%s=%d" % kv for kv in sorted(accepted.items())) or "none"
    print("%s: %d queries, %d differences (accepted: %s; no answer: %d)" %
          (a.label, a.count, ndiff, acc, lost))
    return 1 if ndiff else 0


if __name__ == "__main__":
    sys.exit(main())
