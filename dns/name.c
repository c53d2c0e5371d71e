/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Domain names: see name.h. */
#include <string.h>

#include "dns/name.h"

/* Appends one label to a name under construction (without the root). */
static int put_label(dns_name_t *out, const uint8_t *lab, uint8_t len)
{
	if (len > DNS_LABEL_MAX)
		return RODNS_E_LABEL;
	/* the final root octet must still fit */
	if ((size_t)out->len + 1 + len + 1 > DNS_NAME_MAX)
		return RODNS_E_NAME_LONG;
	out->data[out->len] = len;
	memcpy(out->data + out->len + 1, lab, len);
	out->len = (uint8_t)(out->len + 1 + len);
	out->labels++;
	return RODNS_OK;
}

static void finish(dns_name_t *out)
{
	out->data[out->len++] = 0;
}

int dns_name_read(dns_rd_t *r, dns_name_t *out)
{
	if (r->error != RODNS_OK)
		return r->error;
	const uint8_t *p = r->pos;
	const uint8_t *resume = NULL;
	/* Pointers must go strictly before the start of the name part that
	 * holds them, so every hop moves backwards and loops are impossible. */
	const uint8_t *limit = r->pos;
	int hops = 0;
	out->len = 0;
	out->labels = 0;
	for (;;) {
		if (p >= r->end) {
			dns_rd_fail(r, RODNS_E_TRUNC);
			return r->error;
		}
		uint8_t c = *p;
		if ((c & 0xc0) == 0xc0) {
			if (p + 1 >= r->end) {
				dns_rd_fail(r, RODNS_E_TRUNC);
				return r->error;
			}
			size_t off = ((size_t)(c & 0x3f) << 8) | p[1];
			if (!resume)
				resume = p + 2;
			if (r->base + off >= limit || ++hops > DNS_PTR_HOPS_MAX) {
				dns_rd_fail(r, RODNS_E_NAME_LOOP);
				return r->error;
			}
			p = r->base + off;
			limit = p;
			continue;
		}
		if (c & 0xc0) { /* 0x40 extended and 0x80 reserved label types */
			dns_rd_fail(r, RODNS_E_LABEL);
			return r->error;
		}
		if (c == 0) {
			p++;
			break;
		}
		if ((size_t)(r->end - p) < (size_t)c + 1) {
			dns_rd_fail(r, RODNS_E_TRUNC);
			return r->error;
		}
		int rc = put_label(out, p + 1, c);
		if (rc != RODNS_OK) {
			dns_rd_fail(r, rc);
			return rc;
		}
		p += 1 + c;
	}
	finish(out);
	r->pos = resume ? resume : p;
	return RODNS_OK;
}

int dns_name_from_wire(const uint8_t *buf, size_t len, dns_name_t *out, size_t *used)
{
	size_t i = 0;
	out->len = 0;
	out->labels = 0;
	for (;;) {
		if (i >= len)
			return RODNS_E_TRUNC;
		uint8_t c = buf[i];
		if (c == 0)
			break;
		if (c & 0xc0)
			return (c & 0xc0) == 0xc0 ? RODNS_E_MALFORMED : RODNS_E_LABEL;
		if (len - i < (size_t)c + 1)
			return RODNS_E_TRUNC;
		int rc = put_label(out, buf + i + 1, c);
		if (rc != RODNS_OK)
			return rc;
		i += 1 + (size_t)c;
	}
	finish(out);
	if (used)
		*used = i + 1;
	return RODNS_OK;
}

/* Offset within n->data of the suffix after skipping k labels. */
static size_t suffix_off(const dns_name_t *n, unsigned k)
{
	size_t off = 0;
	while (k-- > 0 && n->data[off] != 0)
		off += 1 + (size_t)n->data[off];
	return off;
}

/* true when the name at msg offset moff (possibly compressed, already
 * written by us and therefore well formed) equals suffix s, case-insensitively. */
static bool msg_name_eq(const uint8_t *msg, size_t moff, const uint8_t *s)
{
	for (int hops = 0; hops < DNS_PTR_HOPS_MAX;) {
		uint8_t c = msg[moff];
		if ((c & 0xc0) == 0xc0) {
			moff = ((size_t)(c & 0x3f) << 8) | msg[moff + 1];
			hops++;
			continue;
		}
		if (c != *s)
			return false;
		if (c == 0)
			return true;
		for (uint8_t i = 1; i <= c; i++)
			if (dns_lower(msg[moff + i]) != dns_lower(s[i]))
				return false;
		moff += 1 + (size_t)c;
		s += 1 + c;
	}
	return false;
}

/* Finds an earlier occurrence of the suffix s in the message; -1 if none. */
static int ctab_find(const dns_wr_t *w, const dns_ctab_t *t, const uint8_t *s)
{
	for (int i = 0; i < t->n; i++)
		if (msg_name_eq(w->base, t->off[i], s))
			return t->off[i];
	return -1;
}

