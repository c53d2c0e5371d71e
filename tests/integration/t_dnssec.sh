#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# t_dnssec: rodns's DNSSEC primitives (dns/dnssec.c) against real signers.
#
# One unsigned zone (mkzone.sh's mix: delegation with DS and glue, wildcard,
# CNAME/MX/TXT/AAAA hosts) plus what the primitives must get right: a
# mixed-case owner, upper-case names inside RDATA, empty non-terminals and a
# 100-RR, ~20 KB TXT RRset (past the verifier's stack buffers). It is signed
# with dnssec-keygen/dnssec-signzone (KSK + ZSK, full one-RR-per-line output)
# once per algorithm and denial mode:
#   RSASHA1 (5, weak) NSEC, NSEC3RSASHA1 (7, weak) NSEC3, RSASHA256 (8) NSEC,
#   RSASHA512 (10) NSEC3, ECDSAP256SHA256 (13) NSEC3 with salt and
#   iterations, ECDSAP384SHA384 (14) NSEC, ED25519 (15) NSEC, ED448 (16)
#   NSEC3, and a zone signed by both 8 and 13;
# once more by ldns-signzone (a second signer) with ZONEMD SHA-384 and
# SHA-512 (RFC 8976) and an RRSIG over the ZONEMD; and a copy of the 13
# zone that is then tampered with. `named -g` serves them all, and
# build/tools/rodns-verify transfers each (AXFR) and checks every RRSIG,
# the NSEC3 hashes of every name, the DS records dnssec-dsfromkey derives
# (SHA-1, SHA-256, SHA-384) and the ZONEMD digests.
#
# The tampered zone must fail exactly where it was changed (an A record's
# address, one signature octet, one RR removed from a set) and nowhere else
# (a changed TTL: the RRSIG's original TTL is what is signed; upper case in an
# owner and in RDATA names: canonical form lowercases them). Validation
# times before the inception and after the expiration must fail every RRSIG.
# Finally the ECDSA P-256 zone is verified a few more times for a rate
# (printed, not checked).
# shellcheck disable=SC2317
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
t_init dnssec

VERIFY=$RODNS_BUILD/tools/rodns-verify
[ -x "$VERIFY" ] || t_abort "no $VERIFY (run make all)"
PATH=$PATH:/usr/sbin:/sbin
for c in named dnssec-keygen dnssec-signzone dnssec-dsfromkey ldns-signzone ss; do
	command -v "$c" >/dev/null 2>&1 || t_abort "$c is not installed (make deps)"
done
Z=$T_DIR/z
mkdir -p "$Z"

# ---------------------------------------------------------------- zones
# The base zone: mkzone.sh's unsigned zone (its own signing is not used),
# with the first line ($ORIGIN) replaced per zone.
if ! bash "$T_LIB_DIR/mkzone.sh" 150 "$T_DIR/base" nsec base.test >"$T_DIR/mkzone.log" 2>&1; then
	cat "$T_DIR/mkzone.log" >&2
	t_abort "mkzone.sh failed"
fi
BASE=$T_DIR/base.zone
{
	tail -n +2 "$T_DIR/base/base.test.zone"
	echo 'Mixed.Case TXT "owner in mixed case"'
	echo 'upper MX 10 NS1'
	echo 'alias CNAME WWW.Example.NET.'
	echo 'a.b.c.ent A 192.0.2.99'
	printf '%s\n' 'tamper-a A 192.0.2.77' 'tamper-sig A 192.0.2.78' 'tamper-ttl A 192.0.2.79' \
		'tset TXT "one"' 'tset TXT "two"' 'tset TXT "three"'
	awk 'BEGIN { for (i = 0; i < 100; i++) {
		s = sprintf("%03d ", i); while (length(s) < 190) s = s "x" i
		printf "big 300 TXT \"%s\"\n", s } }'
} >"$BASE"

# sign ZONE MODE ALG... : signs $BASE as ZONE with a KSK and a ZSK per
# algorithm; MODE is nsec or "nsec3 SALT ITERATIONS". Writes $Z/ZONE.signed
# and $Z/ZONE.ds (dnssec-dsfromkey: SHA-1, SHA-256, SHA-384 of every key).
sign() {
	local zone=$1 mode=$2 alg keys=$Z/keys-$1
	shift 2
	mkdir -p "$keys"
	{ echo "\$ORIGIN $zone."; cat "$BASE"; } >"$Z/$zone.zone"
	for alg in "$@"; do
		dnssec-keygen -q -K "$keys" -a "$alg" -f KSK "$zone" >/dev/null 2>&1 || return 1
		dnssec-keygen -q -K "$keys" -a "$alg" "$zone" >/dev/null 2>&1 || return 1
	done
	local nsec3=()
	# shellcheck disable=SC2086
	[ "$mode" != nsec ] && set -- $mode && nsec3=(-3 "$2" -H "$3")
	dnssec-signzone -q -S -K "$keys" -d "$Z" -o "$zone" "${nsec3[@]}" -O full \
		-s now-3600 -e now+2592000 -f "$Z/$zone.signed" "$Z/$zone.zone" \
		>>"$T_DIR/sign.log" 2>&1 || return 1
	: >"$Z/$zone.ds"
	for d in SHA-1 SHA-256 SHA-384; do
		for k in "$keys"/K"$zone".+*.key; do
			dnssec-dsfromkey -a "$d" "$k" >>"$Z/$zone.ds" 2>/dev/null || return 1
		done
	done
}

