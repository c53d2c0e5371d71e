/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Plain TCP streams and addresses: see stream.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dns/err.h"
#include "xfr/stream.h"

static int wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = events};
	for (;;) {
		int n = poll(&p, 1, timeout_ms);
		if (n > 0)
			return RODNS_OK;
		if (n == 0)
			return RODNS_E_TIMEOUT;
		if (errno != EINTR)
			return -errno;
	}
}

int xfr_sock_connect(const conf_addr_t *to, const conf_addr_t *source, int timeout_ms)
{
	int fd = socket(to->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	int rc = RODNS_OK;
	if (source && bind(fd, (const struct sockaddr *)&source->ss, source->len) < 0)
		rc = -errno;
	if (rc == RODNS_OK && connect(fd, (const struct sockaddr *)&to->ss, to->len) < 0) {
		rc = errno == EINPROGRESS ? wait_fd(fd, POLLOUT, timeout_ms) : -errno;
		int err = 0;
		socklen_t el = sizeof(err);
		if (rc == RODNS_OK && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err)
			rc = -err;
	}
	if (rc != RODNS_OK) {
		close(fd);
		return rc;
	}
	return fd;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left until deadline (0 when it has passed). */
static int left_ms(int64_t deadline)
{
	int64_t l = deadline - mono_ms();
	return l > 0 ? (int)l : 0;
}

/* One deadline per call: a peer that trickles data cannot stretch a read
 * or a write past timeout_ms. */
static int tcp_read_full(xfr_stream_t *s, void *buf, size_t n, int timeout_ms)
{
	int64_t deadline = mono_ms() + timeout_ms;
	uint8_t *p = buf;
	while (n > 0) {
		ssize_t r = read(s->fd, p, n);
		if (r > 0) {
			p += r;
			n -= (size_t)r;
			continue;
		}
		if (r == 0)
			return RODNS_E_CLOSED;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		int rc = wait_fd(s->fd, POLLIN, left_ms(deadline));
		if (rc != RODNS_OK)
			return rc;
	}
	return RODNS_OK;
}

static int tcp_write_full(xfr_stream_t *s, const void *buf, size_t n, int timeout_ms)
{
	int64_t deadline = mono_ms() + timeout_ms;
	const uint8_t *p = buf;
	while (n > 0) {
		ssize_t r = send(s->fd, p, n, MSG_NOSIGNAL);
		if (r > 0) {
			p += r;
			n -= (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno != EAGAIN)
			return -errno;
		int rc = wait_fd(s->fd, POLLOUT, left_ms(deadline));
		if (rc != RODNS_OK)
			return rc;
	}
	return RODNS_OK;
}

static void tcp_close(xfr_stream_t *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static const xfr_stream_ops_t tcp_ops = {
	.read_full = tcp_read_full,
	.write_full = tcp_write_full,
	.close = tcp_close,
};

int xfr_tcp_connect(xfr_stream_t *s, const conf_addr_t *to, const conf_addr_t *source,
		    int timeout_ms)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	int fd = xfr_sock_connect(to, source, timeout_ms);
	if (fd < 0)
		return fd;
	s->fd = fd;
	s->ops = &tcp_ops;
	s->transport = "tcp";
	conf_addr_to_text(to, s->peer, sizeof(s->peer));
	return RODNS_OK;
}

int xfr_stream_send(xfr_stream_t *s, const uint8_t *msg, size_t len, int timeout_ms)
{
	if (len > 65535)
		return RODNS_E_SPACE;
	uint8_t buf[2 + 65535];
	buf[0] = (uint8_t)(len >> 8);
	buf[1] = (uint8_t)len;
	memcpy(buf + 2, msg, len);
	return s->ops->write_full(s, buf, len + 2, timeout_ms);
}

int xfr_stream_recv(xfr_stream_t *s, uint8_t *buf, size_t cap, size_t *len, int timeout_ms)
{
	uint8_t pfx[2];
	int rc = s->ops->read_full(s, pfx, 2, timeout_ms);
	if (rc != RODNS_OK)
		return rc;
	size_t n = ((size_t)pfx[0] << 8) | pfx[1];
	if (n < 12 || n > cap)
		return RODNS_E_MALFORMED;
	rc = s->ops->read_full(s, buf, n, timeout_ms);
	if (rc == RODNS_OK)
		*len = n;
	return rc;
}

void xfr_stream_close(xfr_stream_t *s)
{
	if (s->ops && s->ops->close)
		s->ops->close(s);
	s->ops = NULL;
}
