/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* A connected, authenticated byte stream to a primary: what a transfer runs
 * over. Plain TCP lives here (xfr/tcp.c); TLS and IPsec-checked sockets
 * (ipsec/) provide the same operations. All calls block for at most the
 * given time (poll-based), so a transfer thread can enforce idle and total
 * timeouts without a signal or a second thread. */
#ifndef RODNS_XFR_STREAM_H
#define RODNS_XFR_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "conf/conf.h"

typedef struct xfr_stream xfr_stream_t;

typedef struct {
	/* Reads exactly n octets within timeout_ms: RODNS_OK, RODNS_E_TIMEOUT,
	 * RODNS_E_CLOSED (EOF before n octets), or another error. */
	int (*read_full)(xfr_stream_t *s, void *buf, size_t n, int timeout_ms);
	/* Writes all n octets within timeout_ms. */
	int (*write_full)(xfr_stream_t *s, const void *buf, size_t n, int timeout_ms);
	/* Closes and frees the transport's state (not the stream struct). */
	void (*close)(xfr_stream_t *s);
} xfr_stream_ops_t;

struct xfr_stream {
	const xfr_stream_ops_t *ops;
	int fd;
	const char *transport; /* "tcp", "tls", "ipsec": for logs and metrics */
	void *ctx;             /* transport state */
	char peer[80];         /* "address@port" of the primary */
};

/* Connects plain TCP to the primary within timeout_ms, optionally from a
 * given local address (source may be NULL). */
int xfr_tcp_connect(xfr_stream_t *s, const conf_addr_t *to, const conf_addr_t *source,
		    int timeout_ms);

/* Connects a non-blocking socket (helper for other transports): returns the
 * fd or an error. */
int xfr_sock_connect(const conf_addr_t *to, const conf_addr_t *source, int timeout_ms);

/* Sends one DNS message with its two-octet length prefix (RFC 1035 §4.2.2). */
int xfr_stream_send(xfr_stream_t *s, const uint8_t *msg, size_t len, int timeout_ms);
/* Receives one length-prefixed message into buf (cap >= 65535); *len gets
 * its length. */
int xfr_stream_recv(xfr_stream_t *s, uint8_t *buf, size_t cap, size_t *len, int timeout_ms);

void xfr_stream_close(xfr_stream_t *s);

#endif
