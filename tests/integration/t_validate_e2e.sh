#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# t_validate_e2e: rodnsd's answers validated end to end by real validators.
#
# Three signed zones from mkzone_answer.sh (CNAME chains, DNAME, wildcards,
# empty non-terminals, delegations with and without DS, a large TXT RRset):
#   nsec.val.test.    NSEC
#   nsec3.val.test.   NSEC3 without salt, 0 iterations (RFC 9276), no Opt-Out
#                     (mkzone_answer.sh's zone signed again here)
#   optout.val.test.  NSEC3 with Opt-Out, salt, 1 iteration (insecure
#                     delegations unhashed)
# A BIND primary serves them; rodnsd transfers them as a secondary. Unbound,
# configured here as a validating resolver ("validator iterator") with a
# static trust anchor (the zones' DS from dnssec-dsfromkey on the KSK) and a
# stub-zone per zone pointing at rodnsd only, is then asked (dig +dnssec,
# RD) for existing names of several types, a nonexistent name, a missing
# type, an empty non-terminal, wildcard answers and wildcard NODATA, CNAME
# chains (to a name, to a wildcard, to nothing), DNAME, the DS of a signed
# delegation, the DS of an unsigned delegation (its absence proven) and a
# large RRset (truncated over UDP, retried over TCP). Every check reads
# RCODE and the AD flag from dig's header lines; RFC 5155 §9.2 makes
# answers that rest on an Opt-Out NSEC3 insecure, so in optout.val.test a
# nonexistent name and an unsigned delegation's DS must be NXDOMAIN/NODATA
# with AD clear but not SERVFAIL, and so must wildcard answers there (the
# next closer name's covering NSEC3 is Opt-Out). Names below an unsigned
# delegation would need the child's (unreachable) servers and are not asked.
# Unbound must log no validation failure for any of these.
# Negative control: a second Unbound whose trust anchor is a wrong DS must
# answer SERVFAIL (so the AD checks above can fail).
#
# Then `dnsviz probe -A` (authoritative analysis of rodnsd only, through
# `-x ZONE+:ns1.ZONE=127.0.0.1:PORT`, nothing above the zone asked) and
# `dnsviz grok` with the zone's KSK as trusted key must report no errors,
# no BOGUS/INVALID/EXPIRED status and at least one SECURE one for the apex
# and the names probed (warnings are printed, not failed); grok with another
# zone's KSK must find nothing SECURE (so that check can fail). Skipped,
# with a reason, when dnsviz is missing or cannot probe.
# shellcheck disable=SC2317
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
t_init validate-e2e

T_SKIP=0
t_skip() {
	T_SKIP=$((T_SKIP + 1))
	echo "skip $*"
}
# lib.sh's t_summary without the skip count; this one adds it.
v_summary() {
	t_cleanup
	if [ "$T_SKIP" -gt 0 ]; then
		echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	else
		echo "$T_PASS passed, $T_FAIL failed"
	fi
	[ "$T_FAIL" -eq 0 ] && exit 0
	exit 1
}

RODNSD=$RODNS_BUILD/rodnsd
[ -x "$RODNSD" ] || t_abort "no $RODNSD (run make all)"
PATH=$PATH:/usr/sbin:/sbin
for c in named unbound dnssec-keygen dnssec-signzone dnssec-dsfromkey dig python3 ss; do
	command -v "$c" >/dev/null 2>&1 || t_abort "$c is not installed (make deps)"
done
ZONES="nsec.val.test nsec3.val.test optout.val.test"
Z=$T_DIR/z

# ---------------------------------------------------------------- zones
mk() { # ZONE MODE
	bash "$T_LIB_DIR/mkzone_answer.sh" "$1" "$Z" "$2" 60
}
# nsec3.val.test: mkzone_answer.sh's NSEC3 zone is Opt-Out with a salt and
# 1 iteration; sign it again with the same keys, no Opt-Out, no salt and 0
# iterations (RFC 9276's recommendation, what mkzone.sh uses).
resign_nsec3() {
	(cd "$Z" && dnssec-signzone -q -S -K keys -o nsec3.val.test -3 - -H 0 -P -x \
		-s now-3600 -e now+2592000 -f nsec3.val.test.signed nsec3.val.test.zone)
}
if ! { mk nsec.val.test nsec && mk nsec3.val.test nsec3 && resign_nsec3 &&
	mk optout.val.test nsec3; } >"$T_DIR/mkzone.log" 2>&1; then
	cat "$T_DIR/mkzone.log" >&2
	t_abort "building the zones"
