/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The whole-zone check (AXFR): one pass over the store in canonical order,
 * owner by owner. The apex comes first (its key is a prefix of every other
 * key), so the zone keys and denial parameters are known before any other
 * RRset is queued for the workers. Delegations come right before the names
 * below them, so "below a cut" is a prefix test against the last cut; the
 * NSEC chain is checked as it streams past. NSEC3 needs the hashes of all
 * names against all NSEC3 owners: both lists are kept (about 40 octets per
 * name) and merged at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/err.h"
#include "xfr/validate_int.h"

#define MAX_ENTS 128 /* open empty non-terminals: at most the name depth */

enum { N3_OPTIONAL = 1, N3_OPTOUT = 2, N3_MATCHED = 4 };

/* A name that needs an NSEC3 (from the names) or an NSEC3 (from the
 * hashed owners). ord/labels find the name again for a message. */
typedef struct {
	uint8_t h[20];
	uint8_t labels; /* empty non-terminal: its label count; 0: the owner */
	uint8_t flags;
	uint32_t ord;
	uint64_t tsh; /* hash of the type list */
} n3ent_t;

typedef struct {
	n3ent_t *e;
	size_t n, cap;
} n3list_t;

typedef struct {
	dns_name_t name;
	uint32_t ord;
	bool required; /* a name below it is not an insecure delegation */
} vent_t;

typedef struct {
	vrun_t *r;
	ogroup_t g;
	bool have_group;
	uint64_t ord;
	dns_name_t prev; /* the previous owner, whatever it was */
	dns_name_t cut;
	bool in_cut;
	/* NSEC */
	bool nsec_prev;
	dns_name_t nsec_owner, nsec_next;
	uint64_t nsec_ord;
	/* NSEC3 */
	n3list_t need, have;
	bool n3_first;
	uint8_t first_h[20], prev_next[20];
	uint64_t prev_ord;
	dns_name_t prev_n3;
	vent_t ents[MAX_ENTS];
	size_t nents;
} vwalk_t;

static int n3_push(n3list_t *l, const n3ent_t *e)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		n3ent_t *n = realloc(l->e, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		l->e = n;
		l->cap = cap;
	}
	l->e[l->n++] = *e;
	return RODNS_OK;
}

static int n3_cmp(const void *a, const void *b)
{
	return memcmp(((const n3ent_t *)a)->h, ((const n3ent_t *)b)->h, 20);
}

static bool is_apex(const vrun_t *r, const dns_name_t *n)
{
	return n->len == r->apex.len && memcmp(n->data, r->apex.data, n->len) == 0;
}

/* Labels a and b share from the root. */
static unsigned common_labels(const dns_name_t *a, const dns_name_t *b)
{
	unsigned n = a->labels < b->labels ? a->labels : b->labels;
	for (unsigned k = n; k > 0; k--) {
		dns_name_t x, y;
		dns_name_strip(a, a->labels - k, &x);
		dns_name_strip(b, b->labels - k, &y);
		if (dns_name_eq(&x, &y))
			return k;
	}
	return 0;
}

/* ---- NSEC ---------------------------------------------------------------- */

