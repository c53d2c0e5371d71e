#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# t_docs: the documentation matches the code.
#   - every key the configuration parser accepts (the conf_key_t tables in
#     conf/*.c) is described in its section of man/rodns.yaml.5.scd, with a
#     default (or "Required"), and appears in its section of
#     conf/rodns.example.yaml; and no page or example documents a key the
#     parser does not accept;
#   - rodnsd's options, rodnsctl's commands and exit codes, and every event
#     id (daemon/event.h) are in the manual pages;
#   - scdoc renders the three pages, and man renders them without warnings;
#   - the relative links in README.md and docs/*.md lead to files.
# Needs scdoc (scripts/deps.sh) and nothing else; starts no server.
# SC2013: every list read here is one word per item.
# shellcheck disable=SC2013
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
t_init docs

TOP=$RODNS_TOP
MAN5=$TOP/man/rodns.yaml.5.scd
MAN_D=$TOP/man/rodnsd.8.scd
MAN_C=$TOP/man/rodnsctl.8.scd
EXAMPLE=$TOP/conf/rodns.example.yaml

# "TABLE KEY" for every entry of every conf_key_t table in conf/*.c.
awk '
	/^static const conf_key_t [a-z_]+\[\] = \{/ {
		t = $4; sub(/\[\].*/, "", t); next
	}
	t && /^};/ { t = ""; next }
	t && match($0, /^[ \t]*\{ "[a-z0-9-]+"/) {
		k = substr($0, RSTART, RLENGTH); sub(/^[ \t]*\{ "/, "", k); sub(/"$/, "", k)
		print t, k
	}
' "$TOP"/conf/*.c >"$T_DIR/keys"
n_keys=$(wc -l <"$T_DIR/keys")
t_check "the parser's key tables were found ($n_keys keys in $(cut -d' ' -f1 "$T_DIR/keys" | sort -u | wc -l) tables)" \
	[ "$n_keys" -ge 50 ]

# table -> the man page's section heading and the example's YAML block
# (a top-level key whose block holds the table's keys; "-" for the top level)
man_section() {
	case $1 in
	root_keys) echo "TOP LEVEL" ;;
	server_keys) echo SERVER ;;
	rrl_keys) echo RRL ;;
	log_keys) echo LOG ;;
	events_keys) echo EVENTS ;;
	tsig_keys) echo TSIG-KEYS ;;
	tls_keys) echo TLS ;;
	zone_keys) echo ZONES ;;
	primary_keys) echo PRIMARIES ;;
	*) return 1 ;;
	esac
}
yaml_block() {
	case $1 in
	root_keys) echo - ;;
	server_keys | rrl_keys) echo server ;;
	log_keys) echo log ;;
	events_keys) echo events ;;
	tsig_keys) echo tsig-keys ;;
	tls_keys) echo tls ;;
	zone_keys | primary_keys) echo zones ;;
	*) return 1 ;;
	esac
}

# man_text SECTION: the page's text from "# SECTION" to the next heading.
man_text() {
	awk -v h="# $1" '$0 == h { on = 1; next } /^# / { on = 0 } on' "$MAN5"
}
# yaml_text BLOCK: the example's lines of that top-level block (comments
# included: keys shown commented out count); "-": the top-level lines.
yaml_text() {
	if [ "$1" = - ]; then
		grep -E '^[a-z]' "$EXAMPLE"
	else
		awk -v b="$1:" '$1 == b && /^[a-z]/ { on = 1; next } /^[a-z]/ { on = 0 } on' "$EXAMPLE"
	fi
}
# man_entry SECTION KEY: the term line "*KEY*: ..." and its indented text.
man_entry() {
	man_text "$1" | awk -v k="*$2*:" '
		index($0, k) == 1 { on = 1; print; next }
		on && /^\t/ { print; next }
		on { exit }'
}

bad_map="" missing_man="" no_default="" missing_yaml=""
while read -r table key; do
	sec=$(man_section "$table") || { bad_map="$bad_map $table"; continue; }
	blk=$(yaml_block "$table")
	entry=$(man_entry "$sec" "$key")
	if [ -z "$entry" ]; then
		missing_man="$missing_man $sec/$key"
	elif ! grep -qE 'Default|Required' <<<"$entry"; then
		no_default="$no_default $sec/$key"
	fi
	if [ "$blk" = - ]; then
		grep -qE "^$key:" <<<"$(yaml_text -)" || missing_yaml="$missing_yaml $key"
	else
		yaml_text "$blk" | grep -qE "(^|[[:space:]{,#-])$key:" ||
			missing_yaml="$missing_yaml $blk/$key"
	fi
done <"$T_DIR/keys"
t_check "every key table maps to a section of rodns.yaml(5)${bad_map:+ (not:$bad_map)}" [ -z "$bad_map" ]
t_check "every key is described in its section of man/rodns.yaml.5.scd${missing_man:+ (missing:$missing_man)}" \
	[ -z "$missing_man" ]
