/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The answer plan on the wire: header, the question as the client sent it,
 * the sections with truncation at RRset boundaries (RFC 2181 §9), and the
 * OPT RR (RFC 6891 §6.1.1, §7).
 */
#include "serve/answer_int.h"
#include "serve/edns.h"

/* OPT with no options: root owner, TYPE, CLASS, TTL, RDLENGTH. */
#define OPT_LEN 11

/* Writes one RRset and its RRSIGs whole, leaving room for the OPT, or
 * nothing at all. */
static bool put_set(const serve_ctx_t *c, dns_mbuild_t *b, const serve_set_t *s, size_t reserve)
{
	dns_mmark_t mark;

	dns_mbuild_mark(b, &mark);
	for (unsigned i = 0; i < s->set.n; i++)
		if (dns_mbuild_rr(b, s->sec, &c->rrs[s->set.first + i]) != RODNS_OK)
			goto undo;
	for (unsigned i = 0; i < s->sigs.n; i++)
		if (dns_mbuild_rr(b, s->sec, &c->rrs[s->sigs.first + i]) != RODNS_OK)
			goto undo;
	if (dns_wr_left(&b->w) >= reserve)
		return true;
undo:
	dns_mbuild_rollback(b, &mark);
	return false;
}

/* The plan, section by section. Returns true when the answer or authority
 * section did not fit (TC). Additional data is optional: an RRset whose
 * RRSIGs do not fit goes without them (RFC 4035 §3.1.1), one that does not
 * fit at all is left out, and the next one is still tried, all without TC
 * except for glue that RFC 9471 §3 requires. */
static bool put_sections(const serve_ctx_t *c, dns_mbuild_t *b, size_t reserve)
{
	bool tc = false;

	for (int sec = DNS_SEC_AN; sec <= DNS_SEC_AR; sec++) {
		for (unsigned i = 0; i < c->nplan; i++) {
			const serve_set_t *s = &c->plan[i];
			if (s->sec != sec || put_set(c, b, s, reserve))
				continue;
			if (sec != DNS_SEC_AR)
				return true;
			serve_set_t bare = *s;
			bare.sigs.n = 0;
			if (!put_set(c, b, &bare, reserve) && s->required)
				tc = true;
		}
	}
	return tc;
}

int serve_encode(serve_q_t *a, const dns_msg_t *m, const serve_opts_t *o, uint8_t *resp, size_t cap)
{
	size_t limit = serve_response_limit(m, o->tcp, o->max_udp_payload, cap);
	size_t reserve = m->edns.present ? OPT_LEN + o->optroom : 0;
	/* opcode, RD and CD come back (RFC 4035 §3.1.6); never AD or Z */
	uint16_t flags = (uint16_t)(DNS_F_QR | dns_msg_echo_flags(m->flags) | (unsigned)(a->rcode & 0xf));
	dns_mbuild_t b;

	if (a->aa)
		flags |= DNS_F_AA;
	dns_mbuild_init(&b, resp, limit, m->id, flags);
	/* The question as parsed keeps the client's case; the builder's
	 * compression table then points owners equal to it back at it. */
	if (dns_mbuild_question(&b, &m->qname, m->qtype, m->qclass) != RODNS_OK)
		return dns_mbuild_finish(&b); /* header only: cap below 512 */
	if (put_sections(a->c, &b, reserve) || a->c->overflow) {
		flags |= DNS_F_TC;
		dns_mbuild_set_flags(&b, flags);
	}
	if (m->edns.present) {
		uint16_t eflags = m->edns.flags & DNS_EDNS_DO; /* RFC 3225 §3 */
		uint16_t ours = o->max_udp_payload >= 512 ? o->max_udp_payload : 1232;
		dns_mbuild_opt(&b, ours, (uint8_t)(a->rcode >> 4), 0, eflags, NULL, 0);
	}
	int len = dns_mbuild_finish(&b);
	return len > 0 ? len : DNS_HDR_LEN;
}
