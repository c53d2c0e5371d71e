/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* libFuzzer harness for the query dispatcher: any bytes as an incoming
 * UDP query must give no answer or a well-formed response, with NSID,
 * cookies and rate limiting on (their options are what an attacker
 * controls). */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>

#include "serve/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int notify(void *arg, const dns_name_t *zone, const serve_src_t *src)
{
	(void)arg;
	(void)src;
	return zone->labels > 1 ? DNS_RC_NOERROR : DNS_RC_REFUSED;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t resp[65535];
	static serve_cookies_t *cookies;
	static serve_rrl_t *rrl;
	static const uint8_t nsid[] = "fuzz";
	if (!cookies) {
		conf_rrl_t rc = {.rate = 1000, .slip = 2, .ipv4_prefix = 24, .ipv6_prefix = 56,
				 .table_size = 1024};
		cookies = serve_cookies_new();
		rrl = serve_rrl_new(&rc);
	}
	serve_query_ops_t ops = {.notify = notify, .max_udp_payload = 1232, .nsid = nsid,
				 .nsid_len = 4, .cookies = cookies, .rrl = rrl};
	struct sockaddr_in from = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	serve_src_t src = {.from = (struct sockaddr *)&from, .fromlen = sizeof(from)};
	int n = serve_query(&ops, NULL, &src, data, size, resp, 512, NULL);
	if (n > 0) {
		dns_msg_t m;
		if (n > 512 || dns_msg_parse(&m, resp, (size_t)n) != RODNS_OK)
			abort(); /* we must never send what we cannot parse */
	}
	return 0;
}
