/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/*
 * tests/bench/echo.c — the practical floor for the query benchmark: a UDP
 * responder that does the least a DNS server can do. It answers every
 * query with a fixed response (the query's ID and question, QR|AA, one
 * A record pointing back at the question name), using recvmmsg/sendmmsg
 * in batches on one thread. No zone, no lookup, no EDNS.
 *
 * usage: echo [-a ADDR] -p PORT [-t SECONDS] [-b BATCH]
 *   -a  address to bind (default 127.0.0.1; IPv4 only)
 *   -p  UDP port (required)
 *   -t  stop by itself after this many seconds (default 600, at most 86400)
 *   -b  messages per recvmmsg/sendmmsg call (1..256, default 64)
 * Stops on SIGTERM or SIGINT, or when the time is up; prints the number of
 * queries answered and dropped (too short or not a query) on exit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ECHO_MAX_BATCH 256
#define ECHO_BUF 512

static volatile sig_atomic_t echo_stop;

static void echo_on_signal(int sig)
{
	(void)sig;
	echo_stop = 1;
}

static void echo_usage(void)
{
	fprintf(stderr, "usage: echo [-a ADDR] -p PORT [-t SECONDS] [-b BATCH]\n");
	exit(2);
}

static long echo_num(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < lo || v > hi)
		echo_usage();
	return v;
}

static double echo_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Turns the query in buf (len octets) into the fixed response, in place.
 * Returns the response length, or 0 when the message is to be dropped.
 */
static size_t echo_answer(uint8_t *buf, size_t len)
{
	size_t off = 12;

	if (len < 12 + 5 || (buf[2] & 0x80) != 0)
		return 0; /* too short for a question, or a response */
	if (buf[4] != 0 || buf[5] != 1)
		return 0; /* QDCOUNT must be 1 */
	/* skip QNAME (uncompressed labels only), then QTYPE and QCLASS */
	while (off < len && buf[off] != 0) {
		if ((buf[off] & 0xc0) != 0)
			return 0;
		off += (size_t)buf[off] + 1;
	}
	off += 1 + 4;
	if (off > len || off + 16 > ECHO_BUF)
		return 0;
	buf[2] = (uint8_t)(0x80 | 0x04 | (buf[2] & 0x79)); /* QR, AA, keep opcode/RD */
	buf[3] = 0;                                         /* RA=0, RCODE NOERROR */
	buf[6] = 0, buf[7] = 1;                             /* ANCOUNT 1 */
	buf[8] = buf[9] = buf[10] = buf[11] = 0;            /* NSCOUNT, ARCOUNT 0 */
	static const uint8_t rr[16] = {
		0xc0, 0x0c,             /* owner: the question name */
		0x00, 0x01, 0x00, 0x01, /* A IN */
		0x00, 0x00, 0x0e, 0x10, /* TTL 3600 */
		0x00, 0x04, 192, 0, 2, 1,
	};
	memcpy(buf + off, rr, sizeof rr);
	return off + sizeof rr;
}

int main(int argc, char **argv)
{
	const char *addr = "127.0.0.1";
	long port = 0, seconds = 600, batch = 64;
	unsigned long answered = 0, dropped = 0;
	struct sockaddr_in sin;
	struct sigaction sa;
	int opt, fd, one = 1;
	double deadline;
	static uint8_t bufs[ECHO_MAX_BATCH][ECHO_BUF];
	static struct sockaddr_in peers[ECHO_MAX_BATCH];
	static struct iovec iov[ECHO_MAX_BATCH], oiov[ECHO_MAX_BATCH];
	static struct mmsghdr in[ECHO_MAX_BATCH], out[ECHO_MAX_BATCH];

	while ((opt = getopt(argc, argv, "a:p:t:b:")) != -1) {
		switch (opt) {
		case 'a': addr = optarg; break;
		case 'p': port = echo_num(optarg, 1, 65535); break;
		case 't': seconds = echo_num(optarg, 1, 86400); break;
		case 'b': batch = echo_num(optarg, 1, ECHO_MAX_BATCH); break;
		default: echo_usage();
		}
	}
	if (port == 0 || optind != argc)
		echo_usage();

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = echo_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "echo: bad address %s\n", addr);
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("echo: socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		perror("echo: bind");
		return 1;
	}
	fprintf(stderr, "echo: answering on %s@%ld for at most %lds\n", addr, port, seconds);

	deadline = echo_now() + (double)seconds;
	while (!echo_stop && echo_now() < deadline) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int n, i, m = 0;

		/* wake at least every 200 ms to check the deadline and signals */
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		for (i = 0; i < batch; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = ECHO_BUF;
			memset(&in[i].msg_hdr, 0, sizeof in[i].msg_hdr);
			in[i].msg_hdr.msg_name = &peers[i];
			in[i].msg_hdr.msg_namelen = sizeof peers[i];
			in[i].msg_hdr.msg_iov = &iov[i];
			in[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, in, (unsigned)batch, MSG_DONTWAIT, NULL);
		if (n <= 0)
			continue;
		for (i = 0; i < n; i++) {
			size_t rlen = echo_answer(bufs[i], in[i].msg_len);

			if (rlen == 0) {
				dropped++;
				continue;
			}
			oiov[m].iov_base = bufs[i];
			oiov[m].iov_len = rlen;
			memset(&out[m].msg_hdr, 0, sizeof out[m].msg_hdr);
			out[m].msg_hdr.msg_name = &peers[i];
			out[m].msg_hdr.msg_namelen = in[i].msg_hdr.msg_namelen;
			out[m].msg_hdr.msg_iov = &oiov[m];
			out[m].msg_hdr.msg_iovlen = 1;
			m++;
		}
		for (i = 0; i < m;) {
			int s = sendmmsg(fd, out + i, (unsigned)(m - i), 0);

			if (s <= 0) {
				if (s < 0 && errno == EINTR)
					continue;
				dropped += (unsigned long)(m - i); /* buffer full: lost */
				break;
			}
			answered += (unsigned long)s;
			i += s;
		}
	}
	close(fd);
	fprintf(stderr, "echo: stopped: %lu answered, %lu dropped\n", answered, dropped);
	return 0;
}
