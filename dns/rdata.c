/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* RDATA layouts (the table behind dns/rdesc.h) and the operations that only
 * look at uncompressed RDATA: field lengths, layout check, canonical form
 * and canonical order. Reading from and writing to messages is in rr.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dns/err.h"
#include "dns/name.h"
#include "dns/rdesc.h"
#include "dns/rr.h"

#define T_SPF 99

/* One layout per line; the mnemonic is the enum name without DNS_T_. */
#define L(t, ...) [DNS_T_##t] = { DNS_T_##t, #t, { __VA_ARGS__ } }
#define NC DNS_RDF_NAME_C
#define ND DNS_RDF_NAME_D
#define NL DNS_RDF_NAME_L
#define NN DNS_RDF_NAME_N
#define U8 DNS_RDF_U8
#define U16 DNS_RDF_U16
#define U32 DNS_RDF_U32

/* Types 0..65 by index, so the lookup on the transfer path is one load. */
static const dns_rdesc_t desc_lo[DNS_T_HTTPS + 1] = {
	L(A, DNS_RDF_A),
	L(NS, NC),
	L(MD, NC),
	L(MF, NC),
	L(CNAME, NC),
	L(SOA, NC, NC, U32, U32, U32, U32, U32),
	L(MB, NC),
	L(MG, NC),
	L(MR, NC),
	L(NULL, DNS_RDF_OPAQUE),
	L(WKS, DNS_RDF_A, U8, DNS_RDF_WKSMAP),
	L(PTR, NC),
	L(HINFO, DNS_RDF_STR, DNS_RDF_STR),
	L(MINFO, NC, NC),
	L(MX, U16, NC),
	L(TXT, DNS_RDF_STRS),
	L(RP, ND, ND),
	L(AFSDB, U16, ND),
	L(RT, U16, ND),
	L(SIG, DNS_RDF_TYPE, U8, U8, U32, DNS_RDF_TIME, DNS_RDF_TIME, U16, ND, DNS_RDF_B64),
	L(KEY, U16, U8, U8, DNS_RDF_B64),
	L(PX, U16, ND, ND),
	L(AAAA, DNS_RDF_AAAA),
	L(NXT, DNS_RDF_END),
	L(SRV, U16, U16, U16, ND),
	L(NAPTR, U16, U16, DNS_RDF_STR, DNS_RDF_STR, DNS_RDF_STR, ND),
	L(KX, U16, ND),
	L(A6, DNS_RDF_END),
	L(DNAME, ND),
	L(OPT, DNS_RDF_OPTS),
	L(DS, U16, U8, U8, DNS_RDF_HEX),
	L(SSHFP, U8, U8, DNS_RDF_HEX),
	L(RRSIG, DNS_RDF_TYPE, U8, U8, U32, DNS_RDF_TIME, DNS_RDF_TIME, U16, NL, DNS_RDF_B64),
	L(NSEC, NN, DNS_RDF_BITMAP),
	L(DNSKEY, U16, U8, U8, DNS_RDF_B64),
	L(NSEC3, U8, U8, U16, DNS_RDF_SALT, DNS_RDF_HASH, DNS_RDF_BITMAP),
	L(NSEC3PARAM, U8, U8, U16, DNS_RDF_SALT),
	L(TLSA, U8, U8, U8, DNS_RDF_HEX),
	L(CDS, U16, U8, U8, DNS_RDF_HEX),
	L(CDNSKEY, U16, U8, U8, DNS_RDF_B64),
	L(ZONEMD, U32, U8, U8, DNS_RDF_HEX),
	L(SVCB, U16, NN, DNS_RDF_SVCB),
	L(HTTPS, U16, NN, DNS_RDF_SVCB),
};

/* The few types above 65, searched in order. */
static const dns_rdesc_t desc_hi[] = {
	{ T_SPF, "SPF", { DNS_RDF_STRS } },
	L(TKEY, NN, DNS_RDF_TIME, DNS_RDF_TIME, U16, U16, DNS_RDF_BIN16, DNS_RDF_BIN16),
	L(TSIG, NN, DNS_RDF_U48, U16, DNS_RDF_BIN16, U16, U16, DNS_RDF_BIN16),
	L(IXFR, DNS_RDF_END),
	L(AXFR, DNS_RDF_END),
	L(ANY, DNS_RDF_END),
	L(CAA, U8, DNS_RDF_CAATAG, DNS_RDF_CAAVAL),
};

