/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Answering standard queries: see answer.h. This file holds the context,
 * the arena and plan helpers, and the lookup that turns one question into
 * an answer plan: RFC 1034 §4.3.2 with DNAME (RFC 6672 §3.2), wildcards
 * (RFC 4592 §3.3) and the DNSSEC additions of RFC 4035 §3.1. Denial proofs
 * are in deny.c, the wire encoding in encode.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve/answer_int.h"

/* What one link of a CNAME/DNAME chain ended in. */
enum { STEP_DONE = 0, STEP_FOLLOW = 1 };

int serve_ctx_new(const char *store_path, serve_ctx_t **out)
{
	serve_ctx_t *c = calloc(1, sizeof(*c));
	int rc = -ENOMEM;

	*out = NULL;
	if (!c)
		return rc;
	c->rrs = malloc(SERVE_RR_MAX * sizeof(*c->rrs));
	c->bytes = malloc(SERVE_ARENA_MAX);
	if (!c->rrs || !c->bytes)
		goto fail;
	rc = store_open(store_path, STORE_RDONLY, &c->s);
	if (rc != RODNS_OK)
		goto fail;
	*out = c;
	return RODNS_OK;
fail:
	serve_ctx_free(c);
	return rc;
}

void serve_ctx_free(serve_ctx_t *c)
{
	if (!c)
		return;
	store_close(c->s);
	free(c->rrs);
	free(c->bytes);
	free(c);
}

store_t *serve_ctx_store(serve_ctx_t *c)
{
	return c ? c->s : NULL;
}

void serve_ctx_release(serve_ctx_t *c)
{
	if (c && store_in_read(c->s))
		store_read_end(c->s);
}

/* ---- the kept read snapshot ---------------------------------------------- */

/* A BEGIN and COMMIT per query cost two WAL lock fcntls and a statement
 * each (a fifth of the query path), so one snapshot serves many queries.
 * It must not be older than the data the daemon serves: the daemon changes
 * a zone's gen only after the commit it stands for, so a snapshot begun
 * after this context first saw (zone, gen) contains that commit. Hence the
 * rule: the first time a zone comes with a gen other than the one it last
 * came with (or a zone not remembered), begin a new snapshot. The age bound
 * keeps a snapshot from pinning the WAL (checkpoints) for long even where
 * gens do not change. */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Remembers zone's gen; true when it is the one the zone last came with.
 * Zone ids are small consecutive numbers: one slot each up to
 * SERVE_SEEN_MAX zones per store file; beyond, zones that share a slot
 * push each other out (a new snapshot, never a wrong one). */
static bool gen_seen(serve_ctx_t *c, const serve_zone_t *z)
{
	serve_seen_t *e = &c->seen[(uint64_t)z->zone_id & (SERVE_SEEN_MAX - 1)];

	if (e->used && e->zone_id == z->zone_id) {
		bool same = e->gen == z->gen;
		e->gen = z->gen;
		return same;
	}
	*e = (serve_seen_t){.zone_id = z->zone_id, .gen = z->gen, .used = true};
	return false;
}

/* A snapshot fit to answer for z: the kept one or a new one. */
static int snapshot(serve_ctx_t *c, const serve_zone_t *z)
{
	bool same = gen_seen(c, z);
	int64_t now = now_ms();

	if (store_in_read(c->s)) {
		if (same && now - c->snap_ms < SERVE_SNAP_MS && now >= c->snap_ms)
			return RODNS_OK;
		store_read_end(c->s);
	}
	int rc = store_read_begin(c->s);
	if (rc == RODNS_OK) {
		c->snap_ms = now;
		c->snap++;
	}
	return rc;
}

/* ---- arena ---------------------------------------------------------------- */

/* Copies one RR (header and RDATA) into the arena; false when full. */
static bool arena_put(serve_ctx_t *c, const dns_rr_t *rr)
{
	if (c->nrr >= SERVE_RR_MAX || SERVE_ARENA_MAX - c->used < rr->rdlen) {
		c->overflow = true;
		return false;
	}
	dns_rr_t *d = &c->rrs[c->nrr++];
	*d = *rr;
	if (rr->rdlen > 0)
		memcpy(c->bytes + c->used, rr->rdata, rr->rdlen);
	d->rdata = c->bytes + c->used;
	c->used += rr->rdlen;
	return true;
}

static int fetch_cb(void *arg, const dns_rr_t *rr)
{
	return arena_put(arg, rr) ? 0 : 1;
}

