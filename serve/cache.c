/* The per-worker answer cache: see cache.h.
 *
 * A 4-way set-associative table of pointers to entries (key and response
 * in one allocation). A slot's reference bit gives each entry a second
 * chance: inside a set on insertion, and for the memory bound, where a
 * clock hand sweeps the whole table freeing unreferenced entries until the
 * new one fits. Both are O(1) amortized; nothing is ever rehashed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dns/err.h"
#include "serve/cache.h"

#define WAYS 4
/* A guess at the average entry (header, name, a DNSSEC answer), for the
 * table size: too many slots waste the budget, too few waste the rest. */
#define AVG_ENTRY 384
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

struct serve_cache {
	slot_t *slot;
	size_t nslot; /* a power of two, multiple of WAYS */
	size_t hand;
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
	size_t want = max_bytes / (AVG_ENTRY + sizeof(slot_t));
	c->nslot = 64;
	while (c->nslot * 2 <= want)
		c->nslot *= 2;
	c->slot = calloc(c->nslot, sizeof(*c->slot));
	if (!c->slot) {
		free(c);
		return -ENOMEM;
	}
	size_t table = c->nslot * sizeof(*c->slot) + sizeof(*c);
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
	free(c);
}

/* The response size limit the encoder applies (RFC 1035 §4.2.1, RFC 6891
 * §6.2.5): 512 without EDNS, the requestor's size (at least 512) capped at
 * ours with it, 65535 over TCP; never more than cap. */
static size_t limit_of(const dns_msg_t *q, bool tcp, size_t cap, uint16_t ours)
{
	size_t lim = 512;
	if (tcp) {
		lim = 65535;
	} else if (q->edns.present) {
		size_t o = ours >= 512 ? ours : 512;
		lim = q->edns.udp_size > 512 ? q->edns.udp_size : 512;
		if (lim > o)
			lim = o;
	}
	return lim < cap ? lim : cap;
}

static uint32_t mix(uint32_t h, uint32_t v)
{
	h ^= v;
	return h * 0x01000193u;
}

bool serve_cache_key(serve_cache_key_t *k, const dns_msg_t *q, bool tcp, size_t cap,
		     uint16_t ours, uint32_t zone, uint64_t gen)
{
	if (gen & 1 || DNS_OPCODE(q->flags) != DNS_OP_QUERY || q->count[DNS_SEC_QD] != 1 ||
	    q->count[DNS_SEC_AN] != 0 || q->count[DNS_SEC_NS] != 0 || q->has_tsig ||
	    q->count[DNS_SEC_AR] != (q->edns.present ? 1 : 0) ||
	    (q->edns.present && q->edns.version != 0))
		return false;
	*k = (serve_cache_key_t){.qname = &q->qname, .gen = gen, .zone = zone,
				 .qtype = q->qtype, .qclass = q->qclass,
				 .qflags = (uint16_t)(q->flags & ~DNS_F_RD),
				 .eflags = q->edns.present ? q->edns.flags : 0,
				 .limit = (uint16_t)limit_of(q, tcp, cap, ours), .ours = ours,
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

static void drop(serve_cache_t *c, slot_t *s)
{
	c->bytes -= sizeof(entry_t) + s->e->namelen + s->e->len + ENTRY_OVERHEAD;
	c->st.entries--;
	free(s->e);
	s->e = NULL;
	s->ref = 0;
}

int serve_cache_get(serve_cache_t *c, const serve_cache_key_t *k, const dns_msg_t *q,
		    uint8_t *resp, size_t cap)
{
	slot_t *set = set_of(c, k->hash);
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

/* Frees unreferenced entries under the clock hand until need more bytes
 * fit. Two sweeps at most: the first clears every reference bit. */
static void make_room(serve_cache_t *c, size_t need)
{
	for (size_t n = 0; c->bytes + need > c->max_bytes && n < 2 * c->nslot; n++) {
		slot_t *s = &c->slot[c->hand];
		c->hand = (c->hand + 1) & (c->nslot - 1);
		if (!s->e)
			continue;
		if (s->ref) {
			s->ref = 0;
			continue;
		}
		drop(c, s);
		c->st.evictions++;
	}
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
	if (s->e) {
		if (!same_key(s->e, k))
			c->st.evictions++;
		drop(c, s);
	}
	make_room(c, size);
	if (c->bytes + size > c->max_bytes)
		return;
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
