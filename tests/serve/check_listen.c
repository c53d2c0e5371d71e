/* Tests for serve/listen.c's UDP batches: many datagrams from several
 * sources at once, each answered to its own source (or, when the handler
 * says so, not at all), the arrival interface known, and the per-worker
 * tick running. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
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
	suite_add_tcase(s, tc);
	return s;
}