/* The range of RRs appended since first; a store error is kept in q->err. */
static serve_range_t fetched(serve_q_t *q, unsigned first, int rc)
{
	serve_range_t r = {.first = (uint16_t)first, .n = (uint16_t)(q->c->nrr - first)};

	if (rc < 0 && rc != RODNS_E_NOTFOUND && q->err == RODNS_OK)
		q->err = rc;
	return r;
}

static uint16_t rrsig_covered(const dns_rr_t *rr)
{
	return rr->rdlen >= 2 ? (uint16_t)((rr->rdata[0] << 8) | rr->rdata[1]) : 0;
}

static bool rr_is(const dns_rr_t *rr, uint16_t type, uint16_t covered)
{
	if (rr->type != type)
		return false;
	return type != DNS_T_RRSIG || covered == 0 || rrsig_covered(rr) == covered;
}

/* ---- per-snapshot memo of the apex and *.apex ------------------------------ */

static int memo_cb(void *arg, const dns_rr_t *rr)
{
	serve_memo_t *m = arg;

	if (m->n >= SERVE_MEMO_RRS || SERVE_MEMO_BYTES - m->used < rr->rdlen) {
		m->fits = false;
		return 1;
	}
	dns_rr_t *d = &m->rrs[m->n++];
	*d = *rr;
	if (rr->rdlen > 0)
		memcpy(m->bytes + m->used, rr->rdata, rr->rdlen);
	d->rdata = m->bytes + m->used;
	m->used += rr->rdlen;
	return 0;
}

/* The memo for owner when it is the apex or *.apex (names here are
 * lowercase), read from the store once per snapshot; NULL for other names,
 * a node too big to keep, or a store error (left in q->err). */
static const serve_memo_t *memo_for(serve_q_t *q, const dns_name_t *owner)
{
	const dns_name_t *apex = &q->apex;
	serve_ctx_t *c = q->c;
	serve_memo_t *m;

	if (owner->len == apex->len && memcmp(owner->data, apex->data, apex->len) == 0)
		m = &c->memo[0];
	else if (owner->len == apex->len + 2 && owner->data[0] == 1 && owner->data[1] == '*' &&
		 memcmp(owner->data + 2, apex->data, apex->len) == 0)
		m = &c->memo[1];
	else
		return NULL;
	if (m->snap != c->snap || m->zone_id != q->z->zone_id) {
		m->snap = 0;
		m->zone_id = q->z->zone_id;
		m->fits = true;
		m->n = 0;
		m->used = 0;
		int rc = store_owner(c->s, q->z->zone_id, owner, memo_cb, m);
		if (rc != RODNS_OK && rc != RODNS_E_NOTFOUND && m->fits) {
			if (q->err == RODNS_OK)
				q->err = rc;
			return NULL;
		}
		m->snap = c->snap;
	}
	return m->fits ? m : NULL;
}

/* Copies the memo's RRs of (type, covered; class IN), or all with type 0,
 * into the arena, in the order the store gives them. */
static serve_range_t memo_fetch(serve_q_t *q, const serve_memo_t *m, uint16_t type,
				uint16_t covered)
{
	serve_range_t r = {.first = (uint16_t)q->c->nrr, .n = 0};

	for (unsigned i = 0; i < m->n; i++) {
		const dns_rr_t *rr = &m->rrs[i];
		if (type != 0 && (rr->rclass != DNS_C_IN || !rr_is(rr, type, covered)))
			continue;
		if (!arena_put(q->c, rr))
			break;
		r.n++;
	}
	return r;
}

serve_range_t serve_fetch(serve_q_t *q, const dns_name_t *owner, uint16_t type, uint16_t covered)
{
	unsigned first = q->c->nrr;
	const serve_memo_t *m = memo_for(q, owner);

	if (m)
		return memo_fetch(q, m, type, covered);
	int rc = store_rrset(q->c->s, q->z->zone_id, owner, type, covered, fetch_cb, q->c);
	return fetched(q, first, rc);
}

serve_range_t serve_fetch_node(serve_q_t *q, const dns_name_t *owner)
{
	unsigned first = q->c->nrr;
	const serve_memo_t *m = memo_for(q, owner);

	if (m)
		return memo_fetch(q, m, 0, 0);
	int rc = store_owner(q->c->s, q->z->zone_id, owner, fetch_cb, q->c);
	return fetched(q, first, rc);
}

