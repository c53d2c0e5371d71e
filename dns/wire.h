/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Bounds-checked wire reader and writer with a sticky error.
 *
 * Every read past the end returns 0 (or NULL) and sets r->error to
 * RODNS_E_TRUNC; later reads keep failing. Callers check r->error once after
 * a header or a whole RR instead of after every field. The writer works the
 * same way with RODNS_E_SPACE.
 */
#ifndef RODNS_DNS_WIRE_H
#define RODNS_DNS_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns/err.h"

typedef struct {
	const uint8_t *base; /* start of the message (compression pointers are relative to it) */
	const uint8_t *pos;
	const uint8_t *end;
	int error;
} dns_rd_t;

typedef struct {
	uint8_t *base;
	uint8_t *pos;
	uint8_t *end;
	int error;
} dns_wr_t;

static inline void dns_rd_init(dns_rd_t *r, const uint8_t *buf, size_t len)
{
	r->base = buf;
	r->pos = buf;
	r->end = buf + len;
	r->error = RODNS_OK;
}

static inline size_t dns_rd_left(const dns_rd_t *r) { return (size_t)(r->end - r->pos); }
static inline size_t dns_rd_off(const dns_rd_t *r) { return (size_t)(r->pos - r->base); }

static inline void dns_rd_fail(dns_rd_t *r, int err)
{
	if (r->error == RODNS_OK)
		r->error = err;
	r->pos = r->end;
}

static inline int dns_rd_need(dns_rd_t *r, size_t n)
{
	if (r->error != RODNS_OK)
		return 0;
	if (dns_rd_left(r) < n) {
		dns_rd_fail(r, RODNS_E_TRUNC);
		return 0;
	}
	return 1;
}

static inline uint8_t dns_rd_u8(dns_rd_t *r)
{
	if (!dns_rd_need(r, 1))
		return 0;
	return *r->pos++;
}

static inline uint16_t dns_rd_u16(dns_rd_t *r)
{
	if (!dns_rd_need(r, 2))
		return 0;
	uint16_t v = (uint16_t)((r->pos[0] << 8) | r->pos[1]);
	r->pos += 2;
	return v;
}

static inline uint32_t dns_rd_u32(dns_rd_t *r)
{
	if (!dns_rd_need(r, 4))
		return 0;
	uint32_t v = ((uint32_t)r->pos[0] << 24) | ((uint32_t)r->pos[1] << 16) |
		     ((uint32_t)r->pos[2] << 8) | r->pos[3];
	r->pos += 4;
	return v;
}

/* Returns a pointer to the next n bytes and skips them, or NULL on overrun. */
static inline const uint8_t *dns_rd_skip(dns_rd_t *r, size_t n)
{
	if (!dns_rd_need(r, n))
		return NULL;
	const uint8_t *p = r->pos;
	r->pos += n;
	return p;
}

static inline void dns_wr_init(dns_wr_t *w, uint8_t *buf, size_t cap)
{
	w->base = buf;
	w->pos = buf;
	w->end = buf + cap;
	w->error = RODNS_OK;
}

static inline size_t dns_wr_off(const dns_wr_t *w) { return (size_t)(w->pos - w->base); }
static inline size_t dns_wr_left(const dns_wr_t *w) { return (size_t)(w->end - w->pos); }

static inline int dns_wr_need(dns_wr_t *w, size_t n)
{
	if (w->error != RODNS_OK)
		return 0;
	if (dns_wr_left(w) < n) {
		w->error = RODNS_E_SPACE;
		return 0;
	}
	return 1;
}

static inline void dns_wr_u8(dns_wr_t *w, uint8_t v)
{
	if (dns_wr_need(w, 1))
		*w->pos++ = v;
}

static inline void dns_wr_u16(dns_wr_t *w, uint16_t v)
{
	if (!dns_wr_need(w, 2))
		return;
	w->pos[0] = (uint8_t)(v >> 8);
	w->pos[1] = (uint8_t)v;
	w->pos += 2;
}

static inline void dns_wr_u32(dns_wr_t *w, uint32_t v)
{
	if (!dns_wr_need(w, 4))
		return;
	w->pos[0] = (uint8_t)(v >> 24);
	w->pos[1] = (uint8_t)(v >> 16);
	w->pos[2] = (uint8_t)(v >> 8);
	w->pos[3] = (uint8_t)v;
	w->pos += 4;
}

static inline void dns_wr_bytes(dns_wr_t *w, const void *p, size_t n)
{
	if (!dns_wr_need(w, n))
		return;
	if (n > 0)
		memcpy(w->pos, p, n);
	w->pos += n;
}

/* Overwrites a 16-bit value already written at offset off (counts, RDLENGTH). */
static inline void dns_wr_put_u16_at(dns_wr_t *w, size_t off, uint16_t v)
{
	if (w->error != RODNS_OK || off + 2 > dns_wr_off(w))
		return;
	w->base[off] = (uint8_t)(v >> 8);
	w->base[off + 1] = (uint8_t)v;
}

/* Moves the write position back to off (truncation at an RRset boundary). */
static inline void dns_wr_rewind(dns_wr_t *w, size_t off)
{
	if (off <= dns_wr_off(w)) {
		w->pos = w->base + off;
		w->error = RODNS_OK;
	}
}

#endif
