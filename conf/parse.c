/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Walking the libyaml document tree: error collection, mapping checks
 * (unknown, duplicate and missing keys), and setters for plain values. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/internal.h"
#include "dns/err.h"

static void err_add(conf_ctx_t *c, yaml_mark_t m, const char *fmt, va_list ap)
{
	char buf[512];
	conf_err_t *e;

	if (c->n_errs >= CONF_MAX_ERRORS) {
		c->n_dropped++;
		return;
	}
	if (!c->errs) {
		c->errs = calloc(CONF_MAX_ERRORS, sizeof(*c->errs));
		if (!c->errs) {
			c->oom = 1;
			return;
		}
	}
	vsnprintf(buf, sizeof(buf), fmt, ap);
	e = &c->errs[c->n_errs];
	e->msg = strdup(buf);
	if (!e->msg) {
		c->oom = 1;
		return;
	}
	e->line = (unsigned long)m.line + 1;
	e->col = (unsigned long)m.column + 1;
	e->seq = c->n_errs++;
}

void conf_err_mark(conf_ctx_t *c, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_add(c, m, fmt, ap);
	va_end(ap);
}

void conf_err(conf_ctx_t *c, const yaml_node_t *at, const char *fmt, ...)
{
	yaml_mark_t m = { 0, 0, 0 };
	va_list ap;

	if (at)
		m = at->start_mark;
	va_start(ap, fmt);
	err_add(c, m, fmt, ap);
	va_end(ap);
}

void *conf_alloc(conf_ctx_t *c, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		c->oom = 1;
	return p;
}

char *conf_strdup(conf_ctx_t *c, const char *s)
{
	char *p = strdup(s);

	if (!p)
		c->oom = 1;
	return p;
}

/* p made absolute against base (unless it already is); a new string. */
char *conf_path(conf_ctx_t *c, const char *base, const char *p)
{
	char *out;

	if (p[0] == '/' || !base)
		return conf_strdup(c, p);
	if (asprintf(&out, "%s/%s", base, p) < 0) {
		c->oom = 1;
		return NULL;
	}
	return out;
}

/* Charges one node against the alias-expansion budget. */
int conf_visit(conf_ctx_t *c, const yaml_node_t *n)
{
	if (c->budget == 0)
		return -1;
	if (--c->budget == 0) {
		/* Reported first by conf.c whatever else was found: it is why the
		 * rest of the file was not checked. */
		c->too_big = 1;
		c->too_big_at = n->start_mark;
		return -1;
	}
	return 0;
}

const char *conf_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* An unquoted "", "~" or "null": YAML's way of saying "no value". */
int conf_is_null(const yaml_node_t *n)
{
	const char *s = conf_scalar(n);

	if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

const char *conf_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

yaml_node_t *conf_node(conf_ctx_t *c, yaml_node_item_t i)
{
	return yaml_document_get_node(c->doc, i);
}

int conf_want(conf_ctx_t *c, yaml_node_t *v, yaml_node_type_t t, const char *key)
{
	static const char *const want[] = {
		[YAML_SCALAR_NODE] = "a single value",
		[YAML_SEQUENCE_NODE] = "a list",
		[YAML_MAPPING_NODE] = "a mapping",
	};

	if (v->type == t)
		return 0;
	conf_err(c, v, "%s: expected %s, got %s", key, want[t], conf_kind(v));
	return -1;
}

static int key_index(const conf_key_t *keys, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(keys[i].name, name))
			return (int)i;
	return -1;
}

