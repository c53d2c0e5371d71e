#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# usage: mkzone_answer.sh ZONE DIR nsec|nsec3 [N]
#   Writes DIR/ZONE.zone (unsigned) and DIR/ZONE.signed (dnssec-signzone,
#   ECDSAP256SHA256 KSK+ZSK; nsec3 = NSEC3 with Opt-Out, 1 iteration, a
#   salt) for the answer differential test: about N (default 400) plain
#   names plus every shape the answerer must get right: CNAME chains (in
#   zone, out of zone, dangling, looping, into a delegation, to a wildcard),
#   DNAME (in and out of zone), wildcards (A/AAAA/TXT, CNAME, with an empty
#   non-terminal and an explicit name below them), empty non-terminals,
#   delegations with and without DS (glue below the cut, in-zone and
#   out-of-zone NS targets, one delegation below an ENT), MX/SRV, a large
#   TXT RRset (truncation). Also DIR/ZONE.names: "name TYPE..." per owner.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,13p' "$0"; exit 2; }
ZONE=${1%.}; DIR=$2; MODE=$3; N=${4:-400}
SEED=${SEED:-7}
mkdir -p "$DIR/keys"
cd "$DIR"
awk -v Z="$ZONE" -v N="$N" -v SEED="$SEED" '
function hex(n) { return sprintf("%x", n) }
BEGIN {
  srand(SEED)
  f = Z ".zone"
  print "$ORIGIN " Z "." > f
  print "$TTL 3600" > f
  print "@ 3600 IN SOA ns1 hostmaster 2024010101 3600 900 1209600 300" > f
  print "@ NS ns1" > f; print "@ NS ns2" > f
  print "ns1 A 192.0.2.1" > f; print "ns1 AAAA 2001:db8::1" > f
  print "ns2 A 192.0.2.2" > f
  print "@ A 192.0.2.10" > f; print "@ AAAA 2001:db8::10" > f
  print "@ MX 10 mail" > f; print "@ MX 20 mail.example.net." > f
  print "@ TXT \"v=spf1 mx -all\"" > f
  print "mail A 192.0.2.25" > f
  print "_sip._tcp SRV 10 5 5060 sip" > f; print "sip A 192.0.2.60" > f
  # CNAME chains
  print "c1 CNAME c2" > f; print "c2 CNAME c3" > f; print "c3 CNAME www-1" > f
  print "cext CNAME www.example.net." > f
  print "cdang CNAME nothere" > f
  print "loop1 CNAME loop2" > f; print "loop2 CNAME loop1" > f
  print "self CNAME self" > f
  print "cdeleg CNAME host.sub1" > f
  print "cwild CNAME foo.wild" > f
  print "cdname CNAME a.dn" > f
  print "cent CNAME b.ent" > f
  # DNAME
  print "dn 600 DNAME target" > f
  print "www.target A 192.0.2.90" > f; print "a.target TXT \"via dname\"" > f
  print "dnout DNAME example.net." > f
  # wildcards
  print "wild A 192.0.2.80" > f
  print "*.wild A 192.0.2.81" > f; print "*.wild AAAA 2001:db8::81" > f
  print "*.wild TXT \"wildcard\"" > f
  print "x.y.wild A 192.0.2.82" > f
  print "explicit.wild MX 10 mail" > f
  print "*.wc CNAME www-1" > f
  print "*.wdeep.ent2 A 192.0.2.83" > f
  # empty non-terminals
  print "a.b.ent A 192.0.2.70" > f
  print "c.d.e.ent2 A 192.0.2.71" > f
  # delegations: secure, insecure, below an ENT, odd NS targets
  ndel = 8
  for (d = 1; d <= ndel; d++) {
    s = "sub" d
    print s " NS ns1." s > f; print s " NS ns2." s > f
    if (d % 2 == 1) print s " DS " (10000 + d) " 13 2 " sprintf("%064x", d * 7919) > f
    print "ns1." s " A 198.51.100." d > f
    print "ns2." s " AAAA 2001:db8:54::" hex(d) > f
  }
  print "xdeleg NS ns1" > f; print "xdeleg NS ns.example.net." > f
  print "deep.ent3 NS ns.deep.ent3" > f; print "ns.deep.ent3 A 198.51.100.200" > f
  print "deep2.ent3 NS ns.deep2.ent3" > f; print "ns.deep2.ent3 A 198.51.100.201" > f
  print "deep2.ent3 DS 4242 13 2 " sprintf("%064x", 4242) > f
  print "deep.ent4 NS ns.deep.ent4" > f; print "ns.deep.ent4 A 198.51.100.202" > f
  # truncation
  for (i = 1; i <= 12; i++)
    print "big TXT \"" sprintf("%090d", i) "\"" > f
  # plain names
  split("A AAAA MX TXT", T, " ")
  for (i = 1; i <= N; i++) {
    nm = "www-" i
    r = rand()
    print nm " " ((r < 0.2) ? 300 : 3600) " A 10." int(i/256)%256 "." i%256 ".1" > f
    if (r < 0.3) print nm " AAAA 2001:db8:1::" hex(i) > f
    else if (r < 0.4) print nm " MX 10 mail" > f
    else if (r < 0.5) print nm " TXT \"id " i "\"" > f
    if (i % 37 == 0) print "h" i ".grp" i%5 " A 10.9." i%256 ".1" > f
  }
}' /dev/null
if ! ls keys/K"$ZONE".+013+*.private >/dev/null 2>&1; then
	dnssec-keygen -q -K keys -a ECDSAP256SHA256 -f KSK "$ZONE" >/dev/null
	dnssec-keygen -q -K keys -a ECDSAP256SHA256 "$ZONE" >/dev/null
fi
ARGS=""
[ "$MODE" = nsec3 ] && ARGS="-3 abcd -H 1 -A"
# shellcheck disable=SC2086
dnssec-signzone -q -S -K keys -o "$ZONE" $ARGS -P -x -s now-3600 -e now+2592000 \
	-f "$ZONE.signed" "$ZONE.zone" >/dev/null
# owner -> types, from the unsigned zone (relative names made absolute)
awk -v Z="$ZONE." '
/^\$/ { next }
{ o = $1; if (o == "@") o = Z; else if (o !~ /\.$/) o = o "." Z
  t = ($2 ~ /^[0-9]+$/) ? $3 : $2; if (t == "IN") t = ($2 ~ /^[0-9]+$/) ? $4 : $3
  if (!(o in seen)) { seen[o] = 1; order[++n] = o }
  if (index(" " ty[o] " ", " " t " ") == 0) ty[o] = ty[o] " " t }
END { for (i = 1; i <= n; i++) print order[i] ty[order[i]] }' "$ZONE.zone" > "$ZONE.names"
