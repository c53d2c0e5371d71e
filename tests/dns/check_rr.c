/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for dns/rr.c and dns/rdata.c: layouts, wire read/write with
 * compression, canonical form and order, and the DNSSEC helpers. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check_bounds.h"
#include "dns/name.h"
#include "dns/rdesc.h"
#include "dns/rr.h"

Suite *rr_suite(void);

/* Wire names: string literals end in the root label's zero octet. */
#define EX "\7example\4test\0"
#define D16 "\x01\x23\x45\x67\x89\xab\xcd\xef\xfe\xdc\xba\x98\x76\x54\x32\x10"
#define D20 D16 "\xa0\xa1\xa2\xa3"
#define D32 D16 D16
#define Z20 "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"

typedef struct {
	uint16_t type;
	const char *rd;
	size_t len;
} sample_t;

#define S(t, s) { t, s, sizeof(s) - 1 }

static const sample_t samples[] = {
	S(DNS_T_A, "\xc0\x00\x02\x01"),
	S(DNS_T_NS, "\3ns1" EX),
	S(DNS_T_MD, "\3www" EX),
	S(DNS_T_MF, "\3www" EX),
	S(DNS_T_CNAME, "\3www" EX),
	S(DNS_T_SOA, "\3ns1" EX "\12hostmaster" EX "\x78\x9a\xbc\xde\0\0\x0e\x10"
		     "\0\0\x07\x08\0\x09\x3a\x80\0\0\x0e\x10"),
	S(DNS_T_MB, "\3www" EX),
	S(DNS_T_MG, "\3www" EX),
	S(DNS_T_MR, "\3www" EX),
	S(DNS_T_NULL, "\x01\x02\x03"),
	S(DNS_T_NULL, ""),
	S(DNS_T_WKS, "\xc0\x00\x02\x01\x06\x00\x00\x00\x40"),
	S(DNS_T_PTR, "\3www" EX),
	S(DNS_T_HINFO, "\3CPU\2OS"),
	S(DNS_T_MINFO, "\5admin" EX "\6errors" EX),
	S(DNS_T_MX, "\0\12\4mail" EX),
	S(DNS_T_TXT, "\5hello\0\3abc"),
	S(DNS_T_RP, "\5admin" EX "\4info" EX),
	S(DNS_T_AFSDB, "\0\1\4afsd" EX),
	S(DNS_T_RT, "\0\12\5relay" EX),
	S(DNS_T_SIG, "\0\1\x0d\2\0\0\x0e\x10\x65\x00\x00\x00\x64\x00\x00\x00\x7b\x00" EX
		     "\xde\xad\xbe\xef"),
	S(DNS_T_KEY, "\1\0\3\x0d\xab\xcd"),
	S(DNS_T_PX, "\0\12\3map" EX "\4x400" EX),
	S(DNS_T_AAAA, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01"),
	S(DNS_T_NXT, "\xff"),
	S(DNS_T_SRV, "\0\12\0\5\x13\xc4\3sip" EX),
	S(DNS_T_NAPTR, "\0\144\0\12\1U\7E2U+sip\0\4_sip\4_udp" EX),
	S(DNS_T_KX, "\0\12\2kx" EX),
	S(DNS_T_DNAME, "\5other\4test\0"),
	S(DNS_T_OPT, "\0\12\0\10\1\2\3\4\5\6\7\10"),
	S(DNS_T_OPT, ""),
	S(DNS_T_DS, "\x7b\x00\x0d\x02" D32),
	S(DNS_T_SSHFP, "\1\1" D20),
	S(DNS_T_RRSIG, "\0\1\x0d\3\0\0\x0e\x10\x65\x5b\x3c\x00\x65\x40\x00\x00\x7b\x00" EX D16),
	S(DNS_T_NSEC, "\4host" EX "\0\6\x40\x01\x00\x00\x00\x03\1\1\x40"),
	S(DNS_T_DNSKEY, "\1\1\3\x0d" D32 D32),
	S(DNS_T_NSEC3, "\1\0\0\x0a\4\xab\xcd\xef\x01\x14" D20 "\0\6\x40\x01\x00\x00\x00\x03"),
	S(DNS_T_NSEC3, "\1\1\0\0\0\x14" D20),
	S(DNS_T_NSEC3PARAM, "\1\0\0\x0a\0"),
	S(DNS_T_TLSA, "\3\1\1" D32),
	S(DNS_T_CDS, "\0\0\0\0\0"),
	S(DNS_T_CDNSKEY, "\0\0\3\0\0"),
	S(DNS_T_ZONEMD, "\x78\x9a\xbc\xde\1\1" D32 D16),
	S(DNS_T_SVCB, "\0\1\3svc" EX "\0\1\0\6\2h2\2h3\0\3\0\2\x01\xbb\0\4\0\4\xc0\x00\x02\x01"
		      "\0\5\0\3\xaa\xbb\xcc"),
	S(DNS_T_HTTPS, "\0\0\3www" EX),
	S(99, "\13v=spf1 -all"),
	S(DNS_T_TKEY, "\10gss-tsig\0\x65\x40\x00\x00\x65\x5b\x3c\x00\0\3\0\0\0\2\xaa\xbb\0\0"),
	S(DNS_T_TSIG, "\13hmac-sha256\0\0\0\x65\x5b\x3c\x00\1\x2c\0\4\1\2\3\4\x12\x34\0\0\0\0"),
	S(DNS_T_CAA, "\0\5issue" "letsencrypt.org"),
	S(DNS_T_CAA, "\x80\3tbs"),
	S(65280, "\1\2\3"),
};

#define NSAMPLES (sizeof(samples) / sizeof(samples[0]))

static uint8_t rdbuf[DNS_RDATA_MAX];

static dns_name_t nm(const char *wire)
{
	dns_name_t n;
	size_t used;
	ck_assert_int_eq(dns_name_from_wire((const uint8_t *)wire, strlen(wire) + 1, &n, &used),
			 RODNS_OK);
	return n;
}

/* A 12-octet zero header, so that offsets are what a message has. */
static size_t put_rr(uint8_t *m, const char *owner, uint16_t type, const void *rd, size_t len)
{
	size_t o = 12, ol = strlen(owner) + 1;

	memset(m, 0, 12);
	memcpy(m + o, owner, ol);
	o += ol;
	memcpy(m + o, (const uint8_t[]){ type >> 8, type & 0xff, 0, 1, 0, 0, 0x0e, 0x10,
					 (uint8_t)(len >> 8), (uint8_t)len },
	       10);
	o += 10;
	memcpy(m + o, rd, len);
	return o + len;
}

START_TEST(round_trip)
{
	const sample_t *s = &samples[_i];
	uint8_t m[1024], out[1024];
	size_t n = put_rr(m, "\3foo" EX, s->type, s->rd, s->len);
	dns_rd_t r;
	dns_rr_t rr;
	dns_wr_t w;
	dns_ctab_t t;

	ck_assert_int_eq(dns_rdata_check(s->type, (const uint8_t *)s->rd, s->len), RODNS_OK);
	dns_rd_init(&r, m, n);
	r.pos += 12;
	ck_assert_int_eq(dns_rr_read(&r, &rr, rdbuf, sizeof(rdbuf)), RODNS_OK);
	ck_assert_ptr_eq(r.pos, m + n);
	ck_assert_uint_eq(rr.type, s->type);
	ck_assert_uint_eq(rr.rclass, DNS_C_IN);
	ck_assert_uint_eq(rr.ttl, 3600);
	ck_assert_uint_eq(rr.rdlen, s->len);
	ck_assert_int_eq(memcmp(rr.rdata, s->rd, s->len), 0);
	for (int pass = 0; pass < 2; pass++) {
		dns_ctab_reset(&t);
		dns_wr_init(&w, out, sizeof(out));
		dns_wr_bytes(&w, m, 12);
		dns_rr_write(&w, &rr, pass ? &t : NULL);
		ck_assert_int_eq(w.error, RODNS_OK);
		if (pass == 0) {
			ck_assert_uint_eq(dns_wr_off(&w), n);
			ck_assert_int_eq(memcmp(out, m, n), 0);
			continue;
		}
		/* Compressed: reading it back must give the same RDATA. */
		dns_rr_t back;
		uint8_t rd2[1024];
		dns_rd_init(&r, out, dns_wr_off(&w));
		r.pos += 12;
		ck_assert_int_eq(dns_rr_read(&r, &back, rd2, sizeof(rd2)), RODNS_OK);
		ck_assert_uint_eq(dns_rd_left(&r), 0);
		ck_assert_uint_eq(back.rdlen, s->len);
		ck_assert_int_eq(memcmp(back.rdata, s->rd, s->len), 0);
	}
}
END_TEST

/* What the expanded RDATA must be after reading compressed names. */
static const uint8_t mx_full[] = "\0\12\4mail" EX;

START_TEST(compress_mx_ns_soa)
{
	uint8_t out[512];
	dns_wr_t w;
	dns_ctab_t t;
	dns_rr_t rr = { .owner = nm(EX), .type = DNS_T_MX, .rclass = DNS_C_IN, .ttl = 60,
			.rdata = mx_full, .rdlen = sizeof(mx_full) - 1 };
	static const uint8_t soa[] = "\3ns1" EX "\12hostmaster" EX "\0\0\0\1\0\0\0\2\0\0\0\3"
				     "\0\0\0\4\0\0\0\5";
	static const uint8_t ns[] = "\3ns1" EX;

	dns_ctab_reset(&t);
	dns_wr_init(&w, out, sizeof(out));
	dns_wr_bytes(&w, (const uint8_t[12]){ 0 }, 12);
	dns_rr_write(&w, &rr, &t);
	ck_assert_int_eq(w.error, RODNS_OK);
	ck_assert_uint_eq(dns_wr_off(&w), 12 + 14 + 10 + 9);
	ck_assert_int_eq(memcmp(out + 34, "\0\11\0\12\4mail\xc0\x0c", 11), 0);

	/* Same message: the NS owner and its RDATA both point backwards. */
	rr.type = DNS_T_NS;
	rr.rdata = ns;
	rr.rdlen = sizeof(ns) - 1;
	dns_rr_write(&w, &rr, &t);
	ck_assert_uint_eq(dns_wr_off(&w), 45 + 2 + 10 + 6);
	ck_assert_int_eq(memcmp(out + 45 + 10, "\0\6\3ns1\xc0\x0c", 8), 0);

	rr.type = DNS_T_SOA;
	rr.rdata = soa;
	rr.rdlen = sizeof(soa) - 1;
	dns_rr_write(&w, &rr, &t);
	ck_assert_int_eq(w.error, RODNS_OK);
	/* ns1.example.test is now one pointer; hostmaster adds a label. */
	ck_assert_uint_eq(dns_wr_off(&w), 63 + 2 + 10 + 2 + 13 + 20);
	ck_assert_int_eq(memcmp(out + 63 + 10, "\0\x23\xc0\x39\12hostmaster\xc0\x0c", 17), 0);

	/* And reading the message back expands every name again. */
	dns_rd_t r;
	dns_rd_init(&r, out, dns_wr_off(&w));
	r.pos += 12;
	ck_assert_int_eq(dns_rr_read(&r, &rr, rdbuf, sizeof(rdbuf)), RODNS_OK);
	ck_assert_uint_eq(rr.rdlen, sizeof(mx_full) - 1);
	ck_assert_int_eq(memcmp(rr.rdata, mx_full, rr.rdlen), 0);
	ck_assert_int_eq(dns_rr_read(&r, &rr, rdbuf, sizeof(rdbuf)), RODNS_OK);
	ck_assert_int_eq(memcmp(rr.rdata, ns, sizeof(ns) - 1), 0);
	ck_assert_int_eq(dns_rr_read(&r, &rr, rdbuf, sizeof(rdbuf)), RODNS_OK);
	ck_assert_uint_eq(rr.rdlen, sizeof(soa) - 1);
	ck_assert_int_eq(memcmp(rr.rdata, soa, rr.rdlen), 0);
	ck_assert_uint_eq(dns_rd_left(&r), 0);
}
END_TEST

/* Names in these RDATA are never compressed, even with a table. */
START_TEST(no_compress_srv_rrsig_nsec)
{
	static const struct {
		uint16_t type;
		const char *rd;
		size_t len;
	} c[] = {
		S(DNS_T_SRV, "\0\1\0\2\0\3\3sip" EX),
		S(DNS_T_RRSIG, "\0\1\x0d\2\0\0\0\1\0\0\0\2\0\0\0\3\0\4" EX "\1\2\3"),
		S(DNS_T_NSEC, "\3www" EX "\0\1\x40"),
		S(DNS_T_DNAME, "\3www" EX),
		S(DNS_T_SVCB, "\0\1\3www" EX),
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint8_t out[512];
		dns_wr_t w;
		dns_ctab_t t;
		dns_rr_t rr = { .owner = nm(EX), .type = c[i].type, .rclass = DNS_C_IN,
				.rdata = (const uint8_t *)c[i].rd, .rdlen = (uint16_t)c[i].len };
		dns_ctab_reset(&t);
		dns_wr_init(&w, out, sizeof(out));
		dns_wr_bytes(&w, (const uint8_t[12]){ 0 }, 12);
		dns_rr_write(&w, &rr, &t);
		ck_assert_int_eq(w.error, RODNS_OK);
		ck_assert_uint_eq(dns_wr_off(&w), 12 + 14 + 10 + c[i].len);
		ck_assert_uint_eq(out[34], c[i].len >> 8);
		ck_assert_uint_eq(out[35], c[i].len & 0xff);
		ck_assert_int_eq(memcmp(out + 36, c[i].rd, c[i].len), 0);
	}
}
END_TEST

/* Message: header, question example.test at 12, then one RR whose owner
 * points at the question and whose RDATA is rd. The RR starts at 30. */
static size_t mk_msg(uint8_t *m, uint16_t type, const void *rd, size_t len)
{
	memset(m, 0, 12);
	memcpy(m + 12, EX "\0\17\0\1" "\xc0\x0c", 20); /* question MX IN, owner */
	memcpy(m + 32, (const uint8_t[]){ type >> 8, type & 0xff, 0, 1, 0, 0, 0, 60,
					  (uint8_t)(len >> 8), (uint8_t)len },
	       10);
	memcpy(m + 42, rd, len);
	return 42 + len;
}

static int read_at_30(const uint8_t *m, size_t n, dns_rr_t *rr)
{
	dns_rd_t r;
	dns_rd_init(&r, m, n);
	r.pos += 30;
	int rc = dns_rr_read(&r, rr, rdbuf, sizeof(rdbuf));
	if (rc == RODNS_OK)
		ck_assert_ptr_eq(r.pos, m + n);
	else
		ck_assert_int_eq(r.error, rc);
	return rc;
}

START_TEST(read_compressed)
{
	uint8_t m[512];
	dns_rr_t rr;
	size_t n = mk_msg(m, DNS_T_MX, "\0\12\4mail\xc0\x0c", 9);

	ck_assert_int_eq(read_at_30(m, n, &rr), RODNS_OK);
	ck_assert(dns_name_eq(&rr.owner, &(dns_name_t){ 14, 2, "\7example\4test" }));
	ck_assert_uint_eq(rr.rdlen, sizeof(mx_full) - 1);
	ck_assert_int_eq(memcmp(rr.rdata, mx_full, rr.rdlen), 0);

	/* SOA: both names compressed, the second into the first. */
	static const uint8_t soa[] = "\3ns1\xc0\x0c\12hostmaster\xc0\x2a"
				     "\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4\0\0\0\5";
	static const uint8_t soa_full[] = "\3ns1" EX "\12hostmaster\3ns1" EX
					  "\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4\0\0\0\5";
	n = mk_msg(m, DNS_T_SOA, soa, sizeof(soa) - 1);
	ck_assert_int_eq(read_at_30(m, n, &rr), RODNS_OK);
	ck_assert_uint_eq(rr.rdlen, sizeof(soa_full) - 1);
	ck_assert_int_eq(memcmp(rr.rdata, soa_full, rr.rdlen), 0);

	/* SRV targets are accepted compressed (RFC 3597 §4, RFC 2052 servers). */
	n = mk_msg(m, DNS_T_SRV, "\0\1\0\2\0\3\3sip\xc0\x0c", 12);
	ck_assert_int_eq(read_at_30(m, n, &rr), RODNS_OK);
	ck_assert_int_eq(memcmp(rr.rdata, "\0\1\0\2\0\3\3sip" EX, rr.rdlen), 0);

	/* RRSIG signer and NSEC next name must not be compressed. */
	n = mk_msg(m, DNS_T_RRSIG, "\0\1\x0d\2\0\0\0\1\0\0\0\2\0\0\0\3\0\4\xc0\x0c\1\2", 22);
	ck_assert_int_eq(read_at_30(m, n, &rr), RODNS_E_RDATA);
	n = mk_msg(m, DNS_T_NSEC, "\3www\xc0\x0c\0\1\x40", 9);
	ck_assert_int_eq(read_at_30(m, n, &rr), RODNS_E_RDATA);

	/* A name that runs past RDLENGTH into what follows. */
	n = mk_msg(m, DNS_T_MX, "\0\12\4mail\xc0\x0c", 9);
	m[41] = 5;
	ck_assert_int_eq(read_at_30(m, n, &rr), RODNS_E_RDATA);

	/* SIG: a signer running past RDLENGTH must not let the signature
	 * field that follows start beyond the RDATA. */
	n = mk_msg(m, DNS_T_SIG, "\0\1\x0d\2\0\0\0\1\0\0\0\2\0\0\0\3\0\4" EX "\1\2", 34);
	m[41] = 20;
	ck_assert_int_eq(read_at_30(m, n, &rr), RODNS_E_RDATA);

	/* A pointer forward (to itself). */
	n = mk_msg(m, DNS_T_CNAME, "\xc0\x2a", 2);
	ck_assert_int_eq(read_at_30(m, n, &rr), RODNS_E_NAME_LOOP);

	/* RDLENGTH beyond the message. */
	n = mk_msg(m, DNS_T_A, "\1\2\3\4", 4);
	ck_assert_int_eq(read_at_30(m, n - 1, &rr), RODNS_E_TRUNC);
}
END_TEST

START_TEST(read_misc)
{
	uint8_t m[512];
	dns_rr_t rr;
	dns_rd_t r;
	dns_name_t q;
	uint16_t qt, qc;
	size_t n = mk_msg(m, DNS_T_A, "\1\2\3\4", 4);

	dns_rd_init(&r, m, n);
	r.pos += 12;
	ck_assert_int_eq(dns_q_read(&r, &q, &qt, &qc), RODNS_OK);
	ck_assert(dns_name_eq(&q, &(dns_name_t){ 14, 2, "\7example\4test" }));
	ck_assert_uint_eq(qt, DNS_T_MX);
	ck_assert_uint_eq(qc, DNS_C_IN);
	ck_assert_uint_eq(dns_rd_off(&r), 30);
	dns_rd_init(&r, m, 20);
	r.pos += 12;
	ck_assert_int_ne(dns_q_read(&r, &q, &qt, &qc), RODNS_OK);

	/* rdbuf too small for the expanded RDATA. */
	dns_rd_init(&r, m, n);
	r.pos += 30;
	ck_assert_int_eq(dns_rr_read(&r, &rr, rdbuf, 3), RODNS_E_SPACE);

	/* RFC 2136 class ANY/NONE with empty RDATA of any type. */
	n = mk_msg(m, DNS_T_A, "", 0);
	m[35] = DNS_C_ANY;
	ck_assert_int_eq(read_at_30(m, n, &rr), RODNS_OK);
	ck_assert_uint_eq(rr.rdlen, 0);
	m[35] = DNS_C_IN;
	ck_assert_int_eq(read_at_30(m, n, &rr), RODNS_E_RDATA);

	/* OPT: root owner, class and TTL carry EDNS fields. */
	static const uint8_t opt[] = "\0\0\51\x04\xd0\0\0\x80\0\0\4\0\12\0\0";
	dns_rd_init(&r, opt, sizeof(opt) - 1);
	ck_assert_int_eq(dns_rr_read(&r, &rr, rdbuf, sizeof(rdbuf)), RODNS_OK);
	ck_assert_uint_eq(rr.type, DNS_T_OPT);
	ck_assert_uint_eq(rr.rclass, 1232);
	ck_assert_uint_eq(rr.owner.len, 1);
	ck_assert_uint_eq(rr.rdlen, 4);
}
END_TEST

START_TEST(write_errors)
{
	uint8_t out[40];
	dns_wr_t w;
	dns_ctab_t t;
	dns_rr_t rr = { .owner = nm(EX), .type = DNS_T_MX, .rclass = DNS_C_IN,
			.rdata = mx_full, .rdlen = sizeof(mx_full) - 1 };

	dns_wr_init(&w, out, sizeof(out));
	dns_rr_write(&w, &rr, NULL);
	ck_assert_int_eq(w.error, RODNS_E_SPACE);
	/* RDATA that breaks its layout is not sent compressed. */
	static const uint8_t bad[] = "\0\12\4mail\7example";
	rr.rdata = bad;
	rr.rdlen = sizeof(bad) - 1;
	dns_ctab_reset(&t);
	dns_wr_init(&w, out, sizeof(out));
	dns_rr_write(&w, &rr, &t);
	ck_assert_int_eq(w.error, RODNS_E_RDATA);
}
END_TEST

START_TEST(canonical_form)
{
#define C(t, in, out) { t, in, out, sizeof(in) - 1 }
	static const struct {
		uint16_t type;
		const char *in, *out;
		size_t len;
	} c[] = {
		C(DNS_T_MX, "\0\1\4MaIl\7EXAMPLE\4Test\0", "\0\1\4mail\7example\4test\0"),
		C(DNS_T_RRSIG, "\0\1\x0d\2\0\0\0\1\0\0\0\2\0\0\0\3\0\4\3EXA\0\x41\x42",
		  "\0\1\x0d\2\0\0\0\1\0\0\0\2\0\0\0\3\0\4\3exa\0\x41\x42"),
		/* RFC 6840 §5.1: the NSEC next name keeps its case. */
		C(DNS_T_NSEC, "\3WWW\3EXA\0\0\1\x40", "\3WWW\3EXA\0\0\1\x40"),
		C(DNS_T_TXT, "\3ABC", "\3ABC"),
		C(DNS_T_NAPTR, "\0\1\0\2\1S\1A\0\3SIP\0", "\0\1\0\2\1S\1A\0\3sip\0"),
		C(DNS_T_SRV, "\0\1\0\2\0\3\3SIP\0", "\0\1\0\2\0\3\3sip\0"),
		C(DNS_T_SOA, "\1A\0\1B\0" Z20, "\1a\0\1b\0" Z20),
		C(DNS_T_SVCB, "\0\1\3WWW\0", "\0\1\3WWW\0"),
		C(65280, "\3ABC", "\3ABC"),
	};
#undef C
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint8_t out[64];
		ck_assert_int_eq(dns_rdata_canon(c[i].type, (const uint8_t *)c[i].in, c[i].len, out),
				 (int)c[i].len);
		ck_assert_msg(memcmp(out, c[i].out, c[i].len) == 0, "case %zu", i);
	}
	uint8_t out[8];
	ck_assert_int_eq(dns_rdata_canon(DNS_T_A, (const uint8_t *)"\1\2\3", 3, out),
			 RODNS_E_RDATA);
}
END_TEST

