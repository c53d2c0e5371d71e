/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* VICI messages without I/O: see vici_msg.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/err.h"
#include "ipsec/vici_msg.h"

/* ---- packets ---- */

static bool named_type(uint8_t t)
{
	return t == IPSEC_VICI_CMD_REQUEST || t == IPSEC_VICI_EVENT_REGISTER ||
	       t == IPSEC_VICI_EVENT_UNREGISTER || t == IPSEC_VICI_EVENT;
}

int ipsec_vici_pkt_parse(const uint8_t *buf, size_t len, ipsec_vici_pkt_t *p)
{
	memset(p, 0, sizeof(*p));
	if (len < 1 || len > IPSEC_VICI_PKT_MAX || buf[0] > IPSEC_VICI_EVENT)
		return RODNS_E_MALFORMED;
	p->type = buf[0];
	size_t off = 1;
	if (named_type(p->type)) {
		if (len < 2 || buf[1] == 0 || (size_t)buf[1] > len - 2)
			return RODNS_E_MALFORMED;
		p->name = buf + 2;
		p->name_len = buf[1];
		off = 2 + (size_t)buf[1];
	}
	p->msg = buf + off;
	p->msg_len = len - off;
	return RODNS_OK;
}

bool ipsec_vici_pkt_is(const ipsec_vici_pkt_t *p, uint8_t t, const char *name)
{
	if (p->type != t)
		return false;
	if (!name)
		return true;
	return p->name && p->name_len == strlen(name) && !memcmp(p->name, name, p->name_len);
}

/* ---- building ---- */

void ipsec_vici_wr_init(ipsec_vici_wr_t *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->error = RODNS_OK;
}