static int nsec_owner(vwalk_t *w, const ogroup_t *g, const vtypes_t *ty, bool cut)
{
	vrun_t *r = w->r;
	char a[DNS_NAME_TEXT_MAX], b[DNS_NAME_TEXT_MAX], ta[1024], tb[1024];
	const orec_t *nsec = NULL;
	size_t n = 0;
	for (size_t i = 0; i < g->n; i++)
		if (g->rec[i].type == DNS_T_NSEC) {
			nsec = nsec ? nsec : &g->rec[i];
			n++;
		}
	if (w->nsec_prev && !dns_name_eq(&w->nsec_next, &g->name))
		return vrun_fail(r, VSEQ(w->nsec_ord, VSEQ_CHAIN), XFR_E_BOGUS,
				 "%s NSEC: broken NSEC chain (next name %s, but the next name "
				 "with data is %s)",
				 vname(&w->nsec_owner, a, sizeof(a)),
				 vname(&w->nsec_next, b, sizeof(b)),
				 vname(&g->name, ta, sizeof(ta)));
	vname(&g->name, a, sizeof(a));
	if (n != 1)
		return vrun_fail(r, VSEQ(w->ord, VSEQ_CHAIN), XFR_E_BOGUS,
				 "%s: broken NSEC chain (%s)", a,
				 n ? "more than one NSEC record" : "a name with data but no NSEC");
	const uint8_t *bm;
	size_t bmlen;
	vtypes_t exp = *ty, got;
	if (cut)
		vtypes_cut(&exp, false);
	if (!vnsec_parse(orec_rd(g, nsec), nsec->len, &w->nsec_next, &bm, &bmlen) ||
	    vbitmap_types(bm, bmlen, &got) < 0)
		return vrun_fail(r, VSEQ(w->ord, VSEQ_CHAIN), XFR_E_BOGUS,
				 "%s NSEC: wrong type bitmap (it does not parse)", a);
	if (got.n != exp.n || memcmp(got.t, exp.t, exp.n * sizeof(exp.t[0])) != 0) {
		vtypes_text(&got, ta, sizeof(ta));
		vtypes_text(&exp, tb, sizeof(tb));
		return vrun_fail(r, VSEQ(w->ord, VSEQ_CHAIN), XFR_E_BOGUS,
				 "%s NSEC: wrong type bitmap (lists %s; the name has %s)", a, ta,
				 tb);
	}
	w->nsec_prev = true;
	w->nsec_owner = g->name;
	w->nsec_ord = w->ord;
	return RODNS_OK;
}

static int nsec_end(vwalk_t *w)
{
	char a[DNS_NAME_TEXT_MAX], b[DNS_NAME_TEXT_MAX];
	if (w->nsec_prev && !dns_name_eq(&w->nsec_next, &w->r->apex))
		return vrun_fail(w->r, VSEQ(w->nsec_ord, VSEQ_CHAIN), XFR_E_BOGUS,
				 "%s NSEC: broken NSEC chain (the last NSEC points to %s, not back "
				 "to the apex)",
				 vname(&w->nsec_owner, a, sizeof(a)),
				 vname(&w->nsec_next, b, sizeof(b)));
	return RODNS_OK;
}

/* ---- NSEC3 --------------------------------------------------------------- */

static void hash_text(const vrun_t *r, const uint8_t h[20], char *buf, size_t cap)
{
	dns_name_t n;
	vnsec3_name(r, h, &n);
	vname(&n, buf, cap);
}

/* A hashed owner: its NSEC3 continues the chain. */
static int n3_owner(vwalk_t *w, const ogroup_t *g, const uint8_t h[20])
{
	vrun_t *r = w->r;
	char a[DNS_NAME_TEXT_MAX], b[DNS_NAME_TEXT_MAX], c[DNS_NAME_TEXT_MAX];
	vnsec3_t rec = {0}, x;
	size_t m = 0;
	vname(&g->name, a, sizeof(a));
	for (size_t i = 0; i < g->n; i++)
		if (g->rec[i].type == DNS_T_NSEC3 &&
		    vnsec3_parse(orec_rd(g, &g->rec[i]), g->rec[i].len, &x) &&
		    vnsec3_params_eq(&x, &r->den) && m++ == 0)
			rec = x;
	if (m != 1 || rec.hashlen != 20)
		return vrun_fail(r, VSEQ(w->ord, VSEQ_CHAIN), XFR_E_BOGUS,
				 "%s NSEC3: broken NSEC chain (%s)", a,
				 m == 0	 ? "no NSEC3 with the NSEC3PARAM parameters"
				 : m > 1 ? "more than one NSEC3 with the NSEC3PARAM parameters"
					 : "the next hashed owner is not 20 octets");
	vtypes_t got;
	if (vbitmap_types(rec.bm, rec.bmlen, &got) < 0)
		return vrun_fail(r, VSEQ(w->ord, VSEQ_CHAIN), XFR_E_BOGUS,
				 "%s NSEC3: wrong type bitmap (it does not parse)", a);
	if (w->n3_first && memcmp(w->prev_next, h, 20) != 0) {
		hash_text(r, w->prev_next, b, sizeof(b));
		return vrun_fail(r, VSEQ(w->prev_ord, VSEQ_CHAIN), XFR_E_BOGUS,
				 "%s NSEC3: broken NSEC chain (next hashed owner %s, but the next "
				 "NSEC3 is %s)",
				 vname(&w->prev_n3, c, sizeof(c)), b, a);
	}
	if (!w->n3_first)
		memcpy(w->first_h, h, 20);
	w->n3_first = true;
	memcpy(w->prev_next, rec.hash, 20);
	w->prev_ord = w->ord;
	w->prev_n3 = g->name;
	n3ent_t e = {.flags = (rec.flags & 1) ? N3_OPTOUT : 0,
		     .ord = (uint32_t)w->ord,
		     .tsh = vtypes_hash(&got)};
	memcpy(e.h, h, 20);
	return n3_push(&w->have, &e);
}

