/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for dns/msg.c: parsing (captured and built messages), EDNS0, TSIG
 * placement, the RR cursor, and the message builder (compression,
 * truncation and rollback). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check_bounds.h"
#include "dns/msg.h"

Suite *msg_suite(void);

/* Captured on Debian 12 from dig 9.18 and BIND 9.18 serving a small zone
 * signed with ECDSA P-256 and NSEC (tests/data/regress/ holds the same bytes).
 * cap_query: `dig +dnssec +norec nope.example.test A` (EDNS, DO, COOKIE).
 * cap_nxdomain: BIND's NXDOMAIN answer to it (SOA, NSEC, RRSIGs, cookie).
 * cap_axfr: BIND's AXFR of the zone in one message (29 RRs). */
static const char cap_query[] =
    "f71900200001000000000001046e6f7065076578616d706c650474657374000001000100002904d000008000"
    "000c000a00085e7beb73429b2686";
static const char cap_nxdomain[] =
    "f71984030001000000060001046e6f7065076578616d706c6504746573740000010001c01100060001000001"
    "2c0027036e7331c0110a686f73746d6173746572c01178a3f17500000e1000000384001275000000012cc011"
    "002e00010000012c006000060d0200000e106b32085d6b0a7b5d958c076578616d706c65047465737400962a"
    "9f693eca1c572d2beb6b018009b7142751848a5163550c02a2492cfa3c9f276b9ba09a8c5d89cd847c2cc71f"
    "4f810f9f49f54a20e540dc4856f6445da28fc074002f00010000012c001c046d61696c076578616d706c6504"
    "7465737400000722018000000380c0d3002e00010000012c0060002f0d020000012c6b32085d6b0a7b5d958c"
    "076578616d706c650474657374002ba01ef24e7696cbd39af404b557fd29607276f3bbea3ae10d57d08c1aa8"
    "0558c058acc0c727a29ceb55a78d35eab3d39975fb90271b4c0f97f47c0f391a8291c0ce002f00010000012c"
    "001a036e7331076578616d706c650474657374000006400000000003c0ce002e00010000012c0060002f0d03"
    "0000012c6b32085d6b0a7b5d958c076578616d706c650474657374003732b65cab7c6d0d75ae5a87fb72abdf"
    "3dddb0e7bdbc2f0f0798a9b0634335f03df3ad1c2ec2bb18a474b224c055910a0a04fb846baf0d889bfa2c6d"
    "a71db06200002904d000008000001c000a00185e7beb73429b2686010000006b0a8972c7af39b7e9004e59";