fi
for z in $ZONES; do
	# The trust anchor: DS (SHA-256) of the KSK(s) in the signed DNSKEY set.
	if ! dnssec-dsfromkey -2 -f "$Z/$z.signed" "$z" >"$T_DIR/$z.ds" 2>>"$T_DIR/mkzone.log" ||
		[ ! -s "$T_DIR/$z.ds" ]; then
		t_abort "dnssec-dsfromkey $z"
	fi
	# The KSK's DNSKEY, for dnsviz grok's trusted keys.
	grep -l ' 257 3 ' "$Z"/keys/K"$z".+013+*.key | xargs grep -hv '^;' >"$T_DIR/$z.dnskey"
	[ -s "$T_DIR/$z.dnskey" ] || t_abort "no KSK for $z"
done

if ! { PPORT=$(free_port) && RPORT=$(free_port) && UPORT=$(free_port) &&
	BPORT=$(free_port); }; then
	t_abort "no free port"
fi

# ---------------------------------------------------------------- BIND primary
{
	cat <<EOF
options {
	directory "$Z";
	pid-file none;
	session-keyfile "$T_DIR/session.key";
	managed-keys-directory "$T_DIR";
	listen-on port $PPORT { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	allow-transfer { 127.0.0.1; };
	notify explicit;
	also-notify { 127.0.0.1 port $RPORT; };
	notify-delay 0;
};
controls { };
EOF
	for z in $ZONES; do
		echo "zone \"$z\" { type primary; file \"$z.signed\"; };"
	done
} >"$T_DIR/named.conf"
start_named primary "$T_DIR/named.conf" || t_abort "named did not start"

# ---------------------------------------------------------------- rodnsd
mkdir -p "$T_DIR/rodns"
{
	cat <<EOF
server:
  listen: ["127.0.0.1@$RPORT"]
  workers: 2
  state-dir: $T_DIR/rodns
  user: root
  control: $T_DIR/rodns/control.sock
  metrics: off
  max-udp-payload: 1232
events:
  syslog: false
zones:
EOF
	for z in $ZONES; do
		echo "  - name: $z"
		echo "    primaries: [\"127.0.0.1@$PPORT\"]"
	done
} >"$T_DIR/rodns.yaml"
t_spawn "$T_DIR/rodnsd.log" "$RODNSD" -c "$T_DIR/rodns.yaml"

serial() { # PORT ZONE
	dig +short +norec +time=1 +tries=1 -p "$1" @127.0.0.1 "$2" SOA 2>/dev/null |
		awk 'NF == 7 { print $3 }'
}
same_serial() { # PORT ZONE SERIAL
	[ "$(serial "$1" "$2")" = "$3" ]
}
for z in $ZONES; do
	s=$(serial "$PPORT" "$z")
	[ -n "$s" ] || t_abort "the primary does not serve $z"
	if ! wait_for 60 same_serial "$RPORT" "$z" "$s"; then
		tail -n 20 "$T_DIR/rodnsd.log" >&2
		t_abort "rodnsd did not load $z ($s)"
	fi
done
t_pass "rodnsd serves the primary's serials of $ZONES"

# ---------------------------------------------------------------- Unbound
# unbound_conf NAME PORT: a validating resolver in $T_DIR/NAME that trusts
# $T_DIR/ZONE.ds for each zone (or $T_DIR/ZONE.ds.NAME when that exists)
# and asks rodnsd, and only rodnsd, for the zones.
unbound_conf() {
	local name=$1 port=$2 d=$T_DIR/$1 z ta
	mkdir -p "$d"
	{
		cat <<EOF
server:
	verbosity: 1
	interface: 127.0.0.1@$port
	port: $port
	do-ip6: no
	do-daemonize: no
	use-syslog: no
	logfile: ""
	chroot: ""
	username: ""
	directory: "$d"
	pidfile: "$d/unbound.pid"
	do-not-query-localhost: no
	access-control: 127.0.0.0/8 allow
	module-config: "validator iterator"
	val-log-level: 2
	log-servfail: yes
	prefetch: no
	# every answer checked must come from rodnsd, not be synthesised from
	# cached NSEC records (RFC 8198)
	aggressive-nsec: no
	num-threads: 1
	outgoing-range: 64
	so-reuseport: no
	trust-anchor-signaling: no
	root-key-sentinel: no
	local-zone: "test." nodefault
EOF
		for z in $ZONES; do
			ta=$T_DIR/$z.ds
			[ -e "$ta.$name" ] && ta=$ta.$name
			echo "	trust-anchor: \"$(cat "$ta")\""
		done
		echo "remote-control:"
		echo "	control-enable: no"
		for z in $ZONES; do
			printf 'stub-zone:\n\tname: "%s"\n\tstub-addr: 127.0.0.1@%s\n' "$z" "$RPORT"
		done
	} >"$d/unbound.conf"
}
# start_unbound NAME PORT: starts it (stopped by t_cleanup); waits until it
# answers.
start_unbound() {
	local name=$1 port=$2
	unbound_conf "$name" "$port"
	if ! unbound-checkconf "$T_DIR/$name/unbound.conf" >"$T_DIR/$name.checkconf" 2>&1; then
		cat "$T_DIR/$name.checkconf" >&2
		return 1
	fi
	t_spawn "$T_DIR/$name.log" unbound -d -c "$T_DIR/$name/unbound.conf"
	if ! wait_for 20 dig +time=1 +tries=1 -p "$port" @127.0.0.1 version.server CH TXT; then
		tail -n 20 "$T_DIR/$name.log" >&2
		return 1
	fi
}
start_unbound unbound "$UPORT" || t_abort "unbound did not start"

# ask PORT NAME TYPE: dig through a resolver; sets RCODE, FLAGS (" qr rd ra
# ad "), AN (answer count) and OUT (the full output).
ask() {
	OUT=$(dig +dnssec +time=5 +tries=2 -p "$1" @127.0.0.1 "$2" "$3" 2>&1)
	RCODE=$(printf '%s\n' "$OUT" | sed -n 's/.*->>HEADER<<-.* status: \([A-Z]*\),.*/\1/p' | head -n 1)
	FLAGS=" $(printf '%s\n' "$OUT" | sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p' | head -n 1) "
	AN=$(printf '%s\n' "$OUT" | sed -n 's/^;; flags:.* ANSWER: \([0-9]*\),.*/\1/p' | head -n 1)
}

# expect NAME TYPE RCODE AD(1|0) ANSWER(any|none|some|TEXT): one check
# through the validating Unbound. TEXT must occur in an answer-section line.
expect() {
	local name=$1 type=$2 rc=$3 ad=$4 an=$5 why=""
	ask "$UPORT" "$name" "$type"
	[ "$RCODE" = "$rc" ] || why="$why RCODE $RCODE"
	if [ "$ad" = 1 ]; then
		[[ $FLAGS == *" ad "* ]] || why="$why AD clear"
	else
		[[ $FLAGS == *" ad "* ]] && why="$why AD set"
	fi
	case "$an" in
	any) ;;
	none) [ "${AN:-x}" = 0 ] || why="$why ANSWER ${AN:-?} (want 0)" ;;
	some) [ "${AN:-0}" -gt 0 ] || why="$why ANSWER ${AN:-?} (want >0)" ;;
	*) printf '%s\n' "$OUT" | sed -n '/ANSWER SECTION:/,/^$/p' | grep -qF -- "$an" ||
		why="$why answer lacks \"$an\"" ;;
	esac
	local what="$name $type -> $rc ad=$ad${an:+ answer $an}"
	if [ -z "$why" ]; then
		t_pass "$what"
	else
		t_fail "$what:$why (flags:$FLAGS)"
		printf '%s\n' "$OUT" | grep -v '^;; \(Query time\|SERVER\|WHEN\|MSG SIZE\)' >&2
		grep -i -- "validation failure\|servfail\|error" "$T_DIR/unbound.log" | tail -n 5 >&2
	fi
}

