/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Pulling a zone from one primary: the SOA probe and the transfer with its
 * fallbacks (IXFR → AXFR), over any stream transport. Blocking, with
 * bounded timeouts: runs on the transfer thread, never on the query path. */
#ifndef RODNS_XFR_CLIENT_H
#define RODNS_XFR_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "dns/name.h"
#include "store/store.h"
#include "xfr/stream.h"
#include "xfr/xfrin.h"

typedef struct {
	int connect_ms; /* connecting (and any handshake) */
	int idle_ms;    /* longest silence inside a transfer */
	int total_ms;   /* whole transfer */
	uint64_t max_rrs, max_bytes;
	/* DNSSEC validation before commit (untrusted-site mode); NULL: none */
	xfr_validate_fn validate;
	void *validate_arg;
	/* before each commit of a transfer (xfr_in_params_t.pre_commit) */
	void (*pre_commit)(void *arg);
	void *pre_commit_arg;
} xfr_limits_t;

/* Opens a stream to the primary (plain TCP, TLS, or a socket through an
 * IPsec tunnel after the SA check). Fills reason on failure. */
typedef int (*xfr_connect_fn)(void *arg, xfr_stream_t *s, char *reason, size_t cap);

typedef struct {
	xfr_connect_fn connect;
	void *arg;
	const char *transport; /* for the reason line */
	const char *peer;      /* "address@port" */
	/* plain UDP for the SOA probe (NULL: ask over the stream) */
	const conf_addr_t *udp_to;
	const conf_addr_t *udp_from;
	/* TSIG key (RFC 8945): signs the SOA query and the transfer query;
	 * the SOA reply and every transfer message must verify. NULL: none. */
	const conf_tsig_t *tsig;
} xfr_primary_t;

/* What a primary said of its copy's expiry (RFC 7314). */
typedef struct {
	int64_t seconds;    /* its EDNS EXPIRE, -1: none */
	bool authenticated; /* in a TSIG-verified reply or over the stream, not
			     * in plain UDP that an off-path spoofer could forge */
} xfr_expire_t;

/* Asks the primary for the zone's SOA serial: over UDP when p->udp_to is
 * set (retrying over the stream when the answer is truncated), else over
 * the stream. Checks ID, question, AA, that the answer is the zone's SOA
 * and, with p->tsig, the reply's TSIG (RODNS_E_TSIG_*). The query carries
 * an EDNS EXPIRE option (asked again without EDNS when the primary answers
 * FORMERR or NOTIMP without an OPT); *expire is the primary's answer. */
int xfr_soa_probe(const xfr_primary_t *p, const dns_name_t *zone, const xfr_limits_t *lim,
		  uint32_t *serial, xfr_expire_t *expire, char *reason, size_t cap);

typedef struct {
	xfr_in_result_t res;
	bool fell_back;   /* IXFR failed and AXFR was used */
	char ixfr_reason[768]; /* why the IXFR was abandoned */
	char reason[768]; /* why the whole pull failed ("" on success) */
} xfr_pull_result_t;

/* Transfers zone into the store: IXFR from meta->serial when the zone holds
 * data and want_axfr is false, else AXFR. An IXFR that the primary refuses
 * (NOTIMP, REFUSED, FORMERR, SERVFAIL) or that does not apply exactly
 * (deletion of a missing record, addition of a present one, serial gap or
 * regression) is retried once as AXFR. With p->tsig every message is
 * verified before it is applied (RFC 8945 §5.3.1: first and last signed,
 * at most 99 unsigned in a row); a TSIG failure ends the pull at once,
 * without the AXFR retry. On success meta is updated and committed; on
 * failure nothing was changed. */
int xfr_pull(store_t *s, store_zone_t *meta, const xfr_primary_t *p, const xfr_limits_t *lim,
	     bool want_axfr, xfr_pull_result_t *out);

#endif