static int cmp(uint16_t type, const char *a, size_t al, const char *b, size_t bl)
{
	return dns_rdata_cmp(type, (const uint8_t *)a, al, (const uint8_t *)b, bl);
}

START_TEST(canonical_order)
{
	ck_assert_int_lt(cmp(DNS_T_A, "\xc0\0\2\1", 4, "\xc0\0\2\2", 4), 0);
	ck_assert_int_gt(cmp(DNS_T_A, "\xc0\0\2\2", 4, "\xc0\0\2\1", 4), 0);
	ck_assert_int_eq(cmp(DNS_T_A, "\xc0\0\2\1", 4, "\xc0\0\2\1", 4), 0);
	/* Shorter is less when it is a prefix. */
	ck_assert_int_lt(cmp(DNS_T_NULL, "ab", 2, "abc", 3), 0);
	ck_assert_int_gt(cmp(DNS_T_NULL, "abc", 3, "ab", 2), 0);
	/* Names compare lowercased: "a" < "B" although 0x61 > 0x42. */
	ck_assert_int_lt(cmp(DNS_T_MX, "\0\1\1a\0", 5, "\0\1\1B\0", 5), 0);
	ck_assert_int_eq(cmp(DNS_T_MX, "\0\1\4MAIL\0", 8, "\0\1\4mail\0", 8), 0);
	/* The second name of a SOA too: "C" sorts after "b". */
	ck_assert_int_gt(cmp(DNS_T_SOA, "\1x\0\1C\0" Z20, 26, "\1x\0\1b\0" Z20, 26), 0);
	/* Strings are not names: "B" < "a". */
	ck_assert_int_lt(cmp(DNS_T_TXT, "\1B", 2, "\1a", 2), 0);
	ck_assert_int_lt(cmp(DNS_T_NSEC, "\1B\0", 3, "\1a\0", 3), 0);
	/* NAPTR: the flags string keeps its case, the replacement does not. */
	ck_assert_int_gt(cmp(DNS_T_NAPTR, "\0\0\0\0\1a\0\0\1B\0", 11, "\0\0\0\0\1B\0\0\1B\0", 11),
			 0);
	ck_assert_int_gt(cmp(DNS_T_NAPTR, "\0\0\0\0\1A\0\0\1B\0", 11, "\0\0\0\0\1A\0\0\1a\0", 11),
			 0);
	/* Malformed RDATA still orders, as raw octets. */
	ck_assert_int_lt(cmp(DNS_T_MX, "\0\1\1B", 4, "\0\1\1a", 4), 0);
}
END_TEST

