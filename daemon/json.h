/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Just enough JSON for the control protocol and rodnsctl: a growable text
 * buffer with JSON emitters, and a small DOM parser (depth and size
 * bounded) for request and response lines. */
#ifndef RODNS_DAEMON_JSON_H
#define RODNS_DAEMON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable buffer; a failed allocation is sticky (oom) and later appends
 * do nothing. Zero-initialise; dbuf_free when done. */
typedef struct {
	char *p;
	size_t len, cap;
	bool oom;
} dbuf_t;

void dbuf_free(dbuf_t *b);
void dbuf_reset(dbuf_t *b);
void dbuf_add(dbuf_t *b, const void *data, size_t len);
void dbuf_puts(dbuf_t *b, const char *s);
void dbuf_printf(dbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal (quotes included) of s. */
void dbuf_json_str(dbuf_t *b, const char *s);
/* Members for an object being written: `"key":` with a leading comma
 * unless first is set (then cleared). */
void dbuf_json_key(dbuf_t *b, bool *first, const char *key);
void dbuf_json_kstr(dbuf_t *b, bool *first, const char *key, const char *val);
void dbuf_json_kint(dbuf_t *b, bool *first, const char *key, int64_t val);
void dbuf_json_kbool(dbuf_t *b, bool *first, const char *key, bool val);

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

typedef struct json {
	int type;
	char *key;	    /* member name inside an object, else NULL */
	char *str;	    /* JSON_STR: the decoded text (NUL-terminated, no NUL inside) */
	double num;	    /* JSON_NUM */
	int64_t inum;	    /* JSON_NUM when it is an integer */
	bool b;		    /* JSON_BOOL */
	struct json *child; /* JSON_ARR, JSON_OBJ: first element */
	struct json *next;  /* next sibling */
} json_t;

/* Parses one JSON value (surrounding whitespace allowed). NULL on error,
 * with a reason in err. Nesting deeper than 32 is an error. */
json_t *json_parse(const char *text, size_t len, char *err, size_t errcap);
void json_free(json_t *j);

/* Member lookups on an object (NULL / the default when absent or of
 * another type). */
const json_t *json_get(const json_t *obj, const char *key);
const char *json_get_str(const json_t *obj, const char *key, const char *def);
int64_t json_get_int(const json_t *obj, const char *key, int64_t def);
bool json_get_bool(const json_t *obj, const char *key, bool def);

#endif