serve_range_t serve_pick(serve_q_t *q, serve_range_t r, uint16_t type, uint16_t covered)
{
	serve_ctx_t *c = q->c;
	serve_range_t out = {.first = 0, .n = 0};
	unsigned last = 0;
	bool contiguous = true;

	for (unsigned i = r.first; i < (unsigned)r.first + r.n; i++) {
		if (!rr_is(&c->rrs[i], type, covered))
			continue;
		if (out.n == 0)
			out.first = (uint16_t)i;
		else if (i != last + 1)
			contiguous = false;
		last = i;
		out.n++;
	}
	if (contiguous || out.n == 0)
		return out;
	/* Not one run: copy the headers (RDATA stays shared) into one. */
	out.first = (uint16_t)c->nrr;
	out.n = 0;
	for (unsigned i = r.first; i < (unsigned)r.first + r.n; i++) {
		if (!rr_is(&c->rrs[i], type, covered))
			continue;
		if (c->nrr >= SERVE_RR_MAX) {
			c->overflow = true;
			break;
		}
		c->rrs[c->nrr++] = c->rrs[i];
		out.n++;
	}
	return out;
}

/* ---- plan ----------------------------------------------------------------- */

bool serve_plan_has(serve_q_t *q, const dns_name_t *owner, uint16_t type)
{
	const serve_ctx_t *c = q->c;

	for (unsigned i = 0; i < c->nplan; i++) {
		const dns_rr_t *o = &c->rrs[c->plan[i].set.first];
		if (o->type == type && dns_name_eq(&o->owner, owner))
			return true;
	}
	return false;
}

void serve_plan_add(serve_q_t *q, int sec, serve_range_t set, serve_range_t sigs)
{
	serve_ctx_t *c = q->c;

	if (set.n == 0)
		return;
	const dns_rr_t *rr = &c->rrs[set.first];
	if (serve_plan_has(q, &rr->owner, rr->type))
		return;
	if (c->nplan >= SERVE_PLAN_MAX) {
		c->overflow = true;
		return;
	}
	if (!q->dnssec)
		sigs.n = 0;
	c->plan[c->nplan++] = (serve_set_t){.sec = (uint8_t)sec, .set = set, .sigs = sigs};
}

bool serve_add_from(serve_q_t *q, int sec, serve_range_t node, uint16_t type)
{
	serve_range_t set = serve_pick(q, node, type, 0);
	serve_range_t sigs = {.first = 0, .n = 0};

	if (set.n == 0)
		return false;
	if (q->dnssec)
		sigs = serve_pick(q, node, DNS_T_RRSIG, type);
	serve_plan_add(q, sec, set, sigs);
	return true;
}

/* ---- lookup ---------------------------------------------------------------- */

/* Sets the owner of every RR in r (wildcard synthesis, RFC 4592 §3.3.1). */
static void rename_range(serve_q_t *q, serve_range_t r, const dns_name_t *owner)
{
	for (unsigned i = r.first; i < (unsigned)r.first + r.n; i++)
		q->c->rrs[i].owner = *owner;
}

/* The name in the RDATA of a CNAME, DNAME or NS RR (false if unreadable). */
static bool rdata_name(const dns_rr_t *rr, dns_name_t *out)
{
	if (dns_name_from_wire(rr->rdata, rr->rdlen, out, NULL) != RODNS_OK)
		return false;
	dns_name_lower(out);
	return true;
}

/* RFC 8482 §4.2: ANY gets one RRset; rodns picks the lowest type at the
 * node that is not DNSSEC machinery (stable across queries and serials). */
static uint16_t any_type(serve_q_t *q, serve_range_t node)
{
	uint16_t best = 0;

	for (unsigned i = node.first; i < (unsigned)node.first + node.n; i++) {
		uint16_t t = q->c->rrs[i].type;
		if (t == DNS_T_RRSIG || t == DNS_T_NSEC || t == DNS_T_NSEC3)
			continue;
		if (best == 0 || t < best)
			best = t;
	}
	return best ? best : q->c->rrs[node.first].type;
}

/* The lowest type that an RRSIG at the node covers (0: none). */
static uint16_t lowest_covered(serve_q_t *q, serve_range_t node)
{
	uint16_t best = 0;

	for (unsigned i = node.first; i < (unsigned)node.first + node.n; i++) {
		const dns_rr_t *rr = &q->c->rrs[i];
		if (rr->type == DNS_T_RRSIG && (best == 0 || rrsig_covered(rr) < best))
			best = rrsig_covered(rr);
	}
	return best;
}