t_check "every key's description gives its default or says Required${no_default:+ (not:$no_default)}" \
	[ -z "$no_default" ]
t_check "every key appears in its block of conf/rodns.example.yaml${missing_yaml:+ (missing:$missing_yaml)}" \
	[ -z "$missing_yaml" ]

# the other way: a documented key the parser does not know
extra=""
for table in $(cut -d' ' -f1 "$T_DIR/keys" | sort -u); do
	sec=$(man_section "$table") || continue
	for k in $(man_text "$sec" | sed -nE 's/^\*([a-z0-9-]+)\*:.*/\1/p'); do
		grep -qx "$table $k" "$T_DIR/keys" || extra="$extra $sec/$k"
	done
done
t_check "rodns.yaml(5) documents no key the parser rejects${extra:+ (unknown:$extra)}" [ -z "$extra" ]

# example keys the parser does not know (mapping keys of the live YAML:
# "  key:" or "{ key: ..., key2: ..." outside comments)
extra=""
for k in $(sed -e 's/#.*//' "$EXAMPLE" | grep -oE '(^[[:space:]-]*|[{,][[:space:]]*)[a-z][a-z0-9-]*:' |
	sed -E 's/^[[:space:]{,-]*//; s/:$//' | sort -u); do
	grep -qE " $k\$" "$T_DIR/keys" || extra="$extra $k"
done
t_check "conf/rodns.example.yaml uses no key the parser rejects${extra:+ (unknown:$extra)}" [ -z "$extra" ]

# ---------------------------------------------------------------- programs
miss=""
for o in $(grep -oE '^\s+"?\s*-[a-z] ' "$TOP/daemon/rodnsd_main.c" | grep -oE -- '-[a-z]'); do
	grep -qF -- "*$o*" "$MAN_D" || miss="$miss $o"
done
t_check "rodnsd(8) has every option of rodnsd's usage${miss:+ (missing:$miss)}" [ -z "$miss" ]

cmds=$(sed -n '/^static bool known/,/^}/p' "$TOP/daemon/rodnsctl_main.c" | grep -oE '"[a-z-]+"' | tr -d '"' | sort -u)
miss=""
for c in $cmds; do
	grep -qE "^\*$c\*" "$MAN_C" || miss="$miss $c"
done
t_check "rodnsctl(8) describes every command ($(echo "$cmds" | wc -w))${miss:+ (missing:$miss)}" \
	bash -c "[ -z '$miss' ] && [ $(echo "$cmds" | wc -w) -ge 10 ]"

miss=""
for n in $(grep -oE 'EXIT_[A-Z]+ = [0-9]+' "$TOP/daemon/rodnsctl_main.c" | awk '{print $3}'); do
	grep -qx "\*$n\*" "$MAN_C" || miss="$miss $n"
done
t_check "rodnsctl(8) lists every exit status${miss:+ (missing:$miss)}" [ -z "$miss" ]

miss=""
for id in $(grep -oE '= [0-9]{4},' "$TOP/daemon/event.h" | grep -oE '[0-9]+'); do
	grep -qE "^- $id " "$MAN_D" || miss="$miss $id"
done
t_check "rodnsd(8) lists every event id of daemon/event.h${miss:+ (missing:$miss)}" [ -z "$miss" ]

# ---------------------------------------------------------------- rendering
if command -v scdoc >/dev/null; then
	for p in "$MAN5" "$MAN_D" "$MAN_C"; do
		n=$(basename "$p" .scd)
		if scdoc <"$p" >"$T_DIR/$n" 2>"$T_DIR/$n.err" && [ -s "$T_DIR/$n" ]; then
			t_pass "scdoc renders $n"
		else
			t_fail "scdoc renders $n: $(head -c 300 "$T_DIR/$n.err")"
			rm -f "$T_DIR/$n"
		fi
		if command -v man >/dev/null && [ -s "$T_DIR/$n" ]; then
			t_check "man renders $n without warnings" \
				bash -c "! { MANWIDTH=80 man --warnings -l '$T_DIR/$n' 2>&1 >/dev/null | grep .; }"
		fi
	done
else
	t_fail "scdoc is not installed (scripts/deps.sh installs it)"
fi

# ---------------------------------------------------------------- links
broken=""
for md in "$TOP/README.md" "$TOP"/docs/*.md; do
	[ -f "$md" ] || continue
	d=$(dirname "$md")
	for l in $(grep -oE '\]\([^)#[:space:]]+' "$md" | sed 's/^](//' | grep -vE '^[a-z]+:'); do
		[ -e "$d/$l" ] || broken="$broken ${md#"$TOP"/}:$l"
	done
done
t_check "relative links in README.md and docs/*.md lead to files${broken:+ (broken:$broken)}" [ -z "$broken" ]

t_summary
