/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The AXFR client the test tools share (rodns-axfr, rodns-verify): the
 * product's own transport (xfr/stream.h: plain TCP with bounded reads) and
 * query builder (xfr_in_query), plus the checks a tool needs on each
 * answer message. Header-only: each C file in tests/tools is a program. */
#ifndef RODNS_TESTS_AXFR_CLIENT_H
#define RODNS_TESTS_AXFR_CLIENT_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "dns/msg.h"
#include "xfr/stream.h"
#include "xfr/xfrin.h"

typedef struct {
	const char *prog; /* for messages */
	xfr_stream_t st;
	uint16_t id;
	int timeout_ms;
	unsigned msgs;
	uint8_t msg[65535];
} axfr_client_t;

/* Connects to HOST (numeric) at PORT and sends the AXFR query for zone.
 * Returns 0, or -1 with a message on stderr. */
static inline int axfr_open(axfr_client_t *a, const char *prog, const char *host,
			    const char *port, int timeout_s, const dns_name_t *zone)
{
	char text[128];
	conf_addr_t to;
	a->prog = prog;
	a->timeout_ms = timeout_s * 1000;
	snprintf(text, sizeof(text), "%s@%s", host, port);
	if (conf_parse_addr(text, 53, &to) != RODNS_OK) {
		fprintf(stderr, "%s: bad server %s port %s\n", prog, host, port);
		return -1;
	}
	int rc = xfr_tcp_connect(&a->st, &to, NULL, a->timeout_ms);
	if (rc != RODNS_OK) {
		fprintf(stderr, "%s: connect %s port %s: %s\n", prog, host, port,
			rodns_strerror(rc));
		return -1;
	}
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	a->id = (uint16_t)rand();
	xfr_in_params_t p = {.zone = *zone, .qtype = DNS_T_AXFR, .id = a->id};
	int len = xfr_in_query(a->msg, sizeof(a->msg), &p, NULL);
	rc = len < 0 ? len : xfr_stream_send(&a->st, a->msg, (size_t)len, a->timeout_ms);
	if (rc != RODNS_OK) {
		fprintf(stderr, "%s: sending the query: %s\n", prog, rodns_strerror(rc));
		return -1;
	}
	return 0;
}

/* Receives and parses the next answer message into *m (pointing into a),
 * checking it answers our query with NOERROR. Returns 0, or -1 with a
 * message on stderr. */
static inline int axfr_next(axfr_client_t *a, dns_msg_t *m)
{
	size_t len = 0;
	int rc = xfr_stream_recv(&a->st, a->msg, sizeof(a->msg), &len, a->timeout_ms);
	if (rc != RODNS_OK) {
		fprintf(stderr, "%s: reading message %u: %s\n", a->prog, a->msgs + 1,
			rodns_strerror(rc));
		return -1;
	}
	a->msgs++;
	rc = dns_msg_parse(m, a->msg, len);
	if (rc != RODNS_OK) {
		fprintf(stderr, "%s: message %u: %s\n", a->prog, a->msgs, rodns_strerror(rc));
		return -1;
	}
	if (m->id != a->id || !(m->flags & DNS_F_QR)) {
		fprintf(stderr, "%s: message %u is not our answer\n", a->prog, a->msgs);
		return -1;
	}
	if (DNS_RCODE(m->flags) != DNS_RC_NOERROR) {
		fprintf(stderr, "%s: message %u: rcode %u\n", a->prog, a->msgs,
			DNS_RCODE(m->flags));
		return -1;
	}
	return 0;
}

static inline void axfr_close(axfr_client_t *a)
{
	xfr_stream_close(&a->st);
}

#endif