void ipsec_vici_wr_raw(ipsec_vici_wr_t *w, const void *p, size_t n)
{
	if (w->error)
		return;
	if (n > w->cap - w->len) {
		w->error = RODNS_E_SPACE;
		return;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void wr_u8(ipsec_vici_wr_t *w, uint8_t v)
{
	ipsec_vici_wr_raw(w, &v, 1);
}

static void wr_name(ipsec_vici_wr_t *w, const char *name)
{
	size_t n = strlen(name);
	if (n > 255) {
		w->error = w->error ? w->error : RODNS_E_SPACE;
		return;
	}
	wr_u8(w, (uint8_t)n);
	ipsec_vici_wr_raw(w, name, n);
}

static void wr_value(ipsec_vici_wr_t *w, const char *value)
{
	size_t n = strlen(value);
	if (n > 65535) {
		w->error = w->error ? w->error : RODNS_E_SPACE;
		return;
	}
	uint8_t be[2] = {(uint8_t)(n >> 8), (uint8_t)n};
	ipsec_vici_wr_raw(w, be, 2);
	ipsec_vici_wr_raw(w, value, n);
}

void ipsec_vici_wr_section(ipsec_vici_wr_t *w, const char *name)
{
	wr_u8(w, IPSEC_VICI_SECTION_START);
	wr_name(w, name);
}

void ipsec_vici_wr_section_end(ipsec_vici_wr_t *w)
{
	wr_u8(w, IPSEC_VICI_SECTION_END);
}

void ipsec_vici_wr_kv(ipsec_vici_wr_t *w, const char *name, const char *value)
{
	wr_u8(w, IPSEC_VICI_KEY_VALUE);
	wr_name(w, name);
	wr_value(w, value);
}

void ipsec_vici_wr_list(ipsec_vici_wr_t *w, const char *name)
{
	wr_u8(w, IPSEC_VICI_LIST_START);
	wr_name(w, name);
}

void ipsec_vici_wr_item(ipsec_vici_wr_t *w, const char *value)
{
	wr_u8(w, IPSEC_VICI_LIST_ITEM);
	wr_value(w, value);
}

void ipsec_vici_wr_list_end(ipsec_vici_wr_t *w)
{
	wr_u8(w, IPSEC_VICI_LIST_END);
}

int ipsec_vici_pkt_build(uint8_t type, const char *name, const uint8_t *msg, size_t msg_len,
			 uint8_t *out, size_t cap)
{
	ipsec_vici_wr_t w;
	size_t nl = name ? strlen(name) : 0;
	size_t total = 1 + (name ? 1 + nl : 0) + msg_len;

	if (total > IPSEC_VICI_PKT_MAX || nl > 255)
		return RODNS_E_SPACE;
	ipsec_vici_wr_init(&w, out, cap);
	uint8_t be[4] = {(uint8_t)(total >> 24), (uint8_t)(total >> 16), (uint8_t)(total >> 8),
			 (uint8_t)total};
	ipsec_vici_wr_raw(&w, be, 4);
	wr_u8(&w, type);
	if (name)
		wr_name(&w, name);
	if (msg_len)
		ipsec_vici_wr_raw(&w, msg, msg_len);
	return w.error ? w.error : (int)w.len;
}

/* ---- reading ---- */

void ipsec_vici_rd_init(ipsec_vici_rd_t *r, const uint8_t *msg, size_t len)
{
	r->p = msg;
	r->end = msg + len;
	r->depth = 0;
	r->in_list = false;
	r->error = RODNS_OK;
}

static int rd_fail(ipsec_vici_rd_t *r)
{
	r->error = RODNS_E_MALFORMED;
	return r->error;
}

static int rd_name(ipsec_vici_rd_t *r, ipsec_vici_el_t *el)
{
	if (r->p >= r->end)
		return rd_fail(r);
	size_t n = *r->p++;
	if (n > (size_t)(r->end - r->p))
		return rd_fail(r);
	el->name = r->p;
	el->name_len = n;
	r->p += n;
	return RODNS_OK;
}

static int rd_value(ipsec_vici_rd_t *r, ipsec_vici_el_t *el)
{
	if (r->end - r->p < 2)
		return rd_fail(r);
	size_t n = ((size_t)r->p[0] << 8) | r->p[1];
	r->p += 2;
	if (n > (size_t)(r->end - r->p))
		return rd_fail(r);
	el->val = r->p;
	el->val_len = n;
	r->p += n;
	return RODNS_OK;
}

int ipsec_vici_rd_next(ipsec_vici_rd_t *r, ipsec_vici_el_t *el)
{
	if (r->error)
		return r->error;
	memset(el, 0, sizeof(*el));
	if (r->p >= r->end)
		return r->depth || r->in_list ? rd_fail(r) : 0;
	el->type = *r->p++;
	el->depth = r->depth;
	switch (el->type) {
	case IPSEC_VICI_SECTION_START:
		if (r->in_list || r->depth >= IPSEC_VICI_DEPTH_MAX || rd_name(r, el))
			return rd_fail(r);
		r->depth++;
		return 1;
	case IPSEC_VICI_SECTION_END:
		if (r->in_list || r->depth == 0)
			return rd_fail(r);
		el->depth = --r->depth;
		return 1;
	case IPSEC_VICI_KEY_VALUE:
		if (r->in_list || rd_name(r, el) || rd_value(r, el))
			return rd_fail(r);
		return 1;
	case IPSEC_VICI_LIST_START:
		if (r->in_list || rd_name(r, el))
			return rd_fail(r);
		r->in_list = true;
		return 1;
	case IPSEC_VICI_LIST_ITEM:
		if (!r->in_list || rd_value(r, el))
			return rd_fail(r);
		return 1;
	case IPSEC_VICI_LIST_END:
		if (!r->in_list)
			return rd_fail(r);
		r->in_list = false;
		return 1;
	default:
		return rd_fail(r);
	}
}

static bool name_is(const ipsec_vici_el_t *el, const char *s)
{
	return el->name_len == strlen(s) && !memcmp(el->name, s, el->name_len);
}

/* Copies a value that is text (no NUL, no control characters) and fits;
 * -1 otherwise (dst then holds ""). */
static int text_val(char *dst, size_t cap, const uint8_t *v, size_t n)
{
	dst[0] = '\0';
	if (n >= cap)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] == 0x7f)
			return -1;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

int ipsec_vici_msg_get(const uint8_t *msg, size_t len, const char *name, char *out, size_t cap)
{
	ipsec_vici_rd_t r;
	ipsec_vici_el_t el;
	int rc, found = 0, bad = 0;

	ipsec_vici_rd_init(&r, msg, len);
	while ((rc = ipsec_vici_rd_next(&r, &el)) == 1) {
		if (found || el.type != IPSEC_VICI_KEY_VALUE || el.depth || !name_is(&el, name))
			continue;
		found = 1;
		bad = text_val(out, cap, el.val, el.val_len) < 0;
	}
	if (rc < 0 || bad)
		return RODNS_E_MALFORMED;
	return found ? RODNS_OK : RODNS_E_NOTFOUND;
}

/* Copies src to dst, cut to fit cap (> 0). */
static void scopy(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ---- traffic selectors ---- */

static int parse_u16(const char *s, size_t n, uint16_t *out)
{
	unsigned long v = 0;
	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* "[tcp/53]" and friends; charon names the protocol and well-known ports
 * through getprotobynumber/getservbyport. Only what can cover DNS over TCP
 * needs to be understood: anything else is kept as "not TCP". */
static int ts_proto_ports(const char *s, size_t n, ipsec_vici_ts_t *ts)
{
	const char *slash = memchr(s, '/', n);
	size_t pn = slash ? (size_t)(slash - s) : n;

	if ((pn == 3 && !memcmp(s, "tcp", 3)) || (pn == 1 && s[0] == '6'))
		ts->tcp = true;
	else if ((pn == 2 && !memcmp(s, "ip", 2)) || (pn == 1 && s[0] == '0'))
		ts->tcp = true; /* any protocol, restricted ports */
	else
		ts->tcp = false;
	if (!slash)
		return 0;
	const char *p = slash + 1;
	size_t m = n - pn - 1;
	const char *dash = memchr(p, '-', m);
	if (m == 6 && !memcmp(p, "domain", 6)) {
		ts->port_lo = ts->port_hi = 53;
	} else if (m == 6 && !memcmp(p, "OPAQUE", 6)) {
		ts->port_lo = 1; /* an empty range: covers nothing */
		ts->port_hi = 0;
	} else if (dash) {
		if (parse_u16(p, (size_t)(dash - p), &ts->port_lo) ||
		    parse_u16(dash + 1, m - (size_t)(dash - p) - 1, &ts->port_hi) ||
		    ts->port_lo > ts->port_hi)
			return -1;
	} else if (parse_u16(p, m, &ts->port_lo)) {
		return -1; /* another service name: not understood */
	} else {
		ts->port_hi = ts->port_lo;
	}
	return 0;
}

static int ts_addr(const char *s, size_t n, uint8_t *family, uint8_t out[16])
{
	char buf[INET6_ADDRSTRLEN];

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(out, 0, 16);
	if (inet_pton(AF_INET, buf, out) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, out) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -1;
}

static int ts_prefix(const char *s, size_t n, ipsec_vici_ts_t *ts)
{
	const char *slash = memchr(s, '/', n);
	size_t an = slash ? (size_t)(slash - s) : n;
	uint16_t bits;

	if (ts_addr(s, an, &ts->family, ts->from))
		return -1;
	size_t alen = ts->family == AF_INET ? 4 : 16;
	if (!slash)
		bits = (uint16_t)(alen * 8);
	else if (parse_u16(slash + 1, n - an - 1, &bits) || bits > alen * 8)
		return -1;
	memcpy(ts->to, ts->from, alen);
	for (size_t i = 0; i < alen; i++) {
		unsigned keep = bits >= (i + 1) * 8 ? 8 : bits > i * 8 ? bits - i * 8 : 0;
		uint8_t mask = (uint8_t)(0xffu >> keep); /* host bits */
		ts->from[i] &= (uint8_t)~mask;
		ts->to[i] |= mask;
	}
	return 0;
}

static int ts_range(const char *s, size_t n, const char *dots, ipsec_vici_ts_t *ts)
{
	uint8_t fam2;
	size_t an = (size_t)(dots - s);

	if (ts_addr(s, an, &ts->family, ts->from) || ts_addr(dots + 2, n - an - 2, &fam2, ts->to) ||
	    fam2 != ts->family)
		return -1;
	return memcmp(ts->from, ts->to, ts->family == AF_INET ? 4 : 16) > 0 ? -1 : 0;
}

void ipsec_vici_ts_parse(const char *text, ipsec_vici_ts_t *ts)
{
	size_t n = strlen(text);
	const char *br = memchr(text, '[', n);
	size_t an = br ? (size_t)(br - text) : n;
	const char *dots = NULL;

	memset(ts, 0, sizeof(*ts));
	scopy(ts->text, sizeof(ts->text), text);
	ts->tcp = true;
	ts->port_lo = 0;
	ts->port_hi = 65535;
	if (n >= sizeof(ts->text))
		return;
	if (br && (n - an < 2 || text[n - 1] != ']' || ts_proto_ports(br + 1, n - an - 2, ts)))
		return;
	for (size_t i = 0; i + 1 < an; i++)
		if (text[i] == '.' && text[i + 1] == '.')
			dots = text + i;
	if (dots ? ts_range(text, an, dots, ts) : ts_prefix(text, an, ts))
		return;
	ts->ok = true;
}

/* The address of a (network order) into out; its family or 0. */
static int addr_of(const conf_addr_t *a, uint8_t out[16], uint16_t *port)
{
	memset(out, 0, 16);
	*port = 0;
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)&a->ss;
		memcpy(out, &s->sin_addr, 4);
		*port = ntohs(s->sin_port);
		return AF_INET;
	}
	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&a->ss;
		memcpy(out, &s->sin6_addr, 16);
		*port = ntohs(s->sin6_port);
		return AF_INET6;
	}
	return 0;
}

