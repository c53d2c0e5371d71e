/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for dns/name.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check_bounds.h"
#include "dns/name.h"

Suite *name_suite(void);

static dns_name_t N(const char *s)
{
	dns_name_t n;
	int rc = dns_name_from_text(s, NULL, &n);
	ck_assert_msg(rc == RODNS_OK, "parse %s: %s", s, rodns_strerror(rc));
	return n;
}

static const char *T(const dns_name_t *n)
{
	static char buf[DNS_NAME_TEXT_MAX];
	ck_assert_int_ge(dns_name_to_text(n, buf, sizeof(buf)), 1);
	return buf;
}

START_TEST(text_round_trip)
{
	const char *cases[] = {".", "example.", "a.b.c.example.", "\\000.example.",
			       "a\\.b.example.", "\\\\.x.", "\\032sp.x.", "\\255.x."};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dns_name_t n = N(cases[i]);
		ck_assert_str_eq(T(&n), cases[i]);
	}
	dns_name_t o = N("example.test."), n;
	ck_assert_int_eq(dns_name_from_text("www", &o, &n), RODNS_OK);
	ck_assert_str_eq(T(&n), "www.example.test.");
	ck_assert_int_eq(n.labels, 3);
	ck_assert_int_eq(dns_name_from_text("@", &o, &n), RODNS_OK);
	ck_assert(dns_name_eq(&n, &o));
	/* an exact-size buffer is enough, one octet less is not */
	char small[16];
	dns_name_t ns = N("ns1.example.");
	ck_assert_int_eq(dns_name_to_text(&ns, small, 13), 12);
	ck_assert_str_eq(small, "ns1.example.");
	ck_assert_int_eq(dns_name_to_text(&ns, small, 12), RODNS_E_SPACE);
	dns_name_t esc = N("\\\\\\000.");
	ck_assert_int_eq(dns_name_to_text(&esc, small, 8), 7);
	ck_assert_int_eq(dns_name_to_text(&esc, small, 7), RODNS_E_SPACE);
	ck_assert_int_eq(dns_name_from_text("www", NULL, &n), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_name_from_text("a..b.", NULL, &n), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_name_from_text("\\256.", NULL, &n), RODNS_E_SYNTAX);
}
END_TEST

START_TEST(text_limits)
{
	char lab[70];
	memset(lab, 'a', 64);
	strcpy(lab + 64, ".");
	dns_name_t n;
	ck_assert_int_eq(dns_name_from_text(lab, NULL, &n), RODNS_E_LABEL);
	lab[63] = '.';
	lab[64] = '\0';
	ck_assert_int_eq(dns_name_from_text(lab, NULL, &n), RODNS_OK);
	/* 4 labels of 63 = 256 octets with lengths and root: too long */
	char big[300] = "";
	for (int i = 0; i < 4; i++) {
		strncat(big, lab, sizeof(big) - strlen(big) - 1);
	}
	ck_assert_int_eq(dns_name_from_text(big, NULL, &n), RODNS_E_NAME_LONG);
	/* 3 x 63 + 61 + 1 = 254 + root = 255: fits exactly */
	char ok[300] = "";
	for (int i = 0; i < 3; i++)
		strncat(ok, lab, sizeof(ok) - strlen(ok) - 1);
	strcat(ok, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.");
	ck_assert_int_eq(dns_name_from_text(ok, NULL, &n), RODNS_OK);
	ck_assert_int_eq(n.len, 255);
}
END_TEST

/* RFC 4034 §6.1: the example names, in canonical order. */
static const char *rfc4034_order[] = {
	"example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.",
	"zABC.a.EXAMPLE.", "z.example.", "\\001.z.example.", "*.z.example.",
	"\\200.z.example.",
};

START_TEST(canonical_order_rfc4034)
{
	size_t n = sizeof(rfc4034_order) / sizeof(rfc4034_order[0]);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			dns_name_t a = N(rfc4034_order[i]), b = N(rfc4034_order[j]);
			int c = dns_name_cmp(&a, &b);
			int want = i < j ? -1 : (i > j ? 1 : 0);
			ck_assert_msg((c > 0) - (c < 0) == want, "cmp %s %s", rfc4034_order[i],
				      rfc4034_order[j]);
			uint8_t ka[DNS_KEY_MAX], kb[DNS_KEY_MAX];
			size_t la = dns_name_key(&a, ka), lb = dns_name_key(&b, kb);
			size_t m = la < lb ? la : lb;
			int k = memcmp(ka, kb, m);
			if (k == 0)
				k = la == lb ? 0 : (la < lb ? -1 : 1);
			ck_assert_msg((k > 0) - (k < 0) == want, "key %s %s", rfc4034_order[i],
				      rfc4034_order[j]);
		}
	}
}
END_TEST