void dns_name_write(dns_wr_t *w, const dns_name_t *n, dns_ctab_t *t)
{
	if (!t) {
		dns_wr_bytes(w, n->data, n->len);
		return;
	}
	/* Suffixes of this name become pointer targets only once the whole
	 * name is written: until then they do not end in a root label. */
	uint16_t fresh[128];
	unsigned nfresh = 0;
	size_t off = 0;
	bool ptr_written = false;
	while (n->data[off] != 0) {
		int ptr = ctab_find(w, t, n->data + off);
		if (ptr >= 0) {
			dns_wr_u16(w, (uint16_t)(0xc000u | (unsigned)ptr));
			ptr_written = true;
			break;
		}
		size_t here = dns_wr_off(w);
		uint8_t c = n->data[off];
		dns_wr_bytes(w, n->data + off, (size_t)c + 1);
		if (w->error != RODNS_OK)
			return;
		if (here < 0x4000 && nfresh < 128)
			fresh[nfresh++] = (uint16_t)here;
		off += 1 + (size_t)c;
	}
	if (!ptr_written)
		dns_wr_u8(w, 0);
	if (w->error != RODNS_OK)
		return;
	for (unsigned i = 0; i < nfresh && t->n < DNS_CTAB_MAX; i++)
		t->off[t->n++] = fresh[i];
}

