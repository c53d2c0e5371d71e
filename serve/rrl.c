/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Response rate limiting: see rrl.h. */
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "dns/msg.h"
#include "serve/cookie.h"
#include "serve/rrl.h"

#define STRIPES 64
/* tokens are kept in thousandths so that refill per millisecond is exact */
#define MILLI 1000u

typedef struct {
	uint64_t key;	  /* prefix and class, 0: empty */
	uint64_t tokens;  /* thousandths of a token */
	uint64_t last_ms; /* last refill */
	uint32_t limited; /* answers limited since the bucket last had a token */
} bucket_t;

struct serve_rrl {
	conf_rrl_t conf; /* exempt points into the conf the daemon keeps */
	uint8_t key[16]; /* random: where a prefix lands cannot be worked out */
	size_t mask;
	bucket_t *b;
	pthread_mutex_t lock[STRIPES];
	serve_rrl_stats_t st;
};

serve_rrl_t *serve_rrl_new(const conf_rrl_t *c)
{
	if (!c || c->rate == 0)
		return NULL;
	serve_rrl_t *r = calloc(1, sizeof(*r));
	size_t n = 1024;
	while (n < c->table_size && n < ((size_t)1 << 24))
		n <<= 1;
	if (r)
		r->b = calloc(n, sizeof(bucket_t));
	if (!r || !r->b) {
		free(r);
		return NULL;
	}
	if (RAND_bytes(r->key, sizeof(r->key)) != 1) {
		free(r->b);
		free(r);
		return NULL;
	}
	r->conf = *c;
	r->mask = n - 1;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&r->lock[i], NULL);
	return r;
}

void serve_rrl_free(serve_rrl_t *r)
{
	if (!r)
		return;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&r->lock[i]);
	free(r->b);
	free(r);
}

serve_rrl_class_t serve_rrl_classify(const uint8_t *resp, size_t len)
{
	if (len < DNS_HDR_LEN)
		return SERVE_RRL_ERROR;
	int rcode = resp[3] & 0xf;
	if (rcode == DNS_RC_NXDOMAIN)
		return SERVE_RRL_NXDOMAIN;
	if (rcode != DNS_RC_NOERROR)
		return SERVE_RRL_ERROR;
	/* no answer, not authoritative, an authority section: a referral */
	bool aa = resp[2] & (DNS_F_AA >> 8);
	unsigned an = (unsigned)resp[6] << 8 | resp[7], ns = (unsigned)resp[8] << 8 | resp[9];
	return !aa && an == 0 && ns > 0 ? SERVE_RRL_REFERRAL : SERVE_RRL_POSITIVE;
}

/* The client's prefix (address bits beyond it cleared), family and class
 * folded into one 64-bit key (never 0). */
static uint64_t key_of(const serve_rrl_t *r, const struct sockaddr *from, serve_rrl_class_t cls)
{
	uint8_t a[17] = {0};
	unsigned bits, len;
	if (from->sa_family == AF_INET6) {
		memcpy(a, &((const struct sockaddr_in6 *)from)->sin6_addr, 16);
		bits = r->conf.ipv6_prefix;
		len = 16;
	} else {
		memcpy(a, &((const struct sockaddr_in *)from)->sin_addr, 4);
		bits = r->conf.ipv4_prefix;
		len = 4;
	}
	for (unsigned i = 0; i < len; i++) {
		unsigned keep = bits >= 8 * (i + 1) ? 8 : bits > 8 * i ? bits - 8 * i : 0;
		a[i] &= (uint8_t)(0xff00u >> keep);
	}
	/* SipHash under the table's random key: an attacker cannot pick a
	 * prefix that lands in a victim's bucket */
	a[len] = (uint8_t)cls;
	uint64_t h = serve_siphash24(r->key, a, len + 1);
	return h ? h : 1;
}

serve_rrl_verdict_t serve_rrl_check(serve_rrl_t *r, const struct sockaddr *from,
				    serve_rrl_class_t cls, uint64_t now_ms)
{
	if (!r || !from || (from->sa_family != AF_INET && from->sa_family != AF_INET6) ||
	    conf_acl_match(&r->conf.exempt, from)) {
		if (r)
			atomic_fetch_add_explicit(&r->st.passed, 1, memory_order_relaxed);
		return SERVE_RRL_PASS;
	}
	uint64_t key = key_of(r, from, cls), full = (uint64_t)r->conf.rate * MILLI;
	size_t i = (size_t)(key & r->mask);
	pthread_mutex_t *lk = &r->lock[i % STRIPES];
	serve_rrl_verdict_t v = SERVE_RRL_PASS;
	pthread_mutex_lock(lk);
	bucket_t *b = &r->b[i];
	if (b->key == 0)
		*b = (bucket_t){.key = key, .tokens = full, .last_ms = now_ms};
	if (now_ms > b->last_ms) {
		/* rate tokens a second: rate thousandths a millisecond */
		uint64_t add = (now_ms - b->last_ms) * r->conf.rate;
		b->tokens = b->tokens + add > full ? full : b->tokens + add;
		b->last_ms = now_ms;
	}
	/* another prefix's bucket is taken over only once it is full again
	 * (its owner idle); till then the two share it, so a collision can
	 * make limiting stricter, never switch it off */
	if (b->key != key && b->tokens == full) {
		b->key = key;
		b->limited = 0;
	}
	if (b->tokens >= MILLI) {
		b->tokens -= MILLI;
		b->limited = 0;
	} else {
		b->limited++;
		v = r->conf.slip && b->limited % r->conf.slip == 0 ? SERVE_RRL_SLIP
								   : SERVE_RRL_DROP;
	}
	pthread_mutex_unlock(lk);
	_Atomic uint64_t *ctr = v == SERVE_RRL_PASS   ? &r->st.passed
				: v == SERVE_RRL_SLIP ? &r->st.slipped
						      : &r->st.dropped;
	atomic_fetch_add_explicit(ctr, 1, memory_order_relaxed);
	return v;
}

const serve_rrl_stats_t *serve_rrl_stats(const serve_rrl_t *r)
{
	return r ? &r->st : NULL;
}
