/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* conf/ internals shared by value.c, parse.c, schema.c and conf.c. */
#ifndef RODNS_CONF_INTERNAL_H
#define RODNS_CONF_INTERNAL_H

#include <stdarg.h>
#include <yaml.h>

#include "conf/conf.h"

/* Most nodes visited while loading one file: YAML aliases can make a small
 * file expand to a huge tree ("billion laughs"); this keeps it linear. */
#define CONF_NODE_BUDGET 1000000
/* Most errors kept; later ones are counted, not stored. */
#define CONF_MAX_ERRORS 200
/* Largest configuration or secret-file read. */
#define CONF_FILE_MAX (16u << 20)
#define CONF_SECRET_FILE_MAX (64u << 10)

typedef struct {
	unsigned long line, col; /* 1-based */
	unsigned long seq;       /* report order among equal positions */
	char *msg;
} conf_err_t;

/* State of one load. */
typedef struct {
	const char *file;      /* name used in messages */
	char *basedir;         /* directory for relative paths */
	yaml_document_t *doc;
	conf_t *conf;
	conf_err_t *errs;
	size_t n_errs;
	size_t n_dropped;      /* errors beyond CONF_MAX_ERRORS */
	int oom;               /* an allocation failed: the load fails with -ENOMEM */
	unsigned long budget;  /* nodes left to visit */
	int too_big;           /* budget ran out at too_big_at */
	yaml_mark_t too_big_at;
} conf_ctx_t;

/* One key of a mapping. Setters get the value node (never a null node) and
 * the destination base + off; they report their own errors and return 0 or
 * -1. Keys are processed in table order, not file order, so a table can put
 * the keys others depend on first. */
typedef struct conf_key conf_key_t;
typedef int (*conf_set_fn)(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k);
struct conf_key {
	const char *name;
	conf_set_fn set;
	size_t off;
	int required;
	uint64_t min, max; /* range for numbers and durations (max 0: type's max) */
};

#define CONF_KEYS_MAX 32

/* Value nodes found by conf_map, indexed like the key table; NULL: absent
 * or null. */
typedef struct {
	yaml_node_t *node;  /* the mapping itself */
	yaml_node_t *val[CONF_KEYS_MAX];
} conf_seen_t;

/* value.c: parsers with a reason for the message. */
int conf_addr_parse(const char *s, uint16_t def_port, conf_addr_t *out, const char **why);
int conf_prefix_parse(const char *s, conf_prefix_t *out, const char **why);

/* parse.c: errors, node helpers, generic setters. */
void conf_err(conf_ctx_t *c, const yaml_node_t *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void conf_err_mark(conf_ctx_t *c, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void *conf_alloc(conf_ctx_t *c, size_t n, size_t size);
char *conf_strdup(conf_ctx_t *c, const char *s);
char *conf_path(conf_ctx_t *c, const char *base, const char *p);
int conf_visit(conf_ctx_t *c, const yaml_node_t *n);
const char *conf_scalar(const yaml_node_t *n);
int conf_is_null(const yaml_node_t *n);
const char *conf_kind(const yaml_node_t *n);
yaml_node_t *conf_node(conf_ctx_t *c, yaml_node_item_t i);
int conf_want(conf_ctx_t *c, yaml_node_t *v, yaml_node_type_t t, const char *key);
int conf_map(conf_ctx_t *c, yaml_node_t *m, const conf_key_t *keys, size_t n, void *base,
	     const char *where, conf_seen_t *seen);
yaml_node_t *conf_seen_get(const conf_seen_t *s, const conf_key_t *keys, size_t n,
			   const char *name);
size_t conf_list_len(conf_ctx_t *c, yaml_node_t *v);
yaml_node_t *conf_list_item(conf_ctx_t *c, yaml_node_t *v, size_t i);
int conf_list_check(conf_ctx_t *c, yaml_node_t *v, const conf_key_t *k, size_t max);

int conf_set_str(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k);
int conf_set_path(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k);
int conf_set_bool(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k);
int conf_set_uint(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k);
int conf_set_u16(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k);
int conf_set_u64(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k);
int conf_set_duration(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k);
int conf_set_size(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k);
int conf_set_acl(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k);

/* schema.c: the document root; domain names. */
void conf_root(conf_ctx_t *c, yaml_node_t *root);
int conf_name(conf_ctx_t *c, yaml_node_t *v, const char *key, dns_name_t *out, char **text);

/* zone.c: the zones list (needs tsig and tls already loaded). */
int conf_set_zones(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k);

/* conf.c */
void conf_zone_deinit(conf_zone_t *z);

#endif