static const uint8_t rfc4034_key[] =
	"\x01\x00\x03\x05\x01\x03\x9e\x8a\x24\x74\x18\xe3\x18\x90\x3b\x21\x5a\x84\x8a\xcf"
	"\xd5\xf3\x7f\x02\x6b\xd4\x06\x2d\xb2\x6c\x77\x4c\x69\x09\x68\xd5\xd5\x6d\xf8\xbf"
	"\xda\x91\xe6\xf3\x6d\x9a\x27\x98\x88\xf4\x13\x33\x35\x7c\x5e\x60\x29\x99\x0d\x10"
	"\xfd\xf5\x66\x30\x62\xa5\x12\x76\x33\x26\x98\x0a\x61\x5d\xdb\xf1\x7a\x05\xdd\xfc"
	"\xce\x7e\x5f\xb3\xab\xcc\xa0\x5a\x31\xb0\x95\x74\x52\xd4\x52\x1e\x83\x87\x07\x89"
	"\x06\x31\x15\xbf\x97\xf6\xc3\x08\xcc\xf5\x7c\xdc\x9c\xe7\xfe\x10\xf6\xed\x1b\xd0"
	"\xcc\x06\x60\x03\x8c\x50\xdc\xdb\x0f\xeb\x96\x3c\x2f\x17";

