/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The per-worker answer cache: see cache.h.
 *
 * A 4-way set-associative table of pointers to entries (key and response
 * in one allocation). A slot's reference bit gives each entry a second
 * chance: inside a set on insertion, and for the memory bound, where a
 * clock hand sweeps the whole table freeing unreferenced entries until the
 * new one fits. Both are O(1) amortized; nothing is ever rehashed.
 *
 * Admission (the TinyLFU idea): every lookup counts its key in a small
 * frequency sketch: a "door" bitmap takes a key's first lookup, a count-min
 * sketch of counters up to 15 its later ones, so that keys seen once do not
 * fill the counters. After 10 lookups per slot the counters are halved and
 * the door is cleared: old popularity fades. A new answer
 * that would push out a live entry gets in only when its question has been
 * asked more often than the entry's. One-off names (a random-subdomain
 * flood, a scan) then cannot flush the answers that clients keep asking
 * for, and a working set larger than the cache keeps the part that fits
 * instead of evicting every entry just before it is asked again. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dns/err.h"
#include "serve/cache.h"
#include "serve/edns.h"

#define WAYS 4
/* A guess at the average entry (header, name, answer; measured on a signed
 * 1M-name zone: 155 octets without DO, 397 with), for the table size: too
 * many slots waste the budget, too few waste the rest. */
#define AVG_ENTRY 160
#define ENTRY_OVERHEAD 16 /* malloc's own header, roughly */

typedef struct {
	uint64_t gen;
	uint32_t hash, zone;
	uint16_t qtype, qclass, qflags, eflags, limit, ours, len;
	uint8_t edns, tcp, namelen;
	uint8_t data[]; /* lowercased question name, then the response */
} entry_t;

typedef struct {
	entry_t *e;
	uint32_t hash;
	uint8_t ref;
} slot_t;

#define FREQ_MAX 15	  /* counters saturate here */
#define FREQ_WIDTH 4	  /* counters per slot: fewer collisions, one-offs stay low */
#define FREQ_PROBES 4	  /* counters per key; its count is their minimum */
#define FREQ_WINDOW 10	  /* lookups per counter before all are halved */
#define ADMIT_TRIES 8	  /* live entries the clock may weigh per insertion */

struct serve_cache {
	slot_t *slot;
	size_t nslot; /* a power of two, multiple of WAYS */
	size_t hand;
	uint8_t *freq; /* FREQ_WIDTH * nslot counters */
	uint8_t *door; /* FREQ_WIDTH * nslot * 8 bits */
	size_t lookups; /* since the last halving */
	size_t bytes, max_bytes; /* entries only; the table is taken off max */
	serve_cache_stats_t st;
};

int serve_cache_new(size_t max_bytes, serve_cache_t **out)
{
	*out = NULL;
	if (max_bytes == 0)
		return RODNS_OK;
	serve_cache_t *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	size_t want = max_bytes / (AVG_ENTRY + sizeof(slot_t) + 2 * FREQ_WIDTH);
	c->nslot = 64; /* the power of two at or above want: sets fill unevenly */
	while (c->nslot < want)
		c->nslot *= 2;
	c->slot = calloc(c->nslot, sizeof(*c->slot));
	c->freq = calloc(c->nslot, FREQ_WIDTH);
	c->door = calloc(c->nslot, FREQ_WIDTH);
	if (!c->slot || !c->freq || !c->door) {
		free(c->slot);
		free(c->freq);
		free(c->door);
		free(c);
		return -ENOMEM;
	}
	size_t table = c->nslot * (sizeof(*c->slot) + 2 * FREQ_WIDTH) + sizeof(*c);
	c->max_bytes = max_bytes > table ? max_bytes - table : 0;
	c->st.max_bytes = max_bytes;
	*out = c;
	return RODNS_OK;
}

void serve_cache_free(serve_cache_t *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nslot; i++)
		free(c->slot[i].e);
	free(c->slot);
	free(c->freq);
	free(c->door);
	free(c);
}

