/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Internals of the answering engine, shared by serve/answer.c (lookups into
 * an answer plan), serve/deny.c (NSEC/NSEC3 denial proofs) and
 * serve/encode.c (plan to wire). Not an API: nothing outside serve/answer*,
 * serve/deny.c and serve/encode.c includes it.
 *
 * The plan is a list of RRsets, each with the RRSIGs that travel with it,
 * tagged with the section they go to. RRs live in the context's arena (RR
 * headers in rrs[], RDATA in bytes[]), both reset per query, so the hot path
 * allocates nothing.
 */
#ifndef RODNS_SERVE_ANSWER_INT_H
#define RODNS_SERVE_ANSWER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "serve/answer.h"

#define SERVE_RR_MAX	4096	     /* RR headers one answer may collect */
#define SERVE_ARENA_MAX (512 * 1024) /* RDATA octets one answer may collect */
#define SERVE_PLAN_MAX	256	     /* RRsets in one answer */
#define SERVE_CHAIN_MAX 16	     /* CNAME/DNAME links followed */
#define SERVE_ZINFO_MAX 8	     /* zones whose NSEC3 parameters are cached */
#define SERVE_SEEN_MAX	256	     /* slots for the zones' last generations (power of 2) */
#define SERVE_SNAP_MS	50	     /* the longest a read snapshot is kept */

/* A run of RRs in the arena: rrs[first .. first + n). */
typedef struct {
	uint16_t first;
	uint16_t n;
} serve_range_t;

/* One RRset of the answer and the RRSIGs sent with it: they fit (or are
 * cut) together, as RFC 4035 §3.1.1 wants. */
typedef struct {
	uint8_t sec;   /* DNS_SEC_AN, DNS_SEC_NS or DNS_SEC_AR */
	bool required; /* additional data that must fit or set TC (RFC 9471 glue) */
	serve_range_t set;
	serve_range_t sigs;
} serve_set_t;

/* What is known about a zone at one serial: how it denies existence. */
typedef struct {
	int64_t zone_id;
	uint32_t serial;
	bool valid;
	bool nsec;  /* an NSEC chain (NSEC at the apex) */
	bool nsec3; /* an NSEC3 chain (NSEC3PARAM at the apex) */
	uint8_t alg;
	uint16_t iterations;
	uint8_t salt_len;
	uint8_t salt[255];
} serve_zinfo_t;

/* The RRs at one name that nearly every negative answer reads (the apex:
 * SOA, NSEC, DNAME; *.apex), copied once per snapshot. */
#define SERVE_MEMO_RRS	 64
#define SERVE_MEMO_BYTES 16384
typedef struct {
	int64_t zone_id;
	uint64_t snap; /* the snapshot it was read in; 0: never */
	bool fits;     /* false: too big to keep, ask the store */
	unsigned n;
	size_t used;
	dns_rr_t rrs[SERVE_MEMO_RRS];
	uint8_t bytes[SERVE_MEMO_BYTES];
} serve_memo_t;

/* The generation a zone was last answered under (see serve_answer). */
typedef struct {
	int64_t zone_id;
	uint64_t gen;
	bool used;
} serve_seen_t;

struct serve_ctx {
	store_t *s;
	int64_t snap_ms; /* when the open read snapshot began (monotonic) */
	uint64_t snap;	 /* counts the snapshots begun, for the memos */
	serve_memo_t memo[2]; /* the apex, *.apex */
	serve_seen_t seen[SERVE_SEEN_MAX]; /* by zone id modulo SERVE_SEEN_MAX */
	dns_rr_t *rrs; /* SERVE_RR_MAX */
	unsigned nrr;
	uint8_t *bytes; /* SERVE_ARENA_MAX */
	size_t used;
	serve_set_t plan[SERVE_PLAN_MAX];
	unsigned nplan;
	bool overflow; /* something did not fit the arena or the plan */
	serve_zinfo_t zinfo[SERVE_ZINFO_MAX];
	unsigned zinfo_next;
};

