/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* DNSSEC validation of transfers: the validator, one run, the apex (trust
 * anchor, zone keys, denial parameters), signature checks of one RRset,
 * type bitmaps and ZONEMD. The zone walk is in validate_zone.c, the
 * incremental check in validate_ixfr.c, the worker threads in
 * validate_pool.c. See validate.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns/err.h"
#include "dns/text.h"
#include "xfr/validate_int.h"
#include "xfr/xfrin.h"

/* ---- failures ----------------------------------------------------------- */

int vrun_fail(vrun_t *r, uint64_t seq, int err, const char *fmt, ...)
{
	pthread_mutex_lock(&r->mu);
	if (!atomic_load(&r->failed) || seq < r->fail_seq) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
		va_end(ap);
		r->fail_seq = seq;
		r->fail_err = err;
		atomic_store(&r->failed, true);
	}
	pthread_mutex_unlock(&r->mu);
	return err;
}

bool vrun_failed(vrun_t *r)
{
	return atomic_load_explicit(&r->failed, memory_order_relaxed);
}

const char *vname(const dns_name_t *n, char *buf, size_t cap)
{
	if (dns_name_to_text(n, buf, cap) < 0)
		snprintf(buf, cap, "?");
	return buf;
}

/* ---- owner groups ------------------------------------------------------- */

void ogroup_reset(ogroup_t *g, const dns_name_t *name)
{
	g->n = 0;
	g->used = 0;
	if (name)
		g->name = *name;
}

void ogroup_free(ogroup_t *g)
{
	free(g->rec);
	free(g->data);
	*g = (ogroup_t){0};
}

int ogroup_add(ogroup_t *g, const dns_rr_t *rr)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 32;
		orec_t *n = realloc(g->rec, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		g->rec = n;
		g->cap = cap;
	}
	if (g->used + rr->rdlen > g->dcap) {
		size_t cap = g->dcap ? g->dcap : 4096;
		while (cap < g->used + rr->rdlen)
			cap *= 2;
		uint8_t *d = realloc(g->data, cap);
		if (!d)
			return -ENOMEM;
		g->data = d;
		g->dcap = cap;
	}
	if (rr->rdlen)
		memcpy(g->data + g->used, rr->rdata, rr->rdlen);
	g->rec[g->n++] =
	    (orec_t){.type = rr->type, .len = rr->rdlen, .ttl = rr->ttl, .off = g->used};
	g->used += rr->rdlen;
	return RODNS_OK;
}

static int group_cb(void *arg, const dns_rr_t *rr)
{
	return ogroup_add(arg, rr);
}

int ogroup_load(vrun_t *r, const dns_name_t *name, ogroup_t *g)
{
	ogroup_reset(g, name);
	dns_name_lower(&g->name);
	int rc = store_owner(r->s, r->zone, &g->name, group_cb, g);
	return rc == RODNS_E_NOTFOUND ? RODNS_OK : rc;
}

/* ---- type lists and bitmaps --------------------------------------------- */

static void vtypes_push(vtypes_t *ty, uint16_t t)
{
	if (ty->n < VAL_TYPES_MAX && (ty->n == 0 || ty->t[ty->n - 1] != t))
		ty->t[ty->n++] = t;
}

void ogroup_types(const ogroup_t *g, vtypes_t *ty)
{
	ty->n = 0;
	for (size_t i = 0; i < g->n; i++)
		vtypes_push(ty, g->rec[i].type);
}

bool vtypes_has(const vtypes_t *ty, uint16_t type)
{
	for (size_t i = 0; i < ty->n; i++)
		if (ty->t[i] == type)
			return true;
	return false;
}

void vtypes_del(vtypes_t *ty, uint16_t type)
{
	size_t k = 0;
	for (size_t i = 0; i < ty->n; i++)
		if (ty->t[i] != type)
			ty->t[k++] = ty->t[i];
	ty->n = k;
}

