/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for dns/text.c: RFC 4648 §10 test vectors and the edge cases of
 * the strict decoders. */
#include <check.h>
#include <string.h>

#include "tests/check_bounds.h"
#include "dns/err.h"
#include "dns/text.h"

/* RFC 4648 §10. base32hex also as DNS writes it: lowercase, no padding. */
static const struct {
	const char *in, *b64, *b32, *b32_rfc, *hex;
} vec[] = {
    {"", "", "", "", ""},
    {"f", "Zg==", "co", "CO======", "66"},
    {"fo", "Zm8=", "cpng", "CPNG====", "666F"},
    {"foo", "Zm9v", "cpnmu", "CPNMU===", "666F6F"},
    {"foob", "Zm9vYg==", "cpnmuog", "CPNMUOG=", "666F6F62"},
    {"fooba", "Zm9vYmE=", "cpnmuoj1", "CPNMUOJ1", "666F6F6261"},
    {"foobar", "Zm9vYmFy", "cpnmuoj1e8", "CPNMUOJ1E8======", "666F6F626172"},
};

START_TEST(b64_vectors)
{
	char out[64];
	uint8_t bin[64];
	const char *in = vec[_i].in;
	size_t len = strlen(in);

	ck_assert_int_eq(dns_b64_encode((const uint8_t *)in, len, out, sizeof(out)),
			 (int)strlen(vec[_i].b64));
	ck_assert_str_eq(out, vec[_i].b64);
	ck_assert_int_eq(dns_b64_decode(vec[_i].b64, bin, sizeof(bin)), (int)len);
	ck_assert_mem_eq(bin, in, len);
}
END_TEST

START_TEST(b32hex_vectors)
{
	char out[64];
	uint8_t bin[64];
	const char *in = vec[_i].in;
	size_t len = strlen(in);

	ck_assert_int_eq(dns_b32hex_encode((const uint8_t *)in, len, out, sizeof(out)),
			 (int)strlen(vec[_i].b32));
	ck_assert_str_eq(out, vec[_i].b32);
	ck_assert_int_eq(dns_b32hex_decode(vec[_i].b32, bin, sizeof(bin)), (int)len);
	ck_assert_mem_eq(bin, in, len);
	/* The RFC's own spelling: upper case with padding. */
	ck_assert_int_eq(dns_b32hex_decode(vec[_i].b32_rfc, bin, sizeof(bin)), (int)len);
	ck_assert_mem_eq(bin, in, len);
}
END_TEST

START_TEST(hex_vectors)
{
	char out[64];
	uint8_t bin[64];
	const char *in = vec[_i].in;
	size_t len = strlen(in);

	ck_assert_int_eq(dns_hex_encode((const uint8_t *)in, len, out, sizeof(out)),
			 (int)(2 * len));
	ck_assert_str_eq(out, vec[_i].hex);
	ck_assert_int_eq(dns_hex_decode(vec[_i].hex, bin, sizeof(bin)), (int)len);
	ck_assert_mem_eq(bin, in, len);
}
END_TEST