for z in $ZONES; do
	# RFC 5155 §9.2: denial that rests on an Opt-Out NSEC3 is insecure.
	oad=1
	[ "$z" = optout.val.test ] && oad=0
	expect "$z" SOA NOERROR 1 some
	expect "$z" DNSKEY NOERROR 1 some
	expect "$z" MX NOERROR 1 "mail.$z"
	expect "$z" TXT NOERROR 1 "v=spf1"
	expect "$z" NS NOERROR 1 "ns1.$z"
	expect "www-1.$z" A NOERROR 1 "10.0.1.1"
	expect "ns1.$z" AAAA NOERROR 1 "2001:db8::1"
	expect "_sip._tcp.$z" SRV NOERROR 1 "sip.$z"
	expect "big.$z" TXT NOERROR 1 "000000000000000000012"
	# nonexistent name; missing type; empty non-terminal
	expect "nothere.$z" A NXDOMAIN "$oad" none
	expect "zz.h37.grp2.$z" AAAA NXDOMAIN "$oad" none
	expect "mail.$z" AAAA NOERROR 1 none
	expect "ns2.$z" TXT NOERROR 1 none
	expect "ent.$z" A NOERROR 1 none
	expect "b.ent.$z" TXT NOERROR 1 none
	# wildcards: synthesised answer, synthesised NODATA, below an explicit
	# name (no synthesis), CNAME from a wildcard
	expect "foo.wild.$z" A NOERROR "$oad" "192.0.2.81"
	expect "a.b.wild.$z" TXT NOERROR "$oad" "wildcard"
	expect "foo.wild.$z" MX NOERROR "$oad" none
	expect "y.wild.$z" A NOERROR 1 none
	expect "any.wc.$z" A NOERROR "$oad" "10.0.1.1"
	expect "q.wdeep.ent2.$z" A NOERROR "$oad" "192.0.2.83"
	# CNAME chains: to a name, to a wildcard, to a nonexistent name; DNAME
	expect "c1.$z" A NOERROR 1 "10.0.1.1"
	expect "cwild.$z" AAAA NOERROR "$oad" "2001:db8::81"
	expect "cent.$z" A NOERROR 1 "b.ent.$z"
	expect "cdang.$z" A NXDOMAIN "$oad" "nothere.$z"
	expect "www.dn.$z" A NOERROR 1 "192.0.2.90"
	expect "cdname.$z" TXT NOERROR 1 "via dname"
	# DS: signed delegation; unsigned delegation (absence proven); unsigned
	# delegation below an empty non-terminal; signed one below an ENT
	expect "sub1.$z" DS NOERROR 1 "10001 13 2"
	expect "sub2.$z" DS NOERROR "$oad" none
	expect "deep.ent3.$z" DS NOERROR "$oad" none
	expect "deep2.ent3.$z" DS NOERROR 1 "4242 13 2"
	# a type that exists nowhere in the zone, asked at the apex
	expect "$z" NAPTR NOERROR 1 none
