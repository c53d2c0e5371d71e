/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for dns/print.c: presentation text of hand-built RDATA for every
 * type rodns knows, the character-string and name escapes, the RFC 3597
 * generic form, malformed RDATA and short buffers. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check_bounds.h"
#include "dns/err.h"
#include "dns/name.h"
#include "dns/rr.h"
#include "dns/text.h"

/* Builds RDATA from a readable spec: items separated by '|', each
 *   h:HEX   raw octets            n:NAME   a wire name (absolute text)
 *   s:TEXT  a character-string    8:N 16:N 32:N   big-endian integers
 * e.g. "16:10|n:mail.example." is the RDATA of "MX 10 mail.example.". */
static size_t rd(uint8_t *out, size_t cap, const char *spec)
{
	char tmp[1024];
	size_t o = 0;

	ck_assert_uint_lt(strlen(spec), sizeof(tmp));
	strcpy(tmp, spec);
	for (char *save = NULL, *it = strtok_r(tmp, "|", &save); it != NULL;
	     it = strtok_r(NULL, "|", &save)) {
		char *v = strchr(it, ':');
		ck_assert_ptr_nonnull(v);
		*v++ = '\0';
		if (strcmp(it, "h") == 0) {
			int n = dns_hex_decode(v, out + o, cap - o);
			ck_assert_int_ge(n, 0);
			o += (size_t)n;
		} else if (strcmp(it, "n") == 0) {
			dns_name_t name;
			ck_assert_int_eq(dns_name_from_text(v, NULL, &name), RODNS_OK);
			ck_assert_uint_le(o + name.len, cap);
			memcpy(out + o, name.data, name.len);
			o += name.len;
		} else if (strcmp(it, "s") == 0) {
			size_t n = strlen(v);
			ck_assert_uint_le(o + 1 + n, cap);
			out[o++] = (uint8_t)n;
			memcpy(out + o, v, n);
			o += n;
		} else {
			unsigned long x = strtoul(v, NULL, 10);
			int bytes = atoi(it) / 8;
			ck_assert(bytes == 1 || bytes == 2 || bytes == 4);
			ck_assert_uint_le(o + (size_t)bytes, cap);
			for (int i = bytes - 1; i >= 0; i--)
				out[o++] = (uint8_t)(x >> (8 * i));
		}
	}
	return o;
}

/* Prints RDATA built from spec and compares with want; also checks that
 * every buffer one octet too small fails cleanly with RODNS_E_SPACE. */
static void expect(uint16_t type, const char *spec, const char *want)
{
	static uint8_t rdata[4096];
	static char text[8192];
	size_t len = rd(rdata, sizeof(rdata), spec);
	int n = dns_rdata_to_text(type, rdata, len, text, sizeof(text));

	ck_assert_msg(n >= 0, "type %u, %s: %s", type, spec, rodns_strerror(n));
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(n, (int)strlen(want));
	for (size_t cap = 0; cap <= (size_t)n; cap++) {
		memset(text, 'x', sizeof(text));
		ck_assert_int_eq(dns_rdata_to_text(type, rdata, len, text, cap), RODNS_E_SPACE);
		if (cap > 0)
			ck_assert_int_eq(text[0], '\0');
	}
	ck_assert_int_eq(dns_rdata_to_text(type, rdata, len, text, (size_t)n + 1), n);
}

static void expect_bad(uint16_t type, const char *spec)
{
	uint8_t rdata[1024];
	char text[4096];
	size_t len = rd(rdata, sizeof(rdata), spec);

	ck_assert_int_eq(dns_rdata_to_text(type, rdata, len, text, sizeof(text)), RODNS_E_RDATA);
}

START_TEST(addresses)
{
	expect(DNS_T_A, "h:C0000201", "192.0.2.1");
	expect(DNS_T_AAAA, "h:20010DB8000000000001000000000001", "2001:db8::1:0:0:1");
	expect(DNS_T_AAAA, "h:00000000000000000000000000000000", "::");
	expect(DNS_T_AAAA, "h:00000000000000000000FFFFC0000201", "::ffff:192.0.2.1");
	expect(DNS_T_WKS, "h:C0000201|8:6|h:000004400040", "192.0.2.1 6 21 25 41");
}
END_TEST

