/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Test zones for the answer tests: see answer_zone.h. The "signer" makes
 * records of the right shape (RRSIG fields, NSEC/NSEC3 chains and bitmaps
 * per RFC 4034 §4 and RFC 5155 §3, §7.1) with dummy signature octets: the
 * answerer never checks signatures, it only has to pick the right ones. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns/text.h"
#include "serve/answer_int.h"
#include "tests/serve/answer_zone.h"

#define TZ_MAX 1024

typedef struct {
	dns_rr_t rr;
	uint8_t rd[600];
} tz_rr_t;

static tz_rr_t tz[TZ_MAX];
static int ntz;
static dns_name_t tz_apex;

static tz_rr_t *tz_new(const dns_name_t *owner, uint16_t type, uint32_t ttl)
{
	ck_assert_int_lt(ntz, TZ_MAX);
	tz_rr_t *t = &tz[ntz++];
	memset(t, 0, sizeof(*t));
	t->rr.owner = *owner;
	dns_name_lower(&t->rr.owner);
	t->rr.type = type;
	t->rr.rclass = DNS_C_IN;
	t->rr.ttl = ttl;
	t->rr.rdata = t->rd;
	return t;
}

static void put(tz_rr_t *t, const void *p, size_t n)
{
	ck_assert_uint_le(t->rr.rdlen + n, sizeof(t->rd));
	memcpy(t->rd + t->rr.rdlen, p, n);
	t->rr.rdlen = (uint16_t)(t->rr.rdlen + n);
}

static void put16(tz_rr_t *t, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	put(t, b, 2);
}

static void put32(tz_rr_t *t, uint32_t v)
{
	put16(t, (uint16_t)(v >> 16));
	put16(t, (uint16_t)v);
}

static void put_name(tz_rr_t *t, const char *text)
{
	dns_name_t n;
	ck_assert_msg(dns_name_from_text(text, &tz_apex, &n) == RODNS_OK, "name %s", text);
	dns_name_lower(&n);
	put(t, n.data, n.len);
}

static void put_hex(tz_rr_t *t, const char *hex)
{
	uint8_t b[300];
	int n = dns_hex_decode(hex, b, sizeof(b));
	ck_assert_int_ge(n, 0);
	put(t, b, (size_t)n);
}

void tz_begin(const char *apex)
{
	ntz = 0;
	ck_assert_int_eq(dns_name_from_text(apex, NULL, &tz_apex), RODNS_OK);
}

/* RDATA from the words after the type. */
static void tz_rdata(tz_rr_t *t, char **w, int nw)
{
	uint8_t a[16];
	switch (t->rr.type) {
	case DNS_T_A:
		ck_assert_int_eq(inet_pton(AF_INET, w[0], a), 1);
		put(t, a, 4);
		break;
	case DNS_T_AAAA:
		ck_assert_int_eq(inet_pton(AF_INET6, w[0], a), 1);
		put(t, a, 16);
		break;
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_DNAME:
		put_name(t, w[0]);
		break;
	case DNS_T_MX:
		put16(t, (uint16_t)atoi(w[0]));
		put_name(t, w[1]);
		break;
	case DNS_T_TXT:
		for (int i = 0; i < nw; i++) {
			uint8_t l = (uint8_t)strlen(w[i]);
			put(t, &l, 1);
			put(t, w[i], l);
		}
		break;
	case DNS_T_SOA:
		put_name(t, w[0]);
		put_name(t, w[1]);
		for (int i = 2; i < 7; i++)
			put32(t, (uint32_t)strtoul(w[i], NULL, 10));
		break;
	case DNS_T_DS: /* tag alg digest-type hex */
		put16(t, (uint16_t)atoi(w[0]));
		a[0] = (uint8_t)atoi(w[1]);
		a[1] = (uint8_t)atoi(w[2]);
		put(t, a, 2);
		put_hex(t, w[3]);
		break;
	case DNS_T_DNSKEY: /* flags proto alg hex */
		put16(t, (uint16_t)atoi(w[0]));
		a[0] = (uint8_t)atoi(w[1]);
		a[1] = (uint8_t)atoi(w[2]);
		put(t, a, 2);
		put_hex(t, w[3]);
		break;
	default:
		ck_abort_msg("tz_rr: type %u not supported", t->rr.type);
	}
}

void tz_rr(const char *line)
{
	char buf[1024], *w[40];
	int nw = 0;
	dns_name_t owner;
	uint16_t type;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *p = strtok(buf, " "); p && nw < 40; p = strtok(NULL, " "))
		w[nw++] = p;
	ck_assert_msg(nw >= 4, "tz_rr: %s", line);
	ck_assert_int_eq(dns_name_from_text(w[0], &tz_apex, &owner), RODNS_OK);
	ck_assert_msg(dns_type_from_text(w[2], &type) == 0, "type %s", w[2]);
	tz_rr_t *t = tz_new(&owner, type, (uint32_t)strtoul(w[1], NULL, 10));
	tz_rdata(t, w + 3, nw - 3);
}