/* dnssec-keygen -a ECDSAP256SHA256 -f KSK example.test: Kexample.test.+013+31488 */
static const uint8_t ecdsa_key[] =
	"\x01\x01\x03\x0d\x7b\xed\xcb\x05\xb4\xa1\xc8\x53\x18\xd6\xdd\x17"
	"\xa2\xd1\xaf\xe7\x3c\x92\xbd\xd3\x71\x8a\xe9\xd5\x7b\x57\x76\x1a"
	"\x54\x3c\x9f\x78\xd3\x3b\xda\x52\xc5\xd6\x6e\x4a\x31\xc3\x26\x34"
	"\x8d\x92\x2a\x04\x57\x3c\x97\x8f\x4f\xcf\x4b\x29\x0d\xda\xdb\xee"
	"\xf7\x69\xd3\x3f";

START_TEST(key_tag)
{
	ck_assert_int_eq(dns_rdata_check(DNS_T_DNSKEY, rfc4034_key, sizeof(rfc4034_key) - 1),
			 RODNS_OK);
	ck_assert_uint_eq(dns_dnskey_tag(rfc4034_key, sizeof(rfc4034_key) - 1), 60485);
	ck_assert_uint_eq(dns_dnskey_tag(ecdsa_key, sizeof(ecdsa_key) - 1), 31488);
	/* RSA/MD5: bits 8..23 from the end of the modulus (RFC 4034 B.1). */
	ck_assert_uint_eq(dns_dnskey_tag((const uint8_t *)"\1\0\3\1\1\3\xaa\xbb\xcc\xdd", 10),
			  0xbbcc);
}
END_TEST

