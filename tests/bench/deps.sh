#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# tests/bench/deps.sh — the Debian 12 packages the peer benchmark
# (tests/bench/peers.sh) needs on top of the project's own (scripts/deps.sh,
# which installs idempotently and keeps daemons from starting on their own):
# NSD as a peer secondary, dnsperf for load, and the helpers the script uses.
set -eu
exec sh "$(dirname "$0")/../../scripts/deps.sh" nsd dnsperf util-linux time gawk