static int n3_need(vwalk_t *w, const dns_name_t *name, uint8_t labels, uint32_t ord, bool optional,
		   const vtypes_t *ty)
{
	const vdenial_t *d = &w->r->den;
	n3ent_t e = {.labels = labels,
		     .flags = optional ? N3_OPTIONAL : 0,
		     .ord = ord,
		     .tsh = vtypes_hash(ty)};
	dns_nsec3_hash(name, d->iter, d->salt, d->saltlen, e.h);
	return n3_push(&w->need, &e);
}

/* Closes the empty non-terminals that are not ancestors of name. */
static int ents_pop(vwalk_t *w, const dns_name_t *name)
{
	static const vtypes_t none = {.n = 0};
	while (w->nents > 0) {
		vent_t *e = &w->ents[w->nents - 1];
		if (name && dns_name_is_sub(name, &e->name))
			break;
		int rc = n3_need(w, &e->name, e->name.labels, e->ord, !e->required, &none);
		if (rc != RODNS_OK)
			return rc;
		w->nents--;
	}
	return RODNS_OK;
}

/* The ancestors of name between the previous owner's and name itself were
 * never owners: empty non-terminals (canonical order is depth first). */
static void ents_push(vwalk_t *w, const dns_name_t *name)
{
	unsigned from = common_labels(&w->prev, name) + 1;
	if (from <= w->r->apex.labels)
		from = w->r->apex.labels + 1;
	for (unsigned k = from; k < name->labels && w->nents < MAX_ENTS; k++) {
		vent_t *e = &w->ents[w->nents++];
		dns_name_strip(name, name->labels - k, &e->name);
		e->ord = (uint32_t)w->ord;
		e->required = false;
	}
}

static int n3_name(vwalk_t *w, const ogroup_t *g, const vtypes_t *ty, bool cut)
{
	bool insecure = cut && !vtypes_has(ty, DNS_T_DS);
	vtypes_t exp = *ty;
	if (cut)
		vtypes_cut(&exp, true);
	if (!insecure)
		for (size_t i = 0; i < w->nents; i++)
			w->ents[i].required = true;
	return n3_need(w, &g->name, 0, (uint32_t)w->ord, insecure, &exp);
}

/* The name of owner number ord (labels: that ancestor of it), for messages. */
typedef struct {
	uint64_t want, at;
	bool started;
	dns_name_t last, out;
} vfind_t;

static int find_cb(void *arg, const dns_rr_t *rr)
{
	vfind_t *f = arg;
	if (f->started && dns_name_eq(&f->last, &rr->owner))
		return 0;
	if (f->started)
		f->at++;
	f->started = true;
	f->last = rr->owner;
	if (f->at == f->want) {
		f->out = rr->owner;
		return 1;
	}
	return 0;
}

