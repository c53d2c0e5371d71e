#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# t_printer: rodns's wire parser and presentation printer against BIND's and
# Knot's, end to end.
#
# Builds a zone that holds every RR type BIND accepts in a zone file and
# rodns prints (plus an unknown TYPE65280, escaped and odd owner names, a
# wildcard, a delegation with glue, character-strings with quotes, escapes
# and non-ASCII octets, SVCB/HTTPS with several SvcParams, and enough bulk
# to need several AXFR messages), signs it twice (NSEC; NSEC3 with a salt and
# iterations), serves both with `named -g`, and for each variant:
#   transfer  build/tools/rodns-axfr transfers it (rodns's message builder,
#             parser and RR cursor) and prints every RR (dns_rr_to_text);
#   coverage  every type the zone is meant to hold is in that output;
#   dig       the output equals `dig +nosplit` of the same AXFR;
#   kdig      the output equals `kdig` of the same AXFR;
#   reparse   BIND's parser reads rodns's output back into exactly the data
#             of the signed zone file (named-checkzone -D of both, compared):
#             the text is not only alike but means the same octets.
#
# Normalisation, applied the same way to both sides of a comparison, and
# nothing else (every other difference is a failure):
#   1. drop empty lines and lines starting with ';' (dig/kdig comments);
#   2. outside double-quoted strings (a backslash escapes the next character,
#      inside quotes and out), turn every run of blanks into one space and
#      drop leading and trailing blanks: dig and kdig align columns with tabs
#      and spaces, and kdig ends a CAA line with a space;
#   3. upper-case the next-hashed-owner field of NSEC3 RRs: it is base32hex,
#      which is case-insensitive (RFC 4648 §7); BIND prints it in upper case,
#      rodns and kdig in lower case. Nothing else changes case: owner names,
#      hex and base64 must match exactly (all three print the owner case as
#      it came over the wire, and hex in upper case);
#   4. kdig only: kdig prints the SvcParam alpn unquoted (alpn=h2,h3) where
#      BIND and rodns quote it (alpn="h2,h3"); both are RFC 9460 forms, so
#      the kdig side gets the quotes added (the test's alpn values have no
#      blanks or quotes, so the rewrite is exact);
#   5. sort (LC_ALL=C).
# ldns-read-zone of the signed zone file is not used as a reference: its
# format is further from the others (it writes a raw TAB inside TXT strings
# and an unescaped `"` in owner names, names SvcParam key 7 "dohpath" and
# leaves alpn unquoted), so matching it would take rewrites that hide bugs.
# SC2317: the check functions run through t_check, which shellcheck cannot see.
# shellcheck disable=SC2317
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
t_init printer

TOOL=$RODNS_BUILD/tools/rodns-axfr
[ -x "$TOOL" ] || t_abort "no $TOOL (run make all)"
for c in named named-checkzone dnssec-keygen dnssec-signzone dnssec-dsfromkey dig kdig ss; do
	command -v "$c" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
	command -v "$c" >/dev/null 2>&1 || t_abort "$c is not installed (make deps)"
done

# ---------------------------------------------------------------- the zone
# write_zone ORIGIN: the unsigned zone on stdout.
write_zone() {
	local long
	long=$(printf '%0255d' 0 | tr 0 L)
	cat <<EOF
\$ORIGIN $1
\$TTL 3600
@ SOA ns1 hostmaster 2024010101 3600 900 1209600 300
@ NS ns1
@ NS ns2.elsewhere.example.
ns1 A 192.0.2.1
ns1 AAAA 2001:db8::1
@ A 192.0.2.10
@ AAAA 2001:db8:0:0:1:0:0:1
@ MX 10 mail
@ MX 20 mail.elsewhere.example.
mail A 192.0.2.25
www CNAME @
dn DNAME target.example.
txt TXT "v=spf1 mx -all"
txt TXT "quote\"s" "back\\\\slash" "semi;colon" "tab\\009" "nul\\000byte" "utf8 \\195\\169" "" "(paren)" "two  spaces" "at@dollar\$"
txt TXT "$long" "$long" "x"
txt2 TXT plain unquoted words
txt3 TXT "\\255\\128\\127\\031~"
ptr PTR www
_sip._tcp SRV 10 60 5060 sip
sip A 192.0.2.5
naptr NAPTR 100 10 "S" "SIP+D2T" "" _sip._tcp
naptr NAPTR 200 10 "U" "E2U+sip" "!^.*\$!sip:info@example.test!" .
@ CAA 0 issue "ca.example.net"
@ CAA 128 tbs "Unknown; with \"quote\""
@ CAA 0 iodef "mailto:security@example.test"
ssh SSHFP 4 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
_443._tcp.www TLSA 3 1 1 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
svc SVCB 1 . mandatory=alpn,port alpn=h2,h3 port=8443 ipv4hint=192.0.2.1,192.0.2.2 ech=AEP+DQA/BAAgACD7 ipv6hint=2001:db8::1,2001:db8::2
svc2 SVCB 0 www
svc3 SVCB 2 svc key65000="hello\\010world" key65001 alpn="f\\\\\\\\oo\\\\,bar,h2"
@ HTTPS 1 . alpn=h3 no-default-alpn port=443
h2 HTTPS 3 svc dohpath=/dns-query{?dns} key65333=abc
sub NS ns1.sub
sub NS ns2.sub
ns1.sub A 192.0.2.53
ns2.sub AAAA 2001:db8::53
sub DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
hinfo HINFO "PC-Intel" "Linux 6"
unk TYPE65280 \\# 4 0A000001
unk2 TYPE65281 \\# 0
odd\\.dot A 192.0.2.99
w\\000\\255\\"x\\032y A 192.0.2.98
MiXeD A 192.0.2.97
*.wild A 192.0.2.81
*.wild TXT "wildcard"
@ ZONEMD 2024010101 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
rp RP hostmaster txt
afsdb AFSDB 1 afs
kx KX 10 kx2
minfo MINFO hostmaster hostmaster
rt RT 10 relay
EOF
	# Bulk, so that the transfer needs several messages.
	for ((i = 0; i < 400; i++)); do
		printf 'bulk-%d TXT "%0200d"\n' "$i" "$i"
	done
}

