/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* UDP/TCP listeners on worker threads: see listen.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns/err.h"
#include "serve/listen.h"

#define TCP_MAX_MSG 65535
#define UDP_BATCH 32  /* datagrams per recvmmsg/sendmmsg */
#define UDP_ROUNDS 2  /* batches per socket per wake-up: fairness between sockets */
#define UDP_QMAX 4096 /* longest query read; longer ones are truncated (FORMERR) */
#define UDP_CBUF 128  /* room for one IP_PKTINFO or IPV6_PKTINFO */

typedef struct worker worker_t;

/* One batch of datagrams in and answers out (per worker, on the heap). */
typedef struct {
	struct mmsghdr in[UDP_BATCH], out[UDP_BATCH];
	struct iovec iin[UDP_BATCH], iout[UDP_BATCH];
	struct sockaddr_storage from[UDP_BATCH];
	/* aligned for CMSG_FIRSTHDR */
	union {
		char buf[UDP_CBUF];
		struct cmsghdr align;
	} cbuf[UDP_BATCH];
	uint8_t q[UDP_BATCH][UDP_QMAX];
	uint8_t *r; /* UDP_BATCH answers of rcap octets */
	size_t rcap;
} udp_batch_t;

typedef struct {
	ev_io io; /* first member: the callback casts back */
	worker_t *w;
	int fd;
	int family;
} udp_sock_t;

typedef struct {
	ev_io io;
	worker_t *w;
	int fd;
} tcp_lsock_t;

typedef struct tcp_conn {
	ev_io rio; /* first member */
	ev_io wio;
	ev_timer idle;
	worker_t *w;
	int fd;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	struct sockaddr_storage local;
	socklen_t locallen;
	uint8_t in[2 + TCP_MAX_MSG];
	size_t inlen;
	uint8_t *out; /* pending output */
	size_t outlen, outcap;
	struct tcp_conn *next, *prev;
} tcp_conn_t;

struct worker {
	serve_listen_t *l;
	int id;
	struct ev_loop *loop;
	ev_async stop;
	ev_timer tick;
	udp_batch_t *ub;
	pthread_t thread;
	bool started;
	void *ctx;
	udp_sock_t *udp;
	tcp_lsock_t *tcp;
	size_t nsock;
	tcp_conn_t *conns;
	unsigned nconns;
	uint8_t resp[TCP_MAX_MSG];
};

struct serve_listen {
	serve_listen_conf_t c;
	conf_addr_t *addrs; /* with ports resolved */
	worker_t *workers;
	bool steered; /* every address's UDP group has the program attached */
	char steer_err[128];
};

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -errno : 0;
}

static int bind_sock(const conf_addr_t *a, int type, char *err, size_t cap)
{
	int fam = a->ss.ss_family;
	int fd = socket(fam, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (fam == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (type == SOCK_DGRAM) {
		if (fam == AF_INET)
			setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
		else
			setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	}
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 128) < 0)) {
		int e = errno;
		char t[80];
		conf_addr_to_text(a, t, sizeof(t));
		snprintf(err, cap, "cannot listen on %s/%s: %s", t,
			 type == SOCK_DGRAM ? "udp" : "tcp", strerror(e));
		close(fd);
		return -e;
	}
	return fd;
}

/* With port 0 (tests), the first socket picks a port and the rest reuse it. */
static void fix_port(conf_addr_t *a, int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		return;
	if (a->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&a->ss)->sin_port = ((struct sockaddr_in *)&ss)->sin_port;
	else
		((struct sockaddr_in6 *)&a->ss)->sin6_port =
			((struct sockaddr_in6 *)&ss)->sin6_port;
}

static uint16_t addr_port(const conf_addr_t *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
}

/* SO_REUSEPORT would let us share a port with another server already
 * bound to it (a second rodnsd started by mistake, another daemon), each
 * silently getting part of the traffic. A bind without it first proves the
 * port is ours. */
