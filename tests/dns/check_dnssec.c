/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for dns/dnssec.c: the RFC examples (RFC 4034 §5.4, RFC 4035
 * Appendix A/B, RFC 5155 Appendix A, RFC 5702 §6, RFC 6605 §6, RFC 8080 §6
 * with erratum 4935, RFC 8976 Appendix A), then the negative cases, serial
 * arithmetic around the 32-bit wrap, and RRsets large enough to leave the
 * stack buffers, signed here with OpenSSL.
 *
 * Vectors are written in presentation format and turned into wire form by a
 * small parser for the few types they use (below), so that they read like
 * the RFCs they come from. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "tests/check_bounds.h"
#include "dns/dnssec.h"
#include "dns/err.h"
#include "dns/name.h"
#include "dns/rr.h"
#include "dns/text.h"

Suite *dnssec_suite(void);

/* ---- presentation-format helpers ------------------------------------------ */

static const dns_name_t root = {.len = 1, .labels = 0, .data = {0}};

static dns_name_t N(const char *s)
{
	dns_name_t n;
	ck_assert_int_eq(dns_name_from_text(s, &root, &n), RODNS_OK);
	return n;
}

/* Seconds since 1970 of "YYYYMMDDHHmmSS" (RFC 4034 §3.2), or of a plain
 * decimal number (the other form §3.2 allows). */
static uint32_t T(const char *s)
{
	if (strlen(s) != 14)
		return (uint32_t)strtoul(s, NULL, 10);
	struct tm tm = {0};
	ck_assert_int_eq(sscanf(s, "%4d%2d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
				&tm.tm_hour, &tm.tm_min, &tm.tm_sec),
			 6);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (uint32_t)timegm(&tm);
}

/* Splits s into tokens; a "quoted string" is one token without the quotes. */
#define TOK_MAX 24
typedef struct {
	char buf[2048];
	char *t[TOK_MAX];
	int n;
} toks_t;

static void tokenize(const char *s, toks_t *k)
{
	char *o = k->buf;

	k->n = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		ck_assert_int_lt(k->n, TOK_MAX);
		k->t[k->n++] = o;
		if (*s == '"') {
			for (s++; *s != '"'; s++) {
				ck_assert(*s != '\0');
				*o++ = *s;
			}
			s++;
		} else {
			while (*s != '\0' && *s != ' ' && *s != '\t')
				*o++ = *s++;
		}
		*o++ = '\0';
	}
}

/* Tokens from i on, joined without spaces (base64 and hex fields). */
static const char *rest(const toks_t *k, int i, char *out, size_t cap)
{
	out[0] = '\0';
	for (; i < k->n; i++) {
		ck_assert_uint_lt(strlen(out) + strlen(k->t[i]), cap);
		strcat(out, k->t[i]);
	}
	return out;
}

typedef struct {
	uint8_t *p, *end;
} out_t;

static void put(out_t *o, const void *v, size_t n)
{
	ck_assert_uint_le(n, (size_t)(o->end - o->p));
	memcpy(o->p, v, n);
	o->p += n;
}

static void put8(out_t *o, unsigned long v)
{
	uint8_t b = (uint8_t)v;
	ck_assert_uint_le(v, 0xff);
	put(o, &b, 1);
}

static void put16(out_t *o, unsigned long v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	ck_assert_uint_le(v, 0xffff);
	put(o, b, 2);
}

static void put32(out_t *o, unsigned long v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	put(o, b, 4);
}

static void putname(out_t *o, const char *s)
{
	dns_name_t n = N(s);
	put(o, n.data, n.len);
}

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	ck_assert_msg(*end == '\0', "not a number: %s", s);
	return v;
}

static void putb64(out_t *o, const toks_t *k, int i)
{
	char text[4096];
	int l = dns_b64_decode(rest(k, i, text, sizeof(text)), o->p, (size_t)(o->end - o->p));
	ck_assert_int_ge(l, 0);
	o->p += l;
}

static void puthex(out_t *o, const toks_t *k, int i)
{
	char text[4096];
	int l = dns_hex_decode(rest(k, i, text, sizeof(text)), o->p, (size_t)(o->end - o->p));
	ck_assert_int_ge(l, 0);
	o->p += l;
}

/* Wire RDATA of type from its presentation text (the types the vectors use). */
static size_t rdata(uint16_t type, const char *text, uint8_t *buf, size_t cap)
{
	toks_t k;
	out_t o = {buf, buf + cap};
	uint16_t t;

	tokenize(text, &k);
	switch (type) {
	case DNS_T_A:
		ck_assert_int_eq(inet_pton(AF_INET, k.t[0], o.p), 1);
		o.p += 4;
		break;
	case DNS_T_AAAA:
		ck_assert_int_eq(inet_pton(AF_INET6, k.t[0], o.p), 1);
		o.p += 16;
		break;
	case DNS_T_NS:
	case DNS_T_PTR:
	case DNS_T_CNAME: putname(&o, k.t[0]); break;
	case DNS_T_MX:
		put16(&o, num(k.t[0]));
		putname(&o, k.t[1]);
		break;
	case DNS_T_TXT:
		for (int i = 0; i < k.n; i++) {
			put8(&o, strlen(k.t[i]));
			put(&o, k.t[i], strlen(k.t[i]));
		}
		break;
	case DNS_T_SOA:
		putname(&o, k.t[0]);
		putname(&o, k.t[1]);
		for (int i = 2; i < 7; i++)
			put32(&o, num(k.t[i]));
		break;
	case DNS_T_ZONEMD:
		put32(&o, num(k.t[0]));
		put8(&o, num(k.t[1]));
		put8(&o, num(k.t[2]));
		puthex(&o, &k, 3);
		break;
	case DNS_T_DS:
		put16(&o, num(k.t[0]));
		put8(&o, num(k.t[1]));
		put8(&o, num(k.t[2]));
		puthex(&o, &k, 3);
		break;
	case DNS_T_DNSKEY:
		put16(&o, num(k.t[0]));
		put8(&o, num(k.t[1]));
		put8(&o, num(k.t[2]));
		putb64(&o, &k, 3);
		break;
	case DNS_T_RRSIG:
		ck_assert_int_eq(dns_type_from_text(k.t[0], &t), 0);
		put16(&o, t);
		put8(&o, num(k.t[1]));
		put8(&o, num(k.t[2]));
		put32(&o, num(k.t[3]));
		put32(&o, T(k.t[4]));
		put32(&o, T(k.t[5]));
		put16(&o, num(k.t[6]));
		putname(&o, k.t[7]);
		putb64(&o, &k, 8);
		break;
	default: ck_abort_msg("no test parser for type %u", type);
	}
	ck_assert_int_eq(dns_rdata_check(type, buf, (size_t)(o.p - buf)), RODNS_OK);
	return (size_t)(o.p - buf);
}

/* One RR from "owner ttl class type rdata..." (class IN only). */
typedef struct {
	dns_rr_t rr;
	uint8_t rd[1024];
} trr_t;

static void rr_parse(const char *line, trr_t *out)
{
	char owner[256], cls[8], type[16];
	int off = 0;
	unsigned long ttl;

	ck_assert_int_eq(sscanf(line, "%255s %lu %7s %15s %n", owner, &ttl, cls, type, &off), 4);
	ck_assert_str_eq(cls, "IN");
	out->rr.owner = N(owner);
	ck_assert_int_eq(dns_type_from_text(type, &out->rr.type), 0);
	out->rr.rclass = DNS_C_IN;
	out->rr.ttl = (uint32_t)ttl;
	out->rr.rdlen = (uint16_t)rdata(out->rr.type, line + off, out->rd, sizeof(out->rd));
	out->rr.rdata = out->rd;
}

static uint16_t type_of(const char *s)
{
	uint16_t t;
	ck_assert_int_eq(dns_type_from_text(s, &t), 0);
	return t;
}

/* ---- signature vectors -------------------------------------------------- */

typedef struct {
	const char *what;
	const char *zone;   /* the key's owner and the signer */
	const char *dnskey; /* DNSKEY RDATA */
	uint16_t tag;       /* the key tag the RFC gives */
	const char *owner;
	const char *type;
	const char *rrs[3]; /* RDATA of the RRset */
	const char *rrsig;  /* RRSIG RDATA */
	const char *now;
} sigvec_t;

