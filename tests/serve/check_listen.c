/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for serve/listen.c's UDP batches: many datagrams from several
 * sources at once, each answered to its own source (or, when the handler
 * says so, not at all), the arrival interface known, and the per-worker
 * tick running; with several workers, a question name always reaching the
 * same worker whatever the client's port and the name's case. */
#include <arpa/inet.h>
#include <check.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/check_bounds.h"
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

#define STEER_SHAPES 6
#define STEER_PER_SHAPE 40
#define STEER_CLIENTS 4

/* A query for <name>.example.test. A (name: dotted labels) with the given
 * ID, in random case; returns its length. */
static size_t steer_query(uint8_t *q, const char *name, uint16_t id)
{
	static const uint8_t tail[] = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't',
				       0, 0, 1, 0, 1};
	size_t p = 12;
	memset(q, 0, 12);
	q[0] = (uint8_t)(id >> 8);
	q[1] = (uint8_t)id;
	q[5] = 1; /* QDCOUNT */
	for (const char *l = name; *l;) {
		size_t n = strcspn(l, ".");
		q[p++] = (uint8_t)n;
		for (size_t i = 0; i < n; i++) {
			char ch = l[i];
			q[p++] = (uint8_t)(ch >= 'a' && ch <= 'z' && (rand() & 1) ? ch - 32 : ch);
		}
		l += n + (l[n] == '.');
	}
	memcpy(q + p, tail, sizeof(tail));
	return p + sizeof(tail);
}

/* ---- the steering program, run by a classic BPF interpreter ---- */

#define OOB 0xdeadbeefu /* what run() returns for a load outside the packet */

/* Runs a classic BPF program on pkt the way the kernel does (a load outside
 * the packet ends it, here with OOB instead of 0, so that tests see it). */
static uint32_t run(const struct sock_filter *f, size_t n, const uint8_t *pkt, uint32_t len)
{
	uint32_t A = 0, X = 0, M[BPF_MEMWORDS] = {0};
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];
		uint32_t k = i->k, src = BPF_SRC(i->code) == BPF_X ? X : k;
		switch (BPF_CLASS(i->code)) {
		case BPF_LD:
		case BPF_LDX: {
			uint32_t v = 0, off = BPF_MODE(i->code) == BPF_IND ? X + k : k;
			uint32_t sz = BPF_SIZE(i->code) == BPF_W ? 4 : BPF_SIZE(i->code) == BPF_H ? 2 : 1;
			switch (BPF_MODE(i->code)) {
			case BPF_ABS:
			case BPF_IND:
				if (off > len || sz > len - off)
					return OOB;
				for (uint32_t b = 0; b < sz; b++)
					v = v << 8 | pkt[off + b];
				break;
			case BPF_LEN: v = len; break;
			case BPF_IMM: v = k; break;
			case BPF_MEM: ck_assert_uint_lt(k, BPF_MEMWORDS); v = M[k]; break;
			default: ck_abort_msg("load mode %x", i->code);
			}
			if (BPF_CLASS(i->code) == BPF_LD)
				A = v;
			else
				X = v;
			break;
		}
		case BPF_ST: ck_assert_uint_lt(k, BPF_MEMWORDS); M[k] = A; break;
		case BPF_STX: ck_assert_uint_lt(k, BPF_MEMWORDS); M[k] = X; break;
		case BPF_ALU:
			switch (BPF_OP(i->code)) {
			case BPF_ADD: A += src; break;
			case BPF_SUB: A -= src; break;
			case BPF_MUL: A *= src; break;
			case BPF_OR: A |= src; break;
			case BPF_AND: A &= src; break;
			case BPF_XOR: A ^= src; break;
			case BPF_LSH: A <<= src & 31; break;
			case BPF_RSH: A >>= src & 31; break;
			case BPF_MOD: ck_assert_uint_ne(src, 0); A %= src; break;
			default: ck_abort_msg("alu op %x", i->code);
			}
			break;
		case BPF_JMP: {
			bool t;
			switch (BPF_OP(i->code)) {
			case BPF_JEQ: t = A == src; break;
			case BPF_JGT: t = A > src; break;
			case BPF_JGE: t = A >= src; break;
			default: ck_abort_msg("jump op %x", i->code);
			}
			pc += t ? i->jt : i->jf;
			ck_assert_uint_lt(pc + 1, n + 1);
			break;
		}
		case BPF_RET: return BPF_RVAL(i->code) == BPF_A ? A : k;
		case BPF_MISC: if (BPF_MISCOP(i->code) == BPF_TAX) X = A; else A = X; break;
		default: ck_abort_msg("class %x", i->code);
		}
	}
	ck_abort_msg("ran off the end");
	return 0;
}

/* Every question of many shapes, in any case and with any ID, gets one
 * worker number, never a load outside the datagram; what cannot be hashed
 * gets the kernel's hash; the names spread over the workers. */