static int text_escape(const char **sp, uint8_t *out)
{
	const char *s = *sp;
	if (s[0] >= '0' && s[0] <= '9') {
		if (!(s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9'))
			return RODNS_E_SYNTAX;
		int v = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
		if (v > 255)
			return RODNS_E_SYNTAX;
		*out = (uint8_t)v;
		*sp = s + 3;
		return RODNS_OK;
	}
	if (s[0] == '\0')
		return RODNS_E_SYNTAX;
	*out = (uint8_t)s[0];
	*sp = s + 1;
	return RODNS_OK;
}

static int append_name(dns_name_t *out, const dns_name_t *suffix)
{
	if ((size_t)out->len + suffix->len > DNS_NAME_MAX)
		return RODNS_E_NAME_LONG;
	memcpy(out->data + out->len, suffix->data, suffix->len);
	out->len = (uint8_t)(out->len + suffix->len);
	out->labels = (uint8_t)(out->labels + suffix->labels);
	return RODNS_OK;
}

int dns_name_from_text(const char *s, const dns_name_t *origin, dns_name_t *out)
{
	out->len = 0;
	out->labels = 0;
	if (strcmp(s, "@") == 0) {
		if (!origin)
			return RODNS_E_SYNTAX;
		*out = *origin;
		return RODNS_OK;
	}
	if (strcmp(s, ".") == 0) {
		finish(out);
		return RODNS_OK;
	}
	uint8_t lab[DNS_LABEL_MAX + 1];
	size_t ll = 0;
	bool absolute = false;
	for (;;) {
		char c = *s;
		if (c == '\0' || c == '.') {
			if (ll == 0)
				return RODNS_E_SYNTAX; /* empty label: "a..b" or leading dot */
			int rc = put_label(out, lab, (uint8_t)ll);
			if (rc != RODNS_OK)
				return rc;
			ll = 0;
			if (c == '\0')
				break;
			s++;
			if (*s == '\0') {
				absolute = true;
				break;
			}
			continue;
		}
		uint8_t b = (uint8_t)c;
		s++;
		if (c == '\\') {
			int rc = text_escape(&s, &b);
			if (rc != RODNS_OK)
				return rc;
		}
		if (ll > DNS_LABEL_MAX - 1)
			return RODNS_E_LABEL;
		lab[ll++] = b;
	}
	if (absolute) {
		finish(out);
		return RODNS_OK;
	}
	if (!origin)
		return RODNS_E_SYNTAX;
	return append_name(out, origin);
}

static bool needs_escape(uint8_t c, char *esc)
{
	switch (c) {
	case '.': case '\\': case '"': case '(': case ')': case ';': case '@': case '$':
		*esc = (char)c;
		return true;
	default:
		*esc = 0;
		return c <= 0x20 || c >= 0x7f;
	}
}

int dns_name_to_text(const dns_name_t *n, char *buf, size_t cap)
{
	size_t o = 0;
	size_t off = 0;
	if (n->data[0] == 0) {
		if (cap < 2)
			return RODNS_E_SPACE;
		buf[0] = '.';
		buf[1] = '\0';
		return 1;
	}
	while (n->data[off] != 0) {
		uint8_t c = n->data[off];
		for (uint8_t i = 1; i <= c; i++) {
			uint8_t b = n->data[off + i];
			char esc;
			bool e = needs_escape(b, &esc);
			size_t need = !e ? 1 : (esc ? 2 : 4);
			if (o + need + 2 > cap) /* the label's dot and the NUL must fit too */
				return RODNS_E_SPACE;
			if (e && esc) {
				buf[o++] = '\\';
				buf[o++] = esc;
			} else if (e) {
				buf[o++] = '\\';
				buf[o++] = (char)('0' + b / 100);
				buf[o++] = (char)('0' + (b / 10) % 10);
				buf[o++] = (char)('0' + b % 10);
			} else {
				buf[o++] = (char)b;
			}
		}
		if (o + 2 > cap)
			return RODNS_E_SPACE;
		buf[o++] = '.';
		off += 1 + (size_t)c;
	}
	buf[o] = '\0';
	return (int)o;
}

bool dns_name_eq(const dns_name_t *a, const dns_name_t *b)
{
	if (a->len != b->len || a->labels != b->labels)
		return false;
	for (size_t i = 0; i < a->len; i++)
		if (dns_lower(a->data[i]) != dns_lower(b->data[i]))
			return false;
	return true;
}

/* Label start offsets, root-most last. Returns the label count. */
static unsigned label_offsets(const dns_name_t *n, uint8_t offs[128])
{
	unsigned k = 0;
	size_t off = 0;
	while (n->data[off] != 0 && k < 128) {
		offs[k++] = (uint8_t)off;
		off += 1 + (size_t)n->data[off];
	}
	return k;
}

static int label_cmp(const uint8_t *a, const uint8_t *b)
{
	uint8_t la = a[0], lb = b[0];
	uint8_t m = la < lb ? la : lb;
	for (uint8_t i = 1; i <= m; i++) {
		uint8_t x = dns_lower(a[i]), y = dns_lower(b[i]);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return la == lb ? 0 : (la < lb ? -1 : 1);
}

int dns_name_cmp(const dns_name_t *a, const dns_name_t *b)
{
	uint8_t oa[128], ob[128];
	unsigned na = label_offsets(a, oa), nb = label_offsets(b, ob);
	while (na > 0 && nb > 0) {
		int c = label_cmp(a->data + oa[--na], b->data + ob[--nb]);
		if (c != 0)
			return c;
	}
	return na == nb ? 0 : (na < nb ? -1 : 1);
}

bool dns_name_is_sub(const dns_name_t *n, const dns_name_t *parent)
{
	if (n->labels < parent->labels)
		return false;
	dns_name_t s;
	dns_name_strip(n, (unsigned)(n->labels - parent->labels), &s);
	return dns_name_eq(&s, parent);
}

void dns_name_lower(dns_name_t *n)
{
	size_t off = 0;
	while (n->data[off] != 0) {
		uint8_t c = n->data[off];
		for (uint8_t i = 1; i <= c; i++)
			n->data[off + i] = dns_lower(n->data[off + i]);
		off += 1 + (size_t)c;
	}
}

void dns_name_strip(const dns_name_t *n, unsigned k, dns_name_t *out)
{
	if (k > n->labels)
		k = n->labels;
	size_t off = suffix_off(n, k);
	memmove(out->data, n->data + off, n->len - off);
	out->len = (uint8_t)(n->len - off);
	out->labels = (uint8_t)(n->labels - k);
}

size_t dns_name_key(const dns_name_t *n, uint8_t key[DNS_KEY_MAX])
{
	uint8_t offs[128];
	unsigned k = label_offsets(n, offs);
	size_t o = 0;
	while (k > 0) {
		const uint8_t *lab = n->data + offs[--k];
		for (uint8_t i = 1; i <= lab[0]; i++) {
			uint8_t c = dns_lower(lab[i]);
			if (c <= 1) {
				key[o++] = 1;
				key[o++] = (uint8_t)(c + 1);
			} else {
				key[o++] = c;
			}
		}
		key[o++] = 0;
	}
	return o;
}

int dns_name_from_key(const uint8_t *key, size_t len, dns_name_t *out)
{
	/* Collect labels root-first, then emit them in wire order. */
	uint8_t labs[128][DNS_LABEL_MAX];
	uint8_t lens[128];
	unsigned k = 0;
	size_t i = 0;
	while (i < len) {
		if (k >= 128)
			return RODNS_E_NAME_LONG;
		uint8_t ll = 0;
		while (i < len && key[i] != 0) {
			uint8_t c = key[i++];
			if (c == 1) {
				if (i >= len || (key[i] != 1 && key[i] != 2))
					return RODNS_E_MALFORMED;
				c = (uint8_t)(key[i++] - 1);
			}
			if (ll >= DNS_LABEL_MAX)
				return RODNS_E_LABEL;
			labs[k][ll++] = c;
		}
		if (i >= len || ll == 0)
			return RODNS_E_MALFORMED; /* every label ends with 0x00 */
		i++;
		lens[k++] = ll;
	}
	out->len = 0;
	out->labels = 0;
	while (k > 0) {
		k--;
		int rc = put_label(out, labs[k], lens[k]);
		if (rc != RODNS_OK)
			return rc;
	}
	finish(out);
	return RODNS_OK;
}
