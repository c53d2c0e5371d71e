/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for ipsec/vici.c and ipsec/vici_msg.c: a fake charon (a thread on a
 * unix socket in a temporary directory) replays list-sa events built by the
 * small encoder below, which shares no code with the parser under test. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/check_bounds.h"
#include "dns/err.h"
#include "ipsec/vici.h"
#include "ipsec/vici_msg.h"

Suite *vici_suite(void);

#define PRIMARY_ID "O=DNSLab, CN=primary.dnslab.test"

/* ---- an encoder independent of the one under test ---- */

typedef struct {
	uint8_t b[8192];
	size_t n;
} buf_t;

static void put(buf_t *m, const void *p, size_t n)
{
	ck_assert_uint_le(m->n + n, sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void put8(buf_t *m, unsigned v)
{
	uint8_t b = (uint8_t)v;
	put(m, &b, 1);
}

static void put_name(buf_t *m, const char *s)
{
	put8(m, (unsigned)strlen(s));
	put(m, s, strlen(s));
}

static void put_val(buf_t *m, const char *s, size_t n)
{
	put8(m, (unsigned)(n >> 8));
	put8(m, (unsigned)(n & 0xff));
	put(m, s, n);
}

static void e_sec(buf_t *m, const char *name)
{
	put8(m, 1);
	put_name(m, name);
}

static void e_end(buf_t *m)
{
	put8(m, 2);
}

static void e_kv(buf_t *m, const char *k, const char *v)
{
	put8(m, 3);
	put_name(m, k);
	put_val(m, v, strlen(v));
}

static void e_list(buf_t *m, const char *k, const char *items)
{
	char copy[512], *save = NULL;

	put8(m, 4);
	put_name(m, k);
	snprintf(copy, sizeof(copy), "%s", items);
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		put8(m, 5);
		put_val(m, t, strlen(t));
	}
	put8(m, 6);
}

/* A whole packet: length, type, name (NULL: none), message. */
static void e_pkt(buf_t *out, unsigned type, const char *name, const buf_t *msg)
{
	size_t len = 1 + (name ? 1 + strlen(name) : 0) + (msg ? msg->n : 0);
	uint8_t be[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			 (uint8_t)len};

	out->n = 0;
	put(out, be, 4);
	put8(out, type);
	if (name)
		put_name(out, name);
	if (msg)
		put(out, msg->b, msg->n);
}

typedef struct {
	const char *ike, *state, *id;
	const char *child_state, *local_ts, *remote_ts; /* NULL child_state: no child */
	const char *child2_state, *remote2_ts;		/* a second child, optional */
} sa_spec_t;

static const sa_spec_t GOOD = {"xfr",		"ESTABLISHED",	 PRIMARY_ID, "INSTALLED",
			       "198.18.1.1/32", "198.18.2.1/32", NULL,	     NULL};

static void e_child(buf_t *m, const char *sec, const char *state, const char *lts, const char *rts)
{
	e_sec(m, sec);
	e_kv(m, "name", "xfr");
	e_kv(m, "uniqueid", "1");
	e_kv(m, "reqid", "1");
	e_kv(m, "state", state);
	e_kv(m, "mode", "TUNNEL");
	e_kv(m, "protocol", "ESP");
	e_kv(m, "encap", "yes");
	e_list(m, "local-ts", lts);
	e_list(m, "remote-ts", rts);
	e_end(m);
}

/* The message of one list-sa event, shaped like charon 5.9's. */
static void e_ike_msg(buf_t *m, const sa_spec_t *s)
{
	m->n = 0;
	e_sec(m, s->ike);
	e_kv(m, "uniqueid", "1");
	e_kv(m, "version", "2");
	e_kv(m, "state", s->state);
	e_kv(m, "local-host", "198.18.0.1");
	e_kv(m, "local-id", "O=DNSLab, CN=replica.dnslab.test");
	e_kv(m, "remote-host", "198.18.0.2");
	e_kv(m, "remote-id", s->id);
	e_kv(m, "initiator", "yes");
	e_list(m, "tasks-active", "CHILD_REKEY");
	e_sec(m, "child-sas");
	if (s->child_state)
		e_child(m, "xfr-1", s->child_state, s->local_ts, s->remote_ts);
	if (s->child2_state)
		e_child(m, "xfr-2", s->child2_state, s->local_ts, s->remote2_ts);
	e_end(m);
	e_end(m);
}

static void e_ike(buf_t *pkt, const sa_spec_t *s)
{
	buf_t m;

	e_ike_msg(&m, s);
	e_pkt(pkt, 7, "list-sa", &m);
}

/* ---- the fake charon ---- */

#define SCRIPT_MAX 6

typedef enum {
	FAKE_NORMAL,
	FAKE_SILENT,	  /* reads, never answers */
	FAKE_REG_UNKNOWN, /* answers the registration with EVENT_UNKNOWN */
	FAKE_CMD_UNKNOWN, /* answers list-sas with CMD_UNKNOWN */
	FAKE_CLOSE,	  /* closes the connection after the list-sa events */
} fake_mode_t;

typedef struct {
	char dir[40], path[100];
	int lfd;
	pthread_t th;
	fake_mode_t mode;
	buf_t before[SCRIPT_MAX]; /* packets sent for list-sas ... */
	size_t n_before;
	buf_t after[SCRIPT_MAX]; /* ... and for list-sas after an initiate */
	size_t n_after;
	const char *initiate_errmsg; /* NULL: the initiate succeeds */
	/* what the client did */
	int registered, listed, unregistered, initiated;
	char init_child[64], init_timeout[24];
} fake_t;

static int read_full(int fd, uint8_t *p, size_t n)
{
	while (n) {
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		if (poll(&pf, 1, 5000) <= 0)
			return -1;
		ssize_t k = read(fd, p, n);
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static void send_buf(int fd, const buf_t *b)
{
	if (b->n && send(fd, b->b, b->n, MSG_NOSIGNAL) < 0)
		return;
}

static void send_simple(int fd, unsigned type, const buf_t *msg)
{
	buf_t p;

	e_pkt(&p, type, NULL, msg);
	send_buf(fd, &p);
}

static void fake_initiate(fake_t *f, int fd, const ipsec_vici_pkt_t *pk)
{
	buf_t r = {.n = 0};

	f->initiated++;
	ipsec_vici_msg_get(pk->msg, pk->msg_len, "child", f->init_child, sizeof(f->init_child));
	ipsec_vici_msg_get(pk->msg, pk->msg_len, "timeout", f->init_timeout,
			   sizeof(f->init_timeout));
	e_kv(&r, "success", f->initiate_errmsg ? "no" : "yes");
	if (f->initiate_errmsg)
		e_kv(&r, "errmsg", f->initiate_errmsg);
	send_simple(fd, 1, &r);
}

/* 0, or -1 to close the connection. */
static int fake_list(fake_t *f, int fd)
{
	const buf_t *v = f->initiated ? f->after : f->before;
	size_t n = f->initiated ? f->n_after : f->n_before;

	f->listed++;
	if (f->mode == FAKE_CMD_UNKNOWN) {
		send_simple(fd, 2, NULL);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		send_buf(fd, &v[i]);
	if (f->mode == FAKE_CLOSE)
		return -1;
	send_simple(fd, 1, NULL);
	return 0;
}

static void fake_serve(fake_t *f, int fd)
{
	uint8_t be[4], *pl;
	ipsec_vici_pkt_t pk;

	while (read_full(fd, be, 4) == 0) {
		size_t len =
		    ((size_t)be[0] << 24) | ((size_t)be[1] << 16) | ((size_t)be[2] << 8) | be[3];
		if (len == 0 || len > 65536 || !(pl = malloc(len)))
			return;
		if (read_full(fd, pl, len) || ipsec_vici_pkt_parse(pl, len, &pk)) {
			free(pl);
			return;
		}
		if (f->mode == FAKE_SILENT) {
			/* answers nothing */
		} else if (ipsec_vici_pkt_is(&pk, 3, "list-sa")) {
			f->registered++;
			send_simple(fd, f->mode == FAKE_REG_UNKNOWN ? 6 : 5, NULL);
		} else if (ipsec_vici_pkt_is(&pk, 4, "list-sa")) {
			f->unregistered++;
			send_simple(fd, 5, NULL);
		} else if (ipsec_vici_pkt_is(&pk, 0, "list-sas")) {
			if (fake_list(f, fd) < 0) {
				free(pl);
				return;
			}
		} else if (ipsec_vici_pkt_is(&pk, 0, "initiate")) {
			fake_initiate(f, fd, &pk);
		} else {
			send_simple(fd, 2, NULL);
		}
		free(pl);
	}
}

static void *fake_main(void *arg)
{
	fake_t *f = arg;
	struct pollfd pf = {.fd = f->lfd, .events = POLLIN};

	if (poll(&pf, 1, 5000) == 1) {
		int fd = accept(f->lfd, NULL, NULL);
		if (fd >= 0) {
			fake_serve(f, fd);
			close(fd);
		}
	}
	return NULL;
}

static void fake_init(fake_t *f)
{
	memset(f, 0, sizeof(*f));
	strcpy(f->dir, "/tmp/rodns-vici-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/charon.vici", f->dir);
	f->lfd = -1;
}

static void fake_start(fake_t *f)
{
	struct sockaddr_un un = {.sun_family = AF_UNIX};

	snprintf(un.sun_path, sizeof(un.sun_path), "%s", f->path);
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(f->lfd, 0);
	ck_assert_int_eq(bind(f->lfd, (struct sockaddr *)&un, sizeof(un)), 0);
	ck_assert_int_eq(listen(f->lfd, 4), 0);
	ck_assert_int_eq(pthread_create(&f->th, NULL, fake_main, f), 0);
}

static void fake_stop(fake_t *f)
{
	if (f->lfd >= 0) {
		pthread_join(f->th, NULL);
		close(f->lfd);
	}
	unlink(f->path);
	rmdir(f->dir);
}

static void fake_add(fake_t *f, const sa_spec_t *s)
{
	ck_assert_uint_lt(f->n_before, SCRIPT_MAX);
	e_ike(&f->before[f->n_before++], s);
}

static void fake_add_after(fake_t *f, const sa_spec_t *s)
{
	ck_assert_uint_lt(f->n_after, SCRIPT_MAX);
	e_ike(&f->after[f->n_after++], s);
}

static conf_addr_t addr(const char *s)
{
	conf_addr_t a;

	ck_assert_int_eq(conf_parse_addr(s, 53, &a), RODNS_OK);
	return a;
}

static char reason[1024];
static ipsec_sa_t sa;

/* Runs the check against the fake for the primary at paddr. */
static int run(fake_t *f, const char *id, const char *paddr, const char *initiate, int ms)
{
	conf_addr_t p = addr(paddr);

	fake_start(f);
	int rc = ipsec_vici_check(f->path, id, &p, initiate, ms, &sa, reason, sizeof(reason));
	fake_stop(f);
	return rc;
}

static void assert_reason(const char *want)
{
	ck_assert_msg(strstr(reason, want), "reason '%s' lacks '%s'", reason, want);
}

static const char *inner_text(void)
{
	static char t[80];

	ck_assert_int_gt(conf_addr_to_text(&sa.local_inner, t, sizeof(t)), 0);
	return t;
}

/* ---- the check against a fake charon ---- */

START_TEST(t_ok)
{
	fake_t f;

	fake_init(&f);
	fake_add(&f, &GOOD);
	/* the configured DN without the blank charon prints after the comma */
	ck_assert_int_eq(run(&f, "O=DNSLab,CN=primary.dnslab.test", "198.18.2.1@53", NULL, 3000),
			 RODNS_OK);
	ck_assert_str_eq(reason, "");
	ck_assert_str_eq(sa.ike_name, "xfr");
	ck_assert_str_eq(sa.child_name, "xfr");
	ck_assert_str_eq(sa.remote_id, PRIMARY_ID);
	ck_assert_str_eq(inner_text(), "198.18.1.1@0");
	ck_assert_int_eq(f.registered, 1);
	ck_assert_int_eq(f.listed, 1);
	ck_assert_int_eq(f.unregistered, 1);
	ck_assert_int_eq(f.initiated, 0);
}
END_TEST

START_TEST(t_ok_among_others)
{
	fake_t f;
	sa_spec_t other = GOOD, connecting = GOOD;

	other.ike = "other";
	other.id = "O=DNSLab, CN=elsewhere.dnslab.test";
	connecting.ike = "xfr-old";
	connecting.state = "CONNECTING";
	fake_init(&f);
	fake_add(&f, &other);
	fake_add(&f, &connecting);
	fake_add(&f, &GOOD);
	ck_assert_int_eq(run(&f, PRIMARY_ID, "198.18.2.1", NULL, 3000), RODNS_OK);
	ck_assert_str_eq(sa.ike_name, "xfr");
}
END_TEST

START_TEST(t_wrong_id)
{
	fake_t f;

	fake_init(&f);
	fake_add(&f, &GOOD);
	ck_assert_int_eq(run(&f, "O=DNSLab, CN=intruder.dnslab.test", "198.18.2.1", NULL, 3000),
			 RODNS_E_IPSEC);
	assert_reason("no IKE SA with remote identity 'O=DNSLab, CN=intruder.dnslab.test'");
	assert_reason("'" PRIMARY_ID "' ESTABLISHED");
	ck_assert_str_eq(sa.ike_name, "");
	ck_assert_int_eq(sa.local_inner.len, 0);
}
END_TEST

START_TEST(t_no_sa)
{
	fake_t f;

	fake_init(&f);
	ck_assert_int_eq(run(&f, PRIMARY_ID, "198.18.2.1", NULL, 3000), RODNS_E_IPSEC);
	assert_reason("has no IKE SA");
}
END_TEST

START_TEST(t_not_established)
{
	fake_t f;
	sa_spec_t s = GOOD;

	s.state = "CONNECTING";
	s.child_state = NULL;
	fake_init(&f);
	fake_add(&f, &s);
	ck_assert_int_eq(run(&f, PRIMARY_ID, "198.18.2.1", NULL, 3000), RODNS_E_IPSEC);
	assert_reason("IKE SA 'xfr' with '" PRIMARY_ID "' is CONNECTING, not ESTABLISHED");
}
END_TEST

START_TEST(t_child_not_installed)
{
	fake_t f;
	sa_spec_t s = GOOD;

	s.child_state = "REKEYED";
	fake_init(&f);
	fake_add(&f, &s);
	ck_assert_int_eq(run(&f, PRIMARY_ID, "198.18.2.1", NULL, 3000), RODNS_E_IPSEC);
	assert_reason("is ESTABLISHED but has no INSTALLED CHILD SA");
	s.child_state = NULL;
	fake_init(&f);
	fake_add(&f, &s);
	ck_assert_int_eq(run(&f, PRIMARY_ID, "198.18.2.1", NULL, 3000), RODNS_E_IPSEC);
	assert_reason("no INSTALLED CHILD SA (none at all)");
}
END_TEST

START_TEST(t_not_covering)
{
	fake_t f;
	sa_spec_t s = GOOD;

	s.remote_ts = "198.18.2.2/32 198.18.3.0/24";
	fake_init(&f);
	fake_add(&f, &s);
	ck_assert_int_eq(run(&f, PRIMARY_ID, "198.18.2.1", NULL, 3000), RODNS_E_IPSEC);
	assert_reason("has a remote traffic selector covering 198.18.2.1 port 53/tcp");
	assert_reason("xfr: 198.18.2.2/32 198.18.3.0/24");
	/* covered, but only for UDP */
	s.remote_ts = "198.18.2.1/32[udp/53]";
	fake_init(&f);
	fake_add(&f, &s);
	ck_assert_int_eq(run(&f, PRIMARY_ID, "198.18.2.1", NULL, 3000), RODNS_E_IPSEC);
	assert_reason("198.18.2.1/32[udp/53]");
	/* an IPv6 primary, an IPv4-only SA */
	fake_init(&f);
	fake_add(&f, &GOOD);
	ck_assert_int_eq(run(&f, PRIMARY_ID, "2001:db8::1", NULL, 3000), RODNS_E_IPSEC);
	assert_reason("covering 2001:db8::1 port 53/tcp");
}
END_TEST

START_TEST(t_second_child_covers)
{
	fake_t f;
	sa_spec_t s = GOOD;

	s.remote_ts = "198.18.9.0/24";
	s.child2_state = "INSTALLED";
	s.remote2_ts = "198.18.2.0..198.18.2.7[tcp/domain]";
	fake_init(&f);
	fake_add(&f, &s);
	ck_assert_int_eq(run(&f, PRIMARY_ID, "198.18.2.1", NULL, 3000), RODNS_OK);
	ck_assert_str_eq(inner_text(), "198.18.1.1@0");
}
END_TEST

START_TEST(t_no_local_ts)
{
	fake_t f;
	sa_spec_t s = GOOD;

	s.local_ts = "2001:db8:1::1/128";
	fake_init(&f);
	fake_add(&f, &s);
	ck_assert_int_eq(run(&f, PRIMARY_ID, "198.18.2.1", NULL, 3000), RODNS_E_IPSEC);
	assert_reason("covers 198.18.2.1 port 53 but has no IPv4 local traffic selector");
}
END_TEST

START_TEST(t_ipv6_subnet)
{
	fake_t f;
	sa_spec_t s = GOOD;

	s.local_ts = "198.18.1.1/32 2001:db8:1::/64";
	s.remote_ts = "2001:db8:2::/48";
	fake_init(&f);
	fake_add(&f, &s);
	ck_assert_int_eq(run(&f, PRIMARY_ID, "[2001:db8:2:0:1::5]:53", NULL, 3000), RODNS_OK);
	/* a subnet as the local selector: its first address */
	ck_assert_str_eq(inner_text(), "2001:db8:1::@0");
}
END_TEST

START_TEST(t_initiate)
{
	fake_t f;

	fake_init(&f);
	fake_add_after(&f, &GOOD);
	ck_assert_int_eq(run(&f, PRIMARY_ID, "198.18.2.1", "xfr", 3000), RODNS_OK);
	ck_assert_int_eq(f.initiated, 1);
	ck_assert_int_eq(f.listed, 2);
	ck_assert_str_eq(f.init_child, "xfr");
	ck_assert_int_gt(atoi(f.init_timeout), 0);
	ck_assert_int_le(atoi(f.init_timeout), 3000);
	ck_assert_str_eq(inner_text(), "198.18.1.1@0");
}
END_TEST

START_TEST(t_initiate_fails)
{
	fake_t f;

	fake_init(&f);
	f.initiate_errmsg = "establishing CHILD_SA 'xfr' failed";
	ck_assert_int_eq(run(&f, PRIMARY_ID, "198.18.2.1", "xfr", 3000), RODNS_E_IPSEC);
	assert_reason("has no IKE SA");
	assert_reason("(initiate 'xfr' failed: establishing CHILD_SA 'xfr' failed)");
	ck_assert_int_eq(f.listed, 2);
	/* not needed: not asked */
	fake_init(&f);
	fake_add(&f, &GOOD);
	ck_assert_int_eq(run(&f, PRIMARY_ID, "198.18.2.1", "xfr", 3000), RODNS_OK);
	ck_assert_int_eq(f.initiated, 0);
}
END_TEST

START_TEST(t_socket_missing)
{
	conf_addr_t p = addr("198.18.2.1");

	ck_assert_int_eq(ipsec_vici_check("/nonexistent/rodns/charon.vici", PRIMARY_ID, &p, "xfr",
					  1000, &sa, reason, sizeof(reason)),
			 RODNS_E_IPSEC);
	assert_reason("charon not reachable at /nonexistent/rodns/charon.vici");
}
END_TEST

START_TEST(t_silent)
{
	fake_t f;

	fake_init(&f);
	f.mode = FAKE_SILENT;
	ck_assert_int_eq(run(&f, PRIMARY_ID, "198.18.2.1", NULL, 300), RODNS_E_IPSEC);
	assert_reason("did not answer");
}
END_TEST

START_TEST(t_unknown)
{
	fake_t f;

	fake_init(&f);
	f.mode = FAKE_REG_UNKNOWN;
	ck_assert_int_eq(run(&f, PRIMARY_ID, "198.18.2.1", NULL, 3000), RODNS_E_IPSEC);
	assert_reason("does not know the list-sa event");
	fake_init(&f);
	f.mode = FAKE_CMD_UNKNOWN;
	ck_assert_int_eq(run(&f, PRIMARY_ID, "198.18.2.1", NULL, 3000), RODNS_E_IPSEC);
	assert_reason("does not know the list-sas command");
}
END_TEST

/* ---- malformed input from charon ---- */

/* Raw packets (length prefix included) sent in answer to list-sas. */
static void malformed_pkt(buf_t *p, int i)
{
	buf_t m = {.n = 0};

	p->n = 0;
	switch (i) {
	case 0: /* zero length */
		put(p, "\0\0\0\0", 4);
		return;
	case 1: /* longer than the limit */
		put(p, "\x00\x80\x00\x01", 4);
		put8(p, 7);
		return;
	case 2: /* promises more than it sends, then the connection closes */
		put(p, "\x00\x00\x01\x00\x07\x07list-sa", 12);
		return;
	case 3: /* event name past the end */
		put(p, "\x00\x00\x00\x03\x07\x09l", 7);
		return;
	case 4: /* unknown packet type */
		e_pkt(p, 9, NULL, NULL);
		return;
	case 5: /* section end at the top */
		e_end(&m);
		break;
	case 6: /* an item outside a list */
		e_sec(&m, "xfr");
		put8(&m, 5);
		put_val(&m, "x", 1);
		e_end(&m);
		break;
	case 7: /* a section inside a list */
		e_sec(&m, "xfr");
		put8(&m, 4);
		put_name(&m, "l");
		e_sec(&m, "in");
		e_end(&m);
		put8(&m, 6);
		e_end(&m);
		break;
	case 8: /* a section left open */
		e_sec(&m, "xfr");
		e_kv(&m, "state", "ESTABLISHED");
		break;
	case 9: /* a value length past the end */
		e_sec(&m, "xfr");
		put8(&m, 3);
		put_name(&m, "remote-id");
		put8(&m, 0x40);
		put8(&m, 0);
		put(&m, "O=X", 3);
		break;
	case 10: /* unknown element type */
		e_sec(&m, "xfr");
		put8(&m, 9);
		e_end(&m);
		break;
	case 11: /* two IKE SAs in one event */
		e_sec(&m, "a");
		e_end(&m);
		e_sec(&m, "b");
		e_end(&m);
		break;
	case 12: /* a key we use given twice */
		e_sec(&m, "xfr");
		e_kv(&m, "state", "CONNECTING");
		e_kv(&m, "state", "ESTABLISHED");
		e_end(&m);
		break;
	case 13: /* nested deeper than the limit */
		for (int d = 0; d < IPSEC_VICI_DEPTH_MAX + 1; d++)
			e_sec(&m, "s");
		for (int d = 0; d < IPSEC_VICI_DEPTH_MAX + 1; d++)
			e_end(&m);
		break;
	case 14: /* a list left open */
		e_sec(&m, "xfr");
		put8(&m, 4);
		put_name(&m, "l");
		break;
	case 15: /* an empty event */
		break;
	case 16: /* a name length past the end */
		put8(&m, 1);
		put8(&m, 200);
		put(&m, "xfr", 3);
		break;
	default: /* list end without a list */
		e_sec(&m, "xfr");
		put8(&m, 6);
		e_end(&m);
		break;
	}
	e_pkt(p, 7, "list-sa", &m);
}

#define N_MALFORMED 18

START_TEST(t_malformed)
{
	fake_t f;

	fake_init(&f);
	f.mode = FAKE_CLOSE; /* what a truncated packet promises never comes */
	fake_add(&f, &GOOD); /* a good SA first: a bad packet after it still fails */
	malformed_pkt(&f.before[f.n_before++], _i);
	ck_assert_int_eq(run(&f, PRIMARY_ID, "198.18.2.1", NULL, 2000), RODNS_E_IPSEC);
	ck_assert_msg(reason[0], "case %d: no reason", _i);
	ck_assert_msg(strstr(reason, "malformed") || strstr(reason, "closed") ||
			  strstr(reason, "unexpected"),
		      "case %d: reason '%s'", _i, reason);
	ck_assert_int_eq(sa.local_inner.len, 0);
}
END_TEST

START_TEST(t_nul_in_id)
{
	fake_t f;
	buf_t m = {.n = 0};
	static const char id[] = PRIMARY_ID "\0.evil";

	/* a NUL inside the identity must not make it equal its prefix */
	fake_init(&f);
	e_sec(&m, "xfr");
	e_kv(&m, "state", "ESTABLISHED");
	put8(&m, 3);
	put_name(&m, "remote-id");
	put_val(&m, id, sizeof(id) - 1);
	e_sec(&m, "child-sas");
	e_child(&m, "xfr-1", "INSTALLED", "198.18.1.1/32", "198.18.2.1/32");
	e_end(&m);
	e_end(&m);
	e_pkt(&f.before[f.n_before++], 7, "list-sa", &m);
	ck_assert_int_eq(run(&f, PRIMARY_ID, "198.18.2.1", NULL, 2000), RODNS_E_IPSEC);
	assert_reason("no IKE SA with remote identity");
}
END_TEST

/* ---- the pure parts ---- */

START_TEST(t_id_eq)
{
	ck_assert(ipsec_vici_id_eq("O=DNSLab, CN=p", "O=DNSLab,CN=p"));
	ck_assert(ipsec_vici_id_eq(" O=DNSLab,   CN=p ", "O=DNSLab, CN=p"));
	ck_assert(ipsec_vici_id_eq("primary.dnslab.test", "primary.dnslab.test"));
	ck_assert(!ipsec_vici_id_eq("O=DNSLab, CN=p", "O=DNSLab, CN=q"));
	ck_assert(!ipsec_vici_id_eq("O=DNSLab, CN=p", "O=DNSLab, CN=p2"));
	ck_assert(!ipsec_vici_id_eq("O=DNS Lab, CN=p", "O=DNSLab, CN=p"));
	ck_assert(!ipsec_vici_id_eq("O=A\\, B, CN=p", "O=A\\,B, CN=p")); /* escaped comma */
	ck_assert(!ipsec_vici_id_eq("", ""));
	ck_assert(!ipsec_vici_id_eq("  ", ""));
}
END_TEST

START_TEST(t_ts)
{
	ipsec_vici_ts_t ts;
	conf_addr_t a = addr("198.18.2.1@53"), b = addr("198.18.2.1@5353");

	ipsec_vici_ts_parse("198.18.2.0/24", &ts);
	ck_assert(ts.ok && ipsec_vici_ts_covers(&ts, &a));
	ipsec_vici_ts_parse("198.18.2.1/24", &ts); /* host bits ignored as charon would */
	ck_assert(ts.ok && ipsec_vici_ts_covers(&ts, &a));
	ipsec_vici_ts_parse("198.18.2.2/31", &ts);
	ck_assert(ts.ok && !ipsec_vici_ts_covers(&ts, &a));
	ipsec_vici_ts_parse("0.0.0.0/0", &ts);
	ck_assert(ts.ok && ipsec_vici_ts_covers(&ts, &a));
	ipsec_vici_ts_parse("198.18.2.1/32[tcp/53]", &ts);
	ck_assert(ipsec_vici_ts_covers(&ts, &a) && !ipsec_vici_ts_covers(&ts, &b));
	ipsec_vici_ts_parse("198.18.2.1/32[6/1024-65535]", &ts);
	ck_assert(!ipsec_vici_ts_covers(&ts, &a) && ipsec_vici_ts_covers(&ts, &b));
	ipsec_vici_ts_parse("198.18.2.1/32[tcp]", &ts);
	ck_assert(ipsec_vici_ts_covers(&ts, &a));
	ipsec_vici_ts_parse("198.18.2.1/32[udp]", &ts);
	ck_assert(ts.ok && !ipsec_vici_ts_covers(&ts, &a));
	ipsec_vici_ts_parse("198.18.2.1/32[tcp/OPAQUE]", &ts);
	ck_assert(!ipsec_vici_ts_covers(&ts, &a));
	ipsec_vici_ts_parse("198.18.2.1/32[tcp/http]", &ts); /* a name we do not resolve */
	ck_assert(!ts.ok && !ipsec_vici_ts_covers(&ts, &a));
	ipsec_vici_ts_parse("198.18.2.1..198.18.2.1", &ts);
	ck_assert(ts.ok && ipsec_vici_ts_covers(&ts, &a));
	ipsec_vici_ts_parse("198.18.2.5..198.18.2.1", &ts);
	ck_assert(!ts.ok);
	ipsec_vici_ts_parse("198.18.2.1/33", &ts);
	ck_assert(!ts.ok);
	ipsec_vici_ts_parse("dynamic", &ts);
	ck_assert(!ts.ok);
	ipsec_vici_ts_parse("198.18.2.1/32[tcp/53", &ts);
	ck_assert(!ts.ok);
	ipsec_vici_ts_parse("::/0", &ts);
	ck_assert(ts.ok && !ipsec_vici_ts_covers(&ts, &a));
	ipsec_vici_ts_parse("", &ts);
	ck_assert(!ts.ok);
}
END_TEST

START_TEST(t_builder_reader)
{
	uint8_t buf[256], out[300];
	ipsec_vici_wr_t w;
	ipsec_vici_rd_t r;
	ipsec_vici_el_t el;
	ipsec_vici_pkt_t p;
	char v[16];

	ipsec_vici_wr_init(&w, buf, sizeof(buf));
	ipsec_vici_wr_section(&w, "s");
	ipsec_vici_wr_kv(&w, "k", "v");
	ipsec_vici_wr_list(&w, "l");
	ipsec_vici_wr_item(&w, "i");
	ipsec_vici_wr_list_end(&w);
	ipsec_vici_wr_section_end(&w);
	ipsec_vici_wr_kv(&w, "top", "yes");
	ck_assert_int_eq(w.error, RODNS_OK);
	ipsec_vici_rd_init(&r, buf, w.len);
	static const uint8_t types[] = {1, 3, 4, 5, 6, 2, 3};
	for (size_t i = 0; i < sizeof(types); i++) {
		ck_assert_int_eq(ipsec_vici_rd_next(&r, &el), 1);
		ck_assert_uint_eq(el.type, types[i]);
	}
	ck_assert_int_eq(ipsec_vici_rd_next(&r, &el), 0);
	ck_assert_int_eq(ipsec_vici_msg_get(buf, w.len, "top", v, sizeof(v)), RODNS_OK);
	ck_assert_str_eq(v, "yes");
	ck_assert_int_eq(ipsec_vici_msg_get(buf, w.len, "k", v, sizeof(v)), RODNS_E_NOTFOUND);
	int n = ipsec_vici_pkt_build(0, "list-sas", buf, w.len, out, sizeof(out));
	ck_assert_int_eq(n, (int)(4 + 1 + 1 + 8 + w.len));
	ck_assert_int_eq(ipsec_vici_pkt_parse(out + 4, (size_t)n - 4, &p), RODNS_OK);
	ck_assert(ipsec_vici_pkt_is(&p, 0, "list-sas"));
	ck_assert_uint_eq(p.msg_len, w.len);
	/* the builder's sticky error */
	ipsec_vici_wr_init(&w, buf, 4);
	ipsec_vici_wr_kv(&w, "key", "value");
	ipsec_vici_wr_kv(&w, "k", "");
	ck_assert_int_eq(w.error, RODNS_E_SPACE);
	ck_assert_int_eq(ipsec_vici_pkt_build(0, "list-sas", NULL, 0, out, 8), RODNS_E_SPACE);
	/* a response packet has no name; a request without one is malformed */
	ck_assert_int_eq(ipsec_vici_pkt_parse((const uint8_t *)"\x01", 1, &p), RODNS_OK);
	ck_assert_uint_eq(p.msg_len, 0);
	ck_assert_int_eq(ipsec_vici_pkt_parse((const uint8_t *)"\x00", 1, &p), RODNS_E_MALFORMED);
	ck_assert_int_eq(ipsec_vici_pkt_parse((const uint8_t *)"\x07\x00", 2, &p),
			 RODNS_E_MALFORMED);
}
END_TEST

Suite *vici_suite(void)
{
	Suite *s = suite_create("vici");
	TCase *tc = t_case("vici", T_UNIT);

	tcase_add_test(tc, t_ok);
	tcase_add_test(tc, t_ok_among_others);
	tcase_add_test(tc, t_wrong_id);
	tcase_add_test(tc, t_no_sa);
	tcase_add_test(tc, t_not_established);
	tcase_add_test(tc, t_child_not_installed);
	tcase_add_test(tc, t_not_covering);
	tcase_add_test(tc, t_second_child_covers);
	tcase_add_test(tc, t_no_local_ts);
	tcase_add_test(tc, t_ipv6_subnet);
	tcase_add_test(tc, t_initiate);
	tcase_add_test(tc, t_initiate_fails);
	tcase_add_test(tc, t_socket_missing);
	tcase_add_test(tc, t_silent);
	tcase_add_test(tc, t_unknown);
	tcase_add_loop_test(tc, t_malformed, 0, N_MALFORMED);
	tcase_add_test(tc, t_nul_in_id);
	tcase_add_test(tc, t_id_eq);
	tcase_add_test(tc, t_ts);
	tcase_add_test(tc, t_builder_reader);
	suite_add_tcase(s, tc);
	return s;
}