/* Adds the answer RRset of type t from node (owner rewritten to name when
 * synthesised from a wildcard). false when the node has none. */
static bool answer_type(serve_q_t *q, const dns_name_t *name, serve_range_t node, uint16_t t,
			bool wild)
{
	serve_range_t set, sigs = {.first = 0, .n = 0};

	if (t == DNS_T_RRSIG) {
		/* RRSIGs asked for as such come plainly; like ANY (RFC 8482
		 * §4.2) only one RRset's worth: those of the lowest type */
		set = serve_pick(q, node, DNS_T_RRSIG, lowest_covered(q, node));
	} else {
		set = serve_pick(q, node, t, 0);
		if (set.n > 0 && q->dnssec)
			sigs = serve_pick(q, node, DNS_T_RRSIG, t);
	}
	if (set.n == 0)
		return false;
	if (wild) {
		rename_range(q, set, name);
		rename_range(q, sigs, name);
	}
	serve_plan_add(q, DNS_SEC_AN, set, sigs);
	return true;
}

/* Answers from the RRs of one node: the RRset asked for, a CNAME to
 * follow, or NODATA. ce is non-NULL when node is the wildcard *.ce that
 * name is synthesised from. */
static int at_node(serve_q_t *q, const dns_name_t *name, serve_range_t node, const dns_name_t *ce,
		   dns_name_t *next)
{
	uint16_t t = q->qtype == DNS_T_ANY ? any_type(q, node) : q->qtype;

	if (answer_type(q, name, node, t, ce != NULL)) {
		if (ce)
			serve_deny_wildcard(q, name, ce);
		return STEP_DONE;
	}
	serve_range_t cn = serve_pick(q, node, DNS_T_CNAME, 0);
	if (cn.n > 0 && answer_type(q, name, node, DNS_T_CNAME, ce != NULL)) {
		if (ce)
			serve_deny_wildcard(q, name, ce);
		return rdata_name(&q->c->rrs[cn.first], next) ? STEP_FOLLOW : STEP_DONE;
	}
	serve_add_soa(q);
	if (ce)
		serve_deny_wild_nodata(q, name, ce, node);
	else
		serve_deny_nodata(q, name, node);
	return STEP_DONE;
}

/* A CNAME synthesised from a DNAME (RFC 6672 §2.3): owner name, the DNAME's
 * TTL, target next. */
static void synth_cname(serve_q_t *q, const dns_name_t *name, uint32_t ttl, const dns_name_t *next)
{
	dns_rr_t rr = {.owner = *name,
		       .type = DNS_T_CNAME,
		       .rclass = DNS_C_IN,
		       .ttl = ttl,
		       .rdlen = next->len,
		       .rdata = next->data};
	serve_range_t set = {.first = (uint16_t)q->c->nrr, .n = 1};
	serve_range_t none = {.first = 0, .n = 0};

	if (arena_put(q->c, &rr))
		serve_plan_add(q, DNS_SEC_AN, set, none);
}

/* name lies below the DNAME at owner (RFC 6672 §3.2 step 3c). */
static int dname(serve_q_t *q, const dns_name_t *name, const dns_name_t *owner, serve_range_t dn,
		 dns_name_t *next)
{
	serve_range_t sigs = {.first = 0, .n = 0};
	const dns_rr_t *rr = &q->c->rrs[dn.first];
	dns_name_t target;

	if (q->dnssec)
		sigs = serve_fetch(q, owner, DNS_T_RRSIG, DNS_T_DNAME);
	serve_plan_add(q, DNS_SEC_AN, dn, sigs);
	if (!rdata_name(rr, &target))
		return STEP_DONE;
	size_t plen = (size_t)(name->len - owner->len);
	if (plen + target.len > DNS_NAME_MAX) {
		q->rcode = 6; /* YXDOMAIN */
		return STEP_DONE;
	}
	memcpy(next->data, name->data, plen);
	memcpy(next->data + plen, target.data, target.len);
	next->len = (uint8_t)(plen + target.len);
	next->labels = (uint8_t)(name->labels - owner->labels + target.labels);
	synth_cname(q, name, rr->ttl, next);
	/* asked for the CNAME: the synthesised one is the answer, as a
	 * CNAME owned by name would be (RFC 1034 §4.3.2 step 3a) */
	return q->qtype == DNS_T_CNAME ? STEP_DONE : STEP_FOLLOW;
}

