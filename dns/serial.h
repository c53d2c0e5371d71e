/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* RFC 1982 serial number arithmetic on 32-bit SOA serials. */
#ifndef RODNS_DNS_SERIAL_H
#define RODNS_DNS_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

/* <0 when a precedes b, >0 when a follows b, 0 when equal. When the two are
 * exactly 2^31 apart the comparison is undefined by RFC 1982; this returns
 * 2 so callers can treat it as "not comparable". */
int dns_serial_cmp(uint32_t a, uint32_t b);

static inline bool dns_serial_lt(uint32_t a, uint32_t b) { return dns_serial_cmp(a, b) == -1; }
static inline bool dns_serial_gt(uint32_t a, uint32_t b) { return dns_serial_cmp(a, b) == 1; }

/* a + n for 0 <= n <= 2^31 - 1 (RFC 1982 §3.1). */
static inline uint32_t dns_serial_add(uint32_t a, uint32_t n) { return a + n; }

#endif
