/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The incremental check (IXFR): only the owners the transfer touched.
 *
 * The zone before the transfer was valid (the baseline), and every owner
 * at which an RR was added or deleted is in the touched list. So it is
 * enough to check, at each touched owner: its RRsets' signatures, that it
 * has an NSEC (NSEC3) exactly when it has data, and its bitmap; and for the
 * chain, the next pointer of every NSEC (NSEC3) that changed and of the
 * one just before each touched owner: an owner added or removed inside an
 * unchanged NSEC's span would make exactly that predecessor wrong. With
 * NSEC3 the touched names' ancestors are checked too (an empty
 * non-terminal appears or disappears with the names below it).
 *
 * Neighbours come from B-tree lookups (store_nsec_pred, store_nsec3_pred):
 * "greatest owner < t" is asked as "greatest owner <= the largest name
 * below t", a name built for the purpose. */
#include <stdlib.h>
#include <string.h>

#include "dns/err.h"
#include "xfr/validate_int.h"

typedef struct {
	dns_name_t *v;
	size_t n, cap;
} nlist_t;

typedef struct {
	uint64_t *h;
	size_t n, cap;
} hset_t;

typedef struct {
	vrun_t *r;
	ogroup_t g, g2;
	nlist_t chk; /* NSEC / NSEC3 owners whose next pointer is checked */
	hset_t seen; /* NSEC3: names already checked */
} vix_t;

static int nl_push(nlist_t *l, const dns_name_t *n)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		dns_name_t *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = *n;
	dns_name_lower(&l->v[l->n++]);
	return RODNS_OK;
}

static int touched_cb(void *arg, const dns_name_t *name)
{
	return nl_push(arg, name);
}

static int nl_cmp(const void *a, const void *b)
{
	return dns_name_cmp(a, b);
}

static uint64_t name_hash(const dns_name_t *n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n->len; i++)
		h = (h ^ n->data[i]) * 0x100000001b3ull;
	return h | 1; /* 0 marks a free slot */
}

/* Adds n; 1 when it was new, 0 when seen, <0 on error. */
static int hs_add(hset_t *s, const dns_name_t *n)
{
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		uint64_t *h = calloc(cap, sizeof(*h));
		if (!h)
			return -ENOMEM;
		for (size_t i = 0; i < s->cap; i++)
			for (size_t k = s->h[i] % cap; s->h[i]; k = (k + 1) % cap)
				if (!h[k]) {
					h[k] = s->h[i];
					break;
				}
		free(s->h);
		s->h = h;
		s->cap = cap;
	}
	uint64_t v = name_hash(n);
	for (size_t k = v % s->cap;; k = (k + 1) % s->cap) {
		if (s->h[k] == v)
			return 0;
		if (!s->h[k]) {
			s->h[k] = v;
			s->n++;
			return 1;
		}
	}
}