START_TEST(names)
{
	expect(DNS_T_NS, "n:ns1.example.", "ns1.example.");
	expect(DNS_T_CNAME, "n:.", ".");
	expect(DNS_T_PTR, "n:Www.Example.", "Www.Example.");
	expect(DNS_T_DNAME, "n:target.example.", "target.example.");
	expect(DNS_T_MB, "n:a.", "a.");
	expect(DNS_T_MG, "n:b.", "b.");
	expect(DNS_T_MR, "n:c.", "c.");
	expect(DNS_T_MD, "n:d.", "d.");
	expect(DNS_T_MF, "n:e.", "e.");
	/* Escapes come from dns_name_to_text: dots, quotes, space, octets. */
	expect(DNS_T_NS, "h:076F64642E646F74|h:0341224200|", "odd\\.dot.A\\\"B.");
	expect(DNS_T_NS, "h:0400FF2009|h:00", "\\000\\255\\032\\009.");
	expect(DNS_T_MINFO, "n:rmail.example.|n:email.example.", "rmail.example. email.example.");
	expect(DNS_T_RP, "n:mbox.example.|n:txt.example.", "mbox.example. txt.example.");
	expect(DNS_T_MX, "16:10|n:mail.example.", "10 mail.example.");
	expect(DNS_T_AFSDB, "16:1|n:afs.example.", "1 afs.example.");
	expect(DNS_T_RT, "16:10|n:relay.example.", "10 relay.example.");
	expect(DNS_T_KX, "16:10|n:kx.example.", "10 kx.example.");
	expect(DNS_T_PX, "16:10|n:map822.example.|n:mapx400.example.",
	       "10 map822.example. mapx400.example.");
	expect(DNS_T_SRV, "16:10|16:60|16:5060|n:sip.example.", "10 60 5060 sip.example.");
	expect(DNS_T_SOA,
	       "n:ns1.example.|n:hostmaster.example.|32:4294967295|32:3600|32:900|"
	       "32:1209600|32:300",
	       "ns1.example. hostmaster.example. 4294967295 3600 900 1209600 300");
}
END_TEST

START_TEST(strings)
{
	expect(DNS_T_TXT, "s:v=spf1 mx -all", "\"v=spf1 mx -all\"");
	expect(DNS_T_TXT, "s:a|s:|s:b c", "\"a\" \"\" \"b c\"");
	/* `"` and `\` escaped; ';' '(' ')' '$' '@' need nothing inside quotes;
	 * 0x00-0x1f, 0x7f and 0x80-0xff as \DDD. */
	expect(DNS_T_TXT, "h:07225C3B28292440", "\"\\\"\\\\;()$@\"");
	expect(DNS_T_TXT, "h:0600091F7F80FF|h:027E20", "\"\\000\\009\\031\\127\\128\\255\" \"~ \"");
	expect(DNS_T_TXT, "h:04C3A9C3A9", "\"\\195\\169\\195\\169\"");
	expect(99 /* SPF */, "s:v=spf1 -all", "\"v=spf1 -all\"");
	expect(DNS_T_HINFO, "s:PC-Intel|s:Linux 6", "\"PC-Intel\" \"Linux 6\"");
	expect(DNS_T_NAPTR, "16:100|16:10|s:S|s:SIP+D2T|s:|n:_sip._tcp.example.",
	       "100 10 \"S\" \"SIP+D2T\" \"\" _sip._tcp.example.");
	expect(DNS_T_NAPTR, "16:200|16:10|s:U|s:E2U+sip|s:!^.*$!sip:info@example!|n:.",
	       "200 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example!\" .");
	expect(DNS_T_CAA, "8:0|s:issue|h:63612E6578616D706C652E6E6574",
	       "0 issue \"ca.example.net\"");
	expect(DNS_T_CAA, "8:128|s:tbs|h:613B2262", "128 tbs \"a;\\\"b\"");
	expect(DNS_T_CAA, "8:0|s:issue", "0 issue \"\"");
}
END_TEST

START_TEST(digests_and_keys)
{
	expect(DNS_T_SSHFP, "8:4|8:2|h:0123456789abcdef", "4 2 0123456789ABCDEF");
	expect(DNS_T_TLSA, "8:3|8:1|8:1|h:00FF", "3 1 1 00FF");
	expect(DNS_T_DS, "16:12345|8:13|8:2|h:8B8930F2", "12345 13 2 8B8930F2");
	expect(DNS_T_CDS, "16:0|8:0|8:0|h:00", "0 0 0 00"); /* RFC 8078 delete */
	expect(DNS_T_ZONEMD, "32:2024010101|8:1|8:1|h:ABCDEF", "2024010101 1 1 ABCDEF");
	expect(DNS_T_DNSKEY, "16:257|8:3|8:13|h:666F6F626172", "257 3 13 Zm9vYmFy");
	expect(DNS_T_CDNSKEY, "16:0|8:3|8:0|h:00", "0 3 0 AA==");
	expect(DNS_T_KEY, "16:256|8:3|8:5|h:666F", "256 3 5 Zm8=");
	/* A KEY without key data (RFC 2535 "no key") prints nothing after the
	 * algorithm, not an empty token. */
	expect(DNS_T_KEY, "16:49408|8:3|8:0", "49408 3 0");
}
END_TEST