static const char cap_axfr[] =
    "abcd84000001001d00000000076578616d706c6504746573740000fc0001c00c0006000100000e100027036e"
    "7331c00c0a686f73746d6173746572c00c78a3f17500000e1000000384001275000000012cc00c002e000100"
    "000e10006000060d0200000e106b32085d6b0a7b5d958c076578616d706c65047465737400962a9f693eca1c"
    "572d2beb6b018009b7142751848a5163550c02a2492cfa3c9f276b9ba09a8c5d89cd847c2cc71f4f810f9f49"
    "f54a20e540dc4856f6445da28fc06f0002000100000e100002c02ac06f002e000100000e10006000020d0200"
    "000e106b32085d6b0a7b5d958c076578616d706c65047465737400ca481eed243d19e00aa0648c82ab8dc1c8"
    "7ce97b036cf8e4967e3a45e750b164d2ccca9080e6fe6851843251f9a155e7d7bf467d386e235332458fd83b"
    "9e5816c0e9000f000100000e100009000a046d61696cc0e9c0e9002e000100000e100060000f0d0200000e10"
    "6b32085d6b0a7b5d958c076578616d706c6504746573740031ff65e08a62cb0f10a0befcb08d19c765bc80ab"
    "a223683f053e734f1ca10e66428d02557cfd237400efc030a3074d5ae33f98f0542a39525a6591a9e4f5fe45"
    "c16a0010000100000e10000f0e763d73706631206d78202d616c6cc16a002e000100000e10006000100d0200"
    "000e106b32085d6b0a7b5d958c076578616d706c650474657374003bd699fad3b9974b5c0ae9ea5e46d1faed"
    "5594f4d530b0c8efc9486bf58192858c970506a97e0609a3998dba46cedb2ebe0dc9cbbc195384e57dd92625"
    "e4bef9c1f1002f00010000012c001c046d61696c076578616d706c65047465737400000722018000000380c2"
    "50002e00010000012c0060002f0d020000012c6b32085d6b0a7b5d958c076578616d706c650474657374002b"
    "a01ef24e7696cbd39af404b557fd29607276f3bbea3ae10d57d08c1aa80558c058acc0c727a29ceb55a78d35"
    "eab3d39975fb90271b4c0f97f47c0f391a8291c2850030000100000e1000440100030d3548fc266504ca60e6"
    "cff7e1603b48e86417419f3ffab0cc296355ece941163fd72ad7b9a31ee6641cee0726b864a7272950ffcdab"
    "3cd3361e4350bafa29c6c5c2850030000100000e1000440101030d7994a16615c26f2c212dbb37514b520ec9"
    "b7591b071cf51b22f94a2d544bf4a9792b204c3025ce5a5543037878f932c34862c9e77626700ad5fbedc8bf"
    "27e74ac285002e000100000e10006000300d0200000e106b32085d6b0a7b5d958c076578616d706c65047465"
    "73740046289bd369fb652976d5c2f95f6385dff01e198d161aa2e6efffdab9be6289ca115ca6feb8fa9609c7"
    "50bf8f00a06d3577ca2c994cf309c35a2ea56ff4bfbce6c391002e000100000e10006000300d0200000e106b"
    "32085d6b0a7b5df7fe076578616d706c6504746573740072ef3075d404e66fb75d810407460c1bf7dd42ff41"
    "7ad076acd0c95f98203a8ca6ceb78293ecfa08d61dbd8de13d9bd783b04c4ff6bf17a6bd37989fa41f9929c2"
    "4b0001000100000e100004c0000219c24b002e000100000e10006000010d0300000e106b32085d6b0a7b5d95"
    "8c076578616d706c65047465737400849087539f0bfd6e0b6b4b8e84be11326fba24bf22ac42a6743e540ad3"
    "3d6c8c7b0b01f74f981b65652968347af053c4a04b874d6f74b7749d8812d9b95d2561c24b002f0001000001"
    "2c001a036e7331076578616d706c650474657374000006400000000003c24b002e00010000012c0060002f0d"
    "030000012c6b32085d6b0a7b5d958c076578616d706c650474657374003732b65cab7c6d0d75ae5a87fb72ab"
    "df3dddb0e7bdbc2f0f0798a9b0634335f03df3ad1c2ec2bb18a474b224c055910a0a04fb846baf0d889bfa2c"
    "6da71db062c4d30001000100000e100004c0000235c4d3002e000100000e10006000010d0300000e106b3208"
    "5d6b0a7b5d958c076578616d706c65047465737400c25e35383f783965a810e01c9ef235011a3bda973493fd"
    "10cca321dd35de6c94b9ba1c8c0d4d93bcaa11ba1a10df5b82588e1a2259eaac9655345793920bacf8c4d300"
    "2f00010000012c001a03777777076578616d706c650474657374000006400000000003c4d3002e0001000001"
    "2c0060002f0d030000012c6b32085d6b0a7b5d958c076578616d706c65047465737400e1eb5bff7dfb2b8070"
    "4e8f2d778a18186a76d26b711cff731aa97afcce435ce3b3a224b71d3751a10607406622efa8103198cded0d"
    "db9d1ed0a3e410807135edc5e10001000100000e100004c0000250c5e1002e000100000e10006000010d0300"
    "000e106b32085d6b0a7b5d958c076578616d706c65047465737400ff8ca2bec198c50d7403716687367bf9d2"
    "278626a8e94c76de86e7e0fac4f58a72066d532565bd639b935bbec1a78cdb1ed26a6b9f9cf7e6da0d59cc26"
    "ce36efc5e1001c000100000e10001020010db8000000000000000000000080c5e1002e000100000e10006000"
    "1c0d0300000e106b32085d6b0a7b5d958c076578616d706c65047465737400318185aa7b2731fbd09b89c2a0"
    "5273500c5c4feb8074aff7357e912afaa49859d48ddfc7bf84c78f38f1747d28a3fd76d617ed4b7809a8ab3a"
    "d628ae6dda33e2c5e1002f00010000012c0016076578616d706c650474657374000006400000080003c5e100"
    "2e00010000012c0060002f0d030000012c6b32085d6b0a7b5d958c076578616d706c650474657374001fb286"
    "d30cace2db430fed5ffcaf2587e77ab99ba38dda9a79862fcc91268ef265d4d4df5171797fa64a5d757e011d"
    "5207453ecd2ca140a40ed7d9ca67151875c7ab0006000100000e100018c4d3c03078a3f17500000e10000003"
    "84001275000000012c";

static uint8_t rdbuf[DNS_RDATA_MAX];

/* Decodes hex into a malloc'd buffer of exactly the decoded size, so that
 * ASan catches any read past the end of the message. */
