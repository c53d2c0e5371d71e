#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# t_validate: DNSSEC validation of transfers ("untrusted-site mode").
#
# Three zones with mkzone.sh's content (plus insecure delegations under an
# empty non-terminal), signed by BIND's dnssec-signzone with a KSK and a ZSK:
#   nsec.val.test    ECDSAP256SHA256, NSEC
#   nsec3.val.test   RSASHA256, NSEC3 (salt, 1 iteration)
#   optout.val.test  ED25519, NSEC3 Opt-Out
# and, for each, tampered copies (an A changed after signing, the RRSIGs of
# an A RRset dropped, one NSEC/NSEC3 dropped), a wrong trust anchor (the DS
# of an unrelated KSK) and an expired copy.
#
# 1. build/tools/rodns-validate (the validator on a store, what `rodnsctl
#    verify` will run) on every good and bad copy: the good ones validate,
#    each bad one is rejected with its reason word, and ldns-verify-zone
#    (with the same anchor) agrees on every verdict.
# 2. rodnsd with `validate: true` and a trust-anchor file, behind
#    build/tools/rodns-fakeprimary in front of a BIND primary: the good zones
#    are transferred, served (SOA and DNSKEY answered, AD-free answers as
#    usual) and stored exactly as the primary has them; the store validates
#    with rodns-validate and with ldns-verify-zone (rodns-dump). A fresh
#    rodnsd behind each tampering mode (tamper-a, drop-rrsig, drop-nsec)
#    must store nothing (AXFR rejected, the reason logged), and a tampered
#    IXFR (a BIND-signed update whose new A is changed in transit) must
#    leave the old serial serving.
# shellcheck disable=SC2317
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/xfrtest_lib.sh
. "$(dirname "$0")/xfrtest_lib.sh"
t_init validate

RODNSD=$RODNS_BUILD/rodnsd
VALIDATE=$RODNS_BUILD/tools/rodns-validate
DUMP=$RODNS_BUILD/tools/rodns-dump
FAKE=$RODNS_BUILD/tools/rodns-fakeprimary
for p in "$RODNSD" "$VALIDATE" "$DUMP" "$FAKE"; do
	[ -x "$p" ] || t_abort "no $p (run make all)"
done
PATH=$PATH:/usr/sbin:/sbin
for c in named nsupdate dnssec-keygen dnssec-signzone dnssec-dsfromkey dig ldns-read-zone \
	ldns-verify-zone ss; do
	command -v "$c" >/dev/null 2>&1 || t_abort "$c is not installed (make deps)"
done
Z=$T_DIR/z
mkdir -p "$Z"
ZONES="nsec.val.test nsec3.val.test optout.val.test"

# ---------------------------------------------------------------- zones
bash "$T_LIB_DIR/mkzone.sh" 300 "$T_DIR/base" nsec base.test >"$T_DIR/mkzone.log" 2>&1 ||
	t_abort "mkzone.sh failed: $(tail -n 3 "$T_DIR/mkzone.log")"
BASE=$T_DIR/base.zone
{
	tail -n +2 "$T_DIR/base/base.test.zone"
	echo 'a.b.ent TXT "below two empty non-terminals"'
	echo 'd1.insec NS ns.example.'
	echo 'd2.insec NS ns.example.'
	echo 'd3 NS ns.d3'
	echo 'ns.d3 A 192.0.2.33'
} >"$BASE"

# sign ZONE ALG [NSEC3 options]: $Z/ZONE.signed, $Z/ZONE.ds (the KSK's
# SHA-256 DS), keys in $Z/keys (BIND re-signs updates with them).
sign() {
	local zone=$1 alg=$2 k
	shift 2
	mkdir -p "$Z/keys"
	{ echo "\$ORIGIN $zone."; cat "$BASE"; } >"$Z/$zone.zone"
	dnssec-keygen -q -K "$Z/keys" -a "$alg" -f KSK "$zone" >/dev/null 2>&1 || return 1
	dnssec-keygen -q -K "$Z/keys" -a "$alg" "$zone" >/dev/null 2>&1 || return 1
	dnssec-signzone -q -S -K "$Z/keys" -d "$Z" -o "$zone" "$@" -O full -s now-3600 -e now+2592000 \
		-f "$Z/$zone.signed" "$Z/$zone.zone" >>"$T_DIR/sign.log" 2>&1 || return 1
	for k in "$Z/keys/K$zone".+*.key; do
		if grep -q 'DNSKEY 257 ' "$k"; then dnssec-dsfromkey -2 "$k"; fi
	done >"$Z/$zone.ds"
}
sign nsec.val.test ECDSAP256SHA256 || t_abort "BIND could not sign nsec.val.test"
sign nsec3.val.test RSASHA256 -3 ab12 -H 1 || t_abort "BIND could not sign nsec3.val.test"
sign optout.val.test ED25519 -3 - -H 0 -A || t_abort "BIND could not sign optout.val.test"
# an unrelated KSK for nsec.val.test: the wrong anchor
mkdir -p "$Z/other"
if ! k=$(dnssec-keygen -q -K "$Z/other" -a ECDSAP256SHA256 -f KSK nsec.val.test) ||
	! dnssec-dsfromkey -2 "$Z/other/$k.key" >"$Z/wrong.ds"; then
	t_abort "no unrelated key"
