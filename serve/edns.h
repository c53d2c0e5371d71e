/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The EDNS options rodns reads in a query and writes in its answer: NSID
 * (RFC 5001), COOKIE (RFC 7873), EXPIRE (RFC 7314) and Extended DNS Errors
 * (RFC 8914). Options are appended to the OPT RR that ends a finished
 * response, after the answer cache: a cached answer is kept without them
 * (the room they need is part of its key) and every copy gets its own. */
#ifndef RODNS_SERVE_EDNS_H
#define RODNS_SERVE_EDNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/msg.h"

enum {
	SERVE_OPT_NSID = DNS_OPT_NSID,
	SERVE_OPT_EXPIRE = DNS_OPT_EXPIRE,
	SERVE_OPT_COOKIE = DNS_OPT_COOKIE,
	SERVE_OPT_EDE = DNS_OPT_EDE,
};

/* Extended DNS Error codes rodns sends (RFC 8914 §4). */
enum {
	SERVE_EDE_NOT_READY = 14,
	SERVE_EDE_PROHIBITED = 18,
	SERVE_EDE_NOT_AUTH = 20,
	SERVE_EDE_NOT_SUPPORTED = 21,
	SERVE_EDE_NO_AUTHORITY = 22,
};

/* The options of a query that rodns acts on. */
typedef struct {
	bool nsid;	       /* NSID asked (an empty option, RFC 5001 §2.1) */
	bool expire;	       /* EXPIRE asked */
	bool cookie;	       /* a COOKIE option */
	uint8_t client[8];     /* its client cookie */
	const uint8_t *server; /* its server cookie, NULL: none (points into the query) */
	size_t server_len;
} serve_qopts_t;

/* The most octets an answer to q may take (RFC 1035 §4.2.1, RFC 6891
 * §6.2.3 and §6.2.5): 512 without EDNS; with it the requestor's size (one
 * below 512 counts as 512) capped at ours (server.max-udp-payload, at
 * least 512); 65535 over TCP; never more than cap. The encoder, the answer
 * cache's key and the options added afterwards all use this one rule. */
size_t serve_response_limit(const dns_msg_t *q, bool tcp, uint16_t ours, size_t cap);

/* Reads the options of q's OPT (none when it has no OPT). With cookies,
 * returns RODNS_E_MALFORMED for a COOKIE whose length is not 8 or 16..40
 * (RFC 7873 §5.2.2: FORMERR); without, COOKIE is an unknown option. Unknown
 * options are ignored (RFC 6891 §6.1.2). */
int serve_qopts_read(const dns_msg_t *q, bool cookies, serve_qopts_t *o);

/* Appends options (n octets, already in wire form) to the OPT RR with no
 * options that ends resp (len octets), as long as the result stays within
 * limit. Returns the new length; len when there is no such OPT or no room. */
size_t serve_opt_append(uint8_t *resp, size_t len, size_t limit, const uint8_t *opts, size_t n);

/* Writes one option (code, length, data) at out (cap octets); returns the
 * octets written, 0 when it does not fit. */
size_t serve_opt_put(uint8_t *out, size_t cap, uint16_t code, const uint8_t *data, size_t n);

#endif