bool ipsec_vici_ts_covers(const ipsec_vici_ts_t *ts, const conf_addr_t *a)
{
	uint8_t addr[16];
	uint16_t port;
	int fam = addr_of(a, addr, &port);

	if (!ts->ok || !ts->tcp || fam != ts->family)
		return false;
	size_t alen = fam == AF_INET ? 4 : 16;
	return memcmp(ts->from, addr, alen) <= 0 && memcmp(addr, ts->to, alen) <= 0 &&
	       port >= ts->port_lo && port <= ts->port_hi;
}

/* ---- identities ---- */

/* Writes s without leading and trailing whitespace and without whitespace
 * after unescaped commas; -1 when it does not fit. */
static int id_norm(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	bool esc = false, skip = true;

	for (; *s; s++) {
		char c = *s;
		if (skip && (c == ' ' || c == '\t'))
			continue;
		skip = false;
		if (n + 1 >= cap)
			return -1;
		out[n++] = c;
		if (esc)
			esc = false;
		else if (c == '\\')
			esc = true;
		else if (c == ',')
			skip = true;
	}
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\t') && !(n >= 2 && out[n - 2] == '\\'))
		n--;
	out[n] = '\0';
	return 0;
}

bool ipsec_vici_id_eq(const char *a, const char *b)
{
	char x[600], y[600];

	if (id_norm(a, x, sizeof(x)) || id_norm(b, y, sizeof(y)))
		return false;
	return x[0] && !strcmp(x, y);
}