static int probe_free(const conf_addr_t *a, int type, char *err, size_t cap)
{
	int fd = socket(a->ss.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	if (type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	int rc = bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 ? -errno : RODNS_OK;
	close(fd);
	if (rc != RODNS_OK) {
		char t[80];
		conf_addr_to_text(a, t, sizeof(t));
		snprintf(err, cap, "cannot listen on %s/%s: %s (another server holds the port?)",
			 t, type == SOCK_DGRAM ? "udp" : "tcp", strerror(-rc));
	}
	return rc;
}

static int bind_worker(serve_listen_t *l, worker_t *w, char *err, size_t cap)
{
	w->nsock = l->c.n_addrs;
	w->udp = calloc(w->nsock, sizeof(*w->udp));
	w->tcp = calloc(w->nsock, sizeof(*w->tcp));
	if (!w->udp || !w->tcp)
		return -ENOMEM;
	for (size_t i = 0; i < w->nsock; i++) {
		w->udp[i].fd = w->tcp[i].fd = -1;
	}
	for (size_t i = 0; i < w->nsock; i++) {
		conf_addr_t *a = &l->addrs[i];
		bool pick = addr_port(a) == 0;
		if (w->id == 0 && !pick) {
			int rc = probe_free(a, SOCK_DGRAM, err, cap);
			if (rc == RODNS_OK)
				rc = probe_free(a, SOCK_STREAM, err, cap);
			if (rc != RODNS_OK)
				return rc;
		}
		int fd = bind_sock(a, SOCK_DGRAM, err, cap);
		if (fd < 0)
			return fd;
		if (pick)
			fix_port(a, fd);
		w->udp[i] = (udp_sock_t){.w = w, .fd = fd, .family = a->ss.ss_family};
		fd = bind_sock(a, SOCK_STREAM, err, cap);
		if (fd < 0)
			return fd;
		w->tcp[i] = (tcp_lsock_t){.w = w, .fd = fd};
	}
	return RODNS_OK;
}

/* ---- steering by question name ------------------------------------------ */

/* A classic BPF program for SO_ATTACH_REUSEPORT_CBPF that picks the worker
 * for a UDP datagram from its question name, so that every worker's answer
 * cache holds its own share of the names instead of a copy of everyone's.
 * The kernel runs it on the UDP payload (the DNS message) and takes the
 * result as an index into the port's socket group, which is in bind order:
 * worker i's socket is index i (serve_listen_bind binds the workers in
 * order). An index out of range, which the program returns for what it
 * cannot hash, makes the kernel fall back to its usual 4-tuple hash.
 *
 * The program walks the first STEER_LABELS labels of the name (classic BPF
 * has no loops: the walk is unrolled) and hashes each label's octets 1-4,
 * 5-8 and 9-12 as far as it has them, and the last 4 of a label longer
 * than 4 (so all of a label up to 16 octets counts; of a longer one, the
 * first 12 and the last 4), every word ORed with 0x20 per octet so that
 * the letters' case does not matter (0x20 randomisation). Names that share
 * their first labels but differ further down (_25._tcp.<host>,
 * www.<branch>) spread too. Nothing from the
 * 12-octet header goes in: the ID must not move a question between
 * workers. A label is hashed only when the datagram holds it with room for
 * what a well-formed question has after it (root label, type and class);
 * the walk stops at the root, a compression pointer or such a short
 * datagram. A datagram without one hashable label goes by the kernel's
 * hash. */
#define STEER_LABELS 4
#define STEER_MAX SERVE_STEER_MAX /* instructions; the program takes about 50 per label */
#define STEER_GOLD 0x9e3779b1u
#define STEER_FOLD 0x20202020u
#define STEER_FALLBACK 0xffffffffu

/* Scratch memory words of the program. */
enum { M_HASH = 0, M_OFF = 1, M_LEN = 2 };
/* Jump targets, resolved after the program is laid out. */
enum { T_LAST, T_NEXT, T_DONE, T_FALLBACK };

typedef struct {
	struct sock_filter f[STEER_MAX];
	size_t n;
	size_t fix[STEER_MAX]; /* jumps to patch: instruction index */
	int fix_t[STEER_MAX], fix_f[STEER_MAX]; /* target id or -1 (fall through) */
	size_t nfix;
	bool bad; /* a jump too long for its 8-bit offset */
} bpf_asm_t;

static void op(bpf_asm_t *a, uint16_t code, uint32_t k)
{
	a->f[a->n++] = (struct sock_filter){.code = code, .k = k};
}

/* A conditional jump to target t when true, f when false (-1: the next
 * instruction); resolved by here(). */
static void jmp(bpf_asm_t *a, uint16_t code, uint32_t k, int t, int f)
{
	a->fix[a->nfix] = a->n;
	a->fix_t[a->nfix] = t;
	a->fix_f[a->nfix] = f;
	a->nfix++;
	op(a, BPF_JMP | code, k);
}

/* Places target t here and patches the pending jumps to it. */
static void here(bpf_asm_t *a, int t)
{
	for (size_t i = 0; i < a->nfix; i++) {
		struct sock_filter *j = &a->f[a->fix[i]];
		size_t dist = a->n - a->fix[i] - 1;
		if ((a->fix_t[i] == t || a->fix_f[i] == t) && dist > 255)
			a->bad = true;
		uint8_t d = (uint8_t)dist;
		if (a->fix_t[i] == t) {
			j->jt = d;
			a->fix_t[i] = -1;
		}
		if (a->fix_f[i] == t) {
			j->jf = d;
			a->fix_f[i] = -1;
		}
	}
}

/* h = (h ^ (A | fold)) * gold, kept in M_HASH. */
static void mix(bpf_asm_t *a)
{
	op(a, BPF_ALU | BPF_OR | BPF_K, STEER_FOLD);
	op(a, BPF_LDX | BPF_MEM, M_HASH);
	op(a, BPF_ALU | BPF_XOR | BPF_X, 0);
	op(a, BPF_ALU | BPF_MUL | BPF_K, STEER_GOLD);
	op(a, BPF_ST, M_HASH);
}

size_t serve_steer_prog(unsigned workers, struct sock_filter *out)
{
	bpf_asm_t a = {.n = 0};
	/* the first label's length octet must be there at all */
	op(&a, BPF_LD | BPF_W | BPF_LEN, 0);
	jmp(&a, BPF_JGE | BPF_K, 13, -1, T_FALLBACK);
	op(&a, BPF_LD | BPF_IMM, 0);
	op(&a, BPF_ST, M_HASH);
	op(&a, BPF_LD | BPF_IMM, 12);
	op(&a, BPF_ST, M_OFF);
	for (int i = 0; i < STEER_LABELS; i++) {
		/* the first label decides whether there is anything to hash */
		int stop = i == 0 ? T_FALLBACK : T_DONE;
		op(&a, BPF_LDX | BPF_MEM, M_OFF);
		op(&a, BPF_LD | BPF_B | BPF_IND, 0); /* A = label length */
		jmp(&a, BPF_JEQ | BPF_K, 0, stop, -1);
		jmp(&a, BPF_JGE | BPF_K, 64, stop, -1);
		op(&a, BPF_ST, M_LEN);
		/* off + len + 6 <= datagram length: the label, the root label,
		 * type and class fit (every read below is inside that) */
		op(&a, BPF_ALU | BPF_ADD | BPF_X, 0);
		op(&a, BPF_ALU | BPF_ADD | BPF_K, 6);
		op(&a, BPF_LDX | BPF_W | BPF_LEN, 0);
		jmp(&a, BPF_JGT | BPF_X, 0, stop, -1);
		/* the label's first 4 octets (or fewer, and what follows) */
		op(&a, BPF_LDX | BPF_MEM, M_OFF);
		op(&a, BPF_LD | BPF_W | BPF_IND, 1);
		mix(&a);
		/* octets 5-8 and 9-12 of a label that has them (reads end
		 * at off + 12 <= off + len + 5) */
		for (uint32_t k = 5; k <= 9; k += 4) {
			op(&a, BPF_LD | BPF_MEM, M_LEN);
			jmp(&a, BPF_JGE | BPF_K, k, -1, k == 5 ? T_NEXT : T_LAST);
			op(&a, BPF_LDX | BPF_MEM, M_OFF);
			op(&a, BPF_LD | BPF_W | BPF_IND, k);
			mix(&a);
		}
		/* its last 4 octets (a label of 5 or more: off + len - 3 > off) */
		here(&a, T_LAST);
		op(&a, BPF_LD | BPF_MEM, M_LEN);
		op(&a, BPF_LDX | BPF_MEM, M_OFF);
		op(&a, BPF_ALU | BPF_ADD | BPF_X, 0);
		op(&a, BPF_ALU | BPF_SUB | BPF_K, 3);
		op(&a, BPF_MISC | BPF_TAX, 0);
		op(&a, BPF_LD | BPF_W | BPF_IND, 0);
		mix(&a);
		/* on to the next label: off += len + 1 */
		here(&a, T_NEXT);
		op(&a, BPF_LD | BPF_MEM, M_LEN);
		op(&a, BPF_LDX | BPF_MEM, M_OFF);
		op(&a, BPF_ALU | BPF_ADD | BPF_X, 0);
		op(&a, BPF_ALU | BPF_ADD | BPF_K, 1);
		op(&a, BPF_ST, M_OFF);
	}
	here(&a, T_DONE);
	op(&a, BPF_LD | BPF_MEM, M_HASH);
	op(&a, BPF_ALU | BPF_RSH | BPF_K, 16);
	op(&a, BPF_ALU | BPF_MOD | BPF_K, workers);
	op(&a, BPF_RET | BPF_A, 0);
	here(&a, T_FALLBACK);
	op(&a, BPF_RET | BPF_K, STEER_FALLBACK);
	if (a.bad)
		return 0;
	memcpy(out, a.f, a.n * sizeof(a.f[0]));
	return a.n;
}

/* Attaches the program to each address's UDP socket group (once per group:
 * the kernel keeps it for the group). Where that fails (an old kernel, a
 * seccomp policy) the kernel's hash stays in use for that address and
 * l->steer_err names the first such address. */
static void steer_attach(serve_listen_t *l)
{
	struct sock_filter f[STEER_MAX];
	struct sock_fprog fp = {.len = (unsigned short)serve_steer_prog(l->c.workers, f),
				.filter = f};
	if (fp.len == 0) {
		snprintf(l->steer_err, sizeof(l->steer_err), "the steering program is too long");
		return;
	}
	worker_t *w = &l->workers[0];
	size_t failed = 0;
	for (size_t i = 0; i < w->nsock; i++)
		if (setsockopt(w->udp[i].fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &fp,
			       sizeof(fp)) < 0 &&
		    failed++ == 0) {
			char t[80];
			conf_addr_to_text(&l->addrs[i], t, sizeof(t));
			snprintf(l->steer_err, sizeof(l->steer_err),
				 "%s: SO_ATTACH_REUSEPORT_CBPF: %s", t, strerror(errno));
		}
	l->steered = failed == 0;
}

int serve_listen_bind(const serve_listen_conf_t *c, serve_listen_t **out, char *err, size_t cap)
{
	serve_listen_t *l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->c = *c;
	if (l->c.workers == 0)
		l->c.workers = 1;
	l->addrs = calloc(c->n_addrs ? c->n_addrs : 1, sizeof(*l->addrs));
	l->workers = calloc(l->c.workers, sizeof(*l->workers));
	int rc = l->addrs && l->workers ? RODNS_OK : -ENOMEM;
	if (rc == RODNS_OK)
		memcpy(l->addrs, c->addrs, c->n_addrs * sizeof(*l->addrs));
	for (unsigned i = 0; rc == RODNS_OK && i < l->c.workers; i++) {
		l->workers[i].l = l;
		l->workers[i].id = (int)i;
		rc = bind_worker(l, &l->workers[i], err, cap);
	}
	if (rc != RODNS_OK) {
		serve_listen_stop(l);
		return rc;
	}
	if (l->c.steer_by_name && l->c.workers > 1)
		steer_attach(l);
	*out = l;
	return RODNS_OK;
}

const char *serve_listen_steering(const serve_listen_t *l)
{
	if (l->steered)
		return NULL;
	if (!l->c.steer_by_name || l->c.workers < 2)
		return "not asked for";
	return l->steer_err;
}

uint16_t serve_listen_port(const serve_listen_t *l)
{
	return l->c.n_addrs ? addr_port(&l->addrs[0]) : 0;
}

/* ---- UDP ---------------------------------------------------------------- */

/* The interface a datagram arrived on, from its IP_PKTINFO/IPV6_PKTINFO. */
static int arrival_ifindex(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			return pi.ipi_ifindex;
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			return (int)pi.ipi6_ifindex;
		}
	}
	return 0;
}