void vtypes_cut(vtypes_t *ty, bool nsec3)
{
	size_t k = 0;
	for (size_t i = 0; i < ty->n; i++) {
		uint16_t t = ty->t[i];
		if (t == DNS_T_NS || t == DNS_T_DS || t == DNS_T_RRSIG ||
		    (!nsec3 && t == DNS_T_NSEC))
			ty->t[k++] = t;
	}
	ty->n = k;
}

int vbitmap_types(const uint8_t *bm, size_t len, vtypes_t *out)
{
	int last = -1;
	out->n = 0;
	while (len > 0) {
		if (len < 2 || bm[0] <= last || bm[1] == 0 || bm[1] > 32 || len < 2u + bm[1])
			return -1;
		unsigned win = bm[0], n = bm[1];
		for (unsigned i = 0; i < n; i++)
			for (unsigned b = 0; b < 8; b++)
				if (bm[2 + i] & (0x80 >> b))
					vtypes_push(out, (uint16_t)(win * 256 + i * 8 + b));
		last = (int)win;
		bm += 2 + n;
		len -= 2 + n;
	}
	return (int)out->n;
}

uint64_t vtypes_hash(const vtypes_t *ty)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < ty->n; i++) {
		h = (h ^ (ty->t[i] >> 8)) * 0x100000001b3ull;
		h = (h ^ (ty->t[i] & 0xff)) * 0x100000001b3ull;
	}
	return h;
}

void vtypes_text(const vtypes_t *ty, char *buf, size_t cap)
{
	size_t len = 0;
	char t[32];
	buf[0] = '\0';
	for (size_t i = 0; i < ty->n && len + 1 < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? " " : "",
					dns_type_name(ty->t[i], t, sizeof(t)));
	if (ty->n == 0)
		snprintf(buf, cap, "(none)");
}

/* ---- NSEC and NSEC3 RDATA ----------------------------------------------- */

bool vnsec_parse(const uint8_t *rd, size_t len, dns_name_t *next, const uint8_t **bm, size_t *bmlen)
{
	size_t used;
	if (dns_name_from_wire(rd, len, next, &used) != RODNS_OK)
		return false;
	dns_name_lower(next);
	*bm = rd + used;
	*bmlen = len - used;
	return true;
}

bool vnsec3_parse(const uint8_t *rd, size_t len, vnsec3_t *o)
{
	if (len < 6)
		return false;
	o->alg = rd[0];
	o->flags = rd[1];
	o->iter = (uint16_t)((rd[2] << 8) | rd[3]);
	o->saltlen = rd[4];
	if (len < 6u + o->saltlen)
		return false;
	o->salt = rd + 5;
	o->hashlen = rd[5 + o->saltlen];
	size_t at = 6u + o->saltlen;
	if (o->hashlen == 0 || len < at + o->hashlen)
		return false;
	o->hash = rd + at;
	o->bm = rd + at + o->hashlen;
	o->bmlen = len - at - o->hashlen;
	return true;
}

bool vnsec3_params_eq(const vnsec3_t *n, const vdenial_t *d)
{
	return n->alg == 1 && n->iter == d->iter && n->saltlen == d->saltlen &&
	       memcmp(n->salt, d->salt, d->saltlen) == 0;
}

bool vnsec3_owner_hash(const vrun_t *r, const dns_name_t *owner, uint8_t h[20])
{
	char lab[64];
	uint8_t out[40];
	if (owner->labels != r->apex.labels + 1 || owner->data[0] != 32)
		return false;
	memcpy(lab, owner->data + 1, 32);
	lab[32] = '\0';
	if (dns_b32hex_decode(lab, out, sizeof(out)) != 20)
		return false;
	memcpy(h, out, 20);
	return true;
}