/* ---- one IKE SA ---- */

enum { K_TOP, K_IKE, K_CHILDREN, K_CHILD, K_OTHER };
enum { L_NONE, L_LOCAL, L_REMOTE, L_OTHER };

typedef struct {
	ipsec_vici_ike_t *ike;
	uint8_t kind[IPSEC_VICI_DEPTH_MAX + 1];
	ipsec_vici_child_t *cur; /* the CHILD SA section we are in, if kept */
	int list;
	unsigned n_top;
	unsigned seen; /* keys already given, to refuse a second one */
	unsigned cseen;
} ike_ctx_t;

#define SEEN_STATE    1u
#define SEEN_ID	      2u
#define SEEN_CHILDREN 4u
#define SEEN_NAME     8u
#define SEEN_LOCAL    16u
#define SEEN_REMOTE   32u

static int once(unsigned *seen, unsigned bit)
{
	if (*seen & bit)
		return -1;
	*seen |= bit;
	return 0;
}

static int ike_section(ike_ctx_t *c, const ipsec_vici_el_t *el)
{
	ipsec_vici_ike_t *ike = c->ike;
	uint8_t parent = c->kind[el->depth], kind = K_OTHER;

	if (parent == K_TOP) {
		if (c->n_top++)
			return -1;
		text_val(ike->name, sizeof(ike->name), el->name, el->name_len);
		kind = K_IKE;
	} else if (parent == K_IKE && name_is(el, "child-sas")) {
		if (once(&c->seen, SEEN_CHILDREN))
			return -1;
		kind = K_CHILDREN;
	} else if (parent == K_CHILDREN) {
		if (ike->n_child < IPSEC_VICI_CHILD_MAX) {
			c->cur = &ike->child[ike->n_child++];
			memset(c->cur, 0, sizeof(*c->cur));
			text_val(c->cur->name, sizeof(c->cur->name), el->name, el->name_len);
			c->cseen = 0;
			kind = K_CHILD;
		} else {
			ike->overflow = true;
		}
	}
	c->kind[el->depth + 1] = kind;
	return 0;
}

