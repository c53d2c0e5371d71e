#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# t_deb: the Debian package. Builds it with `dpkg-buildpackage -us -uc -b`
# in a copy of the tree (never in the work tree), installs it with dpkg -i,
# checks what an administrator meets after installing (the rodns user,
# /etc/rodns/rodns.yaml from the example and passing `rodnsd -t`, the
# manual pages, the unit installed but neither enabled nor started,
# rodnsctl's exit status with no daemon, an edited configuration kept on
# reinstall), then purges it and checks what purge removes. The machine is
# left as found: purged on any exit, and the rodns user and group are
# removed again when this test created them.
# Skipped when not root, when the build tools are missing, or when a rodns
# package or its files are already there (this test would replace them).
# Takes about a minute (the build is most of it).
# SC2016: the bash -c bodies expand in the child; SC2317: functions run via t_check.
# shellcheck disable=SC2016,SC2317
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
t_init deb

T_SKIP=0
t_skip() {
	T_SKIP=1
	t_cleanup
	echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped ($*)"
	exit 0
}

[ "$(id -u)" = 0 ] || t_skip "not root: cannot install a package"
for c in dpkg-buildpackage dh dpkg-deb scdoc man adduser deluser; do
	command -v "$c" >/dev/null || t_skip "no $c (scripts/deps.sh installs it)"
done
if dpkg-query -W -f='${Status}' rodns 2>/dev/null | grep -q 'installed'; then
	t_skip "a rodns package is installed on this machine already"
fi
# purge would remove these: never someone else's
for f in /etc/rodns/rodns.yaml /var/lib/rodns /var/log/rodns; do
	[ -e "$f" ] && t_skip "$f exists on this machine (purge would remove it)"
done

# what to restore
HAD_USER=0
getent passwd rodns >/dev/null && HAD_USER=1
HAD_GROUP=0
getent group rodns >/dev/null && HAD_GROUP=1
INSTALLED=0

# purge (if installed) and restore, then lib.sh's cleanup
eval "$(declare -f t_cleanup | sed '1s/^t_cleanup/t_cleanup_lib/')"
t_cleanup() {
	if [ "$INSTALLED" = 1 ]; then
		dpkg --purge rodns >"$T_DIR/purge-cleanup.log" 2>&1 || cat "$T_DIR/purge-cleanup.log" >&2
		INSTALLED=0
	fi
	if [ "$HAD_USER" = 0 ] && getent passwd rodns >/dev/null; then
		deluser --quiet --system rodns >/dev/null 2>&1
	fi
	if [ "$HAD_GROUP" = 0 ] && getent group rodns >/dev/null; then
		delgroup --quiet --system rodns >/dev/null 2>&1
	fi
	t_cleanup_lib
}

