/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
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
#include "tests/tools/axfr_client.h"

/* One RR's text: a 65535-octet RDATA printed as "\# 65535 " and hex, plus
 * the owner and fixed fields, fits with room to spare. */
#define TEXT_CAP (2 * DNS_RDATA_MAX + 2048)

struct xfr {
	axfr_client_t c;
	dns_name_t zone;
	unsigned rrs, soas;
	int verbose;
	uint8_t rdbuf[DNS_RDATA_MAX];
	char text[TEXT_CAP];
};

static void usage(void)
{
	fprintf(stderr, "usage: rodns-axfr [-p PORT] [-t SECONDS] [-v] SERVER ZONE\n");
	exit(2);
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
		fprintf(stderr, "rodns-axfr: message %u: %s\n", x->c.msgs, rodns_strerror(rc));
		return -1;
	}
	return x->soas == 2 ? 1 : 0;
}

static int read_message(struct xfr *x)
{
	dns_msg_t m;
	return axfr_next(&x->c, &m) < 0 ? -1 : print_answers(x, &m);
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
	rc = axfr_open(&x.c, "rodns-axfr", argv[optind], port, timeout, &x.zone);
	while (rc == 0)
		rc = read_message(&x);
	axfr_close(&x.c);
	if (x.verbose)
		fprintf(stderr, "rodns-axfr: %u messages, %u RRs\n", x.c.msgs, x.rrs);
	return rc == 1 ? 0 : 1;
}