/* Keys must order labels holding 0x00, 0x01, 0x02 and uppercase correctly,
 * and an ancestor's key must be a prefix of its descendants' keys. */
START_TEST(key_odd_octets)
{
	const char *order[] = {"x.", "\\000.x.", "\\000\\000.x.", "\\000\\001.x.", "\\001.x.",
			       "\\001\\000.x.", "\\002.x.", "A.x.", "a\\000.x.", "b.x.",
			       "\\000.b.x.", "\\255.x.", "\\000.y."};
	size_t n = sizeof(order) / sizeof(order[0]);
	uint8_t prev[DNS_KEY_MAX];
	size_t plen = 0;
	for (size_t i = 0; i < n; i++) {
		dns_name_t a = N(order[i]);
		uint8_t k[DNS_KEY_MAX];
		size_t l = dns_name_key(&a, k);
		if (i > 0) {
			size_t m = l < plen ? l : plen;
			int c = memcmp(prev, k, m);
			ck_assert_msg(c < 0 || (c == 0 && plen < l), "order at %s", order[i]);
			dns_name_t p = N(order[i - 1]);
			ck_assert_int_lt(dns_name_cmp(&p, &a), 0);
		}
		dns_name_t back;
		ck_assert_int_eq(dns_name_from_key(k, l, &back), RODNS_OK);
		ck_assert(dns_name_eq(&back, &a));
		memcpy(prev, k, l);
		plen = l;
	}
	dns_name_t anc = N("b.x."), desc = N("\\000.b.x.");
	uint8_t ka[DNS_KEY_MAX], kd[DNS_KEY_MAX];
	size_t la = dns_name_key(&anc, ka), ld = dns_name_key(&desc, kd);
	ck_assert_uint_lt(la, ld);
	ck_assert_int_eq(memcmp(ka, kd, la), 0);
	dns_name_t root = N(".");
	ck_assert_uint_eq(dns_name_key(&root, ka), 0);
	/* a full-length name of 0x00 octets: the key's worst case fits */
	char big[1100] = "";
	for (int i = 0; i < 4; i++) {
		for (int j = 0; j < (i < 3 ? 63 : 61); j++)
			strcat(big, "\\000");
		strcat(big, ".");
	}
	dns_name_t w = N(big);
	ck_assert_uint_le(dns_name_key(&w, kd), DNS_KEY_MAX);
}
END_TEST

static size_t wire(uint8_t *m, const char *hex)
{
	size_t n = 0;
	while (hex[0] && hex[1]) {
		unsigned v;
		sscanf(hex, "%2x", &v);
		m[n++] = (uint8_t)v;
		hex += 2;
		while (*hex == ' ')
			hex++;
	}
	return n;
}

START_TEST(read_compressed)
{
	uint8_t m[64];
	/* offset 0: 3www7example4test0; offset 18: 4mail + ptr to 4 */
	size_t len = wire(m, "03777777 076578616d706c65 0474657374 00 046d61696c c004");
	dns_rd_t r;
	dns_rd_init(&r, m, len);
	dns_name_t a, b;
	ck_assert_int_eq(dns_name_read(&r, &a), RODNS_OK);
	ck_assert_str_eq(T(&a), "www.example.test.");
	ck_assert_int_eq(dns_name_read(&r, &b), RODNS_OK);
	ck_assert_str_eq(T(&b), "mail.example.test.");
	ck_assert_uint_eq(dns_rd_off(&r), len);
}
END_TEST

START_TEST(read_bad)
{
	uint8_t m[300];
	dns_rd_t r;
	dns_name_t a;
	struct {
		const char *hex;
		size_t start;
		int err;
	} cases[] = {
		{"c000", 0, RODNS_E_NAME_LOOP},              /* pointer to itself */
		{"c002 00", 0, RODNS_E_NAME_LOOP},           /* forward pointer */
		{"00 01 61 c000", 1, RODNS_E_NAME_LOOP},     /* backwards into a label, then loop? */
		{"01 61 c004 c000", 4, RODNS_E_NAME_LOOP},   /* two pointers ping-ponging */
		{"40 00", 0, RODNS_E_LABEL},                 /* extended label type */
		{"80 00", 0, RODNS_E_LABEL},                 /* reserved label type */
		{"05 61 62", 0, RODNS_E_TRUNC},              /* label runs off the end */
		{"01 61", 0, RODNS_E_TRUNC},                 /* no root */
		{"c0", 0, RODNS_E_TRUNC},                    /* half a pointer */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = wire(m, cases[i].hex);
		dns_rd_init(&r, m, len);
		r.pos += cases[i].start;
		int rc = dns_name_read(&r, &a);
		if (i == 2) {
			/* "a" then a pointer to offset 0 (the root): valid, backwards */
			ck_assert_int_eq(rc, RODNS_OK);
			ck_assert_str_eq(T(&a), "a.");
			continue;
		}
		ck_assert_msg(rc == cases[i].err, "case %zu: got %d", i, rc);
		ck_assert_int_eq(r.error, cases[i].err);
		ck_assert_uint_eq(dns_rd_left(&r), 0);
	}
	/* 256-octet name via a chain of labels */
	size_t n = 0;
	for (int i = 0; i < 4; i++) {
		m[n++] = 63;
		memset(m + n, 'a', 63);
		n += 63;
	}
	m[n++] = 0;
	dns_rd_init(&r, m, n);
	ck_assert_int_eq(dns_name_read(&r, &a), RODNS_E_NAME_LONG);
}
END_TEST

