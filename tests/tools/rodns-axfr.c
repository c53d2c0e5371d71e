/* rodns-axfr: transfers a zone over TCP with rodns's own message builder and
 * parser and prints every RR in presentation format, one per line, in the
 * order received (both SOAs included, as dig and kdig print them).
 *
 *   rodns-axfr [-p PORT] [-t SECONDS] [-v] SERVER ZONE
 *
 * SERVER is a numeric IPv4 or IPv6 address. Exit status: 0 when the
 * transfer ended with the closing SOA, 1 on any error (reported on stderr),
 * 2 on bad usage. It is a test tool: no TSIG, no retries.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "dns/err.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rr.h"

/* One RR's text: a 65535-octet RDATA printed as "\# 65535 " and hex, plus
 * the owner and fixed fields, fits with room to spare. */
#define TEXT_CAP (2 * DNS_RDATA_MAX + 2048)

struct xfr {
	int fd;
	uint16_t id;
	dns_name_t zone;
	unsigned msgs, rrs, soas;
	int verbose;
	uint8_t msg[65535];
	uint8_t rdbuf[DNS_RDATA_MAX];
	char text[TEXT_CAP];
};

static void usage(void)
{
	fprintf(stderr, "usage: rodns-axfr [-p PORT] [-t SECONDS] [-v] SERVER ZONE\n");
	exit(2);
}

static int connect_to(const char *host, const char *port, int timeout)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST};
	struct addrinfo *ai;
	struct timeval tv = {.tv_sec = timeout};
	int rc = getaddrinfo(host, port, &hints, &ai);

	if (rc != 0) {
		fprintf(stderr, "rodns-axfr: %s port %s: %s\n", host, port, gai_strerror(rc));
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
	    connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		fprintf(stderr, "rodns-axfr: connect %s port %s: %s\n", host, port,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* Reads exactly len octets. Returns 0, or -1 with a message on stderr. */
static int read_full(int fd, uint8_t *buf, size_t len, const char *what)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			fprintf(stderr, "rodns-axfr: server closed the connection in %s\n", what);
		else
			fprintf(stderr, "rodns-axfr: reading %s: %s\n", what, strerror(errno));
		return -1;
	}
	return 0;
}

static int write_full(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "rodns-axfr: sending the query: %s\n", strerror(errno));
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_query(struct xfr *x)
{
	uint8_t buf[2 + 512];
	dns_mbuild_t b;

	dns_mbuild_init(&b, buf + 2, sizeof(buf) - 2, x->id, 0);
	int rc = dns_mbuild_question(&b, &x->zone, DNS_T_AXFR, DNS_C_IN);
	int len = rc == RODNS_OK ? dns_mbuild_finish(&b) : rc;
	if (len < 0) {
		fprintf(stderr, "rodns-axfr: building the query: %s\n", rodns_strerror(len));
		return -1;
	}
	buf[0] = (uint8_t)(len >> 8);
	buf[1] = (uint8_t)len;
	return write_full(x->fd, buf, (size_t)len + 2);
}

/* Prints the answer RRs of one message. Returns 1 once the closing SOA was
 * seen, 0 when more messages should follow, -1 on error. */
static int print_answers(struct xfr *x, const dns_msg_t *m)
{
	dns_rrcur_t c;
	dns_rr_t rr;
	int rc;

	dns_rrcur_init(&c, m, DNS_SEC_AN);
	while ((rc = dns_rrcur_next(&c, &rr, x->rdbuf, sizeof(x->rdbuf))) == 1) {
		if (x->soas == 2) {
			fprintf(stderr, "rodns-axfr: RRs after the closing SOA\n");
			return -1;
		}
		if (x->rrs == 0 && rr.type != DNS_T_SOA) {
			fprintf(stderr, "rodns-axfr: transfer does not start with a SOA\n");
			return -1;
		}
		if (rr.type == DNS_T_SOA && dns_name_eq(&rr.owner, &x->zone))
			x->soas++;
		x->rrs++;
		int n = dns_rr_to_text(&rr, x->text, sizeof(x->text));
		if (n < 0) {
			fprintf(stderr, "rodns-axfr: printing RR %u: %s\n", x->rrs,
				rodns_strerror(n));
			return -1;
		}
		puts(x->text);
	}
	if (rc < 0) {
		fprintf(stderr, "rodns-axfr: message %u: %s\n", x->msgs, rodns_strerror(rc));
		return -1;
	}
	return x->soas == 2 ? 1 : 0;
}

static int read_message(struct xfr *x)
{
	uint8_t lenbuf[2];
	dns_msg_t m;

	if (read_full(x->fd, lenbuf, 2, "a length prefix") < 0)
		return -1;
	size_t len = (size_t)lenbuf[0] << 8 | lenbuf[1];
	if (read_full(x->fd, x->msg, len, "a message") < 0)
		return -1;
	x->msgs++;
	int rc = dns_msg_parse(&m, x->msg, len);
	if (rc != RODNS_OK) {
		fprintf(stderr, "rodns-axfr: message %u: %s\n", x->msgs, rodns_strerror(rc));
		return -1;
	}
	if (m.id != x->id || !(m.flags & DNS_F_QR)) {
		fprintf(stderr, "rodns-axfr: message %u is not our answer\n", x->msgs);
		return -1;
	}
	if (DNS_RCODE(m.flags) != DNS_RC_NOERROR) {
		fprintf(stderr, "rodns-axfr: message %u: rcode %u\n", x->msgs, DNS_RCODE(m.flags));
		return -1;
	}
	return print_answers(x, &m);
}

int main(int argc, char **argv)
{
	static struct xfr x; /* large buffers: not on the stack */
	const char *port = "53";
	int timeout = 10, opt, rc;

	while ((opt = getopt(argc, argv, "p:t:v")) != -1) {
		switch (opt) {
		case 'p':
			port = optarg;
			break;
		case 't':
			timeout = atoi(optarg);
			break;
		case 'v':
			x.verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 || timeout <= 0)
		usage();
	/* Relative to the root: "example.test" works as well as "example.test.". */
	dns_name_t root = {.len = 1, .labels = 0, .data = {0}};
	rc = dns_name_from_text(argv[optind + 1], &root, &x.zone);
	if (rc != RODNS_OK) {
		fprintf(stderr, "rodns-axfr: bad zone name %s: %s\n", argv[optind + 1],
			rodns_strerror(rc));
		return 1;
	}
	x.fd = connect_to(argv[optind], port, timeout);
	if (x.fd < 0)
		return 1;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	x.id = (uint16_t)rand();
	rc = send_query(&x);
	while (rc == 0)
		rc = read_message(&x);
	close(x.fd);
	if (x.verbose)
		fprintf(stderr, "rodns-axfr: %u messages, %u RRs\n", x.msgs, x.rrs);
	return rc == 1 ? 0 : 1;
}
