/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* EDNS options of queries and answers: see edns.h. */
#include <string.h>

#include "dns/err.h"
#include "serve/edns.h"

/* OPT with no options: root owner, TYPE, CLASS, TTL, RDLENGTH 0. */
#define OPT_LEN 11

size_t serve_response_limit(const dns_msg_t *q, bool tcp, uint16_t ours, size_t cap)
{
	size_t lim = 512;
	if (tcp) {
		lim = 65535;
	} else if (q->edns.present) {
		size_t o = ours >= 512 ? ours : 512;
		lim = q->edns.udp_size > 512 ? q->edns.udp_size : 512;
		if (lim > o)
			lim = o;
	}
	return lim < cap ? lim : cap;
}

int serve_qopts_read(const dns_msg_t *q, bool cookies, serve_qopts_t *o)
{
	*o = (serve_qopts_t){0};
	if (!q->edns.present)
		return RODNS_OK;
	/* dns_msg_parse checked that the options tile the RDATA exactly */
	const uint8_t *p = q->edns.opts, *end = p + q->edns.optlen;
	while (p && end - p >= 4) {
		uint16_t code = (uint16_t)(p[0] << 8 | p[1]), len = (uint16_t)(p[2] << 8 | p[3]);
		const uint8_t *d = p + 4;
		if (len > end - d)
			return RODNS_E_MALFORMED;
		switch (code) {
		case SERVE_OPT_NSID:
			o->nsid = true;
			break;
		case SERVE_OPT_EXPIRE:
			o->expire = true;
			break;
		case SERVE_OPT_COOKIE:
			if (!cookies)
				break;
			/* a client cookie alone, or with a server cookie of 8..32 */
			if (len != 8 && (len < 16 || len > 40))
				return RODNS_E_MALFORMED;
			o->cookie = true;
			memcpy(o->client, d, 8);
			o->server = len > 8 ? d + 8 : NULL;
			o->server_len = len > 8 ? (size_t)len - 8 : 0;
			break;
		default:
			break;
		}
		p = d + len;
	}
	return RODNS_OK;
}

size_t serve_opt_append(uint8_t *resp, size_t len, size_t limit, const uint8_t *opts, size_t n)
{
	if (n == 0 || len < DNS_HDR_LEN + OPT_LEN || len + n > limit || n > 0xffff)
		return len;
	uint8_t *o = resp + len - OPT_LEN;
	unsigned ar = (unsigned)resp[10] << 8 | resp[11];
	if (ar == 0 || o[0] != 0 || o[1] != 0 || o[2] != 41 || o[9] != 0 || o[10] != 0)
		return len;
	o[9] = (uint8_t)(n >> 8);
	o[10] = (uint8_t)n;
	memcpy(resp + len, opts, n);
	return len + n;
}

size_t serve_opt_put(uint8_t *out, size_t cap, uint16_t code, const uint8_t *data, size_t n)
{
	if (n > 0xffff || cap < 4 + n)
		return 0;
	out[0] = (uint8_t)(code >> 8);
	out[1] = (uint8_t)code;
	out[2] = (uint8_t)(n >> 8);
	out[3] = (uint8_t)n;
	if (n)
		memcpy(out + 4, data, n);
	return 4 + n;
}
