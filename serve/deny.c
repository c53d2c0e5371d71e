/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Authenticated denial of existence: the negative-answer SOA and the NSEC
 * (RFC 4035 §3.1.3) and NSEC3 (RFC 5155 §7.2) proofs that go with
 * negative, wildcard and referral answers. The zone's NSEC3 parameters are
 * cached per serial in the context.
 */
#include <string.h>

#include "dns/dnssec.h"
#include "dns/text.h"
#include "serve/answer_int.h"

static const serve_range_t none;

static uint32_t get_u32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* SOA RDATA: MNAME, RNAME, then SERIAL REFRESH RETRY EXPIRE MINIMUM. */
static bool soa_fields(const dns_rr_t *rr, uint32_t *serial, uint32_t *minimum)
{
	dns_name_t n;
	size_t a, b;

	if (dns_name_from_wire(rr->rdata, rr->rdlen, &n, &a) != RODNS_OK ||
	    dns_name_from_wire(rr->rdata + a, rr->rdlen - a, &n, &b) != RODNS_OK ||
	    rr->rdlen - a - b != 20)
		return false;
	*serial = get_u32(rr->rdata + a + b);
	*minimum = get_u32(rr->rdata + a + b + 16);
	return true;
}

/* Fills zi from the apex (a cache miss: two more lookups). */
static void zinfo_load(serve_q_t *q, serve_zinfo_t *zi, uint32_t serial)
{
	serve_range_t p = serve_fetch(q, &q->apex, DNS_T_NSEC3PARAM, 0);
	serve_range_t n = serve_fetch(q, &q->apex, DNS_T_NSEC, 0);

	memset(zi, 0, sizeof(*zi));
	zi->zone_id = q->z->zone_id;
	zi->serial = serial;
	zi->nsec = n.n > 0;
	for (unsigned i = p.first; i < (unsigned)p.first + p.n; i++) {
		const dns_rr_t *rr = &q->c->rrs[i];
		/* RFC 5155 §4: flags must be zero for the chain servers use */
		if (rr->rdlen < 5 || rr->rdata[1] != 0 || rr->rdlen != 5 + rr->rdata[4])
			continue;
		zi->nsec3 = true;
		zi->alg = rr->rdata[0];
		zi->iterations = (uint16_t)((rr->rdata[2] << 8) | rr->rdata[3]);
		zi->salt_len = rr->rdata[4];
		memcpy(zi->salt, rr->rdata + 5, zi->salt_len);
		break;
	}
	zi->valid = q->err == RODNS_OK;
}

/* The cache slot for this zone: its own, or the next one round robin. */
static serve_zinfo_t *zinfo_slot(serve_ctx_t *c, int64_t zone_id)
{
	for (unsigned i = 0; i < SERVE_ZINFO_MAX; i++)
		if (c->zinfo[i].valid && c->zinfo[i].zone_id == zone_id)
			return &c->zinfo[i];
	serve_zinfo_t *zi = &c->zinfo[c->zinfo_next];
	c->zinfo_next = (c->zinfo_next + 1) % SERVE_ZINFO_MAX;
	zi->valid = false;
	return zi;
}

bool serve_zone_info(serve_q_t *q)
{
	uint32_t serial, minimum;

	if (q->soa_done)
		return q->zi != NULL;
	q->soa_done = true;
	q->soa = serve_fetch(q, &q->apex, DNS_T_SOA, 0);
	if (q->soa.n == 0 || !soa_fields(&q->c->rrs[q->soa.first], &serial, &minimum))
		return false;
	serve_zinfo_t *zi = zinfo_slot(q->c, q->z->zone_id);
	if (!zi->valid || zi->serial != serial)
		zinfo_load(q, zi, serial);
	q->zi = zi;
	return true;
}

void serve_add_soa(serve_q_t *q)
{
	uint32_t serial, minimum;
	serve_range_t sigs = none;

	if (!serve_zone_info(q))
		return;
	dns_rr_t *soa = &q->c->rrs[q->soa.first];
	soa_fields(soa, &serial, &minimum);
	/* RFC 2308 §3: the negative TTL is min(SOA TTL, SOA MINIMUM) */
	uint32_t ttl = soa->ttl < minimum ? soa->ttl : minimum;
	soa->ttl = ttl;
	if (q->dnssec)
		sigs = serve_fetch(q, &q->apex, DNS_T_RRSIG, DNS_T_SOA);
	for (unsigned i = sigs.first; i < (unsigned)sigs.first + sigs.n; i++)
		q->c->rrs[i].ttl = ttl;
	serve_plan_add(q, DNS_SEC_NS, q->soa, sigs);
}

/* true when proofs are wanted and the zone has a chain to give them from. */
static bool want_proof(serve_q_t *q)
{
	return q->dnssec && serve_zone_info(q) && (q->zi->nsec || q->zi->nsec3);
}

/* ---- NSEC ------------------------------------------------------------------ */

/* The NSEC that matches or covers name, with its RRSIGs. */
static void nsec_add(serve_q_t *q, const dns_name_t *name)
{
	dns_name_t owner;
	int rc = store_nsec_pred(q->c->s, q->z->zone_id, name, &owner);

	if (rc != RODNS_OK) {
		if (rc != RODNS_E_NOTFOUND && q->err == RODNS_OK)
			q->err = rc;
		return;
	}
	dns_name_lower(&owner);
	if (serve_plan_has(q, &owner, DNS_T_NSEC))
		return;
	/* one statement for the node rather than two for NSEC and its RRSIGs */
	serve_add_from(q, DNS_SEC_NS, serve_fetch_node(q, &owner), DNS_T_NSEC);
}

/* ---- NSEC3 ----------------------------------------------------------------- */