static void name_at(vrun_t *r, uint32_t ord, uint8_t labels, char *buf, size_t cap)
{
	vfind_t f = {.want = ord};
	if (store_zone_iter(r->s, r->zone, find_cb, &f) != 1) {
		snprintf(buf, cap, "?");
		return;
	}
	if (labels && labels < f.out.labels)
		dns_name_strip(&f.out, f.out.labels - labels, &f.out);
	vname(&f.out, buf, cap);
}

/* Matches the hashes of the names with the NSEC3 owners (both sorted). */
static int n3_merge(vwalk_t *w)
{
	vrun_t *r = w->r;
	n3ent_t *need = w->need.e, *have = w->have.e;
	size_t nn = w->need.n, nh = w->have.n, j = 0;
	const n3ent_t *bad = NULL;
	int what = 0; /* 1 no NSEC3, 2 bitmap, 3 orphan NSEC3 */
	qsort(need, nn, sizeof(*need), n3_cmp);
	for (size_t i = 0; i < nn; i++) {
		while (j < nh && memcmp(have[j].h, need[i].h, 20) < 0)
			j++;
		int k = 0;
		if (j < nh && memcmp(have[j].h, need[i].h, 20) == 0) {
			have[j].flags |= N3_MATCHED;
			k = have[j].tsh != need[i].tsh ? 2 : 0;
		} else if (!(need[i].flags & N3_OPTIONAL) || nh == 0 ||
			   !(have[j > 0 ? j - 1 : nh - 1].flags & N3_OPTOUT)) {
			k = 1;
		}
		if (k && (!bad || VSEQ(need[i].ord, VSEQ_CHAIN) < VSEQ(bad->ord, VSEQ_CHAIN))) {
			bad = &need[i];
			what = k;
		}
	}
	for (size_t i = 0; i < nh; i++)
		if (!(have[i].flags & N3_MATCHED) && (!bad || have[i].ord < bad->ord)) {
			bad = &have[i];
			what = 3;
		}
	if (!bad)
		return RODNS_OK;
	char name[DNS_NAME_TEXT_MAX], hn[DNS_NAME_TEXT_MAX];
	hash_text(r, bad->h, hn, sizeof(hn));
	name_at(r, bad->ord, bad->labels, name, sizeof(name));
	uint64_t seq = VSEQ(bad->ord, VSEQ_CHAIN);
	if (what == 1)
		return vrun_fail(
		    r, seq, XFR_E_BOGUS, "%s: broken NSEC chain (no NSEC3 at its hash %s%s)", name,
		    hn, bad->flags & N3_OPTIONAL ? ", and the covering NSEC3 has no Opt-Out" : "");
	if (what == 2)
		return vrun_fail(r, seq, XFR_E_BOGUS,
				 "%s NSEC3: wrong type bitmap (the NSEC3 for %s lists other types "
				 "than the name has)",
				 hn, name);
	return vrun_fail(r, seq, XFR_E_BOGUS,
			 "%s NSEC3: broken NSEC chain (it is the hash of no name in the zone)",
			 name);
}

static int n3_end(vwalk_t *w)
{
	vrun_t *r = w->r;
	char a[DNS_NAME_TEXT_MAX], b[DNS_NAME_TEXT_MAX];
	int rc = ents_pop(w, NULL);
	if (rc != RODNS_OK)
		return rc;
	if (!w->n3_first)
		return vrun_fail(r, VSEQ_END, XFR_E_BOGUS,
				 "%s: broken NSEC chain (NSEC3PARAM but no NSEC3 record)",
				 vname(&r->apex, a, sizeof(a)));
	if (memcmp(w->prev_next, w->first_h, 20) != 0) {
		hash_text(r, w->prev_next, b, sizeof(b));
		return vrun_fail(r, VSEQ(w->prev_ord, VSEQ_CHAIN), XFR_E_BOGUS,
				 "%s NSEC3: broken NSEC chain (the last NSEC3 points to %s, not "
				 "to the first)",
				 vname(&w->prev_n3, a, sizeof(a)), b);
	}
	return n3_merge(w);
}

/* ---- the walk ------------------------------------------------------------ */

