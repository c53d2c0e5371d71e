/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The IPsec SA check over charon's VICI socket: see vici.h. The protocol
 * itself (packets, elements, what an SA must look like) is in vici_msg.c;
 * this file is the conversation: register for "list-sa" events, ask
 * "list-sas", judge every event until the command's response, optionally
 * "initiate" and look again, unregister. Every read and write is bounded by
 * one deadline. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dns/err.h"
#include "ipsec/vici.h"
#include "ipsec/vici_msg.h"

typedef struct {
	int fd;
	int64_t deadline; /* CLOCK_MONOTONIC, ms */
	uint8_t *buf;	  /* payload of the last packet received */
	ipsec_vici_pkt_t pkt;
} vici_conn_t;

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_fd(const vici_conn_t *c, short ev)
{
	for (;;) {
		int64_t left = c->deadline - mono_ms();
		if (left <= 0)
			return RODNS_E_TIMEOUT;
		struct pollfd p = {.fd = c->fd, .events = ev};
		int n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n > 0)
			return RODNS_OK; /* errors and hang-ups show in the next call */
		if (n == 0)
			return RODNS_E_TIMEOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int conn_write(vici_conn_t *c, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k > 0) {
			p += k;
			n -= (size_t)k;
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		int rc = wait_fd(c, POLLOUT);
		if (rc != RODNS_OK)
			return rc;
	}
	return RODNS_OK;
}

static int conn_read(vici_conn_t *c, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = recv(c->fd, p, n, MSG_DONTWAIT);
		if (k > 0) {
			p += k;
			n -= (size_t)k;
			continue;
		}
		if (k == 0)
			return RODNS_E_CLOSED;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		int rc = wait_fd(c, POLLIN);
		if (rc != RODNS_OK)
			return rc;
	}
	return RODNS_OK;
}

static int conn_open(vici_conn_t *c, const char *path)
{
	struct sockaddr_un un = {.sun_family = AF_UNIX};

	if (strlen(path) >= sizeof(un.sun_path))
		return -ENAMETOOLONG;
	memcpy(un.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&un, sizeof(un)) == 0)
		return RODNS_OK;
	if (errno != EAGAIN && errno != EINPROGRESS)
		return -errno;
	int rc = wait_fd(c, POLLOUT), err = 0;
	socklen_t el = sizeof(err);
	if (rc == RODNS_OK && getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err)
		rc = -err;
	return rc;
}

static void conn_close(vici_conn_t *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}

static int conn_send(vici_conn_t *c, uint8_t type, const char *name, const uint8_t *msg, size_t len)
{
	uint8_t out[1024];
	int n = ipsec_vici_pkt_build(type, name, msg, len, out, sizeof(out));
	if (n < 0)
		return n;
	return conn_write(c, out, (size_t)n);
}

/* Reads one packet into c->buf / c->pkt. */
static int conn_recv(vici_conn_t *c)
{
	uint8_t be[4];
	int rc = conn_read(c, be, 4);
	if (rc != RODNS_OK)
		return rc;
	size_t len = ((size_t)be[0] << 24) | ((size_t)be[1] << 16) | ((size_t)be[2] << 8) | be[3];
	if (len == 0 || len > IPSEC_VICI_PKT_MAX)
		return RODNS_E_MALFORMED;
	free(c->buf);
	c->buf = malloc(len);
	if (!c->buf)
		return -ENOMEM;
	rc = conn_read(c, c->buf, len);
	if (rc == RODNS_OK)
		rc = ipsec_vici_pkt_parse(c->buf, len, &c->pkt);
	return rc;
}

/* Appends to the string in buf, truncating at cap (reasons may be cut,
 * never overrun). */