fi

# Generic form (RFC 3597) of a zone file, which rodns-validate -l loads.
gen() {
	local t u=()
	for t in $(ldns-read-zone "$1" 2>/dev/null | awk '!/^;/ && NF > 4 { print $4 }' | sort -u); do
		u+=(-u "$t")
	done
	ldns-read-zone "${u[@]}" "$1"
}

# tamper ZONE KIND: $Z/ZONE.KIND.signed, one change to the signed zone.
# The victim is the first hNNNN name holding an A (signed, not glue).
tamper() {
	local zone=$1 kind=$2 v
	v=$(awk '$1 ~ /^h[0-9]+\./ && $4 == "A" { print $1; exit }' "$Z/$zone.signed")
	case $kind in
	tamper-a)
		awk -v v="$v" '$1 == v && $4 == "A" && !n++ { $5 = "192.0.2.254" } { print }' ;;
	drop-rrsig)
		awk -v v="$v" '!($1 == v && $4 == "RRSIG" && $5 == "A")' ;;
	drop-nsec)
		awk -v v="$v" '
		$4 == "NSEC3" && !n3 && ++seen == 3 { n3 = $1; next }
		$1 == n3 && $4 == "RRSIG" && $5 == "NSEC3" { next }
		$1 == v && ($4 == "NSEC" || ($4 == "RRSIG" && $5 == "NSEC")) { next }
		{ print }' ;;
	esac <"$Z/$zone.signed" >"$Z/$zone.$kind.signed"
}

# ---------------------------------------------------------------- 1. the tool
# check_file LABEL FILE ZONE ANCHOR WANT [NOW] [LDNS_TIME]: rodns-validate
# on FILE says WANT ("valid" or a reason word); ldns-verify-zone agrees.
check_file() {
	local label=$1 file=$2 zone=$3 anchor=$4 want=$5 now=${6:-0} lt=${7:-} out ours ldns
	gen "$file" >"$file.gen" 2>/dev/null || { t_fail "$label: ldns-read-zone failed"; return; }
	rm -f "$T_DIR/tool.db"*
	out=$("$VALIDATE" -n "$now" -l "$file.gen" "$T_DIR/tool.db" "$zone" "$anchor" 2>/dev/null)
	ours=$?
	if [ "$want" = valid ]; then
		t_check "$label: rodns-validate: valid" [ "$ours" -eq 0 ]
	else
		if [ "$ours" -eq 1 ] && grep -qF -- "$want" <<<"$out"; then
			t_pass "$label: rodns-validate: $want"
		else
			t_fail "$label: rodns-validate said ($ours): $out"
		fi
	fi
	ldns-verify-zone -V 1 -k "$anchor" ${lt:+-t "$lt"} "$file" >"$T_DIR/ldns.out" 2>&1
	ldns=$?
	if { [ "$ldns" -eq 0 ] && [ "$ours" -eq 0 ]; } || { [ "$ldns" -ne 0 ] && [ "$ours" -eq 1 ]; }; then
		t_pass "$label: ldns-verify-zone agrees"
	else
		t_fail "$label: ldns-verify-zone ($ldns) disagrees: $(head -n 2 "$T_DIR/ldns.out")"
	fi
}

far=$(($(date +%s) + 90 * 86400))
for zone in $ZONES; do
	check_file "$zone" "$Z/$zone.signed" "$zone" "$Z/$zone.ds" valid
	tamper "$zone" tamper-a
	check_file "$zone tamper-a" "$Z/$zone.tamper-a.signed" "$zone" "$Z/$zone.ds" "bad signature"
	tamper "$zone" drop-rrsig
	check_file "$zone drop-rrsig" "$Z/$zone.drop-rrsig.signed" "$zone" "$Z/$zone.ds" \
		"missing signature"
	tamper "$zone" drop-nsec
	check_file "$zone drop-nsec" "$Z/$zone.drop-nsec.signed" "$zone" "$Z/$zone.ds" \
		"broken NSEC chain"
	check_file "$zone expired" "$Z/$zone.signed" "$zone" "$Z/$zone.ds" "expired signature" \
		"$far" "+$((90 * 86400))"
done
check_file "nsec.val.test wrong anchor" "$Z/nsec.val.test.signed" nsec.val.test "$Z/wrong.ds" \
	"DNSKEY set does not match the trust anchor"