/* Pass 1: every key known, once; value nodes into seen. */
static int map_scan(conf_ctx_t *c, yaml_node_t *m, const conf_key_t *keys, size_t n,
		    const char *where, conf_seen_t *seen, yaml_node_t **first)
{
	int bad = 0;

	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = conf_node(c, p->key), *v = conf_node(c, p->value);
		const char *name = conf_scalar(k);
		int i;

		if (conf_visit(c, k) < 0)
			return -1;
		if (!name) {
			conf_err(c, k, "%s: keys must be plain words, got %s", where, conf_kind(k));
			bad = 1;
		} else if ((i = key_index(keys, n, name)) < 0) {
			conf_err(c, k, "unknown key '%s' in %s", name, where);
			bad = 1;
		} else if (first[i]) {
			conf_err(c, k, "duplicate key '%s' (first at line %lu)", name,
				 (unsigned long)first[i]->start_mark.line + 1);
			bad = 1;
		} else {
			first[i] = k;
			seen->val[i] = conf_is_null(v) ? NULL : v;
			if (!seen->val[i] && keys[i].required) {
				conf_err(c, v, "%s: '%s' needs a value", where, name);
				bad = 1;
			}
		}
	}
	return bad ? -1 : 0;
}

/* Checks mapping m against keys and calls each setter in table order with
 * base as destination. Returns 0, or -1 when anything was reported. seen may
 * be NULL. */
int conf_map(conf_ctx_t *c, yaml_node_t *m, const conf_key_t *keys, size_t n, void *base,
	     const char *where, conf_seen_t *seen)
{
	yaml_node_t *first[CONF_KEYS_MAX] = { 0 };
	conf_seen_t local;
	int bad;

	if (!seen)
		seen = &local;
	memset(seen, 0, sizeof(*seen));
	seen->node = m;
	if (conf_want(c, m, YAML_MAPPING_NODE, where) < 0)
		return -1;
	bad = map_scan(c, m, keys, n, where, seen, first);
	for (size_t i = 0; i < n; i++) {
		if (seen->val[i] && keys[i].set) {
			if (keys[i].set(c, seen->val[i], (char *)base + keys[i].off, &keys[i]) < 0)
				bad = -1;
		} else if (!first[i] && keys[i].required) {
			conf_err(c, m, "%s: missing required key '%s'", where, keys[i].name);
			bad = -1;
		}
	}
	return bad ? -1 : 0;
}

yaml_node_t *conf_seen_get(const conf_seen_t *s, const conf_key_t *keys, size_t n,
			   const char *name)
{
	int i = key_index(keys, n, name);

	return i < 0 ? NULL : s->val[i];
}

/* Lists: a YAML sequence, or one scalar standing for a list of one. */
size_t conf_list_len(conf_ctx_t *c, yaml_node_t *v)
{
	(void)c;
	if (v->type == YAML_SEQUENCE_NODE)
		return (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	return 1;
}

yaml_node_t *conf_list_item(conf_ctx_t *c, yaml_node_t *v, size_t i)
{
	if (v->type == YAML_SEQUENCE_NODE)
		return conf_node(c, v->data.sequence.items.start[i]);
	return v;
}

int conf_list_check(conf_ctx_t *c, yaml_node_t *v, const conf_key_t *k, size_t max)
{
	size_t n;

	if (v->type == YAML_MAPPING_NODE) {
		conf_err(c, v, "%s: expected a list, got a mapping", k->name);
		return -1;
	}
	n = conf_list_len(c, v);
	if (n > max) {
		conf_err(c, v, "%s: too many entries (%zu, at most %zu)", k->name, n, max);
		return -1;
	}
	return 0;
}

static const char *want_scalar(conf_ctx_t *c, yaml_node_t *v, const conf_key_t *k)
{
	if (conf_want(c, v, YAML_SCALAR_NODE, k->name) < 0)
		return NULL;
	return conf_scalar(v);
}

int conf_set_str(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	const char *s = want_scalar(c, v, k);

	if (!s)
		return -1;
	if (!*s) {
		conf_err(c, v, "%s: must not be empty", k->name);
		return -1;
	}
	free(*(char **)dst);
	*(char **)dst = conf_strdup(c, s);
	return 0;
}

int conf_set_path(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	const char *s = want_scalar(c, v, k);

	if (!s)
		return -1;
	if (!*s) {
		conf_err(c, v, "%s: must not be empty", k->name);
		return -1;
	}
	free(*(char **)dst);
	*(char **)dst = conf_path(c, c->basedir, s);
	return 0;
}

int conf_set_bool(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	const char *s = want_scalar(c, v, k);

	if (!s)
		return -1;
	if (conf_parse_bool(s, (bool *)dst) != RODNS_OK) {
		conf_err(c, v, "%s: expected yes/no, true/false or on/off, got '%s'", k->name, s);
		return -1;
	}
	return 0;
}

/* Decimal integer within [k->min, max(k->max, cap)]. */
static int get_uint(conf_ctx_t *c, yaml_node_t *v, const conf_key_t *k, uint64_t cap,
		    uint64_t *out)
{
	const char *s = want_scalar(c, v, k);
	uint64_t max = k->max ? k->max : cap;
	char *end;

	if (!s)
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || *out < k->min || *out > max) {
		conf_err(c, v, "%s: expected a whole number from %" PRIu64 " to %" PRIu64 ", got '%s'",
			 k->name, k->min, max, s);
		return -1;
	}
	return 0;
}