START_TEST(encode_space)
{
	char out[16];
	const uint8_t in[6] = "foobar";

	/* Exactly enough room, including the NUL, and one octet less. */
	ck_assert_int_eq(dns_b64_encode(in, 6, out, 9), 8);
	ck_assert_int_eq(dns_b64_encode(in, 6, out, 8), RODNS_E_SPACE);
	ck_assert_int_eq(dns_b32hex_encode(in, 6, out, 11), 10);
	ck_assert_int_eq(dns_b32hex_encode(in, 6, out, 10), RODNS_E_SPACE);
	ck_assert_int_eq(dns_hex_encode(in, 6, out, 13), 12);
	ck_assert_int_eq(dns_hex_encode(in, 6, out, 12), RODNS_E_SPACE);
	ck_assert_int_eq(dns_hex_encode(in, 0, out, 0), RODNS_E_SPACE);
	ck_assert_int_eq(dns_hex_encode(in, 0, out, 1), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(decode_space)
{
	uint8_t bin[8];

	ck_assert_int_eq(dns_b64_decode("Zm9vYmFy", bin, 6), 6);
	ck_assert_int_eq(dns_b64_decode("Zm9vYmFy", bin, 5), RODNS_E_SPACE);
	ck_assert_int_eq(dns_b32hex_decode("cpnmuoj1e8", bin, 5), RODNS_E_SPACE);
	ck_assert_int_eq(dns_hex_decode("666F6F", bin, 2), RODNS_E_SPACE);
}
END_TEST

START_TEST(decode_white_space)
{
	uint8_t bin[16];

	ck_assert_int_eq(dns_b64_decode(" Zm9v\n\tYmE= ", bin, sizeof(bin)), 5);
	ck_assert_mem_eq(bin, "fooba", 5);
	ck_assert_int_eq(dns_b32hex_decode("cpn muo\tj1", bin, sizeof(bin)), 5);
	ck_assert_mem_eq(bin, "fooba", 5);
	ck_assert_int_eq(dns_hex_decode("66 6f\n6F", bin, sizeof(bin)), 3);
	ck_assert_mem_eq(bin, "foo", 3);
	ck_assert_int_eq(dns_b64_decode("   ", bin, sizeof(bin)), 0);
}
END_TEST

START_TEST(decode_reject)
{
	uint8_t bin[16];

	/* base64: outside the alphabet, missing or misplaced padding, data
	 * after padding, non-zero bits under the padding. */
	ck_assert_int_eq(dns_b64_decode("Zm9v!", bin, sizeof(bin)), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_b64_decode("Zg", bin, sizeof(bin)), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_b64_decode("Zm9", bin, sizeof(bin)), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_b64_decode("Z===", bin, sizeof(bin)), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_b64_decode("====", bin, sizeof(bin)), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_b64_decode("Zg=a", bin, sizeof(bin)), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_b64_decode("Zg==Zg==", bin, sizeof(bin)), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_b64_decode("Zh==", bin, sizeof(bin)), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_b64_decode("Zm9=", bin, sizeof(bin)), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_b64_decode("Zm8=", bin, sizeof(bin)), 2);
	ck_assert_int_eq(dns_b64_decode("Zm9v-_", bin, sizeof(bin)),
			 RODNS_E_SYNTAX); /* base64url */
	/* base32hex: W-Z are not in the alphabet; impossible lengths; stray bits. */
	ck_assert_int_eq(dns_b32hex_decode("cw", bin, sizeof(bin)), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_b32hex_decode("c", bin, sizeof(bin)), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_b32hex_decode("cpn", bin, sizeof(bin)), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_b32hex_decode("cpnmuo", bin, sizeof(bin)), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_b32hex_decode("cp", bin, sizeof(bin)), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_b32hex_decode("co=", bin, sizeof(bin)), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_b32hex_decode("co======c", bin, sizeof(bin)), RODNS_E_SYNTAX);
	/* hex: odd digit count, non-hex. */
	ck_assert_int_eq(dns_hex_decode("666", bin, sizeof(bin)), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_hex_decode("6g", bin, sizeof(bin)), RODNS_E_SYNTAX);
	ck_assert_int_eq(dns_hex_decode("0x66", bin, sizeof(bin)), RODNS_E_SYNTAX);
}
END_TEST

START_TEST(b64_all_octets)
{
	uint8_t in[256], bin[256];
	char out[400];

	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	for (size_t len = 0; len <= 256; len += 37) {
		int n = dns_b64_encode(in, len, out, sizeof(out));
		ck_assert_int_ge(n, 0);
		ck_assert_int_eq(dns_b64_decode(out, bin, sizeof(bin)), (int)len);
		ck_assert_mem_eq(bin, in, len);
		n = dns_b32hex_encode(in, len, out, sizeof(out));
		ck_assert_int_ge(n, 0);
		ck_assert_int_eq(dns_b32hex_decode(out, bin, sizeof(bin)), (int)len);
		ck_assert_mem_eq(bin, in, len);
	}
}
END_TEST

START_TEST(rrsig_time)
{
	char out[15];

	dns_time_to_text(0, out);
	ck_assert_str_eq(out, "19700101000000");
	dns_time_to_text(951782400, out); /* a leap day in a year divisible by 400 */
	ck_assert_str_eq(out, "20000229000000");
	dns_time_to_text(1700000000, out);
	ck_assert_str_eq(out, "20231114221320");
	dns_time_to_text(2147483647, out); /* where signed 32-bit time ends */
	ck_assert_str_eq(out, "20380119031407");
	dns_time_to_text(2147483648u, out);
	ck_assert_str_eq(out, "20380119031408");
	dns_time_to_text(4102444800u, out); /* 2100 is not a leap year */
	ck_assert_str_eq(out, "21000101000000");
	dns_time_to_text(4107456000u, out);
	ck_assert_str_eq(out, "21000228000000");
	dns_time_to_text(4107542400u, out);
	ck_assert_str_eq(out, "21000301000000");
	dns_time_to_text(UINT32_MAX, out);
	ck_assert_str_eq(out, "21060207062815");
}
END_TEST

Suite *text_suite(void); /* for -Wmissing-prototypes */

Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = t_case("core", T_UNIT);

	tcase_add_loop_test(tc, b64_vectors, 0, 7);
	tcase_add_loop_test(tc, b32hex_vectors, 0, 7);
	tcase_add_loop_test(tc, hex_vectors, 0, 7);
	tcase_add_test(tc, encode_space);
	tcase_add_test(tc, decode_space);
	tcase_add_test(tc, decode_white_space);
	tcase_add_test(tc, decode_reject);
	tcase_add_test(tc, b64_all_octets);
	tcase_add_test(tc, rrsig_time);
	suite_add_tcase(s, tc);
	return s;
}