# name|mode|algorithms|what
CONFIGS=(
	"a5.dnssec.test|nsec|RSASHA1|RSASHA1 (weak), NSEC"
	"a7.dnssec.test|nsec3 - 0|NSEC3RSASHA1|NSEC3RSASHA1 (weak), NSEC3"
	"a8.dnssec.test|nsec|RSASHA256|RSASHA256, NSEC"
	"a10.dnssec.test|nsec3 c0ffee 3|RSASHA512|RSASHA512, NSEC3"
	"a13.dnssec.test|nsec3 aabbccdd 10|ECDSAP256SHA256|ECDSAP256SHA256, NSEC3 salt iterations"
	"a14.dnssec.test|nsec|ECDSAP384SHA384|ECDSAP384SHA384, NSEC"
	"a15.dnssec.test|nsec|ED25519|ED25519, NSEC"
	"a16.dnssec.test|nsec3 - 0|ED448|ED448, NSEC3"
	"multi.dnssec.test|nsec|RSASHA256 ECDSAP256SHA256|RSASHA256 + ECDSAP256SHA256, NSEC"
	"tampered.dnssec.test|nsec|ECDSAP256SHA256|tampered copy"
)
ZONES=()
for cfg in "${CONFIGS[@]}"; do
	IFS='|' read -r zone mode algs what <<<"$cfg"
	# shellcheck disable=SC2086
	if sign "$zone" "$mode" $algs; then
		ZONES+=("$zone")
	else
		tail -n 5 "$T_DIR/sign.log" >&2
		t_fail "$what: BIND could not sign it"
	fi
done

# ldns-signzone, with the ECDSA and Ed25519 keys of a fresh pair, NSEC and
# ZONEMD SHA-384 + SHA-512 (the ZONEMD RRset is signed too).
LZ=zonemd.dnssec.test
lkeys=$Z/keys-$LZ
mkdir -p "$lkeys"
{ echo "\$ORIGIN $LZ."; cat "$BASE"; } >"$Z/$LZ.zone"
lsign() {
	local ksk zsk
	ksk=$(cd "$lkeys" && dnssec-keygen -q -a ECDSAP256SHA256 -f KSK "$LZ") || return 1
	zsk=$(cd "$lkeys" && dnssec-keygen -q -a ED25519 "$LZ") || return 1
	ldns-signzone -z 1 -z 2 -e "$(date -u -d '+30 days' +%Y%m%d%H%M%S)" \
		-f "$Z/$LZ.signed" "$Z/$LZ.zone" "$lkeys/$ksk" "$lkeys/$zsk"
}
if lsign >>"$T_DIR/sign.log" 2>&1; then
	ZONES+=("$LZ")
else
	tail -n 5 "$T_DIR/sign.log" >&2
	t_fail "ldns-signzone could not sign $LZ"
fi

# The tampered copy: edit the signed zone file (one RR per line).
TZ=tampered.dnssec.test
TF=$Z/$TZ.signed
if [ -f "$TF" ]; then
	awk -v z="$TZ." '
	function flip(s, c) { c = substr(s, 1, 1); return (c == "A" ? "B" : "A") substr(s, 2) }
	{ o = tolower($1) }
	# an A record changed after signing
	o == "tamper-a." z && $4 == "A" { $5 = "192.0.2.76"; n++ }
	# one octet of a signature (the first of the base64 text)
	o == "tamper-sig." z && $4 == "RRSIG" && $5 == "A" { $NF = flip($NF); n++ }
	# one RR of a three-RR set dropped
	o == "tset." z && $4 == "TXT" && $5 == "\"two\"" { n++; next }
	# harmless: the TTL of a record (the RRSIG carries the original one),
	# upper case in an owner name and in a name inside RDATA
	o == "tamper-ttl." z && $4 == "A" { $2 = $2 * 2; n++ }
	o == "mixed.case." z && $4 == "TXT" { $1 = toupper($1); n++ }
	o == "upper." z && $4 == "MX" { $6 = toupper($6); n++ }
	{ print }
	END { if (n != 6) { print "tampering matched " n " of 6 lines" > "/dev/stderr"; exit 1 } }
	' "$TF" >"$TF.new" || t_fail "tampering with $TF"
	mv "$TF.new" "$TF"