static uint8_t *unhex(const char *s, size_t *len)
{
	size_t n = strlen(s) / 2;
	uint8_t *out = malloc(n > 0 ? n : 1);

	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		ck_assert_int_eq(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	*len = n;
	return out;
}

static dns_name_t nm(const char *text)
{
	dns_name_t n;

	ck_assert_int_eq(dns_name_from_text(text, NULL, &n), RODNS_OK);
	return n;
}

static dns_rr_t mkrr(const char *owner, uint16_t type, uint32_t ttl, const uint8_t *rd,
		     uint16_t rdlen)
{
	dns_rr_t rr;

	memset(&rr, 0, sizeof(rr));
	rr.owner = nm(owner);
	rr.type = type;
	rr.rclass = DNS_C_IN;
	rr.ttl = ttl;
	rr.rdata = rd;
	rr.rdlen = rdlen;
	return rr;
}

static const uint8_t a_rd[4] = {192, 0, 2, 1};

/* Uncompressed MX RDATA for preference 10 and exchange text, into buf. */
static uint16_t mx_rdata(const char *exchange, uint8_t *buf)
{
	dns_name_t n = nm(exchange);

	buf[0] = 0;
	buf[1] = 10;
	memcpy(buf + 2, n.data, n.len);
	return (uint16_t)(2 + n.len);
}

/* A syntactically valid TSIG RDATA (hmac-sha256, 32-octet MAC): 61 octets. */
static uint16_t tsig_rdata(uint8_t *buf)
{
	dns_name_t alg = nm("hmac-sha256.");
	uint8_t *p = buf;

	memcpy(p, alg.data, alg.len);
	p += alg.len;
	memcpy(p, "\x00\x00\x69\x29\x1b\x00\x01\x2c\x00\x20", 10); /* time, fudge, MAC size */
	p += 10;
	memset(p, 0xab, 32);
	p += 32;
	memcpy(p, "\x12\x34\x00\x00\x00\x00", 6); /* original ID, error, other len */
	p += 6;
	return (uint16_t)(p - buf);
}

static int count_rrs(const dns_msg_t *m, int sec)
{
	dns_rrcur_t c;
	dns_rr_t rr;
	int n = 0, rc;

	dns_rrcur_init(&c, m, sec);
	while ((rc = dns_rrcur_next(&c, &rr, rdbuf, sizeof(rdbuf))) == 1)
		n++;
	ck_assert_int_eq(rc, 0);
	return n;
}

START_TEST(t_captured_query)
{
	size_t len;
	uint8_t *w = unhex(cap_query, &len);
	dns_msg_t m;
	dns_name_t q = nm("nope.example.test.");

	ck_assert_uint_eq(len, 58);
	ck_assert_int_eq(dns_msg_parse(&m, w, len), RODNS_OK);
	ck_assert_uint_eq(m.id, 0xf719);
	ck_assert_uint_eq(m.flags, DNS_F_AD);
	ck_assert_uint_eq(DNS_OPCODE(m.flags), DNS_OP_QUERY);
	ck_assert_uint_eq(m.count[DNS_SEC_QD], 1);
	ck_assert_uint_eq(m.count[DNS_SEC_AN], 0);
	ck_assert_uint_eq(m.count[DNS_SEC_NS], 0);
	ck_assert_uint_eq(m.count[DNS_SEC_AR], 1);
	ck_assert(dns_name_eq(&m.qname, &q));
	ck_assert_uint_eq(m.qtype, DNS_T_A);
	ck_assert_uint_eq(m.qclass, DNS_C_IN);
	ck_assert_uint_eq(m.qname_off, DNS_HDR_LEN);
	ck_assert_uint_eq(m.sec_off[DNS_SEC_QD], DNS_HDR_LEN);
	/* header 12 + name 19 + type/class 4 */
	ck_assert_uint_eq(m.sec_off[DNS_SEC_AN], 35);
	ck_assert_uint_eq(m.sec_off[DNS_SEC_AR], 35);
	ck_assert(m.edns.present);
	ck_assert_uint_eq(m.edns.offset, 35);
	ck_assert_uint_eq(m.edns.udp_size, 1232);
	ck_assert_uint_eq(m.edns.version, 0);
	ck_assert_uint_eq(m.edns.ext_rcode, 0);
	ck_assert_uint_eq(m.edns.flags, DNS_EDNS_DO);
	/* one COOKIE option (code 10) with an 8-octet client cookie */
	ck_assert_uint_eq(m.edns.optlen, 12);
	ck_assert(m.edns.opts == w + 35 + 11);
	ck_assert_mem_eq(m.edns.opts, "\x00\x0a\x00\x08", 4);
	ck_assert(!m.has_tsig);
	free(w);
}
END_TEST

START_TEST(t_captured_nxdomain)
{
	static const uint16_t types[6] = {DNS_T_SOA,   DNS_T_RRSIG, DNS_T_NSEC,
					  DNS_T_RRSIG, DNS_T_NSEC,  DNS_T_RRSIG};
	size_t len;
	uint8_t *w = unhex(cap_nxdomain, &len);
	dns_msg_t m;
	dns_rrcur_t c;
	dns_rr_t rr;
	char text[1024];
	dns_name_t apex = nm("example.test.");

	ck_assert_int_eq(dns_msg_parse(&m, w, len), RODNS_OK);
	ck_assert_uint_eq(m.flags & DNS_F_QR, DNS_F_QR);
	ck_assert_uint_eq(m.flags & DNS_F_AA, DNS_F_AA);
	ck_assert_uint_eq(DNS_RCODE(m.flags), DNS_RC_NXDOMAIN);
	ck_assert_uint_eq(m.count[DNS_SEC_NS], 6);
	ck_assert(m.edns.present);
	ck_assert_uint_eq(m.edns.flags, DNS_EDNS_DO);
	ck_assert_uint_eq(m.edns.optlen, 28); /* COOKIE: 8 client + 16 server octets */
	ck_assert_mem_eq(m.edns.opts, "\x00\x0a\x00\x18", 4);
	ck_assert_uint_eq(m.edns.offset + 11 + 28, len);

	dns_rrcur_init(&c, &m, DNS_SEC_NS);
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(dns_rrcur_next(&c, &rr, rdbuf, sizeof(rdbuf)), 1);
		ck_assert_uint_eq(rr.type, types[i]);
		ck_assert_uint_eq(rr.ttl, 300);
		if (i == 0) {
			/* both SOA names were compressed; the cursor expands them */
			ck_assert(dns_name_eq(&rr.owner, &apex));
			ck_assert_uint_eq(rr.rdlen, 18 + 25 + 20);
			ck_assert_int_gt(dns_rr_to_text(&rr, text, sizeof(text)), 0);
			ck_assert_str_eq(text, "example.test. 300 IN SOA ns1.example.test. "
					       "hostmaster.example.test. 2024010101 3600 900 "
					       "1209600 300");
		}
	}
	ck_assert_int_eq(dns_rrcur_next(&c, &rr, rdbuf, sizeof(rdbuf)), 0);
	ck_assert_int_eq(count_rrs(&m, DNS_SEC_AN), 0);
	ck_assert_int_eq(count_rrs(&m, DNS_SEC_AR), 1);
	free(w);
}
END_TEST

