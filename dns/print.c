/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Presentation format of RRs (RFC 1035 §5.1, RFC 3597 §5), one line each.
 *
 * RDATA is printed by walking the type's field list from dns/rdesc.h, so a
 * layout is written down once for the reader, checker and printer. Choices
 * where the RFCs leave room (they match what BIND 9.18's dig prints with
 * +nosplit, except that BIND upper-cases base32hex; the integration test
 * tests/integration/t_printer.sh holds both to that):
 *   - hex is uppercase (dns_hex_encode), base32hex lowercase (RFC 5155
 *     hashes are case-insensitive), base64 and hex are never split;
 *   - character-strings are always quoted; inside the quotes `"` and `\`
 *     are backslash-escaped and octets outside 0x20-0x7e are \DDD;
 *   - SvcParams (RFC 9460 §2.1): alpn and keyNNNNN values are quoted
 *     character-strings; keys this file does not name (7 dohpath, ...)
 *     print as keyNNNNN, which every parser accepts;
 *   - types without a presentation format here (NULL, OPT; NXT and A6,
 *     which dns/rdesc.h leaves opaque) and every empty RDATA (update
 *     deletions) use RFC 3597 "\# LEN HEX".
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns/err.h"
#include "dns/name.h"
#include "dns/rdesc.h"
#include "dns/rr.h"
#include "dns/text.h"

/* Output text with a sticky error, like the wire reader: helpers do nothing
 * once an error is set, and the caller checks once at the end. Tokens are
 * separated by tb_tok(), which owes a space to every token but the first, so
 * nothing is ever written only to be taken back (an exact-size buffer works). */
typedef struct {
	char *buf;
	size_t cap;
	size_t len;
	int error;
	bool sep; /* the next token needs a space before it */
} tb_t;

static void tb_init(tb_t *t, char *buf, size_t cap)
{
	t->buf = buf;
	t->cap = cap;
	t->len = 0;
	t->error = cap > 0 ? RODNS_OK : RODNS_E_SPACE;
	t->sep = false;
	if (cap > 0)
		buf[0] = '\0';
}

static void tb_fail(tb_t *t, int err)
{
	if (t->error == RODNS_OK)
		t->error = err;
}

/* Free room, the final NUL's octet included. 0 after an error. */
static size_t tb_room(const tb_t *t)
{
	return t->error == RODNS_OK ? t->cap - t->len : 0;
}

static void tb_putc(tb_t *t, char c)
{
	if (tb_room(t) < 2) {
		tb_fail(t, RODNS_E_SPACE);
		return;
	}
	t->buf[t->len++] = c;
	t->buf[t->len] = '\0';
}

static void tb_puts(tb_t *t, const char *s)
{
	size_t n = strlen(s);

	if (tb_room(t) < n + 1) {
		tb_fail(t, RODNS_E_SPACE);
		return;
	}
	memcpy(t->buf + t->len, s, n + 1);
	t->len += n;
}

/* Starts a new space-separated token. */
static void tb_tok(tb_t *t)
{
	if (t->sep)
		tb_putc(t, ' ');
	t->sep = true;
}

static void tb_u(tb_t *t, uint64_t v)
{
	char d[24];
	size_t i = sizeof(d);

	d[--i] = '\0';
	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	tb_puts(t, d + i);
}

/* Appends the result of an encoder that writes NUL-terminated text into
 * (out, cap) and returns its length or an error. */
static void tb_encoded(tb_t *t, int (*enc)(const uint8_t *, size_t, char *, size_t),
		       const uint8_t *p, size_t n)
{
	if (t->error != RODNS_OK)
		return;
	int rc = enc(p, n, t->buf + t->len, t->cap - t->len);
	if (rc < 0) {
		t->buf[t->len] = '\0';
		tb_fail(t, rc);
		return;
	}
	t->len += (size_t)rc;
}

/* An uncompressed wire name occupying exactly p[0 .. n). Goes through a
 * full-size buffer so that the caller's buffer may be an exact fit. */
static void tb_name(tb_t *t, const uint8_t *p, size_t n)
{
	char text[DNS_NAME_TEXT_MAX];
	dns_name_t name;
	size_t used;

	if (t->error != RODNS_OK)
		return;
	if (dns_name_from_wire(p, n, &name, &used) != RODNS_OK || used != n ||
	    dns_name_to_text(&name, text, sizeof(text)) < 0) {
		tb_fail(t, RODNS_E_RDATA);
		return;
	}
	tb_puts(t, text);
}

static void tb_type(tb_t *t, uint16_t type)
{
	char b[16];

	tb_puts(t, dns_type_name(type, b, sizeof(b)));
}

/* One octet of a character-string body (RFC 1035 §5.1). */
static void tb_cs_octet(tb_t *t, uint8_t c)
{
	if (c == '"' || c == '\\') {
		tb_putc(t, '\\');
		tb_putc(t, (char)c);
	} else if (c >= 0x20 && c < 0x7f) {
		tb_putc(t, (char)c);
	} else {
		tb_putc(t, '\\');
		tb_putc(t, (char)('0' + c / 100));
		tb_putc(t, (char)('0' + c / 10 % 10));
		tb_putc(t, (char)('0' + c % 10));
	}
}

static void tb_qstr(tb_t *t, const uint8_t *p, size_t n)
{
	tb_putc(t, '"');
	for (size_t i = 0; i < n; i++)
		tb_cs_octet(t, p[i]);
	tb_putc(t, '"');
}

static void tb_addr(tb_t *t, int af, const uint8_t *p)
{
	char b[INET6_ADDRSTRLEN];

	if (inet_ntop(af, p, b, sizeof(b)) == NULL)
		tb_fail(t, RODNS_E_RDATA);
	else
		tb_puts(t, b);
}

/* RFC 3597 §5: "\# LEN HEX", the HEX left out when LEN is 0. */
static void tb_generic(tb_t *t, const uint8_t *p, size_t n)
{
	tb_tok(t);
	tb_puts(t, "\\#");
	tb_tok(t);
	tb_u(t, n);
	if (n > 0) {
		tb_tok(t);
		tb_encoded(t, dns_hex_encode, p, n);
	}
}

/* Type bitmap of NSEC/NSEC3 (RFC 4034 §4.1.2): one mnemonic per set bit.
 * The field was checked by dns_rdf_len. */
static void tb_bitmap(tb_t *t, const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i + 2 <= n) {
		unsigned win = p[i], blen = p[i + 1];

		if (i + 2 + blen > n) {
			tb_fail(t, RODNS_E_RDATA);
			return;
		}
		for (unsigned b = 0; b < blen * 8; b++)
			if (p[i + 2 + b / 8] & (0x80 >> (b % 8))) {
				tb_tok(t);
				tb_type(t, (uint16_t)(win << 8 | b));
			}
		i += 2 + blen;
	}
}

/* WKS bitmap (RFC 1035 §3.4.2): bit k set means port k. */
static void tb_wksmap(tb_t *t, const uint8_t *p, size_t n)
{
	for (size_t b = 0; b < n * 8; b++)
		if (p[b / 8] & (0x80 >> (b % 8))) {
			tb_tok(t);
			tb_u(t, b);
		}
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- SvcParams (RFC 9460 §2.1, §7) ---- */

enum {
	SVC_MANDATORY = 0,
	SVC_ALPN = 1,
	SVC_NO_DEFAULT_ALPN = 2,
	SVC_PORT = 3,
	SVC_IPV4HINT = 4,
	SVC_ECH = 5,
	SVC_IPV6HINT = 6,
};

static const char *const svc_keys[] = {
    "mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech", "ipv6hint",
};

static void tb_svckey(tb_t *t, uint16_t key)
{
	if (key < sizeof(svc_keys) / sizeof(svc_keys[0])) {
		tb_puts(t, svc_keys[key]);
	} else {
		tb_puts(t, "key");
		tb_u(t, key);
	}
}

/* Whether a known key's value has the shape RFC 9460 gives it. A value that
 * does not is printed in the generic keyNNNNN form, which keeps every octet. */
static bool svc_value_ok(uint16_t key, const uint8_t *v, size_t n)
{
	switch (key) {
	case SVC_MANDATORY:
		return n > 0 && n % 2 == 0;
	case SVC_ALPN:
		if (n == 0)
			return false;
		for (size_t i = 0; i < n; i += 1 + (size_t)v[i])
			if (v[i] == 0 || i + 1 + v[i] > n)
				return false;
		return true;
	case SVC_NO_DEFAULT_ALPN:
		return n == 0;
	case SVC_PORT:
		return n == 2;
	case SVC_IPV4HINT:
		return n > 0 && n % 4 == 0;
	case SVC_ECH:
		return n > 0;
	case SVC_IPV6HINT:
		return n > 0 && n % 16 == 0;
	default:
		return false;
	}
}

/* alpn: a comma-separated value-list (RFC 9460 §7.1.1, Appendix A.1) in a
 * quoted character-string. A comma or backslash inside one ALPN id is
 * escaped twice: `\,` for the list, then the backslash again for the
 * character-string, giving `\\,`. */
static void tb_svc_alpn(tb_t *t, const uint8_t *v, size_t n)
{
	tb_putc(t, '"');
	for (size_t i = 0; i < n; i += 1 + (size_t)v[i]) {
		if (i > 0)
			tb_putc(t, ',');
		for (size_t j = 1; j <= v[i]; j++) {
			if (v[i + j] == ',' || v[i + j] == '\\')
				tb_cs_octet(t, '\\');
			tb_cs_octet(t, v[i + j]);
		}
	}
	tb_putc(t, '"');
}

static void tb_svc_value(tb_t *t, uint16_t key, const uint8_t *v, size_t n)
{
	size_t i;

	switch (key) {
	case SVC_MANDATORY:
		for (i = 0; i < n; i += 2) {
			if (i > 0)
				tb_putc(t, ',');
			tb_svckey(t, get16(v + i));
		}
		break;
	case SVC_ALPN:
		tb_svc_alpn(t, v, n);
		break;
	case SVC_PORT:
		tb_u(t, get16(v));
		break;
	case SVC_IPV4HINT:
	case SVC_IPV6HINT: {
		size_t step = key == SVC_IPV4HINT ? 4 : 16;
		for (i = 0; i < n; i += step) {
			if (i > 0)
				tb_putc(t, ',');
			tb_addr(t, key == SVC_IPV4HINT ? AF_INET : AF_INET6, v + i);
		}
		break;
	}
	case SVC_ECH:
		tb_encoded(t, dns_b64_encode, v, n);
		break;
	default:
		tb_qstr(t, v, n);
		break;
	}
}

/* SvcParams to the end of the RDATA, one token each. Keys were
 * checked to tile the field and increase by dns_rdf_len. */
static void tb_svcparams(tb_t *t, const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i + 4 <= n) {
		uint16_t key = get16(p + i), vlen = get16(p + i + 2);
		const uint8_t *v = p + i + 4;

		if (i + 4 + vlen > n) {
			tb_fail(t, RODNS_E_RDATA);
			return;
		}
		tb_tok(t);
		if (!svc_value_ok(key, v, vlen)) {
			/* Unknown key, or a known one with a malformed value. */
			tb_puts(t, "key");
			tb_u(t, key);
			if (vlen > 0) {
				tb_putc(t, '=');
				tb_qstr(t, v, vlen);
			}
		} else {
			tb_svckey(t, key);
			if (vlen > 0) {
				tb_putc(t, '=');
				tb_svc_value(t, key, v, vlen);
			}
		}
		i += 4 + (size_t)vlen;
	}
	if (i != n)
		tb_fail(t, RODNS_E_RDATA);
}

/* ---- fields ---- */

/* Fields that print as zero or more tokens (lists, empty-able octets,
 * length + data) start their tokens themselves; every other field is one
 * token, started by the caller. */
static bool field_multi_token(uint8_t kind)
{
	return kind == DNS_RDF_BITMAP || kind == DNS_RDF_WKSMAP || kind == DNS_RDF_SVCB ||
	       kind == DNS_RDF_STRS || kind == DNS_RDF_B64 || kind == DNS_RDF_HEX ||
	       kind == DNS_RDF_BIN16;
}

static void tb_field(tb_t *t, uint8_t kind, const uint8_t *p, size_t l)
{
	char tm[15];
	size_t off;

	switch (kind) {
	case DNS_RDF_NAME_C:
	case DNS_RDF_NAME_D:
	case DNS_RDF_NAME_L:
	case DNS_RDF_NAME_N:
		tb_name(t, p, l);
		break;
	case DNS_RDF_U8:
		tb_u(t, p[0]);
		break;
	case DNS_RDF_U16:
		tb_u(t, get16(p));
		break;
	case DNS_RDF_U32:
		tb_u(t, get32(p));
		break;
	case DNS_RDF_U48:
		tb_u(t, (uint64_t)get16(p) << 32 | get32(p + 2));
		break;
	case DNS_RDF_TYPE:
		tb_type(t, get16(p));
		break;
	case DNS_RDF_TIME:
		dns_time_to_text(get32(p), tm);
		tb_puts(t, tm);
		break;
	case DNS_RDF_A:
		tb_addr(t, AF_INET, p);
		break;
	case DNS_RDF_AAAA:
		tb_addr(t, AF_INET6, p);
		break;
	case DNS_RDF_STR:
		tb_qstr(t, p + 1, l - 1);
		break;
	case DNS_RDF_STRS:
		for (off = 0; off < l; off += 1 + (size_t)p[off]) {
			tb_tok(t);
			tb_qstr(t, p + off + 1, p[off]);
		}
		break;
	case DNS_RDF_SALT:
		if (l == 1)
			tb_putc(t, '-');
		else
			tb_encoded(t, dns_hex_encode, p + 1, l - 1);
		break;
	case DNS_RDF_HASH:
		tb_encoded(t, dns_b32hex_encode, p + 1, l - 1);
		break;
	case DNS_RDF_BIN16:
		/* "LEN BASE64" (TSIG MAC size and MAC, RFC 8945 §4.2), the
		 * base64 left out when LEN is 0, as BIND prints it. */
		tb_tok(t);
		tb_u(t, l - 2);
		if (l > 2) {
			tb_tok(t);
			tb_encoded(t, dns_b64_encode, p + 2, l - 2);
		}
		break;
	case DNS_RDF_BITMAP:
		tb_bitmap(t, p, l);
		break;
	case DNS_RDF_B64:
		if (l > 0) {
			tb_tok(t);
			tb_encoded(t, dns_b64_encode, p, l);
		}
		break;
	case DNS_RDF_HEX:
		if (l > 0) {
			tb_tok(t);
			tb_encoded(t, dns_hex_encode, p, l);
		}
		break;
	case DNS_RDF_SVCB:
		tb_svcparams(t, p, l);
		break;
	case DNS_RDF_CAATAG:
		/* Letters and digits only (checked): no quoting needed. */
		for (off = 1; off < l; off++)
			tb_putc(t, (char)p[off]);
		break;
	case DNS_RDF_CAAVAL:
		tb_qstr(t, p, l);
		break;
	case DNS_RDF_WKSMAP:
		tb_wksmap(t, p, l);
		break;
	default:
		tb_fail(t, RODNS_E_RDATA); /* OPTS / OPAQUE are handled by the caller */
		break;
	}
}

/* true when some field of the layout has no presentation of its own, so the
 * whole RDATA goes out in the RFC 3597 form. */
static bool layout_generic(const dns_rdesc_t *d)
{
	if (!dns_rdesc_known(d))
		return true;
	for (const uint8_t *k = d->f; *k != DNS_RDF_END; k++)
		if (*k == DNS_RDF_OPTS || *k == DNS_RDF_OPAQUE)
			return true;
	return false;
}

static void tb_rdata(tb_t *t, uint16_t type, const uint8_t *rdata, size_t len)
{
	const dns_rdesc_t *d = dns_rdesc(type);

	if (len == 0 || layout_generic(d)) {
		tb_generic(t, rdata, len);
		return;
	}
	const uint8_t *p = rdata;
	size_t left = len;

	for (const uint8_t *k = d->f; *k != DNS_RDF_END && t->error == RODNS_OK; k++) {
		int l = dns_rdf_len(*k, p, left);
		if (l < 0) {
			tb_fail(t, RODNS_E_RDATA);
			break;
		}
		if (!field_multi_token(*k))
			tb_tok(t);
		tb_field(t, *k, p, (size_t)l);
		p += l;
		left -= (size_t)l;
	}
	if (t->error == RODNS_OK && left != 0)
		tb_fail(t, RODNS_E_RDATA);
}

static int tb_result(tb_t *t)
{
	if (t->error != RODNS_OK) {
		if (t->cap > 0)
			t->buf[0] = '\0';
		return t->error;
	}
	return (int)t->len;
}

int dns_rdata_to_text(uint16_t type, const uint8_t *rdata, size_t len, char *buf, size_t cap)
{
	tb_t t;

	tb_init(&t, buf, cap);
	if (len > DNS_RDATA_MAX)
		tb_fail(&t, RODNS_E_RDATA);
	else
		tb_rdata(&t, type, rdata, len);
	return tb_result(&t);
}

int dns_rr_to_text(const dns_rr_t *rr, char *buf, size_t cap)
{
	char cls[16];
	tb_t t;

	tb_init(&t, buf, cap);
	tb_tok(&t);
	tb_name(&t, rr->owner.data, rr->owner.len);
	tb_tok(&t);
	tb_u(&t, rr->ttl);
	tb_tok(&t);
	tb_puts(&t, dns_class_name(rr->rclass, cls, sizeof(cls)));
	tb_tok(&t);
	tb_type(&t, rr->type);
	tb_rdata(&t, rr->type, rr->rdata, rr->rdlen);
	return tb_result(&t);
}
