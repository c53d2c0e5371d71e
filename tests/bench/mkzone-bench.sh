#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# usage: mkzone-bench.sh N DIR
#   Builds (or reuses) the benchmark zone example.test with about N owner
#   names in DIR: unsigned text, an ECDSAP256SHA256 KSK + ZSK, the zone
#   signed with NSEC by dnssec-signzone (signatures from an hour ago for 30
#   days), the name lists and the dnsperf query file.
#   Reuse: DIR/.stamp records the parameters and the signing time. Same
#   parameters and signed less than RESIGN_DAYS (default 7) days ago: nothing
#   is done. Same parameters but older: only re-signed (same keys). Else the
#   whole directory is rebuilt.
#   Env: SEED (default 1), SERIAL (default 2000), JOBS (signing threads,
#   default nproc), RESIGN_DAYS (7).
# Content:
#   apex SOA/NS/A/AAAA/MX/TXT, ns1/ns2/mail glue, wild A and *.wild A/AAAA/TXT
#   (a wildcard below a real name, so NXDOMAIN stays NXDOMAIN), max(5, N/1000)
#   delegations dlgK (NS, DS, in-zone glue), and leaf names: 50% A, 15% A +
#   AAAA, 10% AAAA, 8% A + MX, 7% A + TXT, 10% CNAME to an earlier leaf.
# Files:
#   example.test.zone, example.test.signed, keys/K*, rrcount (RRs signed)
#   names.txt    leaf names (relative) with their kind letter
#   anames.txt   leaf names holding exactly one A record (for updates)
#   queries.txt  max(100000, min(N, 1000000)) lines "NAME TYPE": 70% existing
#                names (their own types mostly, some NODATA), 20% NXDOMAIN,
#                7% wildcard, 3% CNAME. Used as is for DO (`dnsperf -D`).
set -euo pipefail
if [ $# -ne 2 ]; then sed -n '2,30p' "$0" >&2; exit 2; fi
N=$1 DIR=$2
case "$N" in '' | *[!0-9]*) echo "mkzone-bench: N must be a number" >&2; exit 2 ;; esac
SEED=${SEED:-1} SERIAL=${SERIAL:-2000} JOBS=${JOBS:-$(nproc)} RESIGN_DAYS=${RESIGN_DAYS:-7}
Z=example.test
PARAMS="v1 N=$N SEED=$SEED SERIAL=$SERIAL nsec ecdsap256"
PATH=$PATH:/usr/sbin:/sbin
mkdir -p "$DIR"
cd "$DIR"

# RRs in the signed zone, into rrcount (dnssec-signzone's layout: an RR
# starts with its owner or with tabs and the TTL; continuation lines hold
# only RDATA)
count_rrs() {
	awk '/^[^;\t ]/ || /^\t+[0-9]+\t/ { n++ } END { print n }' $Z.signed >rrcount
}

now=$(date +%s)
signed_at=0
if [ -f .stamp ] && [ "$(sed -n 1p .stamp)" = "$PARAMS" ] && [ -s $Z.signed ]; then
	signed_at=$(sed -n 2p .stamp)
	if [ $((now - signed_at)) -lt $((RESIGN_DAYS * 86400)) ]; then
		[ -s rrcount ] || count_rrs
		echo "mkzone-bench: reusing $DIR ($PARAMS, signed $(((now - signed_at) / 3600))h ago)"
		exit 0
	fi
	echo "mkzone-bench: re-signing $DIR (signed $(((now - signed_at) / 86400)) days ago)"
