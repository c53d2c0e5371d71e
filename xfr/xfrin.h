/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Incoming zone transfers (AXFR, RFC 5936; IXFR, RFC 1995), independent of
 * the transport: the caller moves messages from a connected, authenticated
 * byte stream (plain TCP, TLS, a socket through an IPsec tunnel) into
 * xfr_in_message() one at a time.
 *
 * Every message is checked (ID, flags, RCODE, question echo, record
 * classes, owners inside the zone, SOA framing, IXFR serial sequence, size
 * limits) and streamed into ONE store write transaction: nothing is held in
 * memory, and nothing is visible to readers until xfr_in_commit(). Any
 * failure leaves the stored zone exactly as it was.
 */
#ifndef RODNS_XFR_XFRIN_H
#define RODNS_XFR_XFRIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/name.h"
#include "dns/rr.h"
#include "store/store.h"

typedef struct xfr_in xfr_in_t;

enum xfr_kind {
	XFR_KIND_NONE = 0,
	XFR_KIND_AXFR,       /* full zone (also an AXFR-style answer to IXFR) */
	XFR_KIND_IXFR,       /* one or more incremental diffs */
	XFR_KIND_UPTODATE,   /* IXFR answered with our own serial: nothing to do */
};

/* Called by xfr_in_commit after pruning and before committing, on the
 * store's writer connection inside the transfer's transaction (so it sees
 * the zone exactly as it would be committed). kind: XFR_KIND_AXFR (check
 * the whole zone) or XFR_KIND_IXFR (store_txn_touched() lists the owners
 * the transfer changed). Non-zero rejects the transfer: nothing is
 * committed and reason says why. */
typedef int (*xfr_validate_fn)(void *arg, store_t *s, store_txn_t *t, int64_t zone_id, int kind,
			       char *reason, size_t cap);

typedef struct {
	dns_name_t zone;
	uint16_t qtype;     /* DNS_T_AXFR or DNS_T_IXFR */
	uint16_t id;        /* message ID of our query */
	uint32_t serial;    /* the serial we hold (IXFR base; AXFR floor) */
	bool have_serial;   /* we hold the zone: a transfer may never go below serial */
	uint64_t max_rrs;   /* 0: no limit */
	uint64_t max_bytes; /* 0: no limit */
	xfr_validate_fn validate; /* NULL: no validation */
	void *validate_arg;
	/* called just before the transaction commits, after validation
	 * (readers may see the new data from here on); NULL: none */
	void (*pre_commit)(void *arg);
	void *pre_commit_arg;
} xfr_in_params_t;

typedef struct {
	int kind;            /* enum xfr_kind */
	uint32_t serial;     /* the serial the transfer leads to */
	uint32_t refresh, retry, expire, minimum; /* from the new SOA */
	uint64_t messages;
	uint64_t rrs;        /* RRs received */
	uint64_t bytes;      /* message octets received */
	uint64_t added, deleted;
	uint64_t pruned;     /* superseded or orphaned RRSIGs removed */
	uint32_t diffs;      /* IXFR: serial steps applied */
	uint8_t rcode;       /* RODNS_E_XFR_RCODE: what the primary said */
} xfr_in_result_t;

/* Builds the transfer query: question (zone, qtype, IN) and, for IXFR, our
 * current SOA RR in the authority section (RFC 1995 §3). soa may be NULL
 * for AXFR. Returns the message length or an error. */
int xfr_in_query(uint8_t *buf, size_t cap, const xfr_in_params_t *p, const dns_rr_t *soa);

/* Prepares a transfer into zone_id of s (which must be a writable store).
 * The write transaction opens only when the first change arrives, so an
 * "up to date" answer never takes the writer lock. */
int xfr_in_new(store_t *s, int64_t zone_id, const xfr_in_params_t *p, xfr_in_t **out);

/* Feeds one DNS message (without the TCP length prefix). Returns 0 when
 * more messages are needed, 1 when the transfer is complete (the last SOA
 * seen), or an error (the transfer is then dead: call xfr_in_free). */
int xfr_in_message(xfr_in_t *x, const uint8_t *msg, size_t len);

/* After xfr_in_message returned 1: prunes superseded and orphaned RRSIGs,
 * writes meta (serial, SOA timers and state OK filled in from the transfer) and
 * commits. For XFR_KIND_UPTODATE it writes nothing. */
int xfr_in_commit(xfr_in_t *x, store_zone_t *meta);

/* Figures so far (valid also after an error, for the log line). */
const xfr_in_result_t *xfr_in_result(const xfr_in_t *x);

/* One sentence on why the transfer failed (names the record, serials ...);
 * "" when it did not. */
const char *xfr_in_reason(const xfr_in_t *x);

/* Rolls back whatever was not committed and frees x (NULL is fine). */
void xfr_in_free(xfr_in_t *x);

#endif
