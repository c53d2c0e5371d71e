/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for serve/query.c: the dispatcher's answers to odd messages. */
#include <check.h>
#include <stdbool.h>
#include <string.h>

#include "tests/check_bounds.h"
#include "serve/query.h"

Suite *query_suite(void);

static int notify_ok(void *arg, const dns_name_t *zone, const serve_src_t *src)
{
	(void)arg;
	(void)zone;
	(void)src;
	return DNS_RC_NOERROR;
}

static int run(const uint8_t *q, size_t len, uint8_t *resp, dns_msg_t *out)
{
	serve_query_ops_t ops = {.notify = notify_ok};
	serve_src_t src = {0};
	int n = serve_query(&ops, NULL, &src, q, len, resp, 512, NULL);
	if (n > 0)
		ck_assert_int_eq(dns_msg_parse(out, resp, (size_t)n), RODNS_OK);
	return n;
}

/* A question whose name is a compression pointer (here into the header):
 * the echo must be a name of its own, not a pointer into the query. */
START_TEST(compressed_question)
{
	static const uint8_t q[] = {0xc1, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
				    0x00, 0x00, 0x00, 0xc0, 0x02, 0x03, 0x77, 0x77, 0x01};
	uint8_t resp[512];
	dns_msg_t m, r;
	ck_assert_int_eq(dns_msg_parse(&m, q, sizeof(q)), RODNS_OK);
	int n = run(q, sizeof(q), resp, &r);
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(r.count[DNS_SEC_QD], 1);
	ck_assert(dns_name_eq(&r.qname, &m.qname));
	ck_assert_uint_eq(r.qtype, m.qtype);
}
END_TEST

START_TEST(responses_and_updates)
{
	/* header of a response (QR=1): never answered */
	uint8_t q[32] = {0x12, 0x34, 0x80, 0x00};
	uint8_t resp[512];
	dns_msg_t r;
	ck_assert_int_eq(run(q, 12, resp, &r), 0);
	/* UPDATE (opcode 5) for a zone: REFUSED, the replica never changes it */
	static const uint8_t up[] = {0x12, 0x34, 0x28, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
				     0x00, 0x00, 0x01, 'x',  0x00, 0x00, 0x06, 0x00, 0x01};
	ck_assert_int_gt(run(up, sizeof(up), resp, &r), 0);
	ck_assert_uint_eq(DNS_RCODE(r.flags), DNS_RC_REFUSED);
	ck_assert_uint_eq(DNS_OPCODE(r.flags), DNS_OP_UPDATE);
	/* truncated question: FORMERR without a question */
	ck_assert_int_gt(run(up, sizeof(up) - 2, resp, &r), 0);
	ck_assert_uint_eq(DNS_RCODE(r.flags), DNS_RC_FORMERR);
	ck_assert_uint_eq(r.count[DNS_SEC_QD], 0);
}
END_TEST

/* A query for "x." A with the given header flags (second and third
 * octet) and, when opt, an OPT with the given EDNS version and DO. */
static size_t flagged(uint8_t *q, uint16_t flags, bool opt, uint8_t version, bool dobit)
{
	static const uint8_t head[] = {0xab, 0xcd, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
				       0x01, 'x', 0x00, 0x00, 0x01, 0x00, 0x01};
	memcpy(q, head, sizeof(head));
	q[2] = (uint8_t)(flags >> 8);
	q[3] = (uint8_t)flags;
	size_t n = sizeof(head);
	if (opt) {
		const uint8_t o[] = {0, 0, 41, 0x04, 0xd0, 0, version, dobit ? 0x80 : 0, 0, 0, 0};
		memcpy(q + n, o, sizeof(o));
		q[11] = 1;
		n += sizeof(o);
	}
	return n;
}

/* RD and CD come back under QUERY (RFC 1035 §4.1.1, RFC 4035 §3.1.6),
 * AD, Z, AA, RA and TC do not; under an unknown opcode only the opcode
 * comes back, with NOTIMP; DO comes back in the OPT of an error answer
 * (RFC 3225 §3); EDNS version 1 gets BADVERS (RFC 6891 §6.1.3). */
START_TEST(header_bits_echoed_by_the_letter)
{
	uint8_t q[64], resp[512];
	dns_msg_t r;
	/* QUERY with every flag set, no answerer: REFUSED */
	uint16_t all = DNS_F_AA | DNS_F_TC | DNS_F_RD | DNS_F_RA | 0x0040u | DNS_F_AD | DNS_F_CD;
	size_t n = flagged(q, all, true, 0, true);
	ck_assert_int_gt(run(q, n, resp, &r), 0);
	ck_assert_uint_eq(DNS_RCODE(r.flags), DNS_RC_REFUSED);
	ck_assert_uint_eq(r.flags & 0x7ff0u, DNS_F_RD | DNS_F_CD);
	ck_assert(r.edns.present);
	ck_assert_uint_eq(r.edns.flags, DNS_EDNS_DO);
	/* without DO, the OPT has no DO */
	n = flagged(q, DNS_F_CD, true, 0, false);
	ck_assert_int_gt(run(q, n, resp, &r), 0);
	ck_assert_uint_eq(r.flags & 0x7ff0u, DNS_F_CD);
	ck_assert_uint_eq(r.edns.flags, 0);
	/* opcode 3 (unassigned) with RD and CD: NOTIMP, both clear */
	n = flagged(q, (uint16_t)(3u << 11) | DNS_F_RD | DNS_F_CD | DNS_F_AD, true, 0, true);
	ck_assert_int_gt(run(q, n, resp, &r), 0);
	ck_assert_uint_eq(DNS_RCODE(r.flags), DNS_RC_NOTIMP);
	ck_assert_uint_eq(DNS_OPCODE(r.flags), 3);
	ck_assert_uint_eq(r.flags & 0x07f0u, 0);
	ck_assert_uint_eq(r.edns.flags, DNS_EDNS_DO);
	/* EDNS version 1: BADVERS (extended RCODE 1, header RCODE 0), DO kept */
	n = flagged(q, DNS_F_RD, true, 1, true);
	ck_assert_int_gt(run(q, n, resp, &r), 0);
	ck_assert_uint_eq(DNS_RCODE(r.flags), 0);
	ck_assert(r.edns.present);
	ck_assert_uint_eq(r.edns.ext_rcode, 1);
	ck_assert_uint_eq(r.edns.version, 0);
	ck_assert_uint_eq(r.edns.flags, DNS_EDNS_DO);
	ck_assert_uint_eq(r.flags & 0x7ff0u, DNS_F_RD);
	/* the pure rule */
	ck_assert_uint_eq(dns_msg_echo_flags(0xffff), 0x7800u);
	ck_assert_uint_eq(dns_msg_echo_flags(0x87ff), DNS_F_RD | DNS_F_CD);
}
END_TEST

Suite *query_suite(void)
{
	Suite *s = suite_create("serve_query");
	TCase *tc = t_case("query", T_UNIT);
	tcase_add_test(tc, compressed_question);
	tcase_add_test(tc, responses_and_updates);
	tcase_add_test(tc, header_bits_echoed_by_the_letter);
	suite_add_tcase(s, tc);
	return s;
}