static const sigvec_t sigvec[] = {
	{"RFC 5702 §6.1 RSASHA256", "example.net.",
	 "256 3 8 AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8P"
	 "kxUdp6p/DlUmObdk=",
	 9033, "www.example.net.", "A", {"192.0.2.91"},
	 "A 8 3 3600 20300101000000 20000101000000 9033 example.net. kRCOH6u7l0QGy9qpC9"
	 "l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEacFYK/lPtPiVYP4bwg==",
	 "20240101000000"},
	{"RFC 5702 §6.2 RSASHA512", "example.net.",
	 "256 3 10 AwEAAdHoNTOW+et86KuJOWRDp1pndvwb6Y83nSVXXyLA3DLroROUkN6X0O6pnWnjJQujX/Ayh"
	 "qFDxj13tOnD9u/1kTg7cV6rklMrZDtJCQ5PCl/D7QNPsgVsMu1J2Q8gpMpztNFLpPBz1bWXjDtaR7ZQBl"
	 "Z3PFY12ZTSncorffcGmhOL",
	 3740, "www.example.net.", "A", {"192.0.2.91"},
	 "A 10 3 3600 20300101000000 20000101000000 3740 example.net. tsb4wnjRUDnB1BUi+t"
	 "6TMTXThjVnG+eCkWqjvvjhzQL1d0YRoOe0CbxrVDYd0xDtsuJRaeUw1ep94PzEWzr0iGYgZBWm/zpq+9fO"
	 "uagYJRfDqfReKBzMweOLDiNa8iP5g9vMhpuv6OPlvpXwm9Sa9ZXIbNl1MBGk0fthPgxdDLw=",
	 "20240101000000"},
	{"RFC 6605 §6.1 ECDSAP256SHA256", "example.net.",
	 "257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9"
	 "xMWyQLc8NAA==",
	 55648, "www.example.net.", "A", {"192.0.2.1"},
	 "A 13 3 3600 20100909100439 20100812100439 55648 example.net. qx6wLYqmh+l9oCKTN6qIc"
	 "+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==",
	 "20100828000000"},
	{"RFC 6605 §6.2 ECDSAP384SHA384", "example.net.",
	 "257 3 14 xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DR"
	 "SEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40",
	 10771, "www.example.net.", "A", {"192.0.2.1"},
	 "A 14 3 3600 20100909102025 20100812102025 10771 example.net. /L5hDKIvGDyI1fcARX3z6"
	 "5qrmPsVz73QD1Mr5CEqOiLP95hxQouuroGCeZOvzFaxsT8Glr74hbavRKayJNuydCuzWTSSPdz7wnqXL5bd"
	 "cJzusdnI0RSMROxxwGipWcJm",
	 "20100828000000"},
	{"RFC 8080 §6.1 ED25519 (1)", "example.com.",
	 "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=", 3613, "example.com.", "MX",
	 {"10 mail.example.com."},
	 "MX 15 2 3600 1440021600 1438207200 3613 example.com. oL9krJun7xfBOIWcGHi7mag5/hdZrK"
	 "Ww15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==",
	 "1439000000"},
	{"RFC 8080 §6.1 ED25519 (2)", "example.com.",
	 "257 3 15 zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=", 35217, "example.com.", "MX",
	 {"10 mail.example.com."},
	 "MX 15 2 3600 1440021600 1438207200 35217 example.com. zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4"
	 "wyUhVioYZXFdT410QPRITQSqJSnzQoSm5poJ7gD7AQR0O7KuI5k2pcBg==",
	 "1439000000"},
	{"RFC 8080 §6.2 ED448 (1)", "example.com.",
	 "257 3 16 3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYUcJKm1MDpJtIA",
	 9713, "example.com.", "MX", {"10 mail.example.com."},
	 "MX 16 2 3600 1440021600 1438207200 9713 example.com. 3cPAHkmlnxcDHMyg7vFC34l0blBhuG"
	 "1qpwLmjInI8w1CMB29FkEAIJUA0amxWndkmnBZ6SKiwZSAxGILn/NBtOXft0+Gj7FSvOKxE/07+4RQvE581"
	 "N3Aj/JtIyaiYVdnYtyMWbSNyGEY2213WKsJlwEA",
	 "1439000000"},
	{"RFC 8080 §6.2 ED448 (2)", "example.com.",
	 "257 3 16 kkreGWoccSDmUBGAe7+zsbG6ZAFQp+syPmYUurBRQc3tDjeMCJcVMRDmgcNLp5HlHAMy12VoISsA",
	 38353, "example.com.", "MX", {"10 mail.example.com."},
	 "MX 16 2 3600 1440021600 1438207200 38353 example.com. E1/oLjSGIbmLny/4fcgM1z4oL6aqo"
	 "+izT3urCyHyvEp4Sp8Syg1eI+lJ57CSnZqjJP41O/9l4m0AsQ4f7qI1gVnML8vWWiyW2KXhT9kuAICUSxv5"
	 "OWbf81Rq7Yu60npabODB0QFPb/rkW3kUZmQ0YQUA",
	 "1439000000"},
	/* RFC 4035 Appendix A/B: RSASHA1, a two-RR set, a wildcard expansion */
	{"RFC 4035 A example. NS (two RRs)", "example.",
	 "256 3 5 AQOy1bZVvpPqhg4j7EJoM9rI3ZmyEx2OzDBVrZy/lvI5CQePxXHZS4i8dANH4DX3tbHol61ek8EFM"
	 "csGXxKciJFHyhl94C+NwILQdzsUlSFovBZsyl/NX6yEbtw/xN9ZNcrbYvgjjZ/UVPZIySFNsgEYvh0z2542"
	 "lzMKR4Dh8uZffQ==",
	 38519, "example.", "NS", {"ns1.example.", "ns2.example."},
	 "NS 5 1 3600 20040509183619 20040409183619 38519 example. gl13F00f2U0R+SWiXXLHwsMY+q"
	 "StYy5k6zfdEuivWc+wd1fmbNCyql0Tk7lHTX6UOxc8AgNf4ISFve8XqF4q+o9qlnqIzmppU3LiNeKT4FZ8R"
	 "O5urFOvoMRTbQxW3U0hXWuggE4g3ZpsHv480HjMeRaZB/FRPGfJPajngcq6Kwg=",
	 "20040420000000"},
	{"RFC 4035 A x.w.example. MX", "example.",
	 "256 3 5 AQOy1bZVvpPqhg4j7EJoM9rI3ZmyEx2OzDBVrZy/lvI5CQePxXHZS4i8dANH4DX3tbHol61ek8EFM"
	 "csGXxKciJFHyhl94C+NwILQdzsUlSFovBZsyl/NX6yEbtw/xN9ZNcrbYvgjjZ/UVPZIySFNsgEYvh0z2542"
	 "lzMKR4Dh8uZffQ==",
	 38519, "x.w.example.", "MX", {"1 xx.example."},
	 "MX 5 3 3600 20040509183619 20040409183619 38519 example. Il2WTZ+Bkv+OytBx4LItNW5mjB"
	 "4RCwhOO8y1XzPHZmZUTVYL7LaA63f6T9ysVBzJRI3KRjAPH3U1qaYnDoN1DrWqmi9RJe4FoObkbcdm7P3Ik"
	 "x70ePCoFgRz1Yq+bVVXCvGuAU4xALv3W/Y1jNSlwZ2mSWKHfxFQxPtLj8s32+k=",
	 "20040420000000"},
	{"RFC 4035 B.6 a.z.w.example. MX from *.w.example.", "example.",
	 "256 3 5 AQOy1bZVvpPqhg4j7EJoM9rI3ZmyEx2OzDBVrZy/lvI5CQePxXHZS4i8dANH4DX3tbHol61ek8EFM"
	 "csGXxKciJFHyhl94C+NwILQdzsUlSFovBZsyl/NX6yEbtw/xN9ZNcrbYvgjjZ/UVPZIySFNsgEYvh0z2542"
	 "lzMKR4Dh8uZffQ==",
	 38519, "a.z.w.example.", "MX", {"1 ai.example."},
	 "MX 5 2 3600 20040509183619 20040409183619 38519 example. OMK8rAZlepfzLWW75Dxd63jy2w"
	 "swESzxDKG2f9AMN1CytCd10cYISAxfAdvXSZ7xujKAtPbctvOQ2ofO7AZJ+d01EeeQTVBPq4/6KCWhqe2XT"
	 "jnkVLNvvhnc0u28aoSsG0+4InvkkOHknKxw4kX18MMR34i8lC36SR5xBni8vHI=",
	 "20040420000000"},
};
#define NSIGVEC (int)(sizeof(sigvec) / sizeof(sigvec[0]))

/* A vector in wire form, ready for dns_rrsig_verify. */
typedef struct {
	dns_key_t key;
	uint8_t keyrd[1024];
	size_t keylen;
	uint8_t sigrd[1024];
	size_t siglen;
	dns_rrsig_t sig;
	dns_name_t owner;
	uint8_t rd[3][512];
	uint16_t rdlen[3];
	const uint8_t *rdp[3];
	size_t n;
	uint32_t now;
} wvec_t;

static void wvec_load(const sigvec_t *v, wvec_t *w)
{
	memset(w, 0, sizeof(*w));
	w->keylen = rdata(DNS_T_DNSKEY, v->dnskey, w->keyrd, sizeof(w->keyrd));
	ck_assert_int_eq(dns_key_parse(w->keyrd, w->keylen, &w->key), RODNS_OK);
	w->key.owner = N(v->zone);
	w->siglen = rdata(DNS_T_RRSIG, v->rrsig, w->sigrd, sizeof(w->sigrd));
	ck_assert_int_eq(dns_rrsig_parse(w->sigrd, w->siglen, &w->sig), RODNS_OK);
	w->owner = N(v->owner);
	for (; w->n < 3 && v->rrs[w->n] != NULL; w->n++) {
		w->rdlen[w->n] = (uint16_t)rdata(type_of(v->type), v->rrs[w->n], w->rd[w->n], 512);
		w->rdp[w->n] = w->rd[w->n];
	}
	w->now = T(v->now);
}