/* Sends answers out[0..n): what sendmmsg does not take because one
 * message failed is retried without that message; a message whose
 * control data (the source address) is refused goes again without it.
 * A full socket buffer (EAGAIN) drops the rest: never block the worker. */
static void udp_send(int fd, struct mmsghdr *out, int n)
{
	int off = 0;
	while (off < n) {
		int r = sendmmsg(fd, out + off, (unsigned)(n - off), MSG_DONTWAIT);
		if (r > 0) {
			off += r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS))
			return;
		struct msghdr *mh = &out[off].msg_hdr;
		if (mh->msg_controllen) {
			mh->msg_control = NULL;
			mh->msg_controllen = 0;
			sendmsg(fd, mh, MSG_DONTWAIT);
		}
		off++;
	}
}

/* The receive headers: each datagram its own buffer, address and control
 * space, for the worker's lifetime. */
static void udp_batch_init(udp_batch_t *b)
{
	for (int i = 0; i < UDP_BATCH; i++) {
		b->iin[i] = (struct iovec){.iov_base = b->q[i], .iov_len = UDP_QMAX};
		b->in[i].msg_hdr = (struct msghdr){
		    .msg_name = &b->from[i], .msg_namelen = sizeof(b->from[i]),
		    .msg_iov = &b->iin[i], .msg_iovlen = 1, .msg_control = b->cbuf[i].buf,
		    .msg_controllen = sizeof(b->cbuf[i].buf)};
	}
}

