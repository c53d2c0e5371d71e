/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Text encodings used in presentation format and configuration:
 * base64 (RFC 4648 §4), base32hex without padding (RFC 4648 §7, NSEC3),
 * hex, and the RRSIG time format YYYYMMDDHHmmSS. */
#ifndef RODNS_DNS_TEXT_H
#define RODNS_DNS_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Encoders write NUL-terminated text and return its length, or
 * RODNS_E_SPACE when cap is too small. */
int dns_b64_encode(const uint8_t *in, size_t len, char *out, size_t cap);
int dns_b32hex_encode(const uint8_t *in, size_t len, char *out, size_t cap); /* lowercase */
int dns_hex_encode(const uint8_t *in, size_t len, char *out, size_t cap);   /* uppercase */

/* Decoders skip ASCII white space, reject anything else that is not in the
 * alphabet (RODNS_E_SYNTAX), and return the decoded length or an error. */
int dns_b64_decode(const char *in, uint8_t *out, size_t cap);
int dns_b32hex_decode(const char *in, uint8_t *out, size_t cap);
int dns_hex_decode(const char *in, uint8_t *out, size_t cap);

/* RRSIG time (RFC 4034 §3.2): "YYYYMMDDHHmmSS" UTC for a 32-bit timestamp
 * read as seconds since 1970 (1970..2106, as BIND and ldns print it).
 * out needs 15 octets including the NUL. */
void dns_time_to_text(uint32_t t, char out[15]);

#endif
