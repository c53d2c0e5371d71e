/* Tests for serve/listen.c's UDP batches: many datagrams from several
 * sources at once, each answered to its own source (or, when the handler
 * says so, not at all), the arrival interface known, and the per-worker
 * tick running; with several workers, a question name always reaching the
 * same worker whatever the client's port and the name's case. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns/err.h"
#include "serve/listen.h"

Suite *listen_suite(void);

#define CLIENTS 8
#define BURST 24
#define ROUNDS 10

static _Atomic int ticks;
static _Atomic int no_ifindex;

/* Answers with the query's 4 octets followed by the source port; a query
 * whose first octet is 0xff gets no answer. */
static int echo(void *ctx, const serve_src_t *src, const uint8_t *q, size_t qlen, uint8_t *resp,
		size_t cap, void *conn)
{
	(void)ctx;
	(void)conn;
	if (qlen != 4 || cap < 6 || q[0] == 0xff)
		return 0;
	if (src->ifindex <= 0)
		atomic_fetch_add(&no_ifindex, 1);
	memcpy(resp, q, 4);
	memcpy(resp + 4, &((const struct sockaddr_in *)src->from)->sin_port, 2);
	return 6;
}

static void tick(void *ctx)
{
	(void)ctx;
	atomic_fetch_add(&ticks, 1);
}

/* Answers with the query's ID and the worker that got it. */
static int which_worker(void *ctx, const serve_src_t *src, const uint8_t *q, size_t qlen,
			uint8_t *resp, size_t cap, void *conn)
{
	(void)ctx;
	(void)conn;
	if (qlen < 12 || cap < 3)
		return 0;
	memcpy(resp, q, 2);
	resp[2] = (uint8_t)src->worker;
	return 3;
}

#define STEER_NAMES 200
#define STEER_CLIENTS 4

/* A query for <label>.example.test. A with the given ID, the label in
 * random case; returns its length. */
static size_t steer_query(uint8_t *q, const char *label, uint16_t id)
{
	static const uint8_t tail[] = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't',
				       0, 0, 1, 0, 1};
	size_t n = strlen(label), p = 12;
	memset(q, 0, 12);
	q[0] = (uint8_t)(id >> 8);
	q[1] = (uint8_t)id;
	q[5] = 1; /* QDCOUNT */
	q[p++] = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		char ch = label[i];
		q[p++] = (uint8_t)(ch >= 'a' && ch <= 'z' && (rand() & 1) ? ch - 32 : ch);
	}
	memcpy(q + p, tail, sizeof(tail));
	return p + sizeof(tail);
}

START_TEST(udp_steered_by_name)
{
	conf_addr_t a;
	serve_listen_t *l;
	char err[256];
	ck_assert_int_eq(conf_parse_addr("127.0.0.1@0", 0, &a), RODNS_OK);
	serve_listen_conf_t c = {.addrs = &a, .n_addrs = 1, .workers = 2, .tcp_idle_timeout = 5,
				 .tcp_max_clients = 4, .max_udp_payload = 1232,
				 .steer_by_name = true, .handler = which_worker};
	int rc = -1;
	for (int i = 0; i < 20 && rc != RODNS_OK; i++)
		rc = serve_listen_bind(&c, &l, err, sizeof(err));
	ck_assert_msg(rc == RODNS_OK, "bind: %s", err);
	ck_assert_ptr_null(serve_listen_steering(l));
	ck_assert_int_eq(serve_listen_start(l), RODNS_OK);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(serve_listen_port(l))};
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	int fd[STEER_CLIENTS];
	for (int i = 0; i < STEER_CLIENTS; i++) {
		fd[i] = socket(AF_INET, SOCK_DGRAM, 0);
		ck_assert_int_ge(fd[i], 0);
		ck_assert_int_eq(connect(fd[i], (struct sockaddr *)&to, sizeof(to)), 0);
	}
	srand(11);
	int per_worker[2] = {0, 0};
	/* names of several shapes: short, long, differing early or late */
	for (int n = 0; n < STEER_NAMES; n++) {
		char label[64];
		switch (n % 4) {
		case 0: snprintf(label, sizeof(label), "h%d", n); break;
		case 1: snprintf(label, sizeof(label), "www%d", n); break;
		case 2: snprintf(label, sizeof(label), "host-%06d-dc", n); break;
		default: snprintf(label, sizeof(label), "mail%dserver", n); break;
		}
		int seen = -1;
		for (int k = 0; k < STEER_CLIENTS; k++) {
			uint8_t q[128], r[16];
			uint16_t id = (uint16_t)rand();
			size_t ql = steer_query(q, label, id);
			ck_assert_int_eq(send(fd[k], q, ql, 0), (ssize_t)ql);
			struct pollfd p = {.fd = fd[k], .events = POLLIN};
			ck_assert_msg(poll(&p, 1, 5000) == 1, "no answer for %s", label);
			ck_assert_int_eq(recv(fd[k], r, sizeof(r), 0), 3);
			ck_assert_int_eq(r[0] << 8 | r[1], id);
			ck_assert(r[2] < 2);
			if (seen < 0)
				seen = r[2];
			ck_assert_msg(r[2] == seen, "%s went to worker %d and %d", label, seen, r[2]);
		}
		per_worker[seen]++;
	}
	/* both workers get a fair share (a hash, so not exactly half) */
	ck_assert_int_gt(per_worker[0], STEER_NAMES / 4);
	ck_assert_int_gt(per_worker[1], STEER_NAMES / 4);
	for (int i = 0; i < STEER_CLIENTS; i++)
		close(fd[i]);
	serve_listen_stop(l);
}
END_TEST

