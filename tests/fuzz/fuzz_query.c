/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* libFuzzer harness for the query dispatcher: any bytes as an incoming
 * UDP query must give no answer or a well-formed response. */
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
	serve_query_ops_t ops = {.notify = notify};
	serve_src_t src = {0};
	int n = serve_query(&ops, NULL, &src, data, size, resp, 512, NULL);
	if (n > 0) {
		dns_msg_t m;
		if (n > 512 || dns_msg_parse(&m, resp, (size_t)n) != RODNS_OK)
			abort(); /* we must never send what we cannot parse */
	}
	return 0;
}
