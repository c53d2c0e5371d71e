#!/bin/sh
# tests/bench/deps.sh — installs the Debian 12 packages the peer benchmark
# (tests/bench/peers.sh) needs: the BIND primary and tools, the peer
# secondaries (Knot DNS, NSD), dnsperf, and the helpers the script uses.
# Idempotent: does nothing when everything is installed; otherwise one
# `apt-get update`, then one `apt-get install` of what is missing. Daemons
# from these packages are kept from starting on their own (policy-rc.d):
# the benchmark runs its own instances with their own configs and ports.
set -eu
PKGS="bind9 bind9-utils bind9-dnsutils knot knot-dnsutils nsd dnsperf
iproute2 procps util-linux time bc gawk python3"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "bench deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod +x /usr/sbin/policy-rc.d
fi
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
