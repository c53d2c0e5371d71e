/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Test zones for tests/serve/check_answer.c: RRs from one-line text, a
 * stand-in signer (RRSIGs with dummy signatures, NSEC or NSEC3 chains with
 * optional Opt-Out), and loading the result into a fresh store. */
#ifndef RODNS_TESTS_SERVE_ANSWER_ZONE_H
#define RODNS_TESTS_SERVE_ANSWER_ZONE_H

#include <stdbool.h>
#include <stdint.h>

#include "dns/rr.h"
#include "store/store.h"

enum tz_denial { TZ_UNSIGNED, TZ_NSEC, TZ_NSEC3, TZ_NSEC3_OPTOUT };

#define TZ_SALT	      "\xab\xcd"
#define TZ_SALT_LEN   2
#define TZ_ITERATIONS 3

/* Starts a zone at apex (text, absolute). */
void tz_begin(const char *apex);
/* Adds one RR: "owner ttl TYPE rdata" with owner and names relative to the
 * apex unless they end in a dot. Types: A AAAA NS CNAME DNAME MX TXT SOA
 * DS DNSKEY. Aborts the test on a syntax error. */
void tz_rr(const char *line);
/* Signs what was added (RRSIGs, then the denial chain). */
void tz_sign(enum tz_denial d);
/* Writes the zone into a new store at path; returns its zone id. */
int64_t tz_store(const char *path);

#endif