/* Every shorter prefix of a captured message is rejected. */
START_TEST(t_captured_prefixes)
{
	const char *caps[3] = {cap_query, cap_nxdomain, cap_axfr};

	for (int k = 0; k < 3; k++) {
		size_t len;
		uint8_t *w = unhex(caps[k], &len);

		for (size_t n = 0; n < len; n++) {
			uint8_t *p = malloc(n > 0 ? n : 1);
			dns_msg_t m;

			memcpy(p, w, n);
			ck_assert_msg(dns_msg_parse(&m, p, n) < 0, "capture %d prefix %zu", k, n);
			free(p);
		}
		free(w);
	}
}
END_TEST

/* The AXFR decoded and re-encoded by the builder parses to the same RRs. */
START_TEST(t_axfr_roundtrip)
{
	static uint8_t rd2[DNS_RDATA_MAX];
	size_t len;
	uint8_t *w = unhex(cap_axfr, &len);
	uint8_t *out = malloc(65535);
	dns_msg_t m, m2;
	dns_mbuild_t b;
	dns_rrcur_t c, c2;
	dns_rr_t rr, rr2;
	size_t plain = DNS_HDR_LEN;
	int n = 0, rc;

	ck_assert_int_eq(dns_msg_parse(&m, w, len), RODNS_OK);
	ck_assert_uint_eq(m.count[DNS_SEC_AN], 29);
	dns_mbuild_init(&b, out, 65535, m.id, m.flags);
	ck_assert_int_eq(dns_mbuild_question(&b, &m.qname, m.qtype, m.qclass), RODNS_OK);
	plain += m.qname.len + 4;
	dns_rrcur_init(&c, &m, DNS_SEC_AN);
	while ((rc = dns_rrcur_next(&c, &rr, rdbuf, sizeof(rdbuf))) == 1) {
		ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AN, &rr), RODNS_OK);
		plain += rr.owner.len + 10 + rr.rdlen;
		n++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(n, 29);
	int olen = dns_mbuild_finish(&b);
	ck_assert_int_gt(olen, 0);
	/* compression saves a lot: owners repeat, MX/NS/SOA names compress */
	ck_assert_int_lt(olen, (int)plain - 300);
	ck_assert_int_le(olen, (int)len + 64);

	ck_assert_int_eq(dns_msg_parse(&m2, out, (size_t)olen), RODNS_OK);
	ck_assert_uint_eq(m2.count[DNS_SEC_AN], 29);
	ck_assert_uint_eq(m2.id, m.id);
	ck_assert_uint_eq(m2.flags, m.flags);
	dns_rrcur_init(&c, &m, DNS_SEC_AN);
	dns_rrcur_init(&c2, &m2, DNS_SEC_AN);
	while (dns_rrcur_next(&c, &rr, rdbuf, sizeof(rdbuf)) == 1) {
		ck_assert_int_eq(dns_rrcur_next(&c2, &rr2, rd2, sizeof(rd2)), 1);
		ck_assert(dns_name_eq(&rr.owner, &rr2.owner));
		ck_assert_uint_eq(rr.type, rr2.type);
		ck_assert_uint_eq(rr.rclass, rr2.rclass);
		ck_assert_uint_eq(rr.ttl, rr2.ttl);
		ck_assert_uint_eq(rr.rdlen, rr2.rdlen);
		ck_assert_mem_eq(rr.rdata, rr2.rdata, rr.rdlen);
	}
	ck_assert_int_eq(dns_rrcur_next(&c2, &rr2, rd2, sizeof(rd2)), 0);
	free(out);
	free(w);
}
END_TEST

START_TEST(t_build_query)
{
	uint8_t buf[512];
	dns_mbuild_t b;
	dns_msg_t m;
	dns_name_t q = nm("www.example.test.");
	dns_rrcur_t c;
	dns_rr_t rr;

	dns_mbuild_init(&b, buf, sizeof(buf), 0xbeef, DNS_F_RD);
	ck_assert_int_eq(dns_mbuild_question(&b, &q, DNS_T_AAAA, DNS_C_IN), RODNS_OK);
	ck_assert_int_eq(dns_mbuild_opt(&b, 1232, 0, 0, DNS_EDNS_DO, NULL, 0), RODNS_OK);
	int len = dns_mbuild_finish(&b);
	ck_assert_int_eq(len, 12 + 18 + 4 + 11);
	ck_assert_mem_eq(buf, "\xbe\xef\x01\x00\x00\x01\x00\x00\x00\x00\x00\x01", 12);

	ck_assert_int_eq(dns_msg_parse(&m, buf, (size_t)len), RODNS_OK);
	ck_assert_uint_eq(m.id, 0xbeef);
	ck_assert_uint_eq(m.flags, DNS_F_RD);
	ck_assert(dns_name_eq(&m.qname, &q));
	ck_assert_uint_eq(m.qtype, DNS_T_AAAA);
	ck_assert(m.edns.present);
	ck_assert_uint_eq(m.edns.udp_size, 1232);
	ck_assert_uint_eq(m.edns.flags, DNS_EDNS_DO);
	ck_assert_uint_eq(m.edns.optlen, 0);
	/* the cursor reads the question as an RR without TTL and RDATA */
	dns_rrcur_init(&c, &m, DNS_SEC_QD);
	ck_assert_int_eq(dns_rrcur_next(&c, &rr, rdbuf, sizeof(rdbuf)), 1);
	ck_assert(dns_name_eq(&rr.owner, &q));
	ck_assert_uint_eq(rr.type, DNS_T_AAAA);
	ck_assert_uint_eq(rr.rdlen, 0);
	ck_assert_int_eq(dns_rrcur_next(&c, &rr, rdbuf, sizeof(rdbuf)), 0);
}
END_TEST