/* Reads one batch, answers it, sends the answers. Returns how many
 * datagrams were read (0 when none was waiting). */
static int udp_batch(udp_sock_t *u)
{
	worker_t *w = u->w;
	udp_batch_t *b = w->ub;
	/* recvmmsg changed only these of the headers udp_batch_init set */
	for (int i = 0; i < UDP_BATCH; i++) {
		b->in[i].msg_hdr.msg_namelen = sizeof(b->from[i]);
		b->in[i].msg_hdr.msg_controllen = sizeof(b->cbuf[i].buf);
		b->in[i].msg_hdr.msg_flags = 0;
	}
	int n = recvmmsg(u->fd, b->in, UDP_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	struct sockaddr_storage to;
	memset(&to, 0, sizeof(to));
	int nout = 0;
	for (int i = 0; i < n; i++) {
		struct msghdr *mh = &b->in[i].msg_hdr;
		serve_src_t src = {.from = (struct sockaddr *)&b->from[i],
				   .fromlen = mh->msg_namelen, .to = (struct sockaddr *)&to,
				   .tcp = false, .worker = w->id, .ifindex = arrival_ifindex(mh)};
		uint8_t *r = b->r + (size_t)i * b->rcap;
		int len = w->l->c.handler(w->ctx, &src, b->q[i], b->in[i].msg_len, r,
					  w->l->c.max_udp_payload, NULL);
		if (len <= 0)
			continue;
		/* reply from the address the query came to (wildcard binds) */
		b->iout[nout] = (struct iovec){.iov_base = r, .iov_len = (size_t)len};
		b->out[nout].msg_hdr = (struct msghdr){
		    .msg_name = &b->from[i], .msg_namelen = mh->msg_namelen,
		    .msg_iov = &b->iout[nout], .msg_iovlen = 1,
		    .msg_control = mh->msg_controllen ? mh->msg_control : NULL,
		    .msg_controllen = mh->msg_controllen};
		nout++;
	}
	udp_send(u->fd, b->out, nout);
	return n;
}

static void udp_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	(void)loop;
	(void)revents;
	for (int round = 0; round < UDP_ROUNDS; round++)
		if (udp_batch((udp_sock_t *)io) < UDP_BATCH)
			break;
}

