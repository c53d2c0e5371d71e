/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Answering standard queries for a served zone from the store
 * (RFC 1034 §4.3.2, RFC 4035 §3.1, RFC 5155 §7.2), in two steps as NSD
 * does: look up into an answer plan, then encode it (compression, EDNS0,
 * truncation at RRset boundaries). */
#ifndef RODNS_SERVE_ANSWER_H
#define RODNS_SERVE_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/msg.h"
#include "store/store.h"

/* What the answerer needs to know about the zone a query falls in. */
typedef struct {
	dns_name_t apex;
	int64_t zone_id;
	/* Changes (never repeats) whenever the zone's served data or state
	 * changes: a new serial committed and served, expiry, reload. Anything
	 * the answerer keeps between queries (a read snapshot, caches) is valid
	 * only for the generation it was made in. */
	uint64_t gen;
} serve_zone_t;

typedef struct {
	uint16_t max_udp_payload; /* our EDNS0 buffer size (default 1232) */
	bool tcp;                 /* the query came over TCP: no size limit but 65535 */
	size_t optroom;           /* octets to leave free for EDNS options added later */
} serve_opts_t;

/* Per-worker answering state: a read-only store connection and whatever
 * caches the answerer keeps (created and used on one worker thread). */
typedef struct serve_ctx serve_ctx_t;

int serve_ctx_new(const char *store_path, serve_ctx_t **out);
void serve_ctx_free(serve_ctx_t *c);
store_t *serve_ctx_store(serve_ctx_t *c);

/* Drops whatever the context holds between queries that pins an old state
 * of the store (an open read snapshot), so that checkpoints can proceed.
 * The worker calls it when idle and from a periodic timer (~50 ms): a kept
 * snapshot holds back the WAL frames committed after it. */
void serve_ctx_release(serve_ctx_t *c);

/* Answers q (a parsed standard query with one question in zone z) into
 * resp. Returns the response length (always > 0: errors become SERVFAIL or
 * FORMERR responses). The whole answer comes from one store snapshot, which
 * the context keeps for the next queries while every zone asked about
 * comes with the gen it came with last time, for at most 50 ms; so data
 * committed before z->gen changed is in the answer. */
int serve_answer(serve_ctx_t *c, const serve_zone_t *z, const dns_msg_t *q,
		 const serve_opts_t *o, uint8_t *resp, size_t cap);

#endif