/* Names are compressed against the question and across RRs, including
 * names inside MX RDATA; the cursor expands them again. */
START_TEST(t_build_compression)
{
	uint8_t buf[512], mx[300];
	dns_mbuild_t b;
	dns_msg_t m;
	dns_name_t q = nm("www.example.test.");
	dns_rr_t a = mkrr("www.example.test.", DNS_T_A, 60, a_rd, 4);
	dns_rr_t rmx = mkrr("example.test.", DNS_T_MX, 60, mx, mx_rdata("mail.example.test.", mx));
	dns_rr_t rr;
	dns_rrcur_t c;

	dns_mbuild_init(&b, buf, sizeof(buf), 1, DNS_F_QR | DNS_F_AA);
	ck_assert_int_eq(dns_mbuild_question(&b, &q, DNS_T_A, DNS_C_IN), RODNS_OK);
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AN, &a), RODNS_OK);
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AN, &rmx), RODNS_OK);
	int len = dns_mbuild_finish(&b);
	/* question 12..33; A owner: pointer to 12; MX owner: pointer to
	 * "example.test" at 16; exchange: "mail" + pointer to 16 */
	ck_assert_int_eq(len, 12 + 22 + (2 + 10 + 4) + (2 + 10 + 2 + 5 + 2));
	ck_assert_mem_eq(buf + 34, "\xc0\x0c\x00\x01", 4);
	ck_assert_mem_eq(buf + 50, "\xc0\x10\x00\x0f", 4);
	ck_assert_mem_eq(buf + 60, "\x00\x09\x00\x0a\x04mail\xc0\x10", 11);

	ck_assert_int_eq(dns_msg_parse(&m, buf, (size_t)len), RODNS_OK);
	dns_rrcur_init(&c, &m, DNS_SEC_AN);
	ck_assert_int_eq(dns_rrcur_next(&c, &rr, rdbuf, sizeof(rdbuf)), 1);
	ck_assert(dns_name_eq(&rr.owner, &a.owner));
	ck_assert_int_eq(dns_rrcur_next(&c, &rr, rdbuf, sizeof(rdbuf)), 1);
	ck_assert(dns_name_eq(&rr.owner, &rmx.owner));
	ck_assert_uint_eq(rr.rdlen, rmx.rdlen);
	ck_assert_mem_eq(rr.rdata, mx, rmx.rdlen);
}
END_TEST

/* Fill a small buffer until an RR does not fit: the failed RR leaves no
 * bytes, counts or compression entries behind, and the message that is
 * finished parses with exactly the RRs that fitted. */
START_TEST(t_build_truncation)
{
	uint8_t buf[200];
	dns_mbuild_t b;
	dns_msg_t m;
	dns_name_t q = nm("www.example.test.");
	dns_rr_t a = mkrr("www.example.test.", DNS_T_A, 60, a_rd, 4);
	int added = 0, rc;

	dns_mbuild_init(&b, buf, sizeof(buf), 7, DNS_F_QR);
	ck_assert_int_eq(dns_mbuild_question(&b, &q, DNS_T_A, DNS_C_IN), RODNS_OK);
	for (;;) {
		size_t off = dns_wr_off(&b.w);
		int ctab_n = b.ctab.n;

		rc = dns_mbuild_rr(&b, DNS_SEC_AN, &a);
		if (rc != RODNS_OK) {
			ck_assert_int_eq(rc, RODNS_E_SPACE);
			ck_assert_uint_eq(dns_wr_off(&b.w), off);
			ck_assert_int_eq(b.ctab.n, ctab_n);
			ck_assert_int_eq(b.w.error, RODNS_OK);
			break;
		}
		added++;
	}
	ck_assert_int_eq(added, (200 - 34) / 16);
	ck_assert_uint_eq(b.count[DNS_SEC_AN], (unsigned)added);
	dns_mbuild_set_flags(&b, DNS_F_QR | DNS_F_TC);
	int len = dns_mbuild_finish(&b);
	ck_assert_int_eq(len, 34 + 16 * added);
	ck_assert_int_eq(dns_msg_parse(&m, buf, (size_t)len), RODNS_OK);
	ck_assert_uint_eq(m.flags, DNS_F_QR | DNS_F_TC);
	ck_assert_int_eq(count_rrs(&m, DNS_SEC_AN), added);
}
END_TEST

/* An RR whose owner was written (and entered in the compression table)
 * before its RDATA ran out of space must take its table entries with it:
 * otherwise the next RR would point at bytes that are no longer there. */
START_TEST(t_build_rollback_ctab)
{
	static const uint8_t big[120];
	uint8_t buf[12 + 22 + 60];
	dns_mbuild_t b;
	dns_msg_t m;
	dns_name_t q = nm("www.example.test.");
	dns_rr_t fat = mkrr("other.name.invalid.", DNS_T_NULL, 60, big, sizeof(big));
	dns_rr_t thin = mkrr("other.name.invalid.", DNS_T_A, 60, a_rd, 4);
	dns_rr_t rr;
	dns_rrcur_t c;

	dns_mbuild_init(&b, buf, sizeof(buf), 7, DNS_F_QR);
	ck_assert_int_eq(dns_mbuild_question(&b, &q, DNS_T_A, DNS_C_IN), RODNS_OK);
	int n0 = b.ctab.n;
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AN, &fat), RODNS_E_SPACE);
	ck_assert_int_eq(b.ctab.n, n0);
	ck_assert_uint_eq(dns_wr_off(&b.w), 34);
	ck_assert_uint_eq(b.count[DNS_SEC_AN], 0);
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AN, &thin), RODNS_OK);
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AN, &thin), RODNS_OK);
	int len = dns_mbuild_finish(&b);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(dns_msg_parse(&m, buf, (size_t)len), RODNS_OK);
	dns_rrcur_init(&c, &m, DNS_SEC_AN);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(dns_rrcur_next(&c, &rr, rdbuf, sizeof(rdbuf)), 1);
		ck_assert(dns_name_eq(&rr.owner, &thin.owner));
	}
}
END_TEST