/* One query being answered. Names here are lowercase. */
typedef struct {
	serve_ctx_t *c;
	const serve_zone_t *z;
	dns_name_t apex;
	uint16_t qtype;
	bool dnssec; /* DO was set */
	int rcode;
	bool aa;
	int err;	   /* a store error: the answer becomes SERVFAIL */
	serve_range_t soa; /* the apex SOA, once fetched */
	serve_range_t soa_sigs;
	bool soa_done;
	serve_zinfo_t *zi; /* denial parameters, once known */
} serve_q_t;

/* ---- answer.c: arena and plan ------------------------------------------ */

/* Appends the RRs of (owner, type[, covered]) to the arena. Returns their
 * range (n == 0: none). Store errors land in q->err. */
serve_range_t serve_fetch(serve_q_t *q, const dns_name_t *owner, uint16_t type, uint16_t covered);
/* Every RR at owner (n == 0: no RRs there). */
serve_range_t serve_fetch_node(serve_q_t *q, const dns_name_t *owner);
/* The RRs of type in r (for RRSIG: those covering covered, 0 = all), made
 * contiguous in the arena if they are not already. */
serve_range_t serve_pick(serve_q_t *q, serve_range_t r, uint16_t type, uint16_t covered);
/* true when the plan already has the RRset (owner, type). */
bool serve_plan_has(serve_q_t *q, const dns_name_t *owner, uint16_t type);
/* Adds an RRset with its signatures (kept only with DO) to section sec,
 * unless an RRset with the same owner and type is already in the plan. */
void serve_plan_add(serve_q_t *q, int sec, serve_range_t set, serve_range_t sigs);
/* The RRset and (with DO) its RRSIGs from a node range, into sec. Returns
 * false when the node has no RRset of that type. */
bool serve_add_from(serve_q_t *q, int sec, serve_range_t node, uint16_t type);

/* ---- deny.c: zone parameters and denial of existence ------------------- */

/* The apex SOA and the zone's denial parameters (cached per serial).
 * Returns false on a store error or when the zone has no SOA. */
bool serve_zone_info(serve_q_t *q);
/* The negative-answer SOA (TTL lowered to the SOA MINIMUM) into authority. */
void serve_add_soa(serve_q_t *q);
/* Proofs, each added to the authority section when the zone is signed and
 * DO was set (no-ops otherwise). ce is the closest encloser of name. */
void serve_deny_nxdomain(serve_q_t *q, const dns_name_t *name, const dns_name_t *ce);
/* NODATA at an existing name; node is its RR range (n == 0: an empty
 * non-terminal). */
void serve_deny_nodata(serve_q_t *q, const dns_name_t *name, serve_range_t node);
/* A wildcard answer for name synthesised from *.ce. */
void serve_deny_wildcard(serve_q_t *q, const dns_name_t *name, const dns_name_t *ce);
/* Wildcard NODATA: name does not exist, *.ce has no RRset of the type. */
void serve_deny_wild_nodata(serve_q_t *q, const dns_name_t *name, const dns_name_t *ce,
			    serve_range_t wnode);
/* No DS at the delegation cut (node: the cut's RRs). */
void serve_deny_ds(serve_q_t *q, const dns_name_t *cut, serve_range_t node);

/* RFC 5155 §5: the NSEC3 hash of a lowercase name. out gets 20 octets for
 * SHA-1. Returns the hash length, or <0 for an unknown algorithm. */
int serve_nsec3_hash(uint8_t alg, uint16_t iterations, const uint8_t *salt, uint8_t salt_len,
		     const dns_name_t *name, uint8_t out[64]);

/* ---- encode.c ------------------------------------------------------------ */

/* Writes the response for q (header, question echoed with the client's
 * case, the plan with truncation at RRset boundaries, OPT). */
int serve_encode(serve_q_t *a, const dns_msg_t *q, const serve_opts_t *o, uint8_t *resp,
		 size_t cap);

#endif
