/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Zone transfers out (RFC 5936) to downstream replicas listed in the zone's
 * allow-transfer: the whole zone from ONE store snapshot (one consistent
 * serial even while a transfer in commits), over TCP, in as many messages
 * as it takes, the SOA first and last, compression reset per message.
 * IXFR requests are answered with the full zone (RFC 1995 §4 allows it);
 * over UDP, IXFR gets the single current SOA (use TCP) and AXFR REFUSED. */
#ifndef RODNS_SERVE_XFROUT_H
#define RODNS_SERVE_XFROUT_H

#include <stddef.h>
#include <stdint.h>

#include "dns/msg.h"
#include "store/store.h"

/* Sends one message of the stream (the listener's serve_tcp_send). */
typedef int (*serve_send_fn)(void *conn, const uint8_t *msg, size_t len);

/* Streams the zone (apex, zone_id) in answer to q over conn. Returns
 * RODNS_OK when everything was sent, else an error (the connection should
 * then be closed). buf is scratch of 65535 octets. When q has an OPT, the
 * first message carries one too, with EXPIRE (RFC 7314 §3: the seconds
 * this copy has left) when q asked for it and expire >= 0. */
int serve_xfr_out(store_t *s, const dns_name_t *apex, int64_t zone_id, const dns_msg_t *q,
		  int64_t expire, serve_send_fn send, void *conn, uint8_t *buf, size_t cap);

#endif