START_TEST(udp_batches_reach_every_source)
{
	conf_addr_t a;
	serve_listen_t *l;
	char err[256];
	ck_assert_int_eq(conf_parse_addr("127.0.0.1@0", 0, &a), RODNS_OK);
	serve_listen_conf_t c = {.addrs = &a, .n_addrs = 1, .workers = 1, .tcp_idle_timeout = 5,
				 .tcp_max_clients = 4, .max_udp_payload = 1232, .handler = echo,
				 .worker_tick = tick};
	/* port 0: the UDP socket picks a port that TCP may find taken; retry */
	int rc = -1;
	for (int i = 0; i < 20 && rc != RODNS_OK; i++)
		rc = serve_listen_bind(&c, &l, err, sizeof(err));
	ck_assert_msg(rc == RODNS_OK, "bind: %s", err);
	ck_assert_int_eq(serve_listen_start(l), RODNS_OK);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(serve_listen_port(l))};
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	int fd[CLIENTS];
	uint16_t port[CLIENTS];
	for (int i = 0; i < CLIENTS; i++) {
		struct sockaddr_in me = {.sin_family = AF_INET};
		socklen_t ml = sizeof(me);
		int big = 1 << 20;
		fd[i] = socket(AF_INET, SOCK_DGRAM, 0);
		ck_assert_int_ge(fd[i], 0);
		setsockopt(fd[i], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
		ck_assert_int_eq(connect(fd[i], (struct sockaddr *)&to, sizeof(to)), 0);
		getsockname(fd[i], (struct sockaddr *)&me, &ml);
		port[i] = me.sin_port;
	}
	for (int round = 0; round < ROUNDS; round++) {
		/* everyone sends a burst before anyone reads */
		for (int i = 0; i < CLIENTS; i++)
			for (int k = 0; k < BURST; k++) {
				uint8_t q[4] = {(uint8_t)(k % 5 == 4 ? 0xff : 1), (uint8_t)i,
						(uint8_t)round, (uint8_t)k};
				ck_assert_int_eq(send(fd[i], q, 4, 0), 4);
			}
		for (int i = 0; i < CLIENTS; i++) {
			int want = BURST - BURST / 5, got = 0;
			bool seen[BURST] = {false};
			while (got < want) {
				struct pollfd p = {.fd = fd[i], .events = POLLIN};
				ck_assert_msg(poll(&p, 1, 5000) == 1, "client %d round %d: %d of %d",
					      i, round, got, want);
				uint8_t r[16];
				ck_assert_int_eq(recv(fd[i], r, sizeof(r), 0), 6);
				ck_assert_int_eq(r[0], 1);
				ck_assert_int_eq(r[1], i);
				ck_assert_int_eq(r[2], round);
				ck_assert(r[3] < BURST && !seen[r[3]]);
				seen[r[3]] = true;
				ck_assert(memcmp(r + 4, &port[i], 2) == 0);
				got++;
			}
		}
	}
	/* nothing more: the dropped ones got no answer */
	for (int i = 0; i < CLIENTS; i++) {
		struct pollfd p = {.fd = fd[i], .events = POLLIN};
		ck_assert_int_eq(poll(&p, 1, i == 0 ? 100 : 0), 0);
		close(fd[i]);
	}
	ck_assert_int_eq(atomic_load(&no_ifindex), 0);
	usleep(3 * SERVE_TICK_MS * 1000);
	ck_assert_int_gt(atomic_load(&ticks), 0);
	serve_listen_stop(l);
}
END_TEST

Suite *listen_suite(void)
{
	Suite *s = suite_create("listen");
	TCase *tc = tcase_create("udp");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, udp_batches_reach_every_source);
	tcase_add_test(tc, udp_steered_by_name);
	suite_add_tcase(s, tc);
	return s;
}