START_TEST(rrsig_fields)
{
	static const uint8_t rd[] = "\0\x2e\x0d\3\0\0\x0e\x10\x65\x5b\x3c\x00\x65\x40\x00\x00"
				    "\x7b\x00\7EXAMPLE\4test\0\xde\xad";
	dns_rrsig_t s;

	ck_assert_int_eq(dns_rrsig_parse(rd, sizeof(rd) - 1, &s), RODNS_OK);
	ck_assert_uint_eq(s.covered, DNS_T_RRSIG);
	ck_assert_uint_eq(s.algorithm, 13);
	ck_assert_uint_eq(s.labels, 3);
	ck_assert_uint_eq(s.orig_ttl, 3600);
	ck_assert_uint_eq(s.expiration, 0x655b3c00);
	ck_assert_uint_eq(s.inception, 0x65400000);
	ck_assert_uint_eq(s.key_tag, 0x7b00);
	ck_assert(dns_name_eq(&s.signer, &(dns_name_t){ 14, 2, "\7example\4test" }));
	ck_assert_uint_eq(s.signer.labels, 2);
	ck_assert_uint_eq(s.siglen, 2);
	ck_assert_ptr_eq(s.sig, rd + 32);
	ck_assert_int_eq(dns_rrsig_parse(rd, 25, &s), RODNS_E_RDATA);
	ck_assert_int_eq(dns_rrsig_parse(rd, 18, &s), RODNS_E_RDATA);
}
END_TEST

