#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# make-fixtures.sh: regenerates the signed fixture zones of tests/xfr/check_validate.c.
#
#   sh tests/data/validate/make-fixtures.sh      (needs bind9-utils and ldnsutils)
#
# Every zone is signed by BIND's dnssec-signzone (ZONEMD: ldns-signzone) with
# a fixed validity, 2025-01-01 to 2035-01-01, so the committed output keeps
# validating (the unit tests set the validator's clock to 2030). Keys are
# made fresh on each run and not kept: only public data is committed.
#
# Output, per zone Z:
#   Z.signed  the signed zone as the signer wrote it (for people and ldns)
#   Z.gen     the same records in RFC 3597 generic form (ldns-read-zone
#             -u TYPE...: "owner TTL IN TYPEn \# len hex"), which the test
#             loads with xfr_rr_from_text() and no per-type parser
#   Z.ds      the trust anchor: DS (SHA-256) of the zone's KSK
# plus:
#   Z.ixfr    (nsec, nsec3, optout) an IXFR diff to a serial 2 that dnssec-signzone
#             made from Z.signed with the same keys (so unchanged RRsets keep
#             their signatures): "-RR" deletions then "+RR" additions, in
#             generic form. Serial 2 changes www's A, removes h007, adds
#             new1 and x.newent (a new empty non-terminal) and h002 TXT.
#   nsec3.val.test.dnskey     the nsec3 zone's KSK as a DNSKEY anchor
#   nsec.val.test.other.ds    a DS of an unrelated KSK (anchor mismatch)
#   nsec.val.test.other.gen   the www A RRSIG of the nsec zone signed by an
#                             unrelated ZSK (an RRSIG from an unknown key)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PATH=$PATH:/usr/sbin:/sbin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
VALID=(-s 20250101000000 -e 20350101000000)

# The shared content: apex data, hosts, an empty non-terminal chain, a
# wildcard, a CNAME, a DNAME, a secure delegation (DS + glue), insecure
# delegations (one under an empty non-terminal that leads only to insecure
# delegations: Opt-Out may leave both unhashed).
content() {
	cat <<'Z'
$TTL 3600
@		SOA	ns1 hostmaster 2025010101 3600 900 1209600 300
@		NS	ns1
@		NS	ns2
@		MX	10 mail
@		TXT	"rodns validation fixture"
ns1		A	192.0.2.1
ns1		AAAA	2001:db8::1
ns2		A	192.0.2.2
mail		A	192.0.2.25
www		A	192.0.2.80
www		AAAA	2001:db8::80
a.b.c		TXT	"below two empty non-terminals"
*.wild		A	192.0.2.99
*.wild		TXT	"wildcard"
alias		CNAME	www
old		DNAME	new.example.
sec		NS	ns.sec
sec		DS	12345 13 2 0000000000000000000000000000000000000000000000000000000000000042
ns.sec		A	192.0.2.53
insec		NS	ns.insec
ns.insec	A	192.0.2.54
d1.only-insec	NS	ns.example.
d2.only-insec	NS	ns.example.
Z
	for i in $(seq 1 20); do
		printf 'h%03d\tA\t10.0.0.%d\n' "$i" "$i"
		[ $((i % 3)) = 0 ] && printf 'h%03d\tTXT\t"host %d"\n' "$i" "$i"
	done
	return 0
}

# keys DIR ZONE ALG: a KSK and a ZSK.
keys() {
	mkdir -p "$1"
	dnssec-keygen -q -K "$1" -a "$3" -f KSK "$2" >/dev/null
	dnssec-keygen -q -K "$1" -a "$3" "$2" >/dev/null
}

ksk_ds() {
	local k
	for k in "$1/K$2".+*.key; do
		if grep -q 'DNSKEY 257 ' "$k"; then dnssec-dsfromkey -2 "$k"; fi
	done
}

# Every type the zones hold, printed in generic form (this ldns's -U wants a
# type present in the zone, so each one is named instead).
gen() {
	local t u=()
	for t in $(ldns-read-zone "$1" 2>/dev/null | awk '!/^;/ && NF > 4 { print $4 }' | sort -u); do
		u+=(-u "$t")
	done
	ldns-read-zone "${u[@]}" "$1"
}