# ---------------------------------------------------------------- 2. rodnsd
PPORT=$(xt_free_port) && FPORT=$(xt_free_port) && NPORT=$(xt_free_port) ||
	t_abort "no free ports"
PD=$T_DIR/primary
mkdir -p "$PD/keys"
cp "$Z"/keys/K* "$PD/keys/"
for zone in $ZONES; do cp "$Z/$zone.signed" "$PD/$zone.db"; done
# shellcheck disable=SC2086
xt_named_conf "$PD" "$PPORT" "$NPORT" $ZONES >"$PD/named.conf"
start_named primary "$PD/named.conf" || t_abort "BIND primary did not start"
# shellcheck disable=SC2086
xt_serving 30 "$PPORT" $ZONES || t_abort "the primary does not serve the zones"
CTL=$T_DIR/fake.mode
echo pass >"$CTL"
t_spawn "$T_DIR/fake.log" "$FAKE" -p "$FPORT" -u "$PPORT" -c "$CTL" -t 20
wait_log 10 "$T_DIR/fake.log" "listening on" || t_abort "rodns-fakeprimary did not start"

# rodnsd_conf DIR PORT ZONE...: validate: true with each zone's anchor.
rodnsd_conf() {
	local dir=$1 port=$2 z
	shift 2
	cat <<EOF
server:
  listen: ["127.0.0.1@$port"]
  workers: 1
  state-dir: $dir
  user: root
  control: $dir/control.sock
  metrics: off
log:
  level: info
events:
  syslog: false
zones:
EOF
	for z in "$@"; do
		cat <<EOF
  - name: $z
    primaries: [{ address: "127.0.0.1@$FPORT", transport: tcp }]
    store: rodns.sqlite
    notify-from: ["127.0.0.1"]
    refresh-min: 1s
    refresh-max: 2s
    retry-min: 1s
    retry-max: 2s
    validate: true
    trust-anchor: $Z/$z.ds
EOF
	done
}

# start_rodnsd NAME ZONE...: a fresh rodnsd in $T_DIR/NAME; sets RPID, RDIR, RPORT.
start_rodnsd() {
	local name=$1
	shift
	RDIR=$T_DIR/$name
	RPORT=$(xt_free_port) || return 1
	mkdir -p "$RDIR"
	rodnsd_conf "$RDIR" "$RPORT" "$@" >"$RDIR/rodns.yaml"
	t_spawn "$RDIR/rodnsd.log" "$RODNSD" -c "$RDIR/rodns.yaml"
	RPID=$T_LAST_PID
}

# 2a. the good zones through a validating rodnsd
# shellcheck disable=SC2086
start_rodnsd good $ZONES || t_abort "no port for rodnsd"
GPID=$RPID GDIR=$RDIR GPORT=$RPORT
for zone in $ZONES; do
	want=$(xt_primary_serial "$PPORT" "$zone")
	if xt_wait_store_serial "$GDIR/rodns.sqlite" "$zone" "$want" 30; then
		t_pass "$zone: rodnsd (validate: true) stored serial $want"
	else
		t_fail "$zone: rodnsd stored $(xt_store_serial "$GDIR/rodns.sqlite" "$zone"), not $want"
		continue
	fi
	t_check "$zone: rodnsd serves its SOA" \
		[ "$(xt_primary_serial "$GPORT" "$zone")" = "$want" ]
	t_check "$zone: rodnsd serves its DNSKEY set" \
		[ "$(dig +short +dnssec +norec +time=2 @127.0.0.1 -p "$GPORT" "$zone" DNSKEY |
			grep -c '^25[67] ')" -ge 2 ]
	if xt_axfr "$PPORT" "$zone" "$T_DIR/p.$zone" && xt_dump "$GDIR/rodns.sqlite" "$zone" \
		"$T_DIR/r.$zone" && xt_same "$zone" "$want" 100 "$T_DIR/p.$zone" "$T_DIR/r.$zone"; then
		t_pass "$zone: the store equals the primary's AXFR"
	else
		t_fail "$zone: the store differs from the primary's AXFR"
	fi
	out=$("$VALIDATE" "$GDIR/rodns.sqlite" "$zone" "$Z/$zone.ds" 2>&1)
	t_check "$zone: rodns-validate on rodnsd's store: $out" grep -q ': valid' <<<"$out"
	"$DUMP" "$GDIR/rodns.sqlite" "$zone" >"$T_DIR/dump.$zone" 2>/dev/null
	t_check "$zone: ldns-verify-zone on rodns-dump agrees" \
		ldns-verify-zone -V 1 -k "$Z/$zone.ds" "$T_DIR/dump.$zone"