START_TEST(write_compressed)
{
	uint8_t buf[512];
	dns_wr_t w;
	dns_ctab_t t;
	dns_wr_init(&w, buf, sizeof(buf));
	dns_ctab_reset(&t);
	dns_name_t a = N("www.Example.test."), b = N("mail.example.TEST."), c = N("example.test.");
	dns_name_write(&w, &a, &t);
	size_t l1 = dns_wr_off(&w);
	ck_assert_uint_eq(l1, a.len);
	dns_name_write(&w, &b, &t);
	ck_assert_uint_eq(dns_wr_off(&w) - l1, 5 + 2); /* "mail" + pointer */
	size_t l2 = dns_wr_off(&w);
	dns_name_write(&w, &c, &t);
	ck_assert_uint_eq(dns_wr_off(&w) - l2, 2); /* just a pointer */
	dns_rd_t r;
	dns_rd_init(&r, buf, dns_wr_off(&w));
	dns_name_t x;
	ck_assert_int_eq(dns_name_read(&r, &x), RODNS_OK);
	ck_assert(dns_name_eq(&x, &a));
	ck_assert_int_eq(dns_name_read(&r, &x), RODNS_OK);
	ck_assert(dns_name_eq(&x, &b));
	ck_assert_int_eq(dns_name_read(&r, &x), RODNS_OK);
	ck_assert(dns_name_eq(&x, &c));
	/* a name whose suffix repeats its own label must not point into itself */
	dns_wr_init(&w, buf, sizeof(buf));
	dns_ctab_reset(&t);
	dns_name_t aa = N("a.a."), ba = N("b.a.a.");
	dns_name_write(&w, &aa, &t);
	ck_assert_uint_eq(dns_wr_off(&w), aa.len);
	dns_name_write(&w, &ba, &t);
	ck_assert_uint_eq(dns_wr_off(&w), aa.len + 2 + 2);
	dns_rd_init(&r, buf, dns_wr_off(&w));
	ck_assert_int_eq(dns_name_read(&r, &x), RODNS_OK);
	ck_assert(dns_name_eq(&x, &aa));
	ck_assert_int_eq(dns_name_read(&r, &x), RODNS_OK);
	ck_assert(dns_name_eq(&x, &ba));
	/* without a table nothing is compressed */
	dns_wr_init(&w, buf, sizeof(buf));
	dns_name_write(&w, &a, NULL);
	dns_name_write(&w, &a, NULL);
	ck_assert_uint_eq(dns_wr_off(&w), 2u * a.len);
	/* a full writer reports space, sticky */
	dns_wr_init(&w, buf, 5);
	dns_ctab_reset(&t);
	dns_name_write(&w, &a, &t);
	ck_assert_int_eq(w.error, RODNS_E_SPACE);
}
END_TEST

START_TEST(sub_strip_lower)
{
	dns_name_t a = N("A.B.example.test."), z = N("example.TEST."), o = N("other.");
	ck_assert(dns_name_is_sub(&a, &z));
	ck_assert(dns_name_is_sub(&z, &z));
	ck_assert(!dns_name_is_sub(&z, &a));
	ck_assert(!dns_name_is_sub(&a, &o));
	dns_name_t s;
	dns_name_strip(&a, 2, &s);
	ck_assert(dns_name_eq(&s, &z));
	ck_assert_int_eq(s.labels, 2);
	dns_name_strip(&a, 9, &s);
	ck_assert_int_eq(s.labels, 0);
	ck_assert_int_eq(s.len, 1);
	dns_name_lower(&a);
	ck_assert_str_eq(T(&a), "a.b.example.test.");
}
END_TEST

Suite *name_suite(void)
{
	Suite *s = suite_create("dns_name");
	TCase *tc = t_case("name", T_UNIT);
	tcase_add_test(tc, text_round_trip);
	tcase_add_test(tc, text_limits);
	tcase_add_test(tc, canonical_order_rfc4034);
	tcase_add_test(tc, key_odd_octets);
	tcase_add_test(tc, read_compressed);
	tcase_add_test(tc, read_bad);
	tcase_add_test(tc, write_compressed);
	tcase_add_test(tc, sub_strip_lower);
	suite_add_tcase(s, tc);
	return s;
}