/* A key's counters and door bits each lie in one 64-octet block (one
 * cache line), picked by a second hash; the key's own hash bits pick the
 * places inside it. */
#define FREQ_BLOCK 64

static size_t block_of(const serve_cache_t *c, uint32_t hash)
{
	uint32_t h = hash * 0x9e3779b1u;
	h ^= h >> 15;
	return (h & (FREQ_WIDTH * c->nslot / FREQ_BLOCK - 1)) * FREQ_BLOCK;
}

/* The sketch's counter positions for a key hash. */
static size_t probe(const serve_cache_t *c, uint32_t hash, int i)
{
	return block_of(c, hash) + (hash >> (6 * i) & (FREQ_BLOCK - 1));
}

/* The door's two bits for a key hash (bit numbers in c->door). */
static void door_bits(const serve_cache_t *c, uint32_t hash, size_t b[2])
{
	size_t base = block_of(c, hash) * 8;
	b[0] = base + (hash & (FREQ_BLOCK * 8 - 1));
	b[1] = base + (hash >> 9 & (FREQ_BLOCK * 8 - 1));
}

static bool door_has(const serve_cache_t *c, uint32_t hash)
{
	size_t b[2];
	door_bits(c, hash, b);
	return (c->door[b[0] >> 3] >> (b[0] & 7) & 1) && (c->door[b[1] >> 3] >> (b[1] & 7) & 1);
}

/* The sketch's count for a key: the least of its counters. */
static unsigned sketch_of(const serve_cache_t *c, uint32_t hash)
{
	unsigned f = FREQ_MAX;
	for (int i = 0; i < FREQ_PROBES; i++) {
		unsigned v = c->freq[probe(c, hash, i)];
		f = v < f ? v : f;
	}
	return f;
}

/* How often the key was looked up lately (the door counts as one). */
static unsigned freq_of(const serve_cache_t *c, uint32_t hash)
{
	return sketch_of(c, hash) + door_has(c, hash);
}

/* Counts one lookup of the key (conservative update: only the counters at
 * the minimum go up, which keeps collisions from inflating others). */
static void freq_add(serve_cache_t *c, uint32_t hash)
{
	if (!door_has(c, hash)) {
		size_t b[2];
		door_bits(c, hash, b);
		c->door[b[0] >> 3] |= (uint8_t)(1u << (b[0] & 7));
		c->door[b[1] >> 3] |= (uint8_t)(1u << (b[1] & 7));
	} else {
		unsigned f = sketch_of(c, hash);
		for (int i = 0; f < FREQ_MAX && i < FREQ_PROBES; i++) {
			uint8_t *v = &c->freq[probe(c, hash, i)];
			if (*v == f)
				(*v)++;
		}
	}
	if (++c->lookups >= FREQ_WINDOW * c->nslot) {
		for (size_t i = 0; i < FREQ_WIDTH * c->nslot; i++)
			c->freq[i] >>= 1;
		memset(c->door, 0, FREQ_WIDTH * c->nslot);
		c->lookups = 0;
	}
}

static uint32_t mix(uint32_t h, uint32_t v)
{
	h ^= v;
	return h * 0x01000193u;
}

bool serve_cache_key(serve_cache_key_t *k, const dns_msg_t *q, bool tcp, size_t cap,
		     uint16_t ours, size_t optroom, uint32_t zone, uint64_t gen)
{
	size_t lim = serve_response_limit(q, tcp, ours, cap);
	if (gen & 1 || DNS_OPCODE(q->flags) != DNS_OP_QUERY || q->count[DNS_SEC_QD] != 1 ||
	    q->count[DNS_SEC_AN] != 0 || q->count[DNS_SEC_NS] != 0 || q->has_tsig ||
	    q->count[DNS_SEC_AR] != (q->edns.present ? 1 : 0) ||
	    (q->edns.present && q->edns.version != 0))
		return false;
	*k = (serve_cache_key_t){.qname = &q->qname, .gen = gen, .zone = zone,
				 .qtype = q->qtype, .qclass = q->qclass,
				 .qflags = (uint16_t)(q->flags & ~DNS_F_RD),
				 .eflags = q->edns.present ? q->edns.flags : 0,
				 .limit = (uint16_t)(lim > optroom ? lim - optroom : 0), .ours = ours,
				 .edns = q->edns.present, .tcp = tcp};
	uint32_t h = 0x811c9dc5u;
	for (unsigned i = 0; i < q->qname.len; i++)
		h = mix(h, dns_lower(q->qname.data[i]));
	h = mix(h, (uint32_t)k->qtype << 16 | k->qclass);
	h = mix(h, (uint32_t)k->qflags << 16 | k->eflags);
	h = mix(h, (uint32_t)k->limit << 16 | (uint32_t)k->edns << 8 | k->tcp);
	h = mix(h, ours);
	h = mix(h, zone);
	k->hash = h ^ (h >> 15);
	return true;
}