done

if grep -q "validation failure" "$T_DIR/unbound.log"; then
	t_fail "Unbound logged validation failures:"
	grep "validation failure" "$T_DIR/unbound.log" | head -n 10 >&2
else
	t_pass "Unbound logged no validation failure"
fi

# ---------------------------------------------------------------- negative control
# A wrong DS (last digest nibble changed) for every zone: all must be bogus.
for z in $ZONES; do
	awk '{ d = $NF; c = substr(d, length(d), 1); n = (c == "0") ? "1" : "0"
		$NF = substr(d, 1, length(d) - 1) n; print }' "$T_DIR/$z.ds" >"$T_DIR/$z.ds.bad"
done
if start_unbound bad "$BPORT"; then
	for z in $ZONES; do
		ask "$BPORT" "$z" SOA
		if [ "$RCODE" = SERVFAIL ] && [[ $FLAGS != *" ad "* ]]; then
			t_pass "wrong trust anchor: $z SOA -> SERVFAIL"
		else
			t_fail "wrong trust anchor: $z SOA -> $RCODE flags:$FLAGS (want SERVFAIL)"
		fi
	done
	if grep -q "validation failure" "$T_DIR/bad.log"; then
		t_pass "wrong trust anchor: Unbound logged a validation failure"
	else
		t_fail "wrong trust anchor: Unbound logged no validation failure"
	fi
else
	t_fail "second unbound (wrong trust anchor) did not start"
fi