done
# shellcheck disable=SC2086
t_check "rodnsd logged no validation failure" \
	[ "$(xt_count "$GDIR/rodnsd.log" 'DNSSEC validation failed')" -eq 0 ]

# wait_verdict SECONDS LOG STORE ZONE WORD NOT: until LOG has "DNSSEC
# validation failed ... WORD" (0) or the stored serial of ZONE is neither
# NOT nor empty (1: the data went in).
wait_verdict() {
	local limit=$1 log=$2 store=$3 zone=$4 word=$5 not=$6 i s
	for ((i = 0; i < limit * 10; i++)); do
		grep -qE "DNSSEC validation failed.*$word" "$log" 2>/dev/null && return 0
		s=$(xt_store_serial "$store" "$zone")
		[ -n "$s" ] && [ "$s" != "$not" ] && return 1
		sleep 0.1
	done
	return 1
}

# stored_bogus STORE ZONE WORD: what rodnsd stored is rejected by rodns-validate
# (while rodnsd does not call the validator yet, this shows the tampering
# reached the store and what the validator says about it).
stored_bogus() {
	local out
	out=$("$VALIDATE" "$1" "$2" "$Z/$2.ds" 2>&1)
	if [ $? -eq 1 ] && grep -qF -- "$3" <<<"$out"; then
		t_pass "$2: rodns-validate rejects the tampered data rodnsd stored: $3"
	else
		t_fail "$2: rodns-validate on the tampered store: $out"
	fi
}

# 2b. a tampered IXFR: BIND signs an update, its new A is changed in transit
zone=nsec.val.test
old=$(xt_store_serial "$GDIR/rodns.sqlite" "$zone")
echo "tamper-a" >"$CTL"
{
	echo "server 127.0.0.1 $PPORT"
	echo "zone $zone"
	echo "update add tampered-ixfr.$zone 3600 A 192.0.2.77"
	echo send
} | nsupdate -t 20 >"$T_DIR/nsupdate.log" 2>&1 || t_fail "nsupdate failed: $(tail -2 "$T_DIR/nsupdate.log")"
new=$(xt_primary_serial "$PPORT" "$zone")
if wait_verdict 30 "$GDIR/rodnsd.log" "$GDIR/rodns.sqlite" "$zone" "bad signature" "$old"; then
	t_pass "tampered IXFR ($old -> $new) rejected: bad signature logged"
else
	t_fail "tampered IXFR ($old -> $new): no 'DNSSEC validation failed ... bad signature' in the log"
fi
if [ "$(xt_store_serial "$GDIR/rodns.sqlite" "$zone")" = "$old" ]; then
	t_pass "tampered IXFR: the old serial $old stays"
else
	t_fail "tampered IXFR: serial $(xt_store_serial "$GDIR/rodns.sqlite" "$zone") stored"
	stored_bogus "$GDIR/rodns.sqlite" "$zone" "bad signature"
fi
echo pass >"$CTL"
{
	echo "server 127.0.0.1 $PPORT"
	echo "zone $zone"
	echo "update add untampered-ixfr.$zone 3600 A 192.0.2.78"
	echo send
} | nsupdate -t 20 >>"$T_DIR/nsupdate.log" 2>&1 || t_fail "nsupdate failed"
new=$(xt_primary_serial "$PPORT" "$zone")
if xt_wait_store_serial "$GDIR/rodns.sqlite" "$zone" "$new" 30; then
	t_pass "the next IXFR, untampered, is applied ($new)"
else
	t_fail "untampered IXFR not applied (stored $(xt_store_serial "$GDIR/rodns.sqlite" "$zone"))"
fi
xt_stop "$GPID"

# 2c. tampered AXFRs into an empty store: nothing may be stored
for mode in tamper-a drop-rrsig drop-nsec; do
	for zone in nsec.val.test optout.val.test; do
		echo "$mode" >"$CTL"
		start_rodnsd "$mode-$zone" "$zone" || { t_fail "no port"; continue; }
		case $mode in
		tamper-a) word="bad signature" ;;
		drop-rrsig) word="missing signature" ;;
		*) word="broken NSEC chain" ;;
		esac
		if wait_verdict 30 "$RDIR/rodnsd.log" "$RDIR/rodns.sqlite" "$zone" "$word" -; then
			t_pass "$zone $mode AXFR rejected: $word"
		else
			t_fail "$zone $mode AXFR: no 'DNSSEC validation failed ... $word' in the log"
		fi
		xt_stop "$RPID"
		if [ "$(xt_store_serial "$RDIR/rodns.sqlite" "$zone")" = "-" ]; then
			t_pass "$zone $mode: nothing stored"
		else
			t_fail "$zone $mode: rodnsd stored the tampered zone"
			stored_bogus "$RDIR/rodns.sqlite" "$zone" "$word"
		fi
	done
done
t_summary
