/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Domain names: wire parsing with decompression, compressed writing,
 * comparison, presentation text, and the canonical sort key.
 *
 * A dns_name_t holds one name in uncompressed wire form, original case,
 * always ending with the root label. Names are values: copy them freely.
 */
#ifndef RODNS_DNS_NAME_H
#define RODNS_DNS_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/wire.h"

#define DNS_NAME_MAX 255
#define DNS_LABEL_MAX 63
/* Longest canonical key: every octet may be escaped to two, plus separators. */
#define DNS_KEY_MAX 512
/* Longest presentation text: every octet as \DDD, plus dots and NUL. */
#define DNS_NAME_TEXT_MAX 1024
/* How many names one message's compression table remembers. */
#define DNS_CTAB_MAX 256
/* Most compression pointers followed while reading one name. */
#define DNS_PTR_HOPS_MAX 64

typedef struct {
	uint8_t len;    /* octets in data, including the final root label (>= 1) */
	uint8_t labels; /* labels, not counting the root (root = 0) */
	uint8_t data[DNS_NAME_MAX];
} dns_name_t;

/* Compression table for one message: offsets of names already written.
 * Reset it (dns_ctab_reset) for every message, including each message of a
 * multi-message AXFR. Only offsets < 0x4000 are recorded. */
typedef struct {
	uint16_t off[DNS_CTAB_MAX];
	int n;
} dns_ctab_t;

static inline void dns_ctab_reset(dns_ctab_t *t) { t->n = 0; }

/* Reads a possibly compressed name at r->pos (pointers are relative to
 * r->base, must point strictly before the start of the current name part,
 * at most DNS_PTR_HOPS_MAX hops). Leaves r->pos after the name's first
 * occurrence. Returns RODNS_OK or an error (also stored sticky in r). */
int dns_name_read(dns_rd_t *r, dns_name_t *out);

/* Parses an uncompressed wire name occupying exactly the start of buf; sets
 * *used to its length. Compression pointers are an error. */
int dns_name_from_wire(const uint8_t *buf, size_t len, dns_name_t *out, size_t *used);

/* Writes n at w->pos. With a table, reuses earlier names in the same message
 * by pointer and records the new suffixes; with t == NULL writes n whole.
 * Errors are sticky in w. */
void dns_name_write(dns_wr_t *w, const dns_name_t *n, dns_ctab_t *t);

/* Parses presentation text ("www.example.test.", "\\046", "\\." escapes, "@").
 * A relative name (no final dot) is completed with origin (NULL: error). */
int dns_name_from_text(const char *s, const dns_name_t *origin, dns_name_t *out);

/* Writes n as text with a final dot, escaping per RFC 1035 §5.1 (\DDD for
 * non-printables, \. \\ \" \( \) \; \@ \$ and space). Returns the text length
 * or RODNS_E_SPACE. */
int dns_name_to_text(const dns_name_t *n, char *buf, size_t cap);

/* Case-insensitive equality (ASCII only, as DNS requires). */
bool dns_name_eq(const dns_name_t *a, const dns_name_t *b);

/* Canonical order, RFC 4034 §6.1: <0, 0, >0. */
int dns_name_cmp(const dns_name_t *a, const dns_name_t *b);

/* true when n equals parent or is below it. */
bool dns_name_is_sub(const dns_name_t *n, const dns_name_t *parent);

/* Lowercases the name in place (ASCII A-Z only). */
/* One octet in DNS case-insensitive form (RFC 4343: ASCII letters only). */
static inline uint8_t dns_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c | 0x20) : c;
}

void dns_name_lower(dns_name_t *n);

/* The name with its first k labels removed (k <= labels). */
void dns_name_strip(const dns_name_t *n, unsigned k, dns_name_t *out);

/* Canonical sort key: memcmp order of two keys equals RFC 4034 §6.1 order of
 * the names, and an ancestor's key is a prefix of every descendant's key.
 * Layout: labels from the root down, lowercased, octets 0x00 and 0x01
 * escaped as 0x01 0x01 and 0x01 0x02, each label followed by 0x00. The root
 * has the empty key. Returns the key length (<= DNS_KEY_MAX). */
size_t dns_name_key(const dns_name_t *n, uint8_t key[DNS_KEY_MAX]);

/* Inverse of dns_name_key (the result is lowercase). */
int dns_name_from_key(const uint8_t *key, size_t len, dns_name_t *out);

#endif