void vnsec3_name(const vrun_t *r, const uint8_t h[20], dns_name_t *out)
{
	char lab[40];
	dns_b32hex_encode(h, 20, lab, sizeof(lab));
	out->data[0] = 32;
	memcpy(out->data + 1, lab, 32);
	memcpy(out->data + 33, r->apex.data, r->apex.len);
	out->len = (uint8_t)(33 + r->apex.len);
	out->labels = (uint8_t)(r->apex.labels + 1);
}

/* ---- one RRset's signatures --------------------------------------------- */

static const char *vr_word(int vr)
{
	switch (vr) {
	case VR_MISSING:
		return "missing signature";
	case VR_EXPIRED:
		return "expired signature";
	case VR_NOTYET:
		return "signature not yet valid";
	default:
		return "bad signature";
	}
}

/* The detail of one RRSIG that did not verify with key. */
static int sig_detail(const dns_rrsig_t *rs, int why, char *detail, size_t dcap)
{
	char tm[16];
	int vr = why == DNS_V_EXPIRED ? VR_EXPIRED : why == DNS_V_NOTYET ? VR_NOTYET : VR_BAD;
	if (vr == VR_BAD) {
		snprintf(detail, dcap, "RRSIG by key %u alg %u: %s", rs->key_tag, rs->algorithm,
			 dns_v_str(why));
		return vr;
	}
	dns_time_to_text(vr == VR_EXPIRED ? rs->expiration : rs->inception, tm);
	snprintf(detail, dcap, "RRSIG by key %u alg %u %s %s", rs->key_tag, rs->algorithm,
		 vr == VR_EXPIRED ? "expired" : "valid from", tm);
	return vr;
}

int vverify(const vrun_t *r, const dns_name_t *owner, const vrd_t *rd, size_t nrd, const vrd_t *sig,
	    size_t nsig, const vkey_t *keys, size_t nkeys, const bool *use, vscratch_t *sc,
	    char *detail, size_t dcap, unsigned *nver, bool *weak)
{
	int best = VR_MISSING;
	char d[200];
	if (nrd > sc->cap) {
		size_t cap = nrd * 2;
		const uint8_t **p = realloc(sc->rdp, cap * sizeof(*p));
		if (p)
			sc->rdp = p;
		uint16_t *l = p ? realloc(sc->rdl, cap * sizeof(*l)) : NULL;
		if (l)
			sc->rdl = l;
		if (!p || !l)
			return -ENOMEM;
		sc->cap = cap;
	}
	for (size_t i = 0; i < nrd; i++) {
		sc->rdp[i] = rd[i].p;
		sc->rdl[i] = rd[i].len;
	}
	snprintf(detail, dcap, "no RRSIG covers it");
	for (size_t s = 0; s < nsig; s++) {
		dns_rrsig_t rs;
		int vr = VR_NOKEY;
		if (dns_rrsig_parse(sig[s].p, sig[s].len, &rs) != RODNS_OK) {
			vr = VR_BAD;
			snprintf(d, sizeof(d), "an RRSIG does not parse");
		} else {
			snprintf(d, sizeof(d), "RRSIG by key %u alg %u: no such zone key%s",
				 rs.key_tag, rs.algorithm, use ? " named by the trust anchor" : "");
		}
		for (size_t k = 0; vr != VR_BAD && k < nkeys; k++) {
			const dns_key_t *key = &keys[k].key;
			if ((use && !use[k]) || key->tag != rs.key_tag ||
			    key->algorithm != rs.algorithm)
				continue;
			int why = DNS_V_OK;
			(*nver)++;
			int rc = dns_rrsig_verify(&rs, sig[s].p, sig[s].len, owner, DNS_C_IN,
						  sc->rdp, sc->rdl, nrd, key, r->now, &why);
			if (rc < 0)
				return rc;
			if (rc == 0) {
				*weak = dns_alg_weak(rs.algorithm);
				return VR_OK;
			}
			char kd[200];
			int kvr = sig_detail(&rs, why, kd, sizeof(kd));
			if (kvr > vr || vr == VR_NOKEY) {
				vr = kvr;
				snprintf(d, sizeof(d), "%s", kd);
			}
		}
		if (vr > best) {
			best = vr;
			snprintf(detail, dcap, "%s", d);
		}
	}
	return best;
}