/* dns_rrsig_verify's verdict for w as it stands (re-parsing the RRSIG). */
static int wvec_verify(wvec_t *w)
{
	int why = -1;

	if (dns_rrsig_parse(w->sigrd, w->siglen, &w->sig) != RODNS_OK)
		return DNS_V_MALFORMED;
	int rc = dns_rrsig_verify(&w->sig, w->sigrd, w->siglen, &w->owner, DNS_C_IN, w->rdp,
				  w->rdlen, w->n, &w->key, w->now, &why);
	ck_assert_int_ge(rc, 0);
	ck_assert_int_eq(rc, why != DNS_V_OK);
	return why;
}

START_TEST(t_rfc_signatures)
{
	static wvec_t w;
	const sigvec_t *v = &sigvec[_i];

	wvec_load(v, &w);
	ck_assert_msg(w.key.tag == v->tag, "%s: key tag %u", v->what, w.key.tag);
	ck_assert_msg(wvec_verify(&w) == DNS_V_OK, "%s does not verify", v->what);
	ck_assert_int_eq(dns_alg_weak(w.key.algorithm), w.key.algorithm == DNS_ALG_RSASHA1);
	ck_assert(dns_alg_supported(w.key.algorithm));
	dns_key_free(&w.key);
}
END_TEST

/* Every single-bit change anywhere in what is signed or in the signature
 * must fail (the verdict may differ: a changed time is EXPIRED, a changed
 * tag a KEYMISMATCH, a broken name MALFORMED). */
START_TEST(t_rfc_signatures_flipped)
{
	static wvec_t w;
	const sigvec_t *v = &sigvec[_i];

	wvec_load(v, &w);
	for (size_t i = 0; i < w.siglen; i++) {
		w.sigrd[i] ^= 0x01;
		int why = wvec_verify(&w);
		ck_assert_msg(why != DNS_V_OK, "%s: RRSIG octet %zu changed, still valid", v->what, i);
		if (i >= w.siglen - w.sig.siglen)
			ck_assert_int_eq(why, DNS_V_BADSIG);
		w.sigrd[i] ^= 0x01;
	}
	for (size_t r = 0; r < w.n; r++) {
		for (size_t i = 0; i < w.rdlen[r]; i++) {
			w.rd[r][i] ^= 0x01;
			int why = wvec_verify(&w);
			ck_assert_msg(why == DNS_V_BADSIG || why == DNS_V_MALFORMED,
				      "%s: RDATA %zu octet %zu changed: %s", v->what, r, i,
				      dns_v_str(why));
			w.rd[r][i] ^= 0x01;
		}
	}
	/* the owner's last label (a wildcard's own labels are not signed);
	 * a changed octet counts, a changed case does not */
	size_t last = 0;
	for (size_t o = 0; w.owner.data[o] != 0; o += 1 + w.owner.data[o])
		last = o + 1;
	w.owner.data[last] ^= 0x01;
	ck_assert_int_ne(wvec_verify(&w), DNS_V_OK);
	w.owner.data[last] ^= 0x21;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_OK);
	w.owner.data[last] ^= 0x20;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_OK);
	dns_key_free(&w.key);
}
END_TEST

/* Case does not matter: owner, RDATA names and signer are canonicalised. */
START_TEST(t_canonical_case)
{
	static wvec_t w;

	wvec_load(&sigvec[8], &w); /* example. NS ns1.example. ns2.example. */
	w.owner = N("EXAMPLE.");
	w.n = 0;
	const char *ns[] = {"NS2.Example.", "ns1.EXAMPLE.", "ns2.example."};
	for (int i = 0; i < 3; i++) {
		w.rdlen[i] = (uint16_t)rdata(DNS_T_NS, ns[i], w.rd[i], 512);
		w.rdp[i] = w.rd[i];
	}
	/* out of order, and a duplicate that differs only in case */
	w.n = 3;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_OK);
	w.n = 2;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_OK);
	/* one RR missing */
	w.rdp[0] = w.rd[2];
	w.rdlen[0] = w.rdlen[2];
	w.n = 1;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_BADSIG);
	dns_key_free(&w.key);

	/* signer in upper case in the RRSIG RDATA (RFC 6840 §5.1) */
	wvec_load(&sigvec[2], &w);
	uint8_t *signer = w.sigrd + 18; /* "\7example\3net" */
	signer[1] = 'E';
	signer[9] = 'N';
	ck_assert_int_eq(wvec_verify(&w), DNS_V_OK);
	dns_key_free(&w.key);
}
END_TEST

/* RFC 4035 §5.3.2: the wildcard owner is rebuilt from the labels field. */
START_TEST(t_wildcard)
{
	static wvec_t w;

	wvec_load(&sigvec[10], &w); /* a.z.w.example. from *.w.example., labels 2 */
	const char *owners[] = {"a.z.w.example.", "b.w.example.", "*.w.example.",
				"x.y.z.a.b.w.example."};
	for (int i = 0; i < 4; i++) {
		w.owner = N(owners[i]);
		ck_assert_msg(wvec_verify(&w) == DNS_V_OK, "%s", owners[i]);
	}
	/* the labels field is signed: claiming a deeper wildcard breaks it */
	w.owner = N("a.z.w.example.");
	w.sigrd[3] = 3;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_BADSIG);
	/* more labels than the owner has: not a valid RRSIG for it */
	w.sigrd[3] = 5;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_MALFORMED);
	/* a wildcard one level too high */
	w.sigrd[3] = 2;
	w.owner = N("w.example.");
	ck_assert_int_eq(wvec_verify(&w), DNS_V_BADSIG);
	dns_key_free(&w.key);
}
END_TEST

START_TEST(t_validity_period)
{
	static wvec_t w;

	wvec_load(&sigvec[2], &w); /* 20100812100439 .. 20100909100439 */
	uint32_t inc = w.sig.inception, exp = w.sig.expiration;
	w.now = inc;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_OK);
	w.now = exp;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_OK);
	w.now = inc - 1;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_NOTYET);
	w.now = exp + 1;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_EXPIRED);
	/* up to 2^31 - 1 after the inception, now is after it; once further
	 * away it counts as before it, and exactly 2^31 is not comparable */
	w.now = inc + 0x7fffffffu;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_EXPIRED);
	w.now = inc + 0x80000000u;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_NOTYET);
	w.now = inc + 0x80000001u;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_NOTYET);
	w.now = exp - 0x80000000u;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_NOTYET);
	w.now = inc - 0x7fffffffu;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_NOTYET);
	dns_key_free(&w.key);
}
END_TEST

START_TEST(t_key_mismatch)
{
	static wvec_t w, other;

	wvec_load(&sigvec[2], &w);     /* P-256, tag 55648, example.net. */
	wvec_load(&sigvec[3], &other); /* P-384, tag 10771 */
	dns_key_t k = w.key;

	/* a key of another algorithm and tag */
	w.key = other.key;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_KEYMISMATCH);
	w.key = k;
	/* right algorithm, wrong tag */
	w.key.tag ^= 1;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_KEYMISMATCH);
	w.key.tag ^= 1;
	/* not a zone key (RFC 4034 §2.1.1) */
	w.key.flags &= (uint16_t)~DNS_KEYF_ZONE;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_KEYMISMATCH);
	w.key.flags |= DNS_KEYF_ZONE;
	w.key.protocol = 2;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_KEYMISMATCH);
	w.key.protocol = 3;
	/* the key lives at another name than the signer */
	w.key.owner = N("example.org.");
	ck_assert_int_eq(wvec_verify(&w), DNS_V_KEYMISMATCH);
	w.key.owner = N("EXAMPLE.NET.");
	ck_assert_int_eq(wvec_verify(&w), DNS_V_OK);
	/* owner unknown: only the RRSIG's own fields are compared */
	w.key.owner.len = 0;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_OK);
	/* an RRset outside the signer's zone */
	w.owner = N("www.example.org.");
	ck_assert_int_eq(wvec_verify(&w), DNS_V_KEYMISMATCH);
	w.owner = N("www.example.net.");
	/* an empty RRset */
	w.n = 0;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_MALFORMED);
	w.n = 1;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_OK);
	dns_key_free(&w.key);
	dns_key_free(&other.key);
}
END_TEST

/* A key with the right algorithm and tag but other key material: only the
 * cryptography can tell (the RFC 8080 examples share their RRset). */
START_TEST(t_wrong_key)
{
	static wvec_t a, b;

	wvec_load(&sigvec[4], &a);
	wvec_load(&sigvec[5], &b);
	b.key.tag = a.key.tag;
	dns_key_t k = a.key;
	a.key = b.key;
	ck_assert_int_eq(wvec_verify(&a), DNS_V_BADSIG);
	a.key = k;
	ck_assert_int_eq(wvec_verify(&a), DNS_V_OK);
	dns_key_free(&a.key);
	dns_key_free(&b.key);
}
END_TEST

