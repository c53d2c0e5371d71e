/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* TSIG (RFC 8945): signing our requests and verifying the primary's
 * responses, including every message of a multi-message zone transfer
 * (§5.3.1: the first and the last message must be signed, unsigned
 * messages in between are allowed up to 99 in a row and are covered by the
 * next signed one), and incoming NOTIFYs. HMAC via OpenSSL. */
#ifndef RODNS_IPSEC_TSIG_H
#define RODNS_IPSEC_TSIG_H

#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"

/* Allowed clock difference (RFC 8945 §10 recommends 300 s). */
#define IPSEC_TSIG_FUDGE 300

/* State of one signed exchange: our request's MAC, then the running digest
 * over the responses. */
typedef struct ipsec_tsig ipsec_tsig_t;

/* Signs a request in place: appends the TSIG RR to msg (length *len,
 * capacity cap), bumps ARCOUNT, and returns the exchange state in *out for
 * verifying the responses. now: Unix time. */
int ipsec_tsig_sign(const conf_tsig_t *key, uint8_t *msg, size_t *len, size_t cap, int64_t now,
		    ipsec_tsig_t **out);

/* Verifies the next response message of the exchange. Returns RODNS_OK,
 * RODNS_E_TSIG_MISSING (the first message, or more than 99 in a row, or the
 * final one unsigned: last = 1 tells this is the last message),
 * RODNS_E_TSIG_BADSIG / _BADKEY / _BADTIME (also when the primary itself
 * answered with a TSIG error). reason gets one sentence. */
int ipsec_tsig_verify(ipsec_tsig_t *t, const uint8_t *msg, size_t len, int last, int64_t now,
		      char *reason, size_t cap);

void ipsec_tsig_free(ipsec_tsig_t *t);

/* Incoming request (NOTIFY): verifies its TSIG with one of keys; *used gets
 * the key (NULL when unsigned). Signs our response in place with the same
 * key when the request was signed. */
int ipsec_tsig_verify_request(const conf_t *c, const uint8_t *msg, size_t len, int64_t now,
			      const conf_tsig_t **used, uint8_t *req_mac, size_t *req_mac_len);
int ipsec_tsig_sign_response(const conf_tsig_t *key, const uint8_t *req_mac, size_t req_mac_len,
			     uint8_t *msg, size_t *len, size_t cap, int64_t now);

#endif