#undef L
#undef NC
#undef ND
#undef NL
#undef NN
#undef U8
#undef U16
#undef U32

#define NHI (sizeof(desc_hi) / sizeof(desc_hi[0]))

const dns_rdesc_t *dns_rdesc(uint16_t type)
{
	if (type < sizeof(desc_lo) / sizeof(desc_lo[0]))
		return desc_lo[type].name != NULL ? &desc_lo[type] : NULL;
	for (size_t i = 0; i < NHI; i++)
		if (desc_hi[i].type == type)
			return &desc_hi[i];
	return NULL;
}

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* An uncompressed name: labels of at most 63 octets (a pointer or an
 * extended label type is malformed here), 255 octets in all. */
static int name_len(const uint8_t *p, size_t n)
{
	size_t i = 0;

	for (;;) {
		if (i >= n || p[i] > DNS_LABEL_MAX)
			return RODNS_E_RDATA;
		if (p[i] == 0)
			return (int)i + 1;
		i += 1 + (size_t)p[i];
		if (i >= DNS_NAME_MAX)
			return RODNS_E_RDATA;
	}
}

/* TXT: one or more character-strings filling the rest exactly. */
static int strs_len(const uint8_t *p, size_t n)
{
	size_t i = 0;

	if (n == 0)
		return RODNS_E_RDATA;
	while (i < n)
		i += 1 + (size_t)p[i];
	return i == n ? (int)n : RODNS_E_RDATA;
}

/* RFC 4034 §4.1.2: windows in increasing order, each 1..32 octets. Trailing
 * zero octets are tolerated: rejecting a zone over them helps no one. */
static int bitmap_len(const uint8_t *p, size_t n)
{
	int last = -1;
	size_t i = 0;

	while (i < n) {
		if (n - i < 2 || (int)p[i] <= last || p[i + 1] == 0 || p[i + 1] > 32 ||
		    n - i - 2 < p[i + 1])
			return RODNS_E_RDATA;
		last = p[i];
		i += 2 + (size_t)p[i + 1];
	}
	return (int)n;
}

/* Value formats RFC 9460 §7 fixes; a value that breaks them makes the RR
 * malformed (§2.2). Keys without a fixed format take any octets. */
static int svc_value_ok(uint16_t key, const uint8_t *v, size_t len)
{
	size_t i;

	switch (key) {
	case 0: /* mandatory: non-empty list of keys, strictly increasing */
		if (len == 0 || len % 2 != 0)
			return 0;
		for (i = 2; i < len; i += 2)
			if (get16(v + i) <= get16(v + i - 2))
				return 0;
		return 1;
	case 1: /* alpn: non-empty list of non-empty character-strings */
		for (i = 0; i < len; i += 1 + (size_t)v[i])
			if (v[i] == 0)
				return 0;
		return len > 0 && i == len;
	case 2: /* no-default-alpn */
		return len == 0;
	case 3: /* port */
		return len == 2;
	case 4: /* ipv4hint */
		return len > 0 && len % 4 == 0;
	case 6: /* ipv6hint */
		return len > 0 && len % 16 == 0;
	default:
		return 1;
	}
}

/* SvcParams: key, length, value; keys strictly increasing, 65535 reserved. */
static int svcb_len(const uint8_t *p, size_t n)
{
	long last = -1;
	size_t i = 0;

	while (i < n) {
		if (n - i < 4)
			return RODNS_E_RDATA;
		uint16_t key = get16(p + i), len = get16(p + i + 2);
		if ((long)key <= last || key == 65535 || n - i - 4 < len ||
		    !svc_value_ok(key, p + i + 4, len))
			return RODNS_E_RDATA;
		last = key;
		i += 4 + (size_t)len;
	}
	return (int)n;
}

/* EDNS options (RFC 6891 §6.1.2), in any order. */
static int opts_len(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (n - i < 4 || n - i - 4 < get16(p + i + 2))
			return RODNS_E_RDATA;
		i += 4 + (size_t)get16(p + i + 2);
	}
	return (int)n;
}