static void sappend(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void sappend(char *buf, size_t cap, const char *fmt, ...)
{
	size_t n = strnlen(buf, cap);
	va_list ap;

	if (n + 1 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, cap - n, fmt, ap);
	va_end(ap);
}

/* ---- what one look at charon's SAs found ---- */

typedef struct {
	const char *id;
	const conf_addr_t *primary;
	ipsec_sa_t *sa;
	ipsec_vici_ike_t *ike; /* scratch for one event */
	ipsec_vici_level_t best;
	char why[512]; /* for best, when it is above NO_ID */
	unsigned n_ike;
	char others[300]; /* identities and states of the IKE SAs seen */
} scan_t;

static void scan_note_other(scan_t *s)
{
	if (s->n_ike >= 3) {
		if (s->n_ike == 3)
			sappend(s->others, sizeof(s->others), ", ...");
		return;
	}
	sappend(s->others, sizeof(s->others), "%s'%s' %s", s->n_ike ? ", " : "",
		s->ike->remote_id_bad ? "?" : s->ike->remote_id,
		s->ike->state[0] ? s->ike->state : "?");
}

static int scan_event(scan_t *s, const ipsec_vici_pkt_t *p)
{
	char why[512];
	ipsec_sa_t sa;

	if (ipsec_vici_ike_parse(p->msg, p->msg_len, s->ike) != RODNS_OK)
		return RODNS_E_MALFORMED;
	ipsec_vici_level_t lv = ipsec_vici_judge(s->ike, s->id, s->primary, &sa, why, sizeof(why));
	scan_note_other(s);
	s->n_ike++;
	if (lv > s->best || s->n_ike == 1) {
		s->best = lv;
		s->why[0] = '\0';
		sappend(s->why, sizeof(s->why), "%s", why);
		if (lv == IPSEC_VICI_MATCH)
			*s->sa = sa;
	}
	return RODNS_OK;
}

/* Asks list-sas and judges each list-sa event until the response. Not
 * "noblock": charon would leave out an IKE SA that a thread holds, which is
 * the case just after an initiate; the deadline bounds the wait. */
static int list_sas(vici_conn_t *c, scan_t *s, char *err, size_t cap)
{
	s->best = IPSEC_VICI_NO_ID;
	s->why[0] = s->others[0] = '\0';
	s->n_ike = 0;
	int rc = conn_send(c, IPSEC_VICI_CMD_REQUEST, "list-sas", NULL, 0);
	while (rc == RODNS_OK) {
		rc = conn_recv(c);
		if (rc != RODNS_OK)
			break;
		if (ipsec_vici_pkt_is(&c->pkt, IPSEC_VICI_EVENT, "list-sa")) {
			rc = scan_event(s, &c->pkt);
			if (rc != RODNS_OK)
				snprintf(err, cap, "malformed list-sa event from charon");
		} else if (c->pkt.type == IPSEC_VICI_CMD_RESPONSE) {
			return RODNS_OK;
		} else if (c->pkt.type == IPSEC_VICI_CMD_UNKNOWN) {
			snprintf(err, cap, "charon does not know the list-sas command");
			return RODNS_E_UNSUPPORTED;
		} else {
			snprintf(err, cap, "unexpected VICI packet (type %u) from charon",
				 c->pkt.type);
			return RODNS_E_MALFORMED;
		}
	}
	return rc;
}

/* EVENT_REGISTER or EVENT_UNREGISTER for list-sa, answered by a confirm. */
static int event_reg(vici_conn_t *c, uint8_t type, char *err, size_t cap)
{
	int rc = conn_send(c, type, "list-sa", NULL, 0);
	if (rc == RODNS_OK)
		rc = conn_recv(c);
	if (rc != RODNS_OK)
		return rc;
	if (c->pkt.type == IPSEC_VICI_EVENT_CONFIRM)
		return RODNS_OK;
	if (c->pkt.type == IPSEC_VICI_EVENT_UNKNOWN) {
		snprintf(err, cap, "charon does not know the list-sa event");
		return RODNS_E_UNSUPPORTED;
	}
	snprintf(err, cap, "unexpected VICI packet (type %u) from charon", c->pkt.type);
	return RODNS_E_MALFORMED;
}

/* Asks charon to bring up CHILD config child, waiting at most until a
 * little before the deadline. what gets charon's answer. */
static int initiate(vici_conn_t *c, const char *child, char *what, size_t cap)
{
	int64_t left = c->deadline - mono_ms() - 500;
	uint8_t m[600];
	char ms[24], ok[8] = "", emsg[256] = "";
	ipsec_vici_wr_t w;

	if (left < 200) {
		snprintf(what, cap, "no time left to initiate '%s'", child);
		return RODNS_E_TIMEOUT;
	}
	snprintf(ms, sizeof(ms), "%lld", (long long)left);
	ipsec_vici_wr_init(&w, m, sizeof(m));
	ipsec_vici_wr_kv(&w, "child", child);
	ipsec_vici_wr_kv(&w, "timeout", ms);
	int rc = w.error ? w.error : conn_send(c, IPSEC_VICI_CMD_REQUEST, "initiate", m, w.len);
	while (rc == RODNS_OK) {
		rc = conn_recv(c);
		if (rc == RODNS_OK && c->pkt.type == IPSEC_VICI_CMD_RESPONSE)
			break;
		if (rc == RODNS_OK && c->pkt.type != IPSEC_VICI_EVENT) /* events: not ours */
			rc = RODNS_E_MALFORMED;
	}
	if (rc != RODNS_OK) {
		snprintf(what, cap, "initiate '%s': %s", child, rodns_strerror(rc));
		return rc;
	}
	ipsec_vici_msg_get(c->pkt.msg, c->pkt.msg_len, "success", ok, sizeof(ok));
	ipsec_vici_msg_get(c->pkt.msg, c->pkt.msg_len, "errmsg", emsg, sizeof(emsg));
	if (!strcmp(ok, "yes"))
		snprintf(what, cap, "initiated '%s'", child);
	else
		snprintf(what, cap, "initiate '%s' failed: %s", child,
			 emsg[0] ? emsg : "no reason");
	return RODNS_OK;
}

static void scan_reason(const scan_t *s, const char *path, char *reason, size_t cap)
{
	if (s->best > IPSEC_VICI_NO_ID)
		snprintf(reason, cap, "%s", s->why);
	else if (!s->n_ike)
		snprintf(reason, cap,
			 "no IKE SA with remote identity '%s' (charon at %s has no IKE SA)", s->id,
			 path);
	else
		snprintf(reason, cap, "no IKE SA with remote identity '%s' (charon has %u: %s)",
			 s->id, s->n_ike, s->others);
}

static void comm_reason(int rc, const char *path, int timeout_ms, const char *err, char *reason,
			size_t cap)
{
	if (err[0])
		snprintf(reason, cap, "%s", err);
	else if (rc == RODNS_E_TIMEOUT)
		snprintf(reason, cap, "charon did not answer on %s within %d ms", path, timeout_ms);
	else if (rc == RODNS_E_CLOSED)
		snprintf(reason, cap, "charon closed the VICI connection on %s", path);
	else if (rc == RODNS_E_MALFORMED)
		snprintf(reason, cap, "malformed VICI packet from charon on %s", path);
	else
		snprintf(reason, cap, "%s", rodns_strerror(rc));
}

int ipsec_vici_check(const char *socket_path, const char *remote_id, const conf_addr_t *primary,
		     const char *initiate_child, int timeout_ms, ipsec_sa_t *sa, char *reason,
		     size_t cap)
{
	vici_conn_t c = {.fd = -1, .deadline = mono_ms() + (timeout_ms > 0 ? timeout_ms : 1)};
	scan_t s = {.id = remote_id, .primary = primary, .sa = sa};
	char err[256] = "", ini[320] = "";
	const char *path = socket_path ? socket_path : IPSEC_VICI_SOCKET;

	memset(sa, 0, sizeof(*sa));
	if (cap)
		reason[0] = '\0';
	int rc = conn_open(&c, path);
	if (rc != RODNS_OK) {
		snprintf(reason, cap, "charon not reachable at %s: %s", path, rodns_strerror(rc));
		conn_close(&c);
		return RODNS_E_IPSEC;
	}
	s.ike = malloc(sizeof(*s.ike));
	rc = s.ike ? event_reg(&c, IPSEC_VICI_EVENT_REGISTER, err, sizeof(err)) : -ENOMEM;
	if (rc == RODNS_OK)
		rc = list_sas(&c, &s, err, sizeof(err));
	if (rc == RODNS_OK && s.best != IPSEC_VICI_MATCH && initiate_child &&
	    initiate(&c, initiate_child, ini, sizeof(ini)) == RODNS_OK)
		rc = list_sas(&c, &s, err, sizeof(err));
	if (rc == RODNS_OK)
		event_reg(&c, IPSEC_VICI_EVENT_UNREGISTER, err, sizeof(err)); /* best effort */
	conn_close(&c);
	free(s.ike);
	if (rc != RODNS_OK) {
		comm_reason(rc, path, timeout_ms, err, reason, cap);
		memset(sa, 0, sizeof(*sa));
		return RODNS_E_IPSEC;
	}
	if (s.best == IPSEC_VICI_MATCH)
		return RODNS_OK;
	memset(sa, 0, sizeof(*sa));
	scan_reason(&s, path, reason, cap);
	if (ini[0])
		sappend(reason, cap, " (%s)", ini);
	return RODNS_E_IPSEC;
}