START_TEST(t_unsupported)
{
	uint8_t rd[64] = {0x01, 0x01, 3, 0};
	dns_key_t k;
	static wvec_t w;

	for (int alg = 0; alg < 256; alg++) {
		rd[3] = (uint8_t)alg;
		int rc = dns_key_parse(rd, 4 + 32, &k);
		if (alg == DNS_ALG_ED25519) {
			ck_assert_int_eq(rc, RODNS_OK);
		} else if (dns_alg_supported((uint8_t)alg)) {
			ck_assert_int_eq(rc, RODNS_E_RDATA); /* 32 zero octets fit nothing else */
		} else {
			ck_assert_int_eq(rc, RODNS_E_UNSUPPORTED);
			ck_assert_int_eq(k.algorithm, alg);
			ck_assert_uint_eq(k.tag, dns_dnskey_tag(rd, 36));
			ck_assert_ptr_null(k.pkey);
		}
		dns_key_free(&k);
	}
	ck_assert(dns_alg_weak(DNS_ALG_RSASHA1_NSEC3_SHA1));
	ck_assert(dns_alg_weak(DNS_ALG_RSAMD5));
	ck_assert(!dns_alg_weak(DNS_ALG_RSASHA256));
	ck_assert(!dns_alg_weak(DNS_ALG_ED448));

	/* an RRSIG and a key of an algorithm rodns does not know */
	wvec_load(&sigvec[2], &w);
	dns_key_free(&w.key);
	w.keyrd[3] = 253; /* PRIVATEDNS */
	ck_assert_int_eq(dns_key_parse(w.keyrd, w.keylen, &w.key), RODNS_E_UNSUPPORTED);
	w.sigrd[2] = 253;
	w.sigrd[16] = (uint8_t)(w.key.tag >> 8);
	w.sigrd[17] = (uint8_t)w.key.tag;
	ck_assert_int_eq(wvec_verify(&w), DNS_V_UNSUPPORTED_ALG);
	dns_key_free(&w.key);
	dns_key_free(NULL);
}
END_TEST

START_TEST(t_bad_keys)
{
	static wvec_t w;
	dns_key_t k;

	/* P-256: a point not on the curve, and the wrong length */
	wvec_load(&sigvec[2], &w);
	dns_key_free(&w.key);
	w.keyrd[w.keylen - 1] ^= 0x01;
	ck_assert_int_eq(dns_key_parse(w.keyrd, w.keylen, &k), RODNS_E_RDATA);
	dns_key_free(&k);
	ck_assert_int_eq(dns_key_parse(w.keyrd, w.keylen - 1, &k), RODNS_E_RDATA);
	dns_key_free(&k);
	/* Ed25519 and Ed448 of the wrong length */
	wvec_load(&sigvec[4], &w);
	dns_key_free(&w.key);
	ck_assert_int_eq(dns_key_parse(w.keyrd, w.keylen - 1, &k), RODNS_E_RDATA);
	dns_key_free(&k);
	wvec_load(&sigvec[6], &w);
	dns_key_free(&w.key);
	ck_assert_int_eq(dns_key_parse(w.keyrd, w.keylen + 1, &k), RODNS_E_RDATA);
	dns_key_free(&k);
	/* RSA: exponent running past the end, no modulus, and a 256-bit modulus */
	wvec_load(&sigvec[0], &w);
	dns_key_free(&w.key);
	ck_assert_uint_eq(w.keyrd[4], 3); /* exponent length */
	ck_assert_int_eq(dns_key_parse(w.keyrd, 4 + 1 + 3, &k), RODNS_E_RDATA);
	dns_key_free(&k);
	w.keyrd[4] = 0xff;
	ck_assert_int_eq(dns_key_parse(w.keyrd, w.keylen, &k), RODNS_E_RDATA);
	dns_key_free(&k);
	w.keyrd[4] = 3;
	ck_assert_int_eq(dns_key_parse(w.keyrd, 4 + 4 + 32, &k), RODNS_E_UNSUPPORTED);
	dns_key_free(&k);
	/* RFC 3110 long form of the exponent length (0, then two octets) */
	uint8_t rd[4 + 3 + 3 + 64];
	memcpy(rd, w.keyrd, 4);
	rd[4] = 0;
	rd[5] = 0;
	rd[6] = 3;
	memcpy(rd + 7, w.keyrd + 5, 3 + 64);
	ck_assert_int_eq(dns_key_parse(rd, sizeof(rd), &k), RODNS_OK);
	ck_assert_uint_eq(k.bits, 512);
	dns_key_free(&k);
	/* short DNSKEY RDATA */
	ck_assert_int_eq(dns_key_parse(rd, 3, &k), RODNS_E_RDATA);
	dns_key_free(&k);
}
END_TEST

/* ---- DS -------------------------------------------------------------------- */

static const struct {
	const char *owner, *dnskey, *ds;
} dsvec[] = {
	/* RFC 4034 §5.4 */
	{"dskey.example.com.",
	 "256 3 5 AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99W"
	 "YwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjF"
	 "Dc2w/rljwvFw==",
	 "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"},
	/* RFC 6605 §6.1, §6.2 */
	{"example.net.",
	 "257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9"
	 "xMWyQLc8NAA==",
	 "55648 13 2 b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17"},
	{"example.net.",
	 "257 3 14 xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DR"
	 "SEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40",
	 "10771 14 4 72d7b62976ce06438e9c0bf319013cf801f09ecc84b8d7e9495f27e305c6a9b0563a9b5f4d"
	 "288405c3008a946df983d6"},
	/* RFC 8080 §6.1 */
	{"example.com.", "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=",
	 "3613 15 2 3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b"},
	{"example.com.", "257 3 15 zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=",
	 "35217 15 2 401781b934e392de492ec77ae2e15d70f6575a1c0bc59c5275c04ebe80c6614c"},
};
#define NDSVEC (int)(sizeof(dsvec) / sizeof(dsvec[0]))

START_TEST(t_ds)
{
	uint8_t key[512], ds[128];
	size_t kl = rdata(DNS_T_DNSKEY, dsvec[_i].dnskey, key, sizeof(key));
	size_t dl = rdata(DNS_T_DS, dsvec[_i].ds, ds, sizeof(ds));
	dns_name_t owner = N(dsvec[_i].owner), upper = owner;

	ck_assert_int_eq(dns_ds_matches(ds, dl, &owner, key, kl), 1);
	for (size_t i = 0; i < upper.len; i++)
		if (upper.data[i] >= 'a' && upper.data[i] <= 'z')
			upper.data[i] -= 32;
	ck_assert_int_eq(dns_ds_matches(ds, dl, &upper, key, kl), 1);
	/* any changed octet of the DS or the key breaks the match */
	for (size_t i = 0; i < dl; i++) {
		if (i == 3)
			continue; /* the digest type: checked below */
		ds[i] ^= 0x01;
		ck_assert_msg(dns_ds_matches(ds, dl, &owner, key, kl) == 0, "DS octet %zu", i);
		ds[i] ^= 0x01;
	}
	for (size_t i = 0; i < kl; i++) {
		key[i] ^= 0x01;
		ck_assert_msg(dns_ds_matches(ds, dl, &owner, key, kl) == 0, "DNSKEY octet %zu", i);
		key[i] ^= 0x01;
	}
	dns_name_t other = N("example.org.");
	ck_assert_int_eq(dns_ds_matches(ds, dl, &other, key, kl), 0);
	/* unknown digest types, wrong digest lengths, short RDATA */
	uint8_t dt = ds[3];
	ds[3] = 3; /* GOST */
	ck_assert_int_eq(dns_ds_matches(ds, dl, &owner, key, kl), RODNS_E_UNSUPPORTED);
	ds[3] = 0;
	ck_assert_int_eq(dns_ds_matches(ds, dl, &owner, key, kl), RODNS_E_UNSUPPORTED);
	ds[3] = dt;
	ck_assert_int_eq(dns_ds_matches(ds, dl - 1, &owner, key, kl), RODNS_E_RDATA);
	ck_assert_int_eq(dns_ds_matches(ds, 4, &owner, key, kl), RODNS_E_RDATA);
	ds[3] = dt == DNS_DS_SHA1 ? DNS_DS_SHA256 : DNS_DS_SHA1;
	ck_assert_int_eq(dns_ds_matches(ds, dl, &owner, key, kl), RODNS_E_RDATA);
}
END_TEST

/* ---- NSEC3 ----------------------------------------------------------------- */

/* RFC 5155 Appendix A: salt aabbccdd, 12 iterations. */
static const struct {
	const char *name, *hash;
} nsec3vec[] = {
	{"example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"},
	{"a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl"},
	{"ai.example.", "gjeqe526plbf1g8mklp59enfd789njgi"},
	{"ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr"},
	{"ns2.example.", "q04jkcevqvmu85r014c7dkba38o0ji5r"},
	{"w.example.", "k8udemvp1j2f7eg6jebps17vp3n8i58h"},
	{"*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en"},
	{"x.w.example.", "b4um86eghhds6nea196smvmlo4ors995"},
	{"y.w.example.", "ji6neoaepv8b5o6k4ev33abha8ht9fgc"},
	{"x.y.w.example.", "2vptu5timamqttgl4luu9kg21e0aor3s"},
	{"xx.example.", "t644ebqk9bibcna874givr6joj62mlhv"},
	{"2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", "kohar7mbb8dc2ce8a9qvl8hon4k53uhi"},
	/* the same in other cases: the name is lowercased first */
	{"X.W.Example.", "b4um86eghhds6nea196smvmlo4ors995"},
	{"EXAMPLE.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"},
};
#define NNSEC3VEC (int)(sizeof(nsec3vec) / sizeof(nsec3vec[0]))