/* ---- TCP ---------------------------------------------------------------- */

static void conn_close(tcp_conn_t *c)
{
	worker_t *w = c->w;
	ev_io_stop(w->loop, &c->rio);
	ev_io_stop(w->loop, &c->wio);
	ev_timer_stop(w->loop, &c->idle);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	w->nconns--;
	free(c->out);
	free(c);
}

/* Writes what it can now; queues the rest and waits for POLLOUT. */
static int conn_write(tcp_conn_t *c, const uint8_t *p, size_t n)
{
	if (c->outlen == 0) {
		ssize_t r = send(c->fd, p, n, MSG_NOSIGNAL);
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (r > 0) {
			p += r;
			n -= (size_t)r;
		}
	}
	if (n == 0)
		return RODNS_OK;
	if (c->outlen + n > c->outcap) {
		size_t cap = (c->outlen + n) * 2;
		uint8_t *o = realloc(c->out, cap);
		if (!o)
			return -ENOMEM;
		c->out = o;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, p, n);
	c->outlen += n;
	ev_io_start(c->w->loop, &c->wio);
	return RODNS_OK;
}

/* Unsent answers one connection may pile up before it is read no further:
 * a client that sends queries but does not read its answers stalls only
 * itself, never the worker (and its UDP) as a blocking send would. */