/* Marks undo whole RRsets: counts, bytes, section and compression. */
START_TEST(t_build_mark_rollback)
{
	uint8_t buf[512];
	dns_mbuild_t b;
	dns_mmark_t mk;
	dns_msg_t m;
	dns_name_t q = nm("www.example.test.");
	dns_rr_t a = mkrr("www.example.test.", DNS_T_A, 60, a_rd, 4);
	dns_rr_t ns = mkrr("example.test.", DNS_T_A, 60, a_rd, 4);
	dns_rr_t x = mkrr("x.y.z.", DNS_T_A, 60, a_rd, 4);

	dns_mbuild_init(&b, buf, sizeof(buf), 7, DNS_F_QR);
	ck_assert_int_eq(dns_mbuild_question(&b, &q, DNS_T_A, DNS_C_IN), RODNS_OK);
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AN, &a), RODNS_OK);
	dns_mbuild_mark(&b, &mk);
	size_t off = dns_wr_off(&b.w);
	int n0 = b.ctab.n;
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AN, &x), RODNS_OK);
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_NS, &ns), RODNS_OK);
	ck_assert_int_eq(dns_mbuild_opt(&b, 1232, 0, 0, 0, NULL, 0), RODNS_OK);
	ck_assert_int_gt(b.ctab.n, n0);
	dns_mbuild_rollback(&b, &mk);
	ck_assert_uint_eq(dns_wr_off(&b.w), off);
	ck_assert_int_eq(b.ctab.n, n0);
	ck_assert_uint_eq(b.count[DNS_SEC_AN], 1);
	ck_assert_uint_eq(b.count[DNS_SEC_NS], 0);
	ck_assert_uint_eq(b.count[DNS_SEC_AR], 0);
	/* the section went back too: the answer section is open again */
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AN, &x), RODNS_OK);
	int len = dns_mbuild_finish(&b);
	ck_assert_int_eq(dns_msg_parse(&m, buf, (size_t)len), RODNS_OK);
	ck_assert_uint_eq(m.count[DNS_SEC_AN], 2);
	ck_assert_uint_eq(m.count[DNS_SEC_AR], 0);
	ck_assert(!m.edns.present);
}
END_TEST

START_TEST(t_build_order)
{
	uint8_t buf[512];
	dns_mbuild_t b;
	dns_name_t q = nm("www.example.test.");
	dns_rr_t a = mkrr("www.example.test.", DNS_T_A, 60, a_rd, 4);

	dns_mbuild_init(&b, buf, sizeof(buf), 7, DNS_F_QR);
	ck_assert_int_eq(dns_mbuild_question(&b, &q, DNS_T_A, DNS_C_IN), RODNS_OK);
	ck_assert_int_ne(dns_mbuild_question(&b, &q, DNS_T_A, DNS_C_IN), RODNS_OK);
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_NS, &a), RODNS_OK);
	size_t off = dns_wr_off(&b.w);
	/* back to an earlier section, or into the question section: refused */
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AN, &a), -EINVAL);
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_QD, &a), -EINVAL);
	ck_assert_int_eq(dns_mbuild_rr(&b, 4, &a), -EINVAL);
	ck_assert_int_ne(dns_mbuild_question(&b, &q, DNS_T_A, DNS_C_IN), RODNS_OK);
	ck_assert_uint_eq(dns_wr_off(&b.w), off);
	ck_assert_int_eq(dns_mbuild_opt(&b, 512, 0, 0, 0, NULL, 0), RODNS_OK);
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_NS, &a), -EINVAL);
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AR, &a), RODNS_OK);
	int len = dns_mbuild_finish(&b);
	ck_assert_int_gt(len, 0);
	ck_assert_mem_eq(buf + 4, "\x00\x01\x00\x00\x00\x01\x00\x02", 8);
}
END_TEST

/* A name whose labels repeat ("test.test.") must not be compressed against
 * its own, not yet complete, suffixes: the builder once wrote "a.a." as
 * 01 61 C0 0C, a pointer loop (found by fuzz_msg). Buffers are zeroed or
 * hold an earlier message, as reused response buffers do. */
START_TEST(t_build_repeated_labels)
{
	static const char *const names[] = {"a.a.", "test.test.", "www.example.www.example.",
					    "x.y.x.y.x.y.", "b.a.a."};
	uint8_t buf[512], mx[300];

	memset(buf, 0, sizeof(buf));
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			dns_mbuild_t b;
			dns_msg_t m;
			dns_name_t q = nm(names[i]);
			dns_rr_t r = mkrr(names[i], DNS_T_MX, 60, mx, mx_rdata(names[i], mx));
			dns_rrcur_t c;
			dns_rr_t rr;

			dns_mbuild_init(&b, buf, sizeof(buf), 1, DNS_F_QR);
			ck_assert_int_eq(dns_mbuild_question(&b, &q, DNS_T_MX, DNS_C_IN), RODNS_OK);
			ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AN, &r), RODNS_OK);
			int len = dns_mbuild_finish(&b);
			ck_assert_msg(dns_msg_parse(&m, buf, (size_t)len) == RODNS_OK,
				      "round %d: %s does not parse back", round, names[i]);
			ck_assert(dns_name_eq(&m.qname, &q));
			dns_rrcur_init(&c, &m, DNS_SEC_AN);
			ck_assert_int_eq(dns_rrcur_next(&c, &rr, rdbuf, sizeof(rdbuf)), 1);
			ck_assert(dns_name_eq(&rr.owner, &q));
			ck_assert_mem_eq(rr.rdata, mx, r.rdlen);
		}
	}
}
END_TEST