/* Glue and other in-zone addresses of the NS targets (RFC 1034 §4.3.2
 * step 3b), A then AAAA per target. Addresses of targets at or below the
 * cut must fit or the answer is truncated (RFC 9471 §3); others (sibling
 * glue, the zone's own names) are optional. */
static void add_glue(serve_q_t *q, const dns_name_t *cut, serve_range_t ns)
{
	for (unsigned i = ns.first; i < (unsigned)ns.first + ns.n; i++) {
		dns_name_t t;
		if (!rdata_name(&q->c->rrs[i], &t) || !dns_name_is_sub(&t, &q->apex))
			continue;
		if (serve_plan_has(q, &t, DNS_T_A) || serve_plan_has(q, &t, DNS_T_AAAA))
			continue;
		serve_range_t node = serve_fetch_node(q, &t);
		unsigned first = q->c->nplan;
		serve_add_from(q, DNS_SEC_AR, node, DNS_T_A);
		serve_add_from(q, DNS_SEC_AR, node, DNS_T_AAAA);
		for (unsigned j = first; j < q->c->nplan; j++)
			q->c->plan[j].required = dns_name_is_sub(&t, cut);
	}
}

/* A referral to the zone cut (RFC 4035 §3.1.4: DS or proof of no DS);
 * node: the cut's RRs. */
static void referral(serve_q_t *q, const dns_name_t *cut, serve_range_t node, unsigned hop)
{
	serve_range_t ns = serve_pick(q, node, DNS_T_NS, 0);
	serve_range_t none = {.first = 0, .n = 0};

	if (hop == 0)
		q->aa = false;
	serve_plan_add(q, DNS_SEC_NS, ns, none);
	if (q->dnssec && !serve_add_from(q, DNS_SEC_NS, node, DNS_T_DS))
		serve_deny_ds(q, cut, node);
	add_glue(q, cut, ns);
}

/* A node holding nothing but NSEC3 RRs is not a name of the zone
 * (RFC 5155 §7.2.9). */
static bool nsec3_only(serve_q_t *q, serve_range_t node)
{
	for (unsigned i = node.first; i < (unsigned)node.first + node.n; i++) {
		const dns_rr_t *rr = &q->c->rrs[i];
		if (rr->type != DNS_T_NSEC3 &&
		    !(rr->type == DNS_T_RRSIG && rrsig_covered(rr) == DNS_T_NSEC3))
			return false;
	}
	return true;
}

/* *.ce, false when it would be too long. */
static bool wildcard_of(const dns_name_t *ce, dns_name_t *w)
{
	if (ce->len + 2 > DNS_NAME_MAX)
		return false;
	w->data[0] = 1;
	w->data[1] = '*';
	memcpy(w->data + 2, ce->data, ce->len);
	w->len = (uint8_t)(ce->len + 2);
	w->labels = (uint8_t)(ce->labels + 1);
	return true;
}

/* name owns nothing: empty non-terminal, DNAME, wildcard or NXDOMAIN. */
static int no_node(serve_q_t *q, const dns_name_t *name, const dns_name_t *ce, dns_name_t *next)
{
	serve_range_t none = {.first = 0, .n = 0};
	dns_name_t w;

	if (dns_name_eq(ce, name)) {
		serve_add_soa(q);
		serve_deny_nodata(q, name, none);
		return STEP_DONE;
	}
	serve_range_t dn = serve_fetch(q, ce, DNS_T_DNAME, 0);
	if (dn.n > 0)
		return dname(q, name, ce, dn, next);
	if (wildcard_of(ce, &w)) {
		serve_range_t wn = serve_fetch_node(q, &w);
		if (wn.n > 0)
			return at_node(q, name, wn, ce, next);
	}
	q->rcode = DNS_RC_NXDOMAIN;
	serve_add_soa(q);
	serve_deny_nxdomain(q, name, ce);
	return STEP_DONE;
}

/* A zone cut strictly above name (and below the apex) into cut: true when
 * there is one. Most names sit one label below the apex and have no such
 * ancestor to ask about; a cut at name itself shows in its node. */
static bool cut_above(serve_q_t *q, const dns_name_t *name, dns_name_t *cut)
{
	dns_name_t parent;

	if (name->labels <= q->apex.labels + 1)
		return false;
	dns_name_strip(name, 1, &parent);
	int rc = store_delegation(q->c->s, q->z->zone_id, &q->apex, &parent, cut);
	if (rc != RODNS_OK && rc != RODNS_E_NOTFOUND && q->err == RODNS_OK)
		q->err = rc;
	return rc == RODNS_OK;
}