START_TEST(t_nsec3_rfc5155)
{
	static const uint8_t salt[] = {0xaa, 0xbb, 0xcc, 0xdd};
	dns_name_t n = N(nsec3vec[_i].name);
	uint8_t h[20];
	char b32[40];

	dns_nsec3_hash(&n, 12, salt, sizeof(salt), h);
	ck_assert_int_eq(dns_b32hex_encode(h, 20, b32, sizeof(b32)), 32);
	ck_assert_str_eq(b32, nsec3vec[_i].hash);
	/* one iteration more or less, or another salt, is another hash */
	dns_nsec3_hash(&n, 11, salt, sizeof(salt), h);
	dns_b32hex_encode(h, 20, b32, sizeof(b32));
	ck_assert_str_ne(b32, nsec3vec[_i].hash);
	dns_nsec3_hash(&n, 12, salt, 3, h);
	dns_b32hex_encode(h, 20, b32, sizeof(b32));
	ck_assert_str_ne(b32, nsec3vec[_i].hash);
}
END_TEST

START_TEST(t_nsec3_edges)
{
	/* no salt, no extra iterations: SHA-1 of the name alone; SHA-1 of the
	 * one zero octet of the root is 5ba93c9d... */
	static const uint8_t sha1_root[20] = {0x5b, 0xa9, 0x3c, 0x9d, 0xb0, 0xcf, 0xf9,
					      0x3f, 0x52, 0xb5, 0x21, 0xd7, 0x42, 0x0e,
					      0x43, 0xf6, 0xed, 0xa2, 0x78, 0x4f};
	uint8_t h[20], h2[20], salt[255];

	dns_nsec3_hash(&root, 0, NULL, 0, h);
	ck_assert_mem_eq(h, sha1_root, 20);
	/* the longest name with the longest salt */
	dns_name_t n;
	char text[300] = "";
	for (int i = 0; i < 4; i++)
		strcat(text, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
	ck_assert_int_eq(dns_name_from_text(text, &root, &n), RODNS_OK);
	ck_assert_uint_eq(n.len, 249);
	memset(salt, 0x5a, sizeof(salt));
	dns_nsec3_hash(&n, 3, salt, 255, h);
	dns_nsec3_hash(&n, 3, salt, 255, h2);
	ck_assert_mem_eq(h, h2, 20);
	dns_nsec3_hash(&n, 2, salt, 255, h2);
	ck_assert(memcmp(h, h2, 20) != 0);
}
END_TEST

/* ---- ZONEMD ---------------------------------------------------------------- */

/* RFC 8976 Appendix A, owner names written out in full. */
static const char *const zone_a1[] = {
	"example. 86400 IN SOA ns1.example. admin.example. 2018031900 1800 900 604800 86400",
	"example. 86400 IN NS ns1.example.",
	"example. 86400 IN NS ns2.example.",
	"example. 86400 IN ZONEMD 2018031900 1 1 c68090d90a7aed716bc459f9340e3d7c"
	" 1370d4d24b7e2fc3a1ddc0b9a87153b9 a9713b3c9ae5cc27777f98b8e730044c",
	"ns1.example. 3600 IN A 203.0.113.63",
	"ns2.example. 3600 IN AAAA 2001:db8::63",
	NULL,
};

static const char *const zone_a2[] = {
	"example. 86400 IN SOA ns1.example. admin.example. 2018031900 1800 900 604800 86400",
	"example. 86400 IN NS ns1.example.",
	"example. 86400 IN NS ns2.example.",
	"example. 86400 IN ZONEMD 2018031900 1 1 a3b69bad980a3504 e1cffcb0fd6397f9"
	" 3848071c93151f55 2ae2f6b1711d4bd2 d8b39808226d7b9d b71e34b72077f8fe",
	"ns1.example. 3600 IN A 203.0.113.63",
	"NS2.example. 3600 IN AAAA 2001:db8::63",
	"occluded.sub.example. 7200 IN TXT \"I'm occluded but must be digested\"",
	"sub.example. 7200 IN NS ns1.example.",
	"duplicate.example. 300 IN TXT \"I must be digested just once\"",
	"duplicate.example. 300 IN TXT \"I must be digested just once\"",
	"foo.test. 555 IN TXT \"out-of-zone data must be excluded\"",
	"UPPERCASE.example. 3600 IN TXT \"canonicalize uppercase owner names\"",
	"*.example. 777 IN PTR dont-forget-about-wildcards.example.",
	"mail.example. 3600 IN MX 20 MAIL1.example.",
	"mail.example. 3600 IN MX 10 Mail2.Example.",
	"sortme.example. 3600 IN AAAA 2001:db8::5:61",
	"sortme.example. 3600 IN AAAA 2001:db8::3:62",
	"sortme.example. 3600 IN AAAA 2001:db8::4:63",
	"sortme.example. 3600 IN AAAA 2001:db8::1:65",
	"sortme.example. 3600 IN AAAA 2001:db8::2:64",
	"non-apex.example. 900 IN ZONEMD 2018031900 1 1 616c6c6f77656420 6275742069676e6f"
	" 7265642e20616c6c 6f77656420627574 2069676e6f726564 2e20616c6c6f7765",
	NULL,
};

static const char *const zone_a3[] = {
	"example. 86400 IN SOA ns1.example. admin.example. 2018031900 1800 900 604800 86400",
	"example. 86400 IN NS ns1.example.",
	"example. 86400 IN NS ns2.example.",
	"example. 86400 IN ZONEMD 2018031900 1 1 62e6cf51b02e54b9 b5f967d547ce4313"
	" 6792901f9f88e637 493daaf401c92c27 9dd10f0edb1c56f8 080211f8480ee306",
	"example. 86400 IN ZONEMD 2018031900 1 2 08cfa1115c7b948c 4163a901270395ea"
	" 226a930cd2cbcf2f a9a5e6eb85f37c8a 4e114d884e66f176 eab121cb02db7d65"
	" 2e0cc4827e7a3204 f166b47e5613fd27",
	"example. 86400 IN ZONEMD 2018031900 1 240 e2d523f654b9422a 96c5a8f44607bbee",
	"example. 86400 IN ZONEMD 2018031900 241 1 e1846540e33a9e41 89792d18d5d131f6 05fc283e",
	"ns1.example. 3600 IN A 203.0.113.63",
	"ns2.example. 86400 IN TXT \"This example has multiple digests\"",
	"NS2.EXAMPLE. 3600 IN AAAA 2001:db8::63",
	NULL,
};

static const char *const zone_a5[] = {
	"root-servers.net. 3600000 IN SOA a.root-servers.net. nstld.verisign-grs.com."
	" 2018091100 14400 7200 1209600 3600000",
	"root-servers.net. 3600000 IN NS a.root-servers.net.",
	"root-servers.net. 3600000 IN NS b.root-servers.net.",
	"root-servers.net. 3600000 IN NS c.root-servers.net.",
	"root-servers.net. 3600000 IN NS d.root-servers.net.",
	"root-servers.net. 3600000 IN NS e.root-servers.net.",
	"root-servers.net. 3600000 IN NS f.root-servers.net.",
	"root-servers.net. 3600000 IN NS g.root-servers.net.",
	"root-servers.net. 3600000 IN NS h.root-servers.net.",
	"root-servers.net. 3600000 IN NS i.root-servers.net.",
	"root-servers.net. 3600000 IN NS j.root-servers.net.",
	"root-servers.net. 3600000 IN NS k.root-servers.net.",
	"root-servers.net. 3600000 IN NS l.root-servers.net.",
	"root-servers.net. 3600000 IN NS m.root-servers.net.",
	"a.root-servers.net. 3600000 IN AAAA 2001:503:ba3e::2:30",
	"a.root-servers.net. 3600000 IN A 198.41.0.4",
	"b.root-servers.net. 3600000 IN MX 20 mail.isi.edu.",
	"b.root-servers.net. 3600000 IN AAAA 2001:500:200::b",
	"b.root-servers.net. 3600000 IN A 199.9.14.201",
	"c.root-servers.net. 3600000 IN AAAA 2001:500:2::c",
	"c.root-servers.net. 3600000 IN A 192.33.4.12",
	"d.root-servers.net. 3600000 IN AAAA 2001:500:2d::d",
	"d.root-servers.net. 3600000 IN A 199.7.91.13",
	"e.root-servers.net. 3600000 IN AAAA 2001:500:a8::e",
	"e.root-servers.net. 3600000 IN A 192.203.230.10",
	"f.root-servers.net. 3600000 IN AAAA 2001:500:2f::f",
	"f.root-servers.net. 3600000 IN A 192.5.5.241",
	"g.root-servers.net. 3600000 IN AAAA 2001:500:12::d0d",
	"g.root-servers.net. 3600000 IN A 192.112.36.4",
	"h.root-servers.net. 3600000 IN AAAA 2001:500:1::53",
	"h.root-servers.net. 3600000 IN A 198.97.190.53",
	"i.root-servers.net. 3600000 IN MX 10 mx.i.root-servers.org.",
	"i.root-servers.net. 3600000 IN AAAA 2001:7fe::53",
	"i.root-servers.net. 3600000 IN A 192.36.148.17",
	"j.root-servers.net. 3600000 IN AAAA 2001:503:c27::2:30",
	"j.root-servers.net. 3600000 IN A 192.58.128.30",
	"k.root-servers.net. 3600000 IN AAAA 2001:7fd::1",
	"k.root-servers.net. 3600000 IN A 193.0.14.129",
	"l.root-servers.net. 3600000 IN AAAA 2001:500:9f::42",
	"l.root-servers.net. 3600000 IN A 199.7.83.42",
	"m.root-servers.net. 3600000 IN AAAA 2001:dc3::35",
	"m.root-servers.net. 3600000 IN A 202.12.27.33",
	"root-servers.net. 3600000 IN ZONEMD 2018091100 1 1"
	" f1ca0ccd91bd5573d9f431c00ee0101b2545c97602be0a97"
	" 8a3b11dbfc1c776d5b3e86ae3d973d6b5349ba7f04340f79",
	NULL,
};

#define ZONE_MAX 64

typedef struct {
	trr_t rr[ZONE_MAX];
	size_t n;
} tzone_t;

/* Looks at rd, not rr.rdata: qsort moves the records, not what they point at. */
static int rr_canon_cmp(const void *a, const void *b)
{
	const trr_t *x = a, *y = b;
	int c = dns_name_cmp(&x->rr.owner, &y->rr.owner);
	if (c != 0)
		return c;
	if (x->rr.type != y->rr.type)
		return x->rr.type < y->rr.type ? -1 : 1;
	return dns_rdata_cmp(x->rr.type, x->rd, x->rr.rdlen, y->rd, y->rr.rdlen);
}

/* Parses the lines and sorts them as the store iterates them. */
static void zone_load(const char *const *lines, tzone_t *z)
{
	z->n = 0;
	for (; lines[z->n] != NULL; z->n++) {
		ck_assert_uint_lt(z->n, ZONE_MAX);
		rr_parse(lines[z->n], &z->rr[z->n]);
	}
	qsort(z->rr, z->n, sizeof(z->rr[0]), rr_canon_cmp);
	for (size_t i = 0; i < z->n; i++)
		z->rr[i].rr.rdata = z->rr[i].rd; /* moved by qsort */
}

static int zone_digest(const tzone_t *z, const char *apex, uint8_t alg, uint8_t *out)
{
	dns_name_t a = N(apex);
	dns_zonemd_t *md = dns_zonemd_new(&a, alg);

	ck_assert_ptr_nonnull(md);
	for (size_t i = 0; i < z->n; i++)
		dns_zonemd_add(md, &z->rr[i].rr);
	int rc = dns_zonemd_final(md, out, DNS_ZONEMD_DIGEST_MAX);
	dns_zonemd_free(md);
	return rc;
}

/* Checks every apex ZONEMD of the zone; returns how many matched and
 * counts those that did not apply. */
static int zone_check(const tzone_t *z, const char *apex, int *skipped)
{
	uint8_t d384[64], d512[64];
	int ok = 0;
	dns_name_t a = N(apex);
	uint32_t serial = 0;

	ck_assert_int_eq(zone_digest(z, apex, DNS_ZONEMD_SHA384, d384), 48);
	ck_assert_int_eq(zone_digest(z, apex, DNS_ZONEMD_SHA512, d512), 64);
	for (size_t i = 0; i < z->n; i++) {
		const dns_rr_t *rr = &z->rr[i].rr;
		if (rr->type == DNS_T_SOA)
			serial = (uint32_t)rr->rdata[rr->rdlen - 20] << 24 |
				 (uint32_t)rr->rdata[rr->rdlen - 19] << 16 |
				 (uint32_t)rr->rdata[rr->rdlen - 18] << 8 | rr->rdata[rr->rdlen - 17];
	}
	*skipped = 0;
	for (size_t i = 0; i < z->n; i++) {
		const dns_rr_t *rr = &z->rr[i].rr;
		if (rr->type != DNS_T_ZONEMD || !dns_name_eq(&rr->owner, &a))
			continue;
		int r1 = dns_zonemd_check(rr->rdata, rr->rdlen, serial, 1, d384, 48);
		int r2 = dns_zonemd_check(rr->rdata, rr->rdlen, serial, 2, d512, 64);
		ck_assert(r1 != 0 && r2 != 0); /* a mismatch */
		if (r1 == 1 || r2 == 1)
			ok++;
		else
			(*skipped)++;
	}
	return ok;
}

START_TEST(t_zonemd_rfc8976)
{
	static tzone_t z;
	int skipped;

	zone_load(zone_a1, &z);
	ck_assert_int_eq(zone_check(&z, "example.", &skipped), 1);
	zone_load(zone_a2, &z);
	ck_assert_int_eq(zone_check(&z, "example.", &skipped), 1);
	zone_load(zone_a3, &z);
	ck_assert_int_eq(zone_check(&z, "example.", &skipped), 2);
	ck_assert_int_eq(skipped, 2); /* hash 240 and scheme 241: not for us */
	zone_load(zone_a5, &z);
	ck_assert_int_eq(zone_check(&z, "root-servers.net.", &skipped), 1);
}
END_TEST

/* Any changed octet of any digested RR changes the digest. */
START_TEST(t_zonemd_changed)
{
	static tzone_t z;
	uint8_t good[64], d[64];

	dns_name_t apex = N("example.");

	zone_load(zone_a2, &z);
	ck_assert_int_eq(zone_digest(&z, "example.", 1, good), 48);
	for (size_t i = 0; i < z.n; i++) {
		dns_rr_t *rr = &z.rr[i].rr;
		/* out-of-zone RRs and the apex ZONEMD are not digested; the
		 * second of two duplicates is, but its TTL is not looked at */
		bool digested = dns_name_is_sub(&rr->owner, &apex) &&
				!(rr->type == DNS_T_ZONEMD && dns_name_eq(&rr->owner, &apex));
		bool dup = i > 0 && rr_canon_cmp(&z.rr[i - 1], &z.rr[i]) == 0;
		for (size_t j = 0; j < rr->rdlen; j++) {
			z.rr[i].rd[j] ^= 0x80;
			if (dns_rdata_check(rr->type, rr->rdata, rr->rdlen) == RODNS_OK &&
			    (i == 0 || rr_canon_cmp(&z.rr[i - 1], &z.rr[i]) <= 0) &&
			    (i + 1 == z.n || rr_canon_cmp(&z.rr[i], &z.rr[i + 1]) <= 0)) {
				ck_assert_int_eq(zone_digest(&z, "example.", 1, d), 48);
				ck_assert_msg((memcmp(good, d, 48) != 0) == digested,
					      "RR %zu octet %zu", i, j);
			}
			z.rr[i].rd[j] ^= 0x80;
		}
		rr->ttl++;
		ck_assert_int_eq(zone_digest(&z, "example.", 1, d), 48);
		ck_assert_int_eq(memcmp(good, d, 48) != 0, digested && !dup);
		rr->ttl--;
	}
	ck_assert_int_eq(zone_digest(&z, "example.", 1, d), 48);
	ck_assert_mem_eq(good, d, 48);
}
END_TEST

START_TEST(t_zonemd_exclusions)
{
	static tzone_t z;
	uint8_t good[64], d[64];
	const char *lines[ZONE_MAX];
	size_t n = 0;

	for (; zone_a1[n] != NULL; n++)
		lines[n] = zone_a1[n];
	lines[n] = NULL;
	zone_load(lines, &z);
	ck_assert_int_eq(zone_digest(&z, "example.", 1, good), 48);
	/* an RRSIG covering the apex ZONEMD is left out, one covering the SOA is not */
	lines[n] = "example. 86400 IN RRSIG ZONEMD 13 1 86400 20300101000000 20200101000000"
		   " 12345 example. AAAA";
	lines[n + 1] = NULL;
	zone_load(lines, &z);
	ck_assert_int_eq(zone_digest(&z, "example.", 1, d), 48);
	ck_assert_mem_eq(good, d, 48);
	lines[n] = "example. 86400 IN RRSIG SOA 13 1 86400 20300101000000 20200101000000"
		   " 12345 example. AAAA";
	zone_load(lines, &z);
	ck_assert_int_eq(zone_digest(&z, "example.", 1, d), 48);
	ck_assert(memcmp(good, d, 48) != 0);
	/* a ZONEMD below the apex and the RRSIG covering it are digested */
	lines[n] = "sub.example. 86400 IN RRSIG ZONEMD 13 2 86400 20300101000000 20200101000000"
		   " 12345 example. AAAA";
	zone_load(lines, &z);
	ck_assert_int_eq(zone_digest(&z, "example.", 1, d), 48);
	ck_assert(memcmp(good, d, 48) != 0);
	/* RRs outside the zone are left out; a changed apex ZONEMD changes nothing */
	lines[n] = "example.net. 86400 IN A 192.0.2.1";
	lines[3] = "example. 86400 IN ZONEMD 2018031901 1 1 00000000000000000000000000000000";
	zone_load(lines, &z);
	ck_assert_int_eq(zone_digest(&z, "example.", 1, d), 48);
	ck_assert_mem_eq(good, d, 48);
}
END_TEST

START_TEST(t_zonemd_order_and_check)
{
	static tzone_t z;
	uint8_t good[64], d[64];
	dns_name_t apex = N("example.");

	zone_load(zone_a1, &z);
	ck_assert_int_eq(zone_digest(&z, "example.", 1, good), 48);
	/* out of order: an error, sticky, also from final */
	dns_zonemd_t *md = dns_zonemd_new(&apex, 1);
	ck_assert_int_eq(dns_zonemd_add(md, &z.rr[z.n - 1].rr), RODNS_OK);
	ck_assert_int_eq(dns_zonemd_add(md, &z.rr[0].rr), -EINVAL);
	ck_assert_int_eq(dns_zonemd_add(md, &z.rr[z.n - 1].rr), -EINVAL);
	ck_assert_int_eq(dns_zonemd_final(md, d, sizeof(d)), -EINVAL);
	dns_zonemd_free(md);
	/* every RR twice in a row: duplicates count once */
	md = dns_zonemd_new(&apex, 1);
	for (size_t i = 0; i < z.n; i++) {
		ck_assert_int_eq(dns_zonemd_add(md, &z.rr[i].rr), RODNS_OK);
		ck_assert_int_eq(dns_zonemd_add(md, &z.rr[i].rr), RODNS_OK);
	}
	ck_assert_int_eq(dns_zonemd_final(md, d, 47), RODNS_E_SPACE);
	ck_assert_int_eq(dns_zonemd_final(md, d, 48), 48);
	ck_assert_mem_eq(good, d, 48);
	ck_assert_int_eq(dns_zonemd_final(md, d, 48), -EINVAL);
	ck_assert_int_eq(dns_zonemd_add(md, &z.rr[0].rr), -EINVAL);
	dns_zonemd_free(md);
	/* malformed RDATA */
	md = dns_zonemd_new(&apex, 2);
	dns_rr_t bad = z.rr[0].rr;
	bad.rdlen = 3;
	ck_assert_int_eq(dns_zonemd_add(md, &bad), RODNS_E_RDATA);
	dns_zonemd_free(md);
	ck_assert_ptr_null(dns_zonemd_new(&apex, 0));
	ck_assert_ptr_null(dns_zonemd_new(&apex, 3));
	dns_zonemd_free(NULL);

	/* dns_zonemd_check on the A.1 ZONEMD RDATA */
	const dns_rr_t *zm = NULL;
	for (size_t i = 0; i < z.n; i++)
		if (z.rr[i].rr.type == DNS_T_ZONEMD)
			zm = &z.rr[i].rr;
	ck_assert_ptr_nonnull(zm);
	uint8_t rd[128];
	memcpy(rd, zm->rdata, zm->rdlen);
	ck_assert_int_eq(dns_zonemd_check(rd, zm->rdlen, 2018031900, 1, good, 48), 1);
	ck_assert_int_eq(dns_zonemd_check(rd, zm->rdlen, 2018031901, 1, good, 48), 0);
	good[47] ^= 1;
	ck_assert_int_eq(dns_zonemd_check(rd, zm->rdlen, 2018031900, 1, good, 48), 0);
	good[47] ^= 1;
	ck_assert_int_eq(dns_zonemd_check(rd, zm->rdlen, 2018031900, 2, good, 48),
			 RODNS_E_UNSUPPORTED);
	ck_assert_int_eq(dns_zonemd_check(rd, zm->rdlen - 1, 2018031900, 1, good, 48),
			 RODNS_E_RDATA);
	ck_assert_int_eq(dns_zonemd_check(rd, 17, 2018031900, 1, good, 48), RODNS_E_RDATA);
	rd[4] = 2; /* another scheme */
	ck_assert_int_eq(dns_zonemd_check(rd, zm->rdlen, 2018031900, 1, good, 48),
			 RODNS_E_UNSUPPORTED);
}
END_TEST

/* ---- signatures made here ------------------------------------------------- */

/* A fresh key of the given algorithm, its DNSKEY RDATA and a parsed dns_key_t. */
typedef struct {
	EVP_PKEY *priv;
	uint8_t rd[600];
	size_t len;
	dns_key_t key;
} tkey_t;

static void tkey_new(uint8_t alg, tkey_t *k)
{
	out_t o = {k->rd, k->rd + sizeof(k->rd)};

	put16(&o, 257);
	put8(&o, 3);
	put8(&o, alg);
	if (alg == DNS_ALG_ECDSAP256SHA256) {
		k->priv = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		uint8_t pt[65];
		size_t l = 0;
		ck_assert_ptr_nonnull(k->priv);
		ck_assert_int_eq(EVP_PKEY_get_octet_string_param(k->priv, OSSL_PKEY_PARAM_PUB_KEY, pt,
								 sizeof(pt), &l),
				 1);
		ck_assert_uint_eq(l, 65);
		put(&o, pt + 1, 64);
	} else {
		ck_assert_int_eq(alg, DNS_ALG_ED25519);
		k->priv = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		uint8_t pub[32];
		size_t l = sizeof(pub);
		ck_assert_int_eq(EVP_PKEY_get_raw_public_key(k->priv, pub, &l), 1);
		put(&o, pub, 32);
	}
	k->len = (size_t)(o.p - k->rd);
	ck_assert_int_eq(dns_key_parse(k->rd, k->len, &k->key), RODNS_OK);
}

static void tkey_free(tkey_t *k)
{
	EVP_PKEY_free(k->priv);
	dns_key_free(&k->key);
}

/* Signs data with k; writes the DNSSEC form of the signature. */
static size_t tkey_sign(const tkey_t *k, const uint8_t *data, size_t len, uint8_t *sig)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t der[128];
	size_t l = sizeof(der);
	bool ec = k->key.algorithm == DNS_ALG_ECDSAP256SHA256;

	ck_assert_int_eq(EVP_DigestSignInit(ctx, NULL, ec ? EVP_sha256() : NULL, NULL, k->priv), 1);
	ck_assert_int_eq(EVP_DigestSign(ctx, der, &l, data, len), 1);
	EVP_MD_CTX_free(ctx);
	if (!ec) {
		memcpy(sig, der, l);
		return l;
	}
	const uint8_t *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)l);
	ck_assert_ptr_nonnull(es);
	ck_assert_int_eq(BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32), 32);
	ck_assert_int_eq(BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32), 32);
	ECDSA_SIG_free(es);
	return 64;
}