START_TEST(dnssec)
{
	expect(DNS_T_RRSIG,
	       "16:6|8:13|8:2|32:3600|32:1795824000|32:1700000000|16:40910|"
	       "n:example.test.|h:666F6F",
	       "SOA 13 2 3600 20261128000000 20231114221320 40910 example.test. Zm9v");
	expect(DNS_T_RRSIG, "16:65280|8:8|8:0|32:0|32:4294967295|32:0|16:1|n:.|h:00",
	       "TYPE65280 8 0 0 21060207062815 19700101000000 1 . AA==");
	expect(DNS_T_SIG, "16:0|8:13|8:0|32:0|32:300|32:0|16:7|n:k.example.|h:0102",
	       "TYPE0 13 0 0 19700101000500 19700101000000 7 k.example. AQI=");
	/* NSEC: A NS SOA MX RRSIG NSEC DNSKEY, then window 1 CAA, window 255
	 * TYPE65280. */
	expect(DNS_T_NSEC, "n:host.example.|h:000762018008000380|h:010140|h:FF0180",
	       "host.example. A NS SOA MX TXT AAAA RRSIG NSEC DNSKEY CAA TYPE65280");
	expect(DNS_T_NSEC, "n:Next.Example.", "Next.Example.");
	expect(DNS_T_NSEC3,
	       "8:1|8:1|16:5|h:04AABBCCDD|h:0A|h:666F6F626172FFFFFFFF|h:0006400080000002",
	       "1 1 5 AABBCCDD cpnmuoj1ebvvvvvv A TXT RRSIG");
	/* No salt: "-"; empty type bitmap (an empty non-terminal). */
	expect(DNS_T_NSEC3, "8:1|8:0|16:0|8:0|h:0166", "1 0 0 - co");
	expect(DNS_T_NSEC3PARAM, "8:1|8:0|16:5|h:04AABBCCDD", "1 0 5 AABBCCDD");
	expect(DNS_T_NSEC3PARAM, "8:1|8:0|16:0|8:0", "1 0 0 -");
}
END_TEST

START_TEST(svcb)
{
	expect(DNS_T_SVCB, "16:0|n:www.example.", "0 www.example.");
	expect(DNS_T_HTTPS, "16:1|n:.", "1 .");
	/* Every key of RFC 9460 in order. mandatory=alpn,port */
	expect(DNS_T_SVCB,
	       "16:1|n:.|"
	       "16:0|16:4|16:1|16:3|"
	       "16:1|16:6|s:h2|s:h3|"
	       "16:2|16:0|"
	       "16:3|16:2|16:8443|"
	       "16:4|16:8|h:C0000201C0000202|"
	       "16:5|16:6|h:666F6F626172|"
	       "16:6|16:32|h:20010DB800000000000000000000000120010DB8000000000000000000000002",
	       "1 . mandatory=alpn,port alpn=\"h2,h3\" no-default-alpn port=8443 "
	       "ipv4hint=192.0.2.1,192.0.2.2 ech=Zm9vYmFy ipv6hint=2001:db8::1,2001:db8::2");
	/* RFC 9460 Appendix A.1: the alpn ids "f\oo,bar" and "h2". */
	expect(DNS_T_SVCB, "16:1|n:.|16:1|16:12|h:08665C6F6F2C626172|s:h2",
	       "1 . alpn=\"f\\\\\\\\oo\\\\,bar,h2\"");
	/* Generic keys (7 is dohpath, RFC 9461): quoted, escaped, bare when empty. */
	expect(DNS_T_HTTPS,
	       "16:3|n:svc.example.|16:7|16:16|h:2F646E732D71756572797B3F646E737D|"
	       "16:65000|16:11|h:68656C6C6F0A776F726C64|16:65001|16:0|16:65002|16:3|h:22205C",
	       "3 svc.example. key7=\"/dns-query{?dns}\" key65000=\"hello\\010world\" key65001 "
	       "key65002=\"\\\" \\\\\"");
	/* Malformed: keys not increasing, port of 3 octets, value overrun. */
	expect_bad(DNS_T_SVCB, "16:1|n:.|16:3|16:2|16:1|16:1|16:0");
	expect_bad(DNS_T_SVCB, "16:1|n:.|16:3|16:3|h:000000");
	expect_bad(DNS_T_SVCB, "16:1|n:.|16:3|16:9|h:0000");
}
END_TEST

