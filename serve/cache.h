/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* A query worker's answer cache: whole responses of standard queries, kept
 * per zone generation (serve_zone_t.gen), in bounded memory, without locks
 * (one cache per worker thread).
 *
 * The key is everything the answer bytes depend on besides the zone's
 * generation: the question name (lowercased), type and class, the header
 * flags but RD and the ID, whether the query had EDNS and its flags, the
 * size the response may take (transport and payload size) and the payload
 * size our own OPT offers. A hit copies the stored response and puts the
 * query's ID, RD bit and question name (the client's case) into it; names
 * that the encoder compressed against the question follow its case, as in
 * a fresh answer.
 *
 * Queries that may get an answer depending on something else bypass the
 * cache (serve_cache_key returns false): other opcodes, not exactly one
 * question, records in the answer or authority section, anything but one
 * OPT in the additional section, TSIG, EDNS versions other than 0, and an
 * odd generation (a transfer is committing). EDNS options are not part
 * of the key: the answerer does not look at them. The options that change
 * an answer (NSID, COOKIE, EXPIRE, EDE: serve/edns.h) are added after the
 * cache, to the cached copy as to a fresh one; only the room they take is
 * part of the key. Only NOERROR and
 * NXDOMAIN responses are kept: never an error caused by the store. */
#ifndef RODNS_SERVE_CACHE_H
#define RODNS_SERVE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/msg.h"

typedef struct serve_cache serve_cache_t;

typedef struct {
	const dns_name_t *qname; /* the query's, any case (not owned) */
	uint64_t gen;
	uint32_t zone;
	uint32_t hash;
	uint16_t qtype, qclass;
	uint16_t qflags; /* header flags without RD */
	uint16_t eflags; /* EDNS flags; 0 without EDNS */
	uint16_t limit;  /* the most octets the response may take */
	uint16_t ours;   /* the payload size our OPT offers (it is in the answer) */
	uint8_t edns, tcp;
} serve_cache_key_t;

typedef struct {
	uint64_t hits, misses, inserts, evictions;
	uint64_t rejected; /* answers not kept: asked less often than what they would replace */
	size_t entries, bytes, max_bytes;
} serve_cache_stats_t;

/* A cache using at most max_bytes (table and entries). *out is NULL when
 * max_bytes is 0 (no cache). Returns RODNS_OK or -ENOMEM. */
int serve_cache_new(size_t max_bytes, serve_cache_t **out);
void serve_cache_free(serve_cache_t *c);

/* Fills k for query q (parsed, opcode QUERY) of zone number zone at
 * generation gen. tcp and cap are what the answer is written with, ours
 * the EDNS payload size we offer (server.max-udp-payload), optroom the
 * octets the answer leaves free for EDNS options added after the cache
 * (NSID, COOKIE, EXPIRE: they differ per copy and are never cached; the
 * room they take is part of the key because it moves truncation). Returns
 * false when the query must bypass the cache. */
bool serve_cache_key(serve_cache_key_t *k, const dns_msg_t *q, bool tcp, size_t cap,
		     uint16_t ours, size_t optroom, uint32_t zone, uint64_t gen);

/* The cached response to q under key k, patched for q, into resp. Returns
 * its length, or 0 on a miss (nothing written). */
int serve_cache_get(serve_cache_t *c, const serve_cache_key_t *k, const dns_msg_t *q,
		    uint8_t *resp, size_t cap);

/* Keeps resp (len octets, the fresh answer to the query k was made from)
 * when it is a cacheable response, evicting what it must. */
void serve_cache_put(serve_cache_t *c, const serve_cache_key_t *k, const uint8_t *resp,
		     size_t len);

void serve_cache_stats(const serve_cache_t *c, serve_cache_stats_t *out);

#endif