static int memcmp_rd(const void *a, const void *b)
{
	const uint8_t *x = *(const uint8_t *const *)a, *y = *(const uint8_t *const *)b;
	size_t lx = (size_t)x[0] << 8 | x[1], ly = (size_t)y[0] << 8 | y[1];
	int c = memcmp(x + 2, y + 2, lx < ly ? lx : ly);
	return c != 0 ? c : (lx > ly) - (lx < ly);
}

/* Signs the TXT RRset (owner, rds; each rds[i] is a u16 length and the RDATA,
 * no names, so canonical form is the RDATA itself) the plain way: sort,
 * drop duplicates, concatenate. Fills the RRSIG RDATA into sigrd. */
static size_t sign_txt_set(const tkey_t *k, const char *owner, uint8_t labels, uint8_t **rds,
			   size_t n, uint32_t inc, uint32_t exp, uint8_t *sigrd)
{
	dns_name_t o = N(owner), signer = N("example.");
	size_t cap = 64 + n * (o.len + 10 + 300);
	uint8_t *data = malloc(cap), **sorted = malloc(n * sizeof(*sorted));
	out_t w = {data, data + cap}, s = {sigrd, sigrd + 1024};

	put16(&s, DNS_T_TXT);
	put8(&s, k->key.algorithm);
	put8(&s, labels);
	put32(&s, 300);
	put32(&s, exp);
	put32(&s, inc);
	put16(&s, k->key.tag);
	put(&s, signer.data, signer.len);
	put(&w, sigrd, (size_t)(s.p - sigrd));
	memcpy(sorted, rds, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), memcmp_rd);
	dns_name_t so = o;
	if (labels < o.labels) {
		dns_name_t base;
		dns_name_strip(&o, (unsigned)(o.labels - labels), &base);
		so.data[0] = 1;
		so.data[1] = '*';
		memcpy(so.data + 2, base.data, base.len);
		so.len = (uint8_t)(base.len + 2);
	}
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && memcmp_rd(&sorted[i - 1], &sorted[i]) == 0)
			continue;
		size_t l = (size_t)sorted[i][0] << 8 | sorted[i][1];
		put(&w, so.data, so.len);
		put16(&w, DNS_T_TXT);
		put16(&w, DNS_C_IN);
		put32(&w, 300);
		put16(&w, l);
		put(&w, sorted[i] + 2, l);
	}
	s.p += tkey_sign(k, data, (size_t)(w.p - data), s.p);
	free(data);
	free(sorted);
	return (size_t)(s.p - sigrd);
}