# ---------------------------------------------------------------- dnsviz
dnsviz_zone() { # ZONE [TRUSTED-KEY-FILE]
	local z=$1 p=$T_DIR/dnsviz-$1 tk=${2:-$T_DIR/$1.dnskey}
	# the apex plus names that need a positive answer, a wildcard
	# expansion, a CNAME chain, NODATA at a name and at an empty
	# non-terminal (dnsviz adds its own nonexistent names); probed once
	if [ ! -s "$p.probe.json" ] &&
		! timeout 300 dnsviz probe -A -4 -E -x "$z+:ns1.$z=127.0.0.1:$RPORT" \
			-o "$p.probe.json" "$z" "www-1.$z" "foo.wild.$z" "c1.$z" "mail.$z" \
			"b.ent.$z" >"$p.probe.log" 2>&1; then
		DNSVIZ_WHY="dnsviz probe failed ($(tail -n 1 "$p.probe.log"))"
		rm -f "$p.probe.json"
		return 2
	fi
	if ! timeout 300 env ${DNSVIZ_PYPATH:+PYTHONPATH="$DNSVIZ_PYPATH"} \
		dnsviz grok -t "$tk" -r "$p.probe.json" \
		-o "$p.grok.json" >"$p.grok.log" 2>&1; then
		DNSVIZ_WHY="dnsviz grok failed ($(tail -n 1 "$p.grok.log"))"
		return 2
	fi
	python3 - "$p.grok.json" "$z" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
zone = sys.argv[2].rstrip(".") + "."
if zone not in doc:
    print("dnsviz grok: no entry for " + zone)
    sys.exit(1)
errors, warnings, statuses = [], [], {}
def walk(node, path):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "errors" and isinstance(v, list):
                errors.extend((path, e) for e in v)
            elif k == "warnings" and isinstance(v, list):
                warnings.extend((path, w) for w in v)
            elif k == "status" and isinstance(v, str):
                statuses[v] = statuses.get(v, 0) + 1
                if v in ("BOGUS", "INVALID", "INDETERMINATE", "EXPIRED", "PREMATURE"):
                    errors.append((path, {"description": "status " + v}))
            else:
                walk(v, path + "/" + str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            walk(v, path + "[%d]" % i)
for name in sorted(doc):
    walk(doc[name], name)
def text(x):
    return x.get("description", x) if isinstance(x, dict) else x
for path, w in warnings:
    print("  warning %s: %s" % (path, text(w)))
for path, e in errors:
    print("  ERROR %s: %s" % (path, text(e)))
# the trusted KSK must make the DNSKEY set and the apex answers secure
if statuses.get("SECURE", 0) == 0:
    errors.append((zone, "nothing SECURE"))
    print("  ERROR: nothing SECURE (trusted key not used?)")
print("dnsviz grok %s: %d names, statuses %s, %d errors, %d warnings" % (
    zone, len(doc), statuses, len(errors), len(warnings)))
sys.exit(1 if errors else 0)
EOF
}
# Debian 12's dnsviz 0.9.4 reads pygraphviz.release, which pygraphviz 1.7
# no longer has (dnsviz issue #98), and then refuses `grok -t`. A
# sitecustomize for its interpreter supplies that one attribute.
DNSVIZ_PYPATH=
dnsviz_shim() {
	local py
	py=$(sed -n '1s/^#! *\([^ ]*\).*/\1/p' "$(command -v dnsviz)")
	[ -x "${py:-/nonexistent}" ] || py=python3
	"$py" -c 'from pygraphviz import release' 2>/dev/null && return 0
	"$py" -c 'import pygraphviz' 2>/dev/null || return 0
	mkdir -p "$T_DIR/pyshim"
	cat >"$T_DIR/pyshim/sitecustomize.py" <<'EOF'
import sys, types
try:
    import pygraphviz
    if not hasattr(pygraphviz, "release"):
        release = types.ModuleType("pygraphviz.release")
        release.version = pygraphviz.__version__
        sys.modules["pygraphviz.release"] = release
        pygraphviz.release = release
except ImportError:
    pass
EOF
	DNSVIZ_PYPATH=$T_DIR/pyshim
}
if ! command -v dnsviz >/dev/null 2>&1; then
	t_skip "dnsviz is not installed (make deps): probe/grok not run"
else
	dnsviz_shim
	for z in $ZONES; do
		DNSVIZ_WHY=
		dnsviz_zone "$z" >"$T_DIR/dnsviz-$z.result" 2>&1
		rc=$?
		cat "$T_DIR/dnsviz-$z.result" >&2
		case $rc in
		0) t_pass "dnsviz probe+grok $z: no errors" ;;
		2) t_skip "dnsviz $z: $DNSVIZ_WHY" ;;
		*) t_fail "dnsviz probe+grok $z: errors reported" ;;
		esac
	done
	# control: nsec3.val.test's data with nsec.val.test's KSK as the only
	# trusted key must not come out secure
	if [ -s "$T_DIR/dnsviz-nsec3.val.test.probe.json" ]; then
		dnsviz_zone nsec3.val.test "$T_DIR/nsec.val.test.dnskey" >"$T_DIR/dnsviz-control.result" 2>&1
		rc=$?
		if [ "$rc" = 1 ] && grep -q "nothing SECURE" "$T_DIR/dnsviz-control.result"; then
			t_pass "dnsviz control: a wrong trusted key leaves nsec3.val.test not SECURE"
		else
			cat "$T_DIR/dnsviz-control.result" >&2
			t_fail "dnsviz control: a wrong trusted key was not noticed (rc $rc)"
		fi
	fi
fi
v_summary