/* RFC 8659 §4.1.1: a non-empty tag of ASCII letters and digits. */
static int caatag_len(const uint8_t *p, size_t n)
{
	if (n == 0 || p[0] == 0 || n - 1 < p[0])
		return RODNS_E_RDATA;
	for (size_t i = 1; i <= p[0]; i++) {
		uint8_t c = p[i] | 0x20;
		if (!((c >= 'a' && c <= 'z') || (p[i] >= '0' && p[i] <= '9')))
			return RODNS_E_RDATA;
	}
	return 1 + p[0];
}

int dns_rdf_len(uint8_t kind, const uint8_t *p, size_t n)
{
	size_t l;

	switch (kind) {
	case DNS_RDF_NAME_C:
	case DNS_RDF_NAME_D:
	case DNS_RDF_NAME_L:
	case DNS_RDF_NAME_N: return name_len(p, n);
	case DNS_RDF_U8: l = 1; break;
	case DNS_RDF_U16:
	case DNS_RDF_TYPE: l = 2; break;
	case DNS_RDF_U32:
	case DNS_RDF_TIME:
	case DNS_RDF_A: l = 4; break;
	case DNS_RDF_U48: l = 6; break;
	case DNS_RDF_AAAA: l = 16; break;
	case DNS_RDF_STR:
	case DNS_RDF_SALT: l = n > 0 ? 1 + (size_t)p[0] : 1; break;
	case DNS_RDF_HASH: l = n > 0 && p[0] > 0 ? 1 + (size_t)p[0] : n + 1; break;
	case DNS_RDF_BIN16: l = n >= 2 ? 2 + (size_t)get16(p) : 2; break;
	case DNS_RDF_STRS: return strs_len(p, n);
	case DNS_RDF_BITMAP: return bitmap_len(p, n);
	case DNS_RDF_SVCB: return svcb_len(p, n);
	case DNS_RDF_OPTS: return opts_len(p, n);
	case DNS_RDF_CAATAG: return caatag_len(p, n);
	/* A digest or fingerprint has no empty presentation form. */
	case DNS_RDF_HEX: l = n > 0 ? n : 1; break;
	case DNS_RDF_B64:
	case DNS_RDF_CAAVAL:
	case DNS_RDF_WKSMAP:
	case DNS_RDF_OPAQUE: l = n; break;
	default: return RODNS_E_RDATA;
	}
	return l <= n ? (int)l : RODNS_E_RDATA;
}

/* Names that RFC 4034 §6.2 (after RFC 6840 §5.1) lowercases. */
static inline int rdf_lowered(uint8_t kind)
{
	return kind == DNS_RDF_NAME_C || kind == DNS_RDF_NAME_D || kind == DNS_RDF_NAME_L;
}

/* Where the names that canonical form lowercases lie in one RDATA; filled
 * by the same walk that checks the layout, so canon and cmp share it. */
#define SPAN_MAX 4
typedef struct {
	uint16_t lo[SPAN_MAX], hi[SPAN_MAX];
	int n;
} spans_t;

static int rdata_walk(const dns_rdesc_t *d, const uint8_t *rdata, size_t len, spans_t *s)
{
	size_t off = 0;

	s->n = 0;
	if (len > DNS_RDATA_MAX)
		return RODNS_E_RDATA;
	if (!dns_rdesc_known(d))
		return RODNS_OK;
	for (const uint8_t *k = d->f; *k != DNS_RDF_END; k++) {
		int l = dns_rdf_len(*k, rdata + off, len - off);
		if (l < 0)
			return l;
		if (rdf_lowered(*k) && s->n < SPAN_MAX) {
			s->lo[s->n] = (uint16_t)off;
			s->hi[s->n++] = (uint16_t)(off + (size_t)l);
		}
		off += (size_t)l;
	}
	return off == len ? RODNS_OK : RODNS_E_RDATA;
}

int dns_rdata_check(uint16_t type, const uint8_t *rdata, size_t len)
{
	spans_t s;

	return rdata_walk(dns_rdesc(type), rdata, len, &s);
}