#define TCP_OUT_HIGH (256 * 1024)

static int conn_process(tcp_conn_t *c);

static void conn_wcb(struct ev_loop *loop, ev_io *io, int revents)
{
	(void)revents;
	tcp_conn_t *c = (tcp_conn_t *)((char *)io - offsetof(tcp_conn_t, wio));
	ssize_t r = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL);
	if (r < 0 && errno != EAGAIN && errno != EINTR) {
		conn_close(c);
		return;
	}
	if (r > 0) {
		memmove(c->out, c->out + r, c->outlen - (size_t)r);
		c->outlen -= (size_t)r;
	}
	if (c->outlen == 0)
		ev_io_stop(loop, &c->wio);
	if (c->outlen < TCP_OUT_HIGH && !ev_is_active(&c->rio)) {
		/* drained: answer what was read meanwhile, then read again */
		ev_io_start(loop, &c->rio);
		ev_timer_again(loop, &c->idle);
		if (conn_process(c) < 0)
			conn_close(c);
	}
}

int serve_tcp_send(void *conn, const uint8_t *msg, size_t len)
{
	tcp_conn_t *c = conn;
	uint8_t pfx[2] = {(uint8_t)(len >> 8), (uint8_t)len};
	if (len > TCP_MAX_MSG)
		return RODNS_E_SPACE;
	/* Zone transfers out: push the backlog first so memory stays bounded. */
	while (c->outlen > 0) {
		struct pollfd p = {.fd = c->fd, .events = POLLOUT};
		if (poll(&p, 1, (int)c->w->l->c.tcp_idle_timeout * 1000) <= 0)
			return RODNS_E_TIMEOUT;
		ssize_t r = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL);
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (r > 0) {
			memmove(c->out, c->out + r, c->outlen - (size_t)r);
			c->outlen -= (size_t)r;
		}
	}
	int rc = conn_write(c, pfx, 2);
	return rc == RODNS_OK ? conn_write(c, msg, len) : rc;
}

/* Answers complete messages in the input buffer (pipelining) until the
 * output backlog is too high; the rest waits until it drains. */
static int conn_process(tcp_conn_t *c)
{
	worker_t *w = c->w;
	size_t off = 0;
	while (c->inlen - off >= 2 && c->outlen < TCP_OUT_HIGH) {
		size_t n = ((size_t)c->in[off] << 8) | c->in[off + 1];
		if (c->inlen - off - 2 < n)
			break;
		serve_src_t src = {.from = (struct sockaddr *)&c->peer, .fromlen = c->peerlen,
				   .to = (struct sockaddr *)&c->local, .tcp = true,
				   .worker = w->id};
		int len = w->l->c.handler(w->ctx, &src, c->in + off + 2, n, w->resp,
					  sizeof(w->resp), c);
		off += 2 + n;
		if (len == 0)
			return -1; /* unanswerable: drop the connection */
		uint8_t pfx[2] = {(uint8_t)(len >> 8), (uint8_t)len};
		if (len > 0 && (conn_write(c, pfx, 2) != RODNS_OK ||
				conn_write(c, w->resp, (size_t)len) != RODNS_OK))
			return -1;
	}
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
	/* backpressure: stop reading while the client does not read */
	if (c->outlen >= TCP_OUT_HIGH)
		ev_io_stop(w->loop, &c->rio);
	return 0;
}

static void conn_rcb(struct ev_loop *loop, ev_io *io, int revents)
{
	(void)revents;
	tcp_conn_t *c = (tcp_conn_t *)io;
	ssize_t r = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
		conn_close(c);
		return;
	}
	if (r < 0)
		return;
	c->inlen += (size_t)r;
	ev_timer_again(loop, &c->idle);
	if (conn_process(c) < 0)
		conn_close(c);
}

static void conn_idle(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	conn_close((tcp_conn_t *)((char *)t - offsetof(tcp_conn_t, idle)));
}

