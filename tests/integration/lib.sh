# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the rodns authors
# shellcheck shell=bash
# tests/integration/lib.sh — helpers for the integration tests. Source it from
# a test (bash):
#
#	. "$(dirname "$0")/lib.sh"
#	t_init printer              # temp dir in $T_DIR, cleanup trap, counters
#	port=$(free_port)
#	start_named ns1 "$T_DIR/named.conf" || t_abort "named did not start"
#	t_check "transfer works" some_command args...
#	t_summary                   # "N passed, N failed" as the last line; exits
#
# Rules every test follows (tests/integration/run.sh adds up the summaries):
#   - everything lives in $T_DIR (mktemp -d), removed on exit unless
#     T_KEEP=1 is set (then its path is printed, for post-mortems);
#   - ports are picked at random from 20000-32699 and checked free with ss
#     (5301-5305, the lab's ports, are never in that range);
#   - only processes started through t_spawn/start_named are stopped, by the
#     PID recorded when they were started, on normal exit and on failure
#     (EXIT, INT, TERM, HUP).
#
# Environment: RODNS_BUILD (absolute build dir, default $RODNS_TOP/build),
# RODNS_TOP (project root, default two levels above this file).

T_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${RODNS_TOP:=$(cd "$T_LIB_DIR/../.." && pwd)}"
: "${RODNS_BUILD:=$RODNS_TOP/build}"
export RODNS_TOP RODNS_BUILD

T_PASS=0
T_FAIL=0
T_PIDS=()
T_NAME=unnamed
T_DIR=

# t_init NAME: creates $T_DIR and installs the cleanup trap.
t_init() {
	T_NAME=$1
	T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rodns-$T_NAME.XXXXXX") || {
		echo "$T_NAME: mktemp failed" >&2
		echo "0 passed, 1 failed"
		exit 1
	}
	trap t_cleanup EXIT
	trap 't_cleanup; exit 130' INT
	trap 't_cleanup; exit 143' TERM HUP
}

# t_stop PID [SECONDS]: SIGTERM, wait up to SECONDS (default 10) for it to
# exit, then SIGKILL. Only ever called on PIDs this test started.
t_stop() {
	local pid=$1 limit=${2:-10} i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < limit * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

t_cleanup() {
	local pid
	trap - EXIT INT TERM HUP
	for pid in "${T_PIDS[@]}"; do
		t_stop "$pid"
	done
	T_PIDS=()
	if [ -n "$T_DIR" ] && [ -d "$T_DIR" ]; then
		if [ "${T_KEEP:-0}" = 1 ]; then
			echo "$T_NAME: kept $T_DIR" >&2
		else
			rm -rf "$T_DIR"
		fi
	fi
}

# t_spawn LOGFILE CMD [ARGS...]: runs CMD in the background with stdout and
# stderr to LOGFILE, records its PID for cleanup, sets T_LAST_PID.
t_spawn() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 </dev/null &
	T_LAST_PID=$!
	T_PIDS+=("$T_LAST_PID")
}

# free_port: prints a port in 20000-32699 on which nothing listens (TCP or
# UDP) and that this test has not handed out before. The range stays below
# Linux's ephemeral ports (32768-60999), which outgoing connections of any
# process may take between this check and the bind. Callers take the port
# with P=$(free_port), a subshell, so the ports handed out are kept in a
# file in $T_DIR (after t_init), not only in a variable.
T_PORTS_GIVEN=" "
free_port() {
	local p i given=$T_PORTS_GIVEN
	if [ -n "$T_DIR" ] && [ -f "$T_DIR/.ports" ]; then
		given="$given$(tr '\n' ' ' <"$T_DIR/.ports")"
	fi
	for ((i = 0; i < 200; i++)); do
		p=$((20000 + RANDOM % 12700))
		case "$given" in *" $p "*) continue ;; esac
		if [ -z "$(ss -Htuln "sport = :$p" 2>/dev/null)" ]; then
			T_PORTS_GIVEN="$T_PORTS_GIVEN$p "
			if [ -n "$T_DIR" ]; then echo "$p" >>"$T_DIR/.ports"; fi
			echo "$p"
			return 0
		fi
	done
	echo "free_port: no free port found" >&2
	return 1
}

# wait_for SECONDS CMD [ARGS...]: runs CMD every 0.1 s until it succeeds (0)
# or SECONDS pass (1).
wait_for() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# wait_log SECONDS FILE PATTERN: waits until FILE has a line matching the
# fixed string PATTERN.
wait_log() {
	wait_for "$1" grep -qF -- "$3" "$2"
}

# start_named NAME CONF [SECONDS]: runs `named -g -c CONF` (foreground, logs
# to stderr) with its log in $T_DIR/NAME.log, and waits (default 30 s) for
# " running" in the log. Sets NAMED_PID. On failure prints the log's tail,
# stops it and returns 1. The config should set its own directory, pid-file
# (or none), session-keyfile and `controls { };` so that nothing outside
# $T_DIR is touched and no rndc port is opened.
start_named() {
	local name=$1 conf=$2 limit=${3:-30} log="$T_DIR/$1.log" i
	t_spawn "$log" /usr/sbin/named -g -c "$conf"
	NAMED_PID=$T_LAST_PID
	for ((i = 0; i < limit * 10; i++)); do
		grep -qE ' running$' "$log" 2>/dev/null && return 0
		kill -0 "$NAMED_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "$T_NAME: named $name did not start; its log ends:" >&2
	tail -n 20 "$log" >&2
	t_stop "$NAMED_PID"
	return 1
}

# Counters. t_pass/t_fail MSG record one result and print a line for it.
t_pass() {
	T_PASS=$((T_PASS + 1))
	echo "ok   $*"
}

t_fail() {
	T_FAIL=$((T_FAIL + 1))
	echo "FAIL $*"
}

# t_check MSG CMD [ARGS...]: one result from CMD's exit status.
t_check() {
	local msg=$1
	shift
	if "$@"; then t_pass "$msg"; else t_fail "$msg"; fi
}

# t_abort MSG: counts one failure, cleans up, prints the summary, exits 1.
# For setup steps after which nothing else can be tested.
t_abort() {
	t_fail "$*"
	t_summary
}

# t_summary: cleans up, then prints "N passed, N failed" alone on the last
# line and exits (0 when nothing failed, 1 otherwise).
t_summary() {
	t_cleanup
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ] && exit 0
	exit 1
}