# The types the printed transfer must contain, besides the variant's own
# (NSEC; or NSEC3 and NSEC3PARAM).
TYPES="SOA NS A AAAA CNAME DNAME MX TXT PTR SRV NAPTR CAA SSHFP TLSA SVCB HTTPS DS CDS CDNSKEY
DNSKEY RRSIG HINFO ZONEMD TYPE65280 TYPE65281 RP AFSDB KX MINFO RT"

# make_variant NAME ORIGIN [dnssec-signzone NSEC3 options]: keys, CDS and
# CDNSKEY from the KSK, signed zone file $T_DIR/NAME.signed.
make_variant() {
	local name=$1 origin=$2 d="$T_DIR/$1" ksk
	shift 2
	mkdir -p "$d/keys"
	ksk=$(dnssec-keygen -q -K "$d/keys" -a ECDSAP256SHA256 -f KSK "$origin") &&
		dnssec-keygen -q -K "$d/keys" -a ECDSAP256SHA256 "$origin" >/dev/null || return 1
	{
		write_zone "$origin"
		grep -v '^;' "$d/keys/$ksk.key" | sed 's/ DNSKEY / CDNSKEY /'
		dnssec-dsfromkey -C -a SHA-256 "$d/keys/$ksk.key"
	} >"$d/zone" || return 1
	dnssec-signzone -q -S -K "$d/keys" -d "$d" -o "$origin" -s now-3600 -e now+2592000 "$@" \
		-f "$T_DIR/$name.signed" "$d/zone" >"$d/sign.log" 2>&1 || {
		cat "$d/sign.log" >&2
		return 1
	}
}

# -H 5: BIND 9.18 signs with up to 150 iterations (warning above 0);
# RFC 9276 asks for 0, but a non-zero count shows the field is printed right.
make_variant nsec nsec.printer.test. || t_abort "signing the NSEC variant"
make_variant nsec3 nsec3.printer.test. -3 aabbccdd -H 5 || t_abort "signing the NSEC3 variant"