static int first_owner(vwalk_t *w, const ogroup_t *g)
{
	vrun_t *r = w->r;
	char a[DNS_NAME_TEXT_MAX];
	if (!is_apex(r, &g->name))
		return vrun_fail(r, VSEQ(0, 0), XFR_E_BOGUS, "%s: the zone has no apex records",
				 vname(&r->apex, a, sizeof(a)));
	int rc = vapex_load(r, g);
	if (rc == RODNS_OK && !vrun_failed(r))
		rc = vpool_start(r, r->v->workers);
	return rc;
}

/* Everything about one owner, once all its RRs are in w->g. */
static int flush(vwalk_t *w)
{
	vrun_t *r = w->r;
	ogroup_t *g = &w->g;
	int rc = w->ord == 0 ? first_owner(w, g) : RODNS_OK;
	if (rc != RODNS_OK || vrun_failed(r))
		return rc;
	r->owners++;
	rc = vzonemd_feed(r, g);
	bool below = w->in_cut && dns_name_is_sub(&g->name, &w->cut);
	w->in_cut &= below;
	vtypes_t ty;
	ogroup_types(g, &ty);
	bool cut = w->ord > 0 && !below && vtypes_has(&ty, DNS_T_NS);
	uint8_t h[20];
	bool hashed =
	    r->den.nsec3 && vtypes_has(&ty, DNS_T_NSEC3) && vnsec3_owner_hash(r, &g->name, h);
	if (rc == RODNS_OK && r->den.nsec3)
		rc = ents_pop(w, &g->name);
	if (rc == RODNS_OK && r->den.nsec3 && !below && !hashed)
		ents_push(w, &g->name);
	if (rc == RODNS_OK && !below)
		rc = vowner_sigs(r, w->ord, g, cut);
	if (rc == RODNS_OK && !below && hashed)
		rc = n3_owner(w, g, h);
	else if (rc == RODNS_OK && !below && r->den.nsec3)
		rc = n3_name(w, g, &ty, cut);
	else if (rc == RODNS_OK && !below)
		rc = nsec_owner(w, g, &ty, cut);
	if (cut) {
		w->in_cut = true;
		w->cut = g->name;
	}
	w->prev = g->name;
	w->ord++;
	return rc;
}

static int walk_cb(void *arg, const dns_rr_t *rr)
{
	vwalk_t *w = arg;
	if (w->have_group && (rr->owner.len != w->g.name.len ||
			      memcmp(rr->owner.data, w->g.name.data, rr->owner.len) != 0)) {
		int rc = flush(w);
		if (rc != RODNS_OK)
			return rc;
		if (vrun_failed(w->r))
			return 1;
		ogroup_reset(&w->g, &rr->owner);
	}
	if (!w->have_group) {
		ogroup_reset(&w->g, &rr->owner);
		w->have_group = true;
	}
	return ogroup_add(&w->g, rr);
}

int vzone_full(vrun_t *r)
{
	char a[DNS_NAME_TEXT_MAX];
	vwalk_t *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->r = r;
	int rc = store_zone_iter(r->s, r->zone, walk_cb, w);
	if (rc == 1)
		rc = RODNS_OK;
	if (rc == RODNS_OK && !vrun_failed(r) && w->have_group)
		rc = flush(w);
	if (rc == RODNS_OK && !vrun_failed(r) && w->ord == 0)
		rc = vrun_fail(r, VSEQ(0, 0), XFR_E_BOGUS, "%s: the zone is empty",
			       vname(&r->apex, a, sizeof(a)));
	if (rc == RODNS_OK && !vrun_failed(r))
		rc = r->den.nsec3 ? n3_end(w) : nsec_end(w);
	int perr = vpool_finish(r);
	if (rc == RODNS_OK)
		rc = perr;
	if (rc == RODNS_OK && !vrun_failed(r))
		rc = vzonemd_finish(r);
	ogroup_free(&w->g);
	free(w->need.e);
	free(w->have.e);
	free(w);
	return rc;
}
