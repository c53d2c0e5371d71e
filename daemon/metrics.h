/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Prometheus metrics over HTTP (text exposition format 0.0.4), served
 * from the main libev loop: GET /metrics (HTTP/1.0 or 1.1, one request per
 * connection), requests bounded in size (4 KiB) and time (5 s), at most 16
 * clients at once. The metric set is documented in docs/alerts.yml and
 * docs/events.md; the functions are in daemon_int.h (they need the
 * daemon's state). */
#ifndef RODNS_DAEMON_METRICS_H
#define RODNS_DAEMON_METRICS_H

#include <stddef.h>

/* Parses the request head in buf (len octets, ending with the blank line).
 * Returns the HTTP status to answer: 200 for GET or HEAD /metrics (*head
 * set for HEAD), 404 for another path, 405 for another method, 400 for
 * anything malformed. For tests. */
int daemon_metrics_parse_request(const char *buf, size_t len, int *head);

#endif
