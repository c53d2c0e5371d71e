/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Minimal JSON: buffer emitters and a DOM parser. See json.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/json.h"

#define JSON_DEPTH 32

/* ---- the buffer ----------------------------------------------------------- */

void dbuf_free(dbuf_t *b)
{
	free(b->p);
	*b = (dbuf_t){0};
}

void dbuf_reset(dbuf_t *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

static bool grow(dbuf_t *b, size_t more)
{
	if (b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void dbuf_add(dbuf_t *b, const void *data, size_t len)
{
	if (!grow(b, len))
		return;
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void dbuf_puts(dbuf_t *b, const char *s)
{
	dbuf_add(b, s, strlen(s));
}

void dbuf_printf(dbuf_t *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void dbuf_json_str(dbuf_t *b, const char *s)
{
	dbuf_add(b, "\"", 1);
	for (const char *r = s; *r; r++) {
		unsigned char c = (unsigned char)*r;
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			dbuf_add(b, e, 2);
		} else if (c < 0x20 || c == 0x7f) {
			dbuf_printf(b, "\\u%04x", c);
		} else {
			dbuf_add(b, r, 1);
		}
	}
	dbuf_add(b, "\"", 1);
}

void dbuf_json_key(dbuf_t *b, bool *first, const char *key)
{
	if (!*first)
		dbuf_add(b, ",", 1);
	*first = false;
	dbuf_json_str(b, key);
	dbuf_add(b, ":", 1);
}

void dbuf_json_kstr(dbuf_t *b, bool *first, const char *key, const char *val)
{
	dbuf_json_key(b, first, key);
	dbuf_json_str(b, val ? val : "");
}

void dbuf_json_kint(dbuf_t *b, bool *first, const char *key, int64_t val)
{
	dbuf_json_key(b, first, key);
	dbuf_printf(b, "%lld", (long long)val);
}

void dbuf_json_kbool(dbuf_t *b, bool *first, const char *key, bool val)
{
	dbuf_json_key(b, first, key);
	dbuf_puts(b, val ? "true" : "false");
}

/* ---- the parser ----------------------------------------------------------- */

typedef struct {
	const char *base, *p, *end;
	char *err;
	size_t errcap;
	bool failed;
} jp_t;

static void jp_fail(jp_t *j, const char *why)
{
	if (!j->failed && j->err && j->errcap)
		snprintf(j->err, j->errcap, "%s at offset %zu", why, (size_t)(j->p - j->base));
	j->failed = true;
}

static void ws(jp_t *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool lit(jp_t *j, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return false;
	j->p += n;
	return true;
}

static int hex4(jp_t *j, unsigned *out)
{
	unsigned v = 0;
	if (j->end - j->p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = *j->p++;
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void utf8(dbuf_t *b, unsigned cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	dbuf_add(b, u, n);
}

static int escape(jp_t *j, dbuf_t *b)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	if (j->p >= j->end)
		return -1;
	char c = *j->p++;
	const char *k = strchr(from, c);
	if (c && k) {
		dbuf_add(b, &to[k - from], 1);
		return 0;
	}
	unsigned cp, lo;
	if (c != 'u' || hex4(j, &cp) != 0)
		return -1;
	if (cp >= 0xd800 && cp < 0xdc00) {
		if (!lit(j, "\\u") || hex4(j, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
			return -1;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (cp >= 0xdc00 && cp < 0xe000) {
		return -1;
	}
	if (cp == 0)
		return -1; /* strings are C strings */
	utf8(b, cp);
	return 0;
}

static char *string(jp_t *j)
{
	dbuf_t b = {0};
	if (!lit(j, "\"")) {
		jp_fail(j, "expected a string");
		return NULL;
	}
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p;
		if (c < 0x20)
			break;
		if (c == '\\') {
			j->p++;
			if (escape(j, &b) != 0) {
				jp_fail(j, "bad escape");
				dbuf_free(&b);
				return NULL;
			}
		} else {
			dbuf_add(&b, j->p++, 1);
		}
	}
	if (!lit(j, "\"") || b.oom) {
		jp_fail(j, "bad string");
		dbuf_free(&b);
		return NULL;
	}
	if (!b.p)
		dbuf_add(&b, "", 0);
	return b.p ? b.p : strdup("");
}

static void number(jp_t *j, json_t *v)
{
	char tmp[64];
	size_t n = 0;
	while (j->p + n < j->end && n < sizeof(tmp) - 1 && strchr("+-0123456789.eE", j->p[n]))
		n++;
	memcpy(tmp, j->p, n);
	tmp[n] = '\0';
	char *e = NULL;
	v->num = strtod(tmp, &e);
	if (n == 0 || *e != '\0' || !isfinite(v->num)) {
		jp_fail(j, "bad number");
		return;
	}
	j->p += n;
	v->type = JSON_NUM;
	long long ll = strtoll(tmp, &e, 10);
	v->inum = *e == '\0' ? (int64_t)ll : (int64_t)v->num;
}

static json_t *value(jp_t *j, int depth);

/* Elements of an array or members of an object until close. */
static void members(jp_t *j, json_t *v, char close, int depth)
{
	json_t **tail = &v->child;
	ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return;
	}
	while (!j->failed) {
		char *key = NULL;
		ws(j);
		if (v->type == JSON_OBJ) {
			key = string(j);
			ws(j);
			if (!key || !lit(j, ":")) {
				free(key);
				jp_fail(j, "bad member");
				return;
			}
		}
		json_t *e = value(j, depth + 1);
		if (!e) {
			free(key);
			return;
		}
		e->key = key;
		*tail = e;
		tail = &e->next;
		ws(j);
		if (lit(j, ","))
			continue;
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return;
		}
		jp_fail(j, "expected , or a closing bracket");
	}
}

static json_t *value(jp_t *j, int depth)
{
	if (depth > JSON_DEPTH) {
		jp_fail(j, "nested too deeply");
		return NULL;
	}
	json_t *v = calloc(1, sizeof(*v));
	if (!v) {
		jp_fail(j, "out of memory");
		return NULL;
	}
	ws(j);
	char c = j->p < j->end ? *j->p : '\0';
	if (c == '{' || c == '[') {
		j->p++;
		v->type = c == '{' ? JSON_OBJ : JSON_ARR;
		members(j, v, c == '{' ? '}' : ']', depth);
	} else if (c == '"') {
		v->type = JSON_STR;
		v->str = string(j);
	} else if (lit(j, "true")) {
		v->type = JSON_BOOL;
		v->b = true;
	} else if (lit(j, "false")) {
		v->type = JSON_BOOL;
	} else if (lit(j, "null")) {
		v->type = JSON_NULL;
	} else {
		number(j, v);
	}
	if (j->failed) {
		json_free(v);
		return NULL;
	}
	return v;
}

json_t *json_parse(const char *text, size_t len, char *err, size_t errcap)
{
	jp_t j = {.base = text, .p = text, .end = text + len, .err = err, .errcap = errcap};
	json_t *v = value(&j, 0);
	ws(&j);
	if (v && j.p != j.end) {
		jp_fail(&j, "trailing data");
		json_free(v);
		return NULL;
	}
	return v;
}

void json_free(json_t *j)
{
	while (j) {
		json_t *next = j->next;
		json_free(j->child);
		free(j->key);
		free(j->str);
		free(j);
		j = next;
	}
}

const json_t *json_get(const json_t *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJ)
		return NULL;
	for (const json_t *e = obj->child; e; e = e->next)
		if (e->key && strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

const char *json_get_str(const json_t *obj, const char *key, const char *def)
{
	const json_t *e = json_get(obj, key);
	return e && e->type == JSON_STR ? e->str : def;
}

int64_t json_get_int(const json_t *obj, const char *key, int64_t def)
{
	const json_t *e = json_get(obj, key);
	return e && e->type == JSON_NUM ? e->inum : def;
}

bool json_get_bool(const json_t *obj, const char *key, bool def)
{
	const json_t *e = json_get(obj, key);
	return e && e->type == JSON_BOOL ? e->b : def;
}
