#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# `make bench`: runs each benchmark in turn and prints its key=value lines.
# Figures, not tests: nothing here fails because a machine is slow. Keep it
# sequential (benchmarks running side by side measure each other); add a
# block per benchmark or peer server below.
#
#   RODNS_BUILD          build directory (default: build)
#   BENCH_STORE_RRS      RRs bench_store loads (default: 1000000)
#   BENCH_STORE_LOOKUPS  random lookups it makes (default: 1000000)
set -eu
BUILD=${RODNS_BUILD:-build}

echo "== store: SQLite zone store, signed zone in one transaction, then point lookups"
"$BUILD/bench/bench_store" "${BENCH_STORE_RRS:-1000000}" "${BENCH_STORE_LOOKUPS:-1000000}"

echo "== peers: rodns vs Knot DNS vs NSD, secondaries of one BIND primary"
bash "$(dirname "$0")/peers.sh"