START_TEST(steer_program_in_an_interpreter)
{
	struct sock_filter f[SERVE_STEER_MAX];
	for (unsigned workers = 2; workers <= 5; workers++) {
		size_t n = serve_steer_prog(workers, f);
		ck_assert_uint_gt(n, 0);
		unsigned per[5] = {0};
		srand(5);
		for (int i = 0; i < 3000; i++) {
			/* a random name: 1-6 labels of 1-40 octets of a DNS-ish alphabet */
			char name[256];
			size_t p = 0;
			int labels = 1 + rand() % 6;
			for (int l = 0; l < labels; l++) {
				int ln = 1 + (rand() % 4 == 0 ? rand() % 40 : rand() % 12);
				for (int c = 0; c < ln; c++)
					name[p++] = "abcdefghijklmnopqrstuvwxyz0123456789-_"[rand() % 38];
				name[p++] = l + 1 < labels ? '.' : 0;
			}
			uint8_t q[300];
			uint32_t ql = (uint32_t)steer_query(q, name, (uint16_t)rand());
			uint32_t w = run(f, n, q, ql);
			ck_assert_msg(w < workers, "%s: %u", name, w);
			per[w]++;
			/* the same question, other case, other ID, an OPT record after it */
			uint8_t q2[320];
			uint32_t ql2 = (uint32_t)steer_query(q2, name, (uint16_t)rand());
			static const uint8_t opt[] = {0, 0, 41, 4, 208, 0, 0, 128, 0, 0, 0};
			memcpy(q2 + ql2, opt, sizeof(opt));
			q2[11] = 1; /* ARCOUNT */
			ck_assert_uint_eq(run(f, n, q2, ql2 + sizeof(opt)), w);
			/* every cut of it: a worker, or the kernel's hash; never a
			 * load outside it */
			for (uint32_t cut = 0; cut < ql; cut++) {
				uint32_t r = run(f, n, q, cut);
				ck_assert_msg(r != OOB, "%s cut at %u: load outside", name, cut);
				ck_assert(r < workers || r == 0xffffffffu);
			}
		}
		for (unsigned i = 0; i < workers; i++)
			ck_assert_msg(per[i] > 3000 / workers / 2, "%u workers: worker %u got %u", workers,
				      i, per[i]);
		/* nothing to hash: the root name, a pointer, a bad length */
		uint8_t q[32] = {0x12, 0x34, 0, 0, 0, 1};
		q[12] = 0; /* root */
		ck_assert_uint_eq(run(f, n, q, 17), 0xffffffffu);
		q[12] = 0xc0; /* a compression pointer */
		ck_assert_uint_eq(run(f, n, q, 19), 0xffffffffu);
		q[12] = 70;
		ck_assert_uint_eq(run(f, n, q, 32), 0xffffffffu);
	}
}
END_TEST

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
	/* names of several shapes: short labels, long ones differing at the
	 * end or in the middle, and names that differ only in a later label */
	static const char *shape[STEER_SHAPES] = {"hN",		  "wwwN",	  "host-N-dc",
						  "mailNserver", "_25._tcp.hN", "www.bN"};
	int per_worker[STEER_SHAPES][2] = {{0}};
	for (int n = 0; n < STEER_SHAPES * STEER_PER_SHAPE; n++) {
		char label[64];
		switch (n % STEER_SHAPES) {
		case 0: snprintf(label, sizeof(label), "h%d", n); break;
		case 1: snprintf(label, sizeof(label), "www%d", n); break;
		case 2: snprintf(label, sizeof(label), "host-%06d-dc", n); break;
		case 3: snprintf(label, sizeof(label), "mail%dserver", n); break;
		case 4: snprintf(label, sizeof(label), "_25._tcp.h%d", n); break;
		default: snprintf(label, sizeof(label), "www.b%d", n); break;
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
		per_worker[n % STEER_SHAPES][seen]++;
	}
	/* both workers get a fair share of every shape (a hash, so not
	 * exactly half: 40 names split at worst 8/32 here) */
	for (int k = 0; k < STEER_SHAPES; k++)
		for (int i = 0; i < 2; i++)
			ck_assert_msg(per_worker[k][i] >= STEER_PER_SHAPE / 5,
				      "%s: worker %d got %d of %d", shape[k], i, per_worker[k][i],
				      STEER_PER_SHAPE);
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
	TCase *tc = t_case("udp", T_UNIT);
	tcase_add_test(tc, udp_batches_reach_every_source);
	tcase_add_test(tc, udp_steered_by_name);
	suite_add_tcase(s, tc);
	/* 4 x 3000 questions and every cut of each through a BPF interpreter */
	TCase *steer = t_case("steer", T_HEAVY);
	tcase_add_test(steer, steer_program_in_an_interpreter);
	suite_add_tcase(s, steer);
	return s;
}
