/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* libFuzzer harness: parse a message, walk every section with the cursor,
 * and re-encode a parsed message's RRs with the builder. A message that
 * parsed must parse again after re-encoding (RODNS_E_SPACE aside: names
 * expanded on read may not all compress again). */
#include <stdlib.h>

#include "dns/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t rdbuf[DNS_RDATA_MAX], out[65535];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dns_msg_t m, m2;
	dns_mbuild_t b;
	dns_rr_t rr;
	int rc = dns_msg_parse(&m, data, size);

	dns_mbuild_init(&b, out, sizeof(out), m.id, m.flags);
	for (int s = DNS_SEC_QD; s <= DNS_SEC_AR; s++) {
		dns_rrcur_t c;

		dns_rrcur_init(&c, &m, s);
		while (dns_rrcur_next(&c, &rr, rdbuf, sizeof(rdbuf)) == 1 && rc == RODNS_OK) {
			if (s == DNS_SEC_QD)
				rc = dns_mbuild_question(&b, &rr.owner, rr.type, rr.rclass);
			else
				rc = dns_mbuild_rr(&b, s, &rr);
			if (rc != RODNS_OK && rc != RODNS_E_SPACE)
				abort();
		}
	}
	int len = dns_mbuild_finish(&b);
	if (rc == RODNS_OK && (len < 0 || dns_msg_parse(&m2, out, (size_t)len) != RODNS_OK))
		abort();
	return 0;
}