START_TEST(t_build_tiny_buffer)
{
	uint8_t buf[11];
	dns_mbuild_t b;
	dns_name_t q = nm("a.");

	dns_mbuild_init(&b, buf, sizeof(buf), 7, 0);
	ck_assert_int_eq(dns_mbuild_question(&b, &q, DNS_T_A, DNS_C_IN), RODNS_E_SPACE);
	ck_assert_int_eq(dns_mbuild_finish(&b), RODNS_E_SPACE);
}
END_TEST

START_TEST(t_edns_fields)
{
	/* NSID (empty) and an 8-octet client COOKIE */
	static const uint8_t opts[] = {0, 3, 0, 0, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
	uint8_t buf[512];
	dns_mbuild_t b;
	dns_msg_t m;
	dns_name_t q = nm("example.test.");

	dns_mbuild_init(&b, buf, sizeof(buf), 9, DNS_F_QR);
	ck_assert_int_eq(dns_mbuild_question(&b, &q, DNS_T_SOA, DNS_C_IN), RODNS_OK);
	ck_assert_int_eq(dns_mbuild_opt(&b, 4096, 1, 1, DNS_EDNS_DO | 0x0001, opts, sizeof(opts)),
			 RODNS_OK);
	int len = dns_mbuild_finish(&b);
	ck_assert_int_eq(dns_msg_parse(&m, buf, (size_t)len), RODNS_OK);
	ck_assert(m.edns.present);
	ck_assert_uint_eq(m.edns.udp_size, 4096);
	ck_assert_uint_eq(m.edns.ext_rcode, 1); /* with RCODE 0: BADVERS (16) */
	ck_assert_uint_eq(m.edns.version, 1);
	ck_assert_uint_eq(m.edns.flags, DNS_EDNS_DO | 0x0001);
	ck_assert_uint_eq(m.edns.optlen, sizeof(opts));
	ck_assert_mem_eq(m.edns.opts, opts, sizeof(opts));
	ck_assert_uint_eq(m.edns.offset, 12 + 14 + 4);
	ck_assert(m.edns.opts >= buf && m.edns.opts + m.edns.optlen <= buf + len);
}
END_TEST

START_TEST(t_edns_two_opts)
{
	uint8_t buf[512];
	dns_mbuild_t b;
	dns_msg_t m;
	dns_name_t q = nm("example.test.");

	dns_mbuild_init(&b, buf, sizeof(buf), 9, 0);
	ck_assert_int_eq(dns_mbuild_question(&b, &q, DNS_T_SOA, DNS_C_IN), RODNS_OK);
	ck_assert_int_eq(dns_mbuild_opt(&b, 1232, 0, 0, 0, NULL, 0), RODNS_OK);
	ck_assert_int_eq(dns_mbuild_opt(&b, 1232, 0, 0, 0, NULL, 0), RODNS_OK);
	int len = dns_mbuild_finish(&b);
	ck_assert_int_eq(dns_msg_parse(&m, buf, (size_t)len), RODNS_E_EDNS);
}
END_TEST

/* Hand-assembled: query for "a." with an OPT RR owned by "x." */
static const char opt_nonroot[] = "000100000001000000000001"
				  "0161000001"
				  "0001"
				  "0178000029"
				  "04d0"
				  "00008000"
				  "0000";
/* OPT in the answer section of a response */
static const char opt_answer[] = "000184000001000100000000"
				 "0161000001"
				 "0001"
				 "00"
				 "0029"
				 "04d0"
				 "00000000"
				 "0000";
/* OPT whose single option claims 5 octets but has 4 */
static const char opt_badlen[] = "000100000001000000000001"
				 "0161000001"
				 "0001"
				 "00"
				 "0029"
				 "04d0"
				 "00000000"
				 "0008"
				 "000a0005"
				 "01020304";

START_TEST(t_edns_bad)
{
	const char *cases[3] = {opt_nonroot, opt_answer, opt_badlen};

	for (int i = 0; i < 3; i++) {
		size_t len;
		uint8_t *w = unhex(cases[i], &len);
		dns_msg_t m;

		ck_assert_msg(dns_msg_parse(&m, w, len) == RODNS_E_EDNS, "case %d", i);
		free(w);
	}
}
END_TEST

START_TEST(t_tsig_placement)
{
	uint8_t buf[512], trd[100];
	dns_mbuild_t b;
	dns_msg_t m;
	dns_name_t q = nm("example.test.");
	dns_rr_t t = mkrr("xfr.", DNS_T_TSIG, 0, trd, tsig_rdata(trd));
	dns_rr_t a = mkrr("example.test.", DNS_T_A, 60, a_rd, 4);
	int len;

	t.rclass = DNS_C_ANY;
	/* OPT then TSIG: fine, TSIG's offset is reported */
	dns_mbuild_init(&b, buf, sizeof(buf), 9, 0);
	dns_mbuild_question(&b, &q, DNS_T_SOA, DNS_C_IN);
	dns_mbuild_opt(&b, 1232, 0, 0, 0, NULL, 0);
	size_t toff = dns_wr_off(&b.w);
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AR, &t), RODNS_OK);
	len = dns_mbuild_finish(&b);
	ck_assert_int_eq(dns_msg_parse(&m, buf, (size_t)len), RODNS_OK);
	ck_assert(m.has_tsig);
	ck_assert_uint_eq(m.tsig_off, toff);
	ck_assert(m.edns.present);

	/* TSIG then another RR */
	dns_mbuild_init(&b, buf, sizeof(buf), 9, 0);
	dns_mbuild_question(&b, &q, DNS_T_SOA, DNS_C_IN);
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AR, &t), RODNS_OK);
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AR, &a), RODNS_OK);
	len = dns_mbuild_finish(&b);
	ck_assert_int_eq(dns_msg_parse(&m, buf, (size_t)len), RODNS_E_MALFORMED);

	/* TSIG in the answer section, even as the message's last RR */
	dns_mbuild_init(&b, buf, sizeof(buf), 9, DNS_F_QR);
	dns_mbuild_question(&b, &q, DNS_T_SOA, DNS_C_IN);
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AN, &t), RODNS_OK);
	len = dns_mbuild_finish(&b);
	ck_assert_int_eq(dns_msg_parse(&m, buf, (size_t)len), RODNS_E_MALFORMED);
}
END_TEST