# bind ZONE ALG [dnssec-signzone NSEC3 options]
bind() {
	local z=$1 alg=$2 kd=$work/keys-$1
	shift 2
	{ echo "\$ORIGIN $z."; content; } >"$work/$z.zone"
	keys "$kd" "$z" "$alg"
	dnssec-signzone -q -S -K "$kd" -d "$work" -o "$z" "$@" "${VALID[@]}" -O full \
		-f "$here/$z.signed" "$work/$z.zone" >/dev/null
	gen "$here/$z.signed" >"$here/$z.gen"
	ksk_ds "$kd" "$z" >"$here/$z.ds"
}

# resign ZONE [NSEC3 options]: serial 2 from ZONE.signed, and the diff.
resign() {
	local z=$1 kd=$work/keys-$1
	shift
	awk -v z="$z." '
	$1 == z && $4 == "SOA" { $7 = 2 }
	$1 == "www." z && ($4 == "A" || ($4 == "RRSIG" && $5 == "A")) { next }
	$1 == "h007." z { next }
	{ print }
	END {
		print "www." z " 3600 IN A 192.0.2.81"
		print "new1." z " 3600 IN A 192.0.2.201"
		print "x.newent." z " 3600 IN A 192.0.2.202"
		print "h002." z " 3600 IN TXT \"added in serial 2\""
	}' "$here/$z.signed" | grep -v '^;' >"$work/$z.v2"
	dnssec-signzone -q -S -K "$kd" -d "$work" -o "$z" "$@" "${VALID[@]}" -O full -f "$work/$z.v2.signed" \
		"$work/$z.v2" >/dev/null
	gen "$work/$z.v2.signed" | sort >"$work/v2"
	sort "$here/$z.gen" >"$work/v1"
	{
		comm -23 "$work/v1" "$work/v2" | sed 's/^/-/'
		comm -13 "$work/v1" "$work/v2" | sed 's/^/+/'
	} >"$here/$z.ixfr"
}

bind nsec.val.test ECDSAP256SHA256
resign nsec.val.test
bind nsec3.val.test ECDSAP256SHA256 -3 aabbccdd -H 2
resign nsec3.val.test -3 aabbccdd -H 2
bind optout.val.test ECDSAP256SHA256 -3 - -H 0 -A
resign optout.val.test -3 - -H 0 -A
bind rsa.val.test RSASHA256
bind ed.val.test ED25519
bind weak.val.test RSASHA1

for k in "$work"/keys-nsec3.val.test/K*.key; do
	if grep -q 'DNSKEY 257 ' "$k"; then grep -v '^;' "$k" >"$here/nsec3.val.test.dnskey"; fi
done

# ZONEMD SHA-384 and SHA-512 (RFC 8976), by ldns-signzone; the ZONEMD RRset
# is signed too.
z=zonemd.val.test
kd=$work/keys-$z
{ echo "\$ORIGIN $z."; content; } >"$work/$z.zone"
keys "$kd" "$z" ECDSAP256SHA256
ksk=$(basename "$(grep -l 'DNSKEY 257 ' "$kd"/K*.key)" .key)
zsk=$(basename "$(grep -l 'DNSKEY 256 ' "$kd"/K*.key)" .key)
ldns-signzone -z 1 -z 2 -i 20250101 -e 20350101 -f "$here/$z.signed" "$work/$z.zone" \
	"$kd/$ksk" "$kd/$zsk"
gen "$here/$z.signed" >"$here/$z.gen"
ksk_ds "$kd" "$z" >"$here/$z.ds"

# An unrelated key pair for nsec.val.test: its KSK's DS, and the www A
# RRSIG it makes.
z=nsec.val.test
kd=$work/keys-other
keys "$kd" "$z" ECDSAP256SHA256
ksk_ds "$kd" "$z" >"$here/$z.other.ds"
{ echo "\$ORIGIN $z."; content; } >"$work/other.zone"
dnssec-signzone -q -S -K "$kd" -d "$work" -o "$z" "${VALID[@]}" -O full -f "$work/other.signed" \
	"$work/other.zone" >/dev/null
gen "$work/other.signed" | awk -v o="www.$z." '$1 == o && $4 == "TYPE46" && $7 ~ /^0001/' \
	>"$here/$z.other.gen"
echo "make-fixtures.sh: wrote $(ls "$here" | wc -l) files into $here"