int vfail_rrset(vrun_t *r, uint64_t seq, const dns_name_t *owner, uint16_t type, int vr,
		const char *detail)
{
	char n[DNS_NAME_TEXT_MAX], t[32];
	return vrun_fail(r, seq, XFR_E_BOGUS, "%s %s: %s (%s)", vname(owner, n, sizeof(n)),
			 dns_type_name(type, t, sizeof(t)), vr_word(vr), detail);
}

/* ---- the apex ----------------------------------------------------------- */

static bool anchored(const vrun_t *r, const uint8_t *key, size_t len)
{
	const xfr_anchor_t *a = r->v->anchor;
	if (!a)
		return len >= 2 && (key[0] & (DNS_KEYF_ZONE >> 8));
	for (size_t i = 0; i < a->n; i++) {
		const xfr_anchor_rr_t *e = &a->rr[i];
		if (e->type == DNS_T_DS &&
		    dns_ds_matches(e->rdata, e->len, &r->apex, key, len) == 1)
			return true;
		if (e->type == DNS_T_DNSKEY && e->len == len && memcmp(e->rdata, key, len) == 0)
			return true;
	}
	return false;
}

static uint64_t fp64(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* The RRSIGs of g covering type, into out (cap entries); returns the count. */
static size_t sigs_of(const ogroup_t *g, uint16_t type, vrd_t *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n && n < cap; i++) {
		const orec_t *o = &g->rec[i];
		const uint8_t *p = orec_rd(g, o);
		if (o->type == DNS_T_RRSIG && o->len >= 2 && ((p[0] << 8) | p[1]) == type)
			out[n++] = (vrd_t){p, o->len};
	}
	return n;
}

/* Parses the DNSKEY RDATAs of g into keys (owner: the apex). */
static int parse_keys(vrun_t *r, const ogroup_t *g, vkey_t *keys, vrd_t *rd, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < g->n; i++) {
		const orec_t *o = &g->rec[i];
		if (o->type != DNS_T_DNSKEY)
			continue;
		vkey_t *k = &keys[*n];
		int rc = dns_key_parse(orec_rd(g, o), o->len, &k->key);
		if (rc == -ENOMEM) {
			dns_key_free(&k->key);
			return rc;
		}
		if (rc == RODNS_E_RDATA) { /* not a key at all: it signs nothing */
			dns_key_free(&k->key);
			continue;
		}
		k->key.owner = r->apex;
		k->fp = fp64(orec_rd(g, o), o->len);
		rd[(*n)++] = (vrd_t){orec_rd(g, o), o->len};
	}
	return RODNS_OK;
}

/* The apex DNSKEY RRset must be signed by an anchored key. */
static int check_dnskey(vrun_t *r, const ogroup_t *g, vkey_t *keys, vrd_t *rd, size_t n)
{
	char an[DNS_NAME_TEXT_MAX], detail[256];
	bool use[64] = {false}, any = false;
	vrd_t sig[64];
	vscratch_t sc = {0};
	unsigned nver = 0;
	bool weak = false;
	for (size_t i = 0; i < n; i++)
		any |= use[i] = anchored(r, rd[i].p, rd[i].len);
	vname(&r->apex, an, sizeof(an));
	if (n == 0)
		return vrun_fail(r, VSEQ(0, 0), XFR_E_BOGUS,
				 "%s DNSKEY: DNSKEY set does not match the trust anchor (the apex "
				 "has no DNSKEY)",
				 an);
	if (!any)
		return vrun_fail(r, VSEQ(0, 0), XFR_E_BOGUS,
				 "%s DNSKEY: DNSKEY set does not match the trust anchor (none of "
				 "its %zu keys is named by the %zu anchor records)",
				 an, n, xfr_anchor_count(r->v->anchor));
	size_t ns = sigs_of(g, DNS_T_DNSKEY, sig, 64);
	int vr = vverify(r, &r->apex, rd, n, sig, ns, keys, n, use, &sc, detail, sizeof(detail),
			 &nver, &weak);
	free(sc.rdp);
	free(sc.rdl);
	atomic_fetch_add(&r->sigs, nver);
	atomic_fetch_add(&r->rrsets, 1);
	if (vr < 0)
		return vr;
	if (vr == VR_OK) {
		if (weak)
			atomic_fetch_add(&r->weak, 1);
		return RODNS_OK;
	}
	return vrun_fail(r, VSEQ(0, 0), XFR_E_BOGUS,
			 "%s DNSKEY: %s (%s; the DNSKEY set does not match the trust anchor)", an,
			 vr_word(vr), detail);
}