/* n TXT RDATAs of about size octets each, as u16 length + RDATA. */
static uint8_t **txt_set(size_t n, size_t size)
{
	uint8_t **rds = calloc(n, sizeof(*rds));
	for (size_t i = 0; i < n; i++) {
		size_t l = 1 + (size + i * 7) % 255;
		rds[i] = malloc(2 + l);
		rds[i][0] = 0;
		rds[i][1] = (uint8_t)l;
		rds[i][2] = (uint8_t)(l - 1);
		for (size_t j = 1; j < l; j++)
			rds[i][2 + j] = (uint8_t)('a' + (i * 31 + j * 7) % 26);
	}
	return rds;
}

static int verify_txt(const tkey_t *k, const char *owner, uint8_t **rds, size_t n,
		      const uint8_t *sigrd, size_t siglen, uint32_t now)
{
	dns_rrsig_t sig;
	dns_name_t o = N(owner);
	const uint8_t **p = malloc(n * sizeof(*p));
	uint16_t *l = malloc(n * sizeof(*l));
	int why = -1;

	for (size_t i = 0; i < n; i++) {
		p[i] = rds[i] + 2;
		l[i] = (uint16_t)(rds[i][0] << 8 | rds[i][1]);
	}
	ck_assert_int_eq(dns_rrsig_parse(sigrd, siglen, &sig), RODNS_OK);
	int rc = dns_rrsig_verify(&sig, sigrd, siglen, &o, DNS_C_IN, p, l, n, &k->key, now, &why);
	ck_assert_int_eq(rc, why != DNS_V_OK);
	free(p);
	free(l);
	return why;
}

