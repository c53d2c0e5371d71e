#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# usage: mkzone.sh N DIR nsec|nsec3 [ZONE]
#   Writes a small, realistic signed zone for the integration tests:
#   ZONE (default example.test) with about N owner names, signed with a
#   fresh ECDSAP256SHA256 KSK + ZSK (dnssec-keygen, dnssec-signzone),
#   NSEC or NSEC3 (no salt, 0 iterations), signatures valid from an hour
#   ago for 30 days.
#   Env: SERIAL (default 1000), SEED (default 7, for the random mix of types).
# Writes into DIR:
#   ZONE.zone     the unsigned zone
#   ZONE.signed   the signed zone (what a primary serves)
#   keys/         K<ZONE>.+013+*.{key,private} (a primary's key-directory)
#   anames.txt    absolute owner names that hold exactly one A record and
#                 nothing else, one per line (for nsupdate changes)
# Deterministic in the zone data (not the keys/signatures); prints one
# summary line. Exit status non-zero on any failure.
set -euo pipefail
if [ $# -lt 3 ] || [ $# -gt 4 ]; then
	sed -n '2,16p' "$0" >&2
	exit 2
fi
N=$1 DIR=$2 MODE=$3 ZONE=${4:-example.test}
ZONE=${ZONE%.}
case "$MODE" in nsec | nsec3) ;; *) echo "mkzone.sh: mode must be nsec or nsec3" >&2; exit 2 ;; esac
case "$N" in '' | *[!0-9]*) echo "mkzone.sh: N must be a number" >&2; exit 2 ;; esac
PATH=$PATH:/usr/sbin:/sbin
mkdir -p "$DIR/keys"
cd "$DIR"

# The unsigned zone: apex data, a delegation with glue and DS, a wildcard,
# and N leaf names with a mix of A, AAAA, TXT, MX and CNAME.
awk -v n="$N" -v z="$ZONE" -v serial="${SERIAL:-1000}" -v seed="${SEED:-7}" '
BEGIN {
	srand(seed)
	f = z ".zone"; a = "anames.txt"
	printf "$ORIGIN %s.\n$TTL 3600\n", z > f
	printf "@ SOA ns1 hostmaster %d 3600 900 1209600 300\n", serial > f
	print "@ NS ns1\n@ NS ns2\n@ MX 10 mail\n@ TXT \"rodns test zone\"" > f
	print "ns1 A 192.0.2.1\nns1 AAAA 2001:db8::1\nns2 A 192.0.2.2\nmail A 192.0.2.25" > f
	print "sub NS ns.sub\nns.sub A 192.0.2.53" > f
	print "sub DS 12345 13 2 " sprintf("%064d", 42) > f
	print "*.wild A 192.0.2.80\n*.wild TXT \"wildcard\"" > f
	printf "" > a
	for (i = 1; i <= n; i++) {
		h = sprintf("h%04d", i)
		ip = sprintf("10.%d.%d.%d", int(i / 65536) % 256, int(i / 256) % 256, i % 256)
		r = rand()
		if (r < 0.5) {
			print h " A " ip > f
			print h "." z "." > a
		} else if (r < 0.65) {
			print h " A " ip "\n" h " AAAA 2001:db8:1::" sprintf("%x:%x", int(i / 65536), i % 65536) > f
		} else if (r < 0.8) {
			print h " 300 TXT \"id " i "\"" > f
		} else if (r < 0.9) {
			print h " MX 10 mail" > f
		} else {
			print h " CNAME ns1" > f
		}
	}
}' /dev/null

rm -f keys/K"$ZONE".+013+*
dnssec-keygen -q -K keys -a ECDSAP256SHA256 -f KSK "$ZONE" >/dev/null
dnssec-keygen -q -K keys -a ECDSAP256SHA256 "$ZONE" >/dev/null
NSEC3=()
[ "$MODE" = nsec3 ] && NSEC3=(-3 - -H 0)
dnssec-signzone -q -S -K keys -o "$ZONE" "${NSEC3[@]}" -s now-3600 -e now+2592000 \
	-f "$ZONE.signed" "$ZONE.zone" >/dev/null
echo "mkzone.sh: $ZONE $MODE, $(wc -l <anames.txt) A-only names," \
	"$(grep -cv '^;' "$ZONE.signed") signed lines in $DIR/$ZONE.signed"
