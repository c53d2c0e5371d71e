/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for serve/query.c: the dispatcher's answers to odd messages. */
#include <check.h>
#include <string.h>

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

Suite *query_suite(void)
{
	Suite *s = suite_create("serve_query");
	TCase *tc = tcase_create("query");
	tcase_add_test(tc, compressed_question);
	tcase_add_test(tc, responses_and_updates);
	suite_add_tcase(s, tc);
	return s;
}