fi

PORT=$(free_port) || t_abort "no free port"
{
	cat <<EOF
options {
	directory "$Z";
	pid-file none;
	session-keyfile "$T_DIR/session.key";
	managed-keys-directory "$T_DIR";
	listen-on port $PORT { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	allow-transfer { 127.0.0.1; };
	notify no;
};
controls { };
EOF
	for z in "${ZONES[@]}"; do
		echo "zone \"$z\" { type primary; file \"$z.signed\"; };"
	done
} >"$T_DIR/named.conf"
start_named primary "$T_DIR/named.conf" || t_abort "named did not start"

# verify ZONE [rodns-verify options]: output in $T_DIR/ZONE.out
verify() {
	local zone=$1
	shift
	"$VERIFY" -p "$PORT" -t 20 -v "$@" 127.0.0.1 "$zone" >"$T_DIR/$zone.out" 2>&1
}

# ---------------------------------------------------------------- checks
# ok_zone ZONE WHAT: everything verified, with RRSIGs for the zone's
# algorithms, every DS matching, and the NSEC3 chain complete.
ok_zone() {
	local zone=$1 what=$2 out=$T_DIR/$1.out n
	verify "$zone" -d "$Z/$zone.ds"
	local rc=$?
	sed "s/^/  $zone: /" "$out"
	n=$(awk '/^alg / { n += $3 } END { print n + 0 }' "$out")
	[ "$rc" -eq 0 ] && [ "$n" -gt 300 ] && grep -q '^all verified$' "$out" &&
		grep -qE '^ds: ([1-9][0-9]*) DS, \1 match' "$out" &&
		! grep -q '^BAD' "$out" || return 1
	case "$what" in
	*NSEC3*) grep -qE '^nsec3: [0-9]+ names .* 0 missing, 0 unmatched$' "$out" || return 1 ;;
	esac
	return 0
}
for cfg in "${CONFIGS[@]}"; do
	IFS='|' read -r zone mode algs what <<<"$cfg"
	[ "$zone" = "$TZ" ] && continue
	[ -f "$Z/$zone.signed" ] || continue
	t_check "$what: every RRSIG, DS and NSEC3 hash of $zone verifies" ok_zone "$zone" "$what"
done

ok_zonemd() {
	local out=$T_DIR/$LZ.out
	verify "$LZ" || { sed "s/^/  $LZ: /" "$out"; return 1; }
	sed "s/^/  $LZ: /" "$out"
	grep -q '^zonemd: 2 ZONEMD, 2 match$' "$out" && grep -q '^alg 13: ' "$out" &&
		grep -q '^alg 15: ' "$out"
}
[ -f "$Z/$LZ.signed" ] &&
	t_check "ldns-signzone (13 + 15, NSEC): RRSIGs and ZONEMD SHA-384/SHA-512 verify" ok_zonemd

# The tampered zone: exactly the three changed RRsets fail.
tampered() {
	local out=$T_DIR/$TZ.out
	verify "$TZ" && return 1 # must fail
	sed "s/^/  $TZ: /" "$out"
	local bad
	bad=$(grep '^BAD ' "$out" | sort | tr '\n' ';')
	[ "$bad" = "BAD tamper-a.$TZ. A: bad signature;BAD tamper-sig.$TZ. A: bad signature;BAD tset.$TZ. TXT: bad signature;" ] &&
		grep -qE '^alg 13: [0-9]+ RRSIGs, [0-9]+ valid, 3 bad$' "$out"
}
[ -f "$TF" ] && t_check "tampered copy: exactly the 3 changed RRsets fail (TTL and case changes do not)" tampered

# Validation times outside the signatures' validity: every RRSIG fails.
outside() { # NOW VERDICT
	local out=$T_DIR/a15.dnssec.test.out
	verify a15.dnssec.test -n "$1" && return 1
	local total bad
	total=$(awk '/^alg / { n += $3 } END { print n + 0 }' "$out")
	bad=$(grep -c "^BAD .*: $2$" "$out")
	[ "$total" -gt 0 ] && [ "$bad" -eq "$total" ]
}
if [ -f "$Z/a15.dnssec.test.signed" ]; then
	now=$(date +%s)
	t_check "every RRSIG not yet valid two hours ago" outside $((now - 7200)) "signature not yet valid"
	t_check "every RRSIG expired in 31 days" outside $((now + 31 * 86400)) "signature expired"
fi

# The rate (information): the ECDSA P-256 zone, verified 20 more times.
rate() {
	verify a13.dnssec.test -r 20 || return 1
	grep '^bench:' "$T_DIR/a13.dnssec.test.out" | sed 's/^/  ECDSA P-256 /'
}
[ -f "$Z/a13.dnssec.test.signed" ] && t_check "ECDSA P-256 verification rate measured" rate

t_summary
