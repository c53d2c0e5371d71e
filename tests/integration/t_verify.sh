#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# t_verify: `rodnsctl verify ZONE` re-checks a stored zone against its trust
# anchor and catches tampering of the SQLite file itself. The zone is a
# BIND-signed fixture (tests/data/validate) loaded into a store with
# rodns-validate -l; the tampering is an UPDATE straight into the file.
# shellcheck disable=SC2317
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
t_init verify

CTL=$RODNS_BUILD/rodnsctl
VAL=$RODNS_BUILD/tools/rodns-validate
FIX=$RODNS_TOP/tests/data/validate
for b in "$CTL" "$VAL"; do [ -x "$b" ] || t_abort "no $b (run make all)"; done
command -v sqlite3 >/dev/null || t_abort "sqlite3 is not installed"

for zone in nsec.val.test nsec3.val.test; do
	mkdir -p "$T_DIR/$zone"
	store=$T_DIR/$zone/rodns.sqlite
	# the fixtures are signed for 2025..2035: validate "now" inside that
	"$VAL" -n 1800000000 -l "$FIX/$zone.gen" "$store" "$zone" "$FIX/$zone.ds" \
		>"$T_DIR/$zone.load" 2>&1 || t_fail "$zone: loading the fixture"
	cat >"$T_DIR/$zone.yaml" <<YAML
server:
  listen: ["127.0.0.1@53"]
  state-dir: $T_DIR/$zone
  user: root
zones:
  - name: $zone
    primaries: ["127.0.0.1@53"]
    validate: yes
    trust-anchor: $FIX/$zone.ds
YAML
	out=$T_DIR/$zone.out
	"$CTL" -c "$T_DIR/$zone.yaml" verify "$zone" >"$out" 2>&1
	rc=$?
	sed 's/^/  | /' "$out"
	# the fixtures' signatures are valid until 2035 and from 2025 on
	t_check "$zone: the stored zone verifies (exit 0)" [ "$rc" -eq 0 ]
	t_check "$zone: and says valid" grep -q ': valid$' "$out"
	# one A record changed in the file, its RRSIG left as it was
	sqlite3 "$store" "UPDATE rr SET rdata = X'C0000263' WHERE zone = (SELECT id FROM zones LIMIT 1) AND type = 1
		AND okey = (SELECT okey FROM rr WHERE type = 1 ORDER BY okey LIMIT 1 OFFSET 3);" \
		2>"$T_DIR/$zone.sql" || t_fail "$zone: tampering with the file ($(cat "$T_DIR/$zone.sql"))"
	"$CTL" -c "$T_DIR/$zone.yaml" verify "$zone" >"$out" 2>&1
	rc=$?
	sed 's/^/  | /' "$out"
	t_check "$zone: after tampering with the file, verify exits 2" [ "$rc" -eq 2 ]
	t_check "$zone: and names the bad signature" grep -q 'BOGUS: .* A: bad signature' "$out"
done
t_check "an unknown zone is refused (exit 4)" bash -c \
	"'$CTL' -c '$T_DIR/nsec.val.test.yaml' verify nothere.test; [ \$? -eq 4 ]"
t_summary