static const sample_t bad[] = {
	S(DNS_T_A, "\1\2\3"),
	S(DNS_T_A, "\1\2\3\4\5"),
	S(DNS_T_AAAA, "\1\2\3\4"),
	S(DNS_T_MX, "\0\12\4mail" EX "\0"),
	S(DNS_T_MX, "\0"),
	S(DNS_T_NS, "\3www\7exa"),
	S(DNS_T_NS, "\x40" "abc\0"),
	S(DNS_T_RRSIG, "\0\1\x0d\2\0\0\0\1\0\0\0\2\0\0\0\3\0\4\7exa"),
	S(DNS_T_RRSIG, "\0\1\x0d\2\0\0\0\1\0\0\0\2"),
	S(DNS_T_NSEC, "\0\1\1\x40\0\1\x40"),
	S(DNS_T_NSEC, "\0\0\0"),
	S(DNS_T_NSEC, "\0\0\41" D32 "\1"),
	S(DNS_T_NSEC, "\0\0\2\x40"),
	S(DNS_T_NSEC, "\0\0"),
	S(DNS_T_NSEC3, "\1\0\0\0\0\0"),
	S(DNS_T_NSEC3, "\1\0\0\0\5\1\2"),
	S(DNS_T_TXT, "\5abc"),
	S(DNS_T_TXT, "\1a\5abc"),
	S(DNS_T_TXT, ""),
	S(DNS_T_HINFO, "\1a"),
	S(DNS_T_SVCB, "\0\1\0\0\3\0\2\1\273\0\1\0\3\2h2"),
	S(DNS_T_SVCB, "\0\1\0\0\3\0\2\1\273\0\3\0\2\1\273"),
	S(DNS_T_SVCB, "\0\1\0\0\3\0\3\1\273\1"),
	S(DNS_T_SVCB, "\0\1\0\0\1\0\3\0h2"),
	S(DNS_T_SVCB, "\0\1\0\0\4\0\3\1\2\3"),
	S(DNS_T_SVCB, "\0\1\0\0\0\0\4\0\3\0\1"),
	S(DNS_T_SVCB, "\0\1\0\0\3\0"),
	S(DNS_T_DS, "\0\1\x0d\2"),
	S(DNS_T_CAA, "\0\0value"),
	S(DNS_T_CAA, "\0\5is-ue"),
	S(DNS_T_CAA, "\0\7issue"),
	S(DNS_T_OPT, "\0\12\0\10\1\2"),
	S(DNS_T_OPT, "\0\12\0"),
	S(DNS_T_SOA, "\0\0\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4\0\0\0"),
	S(DNS_T_TSIG, "\0\0\0\0\0\0\0\1\0\0\5\1\2"),
	S(DNS_T_SRV, "\0\1\0\2\0\3"),
	S(DNS_T_NAPTR, "\0\1\0\2\1S\0\0"),
};