static int apex_denial(vrun_t *r, const ogroup_t *g)
{
	char an[DNS_NAME_TEXT_MAX];
	for (size_t i = 0; i < g->n; i++) {
		const orec_t *o = &g->rec[i];
		const uint8_t *p = orec_rd(g, o);
		if (o->type != DNS_T_NSEC3PARAM || o->len < 5 || p[0] != 1 || p[1] != 0 ||
		    o->len != 5u + p[4])
			continue;
		r->den.nsec3 = true;
		r->den.iter = (uint16_t)((p[2] << 8) | p[3]);
		r->den.saltlen = p[4];
		memcpy(r->den.salt, p + 5, p[4]);
		if (r->den.iter > VAL_NSEC3_ITER_MAX)
			return vrun_fail(
			    r, VSEQ(0, VSEQ_CHAIN), XFR_E_BOGUS,
			    "%s NSEC3PARAM: broken NSEC chain (%u iterations, over %u)",
			    vname(&r->apex, an, sizeof(an)), r->den.iter, VAL_NSEC3_ITER_MAX);
		break;
	}
	return RODNS_OK;
}

static int apex_zonemd(vrun_t *r, const ogroup_t *g)
{
	size_t total = 0;
	for (size_t i = 0; i < g->n; i++)
		if (g->rec[i].type == DNS_T_ZONEMD)
			total += g->rec[i].len;
	free(r->zmd_copy);
	r->zmd_copy = malloc(total ? total : 1);
	if (!r->zmd_copy)
		return -ENOMEM;
	r->nzmd = 0;
	size_t at = 0;
	for (size_t i = 0; i < g->n; i++) {
		const orec_t *o = &g->rec[i];
		if (o->type != DNS_T_ZONEMD || r->nzmd == sizeof(r->zmd) / sizeof(r->zmd[0]))
			continue;
		const uint8_t *p = orec_rd(g, o);
		memcpy(r->zmd_copy + at, p, o->len);
		r->zmd[r->nzmd++] = (vrd_t){r->zmd_copy + at, o->len};
		at += o->len;
		uint8_t alg = o->len >= 6 ? p[5] : 0;
		if (o->len >= 6 && p[4] == DNS_ZONEMD_SIMPLE && (alg == 1 || alg == 2) &&
		    !r->zctx[alg - 1]) {
			r->zctx[alg - 1] = dns_zonemd_new(&r->apex, alg);
			if (!r->zctx[alg - 1])
				return -ENOMEM;
		}
	}
	return RODNS_OK;
}