/* The entry matches k, generation aside. */
static bool same_key(const entry_t *e, const serve_cache_key_t *k)
{
	if (e->hash != k->hash || e->zone != k->zone || e->qtype != k->qtype ||
	    e->qclass != k->qclass || e->qflags != k->qflags || e->eflags != k->eflags ||
	    e->limit != k->limit || e->ours != k->ours || e->edns != k->edns || e->tcp != k->tcp ||
	    e->namelen != k->qname->len)
		return false;
	for (unsigned i = 0; i < e->namelen; i++)
		if (e->data[i] != dns_lower(k->qname->data[i]))
			return false;
	return true;
}

static slot_t *set_of(serve_cache_t *c, uint32_t hash)
{
	return &c->slot[(hash & (c->nslot - 1)) & ~(size_t)(WAYS - 1)];
}

static size_t entry_size(const entry_t *e)
{
	return sizeof(entry_t) + e->namelen + e->len + ENTRY_OVERHEAD;
}

static void drop(serve_cache_t *c, slot_t *s)
{
	c->bytes -= entry_size(s->e);
	c->st.entries--;
	free(s->e);
	s->e = NULL;
	s->ref = 0;
}

int serve_cache_get(serve_cache_t *c, const serve_cache_key_t *k, const dns_msg_t *q,
		    uint8_t *resp, size_t cap)
{
	slot_t *set = set_of(c, k->hash);
	freq_add(c, k->hash);
	for (int i = 0; i < WAYS; i++) {
		slot_t *s = &set[i];
		if (!s->e || s->hash != k->hash || !same_key(s->e, k))
			continue;
		if (s->e->gen != k->gen || s->e->len > cap) {
			drop(c, s); /* stale: a new serial or state of the zone */
			break;
		}
		const entry_t *e = s->e;
		s->ref = 1;
		memcpy(resp, e->data + e->namelen, e->len);
		resp[0] = q->wire[0];
		resp[1] = q->wire[1];
		resp[2] = (uint8_t)((resp[2] & ~(DNS_F_RD >> 8)) | (q->wire[2] & (DNS_F_RD >> 8)));
		memcpy(resp + DNS_HDR_LEN, q->qname.data, q->qname.len);
		c->st.hits++;
		return e->len;
	}
	c->st.misses++;
	return 0;
}

/* A response we may keep: ours to this very question, uncompressed at the
 * start (so the query's name can be put in its place), and no error. */
static bool cacheable(const serve_cache_key_t *k, const uint8_t *r, size_t len)
{
	size_t nl = k->qname->len;
	int rcode = r[3] & 0xf;
	if (len < DNS_HDR_LEN + nl + 4 || len > 65535 || !(r[2] & 0x80) || r[4] != 0 ||
	    r[5] != 1 || (rcode != DNS_RC_NOERROR && rcode != DNS_RC_NXDOMAIN))
		return false;
	for (size_t i = 0; i < nl; i++)
		if (dns_lower(r[DNS_HDR_LEN + i]) != dns_lower(k->qname->data[i]))
			return false;
	return true;
}

/* Whether e is of zone k's zone at an older generation: never served
 * again, whatever its count. */
static bool stale(const entry_t *e, const serve_cache_key_t *k)
{
	return e->zone == k->zone && e->gen != k->gen;
}