/* true when node (not the apex) has an NS RRset: name is a zone cut. */
static bool is_cut(serve_q_t *q, const dns_name_t *name, serve_range_t node)
{
	if (name->labels == q->apex.labels)
		return false;
	for (unsigned i = node.first; i < (unsigned)node.first + node.n; i++)
		if (q->c->rrs[i].type == DNS_T_NS)
			return true;
	return false;
}

/* One link of the chain: the lookup for name (lowercase, in the zone). */
static int step(serve_q_t *q, const dns_name_t *name, unsigned hop, dns_name_t *next)
{
	dns_name_t cut, ce;
	int rc;

	if (cut_above(q, name, &cut)) {
		referral(q, &cut, serve_fetch_node(q, &cut), hop);
		return STEP_DONE;
	}
	if (q->err != RODNS_OK)
		return STEP_DONE;
	serve_range_t node = serve_fetch_node(q, name);
	if (is_cut(q, name, node) && q->qtype != DNS_T_DS) {
		/* DS at the cut itself is the parent's data: answered below */
		referral(q, name, node, hop);
		return STEP_DONE;
	}
	if (node.n > 0 && !nsec3_only(q, node))
		return at_node(q, name, node, NULL, next);
	if (node.n > 0) {
		dns_name_strip(name, 1, &ce);
	} else {
		rc = store_closest_encloser(q->c->s, q->z->zone_id, name, &ce);
		if (rc != RODNS_OK) {
			q->err = rc;
			return STEP_DONE;
		}
		dns_name_lower(&ce);
	}
	return no_node(q, name, &ce, next);
}

/* Follows CNAME and DNAME links inside the zone, at most SERVE_CHAIN_MAX
 * of them, never to a name already visited. */
static void resolve(serve_q_t *q, const dns_name_t *qname)
{
	dns_name_t seen[SERVE_CHAIN_MAX + 1];
	dns_name_t name = *qname, next;
	unsigned nseen = 0;

	seen[nseen++] = name;
	for (unsigned hop = 0;; hop++) {
		if (step(q, &name, hop, &next) != STEP_FOLLOW || q->err != RODNS_OK)
			return;
		if (hop + 1 > SERVE_CHAIN_MAX || !dns_name_is_sub(&next, &q->apex))
			return;
		for (unsigned i = 0; i < nseen; i++)
			if (dns_name_eq(&seen[i], &next))
				return;
		seen[nseen++] = next;
		name = next;
	}
}

static void reset(serve_ctx_t *c)
{
	c->nrr = 0;
	c->used = 0;
	c->nplan = 0;
	c->overflow = false;
}

/* Refusals and errors: no data, no AA. */
static int fail_with(serve_q_t *q, int rcode, const dns_msg_t *m, const serve_opts_t *o,
		     uint8_t *resp, size_t cap)
{
	reset(q->c);
	q->rcode = rcode;
	q->aa = false;
	return serve_encode(q, m, o, resp, cap);
}

int serve_answer(serve_ctx_t *c, const serve_zone_t *z, const dns_msg_t *m, const serve_opts_t *o,
		 uint8_t *resp, size_t cap)
{
	serve_q_t q = {.c = c, .z = z, .qtype = m->qtype, .rcode = DNS_RC_NOERROR, .aa = true};
	dns_name_t qname = m->qname;

	reset(c);
	q.apex = z->apex;
	dns_name_lower(&q.apex);
	dns_name_lower(&qname);
	q.dnssec = m->edns.present && (m->edns.flags & DNS_EDNS_DO);
	if (m->edns.present && m->edns.version > 0)
		return fail_with(&q, DNS_RC_BADVERS, m, o, resp, cap); /* RFC 6891 §6.1.3 */
	if (m->qclass != DNS_C_IN || !dns_name_is_sub(&qname, &q.apex))
		return fail_with(&q, DNS_RC_REFUSED, m, o, resp, cap);
	int rc = snapshot(c, z);
	if (rc != RODNS_OK)
		return fail_with(&q, DNS_RC_SERVFAIL, m, o, resp, cap);
	resolve(&q, &qname);
	if (q.err != RODNS_OK) {
		/* a store error (BUSY, a damaged page): the next query starts over */
		store_read_end(c->s);
		return fail_with(&q, DNS_RC_SERVFAIL, m, o, resp, cap);
	}
	return serve_encode(&q, m, o, resp, cap);
}