else
	signed_at=0
	rm -rf ./* .stamp
	t0=$(date +%s)
	# -------------------------------------------------------- unsigned zone
	awk -v N="$N" -v seed="$SEED" -v serial="$SERIAL" -v z="$Z" '
	function addr4(i) { return sprintf("10.%d.%d.%d", int(i / 65536) % 256, int(i / 256) % 256, i % 256) }
	function addr6(net, i) { return sprintf("2001:db8:%x:%x::%x", net, int(i / 65536), i % 65536) }
	function word(k,   s, j) { s = ""; for (j = 0; j < k; j++) s = s substr(AL, 1 + int(rand() * 26), 1); return s }
	BEGIN {
		srand(seed)
		AL = "abcdefghijklmnopqrstuvwxyz"
		np = split("web mx db app vpn cdn api git ftp lb img dev", PFX, " ")
		f = z ".zone"
		printf "$ORIGIN %s.\n$TTL 3600\n", z > f
		printf "@ SOA ns1 hostmaster %d 3600 900 1209600 300\n", serial > f
		print "@ NS ns1\n@ NS ns2\n@ A 192.0.2.10\n@ AAAA 2001:db8::10" > f
		print "@ MX 10 mail\n@ TXT \"rodns benchmark zone\"" > f
		print "ns1 A 192.0.2.1\nns1 AAAA 2001:db8::1\nns2 A 192.0.2.2\nns2 AAAA 2001:db8::2" > f
		print "mail A 192.0.2.25" > f
		print "wild A 192.0.2.80\n*.wild A 192.0.2.81\n*.wild AAAA 2001:db8::81" > f
		print "*.wild TXT \"any name below wild\"" > f
		fixed = 10
		nd = int(N / 1000); if (nd < 5) nd = 5
		for (d = 1; d <= nd; d++) {
			printf "dlg%d NS ns.dlg%d\ndlg%d NS ns2\n", d, d, d > f
			printf "dlg%d DS %d 13 2 %08X%056X\n", d, 20000 + d, d, d * 7919 > f
			printf "ns.dlg%d A 198.51.%d.%d\n", d, int(d / 256) % 256, d % 256 > f
		}
		nl = N - fixed - 2 * nd; if (nl < 10) nl = 10
		for (i = 1; i <= nl; i++) {
			h = PFX[1 + i % np] i
			r = rand()
			ttl = (i % 5 == 0) ? " 300" : ""
			if (i > 20 && r >= 0.90) {
				t = 1 + int(rand() * (i - 1))
				printf "%s%s CNAME %s\n", h, ttl, PFX[1 + t % np] t > f
				print h "\tC" > "names.txt"
				continue
			}
			if (r < 0.50) { print h ttl " A " addr4(i) > f; k = "A"; print h > "anames.txt" }
			else if (r < 0.65) { print h ttl " A " addr4(i) "\n" h ttl " AAAA " addr6(1, i) > f; k = "B" }
			else if (r < 0.75) { print h ttl " AAAA " addr6(2, i) > f; k = "6" }
			else if (r < 0.83) { print h ttl " A " addr4(i) "\n" h ttl " MX " (i % 50) " mail" > f; k = "M" }
			else { print h ttl " A " addr4(i) "\n" h ttl " TXT \"k=" word(8 + i % 40) "\"" > f; k = "T" }
			print h "\t" k > "names.txt"
		}
	}' /dev/null
	# -------------------------------------------------------- query file
	awk -v seed="$((SEED + 100))" -v N="$N" -v z="$Z" '
	function rnd(k,   s, j) { s = ""; for (j = 0; j < k; j++) s = s substr(AN, 1 + int(rand() * 36), 1); return s }
	BEGIN { AN = "abcdefghijklmnopqrstuvwxyz0123456789"; srand(seed)
		own["A"] = "A"; own["B"] = "AAAA"; own["6"] = "AAAA"; own["M"] = "MX"; own["T"] = "TXT"; own["C"] = "A"
		nt = split("A AAAA MX TXT NS SOA DS", OTHER, " ") }
	{ nm[++n] = $1; kind[n] = $2; if ($2 == "C") cn[++nc] = $1 }
	END {
		q = N; if (q < 100000) q = 100000; if (q > 1000000) q = 1000000
		for (i = 0; i < q; i++) {
			r = rand()
			if (r < 0.70) {
				j = 1 + int(rand() * n)
				t = (rand() < 0.8) ? own[kind[j]] : OTHER[1 + int(rand() * nt)]
				print nm[j] "." z " " t
			} else if (r < 0.90) print "nx" rnd(6 + int(rand() * 6)) "." z " " ((rand() < 0.6) ? "A" : "AAAA")
			else if (r < 0.97) print rnd(4 + int(rand() * 8)) ".wild." z " " ((rand() < 0.6) ? "A" : ((rand() < 0.5) ? "AAAA" : "TXT"))
			else print cn[1 + int(rand() * nc)] "." z " A"
		}
	}' names.txt >queries.txt
	# -------------------------------------------------------- keys
	mkdir -p keys
	dnssec-keygen -q -K keys -a ECDSAP256SHA256 -f KSK $Z >/dev/null
	dnssec-keygen -q -K keys -a ECDSAP256SHA256 $Z >/dev/null
	echo "mkzone-bench: generated $(wc -l <names.txt) leaf names, $(wc -l <queries.txt) queries in $(($(date +%s) - t0))s"
fi

# ------------------------------------------------------------ sign
t0=$(date +%s)
rm -f tmp-* rrcount # leftovers of an interrupted signing
# -P: no post-signing verification (the peers' transfers check the result);
# -x: only the KSK signs the DNSKEY RRset.
dnssec-signzone -q -S -K keys -o $Z -n "$JOBS" -P -x -s now-3600 -e now+2592000 \
	-f $Z.signed.tmp $Z.zone >/dev/null
mv $Z.signed.tmp $Z.signed
rm -f dsset-*
count_rrs
printf '%s\n%s\n' "$PARAMS" "$now" >.stamp
echo "mkzone-bench: signed $(cat rrcount) RRs in $(($(date +%s) - t0))s -> $DIR/$Z.signed"