static void txt_free(uint8_t **rds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rds[i]);
	free(rds);
}

/* RFC 1982 arithmetic where a plain comparison gets it wrong: a validity
 * period that spans the wrap of the 32-bit clock (in 2106). */
START_TEST(t_serial_wrap)
{
	tkey_t k;
	uint8_t sigrd[1024];
	uint8_t **rds = txt_set(1, 20);

	tkey_new(DNS_ALG_ECDSAP256SHA256, &k);
	size_t sl = sign_txt_set(&k, "www.example.", 2, rds, 1, 0xffff0000u, 0x00010000u, sigrd);
	ck_assert_int_eq(verify_txt(&k, "www.example.", rds, 1, sigrd, sl, 0xffff0000u), DNS_V_OK);
	ck_assert_int_eq(verify_txt(&k, "www.example.", rds, 1, sigrd, sl, 0xffffffffu), DNS_V_OK);
	ck_assert_int_eq(verify_txt(&k, "www.example.", rds, 1, sigrd, sl, 0), DNS_V_OK);
	ck_assert_int_eq(verify_txt(&k, "www.example.", rds, 1, sigrd, sl, 0x00010000u), DNS_V_OK);
	ck_assert_int_eq(verify_txt(&k, "www.example.", rds, 1, sigrd, sl, 0x00010001u),
			 DNS_V_EXPIRED);
	ck_assert_int_eq(verify_txt(&k, "www.example.", rds, 1, sigrd, sl, 0xfffeffffu),
			 DNS_V_NOTYET);
	/* far after the expiry, but less than 2^31 after the inception: still
	 * expired; 2^31 after the inception it can no longer be placed */
	ck_assert_int_eq(verify_txt(&k, "www.example.", rds, 1, sigrd, sl, 0x7ffe0000u),
			 DNS_V_EXPIRED);
	ck_assert_int_eq(verify_txt(&k, "www.example.", rds, 1, sigrd, sl, 0x7fff0000u),
			 DNS_V_NOTYET);
	/* and a period just before the wrap, seen from just after it */
	sl = sign_txt_set(&k, "www.example.", 2, rds, 1, 0xfff00000u, 0xfffffff0u, sigrd);
	ck_assert_int_eq(verify_txt(&k, "www.example.", rds, 1, sigrd, sl, 0xfffffff0u), DNS_V_OK);
	ck_assert_int_eq(verify_txt(&k, "www.example.", rds, 1, sigrd, sl, 5), DNS_V_EXPIRED);
	tkey_free(&k);
	txt_free(rds, 1);
}
END_TEST

/* RRsets past the stack buffers (more than 64 RRs, more than 16 KiB), in
 * scrambled order with duplicates, with both key types; a wildcard too. */
START_TEST(t_large_sets)
{
	static const size_t sizes[] = {1, 2, 17, 64, 65, 300, 1000};
	uint8_t sigrd[1024];

	for (int a = 0; a < 2; a++) {
		tkey_t k;
		tkey_new(a == 0 ? DNS_ALG_ECDSAP256SHA256 : DNS_ALG_ED25519, &k);
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			size_t n = sizes[s];
			uint8_t **rds = txt_set(n, 60);
			size_t sl = sign_txt_set(&k, "a.b.example.", 1, rds, n, 1000, 2000, sigrd);
			ck_assert_int_eq(verify_txt(&k, "x.y.example.", rds, n, sigrd, sl, 1500),
					 DNS_V_OK);
			/* reversed, and the first RR repeated over the last */
			for (size_t i = 0; i < n / 2; i++) {
				uint8_t *t = rds[i];
				rds[i] = rds[n - 1 - i];
				rds[n - 1 - i] = t;
			}
			ck_assert_int_eq(verify_txt(&k, "x.example.", rds, n, sigrd, sl, 1500),
					 DNS_V_OK);
			if (n > 1) {
				uint8_t *last = rds[n - 1];
				rds[n - 1] = rds[0];
				ck_assert_int_eq(
					verify_txt(&k, "x.example.", rds, n, sigrd, sl, 1500),
					DNS_V_BADSIG);
				rds[n - 1] = last;
			}
			/* one octet changed in the middle RR */
			size_t m = n / 2, l = (size_t)rds[m][1];
			rds[m][2 + l / 2] ^= 0x20;
			ck_assert_int_eq(verify_txt(&k, "x.example.", rds, n, sigrd, sl, 1500),
					 DNS_V_BADSIG);
			rds[m][2 + l / 2] ^= 0x20;
			txt_free(rds, n);
		}
		tkey_free(&k);
	}
}
END_TEST

/* ECDSA signatures of other lengths, and r or s of zero or with the top bit
 * set (the DER conversion pads those). */
START_TEST(t_ecdsa_der_edges)
{
	tkey_t k;
	uint8_t sigrd[1024];
	uint8_t **rds = txt_set(3, 40);
	int ok = 0;

	tkey_new(DNS_ALG_ECDSAP256SHA256, &k);
	/* enough signatures that r and s each start with a set top bit and with
	 * a zero octet at least once */
	int hi = 0, zero = 0;
	for (int i = 0; i < 3000 && (hi < 4 || zero < 1); i++) {
		size_t sl = sign_txt_set(&k, "www.example.", 2, rds, 3, 10, 20, sigrd);
		const uint8_t *sig = sigrd + sl - 64;
		hi += (sig[0] & 0x80) != 0;
		hi += (sig[32] & 0x80) != 0;
		zero += sig[0] == 0 || sig[32] == 0;
		ok += verify_txt(&k, "www.example.", rds, 3, sigrd, sl, 15) == DNS_V_OK;
		ck_assert_int_eq(verify_txt(&k, "www.example.", rds, 3, sigrd, sl - 1, 15),
				 DNS_V_BADSIG);
		if (i == 0) {
			uint8_t save[64];
			memcpy(save, sigrd + sl - 64, 64);
			memset(sigrd + sl - 64, 0, 64);
			ck_assert_int_eq(verify_txt(&k, "www.example.", rds, 3, sigrd, sl, 15),
					 DNS_V_BADSIG);
			memset(sigrd + sl - 64, 0xff, 64);
			ck_assert_int_eq(verify_txt(&k, "www.example.", rds, 3, sigrd, sl, 15),
					 DNS_V_BADSIG);
			memcpy(sigrd + sl - 64, save, 64);
		}
	}
	ck_assert_int_ge(hi, 4);
	ck_assert_int_ge(zero, 1);
	ck_assert_int_gt(ok, 0);
	tkey_free(&k);
	txt_free(rds, 3);
}
END_TEST

START_TEST(t_verdict_names)
{
	for (int v = DNS_V_OK; v <= DNS_V_MALFORMED; v++)
		ck_assert_str_ne(dns_v_str(v), "unknown verdict");
	ck_assert_str_eq(dns_v_str(99), "unknown verdict");
}
END_TEST

Suite *dnssec_suite(void)
{
	Suite *s = suite_create("dnssec");
	TCase *tc = t_case("dnssec", T_UNIT);

	tcase_add_loop_test(tc, t_rfc_signatures, 0, NSIGVEC);
	tcase_add_loop_test(tc, t_rfc_signatures_flipped, 0, NSIGVEC);
	tcase_add_test(tc, t_canonical_case);
	tcase_add_test(tc, t_wildcard);
	tcase_add_test(tc, t_validity_period);
	tcase_add_test(tc, t_key_mismatch);
	tcase_add_test(tc, t_wrong_key);
	tcase_add_test(tc, t_unsupported);
	tcase_add_test(tc, t_bad_keys);
	tcase_add_loop_test(tc, t_ds, 0, NDSVEC);
	tcase_add_loop_test(tc, t_nsec3_rfc5155, 0, NNSEC3VEC);
	tcase_add_test(tc, t_nsec3_edges);
	tcase_add_test(tc, t_zonemd_rfc8976);
	tcase_add_test(tc, t_zonemd_changed);
	tcase_add_test(tc, t_zonemd_exclusions);
	tcase_add_test(tc, t_zonemd_order_and_check);
	tcase_add_test(tc, t_serial_wrap);
	tcase_add_test(tc, t_large_sets);
	tcase_add_test(tc, t_ecdsa_der_edges);
	tcase_add_test(tc, t_verdict_names);
	suite_add_tcase(s, tc);
	return s;
}
