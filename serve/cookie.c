/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Server cookies: see cookie.h. */
#include <errno.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "dns/err.h"
#include "serve/cookie.h"

struct serve_cookies {
	/* secret[cur] is current, secret[cur ^ 1] the previous one */
	_Atomic uint64_t secret[2][2];
	_Atomic unsigned cur;
};

static uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* One SipRound over the four state words. */
static void sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = rotl(v[1], 13) ^ v[0];
	v[0] = rotl(v[0], 32);
	v[2] += v[3];
	v[3] = rotl(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = rotl(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = rotl(v[1], 17) ^ v[2];
	v[2] = rotl(v[2], 32);
}

static void compress(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sipround(v);
	sipround(v);
	v[0] ^= m;
}

uint64_t serve_siphash24(const uint8_t key[16], const uint8_t *in, size_t len)
{
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	/* "somepseudorandomlygeneratedbytes", the paper's initial constants */
	uint64_t v[4] = {k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
			 k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL};
	size_t full = len & ~(size_t)7;
	for (size_t i = 0; i < full; i += 8)
		compress(v, le64(in + i));
	/* the last block: the remaining octets, the length's low octet on top */
	uint64_t last = (uint64_t)(len & 0xff) << 56;
	for (size_t i = 0; i < (len & 7); i++)
		last |= (uint64_t)in[full + i] << (8 * i);
	compress(v, last);
	v[2] ^= 0xff;
	for (int i = 0; i < 4; i++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static void put_secret(serve_cookies_t *c, unsigned slot, const uint8_t s[16])
{
	atomic_store_explicit(&c->secret[slot][0], le64(s), memory_order_relaxed);
	atomic_store_explicit(&c->secret[slot][1], le64(s + 8), memory_order_relaxed);
}

static void get_secret(const serve_cookies_t *c, unsigned slot, uint8_t out[16])
{
	for (int w = 0; w < 2; w++) {
		uint64_t v = atomic_load_explicit(&((serve_cookies_t *)c)->secret[slot][w],
						  memory_order_relaxed);
		for (int i = 0; i < 8; i++)
			out[8 * w + i] = (uint8_t)(v >> (8 * i));
	}
}

serve_cookies_t *serve_cookies_new(void)
{
	serve_cookies_t *c = calloc(1, sizeof(*c));
	if (c && (serve_cookies_rotate(c) != RODNS_OK || serve_cookies_rotate(c) != RODNS_OK)) {
		free(c);
		return NULL;
	}
	return c;
}

void serve_cookies_free(serve_cookies_t *c)
{
	free(c);
}

int serve_cookies_rotate(serve_cookies_t *c)
{
	uint8_t s[16];
	if (RAND_bytes(s, sizeof(s)) != 1)
		return -EIO;
	/* the slot that held the previous secret gets the new one; readers
	 * that raced us fail one check at worst, and the client retries */
	unsigned next = atomic_load(&c->cur) ^ 1;
	put_secret(c, next, s);
	atomic_store_explicit(&c->cur, next, memory_order_release);
	OPENSSL_cleanse(s, sizeof(s));
	return RODNS_OK;
}

void serve_cookies_set(serve_cookies_t *c, const uint8_t secret[16])
{
	unsigned cur = atomic_load(&c->cur);
	put_secret(c, cur, secret);
	put_secret(c, cur ^ 1, secret);
}

/* The hash input of RFC 9018 §4.4: client cookie, version, reserved,
 * timestamp, then the client's address (4 or 16 octets). */
static uint64_t cookie_hash(const serve_cookies_t *c, unsigned slot, const uint8_t *client,
			    const uint8_t head[8], const struct sockaddr *from)
{
	uint8_t in[8 + 8 + 16], key[16];
	size_t n = 16;
	memcpy(in, client, 8);
	memcpy(in + 8, head, 8);
	if (from && from->sa_family == AF_INET) {
		memcpy(in + n, &((const struct sockaddr_in *)from)->sin_addr, 4);
		n += 4;
	} else if (from && from->sa_family == AF_INET6) {
		memcpy(in + n, &((const struct sockaddr_in6 *)from)->sin6_addr, 16);
		n += 16;
	}
	get_secret(c, slot, key);
	uint64_t h = serve_siphash24(key, in, n);
	OPENSSL_cleanse(key, sizeof(key));
	return h;
}

static void put_hash(uint8_t *out, uint64_t h)
{
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(h >> (8 * i)); /* SipHash's output, octets as produced */
}

void serve_cookie_make(const serve_cookies_t *c, const uint8_t client[SERVE_COOKIE_CLIENT],
		       const struct sockaddr *from, uint32_t now, uint8_t out[SERVE_COOKIE_SERVER])
{
	out[0] = 1; /* version */
	out[1] = out[2] = out[3] = 0;
	out[4] = (uint8_t)(now >> 24);
	out[5] = (uint8_t)(now >> 16);
	out[6] = (uint8_t)(now >> 8);
	out[7] = (uint8_t)now;
	unsigned cur = atomic_load_explicit(&((serve_cookies_t *)c)->cur, memory_order_acquire);
	put_hash(out + 8, cookie_hash(c, cur, client, out, from));
}

bool serve_cookie_valid(const serve_cookies_t *c, const uint8_t client[SERVE_COOKIE_CLIENT],
			const uint8_t *server, size_t len, const struct sockaddr *from,
			uint32_t now)
{
	if (len != SERVE_COOKIE_SERVER || server[0] != 1)
		return false;
	uint32_t ts = (uint32_t)server[4] << 24 | (uint32_t)server[5] << 16 |
		      (uint32_t)server[6] << 8 | server[7];
	/* serial-number arithmetic on the timestamp (RFC 9018 §4.3) */
	int32_t age = (int32_t)(now - ts);
	if (age > SERVE_COOKIE_MAX_AGE || age < -SERVE_COOKIE_MAX_AHEAD)
		return false;
	unsigned cur = atomic_load_explicit(&((serve_cookies_t *)c)->cur, memory_order_acquire);
	for (unsigned i = 0; i < 2; i++) {
		uint8_t h[8];
		put_hash(h, cookie_hash(c, cur ^ i, client, server, from));
		if (CRYPTO_memcmp(h, server + 8, 8) == 0)
			return true;
	}
	return false;
}