/* Frees unreferenced entries under the clock hand until need more bytes
 * fit, passing over live ones asked for at least as often as the new
 * answer for k (freq). Returns false when ADMIT_TRIES such entries came
 * first: the new answer is the one to leave out. Two sweeps at most: the
 * first clears every reference bit. */
static bool make_room(serve_cache_t *c, size_t need, unsigned freq, const serve_cache_key_t *k)
{
	int weighed = 0;
	for (size_t n = 0; c->bytes + need > c->max_bytes && n < 2 * c->nslot; n++) {
		slot_t *s = &c->slot[c->hand];
		c->hand = (c->hand + 1) & (c->nslot - 1);
		if (!s->e)
			continue;
		if (s->ref) {
			s->ref = 0;
			continue;
		}
		if (!stale(s->e, k) && freq_of(c, s->hash) >= freq) {
			if (++weighed >= ADMIT_TRIES)
				return false;
			continue;
		}
		drop(c, s);
		c->st.evictions++;
	}
	return c->bytes + need <= c->max_bytes;
}

/* The slot for a new entry in its set: the same key's (stale) entry, an
 * empty one, else the first without its reference bit, clearing bits on
 * the way (second chance). */
static slot_t *victim(serve_cache_t *c, const serve_cache_key_t *k)
{
	slot_t *set = set_of(c, k->hash);
	for (int i = 0; i < WAYS; i++)
		if (set[i].e && set[i].hash == k->hash && same_key(set[i].e, k))
			return &set[i];
	for (int i = 0; i < WAYS; i++)
		if (!set[i].e)
			return &set[i];
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < WAYS; i++) {
			if (!set[i].ref)
				return &set[i];
			set[i].ref = 0;
		}
	return &set[0];
}

void serve_cache_put(serve_cache_t *c, const serve_cache_key_t *k, const uint8_t *resp,
		     size_t len)
{
	if (!c || !cacheable(k, resp, len))
		return;
	size_t size = sizeof(entry_t) + k->qname->len + len + ENTRY_OVERHEAD;
	if (size > c->max_bytes / 16)
		return;
	slot_t *s = victim(c, k);
	unsigned freq = freq_of(c, k->hash);
	/* admitted only if both the set's victim and the memory bound let the
	 * new answer in; nothing is dropped for an answer that stays out */
	size_t freed = 0;
	if (s->e) {
		if (!same_key(s->e, k) && !stale(s->e, k) && freq_of(c, s->hash) >= freq) {
			c->st.rejected++;
			return;
		}
		freed = entry_size(s->e);
	}
	if (!make_room(c, size > freed ? size - freed : 0, freq, k)) {
		c->st.rejected++;
		return;
	}
	if (s->e) {
		if (!same_key(s->e, k))
			c->st.evictions++;
		drop(c, s);
	} else if (freed && !make_room(c, size, freq, k)) {
		/* the clock took the set's victim: its room was counted twice */
		c->st.rejected++;
		return;
	}
	entry_t *e = malloc(size - ENTRY_OVERHEAD);
	if (!e)
		return;
	*e = (entry_t){.gen = k->gen, .hash = k->hash, .zone = k->zone, .qtype = k->qtype,
		       .qclass = k->qclass, .qflags = k->qflags, .eflags = k->eflags,
		       .limit = k->limit, .ours = k->ours, .len = (uint16_t)len, .edns = k->edns,
		       .tcp = k->tcp,
		       .namelen = k->qname->len};
	for (unsigned i = 0; i < e->namelen; i++)
		e->data[i] = dns_lower(k->qname->data[i]);
	memcpy(e->data + e->namelen, resp, len);
	s->e = e;
	s->hash = k->hash;
	s->ref = 0;
	c->bytes += size;
	c->st.entries++;
	c->st.inserts++;
}

void serve_cache_stats(const serve_cache_t *c, serve_cache_stats_t *out)
{
	memset(out, 0, sizeof(*out));
	if (!c)
		return;
	*out = c->st;
	out->bytes = c->bytes;
}
