/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* XFR-over-TLS (RFC 9103) with mutual authentication: a TLS 1.3 (1.2 by
 * configuration) client with ALPN "dot", our certificate and key, the CA
 * that must have issued the primary's certificate, the name it must carry
 * (SAN DNS or IP) and an optional SPKI SHA-256 pin. Sessions are resumed
 * across refreshes. There is no fallback to plain TCP. */
#ifndef RODNS_IPSEC_TLS_H
#define RODNS_IPSEC_TLS_H

#include <stddef.h>

#include "conf/conf.h"
#include "xfr/stream.h"

typedef struct ipsec_tls ipsec_tls_t;

/* Builds the client context of one `tls:` profile. Refuses a private key
 * file readable by group or others (RODNS_E_PERM). err says what failed,
 * never with key material. */
int ipsec_tls_new(const conf_tls_t *t, ipsec_tls_t **out, char *err, size_t cap);
void ipsec_tls_free(ipsec_tls_t *c);

/* Connects to the primary and completes the handshake and every check
 * within timeout_ms; on success s is a stream whose reads and writes go
 * through TLS. reason says what failed: unknown CA, name mismatch, pin
 * mismatch, expired certificate, handshake timeout, or "the primary closed
 * the session right after the handshake: it probably rejected our client
 * certificate" (TLS 1.3 servers such as BIND send no alert then). */
int ipsec_tls_connect(ipsec_tls_t *c, xfr_stream_t *s, const conf_addr_t *to,
		      const conf_addr_t *source, int timeout_ms, char *reason, size_t cap);

#endif
