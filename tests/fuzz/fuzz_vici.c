/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* libFuzzer harness: one VICI packet payload from charon (what follows the
 * length prefix) through the packet parser, the list-sa event parser and
 * the SA judgement, as ipsec/vici.c uses them. Needs ipsec/vici_msg.c. */
#include <arpa/inet.h>
#include <string.h>

#include "ipsec/vici_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ipsec_vici_ike_t ike;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ipsec_vici_pkt_t p;
	conf_addr_t a = {.len = sizeof(struct sockaddr_in)};
	struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;
	ipsec_sa_t sa;
	char why[512], v[64];

	sin->sin_family = AF_INET;
	sin->sin_port = htons(53);
	inet_pton(AF_INET, "198.18.2.1", &sin->sin_addr);
	if (ipsec_vici_pkt_parse(data, size, &p) != RODNS_OK)
		return 0;
	ipsec_vici_msg_get(p.msg, p.msg_len, "errmsg", v, sizeof(v));
	if (ipsec_vici_ike_parse(p.msg, p.msg_len, &ike) == RODNS_OK)
		ipsec_vici_judge(&ike, "O=DNSLab, CN=primary.dnslab.test", &a, &sa, why,
				 sizeof(why));
	return 0;
}