static void accept_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	(void)revents;
	tcp_lsock_t *ls = (tcp_lsock_t *)io;
	worker_t *w = ls->w;
	for (int i = 0; i < 16; i++) {
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);
		int fd = accept4(ls->fd, (struct sockaddr *)&peer, &pl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (w->nconns >= w->l->c.tcp_max_clients) {
			close(fd); /* over the limit: refuse rather than queue */
			continue;
		}
		tcp_conn_t *c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->w = w;
		c->fd = fd;
		c->peer = peer;
		c->peerlen = pl;
		c->locallen = sizeof(c->local);
		getsockname(fd, (struct sockaddr *)&c->local, &c->locallen);
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		ev_io_init(&c->rio, conn_rcb, fd, EV_READ);
		ev_io_init(&c->wio, conn_wcb, fd, EV_WRITE);
		ev_init(&c->idle, conn_idle);
		c->idle.repeat = w->l->c.tcp_idle_timeout ? (ev_tstamp)w->l->c.tcp_idle_timeout : 10.;
		ev_io_start(loop, &c->rio);
		ev_timer_again(loop, &c->idle);
		c->next = w->conns;
		if (w->conns)
			w->conns->prev = c;
		w->conns = c;
		w->nconns++;
	}
}

/* ---- workers ------------------------------------------------------------ */

static void stop_cb(struct ev_loop *loop, ev_async *a, int revents)
{
	(void)a;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void tick_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	worker_t *w = t->data;
	w->l->c.worker_tick(w->ctx);
}

static void *worker_main(void *arg)
{
	worker_t *w = arg;
	serve_listen_t *l = w->l;
	if (l->c.worker_init)
		w->ctx = l->c.worker_init(l->c.arg, w->id);
	if (l->c.worker_tick) {
		ev_timer_init(&w->tick, tick_cb, SERVE_TICK_MS / 1000., SERVE_TICK_MS / 1000.);
		w->tick.data = w;
		ev_timer_start(w->loop, &w->tick);
	}
	for (size_t i = 0; i < w->nsock; i++) {
		set_nonblock(w->udp[i].fd);
		ev_io_init(&w->udp[i].io, udp_cb, w->udp[i].fd, EV_READ);
		ev_io_start(w->loop, &w->udp[i].io);
		ev_io_init(&w->tcp[i].io, accept_cb, w->tcp[i].fd, EV_READ);
		ev_io_start(w->loop, &w->tcp[i].io);
	}
	ev_run(w->loop, 0);
	while (w->conns)
		conn_close(w->conns);
	if (l->c.worker_fini)
		l->c.worker_fini(w->ctx);
	return NULL;
}

int serve_listen_start(serve_listen_t *l)
{
	for (unsigned i = 0; i < l->c.workers; i++) {
		worker_t *w = &l->workers[i];
		w->loop = ev_loop_new(EVFLAG_AUTO);
		w->ub = calloc(1, sizeof(*w->ub));
		if (!w->loop || !w->ub)
			return -ENOMEM;
		w->ub->rcap = l->c.max_udp_payload ? l->c.max_udp_payload : 1;
		w->ub->r = malloc(UDP_BATCH * w->ub->rcap);
		if (!w->ub->r)
			return -ENOMEM;
		udp_batch_init(w->ub);
		ev_async_init(&w->stop, stop_cb);
		ev_async_start(w->loop, &w->stop);
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
			return -EAGAIN;
		w->started = true;
	}
	return RODNS_OK;
}

void serve_listen_stop(serve_listen_t *l)
{
	if (!l)
		return;
	for (unsigned i = 0; l->workers && i < l->c.workers; i++) {
		worker_t *w = &l->workers[i];
		if (w->started) {
			ev_async_send(w->loop, &w->stop);
			pthread_join(w->thread, NULL);
		}
		if (w->loop)
			ev_loop_destroy(w->loop);
		for (size_t j = 0; j < w->nsock; j++) {
			if (w->udp && w->udp[j].fd >= 0)
				close(w->udp[j].fd);
			if (w->tcp && w->tcp[j].fd >= 0)
				close(w->tcp[j].fd);
		}
		free(w->udp);
		free(w->tcp);
		if (w->ub)
			free(w->ub->r);
		free(w->ub);
	}
	free(l->workers);
	free(l->addrs);
	free(l);
}
