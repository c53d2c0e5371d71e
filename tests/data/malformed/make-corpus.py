#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
"""Writes the malformed-message corpus: every file here is a DNS message that
dns_msg_parse() must reject (tests/dns/check_malformed.c replays them all).

    python3 tests/data/malformed/make-corpus.py

rewrites every *.bin file generated below and README.md next to this script.
Fuzzer-found regressions are added as CASES entries with their bytes in hex,
so that this script stays the one source of the folder.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Record types and classes used below.
A, NS, CNAME, SOA, MX, TXT, AAAA, OPT, DS, RRSIG, NSEC, DNSKEY, NSEC3, TSIG = (
    1, 2, 5, 6, 15, 16, 28, 41, 43, 46, 47, 48, 50, 250)
IN, ANY = 1, 255


def hdr(qd=0, an=0, ns=0, ar=0, flags=0x0100, ident=0x1234):
    return struct.pack(">6H", ident, flags, qd, an, ns, ar)


def name(text):
    """Uncompressed wire form of a dotted name ("" or "." is the root)."""
    out = b""
    for label in text.strip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def ptr(off):
    return struct.pack(">H", 0xC000 | off)


def question(qname=name("www.example.test"), qtype=A, qclass=IN):
    return qname + struct.pack(">HH", qtype, qclass)


def rr(owner, rtype, rdata, rclass=IN, ttl=3600, rdlen=None):
    if rdlen is None:
        rdlen = len(rdata)
    return owner + struct.pack(">HHIH", rtype, rclass, ttl, rdlen) + rdata


def opt(options=b"", owner=b"\x00", udp=1232, ttl=0x00008000):
    return rr(owner, OPT, options, rclass=udp, ttl=ttl)


def tsig_rdata():
    mac = bytes(range(32))
    return (name("hmac-sha256") + struct.pack(">HIH", 0, 1764316800, 300) +
            struct.pack(">H", len(mac)) + mac + struct.pack(">HHH", 0x1234, 0, 0))


def tsig():
    return rr(name("xfr"), TSIG, tsig_rdata(), rclass=ANY, ttl=0)


def rrsig_rdata(signer=name("example.test"), sig=b"\x01" * 64):
    return struct.pack(">HBBIIIH", A, 13, 3, 3600, 1767225600, 1764547200, 12345) + signer + sig


QUERY = hdr(qd=1) + question()
A_RR = rr(ptr(12), A, bytes([192, 0, 2, 1]))


def response(*answers, qd=True):
    body = question() if qd else b""
    return hdr(qd=1 if qd else 0, an=len(answers), flags=0x8400) + body + b"".join(answers)


def name_256():
    # three 63-octet labels (192) + one 62-octet label (63) + root = 256
    return b"".join(bytes([63]) + b"a" * 63 for _ in range(3)) + bytes([62]) + b"b" * 62 + b"\x00"


def name_long_via_ptr():
    # The question name is 200 octets; an answer owner adds a 63-octet and a
    # 60-octet label in front of a pointer to it: 62 + 64 + 200 > 255.
    qname = b"".join(bytes([49]) + b"q" * 49 for _ in range(4)) + b"\x00"  # 201 octets
    owner = bytes([63]) + b"x" * 63 + bytes([60]) + b"y" * 60 + ptr(12)
    return hdr(qd=1, an=1, flags=0x8400) + question(qname) + rr(owner, A, b"\x7f\x00\x00\x01")


def ptr_hops_70():
    # A backwards chain of 70 pointers, stored as opaque RDATA of an unknown
    # type; the second RR's owner enters the chain at its far end.
    base = 12 + len(question()) + len(name("a")) + 10  # first RDATA octet
    chain = b"\x00"  # the chain ends at a root label at offset base
    for i in range(70):
        prev = base if i == 0 else base + 1 + 2 * (i - 1)
        chain += ptr(prev)
    first = rr(name("a"), 65280, chain)
    last = base + 1 + 2 * 69
    return hdr(qd=1, an=2, flags=0x8400) + question() + first + rr(ptr(last), A, b"\x7f\x00\x00\x01")


def nsec(bitmap, nxt=name("b.example.test")):
    return rr(ptr(12), NSEC, nxt + bitmap)


# (file, expected RODNS_E_* error, message, what is wrong with it)
CASES = [
    # --- header and counts
    ("empty.bin", "TRUNC", b"", "zero octets: no header at all"),
    ("trunc-header.bin", "TRUNC", QUERY[:11], "11-octet header (12 needed)"),
    ("qdcount-2.bin", "MALFORMED", hdr(qd=2) + question() + question(name("mail.example.test")),
     "two questions: QDCOUNT > 1 is refused"),
    ("huge-qdcount.bin", "MALFORMED", hdr(qd=65535) + question(), "QDCOUNT 65535"),
    ("huge-ancount.bin", "TRUNC", hdr(qd=1, an=65535, flags=0x8400) + question() + A_RR,
     "ANCOUNT 65535 with one RR present"),
    ("huge-nscount.bin", "TRUNC", hdr(qd=1, ns=65535, flags=0x8400) + question() + A_RR,
     "NSCOUNT 65535 with one RR present"),
    ("huge-arcount.bin", "TRUNC", hdr(qd=1, ar=65535) + question() + opt(),
     "ARCOUNT 65535 with one OPT present"),
    ("ancount-too-high.bin", "TRUNC", hdr(qd=1, an=2, flags=0x8400) + question() + A_RR,
     "ANCOUNT 2, only one RR in the message"),
    ("trailing-garbage.bin", "MALFORMED", QUERY + b"\x00",
     "one octet after the last counted RR: counts do not describe the message"),
    ("ancount-too-low.bin", "MALFORMED", hdr(qd=1, an=1, flags=0x8400) + question() + A_RR + A_RR,
     "ANCOUNT 1 with two RRs: the second is trailing data"),
    ("trunc-question.bin", "TRUNC", hdr(qd=1) + name("www.example.test") + b"\x00\x01",
     "question ends after QTYPE (no QCLASS)"),
    # --- names
    ("label-len-64.bin", "LABEL", hdr(qd=1) + bytes([64]) + b"a" * 64 + b"\x00\x00\x01\x00\x01",
     "a label length of 64 (0x40: the top bits make it an extended label type)"),
    ("label-type-0x40.bin", "LABEL", hdr(qd=1) + b"\x41\x08\xff\x00\x00\x01\x00\x01",
     "RFC 2673 bit-string label (0x41), an obsolete extended label type"),
    ("label-type-0x80.bin", "LABEL", hdr(qd=1) + b"\x80\x03abc\x00\x00\x01\x00\x01",
     "reserved label type 0x80"),
    ("name-256-octets.bin", "NAME_LONG", hdr(qd=1) + question(name_256()),
     "uncompressed question name of 256 octets (255 is the limit)"),
    ("name-long-via-ptr.bin", "NAME_LONG", name_long_via_ptr(),
     "owner name of 326 octets once its compression pointer is followed"),
    ("name-no-root.bin", "TRUNC", hdr(qd=1) + b"\x03www\x07example",
     "question name runs into the end of the message without a root label"),
    ("ptr-loop-self.bin", "NAME_LOOP", hdr(qd=1) + ptr(12) + b"\x00\x01\x00\x01",
     "question name is a pointer to itself"),
    ("ptr-forward.bin", "NAME_LOOP", hdr(qd=1) + ptr(18) + b"\x00\x01\x00\x01" + name("example.test"),
     "question name points forward, to a name after it"),
    ("ptr-loop-two.bin", "NAME_LOOP", hdr(qd=1) + ptr(14) + ptr(12) + b"\x00\x01\x00\x01",
     "two pointers that point at each other (12 -> 14 -> 12)"),
    ("ptr-into-header-id.bin", "NAME_LOOP", hdr(qd=1, ident=0xC000) + ptr(0) + b"\x00\x01\x00\x01",
     "pointer to offset 0, where the ID (0xC000) is itself a pointer to offset 0"),
    ("ptr-past-end.bin", "NAME_LOOP", hdr(qd=1) + ptr(0x3FFF) + b"\x00\x01\x00\x01",
     "pointer to offset 16383, far past the end of the message"),
    ("ptr-trunc.bin", "TRUNC", hdr(qd=1) + b"\x03www\xc0",
     "message ends after the first octet of a compression pointer"),
    ("ptr-hops-70.bin", "NAME_LOOP", ptr_hops_70(),
     "a backwards chain of 70 pointers (the limit is 64 hops)"),
    # --- RR framing
    ("rr-trunc-ttl.bin", "TRUNC", response(A_RR[:8]), "answer RR cut in the middle of its TTL"),
    ("rdlength-overrun.bin", "TRUNC", response(rr(ptr(12), A, b"\xc0\x00\x02\x01", rdlen=100)),
     "RDLENGTH 100 with 4 octets of RDATA left in the message"),
    ("rdata-ptr-forward.bin", "NAME_LOOP",
     response(rr(ptr(12), NS, ptr(12 + 22 + 12 + 2)), rr(ptr(12), A, b"\x7f\x00\x00\x01")),
     "NS RDATA is a compression pointer to a name further on"),
    # --- RDATA layouts
    ("a-rdlen-5.bin", "RDATA", response(rr(ptr(12), A, b"\xc0\x00\x02\x01\x00")), "A with 5 octets"),
    ("aaaa-rdlen-4.bin", "RDATA", response(rr(ptr(12), AAAA, b"\x20\x01\x0d\xb8")), "AAAA with 4 octets"),
    ("soa-short.bin", "RDATA",
     response(rr(ptr(12), SOA, name("ns1.example.test") + name("hostmaster.example.test") +
                 struct.pack(">IIII", 1, 3600, 900, 1209600))),
     "SOA RDATA without its MINIMUM field"),
    ("soa-names-only.bin", "RDATA", response(rr(ptr(12), SOA, name("ns1.example.test"))),
     "SOA RDATA that ends after MNAME"),
    ("mx-name-trunc.bin", "RDATA", response(rr(ptr(12), MX, b"\x00\x0a\x04mail\x07exam")),
     "MX exchange name cut short by RDLENGTH"),
    ("mx-name-crosses-rdlength.bin", "RDATA",
     response(rr(ptr(12), MX, b"\x00\x0a\x04mail"), A_RR),
     "MX exchange name ends at RDLENGTH without a root label; the octets after it "
     "(the next RR's owner pointer) would complete it"),
    ("ns-rdlen-0.bin", "RDATA", response(rr(ptr(12), NS, b"")), "NS with empty RDATA"),
    ("cname-trailing.bin", "RDATA", response(rr(ptr(12), CNAME, name("target.example.test") + b"\x00")),
     "CNAME RDATA with an extra octet after the name"),
    ("txt-overrun.bin", "RDATA", response(rr(ptr(12), TXT, b"\x10short")),
     "TXT character-string claims 16 octets, 5 follow in RDATA"),
    ("txt-empty-rdata.bin", "RDATA", response(rr(ptr(12), TXT, b"")),
     "TXT with RDLENGTH 0 (at least one character-string is required)"),
    ("rrsig-short.bin", "RDATA", response(rr(ptr(12), RRSIG, rrsig_rdata()[:14])),
     "RRSIG RDATA of 14 octets, inside its fixed 18-octet part"),
    ("rrsig-no-signer-root.bin", "RDATA",
     response(rr(ptr(12), RRSIG, rrsig_rdata()[:18] + b"\x07example")),
     "RRSIG signer name runs to the end of RDATA without a root label"),
    ("nsec-bitmap-bad.bin", "RDATA", response(nsec(b"\x00\x21" + b"\xff" * 33)),
     "NSEC bitmap window with length 33 (at most 32)"),
    ("nsec-bitmap-len0.bin", "RDATA", response(nsec(b"\x00\x00")),
     "NSEC bitmap window with length 0"),
    ("nsec-bitmap-order.bin", "RDATA", response(nsec(b"\x01\x01\x40\x00\x01\x40")),
     "NSEC bitmap windows out of order (1 then 0)"),
    ("nsec-bitmap-trunc.bin", "RDATA", response(nsec(b"\x00\x06\x40\x01")),
     "NSEC bitmap window says 6 octets, 2 follow"),
    ("nsec3-hash-overrun.bin", "RDATA",
     response(rr(ptr(12), NSEC3, b"\x01\x00\x00\x00\x00\x14" + b"\xaa" * 8)),
     "NSEC3 next-hash length 20 with 8 octets left"),
    ("ds-short.bin", "RDATA", response(rr(ptr(12), DS, b"\x30\x39\x0d")), "DS RDATA of 3 octets"),
    ("dnskey-short.bin", "RDATA", response(rr(ptr(12), DNSKEY, b"\x01\x01\x03")),
     "DNSKEY RDATA of 3 octets (4 fixed octets needed)"),
    # --- EDNS0 OPT (RFC 6891)
    ("opt-twice.bin", "EDNS", hdr(qd=1, ar=2) + question() + opt() + opt(), "two OPT RRs"),
    ("opt-nonroot.bin", "EDNS", hdr(qd=1, ar=1) + question() + opt(owner=name("example")),
     "OPT owner is example., not the root"),
    ("opt-bad-option-len.bin", "EDNS", hdr(qd=1, ar=1) + question() + opt(b"\x00\x0a\x00\x10" + b"\x11" * 8),
     "COOKIE option claims 16 octets, 8 follow in RDATA"),
    ("opt-option-trunc.bin", "EDNS", hdr(qd=1, ar=1) + question() + opt(b"\x00\x0a\x00"),
     "OPT RDATA of 3 octets: a partial option header"),
    ("opt-in-answer.bin", "EDNS", response(opt()), "OPT in the answer section"),
    ("opt-in-authority.bin", "EDNS", hdr(qd=1, ns=1, flags=0x8400) + question() + opt(),
     "OPT in the authority section"),
    # --- TSIG (RFC 8945 §5.1: only as the last additional RR)
    ("tsig-not-last.bin", "MALFORMED", hdr(qd=1, ar=2) + question() + tsig() + opt(),
     "TSIG followed by an OPT in the additional section"),
    ("tsig-in-answer.bin", "MALFORMED", response(tsig()), "TSIG in the answer section"),
    ("tsig-twice.bin", "MALFORMED", hdr(qd=1, ar=2) + question() + tsig() + tsig(), "two TSIG RRs"),
]


def main():
    seen = set()
    for fname, _, data, _ in CASES:
        if fname in seen:
            sys.exit("duplicate corpus name " + fname)
        seen.add(fname)
        with open(os.path.join(HERE, fname), "wb") as f:
            f.write(data)
    with open(os.path.join(HERE, "README.md"), "w") as f:
        f.write("# Malformed DNS messages\n\n"
                "Every `*.bin` file here is a DNS message that `dns_msg_parse()` must\n"
                "reject; `tests/dns/check_malformed.c` replays them all (and fails if\n"
                "fewer than 25 are found). The files are written by `make-corpus.py`\n"
                "(`python3 tests/data/malformed/make-corpus.py`): change the script, not\n"
                "the files. The fuzzer (`make fuzz`) also uses this folder as its seeds.\n"
                "Inputs the fuzzer found that are *valid* messages go to\n"
                "`tests/data/regress/` instead.\n\n"
                "`expect.txt` names the error each file must produce; the test checks\n"
                "it, so that a file cannot pass by failing for an unrelated reason.\n\n"
                "| file | octets | error | what is wrong |\n|---|---|---|---|\n")
        for fname, err, data, why in CASES:
            f.write("| `%s` | %d | `RODNS_E_%s` | %s |\n" % (fname, len(data), err, why))
    with open(os.path.join(HERE, "expect.txt"), "w") as f:
        f.write("# file, then the error dns_msg_parse must return (RODNS_E_...)\n")
        for fname, err, _, _ in CASES:
            f.write("%s %s\n" % (fname, err))
    print("wrote %d files to %s" % (len(CASES), HERE))


if __name__ == "__main__":
    main()