/* ---- signing ----------------------------------------------------------------- */

static bool has_type(const dns_name_t *n, uint16_t type)
{
	for (int i = 0; i < ntz; i++)
		if (tz[i].rr.type == type && dns_name_eq(&tz[i].rr.owner, n))
			return true;
	return false;
}

static bool is_cut(const dns_name_t *n)
{
	return !dns_name_eq(n, &tz_apex) && has_type(n, DNS_T_NS);
}

/* Strictly below a cut: glue, not authoritative. */
static bool below_cut(const dns_name_t *n)
{
	dns_name_t a = *n;
	while (a.labels > tz_apex.labels) {
		dns_name_strip(&a, 1, &a);
		if (is_cut(&a))
			return true;
	}
	return false;
}

static bool signed_rrset(const dns_name_t *n, uint16_t type)
{
	if (below_cut(n) || type == DNS_T_RRSIG)
		return false;
	return !is_cut(n) || type == DNS_T_DS || type == DNS_T_NSEC;
}

static void add_rrsig(const dns_name_t *owner, uint16_t covered, uint32_t ttl)
{
	tz_rr_t *t = tz_new(owner, DNS_T_RRSIG, ttl);
	uint8_t b[4] = {13, 0, 0, 0};
	uint8_t sig[64];
	unsigned labels = owner->labels;

	if (owner->data[0] == 1 && owner->data[1] == '*')
		labels--; /* RFC 4034 §3.1.3: the wildcard label does not count */
	put16(t, covered);
	b[1] = (uint8_t)labels;
	put(t, b, 2);
	put32(t, ttl);
	put32(t, 2000000000u);
	put32(t, 1600000000u);
	put16(t, 12345);
	put(t, tz_apex.data, tz_apex.len);
	memset(sig, 0xab, sizeof(sig));
	sig[0] = (uint8_t)covered;
	put(t, sig, sizeof(sig));
}

/* One RRSIG per authoritative RRset of the RRs [from, to). */
static void sign_range(int from, int to)
{
	for (int i = from; i < to; i++) {
		const dns_rr_t *rr = &tz[i].rr;
		bool first = true;
		for (int j = from; j < i && first; j++)
			if (tz[j].rr.type == rr->type && dns_name_eq(&tz[j].rr.owner, &rr->owner))
				first = false;
		if (first && signed_rrset(&rr->owner, rr->type))
			add_rrsig(&rr->owner, rr->type, rr->ttl);
	}
}

/* Distinct owners of authoritative data and cuts, canonical order. */
static int owners(dns_name_t *out, int max, bool with_insecure_cuts)
{
	int n = 0;
	for (int i = 0; i < ntz; i++) {
		const dns_name_t *o = &tz[i].rr.owner;
		bool dup = false;
		for (int j = 0; j < n && !dup; j++)
			dup = dns_name_eq(&out[j], o);
		if (dup || below_cut(o))
			continue;
		if (!with_insecure_cuts && is_cut(o) && !has_type(o, DNS_T_DS))
			continue;
		ck_assert_int_lt(n, max);
		out[n++] = *o;
	}
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && dns_name_cmp(&out[j - 1], &out[j]) > 0; j--) {
			dns_name_t x = out[j];
			out[j] = out[j - 1];
			out[j - 1] = x;
		}
	return n;
}

/* The type bitmap (RFC 4034 §4.1.2) of the types at n, plus extra. */
static void put_bitmap(tz_rr_t *t, const dns_name_t *n, uint16_t extra1, uint16_t extra2)
{
	uint8_t win[256][32];
	int wlen[256];
	memset(win, 0, sizeof(win));
	memset(wlen, 0, sizeof(wlen));
	for (int i = -2; i < ntz; i++) {
		uint16_t ty = i == -2 ? extra1 : i == -1 ? extra2 : tz[i].rr.type;
		if (i >= 0 && !dns_name_eq(&tz[i].rr.owner, n))
			continue;
		if (ty == 0 || (i >= 0 && is_cut(n) && ty != DNS_T_NS && ty != DNS_T_DS &&
				ty != DNS_T_NSEC && ty != DNS_T_RRSIG))
			continue;
		win[ty >> 8][(ty & 0xff) / 8] |= (uint8_t)(0x80 >> (ty & 7));
		if ((ty & 0xff) / 8 + 1 > wlen[ty >> 8])
			wlen[ty >> 8] = (ty & 0xff) / 8 + 1;
	}
	for (int w = 0; w < 256; w++) {
		if (!wlen[w])
			continue;
		uint8_t h[2] = {(uint8_t)w, (uint8_t)wlen[w]};
		put(t, h, 2);
		put(t, win[w], (size_t)wlen[w]);
	}
}

