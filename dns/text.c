/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Text encodings for presentation format: base64, base32hex, hex, RRSIG time.
 *
 * The decoders are strict about what they accept besides white space: RFC
 * 4648 padding where the alphabet has it, and no stray bits in the last
 * character (RFC 4648 §3.5), so one text has exactly one wire form and a
 * typo never decodes silently to something else. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/err.h"
#include "dns/text.h"

static const char b64_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b32hex_alpha[] = "0123456789abcdefghijklmnopqrstuv";
static const char hex_alpha[] = "0123456789ABCDEF";

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int dns_b64_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
	size_t need = (len + 2) / 3 * 4;
	size_t o = 0;

	if (need >= cap)
		return RODNS_E_SPACE;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t n = len - i;

		if (n > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (n > 2)
			v |= in[i + 2];
		out[o++] = b64_alpha[(v >> 18) & 63];
		out[o++] = b64_alpha[(v >> 12) & 63];
		out[o++] = n > 1 ? b64_alpha[(v >> 6) & 63] : '=';
		out[o++] = n > 2 ? b64_alpha[v & 63] : '=';
	}
	out[o] = '\0';
	return (int)o;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int dns_b64_decode(const char *in, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	unsigned nchar = 0; /* characters of the current 4-character quantum */
	unsigned npad = 0;
	size_t o = 0;

	for (const char *p = in; *p != '\0'; p++) {
		if (is_space(*p))
			continue;
		if (*p == '=') {
			/* Padding only in the last two places of a quantum. */
			if (nchar < 2)
				return RODNS_E_SYNTAX;
			npad++;
			nchar++;
		} else {
			int v = b64_value(*p);

			if (v < 0 || npad > 0)
				return RODNS_E_SYNTAX;
			acc = acc << 6 | (uint32_t)v;
			nchar++;
		}
		if (nchar < 4)
			continue;
		acc <<= 6 * npad;
		unsigned nout = 3 - npad;
		if ((npad == 1 && (acc & 0xff)) || (npad == 2 && (acc & 0xffff)))
			return RODNS_E_SYNTAX; /* non-zero bits under the padding */
		if (cap - o < nout)
			return RODNS_E_SPACE;
		out[o++] = (uint8_t)(acc >> 16);
		if (nout > 1)
			out[o++] = (uint8_t)(acc >> 8);
		if (nout > 2)
			out[o++] = (uint8_t)acc;
		if (npad > 0) {
			/* Nothing but white space may follow padding. */
			for (p++; *p != '\0'; p++)
				if (!is_space(*p))
					return RODNS_E_SYNTAX;
			return (int)o;
		}
		acc = 0;
		nchar = 0;
	}
	if (nchar != 0)
		return RODNS_E_SYNTAX;
	return (int)o;
}

int dns_b32hex_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
	size_t need = (len * 8 + 4) / 5;
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;

	if (need >= cap)
		return RODNS_E_SPACE;
	for (size_t i = 0; i < len; i++) {
		acc = acc << 8 | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32hex_alpha[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		out[o++] = b32hex_alpha[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	return (int)o;
}

static int b32hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'v')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'V')
		return c - 'A' + 10;
	return -1;
}

/* Accepts upper or lower case, with or without RFC 4648 padding (DNS omits
 * it, RFC 5155 §3.3; other tools may not). */
int dns_b32hex_decode(const char *in, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t nchar = 0, npad = 0;
	size_t o = 0;

	for (const char *p = in; *p != '\0'; p++) {
		if (is_space(*p))
			continue;
		if (*p == '=') {
			npad++;
			continue;
		}
		int v = b32hex_value(*p);
		if (v < 0 || npad > 0)
			return RODNS_E_SYNTAX;
		nchar++;
		acc = (acc << 5 | (uint32_t)v) & 0xfff; /* at most 12 live bits */
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return RODNS_E_SPACE;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	/* A partial 8-character group can only have 2, 4, 5 or 7 characters,
	 * and its leftover bits must be zero. */
	switch (nchar % 8) {
	case 0:
	case 2:
	case 4:
	case 5:
	case 7:
		break;
	default:
		return RODNS_E_SYNTAX;
	}
	if (acc & ((1u << bits) - 1))
		return RODNS_E_SYNTAX;
	if (npad > 0 && (nchar + npad) % 8 != 0)
		return RODNS_E_SYNTAX;
	return (int)o;
}

int dns_hex_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
	if (cap == 0 || len > (cap - 1) / 2)
		return RODNS_E_SPACE;
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex_alpha[in[i] >> 4];
		out[2 * i + 1] = hex_alpha[in[i] & 15];
	}
	out[2 * len] = '\0';
	return (int)(2 * len);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int dns_hex_decode(const char *in, uint8_t *out, size_t cap)
{
	int hi = -1;
	size_t o = 0;

	for (const char *p = in; *p != '\0'; p++) {
		if (is_space(*p))
			continue;
		int v = hex_value(*p);
		if (v < 0)
			return RODNS_E_SYNTAX;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (o >= cap)
			return RODNS_E_SPACE;
		out[o++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return RODNS_E_SYNTAX; /* odd number of digits */
	return (int)o;
}

static bool is_leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static void put_digits(char *out, unsigned v, unsigned n)
{
	while (n-- > 0) {
		out[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Plain calendar arithmetic rather than gmtime_r: no dependence on the width
 * of time_t, and at most 136 trips round the year loop. */
void dns_time_to_text(uint32_t t, char out[15])
{
	static const uint8_t mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	uint32_t days = t / 86400, secs = t % 86400;
	unsigned year = 1970, mon = 0;

	for (;;) {
		unsigned ylen = is_leap(year) ? 366 : 365;
		if (days < ylen)
			break;
		days -= ylen;
		year++;
	}
	for (;;) {
		unsigned mlen = mdays[mon] + (mon == 1 && is_leap(year) ? 1 : 0);
		if (days < mlen)
			break;
		days -= mlen;
		mon++;
	}
	put_digits(out, year, 4);
	put_digits(out + 4, mon + 1, 2);
	put_digits(out + 6, days + 1, 2);
	put_digits(out + 8, secs / 3600, 2);
	put_digits(out + 10, secs / 60 % 60, 2);
	put_digits(out + 12, secs % 60, 2);
	out[14] = '\0';
}