int vapex_load(vrun_t *r, const ogroup_t *g)
{
	char an[DNS_NAME_TEXT_MAX];
	vkey_t keys[64];
	vrd_t rd[64];
	size_t n = 0, nk = 0;
	bool soa = false;
	for (size_t i = 0; i < g->n; i++) {
		const orec_t *o = &g->rec[i];
		n += o->type == DNS_T_DNSKEY;
		if (o->type == DNS_T_SOA && o->len >= 22) {
			const uint8_t *p = orec_rd(g, o) + o->len - 20;
			r->serial = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
				    ((uint32_t)p[2] << 8) | p[3];
			soa = true;
		}
	}
	if (!soa)
		return vrun_fail(r, VSEQ(0, 0), XFR_E_BOGUS, "%s: the apex has no SOA",
				 vname(&r->apex, an, sizeof(an)));
	if (n > 64)
		return vrun_fail(r, VSEQ(0, 0), XFR_E_BOGUS,
				 "%s DNSKEY: DNSKEY set does not match the trust anchor (%zu keys, "
				 "more than 64)",
				 vname(&r->apex, an, sizeof(an)), n);
	int rc = parse_keys(r, g, keys, rd, &n);
	if (rc == RODNS_OK)
		rc = check_dnskey(r, g, keys, rd, n);
	/* The zone keys: zone-key flag, protocol 3, not revoked (RFC 5011). */
	free(r->keys);
	r->keys = rc == RODNS_OK ? calloc(n ? n : 1, sizeof(*r->keys)) : NULL;
	if (rc == RODNS_OK && !r->keys)
		rc = -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const dns_key_t *k = &keys[i].key;
		if (rc == RODNS_OK && (k->flags & DNS_KEYF_ZONE) && !(k->flags & DNS_KEYF_REVOKE) &&
		    k->protocol == 3)
			r->keys[nk++] = keys[i];
		else
			dns_key_free(&keys[i].key);
	}
	r->nkeys = nk;
	if (rc == RODNS_OK)
		rc = apex_denial(r, g);
	if (rc == RODNS_OK)
		rc = apex_zonemd(r, g);
	if (rc == RODNS_OK && r->nzmd == 0 && r->v->require_zonemd)
		rc = vrun_fail(r, VSEQ(0, 1), XFR_E_BOGUS,
			       "%s ZONEMD: missing ZONEMD (require-zonemd is set)",
			       vname(&r->apex, an, sizeof(an)));
	return rc;
}

/* ---- the RRsets of one owner -------------------------------------------- */

int vowner_sigs(vrun_t *r, uint64_t ord, const ogroup_t *g, bool cut)
{
	size_t i = 0, slot = 0, s0 = g->n, s1 = g->n;
	for (size_t k = 0; k < g->n; k++)
		if (g->rec[k].type == DNS_T_RRSIG) {
			s0 = s0 == g->n ? k : s0;
			s1 = k + 1;
		}
	while (i < g->n) {
		uint16_t type = g->rec[i].type;
		size_t j = i;
		while (j < g->n && g->rec[j].type == type)
			j++;
		bool skip = type == DNS_T_RRSIG || (cut && type != DNS_T_DS && type != DNS_T_NSEC);
		if (!skip) {
			vrd_t rd[64], sig[32];
			vrd_t *rdp = rd;
			size_t nrd = j - i, nsig = 0;
			if (nrd > 64 && !(rdp = malloc(nrd * sizeof(*rdp))))
				return -ENOMEM;
			for (size_t k = i; k < j; k++)
				rdp[k - i] = (vrd_t){orec_rd(g, &g->rec[k]), g->rec[k].len};
			for (size_t k = s0; k < s1 && nsig < 32; k++) {
				const uint8_t *p = orec_rd(g, &g->rec[k]);
				if (g->rec[k].len >= 2 && ((p[0] << 8) | p[1]) == type)
					sig[nsig++] = (vrd_t){p, g->rec[k].len};
			}
			int rc = vpool_add(r, VSEQ(ord, slot < VSEQ_CHAIN ? slot : VSEQ_CHAIN - 1),
					   &g->name, type, rdp, nrd, sig, nsig);
			if (rdp != rd)
				free(rdp);
			if (rc != RODNS_OK)
				return rc;
		}
		slot++;
		i = j;
	}
	return RODNS_OK;
}

