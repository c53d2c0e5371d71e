/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Response rate limiting, in the manner of Knot's and NSD's RRL: answers
 * over UDP are counted per client prefix (IPv4 /24, IPv6 /56 by default)
 * and answer class in a token bucket that holds `rate` tokens and refills
 * at `rate` per second. An answer without a token is dropped, except every
 * `slip`-th, which goes out truncated (TC, no records) so that a real
 * client behind a spoofed flood still gets its answer over TCP, where
 * spoofing does not work. The table is shared by all query workers (a
 * client's questions are spread over workers by name), in stripes with a
 * lock each, indexed by a SipHash of prefix and class under a random key;
 * two prefixes that meet in one bucket share it until it is full again. */
#ifndef RODNS_SERVE_RRL_H
#define RODNS_SERVE_RRL_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>

#include "conf/conf.h"

typedef enum {
	SERVE_RRL_POSITIVE, /* NOERROR with data or NODATA */
	SERVE_RRL_NXDOMAIN,
	SERVE_RRL_REFERRAL, /* NOERROR, not authoritative, NS in authority */
	SERVE_RRL_ERROR,    /* any other RCODE */
	SERVE_RRL__N,
} serve_rrl_class_t;

typedef enum {
	SERVE_RRL_PASS,
	SERVE_RRL_DROP,
	SERVE_RRL_SLIP,
} serve_rrl_verdict_t;

typedef struct serve_rrl serve_rrl_t;

typedef struct {
	_Atomic uint64_t passed, dropped, slipped;
} serve_rrl_stats_t;

/* NULL when rate is 0 (off) or without memory. */
serve_rrl_t *serve_rrl_new(const conf_rrl_t *c);
void serve_rrl_free(serve_rrl_t *r);

/* The class of a response (its header and sections). */
serve_rrl_class_t serve_rrl_classify(const uint8_t *resp, size_t len);

/* Counts one answer of class cls to from at now_ms (a monotonic clock in
 * milliseconds). Exempt sources always pass. */
serve_rrl_verdict_t serve_rrl_check(serve_rrl_t *r, const struct sockaddr *from,
				    serve_rrl_class_t cls, uint64_t now_ms);

const serve_rrl_stats_t *serve_rrl_stats(const serve_rrl_t *r);

#endif