static int ike_key(ike_ctx_t *c, const ipsec_vici_el_t *el)
{
	ipsec_vici_ike_t *ike = c->ike;
	uint8_t kind = c->kind[el->depth];

	if (kind == K_IKE && name_is(el, "state")) {
		if (once(&c->seen, SEEN_STATE))
			return -1;
		text_val(ike->state, sizeof(ike->state), el->val, el->val_len);
	} else if (kind == K_IKE && name_is(el, "remote-id")) {
		if (once(&c->seen, SEEN_ID))
			return -1;
		ike->remote_id_bad =
		    text_val(ike->remote_id, sizeof(ike->remote_id), el->val, el->val_len) < 0;
	} else if (kind == K_CHILD && name_is(el, "name")) {
		if (once(&c->cseen, SEEN_NAME))
			return -1;
		text_val(c->cur->name, sizeof(c->cur->name), el->val, el->val_len);
	} else if (kind == K_CHILD && name_is(el, "state")) {
		if (once(&c->cseen, SEEN_STATE))
			return -1;
		text_val(c->cur->state, sizeof(c->cur->state), el->val, el->val_len);
	}
	return 0;
}

static int ike_list(ike_ctx_t *c, const ipsec_vici_el_t *el)
{
	c->list = L_OTHER;
	if (c->kind[el->depth] != K_CHILD)
		return 0;
	if (name_is(el, "local-ts")) {
		c->list = L_LOCAL;
		return once(&c->cseen, SEEN_LOCAL);
	}
	if (name_is(el, "remote-ts")) {
		c->list = L_REMOTE;
		return once(&c->cseen, SEEN_REMOTE);
	}
	return 0;
}

static void ike_item(ike_ctx_t *c, const ipsec_vici_el_t *el)
{
	ipsec_vici_ts_t *v;
	size_t *n;
	char text[sizeof(v->text)];

	if (c->list != L_LOCAL && c->list != L_REMOTE)
		return;
	v = c->list == L_LOCAL ? c->cur->local : c->cur->remote;
	n = c->list == L_LOCAL ? &c->cur->n_local : &c->cur->n_remote;
	if (*n >= IPSEC_VICI_TS_MAX) {
		c->ike->overflow = true;
		return;
	}
	if (text_val(text, sizeof(text), el->val, el->val_len) < 0) {
		memset(&v[*n], 0, sizeof(v[*n]));
		snprintf(v[(*n)++].text, sizeof(v->text), "(unreadable)");
		return;
	}
	ipsec_vici_ts_parse(text, &v[(*n)++]);
}

int ipsec_vici_ike_parse(const uint8_t *msg, size_t len, ipsec_vici_ike_t *ike)
{
	ike_ctx_t c = {.ike = ike};
	ipsec_vici_rd_t r;
	ipsec_vici_el_t el;
	int rc, bad = 0;

	memset(ike, 0, sizeof(*ike));
	ipsec_vici_rd_init(&r, msg, len);
	while (!bad && (rc = ipsec_vici_rd_next(&r, &el)) == 1) {
		switch (el.type) {
		case IPSEC_VICI_SECTION_START:
			bad = ike_section(&c, &el);
			break;
		case IPSEC_VICI_SECTION_END:
			if (c.kind[el.depth + 1] == K_CHILD)
				c.cur = NULL;
			break;
		case IPSEC_VICI_KEY_VALUE:
			bad = ike_key(&c, &el);
			break;
		case IPSEC_VICI_LIST_START:
			bad = ike_list(&c, &el);
			break;
		case IPSEC_VICI_LIST_ITEM:
			ike_item(&c, &el);
			break;
		default: /* LIST_END */
			c.list = L_NONE;
			break;
		}
	}
	if (bad || rc < 0 || c.n_top != 1)
		return RODNS_E_MALFORMED;
	return RODNS_OK;
}

/* ---- judgement ---- */

static const char *fam_name(int fam)
{
	return fam == AF_INET ? "IPv4" : "IPv6";
}

static void addr_text(const conf_addr_t *a, char *buf, size_t cap)
{
	uint8_t addr[16];
	uint16_t port;
	int fam = addr_of(a, addr, &port);
	char t[INET6_ADDRSTRLEN] = "?";

	if (fam)
		inet_ntop(fam, addr, t, sizeof(t));
	snprintf(buf, cap, "%s port %u", t, port);
}

static const ipsec_vici_ts_t *first_local(const ipsec_vici_child_t *ch, int fam)
{
	for (size_t i = 0; i < ch->n_local; i++)
		if (ch->local[i].ok && ch->local[i].family == fam)
			return &ch->local[i];
	return NULL;
}

static bool child_covers(const ipsec_vici_child_t *ch, const conf_addr_t *primary)
{
	for (size_t i = 0; i < ch->n_remote; i++)
		if (ipsec_vici_ts_covers(&ch->remote[i], primary))
			return true;
	return false;
}