int dns_rdata_canon(uint16_t type, const uint8_t *rdata, size_t len, uint8_t *out)
{
	spans_t s;
	int rc = rdata_walk(dns_rdesc(type), rdata, len, &s);

	if (rc != RODNS_OK)
		return rc;
	if (len > 0)
		memmove(out, rdata, len);
	/* Length octets are below 64, so lowering whole spans leaves them be. */
	for (int i = 0; i < s.n; i++)
		for (size_t j = s.lo[i]; j < s.hi[i]; j++)
			out[j] = dns_lower(out[j]);
	return (int)len;
}

/* Whether offset i is inside a lowered name, and where that stops holding. */
static int span_at(const spans_t *s, size_t i, size_t *next)
{
	for (int k = 0; k < s->n; k++) {
		if (i < s->lo[k]) {
			*next = s->lo[k];
			return 0;
		}
		if (i < s->hi[k]) {
			*next = s->hi[k];
			return 1;
		}
	}
	*next = SIZE_MAX;
	return 0;
}

/* Compares without copying: in stretches where neither side is a lowered
 * name a plain memcmp does; names are short enough to go octet by octet.
 * Malformed RDATA compares as raw octets (no spans). */
int dns_rdata_cmp(uint16_t type, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	const dns_rdesc_t *d = dns_rdesc(type);
	size_t n = alen < blen ? alen : blen, i = 0, na, nb;
	spans_t sa, sb;

	if (rdata_walk(d, a, alen, &sa) != RODNS_OK)
		sa.n = 0;
	if (rdata_walk(d, b, blen, &sb) != RODNS_OK)
		sb.n = 0;
	while (i < n) {
		int la = span_at(&sa, i, &na), lb = span_at(&sb, i, &nb);
		size_t e = na < nb ? na : nb;
		if (e > n)
			e = n;
		if (!la && !lb) {
			int c = memcmp(a + i, b + i, e - i);
			if (c != 0)
				return c < 0 ? -1 : 1;
		}
		for (size_t j = i; (la || lb) && j < e; j++) {
			uint8_t x = la ? dns_lower(a[j]) : a[j], y = lb ? dns_lower(b[j]) : b[j];
			if (x != y)
				return x < y ? -1 : 1;
		}
		i = e;
	}
	return alen < blen ? -1 : alen > blen;
}

const char *dns_type_name(uint16_t type, char *buf, size_t cap)
{
	const dns_rdesc_t *d = dns_rdesc(type);

	if (d != NULL)
		snprintf(buf, cap, "%s", d->name);
	else
		snprintf(buf, cap, "TYPE%u", (unsigned)type);
	return buf;
}

/* Decimal 0..65535, digits only (no sign, no space). */
static int parse_u16(const char *s, uint16_t *out)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > 65535)
			return RODNS_E_SYNTAX;
	}
	if (i == 0 || s[i] != '\0')
		return RODNS_E_SYNTAX;
	*out = (uint16_t)v;
	return RODNS_OK;
}

int dns_type_from_text(const char *s, uint16_t *type)
{
	size_t nlo = sizeof(desc_lo) / sizeof(desc_lo[0]);

	if (strncasecmp(s, "TYPE", 4) == 0 && s[4] >= '0' && s[4] <= '9')
		return parse_u16(s + 4, type);
	for (size_t i = 0; i < nlo + NHI; i++) {
		const dns_rdesc_t *d = i < nlo ? &desc_lo[i] : &desc_hi[i - nlo];
		if (d->name != NULL && strcasecmp(d->name, s) == 0) {
			*type = d->type;
			return RODNS_OK;
		}
	}
	return RODNS_E_SYNTAX;
}

const char *dns_class_name(uint16_t rclass, char *buf, size_t cap)
{
	const char *s = NULL;

	switch (rclass) {
	case DNS_C_IN: s = "IN"; break;
	case DNS_C_CH: s = "CH"; break;
	case DNS_C_HS: s = "HS"; break;
	case DNS_C_NONE: s = "NONE"; break;
	case DNS_C_ANY: s = "ANY"; break;
	default: break;
	}
	if (s != NULL)
		snprintf(buf, cap, "%s", s);
	else
		snprintf(buf, cap, "CLASS%u", (unsigned)rclass);
	return buf;
}

bool dns_type_known(uint16_t type)
{
	return dns_rdesc_known(dns_rdesc(type));
}
