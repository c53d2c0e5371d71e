/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* DNS server cookies (RFC 7873) in the interoperable form of RFC 9018:
 * Version 1, three reserved octets, a 32-bit timestamp and a SipHash-2-4 of
 * the client cookie, those eight octets and the client's address, under a
 * 128-bit secret. Any server that shares the secret can check the cookie;
 * rodns makes a random secret at start and rotates it, accepting cookies
 * made under the one before, so a client's cookie survives one rotation.
 * The secrets are atomics: workers read them while the main loop rotates. */
#ifndef RODNS_SERVE_COOKIE_H
#define RODNS_SERVE_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define SERVE_COOKIE_CLIENT 8
#define SERVE_COOKIE_SERVER 16 /* ours; RFC 7873 allows 8..32 */
/* RFC 9018 §4.3: a cookie older than an hour, or more than five minutes
 * ahead of our clock, is not accepted */
#define SERVE_COOKIE_MAX_AGE   3600
#define SERVE_COOKIE_MAX_AHEAD 300

typedef struct serve_cookies serve_cookies_t;

/* A new secret (from the system's random source). Returns NULL without
 * memory or randomness. */
serve_cookies_t *serve_cookies_new(void);
void serve_cookies_free(serve_cookies_t *c);
/* A fresh secret; the current one becomes the previous one. */
int serve_cookies_rotate(serve_cookies_t *c);
/* Sets the current secret (tests, and servers that share one). */
void serve_cookies_set(serve_cookies_t *c, const uint8_t secret[16]);

/* Our server cookie for this client cookie, address and time. */
void serve_cookie_make(const serve_cookies_t *c, const uint8_t client[SERVE_COOKIE_CLIENT],
		       const struct sockaddr *from, uint32_t now, uint8_t out[SERVE_COOKIE_SERVER]);
/* Whether server (len octets, as the client sent it) is a cookie we made for
 * this client cookie and address, under the current or previous secret,
 * and fresh at now. */
bool serve_cookie_valid(const serve_cookies_t *c, const uint8_t client[SERVE_COOKIE_CLIENT],
			const uint8_t *server, size_t len, const struct sockaddr *from,
			uint32_t now);

/* SipHash-2-4 (Aumasson and Bernstein, 2012) of in under a 16-octet key. */
uint64_t serve_siphash24(const uint8_t key[16], const uint8_t *in, size_t len);

#endif