/* ---- ZONEMD ------------------------------------------------------------- */

int vzonemd_feed(vrun_t *r, const ogroup_t *g)
{
	if (!r->zctx[0] && !r->zctx[1])
		return RODNS_OK;
	dns_rr_t rr = {.owner = g->name, .rclass = DNS_C_IN};
	for (size_t i = 0; i < g->n; i++) {
		rr.type = g->rec[i].type;
		rr.ttl = g->rec[i].ttl;
		rr.rdlen = g->rec[i].len;
		rr.rdata = orec_rd(g, &g->rec[i]);
		for (int k = 0; k < 2; k++) {
			int rc = r->zctx[k] ? dns_zonemd_add(r->zctx[k], &rr) : RODNS_OK;
			if (rc == -ENOMEM)
				return rc;
		}
	}
	return RODNS_OK;
}

int vzonemd_finish(vrun_t *r)
{
	char an[DNS_NAME_TEXT_MAX];
	uint8_t dig[2][DNS_ZONEMD_DIGEST_MAX];
	int dlen[2] = {-1, -1};
	bool ok = false, mismatch = false;
	vname(&r->apex, an, sizeof(an));
	for (int k = 0; k < 2; k++)
		if (r->zctx[k])
			dlen[k] = dns_zonemd_final(r->zctx[k], dig[k], sizeof(dig[k]));
	for (size_t i = 0; i < r->nzmd && !ok; i++) {
		const vrd_t *z = &r->zmd[i];
		uint8_t alg = z->len >= 6 ? z->p[5] : 0;
		if (alg < 1 || alg > 2 || dlen[alg - 1] < 0) {
			mismatch |= alg >= 1 && alg <= 2; /* digest failed (out of order ...) */
			continue;
		}
		int c = dns_zonemd_check(z->p, z->len, r->serial, alg, dig[alg - 1],
					 (size_t)dlen[alg - 1]);
		ok |= c == 1;
		mismatch |= c == 0 || c == RODNS_E_RDATA;
	}
	if (ok) {
		r->v->st.zonemd = true;
		return RODNS_OK;
	}
	if (mismatch)
		return vrun_fail(r, VSEQ_END, XFR_E_BOGUS,
				 "%s ZONEMD: ZONEMD mismatch (no ZONEMD record matches the digest "
				 "of serial %u)",
				 an, r->serial);
	if (r->v->require_zonemd)
		return vrun_fail(r, VSEQ_END, XFR_E_BOGUS,
				 "%s ZONEMD: missing ZONEMD (none with the SIMPLE scheme and "
				 "SHA-384 or SHA-512)",
				 an);
	return RODNS_OK;
}

/* ---- the validator ------------------------------------------------------ */

int xfr_validator_create(const dns_name_t *zone, xfr_anchor_t *anchor, bool require_zonemd,
			 xfr_validator_t **out)
{
	xfr_validator_t *v = calloc(1, sizeof(*v));
	*out = v;
	if (!v) {
		xfr_anchor_free(anchor);
		return -ENOMEM;
	}
	v->zone = *zone;
	dns_name_lower(&v->zone);
	v->anchor = anchor;
	v->require_zonemd = require_zonemd;
	v->workers = 2;
	v->st.why_full = "";
	return RODNS_OK;
}

int xfr_validator_new(const conf_zone_t *cz, xfr_validator_t **out, char *err, size_t cap)
{
	xfr_anchor_t *a = NULL;
	*out = NULL;
	if (cz->trust_anchor) {
		int rc = xfr_anchor_load(cz->trust_anchor, &cz->name, &a, err, cap);
		if (rc != RODNS_OK)
			return rc;
	}
	return xfr_validator_create(&cz->name, a, cz->require_zonemd, out);
}