static void sign_nsec(void)
{
	static dns_name_t names[TZ_MAX];
	int n = owners(names, TZ_MAX, true);
	int from = ntz;
	for (int i = 0; i < n; i++) {
		const dns_name_t *next = &names[(i + 1) % n];
		tz_rr_t *t = tz_new(&names[i], DNS_T_NSEC, 300);
		put(t, next->data, next->len);
		put_bitmap(t, &names[i], DNS_T_NSEC, DNS_T_RRSIG);
	}
	sign_range(from, ntz);
}

/* Adds the empty non-terminals between each name and the apex. */
static int with_ents(dns_name_t *names, int n, int max)
{
	int total = n;
	for (int i = 0; i < n; i++) {
		dns_name_t a = names[i];
		while (a.labels > tz_apex.labels + 1) {
			dns_name_strip(&a, 1, &a);
			bool dup = false;
			for (int j = 0; j < total && !dup; j++)
				dup = dns_name_eq(&names[j], &a);
			if (!dup) {
				ck_assert_int_lt(total, max);
				names[total++] = a;
			}
		}
	}
	return total;
}

typedef struct {
	uint8_t h[20];
	dns_name_t name;
} tz_hash_t;

static int hash_cmp(const void *a, const void *b)
{
	return memcmp(((const tz_hash_t *)a)->h, ((const tz_hash_t *)b)->h, 20);
}

static void sign_nsec3(bool optout)
{
	static dns_name_t names[TZ_MAX];
	static tz_hash_t hs[TZ_MAX];
	tz_rr_t *p = tz_new(&tz_apex, DNS_T_NSEC3PARAM, 0);
	uint8_t hdr[4] = {1, 0, TZ_ITERATIONS >> 8, TZ_ITERATIONS & 0xff};
	uint8_t sl = TZ_SALT_LEN;

	put(p, hdr, 4);
	put(p, &sl, 1);
	put(p, TZ_SALT, TZ_SALT_LEN);
	sign_range(ntz - 1, ntz);
	int n = with_ents(names, owners(names, TZ_MAX, !optout), TZ_MAX);
	for (int i = 0; i < n; i++) {
		uint8_t out[64];
		serve_nsec3_hash(1, TZ_ITERATIONS, (const uint8_t *)TZ_SALT, TZ_SALT_LEN, &names[i],
				 out);
		memcpy(hs[i].h, out, 20);
		hs[i].name = names[i];
	}
	qsort(hs, (size_t)n, sizeof(hs[0]), hash_cmp);
	int from = ntz;
	for (int i = 0; i < n; i++) {
		char b32[40];
		dns_name_t owner;
		dns_b32hex_encode(hs[i].h, 20, b32, sizeof(b32));
		ck_assert_int_eq(dns_name_from_text(b32, &tz_apex, &owner), RODNS_OK);
		tz_rr_t *t = tz_new(&owner, DNS_T_NSEC3, 300);
		uint8_t h2[4] = {1, optout ? 1 : 0, TZ_ITERATIONS >> 8, TZ_ITERATIONS & 0xff};
		uint8_t hl = 20;
		put(t, h2, 4);
		put(t, &sl, 1);
		put(t, TZ_SALT, TZ_SALT_LEN);
		put(t, &hl, 1);
		put(t, hs[(i + 1) % n].h, 20);
		bool any = false;
		for (int j = 0; j < ntz - 1 && !any; j++)
			any = dns_name_eq(&tz[j].rr.owner, &hs[i].name) &&
			      signed_rrset(&hs[i].name, tz[j].rr.type);
		put_bitmap(t, &hs[i].name, any ? DNS_T_RRSIG : 0, 0);
	}
	sign_range(from, ntz);
}

void tz_sign(enum tz_denial d)
{
	if (d == TZ_UNSIGNED)
		return;
	sign_range(0, ntz);
	if (d == TZ_NSEC)
		sign_nsec();
	else
		sign_nsec3(d == TZ_NSEC3_OPTOUT);
}

int64_t tz_store(const char *path)
{
	store_t *s;
	store_txn_t *t;
	store_zone_t z;

	unlink(path);
	ck_assert_int_eq(store_open(path, STORE_CREATE, &s), RODNS_OK);
	memset(&z, 0, sizeof(z));
	z.name = tz_apex;
	ck_assert_int_eq(store_zone_ensure(s, &z), RODNS_OK);
	ck_assert_int_eq(store_txn_begin(s, z.id, &t), RODNS_OK);
	ck_assert_int_eq(store_txn_clear(t), RODNS_OK);
	for (int i = 0; i < ntz; i++) {
		int rc = store_txn_add(t, &tz[i].rr, false);
		ck_assert_msg(rc == RODNS_OK, "add RR %d: %s", i, rodns_strerror(rc));
	}
	z.serial = 1;
	z.state = STORE_ZONE_OK;
	ck_assert_int_eq(store_txn_commit(t, &z), RODNS_OK);
	store_close(s);
	return z.id;
}