# ---------------------------------------------------------------- build
SRC=$T_DIR/src
mkdir -p "$SRC"
for e in "$RODNS_TOP"/* "$RODNS_TOP"/.[!.]*; do
	[ -e "$e" ] || continue
	case $(basename "$e") in
	build | build-asan | build-fuzz | .git) continue ;;
	esac
	cp -a "$e" "$SRC/" || t_abort "cannot copy the tree ($e)"
done
# a build left in the work tree's debian/ must not leak into this one
rm -rf "$SRC/debian/rodns" "$SRC/debian/.debhelper" "$SRC/debian/tmp" \
	"$SRC/debian/files" "$SRC"/debian/*.substvars "$SRC"/debian/*.debhelper.log

start=$(date +%s)
(cd "$SRC" && dpkg-buildpackage -us -uc -b) >"$T_DIR/build.log" 2>&1
rc=$?
echo "     (dpkg-buildpackage took $(($(date +%s) - start))s)"
if [ "$rc" != 0 ]; then
	tail -n 30 "$T_DIR/build.log"
	t_abort "dpkg-buildpackage -us -uc -b (exit $rc)"
fi
t_pass "dpkg-buildpackage -us -uc -b in a copy of the tree"

DEB=$(find "$T_DIR" -maxdepth 1 -name "rodns_*_*.deb" | head -n 1)
[ -n "$DEB" ] || t_abort "no rodns_*.deb was built"

contents() { dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's|^\./|/|'; }
has_file() { contents | grep -qx "$1"; }
for f in /usr/sbin/rodnsd /usr/sbin/rodnsctl /lib/systemd/system/rodnsd.service \
	/usr/share/man/man8/rodnsd.8.gz /usr/share/man/man8/rodnsctl.8.gz \
	/usr/share/man/man5/rodns.yaml.5.gz /usr/share/rodns/rodns.example.yaml; do
	t_check "the package holds $f" has_file "$f"
done
t_check "the package puts nothing in /etc (postinst makes rodns.yaml)" \
	bash -c "! dpkg-deb -c '$DEB' | awk '{print \$6}' | grep -q '^\./etc/.'"
depends=$(dpkg-deb -f "$DEB" Depends)
t_check "Depends has the shared libraries (libssl3, libev4, libsqlite3-0, libyaml-0-2) and adduser" \
	bash -c "for d in libssl3 libev4 libsqlite3-0 libyaml-0-2 adduser; do
		grep -q \"\\b\$d\\b\" <<<'$depends' || exit 1; done"

# ---------------------------------------------------------------- install
INSTALLED=1
if ! dpkg -i "$DEB" >"$T_DIR/install.log" 2>&1; then
	cat "$T_DIR/install.log"
	t_abort "dpkg -i"
fi
t_pass "dpkg -i $(basename "$DEB")"

t_check "the rodns system user and group exist" \
	bash -c 'u=$(getent passwd rodns) && getent group rodns >/dev/null &&
		[ "$(echo "$u" | cut -d: -f3)" -lt 1000 ] && [ "$(echo "$u" | cut -d: -f6)" = /var/lib/rodns ]'
t_check "/var/lib/rodns is rodns's, mode 0700" \
	bash -c '[ "$(stat -c %U:%a /var/lib/rodns)" = rodns:700 ]'
t_check "/etc/rodns/rodns.yaml is the example, root:rodns mode 0640" \
	bash -c 'cmp -s /etc/rodns/rodns.yaml /usr/share/rodns/rodns.example.yaml &&
		[ "$(stat -c %U:%G:%a /etc/rodns/rodns.yaml)" = root:rodns:640 ]'
out=$(/usr/sbin/rodnsd -t -c /etc/rodns/rodns.yaml 2>&1)
rc=$?
echo "     $out" | head -n 5
t_check "rodnsd -t -c /etc/rodns/rodns.yaml: the installed configuration checks" [ "$rc" = 0 ]
t_check "man -w rodnsd finds the installed page" \
	bash -c '[ "$(man -w rodnsd)" = /usr/share/man/man8/rodnsd.8.gz ]'
t_check "man -w rodnsctl and man -w 5 rodns.yaml too" \
	bash -c 'man -w rodnsctl >/dev/null && [ "$(man -w 5 rodns.yaml)" = /usr/share/man/man5/rodns.yaml.5.gz ]'
t_check "the pages render without warnings" \
	bash -c '! { MANWIDTH=80 man --warnings -l /usr/share/man/man8/rodnsd.8.gz \
		/usr/share/man/man8/rodnsctl.8.gz /usr/share/man/man5/rodns.yaml.5.gz 2>&1 >/dev/null | grep .; }'
t_check "the unit runs /usr/sbin/rodnsd -c /etc/rodns/rodns.yaml" \
	grep -qx 'ExecStart=/usr/sbin/rodnsd -c /etc/rodns/rodns.yaml' /lib/systemd/system/rodnsd.service
t_check "the unit is not enabled" \
	bash -c '! ls /etc/systemd/system/*.wants/rodnsd.service >/dev/null 2>&1'
t_check "rodnsd was not started" bash -c '! pgrep -x rodnsd -u rodns >/dev/null'
/usr/sbin/rodnsctl status >"$T_DIR/ctl.out" 2>&1
rc=$?
t_check "rodnsctl status with no daemon: exit 3 (unreachable), socket from /etc/rodns/rodns.yaml" \
	bash -c "[ $rc = 3 ] && grep -q /run/rodns/control.sock '$T_DIR/ctl.out'"
t_check "rodnsctl -h: exit 0" bash -c '/usr/sbin/rodnsctl -h >/dev/null'

echo "# edited by t_deb" >>/etc/rodns/rodns.yaml
dpkg -i "$DEB" >"$T_DIR/reinstall.log" 2>&1
rc=$?
t_check "reinstalling keeps an edited /etc/rodns/rodns.yaml" \
	bash -c "[ $rc = 0 ] && grep -qx '# edited by t_deb' /etc/rodns/rodns.yaml"

# ---------------------------------------------------------------- purge
dpkg --purge rodns >"$T_DIR/purge.log" 2>&1
rc=$?
[ "$rc" = 0 ] && INSTALLED=0
t_check "dpkg --purge rodns" [ "$rc" = 0 ]
t_check "purge removed the programs, the unit and the manual pages" \
	bash -c '! [ -e /usr/sbin/rodnsd ] && ! [ -e /usr/sbin/rodnsctl ] &&
		! [ -e /lib/systemd/system/rodnsd.service ] && ! [ -e /usr/share/man/man8/rodnsd.8.gz ]'
t_check "purge removed /etc/rodns/rodns.yaml and /var/lib/rodns" \
	bash -c '! [ -e /etc/rodns/rodns.yaml ] && ! [ -e /var/lib/rodns ]'
t_check "dpkg no longer knows rodns" \
	bash -c '! dpkg-query -W -f="\${Status}" rodns 2>/dev/null | grep -q installed'

t_summary
