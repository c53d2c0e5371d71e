#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# Installs the Debian 12 packages that building, testing and the demo need,
# plus any package names given as arguments (tests/bench/deps.sh adds the
# benchmark's). Idempotent: does nothing when everything is already
# installed. Needs root (or sudo) only when something is missing.
set -eu
PKGS="build-essential pkg-config clang libclang-rt-14-dev clang-format
libssl-dev libev-dev libsqlite3-dev sqlite3 libyaml-dev check
bind9 bind9-utils bind9-dnsutils knot knot-dnsutils ldnsutils
iproute2 procps psmisc bc python3
strongswan-charon strongswan-swanctl libcharon-extra-plugins
libstrongswan-standard-plugins tcpdump unbound dnsviz
scdoc dpkg-dev debhelper man-db prometheus curl"
PKGS="$PKGS $*"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
# Daemons from these packages (named) must not start on their own: the tests
# start their own instances with their own configs and ports.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod +x /usr/sbin/policy-rc.d
fi
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