START_TEST(bad_layouts)
{
	const sample_t *s = &bad[_i];
	uint8_t m[512];
	size_t n = put_rr(m, EX, s->type, s->rd, s->len);
	dns_rd_t r;
	dns_rr_t rr;

	ck_assert_int_eq(dns_rdata_check(s->type, (const uint8_t *)s->rd, s->len), RODNS_E_RDATA);
	dns_rd_init(&r, m, n);
	r.pos += 12;
	ck_assert_int_lt(dns_rr_read(&r, &rr, rdbuf, sizeof(rdbuf)), 0);
	ck_assert_int_lt(r.error, 0);
	ck_assert_int_eq(dns_rd_u8(&r), 0);
}
END_TEST

START_TEST(bitmap)
{
	/* A MX RRSIG NSEC | CAA (window 1) | TYPE1234 (window 4, octet 26) */
	static const uint8_t bm[] = "\0\6\x40\x01\0\0\0\x03\1\1\x40\4\33" "\0\0\0\0\0\0\0\0\0\0"
				    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x20";
	size_t len = sizeof(bm) - 1;

	uint8_t nsec[64] = { 0 }; /* root next name, then the bitmap */

	memcpy(nsec + 1, bm, len);
	ck_assert_int_eq(dns_rdata_check(DNS_T_NSEC, nsec, 1 + len), RODNS_OK);
	ck_assert(dns_bitmap_has(bm, len, DNS_T_A));
	ck_assert(dns_bitmap_has(bm, len, DNS_T_MX));
	ck_assert(dns_bitmap_has(bm, len, DNS_T_RRSIG));
	ck_assert(dns_bitmap_has(bm, len, DNS_T_NSEC));
	ck_assert(dns_bitmap_has(bm, len, DNS_T_CAA));
	ck_assert(dns_bitmap_has(bm, len, 1234));
	ck_assert(!dns_bitmap_has(bm, len, DNS_T_NS));
	ck_assert(!dns_bitmap_has(bm, len, DNS_T_SOA));
	ck_assert(!dns_bitmap_has(bm, len, DNS_T_DNSKEY)); /* beyond window 0's octets */
	ck_assert(!dns_bitmap_has(bm, len, 256));
	ck_assert(!dns_bitmap_has(bm, len, 1233));
	ck_assert(!dns_bitmap_has(bm, len, 0x0201)); /* window 2 absent */
	ck_assert(!dns_bitmap_has(bm, len, 65280));
	ck_assert(!dns_bitmap_has(bm, 0, DNS_T_A));
	ck_assert(!dns_bitmap_has(bm, 5, DNS_T_RRSIG)); /* cut short */
}
END_TEST