int conf_set_uint(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	uint64_t n;

	if (get_uint(c, v, k, UINT32_MAX, &n) < 0)
		return -1;
	*(unsigned *)dst = (unsigned)n;
	return 0;
}

int conf_set_u16(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	uint64_t n;

	if (get_uint(c, v, k, UINT16_MAX, &n) < 0)
		return -1;
	*(uint16_t *)dst = (uint16_t)n;
	return 0;
}

int conf_set_u64(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	return get_uint(c, v, k, UINT64_MAX, (uint64_t *)dst);
}

int conf_set_duration(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	const char *s = want_scalar(c, v, k);
	uint64_t max = k->max ? k->max : UINT32_MAX;
	uint32_t d;

	if (!s)
		return -1;
	if (conf_parse_duration(s, &d) != RODNS_OK) {
		conf_err(c, v, "%s: expected a duration such as 30, 90s, 15m, 1h30m, 7d or 2w, got '%s'",
			 k->name, s);
		return -1;
	}
	if (d < k->min || d > max) {
		conf_err(c, v, "%s: %s is out of range (%" PRIu64 "s to %" PRIu64 "s)", k->name, s,
			 k->min, max);
		return -1;
	}
	*(uint32_t *)dst = d;
	return 0;
}

int conf_set_size(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	const char *s = want_scalar(c, v, k);
	uint64_t max = k->max ? k->max : UINT64_MAX;
	uint64_t n;

	if (!s)
		return -1;
	if (conf_parse_size(s, &n) != RODNS_OK || n < k->min || n > max) {
		conf_err(c, v, "%s: expected a size from %" PRIu64 " such as 65536, 64k, 512M or 4G, got '%s'",
			 k->name, k->min, s);
		return -1;
	}
	*(uint64_t *)dst = n;
	return 0;
}

/* A list of prefixes into a conf_acl_t (replacing what was there). */
int conf_set_acl(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	conf_acl_t *acl = dst;
	size_t n;
	int bad = 0;

	if (conf_list_check(c, v, k, CONF_MAX_ACL) < 0)
		return -1;
	n = conf_list_len(c, v);
	free(acl->v);
	acl->n = 0;
	acl->v = conf_alloc(c, n, sizeof(*acl->v));
	if (!acl->v)
		return -1;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = conf_list_item(c, v, i);
		const char *s = conf_scalar(it), *why;

		if (conf_visit(c, it) < 0)
			return -1;
		if (!s) {
			conf_err(c, it, "%s: expected an address, got %s", k->name, conf_kind(it));
			bad = 1;
		} else if (conf_prefix_parse(s, &acl->v[acl->n], &why) != RODNS_OK) {
			conf_err(c, it, "%s: bad address '%s': %s", k->name, s, why);
			bad = 1;
		} else {
			acl->n++;
		}
	}
	return bad ? -1 : 0;
}