START_TEST(t_question_counts)
{
	uint8_t buf[512];
	dns_mbuild_t b;
	dns_msg_t m;
	dns_name_t q = nm("example.test.");
	dns_rr_t a = mkrr("example.test.", DNS_T_A, 60, a_rd, 4);
	int len;

	/* QDCOUNT 0: later messages of an AXFR may omit the question */
	dns_mbuild_init(&b, buf, sizeof(buf), 9, DNS_F_QR);
	ck_assert_int_eq(dns_mbuild_rr(&b, DNS_SEC_AN, &a), RODNS_OK);
	len = dns_mbuild_finish(&b);
	ck_assert_int_eq(dns_msg_parse(&m, buf, (size_t)len), RODNS_OK);
	ck_assert_uint_eq(m.count[DNS_SEC_QD], 0);
	ck_assert_uint_eq(m.sec_off[DNS_SEC_AN], DNS_HDR_LEN);
	ck_assert_int_eq(count_rrs(&m, DNS_SEC_QD), 0);
	ck_assert_int_eq(count_rrs(&m, DNS_SEC_AN), 1);

	/* QDCOUNT 2 */
	dns_mbuild_init(&b, buf, sizeof(buf), 9, 0);
	dns_mbuild_question(&b, &q, DNS_T_A, DNS_C_IN);
	len = dns_mbuild_finish(&b);
	memcpy(buf + len, buf + 12, (size_t)len - 12);
	buf[5] = 2;
	ck_assert_int_eq(dns_msg_parse(&m, buf, (size_t)(2 * len - 12)), RODNS_E_MALFORMED);
}
END_TEST

START_TEST(t_trailing_and_short)
{
	uint8_t buf[512];
	dns_mbuild_t b;
	dns_msg_t m;
	dns_name_t q = nm("example.test.");

	dns_mbuild_init(&b, buf, sizeof(buf), 9, 0);
	dns_mbuild_question(&b, &q, DNS_T_A, DNS_C_IN);
	int len = dns_mbuild_finish(&b);
	buf[len] = 0;
	ck_assert_int_eq(dns_msg_parse(&m, buf, (size_t)len + 1), RODNS_E_MALFORMED);
	ck_assert_int_eq(dns_msg_parse(&m, buf, (size_t)len), RODNS_OK);
	ck_assert_int_eq(dns_msg_parse(&m, buf, 11), RODNS_E_TRUNC);
	ck_assert_int_eq(dns_msg_parse(&m, NULL, 0), RODNS_E_TRUNC);
	/* a cursor over a failed parse ends without reading anything */
	ck_assert_int_eq(count_rrs(&m, DNS_SEC_AN), 0);
}
END_TEST

Suite *msg_suite(void)
{
	Suite *s = suite_create("msg");
	TCase *parse = t_case("parse", T_UNIT);
	TCase *build = t_case("build", T_UNIT);
	TCase *edns = t_case("edns_tsig", T_UNIT);

	tcase_add_test(parse, t_captured_query);
	tcase_add_test(parse, t_captured_nxdomain);
	tcase_add_test(parse, t_captured_prefixes);
	tcase_add_test(parse, t_axfr_roundtrip);
	tcase_add_test(parse, t_question_counts);
	tcase_add_test(parse, t_trailing_and_short);
	tcase_add_test(build, t_build_query);
	tcase_add_test(build, t_build_compression);
	tcase_add_test(build, t_build_truncation);
	tcase_add_test(build, t_build_rollback_ctab);
	tcase_add_test(build, t_build_mark_rollback);
	tcase_add_test(build, t_build_order);
	tcase_add_test(build, t_build_repeated_labels);
	tcase_add_test(build, t_build_tiny_buffer);
	tcase_add_test(edns, t_edns_fields);
	tcase_add_test(edns, t_edns_two_opts);
	tcase_add_test(edns, t_edns_bad);
	tcase_add_test(edns, t_tsig_placement);
	suite_add_tcase(s, parse);
	suite_add_tcase(s, build);
	suite_add_tcase(s, edns);
	return s;
}
