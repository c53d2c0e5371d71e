/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The query dispatcher: what every incoming message goes through first.
 * It sorts out what is not a query for our data (responses, NOTIFY, UPDATE,
 * unknown opcodes, malformed packets) before answering. */
#ifndef RODNS_SERVE_QUERY_H
#define RODNS_SERVE_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "dns/msg.h"
#include "serve/cookie.h"
#include "serve/listen.h"
#include "serve/rrl.h"

/* Between the dispatcher and the answerer, per query. */
typedef struct {
	size_t optroom;       /* in: octets the answer must leave free for options */
	int ede;              /* out: an Extended DNS Error (RFC 8914) code, -1: none */
	const char *ede_text; /* out: its EXTRA-TEXT, NULL: none (a static string) */
	int64_t expire;       /* out: seconds until the zone expires here (RFC 7314), -1: none */
} serve_reply_t;

/* What the dispatcher needs from the daemon. Called on worker threads. */
typedef struct {
	/* A NOTIFY for zone from src: returns DNS_RC_NOERROR when accepted
	 * (the daemon schedules a refresh), DNS_RC_REFUSED when the source is
	 * not allowed, DNS_RC_NOTAUTH when the zone is not ours. */
	int (*notify)(void *arg, const dns_name_t *zone, const serve_src_t *src);
	/* Answers a standard query (opcode QUERY, well formed, EDNS version
	 * 0 or none) leaving rp->optroom octets free under the size limit, and
	 * says in rp what the options of the answer need. Returns the response
	 * length, 0 to drop, or SERVE_STREAM. NULL: REFUSED. */
	int (*answer)(void *arg, void *worker_ctx, const serve_src_t *src, const dns_msg_t *q,
		      uint8_t *resp, size_t cap, void *conn, serve_reply_t *rp);
	void *arg;
	/* TSIG keys and zones for NOTIFY (RFC 8945): a signed NOTIFY is
	 * verified (failures answer NOTAUTH with the TSIG error) and its
	 * answer signed; a zone whose primaries use TSIG takes only NOTIFYs
	 * signed with one of their keys (else REFUSED, before ops->notify).
	 * NULL: TSIG is not looked at. */
	const conf_t *conf;
	/* The EDNS side of answers: our payload size, NSID (RFC 5001; NULL:
	 * none), server cookies (RFC 7873; NULL: off) and response rate
	 * limiting (NULL: off). A client with a valid server cookie is never
	 * rate limited; one with a client cookie gets BADCOOKIE and a fresh
	 * server cookie where others get a truncated answer (slip). */
	uint16_t max_udp_payload;
	const uint8_t *nsid;
	size_t nsid_len;
	serve_cookies_t *cookies;
	serve_rrl_t *rrl;
} serve_query_ops_t;

/* Handles one incoming message (a serve_handler_fn whose worker context is
 * set up by the daemon; ops is passed in explicitly). Never fails: a bad
 * message gets FORMERR when its header can be read, else no answer. */
int serve_query(const serve_query_ops_t *ops, void *worker_ctx, const serve_src_t *src,
		const uint8_t *q, size_t qlen, uint8_t *resp, size_t cap, void *conn);

/* Writes a header-only error response to q (question echoed when it can be
 * read, OPT echoed when the query had one). Returns its length. */
int serve_error(const uint8_t *q, size_t qlen, const dns_msg_t *m, int rcode, uint8_t *resp,
		size_t cap);

#endif