START_TEST(meta_types)
{
	/* TSIG (RFC 8945): algorithm, 48-bit time, fudge, MAC size + MAC,
	 * original id, error, other size (+ other data). */
	expect(DNS_T_TSIG,
	       "n:hmac-sha256.|16:0|32:1700000000|16:300|16:3|h:666F6F|16:4321|16:0|16:0",
	       "hmac-sha256. 1700000000 300 3 Zm9v 4321 0 0");
	expect(DNS_T_TSIG, "n:hmac-sha256.|16:1|32:0|16:300|16:0|16:4321|16:18|16:6|h:0000665544CC",
	       "hmac-sha256. 4294967296 300 0 4321 18 6 AABmVUTM");
	expect(DNS_T_TKEY, "n:gss-tsig.|32:0|32:86400|16:3|16:0|16:2|h:0102|16:0",
	       "gss-tsig. 19700101000000 19700102000000 3 0 2 AQI= 0");
	/* No presentation of their own: RFC 3597 form. */
	expect(DNS_T_OPT, "16:10|16:8|h:0102030405060708", "\\# 12 000A00080102030405060708");
	expect(DNS_T_NULL, "h:DEADBEEF", "\\# 4 DEADBEEF");
	expect(DNS_T_NXT, "n:a.|h:40", "\\# 4 01610040");
	expect(DNS_T_A6, "8:0|h:20010DB8000000000000000000000001",
	       "\\# 17 0020010DB8000000000000000000000001");
}
END_TEST

START_TEST(generic)
{
	char text[64];
	static const uint8_t rd4[] = {10, 0, 0, 1};

	expect(65280, "h:0A000001", "\\# 4 0A000001");
	expect(4321, "h:00", "\\# 1 00");
	/* Empty RDATA (class ANY/NONE update deletions) of any type. */
	ck_assert_int_eq(dns_rdata_to_text(DNS_T_A, rd4, 0, text, sizeof(text)), 4);
	ck_assert_str_eq(text, "\\# 0");
	ck_assert_int_eq(dns_rdata_to_text(65281, NULL, 0, text, sizeof(text)), 4);
	ck_assert_str_eq(text, "\\# 0");
}
END_TEST

START_TEST(malformed)
{
	expect_bad(DNS_T_A, "h:0A0000");
	expect_bad(DNS_T_A, "h:0A00000100");
	expect_bad(DNS_T_AAAA, "h:20010DB8");
	expect_bad(DNS_T_MX, "16:10");
	expect_bad(DNS_T_MX, "16:10|h:03616263");  /* name without its root */
	expect_bad(DNS_T_NS, "h:C00C");		   /* a pointer in stored RDATA */
	expect_bad(DNS_T_NS, "n:a.example.|h:00"); /* trailing octet */
	expect_bad(DNS_T_TXT, "h:05616263");	   /* string overruns */
	expect_bad(DNS_T_HINFO, "s:only-one");
	expect_bad(DNS_T_SOA, "n:a.|n:b.|32:1|32:2|32:3|32:4");
	expect_bad(DNS_T_CAA, "8:0|h:00");		  /* empty tag */
	expect_bad(DNS_T_CAA, "8:0|s:is-sue|s:x");	  /* tag not alphanumeric */
	expect_bad(DNS_T_NSEC, "n:a.|h:0000");		  /* empty window */
	expect_bad(DNS_T_NSEC, "n:a.|h:010140|h:000140"); /* windows out of order */
	expect_bad(DNS_T_NSEC3, "8:1|8:0|16:0|8:0|8:0");  /* empty hash */
	expect_bad(DNS_T_DS, "16:1|8:13|8:2");		  /* no digest */
	expect_bad(DNS_T_RRSIG, "16:1|8:13|8:2|32:0|32:0|32:0|16:1");
	expect_bad(DNS_T_TSIG, "n:hmac-sha256.|16:0|32:0|16:300|16:9|h:00");
}
END_TEST

