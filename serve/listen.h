/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Listeners: N worker threads, each with its own libev loop, its own
 * SO_REUSEPORT UDP and TCP sockets on every configured address, and its own
 * per-worker state (a read-only store connection, set up by the handler's
 * init). A UDP question goes to the worker its name hashes to (see
 * steer_by_name), so each worker's answer cache keeps its own share of the
 * names. TCP per RFC 7766: several queries in flight on one connection
 * (answered in order of completion, which for a synchronous handler is
 * arrival order), an idle timeout, and a connection limit per worker. UDP
 * and TCP are separate watchers on the same loop, so a slow TCP client
 * never holds up UDP. UDP goes in batches: up to 32 datagrams per
 * recvmmsg, their answers in one sendmmsg, a bounded number of batches per
 * wake-up so that no socket starves the others. */
#ifndef RODNS_SERVE_LISTEN_H
#define RODNS_SERVE_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "conf/conf.h"

typedef struct serve_listen serve_listen_t;

/* Where a query came from. */
typedef struct {
	const struct sockaddr *from;
	socklen_t fromlen;
	const struct sockaddr *to; /* local address it arrived on */
	bool tcp;
	int worker;  /* 0..workers-1 */
	int ifindex; /* UDP: interface it arrived on (IP(V6)_PKTINFO); 0 unknown */
} serve_src_t;

/* Answers one query: writes the response into resp (cap octets: 65535 for
 * TCP, the UDP payload limit otherwise) and returns its length, 0 for no
 * answer at all (drop), or, for TCP zone transfers, SERVE_STREAM after
 * having sent everything itself through serve_tcp_send(). */
typedef int (*serve_handler_fn)(void *worker_ctx, const serve_src_t *src, const uint8_t *q,
				size_t qlen, uint8_t *resp, size_t cap, void *conn);
#define SERVE_STREAM (-1)

#define SERVE_TICK_MS 50

typedef struct {
	const conf_addr_t *addrs;
	size_t n_addrs;
	unsigned workers;
	uint32_t tcp_idle_timeout; /* seconds */
	unsigned tcp_max_clients;  /* per worker */
	uint16_t max_udp_payload;
	/* UDP: a question goes to the worker its name hashes to (a BPF
	 * program on the SO_REUSEPORT group), so per-worker caches do not
	 * duplicate each other; false: the kernel's hash of the addresses */
	bool steer_by_name;
	serve_handler_fn handler;
	/* per-worker context: created on the worker thread before it serves */
	void *(*worker_init)(void *arg, int worker);
	void (*worker_fini)(void *worker_ctx);
	/* called every SERVE_TICK_MS on each worker's thread (NULL: none) */
	void (*worker_tick)(void *worker_ctx);
	void *arg;
} serve_listen_conf_t;

/* Binds every socket (so errors surface before privileges are dropped).
 * Returns RODNS_OK or a negative errno with err describing the address. */
int serve_listen_bind(const serve_listen_conf_t *c, serve_listen_t **out, char *err, size_t cap);
/* Starts the worker threads. */
int serve_listen_start(serve_listen_t *l);
/* Stops the workers, closes every socket and frees l. */
void serve_listen_stop(serve_listen_t *l);

/* For SERVE_STREAM handlers: sends one length-prefixed message on the TCP
 * connection conn (blocking with a bound, for zone transfers out). */
int serve_tcp_send(void *conn, const uint8_t *msg, size_t len);

/* The steering program (classic BPF, for SO_ATTACH_REUSEPORT_CBPF) for a
 * group of workers sockets, into out (SERVE_STEER_MAX instructions);
 * returns its length, 0 if it could not be laid out. Exposed for tests. */
#define SERVE_STEER_MAX 256
struct sock_filter;
size_t serve_steer_prog(unsigned workers, struct sock_filter *out);

/* NULL when UDP queries are steered by name, else why not. */
const char *serve_listen_steering(const serve_listen_t *l);

/* The actual port of the first socket (tests bind port 0). */
uint16_t serve_listen_port(const serve_listen_t *l);

#endif