int serve_nsec3_hash(uint8_t alg, uint16_t iterations, const uint8_t *salt, uint8_t salt_len,
		     const dns_name_t *name, uint8_t out[64])
{
	if (alg != 1) /* RFC 5155 §11: SHA-1 is the only one defined */
		return RODNS_E_UNSUPPORTED;
	dns_nsec3_hash(name, iterations, salt, salt_len, out);
	return 20;
}

/* The NSEC3 owner name for name: base32hex(hash).apex. */
static bool nsec3_owner(serve_q_t *q, const dns_name_t *name, dns_name_t *out)
{
	const serve_zinfo_t *zi = q->zi;
	uint8_t h[64];
	char b32[64];
	int hl = serve_nsec3_hash(zi->alg, zi->iterations, zi->salt, zi->salt_len, name, h);

	if (hl < 0)
		return false;
	int tl = dns_b32hex_encode(h, (size_t)hl, b32, sizeof(b32));
	if (tl < 0 || (size_t)tl + 1 + q->apex.len > DNS_NAME_MAX)
		return false;
	out->data[0] = (uint8_t)tl;
	memcpy(out->data + 1, b32, (size_t)tl);
	memcpy(out->data + 1 + tl, q->apex.data, q->apex.len);
	out->len = (uint8_t)(1 + tl + q->apex.len);
	out->labels = (uint8_t)(q->apex.labels + 1);
	return true;
}

/* Finds the NSEC3 that matches (or, unless match_only, covers) name and
 * adds it. Returns true when one matches. */
static bool nsec3_add(serve_q_t *q, const dns_name_t *name, bool match_only)
{
	dns_name_t hashed, owner;

	if (!nsec3_owner(q, name, &hashed))
		return false;
	int rc = store_nsec3_pred(q->c->s, q->z->zone_id, &hashed, &owner);
	if (rc != RODNS_OK) {
		if (rc != RODNS_E_NOTFOUND && q->err == RODNS_OK)
			q->err = rc;
		return false;
	}
	dns_name_lower(&owner);
	bool match = dns_name_eq(&owner, &hashed);
	if ((match || !match_only) && !serve_plan_has(q, &owner, DNS_T_NSEC3))
		serve_add_from(q, DNS_SEC_NS, serve_fetch_node(q, &owner), DNS_T_NSEC3);
	return match;
}

/* RFC 5155 §7.2.1: the NSEC3 matching the closest provable encloser of
 * name (searched from start upwards) and the one covering the next closer
 * name. The encloser found goes to *ce. */
static void nsec3_ce_proof(serve_q_t *q, const dns_name_t *name, const dns_name_t *start,
			   dns_name_t *ce)
{
	dns_name_t anc = *start, nc;

	while (!nsec3_add(q, &anc, true)) {
		if (anc.labels <= q->apex.labels || q->err != RODNS_OK)
			break;
		dns_name_strip(&anc, 1, &anc);
	}
	*ce = anc;
	if (anc.labels < name->labels) {
		dns_name_strip(name, (unsigned)(name->labels - anc.labels - 1), &nc);
		nsec3_add(q, &nc, false);
	}
}

static bool wild(const dns_name_t *ce, dns_name_t *w)
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

/* ---- the proofs -------------------------------------------------------------- */

void serve_deny_nxdomain(serve_q_t *q, const dns_name_t *name, const dns_name_t *ce)
{
	dns_name_t w, pce;

	if (!want_proof(q))
		return;
	if (q->zi->nsec3) {
		/* §7.2.2: closest encloser proof, and no wildcard at it */
		nsec3_ce_proof(q, name, ce, &pce);
		if (wild(&pce, &w))
			nsec3_add(q, &w, false);
		return;
	}
	nsec_add(q, name);
	if (wild(ce, &w))
		nsec_add(q, &w);
}

void serve_deny_nodata(serve_q_t *q, const dns_name_t *name, serve_range_t node)
{
	dns_name_t pce;

	if (!want_proof(q))
		return;
	if (q->zi->nsec3) {
		/* §7.2.3/§7.2.4: the matching NSEC3, or (an empty non-terminal
		 * or a cut under Opt-Out without one) a closest provable
		 * encloser proof */
		nsec3_ce_proof(q, name, name, &pce);
		return;
	}
	if (!serve_add_from(q, DNS_SEC_NS, node, DNS_T_NSEC))
		nsec_add(q, name); /* empty non-terminal: the NSEC that covers it */
}

void serve_deny_ds(serve_q_t *q, const dns_name_t *cut, serve_range_t node)
{
	serve_deny_nodata(q, cut, node);
}

void serve_deny_wildcard(serve_q_t *q, const dns_name_t *name, const dns_name_t *ce)
{
	dns_name_t nc;

	if (!want_proof(q))
		return;
	if (q->zi->nsec3) {
		/* §7.2.6: the NSEC3 covering the next closer name */
		dns_name_strip(name, (unsigned)(name->labels - ce->labels - 1), &nc);
		nsec3_add(q, &nc, false);
		return;
	}
	nsec_add(q, name); /* RFC 4035 §3.1.3.3 */
}

void serve_deny_wild_nodata(serve_q_t *q, const dns_name_t *name, const dns_name_t *ce,
			    serve_range_t wnode)
{
	dns_name_t w, pce;

	if (!want_proof(q))
		return;
	if (q->zi->nsec3) {
		/* §7.2.5: closest encloser proof plus the NSEC3 matching *.ce */
		nsec3_ce_proof(q, name, ce, &pce);
		if (wild(ce, &w))
			nsec3_add(q, &w, true);
		return;
	}
	nsec_add(q, name); /* RFC 4035 §3.1.3.4 */
	serve_add_from(q, DNS_SEC_NS, wnode, DNS_T_NSEC);
}