static bool same(const dns_name_t *a, const dns_name_t *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* ---- "the greatest owner < t" ------------------------------------------- */

/* base with \255 labels added below it, as many and as long as fit: no
 * name under base sorts after it. */
static void fill_below(const dns_name_t *base, dns_name_t *out)
{
	uint8_t lens[8];
	size_t nl = 0, budget = DNS_NAME_MAX - base->len;
	while (budget >= 2 && nl < 8) {
		size_t l = budget - 1 < DNS_LABEL_MAX ? budget - 1 : DNS_LABEL_MAX;
		lens[nl++] = (uint8_t)l;
		budget -= l + 1;
	}
	size_t at = 0;
	for (size_t i = nl; i-- > 0;) {
		out->data[at++] = lens[i];
		memset(out->data + at, 0xff, lens[i]);
		at += lens[i];
	}
	memcpy(out->data + at, base->data, base->len);
	out->len = (uint8_t)(at + base->len);
	out->labels = (uint8_t)(base->labels + nl);
}

/* The largest name that sorts before t (t lowercase, below or at apex). */
static void name_before(const vrun_t *r, const dns_name_t *t, dns_name_t *out)
{
	if (same(t, &r->apex)) {
		fill_below(&r->apex, out);
		return;
	}
	dns_name_t p, base;
	dns_name_strip(t, 1, &p);
	size_t n = t->data[0];
	uint8_t lab[DNS_LABEL_MAX];
	memcpy(lab, t->data + 1, n);
	size_t ln;
	if (lab[n - 1] == 0) {
		ln = n - 1; /* "ab" sorts right before "ab\000" */
	} else {
		uint8_t c = (uint8_t)(lab[n - 1] - 1);
		lab[n - 1] = c >= 'A' && c <= 'Z' ? '@' : c; /* no upper case in keys */
		size_t room = DNS_NAME_MAX - p.len - 1;
		ln = room < DNS_LABEL_MAX ? room : DNS_LABEL_MAX;
		if (ln > n)
			memset(lab + n, 0xff, ln - n);
		else
			ln = n;
	}
	if (ln == 0) {
		*out = p;
		return;
	}
	base.data[0] = (uint8_t)ln;
	memcpy(base.data + 1, lab, ln);
	memcpy(base.data + 1 + ln, p.data, p.len);
	base.len = (uint8_t)(1 + ln + p.len);
	base.labels = t->labels;
	fill_below(&base, out);
}

/* The NSEC owner before t (wrapping round); RODNS_E_NOTFOUND when none. */
static int nsec_before(vrun_t *r, const dns_name_t *t, dns_name_t *out)
{
	dns_name_t x;
	name_before(r, t, &x);
	return store_nsec_pred(r->s, r->zone, &x, out);
}

static int nsec3_before(vrun_t *r, const uint8_t h[20], dns_name_t *out)
{
	uint8_t d[20];
	dns_name_t x;
	memcpy(d, h, 20);
	for (int i = 19; i >= 0 && d[i]-- == 0; i--)
		; /* h - 1; from 0 it wraps to the largest hash, as it should */
	vnsec3_name(r, d, &x);
	return store_nsec3_pred(r->s, r->zone, &x, out);
}

/* ---- NSEC ----------------------------------------------------------------- */

static int nsec_bitmap(vrun_t *r, uint64_t seq, const ogroup_t *g, const vtypes_t *ty, bool cut)
{
	char a[DNS_NAME_TEXT_MAX], ta[1024], tb[1024];
	dns_name_t next;
	const uint8_t *bm;
	size_t bmlen;
	vtypes_t exp = *ty, got;
	const orec_t *o = NULL;
	for (size_t i = 0; i < g->n && !o; i++)
		o = g->rec[i].type == DNS_T_NSEC ? &g->rec[i] : NULL;
	if (cut)
		vtypes_cut(&exp, false);
	vname(&g->name, a, sizeof(a));
	if (!vnsec_parse(orec_rd(g, o), o->len, &next, &bm, &bmlen) ||
	    vbitmap_types(bm, bmlen, &got) < 0)
		return vrun_fail(r, seq, XFR_E_BOGUS,
				 "%s NSEC: wrong type bitmap (it does not parse)", a);
	if (got.n == exp.n && memcmp(got.t, exp.t, exp.n * sizeof(exp.t[0])) == 0)
		return RODNS_OK;
	vtypes_text(&got, ta, sizeof(ta));
	vtypes_text(&exp, tb, sizeof(tb));
	return vrun_fail(r, seq, XFR_E_BOGUS,
			 "%s NSEC: wrong type bitmap (lists %s; the name has %s)", a, ta, tb);
}

static int nsec_owner(vix_t *x, uint64_t ord, const ogroup_t *g, bool cut, bool below)
{
	vrun_t *r = x->r;
	char a[DNS_NAME_TEXT_MAX];
	vtypes_t ty;
	dns_name_t p;
	ogroup_types(g, &ty);
	size_t nsec = 0;
	for (size_t i = 0; i < g->n; i++)
		nsec += g->rec[i].type == DNS_T_NSEC;
	vtypes_t data = ty;
	vtypes_del(&data, DNS_T_RRSIG);
	vtypes_del(&data, DNS_T_NSEC);
	uint64_t seq = VSEQ(ord, VSEQ_CHAIN);
	vname(&g->name, a, sizeof(a));
	if (!below && data.n > 0 && nsec != 1)
		return vrun_fail(r, seq, XFR_E_BOGUS, "%s: broken NSEC chain (%s)", a,
				 nsec ? "more than one NSEC record"
				      : "a name with data but no NSEC");
	if (nsec > 0 && (below || data.n == 0))
		return vrun_fail(r, seq, XFR_E_BOGUS, "%s NSEC: broken NSEC chain (an NSEC at %s)",
				 a, below ? "a name below a delegation" : "a name without data");
	int rc = nsec ? nsec_bitmap(r, seq, g, &ty, cut) : RODNS_OK;
	if (rc == RODNS_OK && nsec)
		rc = nl_push(&x->chk, &g->name);
	if (rc == RODNS_OK)
		rc = nsec_before(r, &g->name, &p);
	if (rc == RODNS_OK)
		rc = nl_push(&x->chk, &p);
	return rc == RODNS_E_NOTFOUND ? RODNS_OK : rc;
}

/* q's NSEC must point at the next NSEC owner. */
static int nsec_next_ok(vix_t *x, uint64_t seq, const dns_name_t *q)
{
	vrun_t *r = x->r;
	char a[DNS_NAME_TEXT_MAX], b[DNS_NAME_TEXT_MAX], c[DNS_NAME_TEXT_MAX];
	dns_name_t next, at, before;
	const uint8_t *bm;
	size_t bmlen;
	const orec_t *o = NULL;
	int rc = ogroup_load(r, q, &x->g2);
	for (size_t i = 0; rc == RODNS_OK && i < x->g2.n && !o; i++)
		o = x->g2.rec[i].type == DNS_T_NSEC ? &x->g2.rec[i] : NULL;
	if (rc != RODNS_OK || !o)
		return rc; /* no NSEC here: its absence is judged at the owner */
	vname(q, a, sizeof(a));
	if (!vnsec_parse(orec_rd(&x->g2, o), o->len, &next, &bm, &bmlen) ||
	    !dns_name_is_sub(&next, &r->apex))
		return vrun_fail(r, seq, XFR_E_BOGUS,
				 "%s NSEC: broken NSEC chain (the next name is outside the zone)",
				 a);
	vname(&next, b, sizeof(b));
	rc = store_nsec_pred(r->s, r->zone, &next, &at);
	if (rc == RODNS_OK && !same(&at, &next))
		return vrun_fail(r, seq, XFR_E_BOGUS,
				 "%s NSEC: broken NSEC chain (next name %s has no NSEC)", a, b);
	if (rc == RODNS_OK)
		rc = nsec_before(r, &next, &before);
	if (rc == RODNS_OK && !same(&before, q))
		return vrun_fail(r, seq, XFR_E_BOGUS,
				 "%s NSEC: broken NSEC chain (next name %s, but %s lies between)",
				 a, b, vname(&before, c, sizeof(c)));
	return rc;
}

/* ---- NSEC3 ---------------------------------------------------------------- */

/* The NSEC3 at owner with the zone's parameters into *out; 1 found, 0 not. */
static int nsec3_at(vix_t *x, const dns_name_t *owner, vnsec3_t *out)
{
	int rc = ogroup_load(x->r, owner, &x->g2), found = 0;
	for (size_t i = 0; rc == RODNS_OK && i < x->g2.n; i++) {
		const orec_t *o = &x->g2.rec[i];
		vnsec3_t n;
		if (o->type == DNS_T_NSEC3 && vnsec3_parse(orec_rd(&x->g2, o), o->len, &n) &&
		    vnsec3_params_eq(&n, &x->r->den) && !found++)
			*out = n;
	}
	return rc < 0 ? rc : found;
}

/* The NSEC3 state of name a (t's group when a is the touched owner). */
static int n3_name(vix_t *x, uint64_t ord, const dns_name_t *a, const ogroup_t *ga, bool cut)
{
	vrun_t *r = x->r;
	char an[DNS_NAME_TEXT_MAX], hn[DNS_NAME_TEXT_MAX], ta[1024], tb[1024];
	uint64_t seq = VSEQ(ord, VSEQ_CHAIN);
	vtypes_t ty, got;
	ogroup_types(ga, &ty);
	int exists = ty.n > 0 ? 1 : store_name_exists(r->s, r->zone, a);
	if (exists < 0)
		return exists;
	uint8_t h[20];
	dns_name_t hname, cover;
	vnsec3_t n3, cv;
	dns_nsec3_hash(a, r->den.iter, r->den.salt, r->den.saltlen, h);
	vnsec3_name(r, h, &hname);
	vname(a, an, sizeof(an));
	vname(&hname, hn, sizeof(hn));
	int found = nsec3_at(x, &hname, &n3);
	if (found < 0)
		return found;
	if (!exists)
		return found ? vrun_fail(r, seq, XFR_E_BOGUS,
					 "%s NSEC3: broken NSEC chain (the NSEC3 of %s, a name no "
					 "longer in the zone)",
					 hn, an)
			     : RODNS_OK;
	if (!found) {
		bool optional = ty.n == 0 || (cut && !vtypes_has(&ty, DNS_T_DS));
		int rc =
		    optional ? store_nsec3_pred(r->s, r->zone, &hname, &cover) : RODNS_E_NOTFOUND;
		int c = rc == RODNS_OK ? nsec3_at(x, &cover, &cv) : 0;
		if (c < 0 || (rc != RODNS_OK && rc != RODNS_E_NOTFOUND))
			return c < 0 ? c : rc;
		if (c == 1 && (cv.flags & 1))
			return RODNS_OK;
		return vrun_fail(r, seq, XFR_E_BOGUS,
				 "%s: broken NSEC chain (no NSEC3 at its hash %s%s)", an, hn,
				 optional ? ", and the covering NSEC3 has no Opt-Out" : "");
	}
	if (cut)
		vtypes_cut(&ty, true);
	if (vbitmap_types(n3.bm, n3.bmlen, &got) < 0 || got.n != ty.n ||
	    memcmp(got.t, ty.t, ty.n * sizeof(ty.t[0])) != 0) {
		vtypes_text(&got, ta, sizeof(ta));
		vtypes_text(&ty, tb, sizeof(tb));
		return vrun_fail(r, seq, XFR_E_BOGUS,
				 "%s NSEC3: wrong type bitmap (the NSEC3 of %s lists %s; the name "
				 "has %s)",
				 hn, an, ta, tb);
	}
	return RODNS_OK;
}

/* A touched name and its ancestors up to the apex, each once per run. */
static int n3_names(vix_t *x, uint64_t ord, const ogroup_t *g, bool cut)
{
	vrun_t *r = x->r;
	for (unsigned k = g->name.labels + 1u; k-- > r->apex.labels;) {
		dns_name_t a;
		dns_name_strip(&g->name, g->name.labels - k, &a);
		int rc = hs_add(&x->seen, &a);
		if (rc <= 0) {
			if (rc < 0)
				return rc;
			continue;
		}
		if (k == g->name.labels) {
			rc = n3_name(x, ord, &a, g, cut);
		} else {
			/* an ancestor with data is not touched: its NSEC3 is as it was */
			ogroup_t tmp = {0};
			rc = ogroup_load(r, &a, &tmp);
			if (rc == RODNS_OK && tmp.n == 0)
				rc = n3_name(x, ord, &a, &tmp, false);
			ogroup_free(&tmp);
		}
		if (rc != RODNS_OK)
			return rc;
	}
	return RODNS_OK;
}

static int n3_owner(vix_t *x, const ogroup_t *g, const uint8_t h[20])
{
	dns_name_t p;
	vtypes_t ty;
	ogroup_types(g, &ty);
	int rc = vtypes_has(&ty, DNS_T_NSEC3) ? nl_push(&x->chk, &g->name) : RODNS_OK;
	if (rc == RODNS_OK)
		rc = nsec3_before(x->r, h, &p);
	if (rc == RODNS_OK)
		rc = nl_push(&x->chk, &p);
	return rc == RODNS_E_NOTFOUND ? RODNS_OK : rc;
}

static int n3_next_ok(vix_t *x, uint64_t seq, const dns_name_t *q)
{
	vrun_t *r = x->r;
	char a[DNS_NAME_TEXT_MAX], b[DNS_NAME_TEXT_MAX], c[DNS_NAME_TEXT_MAX];
	vnsec3_t n3;
	dns_name_t next, at, before;
	int found = nsec3_at(x, q, &n3);
	if (found <= 0)
		return found; /* judged at the owner */
	vname(q, a, sizeof(a));
	if (found > 1 || n3.hashlen != 20)
		return vrun_fail(r, seq, XFR_E_BOGUS, "%s NSEC3: broken NSEC chain (%s)", a,
				 found > 1 ? "more than one NSEC3 with the NSEC3PARAM parameters"
					   : "the next hashed owner is not 20 octets");
	vnsec3_name(r, n3.hash, &next);
	vname(&next, b, sizeof(b));
	int rc = store_nsec3_pred(r->s, r->zone, &next, &at);
	if (rc == RODNS_OK && !same(&at, &next))
		return vrun_fail(r, seq, XFR_E_BOGUS,
				 "%s NSEC3: broken NSEC chain (next hashed owner %s has no NSEC3)",
				 a, b);
	if (rc == RODNS_OK)
		rc = nsec3_before(r, n3.hash, &before);
	if (rc == RODNS_OK && !same(&before, q))
		return vrun_fail(r, seq, XFR_E_BOGUS,
				 "%s NSEC3: broken NSEC chain (next hashed owner %s, but %s lies "
				 "between)",
				 a, b, vname(&before, c, sizeof(c)));
	return rc;
}

/* ---- one touched owner ---------------------------------------------------- */

static int ix_owner(vix_t *x, uint64_t ord, const dns_name_t *t)
{
	vrun_t *r = x->r;
	dns_name_t c;
	bool cut = false, below = false;
	if (!same(t, &r->apex)) {
		int rc = store_delegation(r->s, r->zone, &r->apex, t, &c);
		if (rc != RODNS_OK && rc != RODNS_E_NOTFOUND)
			return rc;
		cut = rc == RODNS_OK && same(&c, t);
		below = rc == RODNS_OK && !cut;
	}
	int rc = ogroup_load(r, t, &x->g);
	if (rc == RODNS_OK && !below)
		rc = vowner_sigs(r, ord, &x->g, cut);
	uint8_t h[20];
	if (rc != RODNS_OK)
		return rc;
	if (!r->den.nsec3)
		return nsec_owner(x, ord, &x->g, cut, below);
	if (vnsec3_owner_hash(r, t, h))
		rc = n3_owner(x, &x->g, h);
	vtypes_t ty;
	ogroup_types(&x->g, &ty);
	if (rc == RODNS_OK && !below && !vtypes_has(&ty, DNS_T_NSEC3))
		rc = n3_names(x, ord, &x->g, cut);
	return rc;
}

/* ---- ZONEMD: the digest covers the whole zone ----------------------------- */

static int zonemd_cb(void *arg, const dns_rr_t *rr)
{
	vrun_t *r = arg;
	for (int k = 0; k < 2; k++) {
		int rc = r->zctx[k] ? dns_zonemd_add(r->zctx[k], rr) : RODNS_OK;
		if (rc == -ENOMEM)
			return rc;
	}
	return 0;
}

/* ---- the run -------------------------------------------------------------- */

static int fallback(vrun_t *r, const char *why)
{
	r->v->st.why_full = why;
	return 1;
}

/* Whether the baseline allows an incremental check of this apex. */
static const char *base_mismatch(const vrun_t *r)
{
	const xfr_validator_t *v = r->v;
	if (!v->have_base)
		return NULL; /* trust_stored */
	const vdenial_t *a = &v->base_denial, *b = &r->den;
	if (a->nsec3 != b->nsec3 || a->iter != b->iter || a->saltlen != b->saltlen ||
	    memcmp(a->salt, b->salt, a->saltlen) != 0)
		return "the denial mode or the NSEC3 parameters changed";
	for (size_t i = 0; i < v->base_nkeys; i++) {
		bool found = false;
		for (size_t k = 0; k < r->nkeys && !found; k++)
			found = r->keys[k].fp == v->base_keys[i];
		if (!found)
			return "a zone key left the DNSKEY set";
	}
	return NULL;
}

static int ix_run(vix_t *x, const nlist_t *tl)
{
	vrun_t *r = x->r;
	int rc = vpool_start(r, r->v->workers);
	for (size_t i = 0; rc == RODNS_OK && i < tl->n && !vrun_failed(r); i++) {
		r->owners++;
		rc = ix_owner(x, i, &tl->v[i]);
	}
	if (x->chk.n > 0)
		qsort(x->chk.v, x->chk.n, sizeof(x->chk.v[0]), nl_cmp);
	for (size_t i = 0; rc == RODNS_OK && i < x->chk.n && !vrun_failed(r); i++) {
		if (i > 0 && same(&x->chk.v[i], &x->chk.v[i - 1]))
			continue;
		uint64_t seq = VSEQ(tl->n + i, VSEQ_CHAIN);
		rc = r->den.nsec3 ? n3_next_ok(x, seq, &x->chk.v[i])
				  : nsec_next_ok(x, seq, &x->chk.v[i]);
	}
	int perr = vpool_finish(r);
	if (rc == RODNS_OK)
		rc = perr;
	if (rc == RODNS_OK && !vrun_failed(r) && (r->zctx[0] || r->zctx[1]))
		rc = store_zone_iter(r->s, r->zone, zonemd_cb, r);
	if (rc == RODNS_OK && !vrun_failed(r))
		rc = vzonemd_finish(r);
	return rc;
}

int vzone_ixfr(vrun_t *r)
{
	xfr_validator_t *v = r->v;
	vix_t x = {.r = r};
	nlist_t tl = {0};
	bool apex = false;
	int rc = store_txn_touched(r->s, r->t, touched_cb, &tl);
	for (size_t i = 0; rc == RODNS_OK && i < tl.n; i++)
		apex |= same(&tl.v[i], &r->apex);
	v->st.touched = tl.n;
	if (rc == RODNS_OK && !v->have_base && !v->trust_stored)
		rc = fallback(r, "no baseline: the first check of this zone");
	else if (rc == RODNS_OK && !apex)
		rc = fallback(r, "the touched-owner list lacks the apex (it is incomplete)");
	if (rc == RODNS_OK)
		rc = ogroup_load(r, &r->apex, &x.g);
	if (rc == RODNS_OK)
		rc = vapex_load(r, &x.g);
	const char *why = rc == RODNS_OK && !vrun_failed(r) ? base_mismatch(r) : NULL;
	if (why)
		rc = fallback(r, why);
	if (rc == RODNS_OK && !vrun_failed(r))
		rc = ix_run(&x, &tl);
	ogroup_free(&x.g);
	ogroup_free(&x.g2);
	free(x.chk.v);
	free(x.seen.h);
	free(tl.v);
	return rc;
}