# ---------------------------------------------------------------- the primary
PORT=$(free_port) || t_abort "no free port"
cat >"$T_DIR/named.conf" <<EOF
options {
	directory "$T_DIR";
	pid-file none;
	session-keyfile "$T_DIR/session.key";
	managed-keys-directory "$T_DIR";
	listen-on port $PORT { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	allow-transfer { 127.0.0.1; };
	check-names primary ignore;
	notify no;
};
controls { };
zone "nsec.printer.test" { type primary; file "nsec.signed"; };
zone "nsec3.printer.test" { type primary; file "nsec3.signed"; };
EOF
start_named primary "$T_DIR/named.conf" || t_abort "named did not start"

# ---------------------------------------------------------------- comparison
# norm [kdig]: the normalisation described at the top, stdin to stdout.
norm() {
	LC_ALL=C awk -v kdig="${1:-}" '
	/^[ \t]*$/ || /^[ \t]*;/ { next }
	{
		out = ""; inq = 0; blank = 0; n = length($0)
		for (i = 1; i <= n; i++) {
			c = substr($0, i, 1)
			if (!inq && (c == " " || c == "\t")) { blank = 1; continue }
			if (blank && out != "") out = out " "
			blank = 0
			if (c == "\\") { out = out c substr($0, i + 1, 1); i++; continue }
			if (c == "\"") inq = !inq
			out = out c
		}
		$0 = out
		if ($4 == "NSEC3") $9 = toupper($9)
		if (kdig != "") $0 = gensub_alpn($0)
		print
	}
	function gensub_alpn(s,   pre, v) {
		if (!match(s, / alpn=[^" ]+/)) return s
		pre = substr(s, 1, RSTART - 1)
		v = substr(s, RSTART + 6, RLENGTH - 6)
		return pre " alpn=\"" v "\"" substr(s, RSTART + RLENGTH)
	}' | LC_ALL=C sort
}

# compare LABEL OURS THEIRS: diff of the normalised files, shown on failure.
compare() {
	if diff -u "$3" "$2" >"$2.diff"; then
		return 0
	fi
	echo "--- $1: diff (-: reference, +: rodns), first 60 lines" >&2
	head -n 60 "$2.diff" >&2
	return 1
}

# coverage FILE EXTRA_TYPES: every expected type appears in the type column.
coverage() {
	local t missing=""
	# ENVIRON rather than awk -v, which would interpret the backslashes.
	for t in $TYPES $2; do
		T=$t awk '$4 == ENVIRON["T"] { f = 1 } END { exit !f }' "$1" ||
			missing="$missing $t"
	done
	# The odd owners and the wildcard came through with their escapes.
	for t in 'odd\.dot.' 'w\000\255\"x\032y.' '*.wild.' 'MiXeD.'; do
		T=$t awk 'index($1, ENVIRON["T"]) == 1 { f = 1 } END { exit !f }' "$1" ||
			missing="$missing $t"
	done
	[ -z "$missing" ] && return 0
	echo "missing from the transfer:$missing" >&2
	return 1
}

# reparse NAME ORIGIN OURS: named-checkzone -D of rodns's text (without the
# closing SOA) equals that of the signed zone file.
reparse() {
	local d="$T_DIR/$1"
	sed '$d' "$3" >"$d/ours.zone"
	named-checkzone -q -k ignore -i none -D -o "$d/ours.dump" "$2" "$d/ours.zone" ||
		{ echo "named-checkzone rejects rodns's output for $2" >&2; return 1; }
	named-checkzone -q -k ignore -i none -D -o "$d/ref.dump" "$2" "$T_DIR/$1.signed" ||
		return 1
	LC_ALL=C sort "$d/ours.dump" >"$d/ours.dump.s"
	LC_ALL=C sort "$d/ref.dump" >"$d/ref.dump.s"
	compare "$1 reparse" "$d/ours.dump.s" "$d/ref.dump.s"
}

check_variant() {
	local name=$1 origin=$2 extra=$3 d="$T_DIR/$1" msgs
	if "$TOOL" -v -p "$PORT" 127.0.0.1 "$origin" >"$d/ours.txt" 2>"$d/ours.err"; then
		msgs=$(sed -n 's/^rodns-axfr: \([0-9]*\) messages, \([0-9]*\) RRs$/\1 messages, \2 RRs/p' "$d/ours.err")
		t_pass "$name: transfer with rodns-axfr ($msgs)"
	else
		cat "$d/ours.err" >&2
		t_fail "$name: transfer with rodns-axfr"
		return
	fi
	norm <"$d/ours.txt" >"$d/ours.n"
	t_check "$name: every type present" coverage "$d/ours.n" "$extra"

	dig @127.0.0.1 -p "$PORT" AXFR "$origin" +nocomments +nocmd +nostats +nosplit \
		+time=10 >"$d/dig.txt" 2>&1
	norm <"$d/dig.txt" >"$d/dig.n"
	t_check "$name: same as dig +nosplit ($(wc -l <"$d/dig.n") RRs)" \
		compare "$name dig" "$d/ours.n" "$d/dig.n"

	kdig @127.0.0.1 -p "$PORT" AXFR "$origin" +nocomments +time=10 >"$d/kdig.txt" 2>&1
	norm kdig <"$d/kdig.txt" >"$d/kdig.n"
	t_check "$name: same as kdig ($(wc -l <"$d/kdig.n") RRs)" \
		compare "$name kdig" "$d/ours.n" "$d/kdig.n"

	t_check "$name: BIND reads it back to the signed zone's data" \
		reparse "$name" "$origin" "$d/ours.txt"
}

check_variant nsec nsec.printer.test. "NSEC"
check_variant nsec3 nsec3.printer.test. "NSEC3 NSEC3PARAM"
t_summary