START_TEST(type_names)
{
	char buf[16];
	uint16_t t;

	ck_assert_str_eq(dns_type_name(DNS_T_A, buf, sizeof(buf)), "A");
	ck_assert_str_eq(dns_type_name(DNS_T_NSEC3PARAM, buf, sizeof(buf)), "NSEC3PARAM");
	ck_assert_str_eq(dns_type_name(99, buf, sizeof(buf)), "SPF");
	ck_assert_str_eq(dns_type_name(DNS_T_CAA, buf, sizeof(buf)), "CAA");
	ck_assert_str_eq(dns_type_name(DNS_T_AXFR, buf, sizeof(buf)), "AXFR");
	ck_assert_str_eq(dns_type_name(65280, buf, sizeof(buf)), "TYPE65280");
	ck_assert_str_eq(dns_type_name(0, buf, sizeof(buf)), "TYPE0");
	ck_assert_int_eq(dns_type_from_text("rrsig", &t), RODNS_OK);
	ck_assert_uint_eq(t, DNS_T_RRSIG);
	ck_assert_int_eq(dns_type_from_text("HTTPS", &t), RODNS_OK);
	ck_assert_uint_eq(t, DNS_T_HTTPS);
	ck_assert_int_eq(dns_type_from_text("TYPE65280", &t), RODNS_OK);
	ck_assert_uint_eq(t, 65280);
	ck_assert_int_eq(dns_type_from_text("type1", &t), RODNS_OK);
	ck_assert_uint_eq(t, 1);
	ck_assert_int_eq(dns_type_from_text("TYPE65536", &t), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_type_from_text("TYPE", &t), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_type_from_text("TYPE1x", &t), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_type_from_text("FOO", &t), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_type_from_text("", &t), RODNS_E_SYNTAX);
	/* Every mnemonic parses back to its type. */
	for (unsigned i = 0; i < 65536; i++) {
		const dns_rdesc_t *d = dns_rdesc((uint16_t)i);
		if (d == NULL)
			continue;
		ck_assert_uint_eq(d->type, i);
		ck_assert_int_eq(dns_type_from_text(d->name, &t), RODNS_OK);
		ck_assert_uint_eq(t, i);
	}
	ck_assert_str_eq(dns_class_name(DNS_C_IN, buf, sizeof(buf)), "IN");
	ck_assert_str_eq(dns_class_name(DNS_C_CH, buf, sizeof(buf)), "CH");
	ck_assert_str_eq(dns_class_name(DNS_C_HS, buf, sizeof(buf)), "HS");
	ck_assert_str_eq(dns_class_name(42, buf, sizeof(buf)), "CLASS42");
	ck_assert(dns_type_known(DNS_T_RRSIG));
	ck_assert(dns_type_known(99));
	ck_assert(!dns_type_known(DNS_T_NXT));
	ck_assert(!dns_type_known(DNS_T_AXFR));
	ck_assert(!dns_type_known(65280));
}
END_TEST

/* Fields "to the end" may only close a layout; names come in the kinds the
 * RFCs give (RFC 3597 §4 list compressed, NSEC/SVCB targets not lowered). */
START_TEST(layout_table)
{
	static const uint16_t compressed[] = { 2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 15 };
	for (unsigned i = 0; i < 65536; i++) {
		const dns_rdesc_t *d = dns_rdesc((uint16_t)i);
		int has_c = 0;
		if (d == NULL)
			continue;
		for (const uint8_t *k = d->f; *k != DNS_RDF_END; k++) {
			uint8_t tail = *k >= DNS_RDF_STRS && *k != DNS_RDF_SALT &&
				       *k != DNS_RDF_HASH && *k != DNS_RDF_BIN16 &&
				       *k != DNS_RDF_CAATAG;
			ck_assert_msg(!tail || k[1] == DNS_RDF_END, "type %u", i);
			has_c |= *k == DNS_RDF_NAME_C;
		}
		int want = 0;
		for (size_t j = 0; j < sizeof(compressed) / sizeof(compressed[0]); j++)
			want |= compressed[j] == i;
		ck_assert_msg(has_c == want, "type %u", i);
	}
	ck_assert_uint_eq(dns_rdesc(DNS_T_NSEC)->f[0], DNS_RDF_NAME_N);
	ck_assert_uint_eq(dns_rdesc(DNS_T_RRSIG)->f[7], DNS_RDF_NAME_L);
	ck_assert_ptr_null(dns_rdesc(65280));
}
END_TEST

Suite *rr_suite(void)
{
	Suite *s = suite_create("rr");
	TCase *tc = t_case("core", T_UNIT);

	tcase_add_loop_test(tc, round_trip, 0, NSAMPLES);
	tcase_add_test(tc, compress_mx_ns_soa);
	tcase_add_test(tc, no_compress_srv_rrsig_nsec);
	tcase_add_test(tc, read_compressed);
	tcase_add_test(tc, read_misc);
	tcase_add_test(tc, write_errors);
	tcase_add_test(tc, canonical_form);
	tcase_add_test(tc, canonical_order);
	tcase_add_test(tc, key_tag);
	tcase_add_test(tc, rrsig_fields);
	tcase_add_loop_test(tc, bad_layouts, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, bitmap);
	tcase_add_test(tc, type_names);
	tcase_add_test(tc, layout_table);
	suite_add_tcase(s, tc);
	return s;
}