void xfr_validator_free(xfr_validator_t *v)
{
	if (!v)
		return;
	xfr_anchor_free(v->anchor);
	free(v->base_keys);
	free(v);
}

void xfr_validator_set_now(xfr_validator_t *v, uint32_t now)
{
	v->now = now;
}

void xfr_validator_set_workers(xfr_validator_t *v, unsigned n)
{
	v->workers = n > 16 ? 16 : n;
}

void xfr_validator_set_batch(xfr_validator_t *v, unsigned rrsets)
{
	v->batch = rrsets;
}

void xfr_validator_trust_stored(xfr_validator_t *v)
{
	v->trust_stored = true;
}

const xfr_validate_stats_t *xfr_validator_stats(const xfr_validator_t *v)
{
	return &v->st;
}

/* Frees what a run holds; a fallback run starts again from here. */
static void vrun_clear(vrun_t *r)
{
	for (size_t i = 0; i < r->nkeys; i++)
		dns_key_free(&r->keys[i].key);
	free(r->keys);
	r->keys = NULL;
	r->nkeys = 0;
	for (int k = 0; k < 2; k++) {
		dns_zonemd_free(r->zctx[k]);
		r->zctx[k] = NULL;
	}
	free(r->zmd_copy);
	r->zmd_copy = NULL;
	r->nzmd = 0;
	r->den = (vdenial_t){0};
}

static void set_baseline(xfr_validator_t *v, const vrun_t *r)
{
	uint64_t *k = malloc((r->nkeys ? r->nkeys : 1) * sizeof(*k));
	if (!k) { /* no baseline: the next IXFR is checked whole */
		v->have_base = false;
		return;
	}
	for (size_t i = 0; i < r->nkeys; i++)
		k[i] = r->keys[i].fp;
	free(v->base_keys);
	v->base_keys = k;
	v->base_nkeys = r->nkeys;
	v->base_denial = r->den;
	v->have_base = true;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int xfr_validate(void *validator, store_t *s, store_txn_t *t, int64_t zone_id, int kind,
		 char *reason, size_t cap)
{
	xfr_validator_t *v = validator;
	double t0 = mono();
	vrun_t r = {.v = v, .s = s, .t = t, .zone = zone_id, .apex = v->zone};
	r.now = v->now ? v->now : (uint32_t)time(NULL);
	pthread_mutex_init(&r.mu, NULL);
	uint64_t weak_total = v->st.weak_total;
	v->st = (xfr_validate_stats_t){.why_full = "", .weak_total = weak_total};
	int rc = kind == XFR_KIND_IXFR ? vzone_ixfr(&r) : 0;
	if (kind != XFR_KIND_IXFR || rc == 1) {
		vrun_clear(&r);
		v->st.full = true;
		rc = vzone_full(&r);
	}
	if (rc == RODNS_OK && vrun_failed(&r))
		rc = r.fail_err;
	if (reason && cap > 0) {
		if (vrun_failed(&r))
			snprintf(reason, cap, "%s", r.reason);
		else if (rc != RODNS_OK)
			snprintf(
			    reason, cap, "validation could not run: %s%s%s", rodns_strerror(rc),
			    rc <= RODNS_E_STORE && rc >= RODNS_E_STORE_BUSY ? ": " : "",
			    rc <= RODNS_E_STORE && rc >= RODNS_E_STORE_BUSY ? store_errmsg(s) : "");
		else
			reason[0] = '\0';
	}
	if (rc == RODNS_OK)
		set_baseline(v, &r);
	v->st.owners = r.owners;
	v->st.rrsets = atomic_load(&r.rrsets);
	v->st.sigs = atomic_load(&r.sigs);
	v->st.weak = atomic_load(&r.weak);
	v->st.weak_total = weak_total + v->st.weak;
	v->st.nsec3 = r.den.nsec3;
	v->st.seconds = mono() - t0;
	vrun_clear(&r);
	pthread_mutex_destroy(&r.mu);
	return rc;
}