static void fill_sa(const ipsec_vici_ike_t *ike, const ipsec_vici_child_t *ch,
		    const ipsec_vici_ts_t *local, ipsec_sa_t *sa)
{
	memset(sa, 0, sizeof(*sa));
	scopy(sa->ike_name, sizeof(sa->ike_name), ike->name);
	scopy(sa->child_name, sizeof(sa->child_name), ch->name);
	scopy(sa->remote_id, sizeof(sa->remote_id), ike->remote_id);
	if (local->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&sa->local_inner.ss;
		s->sin_family = AF_INET;
		memcpy(&s->sin_addr, local->from, 4);
		sa->local_inner.len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&sa->local_inner.ss;
		s->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, local->from, 16);
		sa->local_inner.len = sizeof(*s);
	}
}

/* Appends "name: ts, ts; " for each installed child (up to what fits). */
static void list_remote_ts(const ipsec_vici_ike_t *ike, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < ike->n_child && n < cap; i++) {
		const ipsec_vici_child_t *ch = &ike->child[i];
		if (strcmp(ch->state, "INSTALLED"))
			continue;
		n += (size_t)snprintf(out + n, cap - n, "%s%s:", n ? "; " : "", ch->name);
		for (size_t j = 0; j < ch->n_remote && n < cap; j++)
			n += (size_t)snprintf(out + n, cap - n, " %s", ch->remote[j].text);
		if (!ch->n_remote && n < cap)
			n += (size_t)snprintf(out + n, cap - n, " none");
	}
}

static ipsec_vici_level_t judge_children(const ipsec_vici_ike_t *ike, const conf_addr_t *primary,
					 ipsec_sa_t *sa, char *why, size_t cap)
{
	ipsec_vici_level_t best = IPSEC_VICI_NO_CHILD;
	const ipsec_vici_child_t *nolocal = NULL;
	int fam = primary->ss.ss_family;
	char at[80], list[256];

	for (size_t i = 0; i < ike->n_child; i++) {
		const ipsec_vici_child_t *ch = &ike->child[i];
		if (strcmp(ch->state, "INSTALLED"))
			continue;
		if (best < IPSEC_VICI_NO_COVER)
			best = IPSEC_VICI_NO_COVER;
		if (!child_covers(ch, primary))
			continue;
		const ipsec_vici_ts_t *local = first_local(ch, fam);
		if (local) {
			fill_sa(ike, ch, local, sa);
			return IPSEC_VICI_MATCH;
		}
		best = IPSEC_VICI_NO_LOCAL;
		nolocal = ch;
	}
	addr_text(primary, at, sizeof(at));
	if (best == IPSEC_VICI_NO_CHILD) {
		snprintf(why, cap,
			 "IKE SA '%s' with '%s' is ESTABLISHED but has no INSTALLED CHILD SA%s",
			 ike->name, ike->remote_id, ike->n_child ? "" : " (none at all)");
	} else if (best == IPSEC_VICI_NO_COVER) {
		list_remote_ts(ike, list, sizeof(list));
		snprintf(
		    why, cap,
		    "no INSTALLED CHILD SA of IKE SA '%s' with '%s' has a remote traffic selector "
		    "covering %s/tcp (remote-ts %s)%s",
		    ike->name, ike->remote_id, at, list,
		    ike->overflow ? "; some selectors were not examined" : "");
	} else {
		snprintf(why, cap,
			 "CHILD SA '%s' of IKE SA '%s' covers %s but has no %s local "
			 "traffic selector",
			 nolocal->name, ike->name, at, fam_name(fam));
	}
	return best;
}

ipsec_vici_level_t ipsec_vici_judge(const ipsec_vici_ike_t *ike, const char *remote_id,
				    const conf_addr_t *primary, ipsec_sa_t *sa, char *why,
				    size_t cap)
{
	if (cap)
		why[0] = '\0';
	if (ike->remote_id_bad || !ipsec_vici_id_eq(ike->remote_id, remote_id))
		return IPSEC_VICI_NO_ID;
	if (strcmp(ike->state, "ESTABLISHED")) {
		snprintf(why, cap, "IKE SA '%s' with '%s' is %s, not ESTABLISHED", ike->name,
			 ike->remote_id, ike->state[0] ? ike->state : "in no known state");
		return IPSEC_VICI_NOT_ESTABLISHED;
	}
	return judge_children(ike, primary, sa, why, cap);
}