static void make_rr(dns_rr_t *rr, const char *owner, uint16_t type, uint16_t rclass, uint32_t ttl,
		    const uint8_t *rdata, size_t len)
{
	ck_assert_int_eq(dns_name_from_text(owner, NULL, &rr->owner), RODNS_OK);
	rr->type = type;
	rr->rclass = rclass;
	rr->ttl = ttl;
	rr->rdata = rdata;
	rr->rdlen = (uint16_t)len;
}

START_TEST(whole_rr)
{
	static const uint8_t a[] = {192, 0, 2, 1};
	static const uint8_t txt[] = {3, 'a', '"', 'b'};
	char text[256];
	dns_rr_t rr;

	make_rr(&rr, "www.example.", DNS_T_A, DNS_C_IN, 3600, a, sizeof(a));
	ck_assert_int_eq(dns_rr_to_text(&rr, text, sizeof(text)), 32);
	ck_assert_str_eq(text, "www.example. 3600 IN A 192.0.2.1");

	make_rr(&rr, "odd\\.dot.\\000\\\"x.example.", DNS_T_TXT, DNS_C_CH, 0, txt, sizeof(txt));
	ck_assert_int_ge(dns_rr_to_text(&rr, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "odd\\.dot.\\000\\\"x.example. 0 CH TXT \"a\\\"b\"");

	make_rr(&rr, "*.wild.example.", 65280, 42, 4294967295u, a, sizeof(a));
	ck_assert_int_ge(dns_rr_to_text(&rr, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "*.wild.example. 4294967295 CLASS42 TYPE65280 \\# 4 C0000201");

	make_rr(&rr, ".", DNS_T_OPT, 1232, 0x8000, NULL, 0);
	ck_assert_int_ge(dns_rr_to_text(&rr, text, sizeof(text)), 0);
	ck_assert_str_eq(text, ". 32768 CLASS1232 OPT \\# 0");

	make_rr(&rr, "example.", DNS_T_A, DNS_C_ANY, 0, NULL, 0);
	ck_assert_int_ge(dns_rr_to_text(&rr, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "example. 0 ANY A \\# 0");

	/* Too small anywhere: in the owner, the fixed fields or the RDATA. */
	make_rr(&rr, "www.example.", DNS_T_A, DNS_C_IN, 3600, a, sizeof(a));
	for (size_t cap = 0; cap <= 32; cap++)
		ck_assert_int_eq(dns_rr_to_text(&rr, text, cap), RODNS_E_SPACE);
	ck_assert_int_eq(dns_rr_to_text(&rr, text, 33), 32);

	/* Malformed RDATA of a known type. */
	make_rr(&rr, "www.example.", DNS_T_A, DNS_C_IN, 3600, a, 3);
	ck_assert_int_eq(dns_rr_to_text(&rr, text, sizeof(text)), RODNS_E_RDATA);
}
END_TEST

/* The largest RDATA there is, printed in the generic form, fits the size the
 * transfer tool allocates and round-trips through the hex decoder. */
START_TEST(largest)
{
	static uint8_t rdata[DNS_RDATA_MAX], back[DNS_RDATA_MAX];
	static char text[2 * DNS_RDATA_MAX + 16];

	for (size_t i = 0; i < sizeof(rdata); i++)
		rdata[i] = (uint8_t)(i * 7);
	int n = dns_rdata_to_text(65280, rdata, sizeof(rdata), text, sizeof(text));
	ck_assert_int_eq(n, 9 + 2 * DNS_RDATA_MAX);
	ck_assert_int_eq(strncmp(text, "\\# 65535 ", 9), 0);
	ck_assert_int_eq(dns_hex_decode(text + 9, back, sizeof(back)), DNS_RDATA_MAX);
	ck_assert_mem_eq(back, rdata, sizeof(rdata));
}
END_TEST

Suite *print_suite(void); /* for -Wmissing-prototypes */

Suite *print_suite(void)
{
	Suite *s = suite_create("print");
	TCase *tc = t_case("core", T_UNIT);

	tcase_add_test(tc, addresses);
	tcase_add_test(tc, names);
	tcase_add_test(tc, strings);
	tcase_add_test(tc, digests_and_keys);
	tcase_add_test(tc, dnssec);
	tcase_add_test(tc, svcb);
	tcase_add_test(tc, meta_types);
	tcase_add_test(tc, generic);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, whole_rr);
	tcase_add_test(tc, largest);
	suite_add_tcase(s, tc);
	return s;
}
