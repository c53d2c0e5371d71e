/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Opening the session to a primary for one zone: plain TCP, mutual-TLS
 * (XoT), or TCP through a verified IPsec SA. Runs on the transfer thread. */
#ifndef RODNS_DAEMON_CONNECT_H
#define RODNS_DAEMON_CONNECT_H

#include <stddef.h>

#include "conf/conf.h"
#include "ipsec/tls.h"
#include "xfr/stream.h"

/* TLS client contexts, one per `tls:` profile, built at start-up. */
typedef struct {
	const conf_tls_t *profile;
	ipsec_tls_t *ctx;
} daemon_tls_t;

typedef struct {
	const conf_t *conf;
	daemon_tls_t *tls;
	size_t n_tls;
} daemon_sessions_t;

/* Builds a TLS context per profile; err names the profile that failed. */
int daemon_sessions_init(daemon_sessions_t *ss, const conf_t *c, char *err, size_t cap);
void daemon_sessions_fini(daemon_sessions_t *ss);

/* Opens the stream to primary p within timeout_ms. On failure reason says
 * what failed and *auth is set when it was an authentication failure (TLS
 * verification, no IPsec SA) rather than a network one. */
int daemon_connect(const daemon_sessions_t *ss, const conf_primary_t *p, xfr_stream_t *s,
		   int timeout_ms, int *auth, char *reason, size_t cap);

#endif
