/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Incoming AXFR/IXFR: see xfrin.h.
 *
 * The RR stream of a transfer is a small grammar over SOA records:
 *   AXFR:             SOA(new) body... SOA(new)
 *   IXFR up to date:  SOA(ours)                       (one RR in all)
 *   IXFR:             SOA(new) { SOA(a) del... SOA(b) add... }+ SOA(new)
 *   AXFR-style IXFR:  SOA(new) body... SOA(new)       (second RR is not SOA(ours))
 * The state below is where in that grammar the next RR falls.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/msg.h"
#include "dns/serial.h"
#include "xfr/xfrin.h"

enum st {
	ST_FIRST,  /* expecting the first SOA */
	ST_SECOND, /* after the first SOA of an IXFR: ours (incremental) or not */
	ST_AXFR,   /* full zone body */
	ST_DEL,    /* deletions of one IXFR diff */
	ST_ADD,    /* additions of one IXFR diff */
	ST_DONE,   /* final SOA seen */
};

struct xfr_in {
	store_t *store;
	int64_t zone_id;
	xfr_in_params_t p;
	store_txn_t *txn;
	enum st st;
	uint32_t cur_old, cur_new; /* serials of the IXFR diff being applied */
	xfr_in_result_t res;
	/* the first SOA, kept until we know whether it opens an AXFR */
	dns_rr_t soa;
	uint8_t soa_rdata[DNS_NAME_MAX * 2 + 20];
	char reason[768];
	uint8_t rdbuf[DNS_RDATA_MAX];
};

/* Records why the transfer failed (the first reason wins) and returns rc. */
__attribute__((format(printf, 3, 4))) static int fail(xfr_in_t *x, int rc, const char *fmt, ...)
{
	if (x->reason[0] == '\0') {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(x->reason, sizeof(x->reason), fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Describes an RR for a reason line (bounded, never fails). */
static const char *rr_text(const dns_rr_t *rr, char *buf, size_t cap)
{
	if (dns_rr_to_text(rr, buf, cap) < 0) {
		char t[32];
		char o[DNS_NAME_TEXT_MAX];
		if (dns_name_to_text(&rr->owner, o, sizeof(o)) < 0)
			strcpy(o, "?");
		snprintf(buf, cap, "%.200s %s", o, dns_type_name(rr->type, t, sizeof(t)));
	}
	return buf;
}

static int fail_rr(xfr_in_t *x, int rc, const char *what, const dns_rr_t *rr)
{
	char txt[600];
	return fail(x, rc, "%s: %s", what, rr_text(rr, txt, sizeof(txt)));
}

int xfr_in_query(uint8_t *buf, size_t cap, const xfr_in_params_t *p, const dns_rr_t *soa)
{
	dns_mbuild_t b;
	dns_mbuild_init(&b, buf, cap, p->id, 0);
	int rc = dns_mbuild_question(&b, &p->zone, p->qtype, DNS_C_IN);
	if (rc == RODNS_OK && p->qtype == DNS_T_IXFR) {
		if (!soa)
			return RODNS_E_SYNTAX;
		rc = dns_mbuild_rr(&b, DNS_SEC_NS, soa);
	}
	if (rc != RODNS_OK)
		return rc;
	return dns_mbuild_finish(&b);
}

int xfr_in_new(store_t *s, int64_t zone_id, const xfr_in_params_t *p, xfr_in_t **out)
{
	xfr_in_t *x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->store = s;
	x->zone_id = zone_id;
	x->p = *p;
	x->st = ST_FIRST;
	*out = x;
	return RODNS_OK;
}

static uint32_t soa_serial(const dns_rr_t *rr, uint32_t *refresh, uint32_t *retry,
			   uint32_t *expire, uint32_t *minimum)
{
	/* SOA RDATA: mname, rname, then five 32-bit fields (checked by dns_rr_read) */
	const uint8_t *f = rr->rdata + rr->rdlen - 20;
	uint32_t v[5];
	for (int i = 0; i < 5; i++)
		v[i] = ((uint32_t)f[4 * i] << 24) | ((uint32_t)f[4 * i + 1] << 16) |
		       ((uint32_t)f[4 * i + 2] << 8) | f[4 * i + 3];
	if (refresh) {
		*refresh = v[1];
		*retry = v[2];
		*expire = v[3];
		*minimum = v[4];
	}
	return v[0];
}

static int ensure_txn(xfr_in_t *x)
{
	if (x->txn)
		return RODNS_OK;
	int rc = store_txn_begin(x->store, x->zone_id, &x->txn);
	if (rc != RODNS_OK)
		return fail(x, rc, "cannot open a store transaction: %s", store_errmsg(x->store));
	return RODNS_OK;
}

static int store_rc(xfr_in_t *x, int rc, const char *what, const dns_rr_t *rr)
{
	if (rc == RODNS_OK)
		return rc;
	if (rc == RODNS_E_DIFF_NOMATCH)
		return fail_rr(x, rc, "IXFR deletes a record the zone does not hold", rr);
	if (rc == RODNS_E_DIFF_EXISTS)
		return fail_rr(x, rc, "IXFR adds a record the zone already holds", rr);
	return fail(x, rc, "%s failed: %s (%s)", what, rodns_strerror(rc),
		    store_errmsg(x->store));
}

static int add(xfr_in_t *x, const dns_rr_t *rr, bool strict)
{
	return store_rc(x, store_txn_add(x->txn, rr, strict), "storing a record", rr);
}

static int del(xfr_in_t *x, const dns_rr_t *rr)
{
	return store_rc(x, store_txn_del(x->txn, rr), "deleting a record", rr);
}

/* Starts a full-zone load with the saved first SOA. A full zone older
 * than the one we hold is refused: serials never go backwards here (an
 * equal serial is fine: forced AXFRs re-fetch the same serial). */
static int start_axfr(xfr_in_t *x)
{
	if (x->p.have_serial && dns_serial_cmp(x->res.serial, x->p.serial) == -1)
		return fail(x, RODNS_E_XFR_SERIAL, "full zone has serial %u, older than ours (%u)",
			    x->res.serial, x->p.serial);
	int rc = ensure_txn(x);
	if (rc == RODNS_OK)
		rc = store_rc(x, store_txn_clear(x->txn), "clearing the zone", &x->soa);
	if (rc == RODNS_OK)
		rc = add(x, &x->soa, false);
	x->res.kind = XFR_KIND_AXFR;
	x->st = ST_AXFR;
	return rc;
}

static int on_first(xfr_in_t *x, const dns_rr_t *rr)
{
	if (rr->type != DNS_T_SOA)
		return fail_rr(x, RODNS_E_XFR_SOA, "transfer does not start with the SOA", rr);
	if (rr->rdlen > sizeof(x->soa_rdata))
		return fail_rr(x, RODNS_E_XFR_SOA, "SOA too long", rr);
	x->soa = *rr;
	memcpy(x->soa_rdata, rr->rdata, rr->rdlen);
	x->soa.rdata = x->soa_rdata;
	x->res.serial = soa_serial(rr, &x->res.refresh, &x->res.retry, &x->res.expire,
				   &x->res.minimum);
	if (x->p.qtype == DNS_T_AXFR)
		return start_axfr(x);
	x->st = ST_SECOND;
	return RODNS_OK;
}

static int on_second(xfr_in_t *x, const dns_rr_t *rr)
{
	if (rr->type == DNS_T_SOA) {
		uint32_t s = soa_serial(rr, NULL, NULL, NULL, NULL);
		if (s == x->p.serial && s != x->res.serial) {
			/* incremental: the first diff starts at our serial, and
			 * the whole IXFR must lead forward from it */
			if (dns_serial_cmp(x->res.serial, s) != 1)
				return fail_rr(x, RODNS_E_XFR_SERIAL,
					       "IXFR leads to a serial not after ours", &x->soa);
			int rc = ensure_txn(x);
			x->res.kind = XFR_KIND_IXFR;
			x->cur_old = s;
			x->st = ST_DEL;
			return rc == RODNS_OK ? del(x, rr) : rc;
		}
		if (s != x->res.serial)
			return fail_rr(x, RODNS_E_XFR_SOA,
				       "second SOA of the IXFR is neither ours nor the new one", rr);
	}
	int rc = start_axfr(x);
	if (rc != RODNS_OK)
		return rc;
	if (rr->type == DNS_T_SOA) { /* a zone of just its SOA */
		x->st = ST_DONE;
		return RODNS_OK;
	}
	return add(x, rr, false);
}

static int on_axfr(xfr_in_t *x, const dns_rr_t *rr)
{
	if (rr->type != DNS_T_SOA)
		return add(x, rr, false);
	if (soa_serial(rr, NULL, NULL, NULL, NULL) != x->res.serial)
		return fail_rr(x, RODNS_E_XFR_SOA, "final SOA does not match the first", rr);
	x->st = ST_DONE;
	return RODNS_OK;
}

static int on_del(xfr_in_t *x, const dns_rr_t *rr)
{
	if (rr->type != DNS_T_SOA)
		return del(x, rr);
	uint32_t s = soa_serial(rr, NULL, NULL, NULL, NULL);
	int to_end = dns_serial_cmp(s, x->res.serial);
	if (dns_serial_cmp(s, x->cur_old) != 1 || (to_end != -1 && to_end != 0))
		return fail_rr(x, RODNS_E_XFR_SERIAL, "IXFR diff does not move the serial forward",
			       rr);
	x->cur_new = s;
	x->st = ST_ADD;
	return add(x, rr, true);
}

static int on_add(xfr_in_t *x, const dns_rr_t *rr)
{
	if (rr->type != DNS_T_SOA)
		return add(x, rr, true);
	uint32_t s = soa_serial(rr, NULL, NULL, NULL, NULL);
	x->res.diffs++;
	if (x->cur_new == x->res.serial && s == x->res.serial) {
		/* the closing SOA is the one the IXFR opened with: the timers
		 * kept for the zone must be those of the SOA stored */
		if (rr->rdlen != x->soa.rdlen || memcmp(rr->rdata, x->soa.rdata, rr->rdlen) != 0)
			return fail_rr(x, RODNS_E_XFR_SOA, "final SOA differs from the first", rr);
		x->st = ST_DONE;
		return RODNS_OK;
	}
	if (s != x->cur_new)
		return fail_rr(x, RODNS_E_XFR_SERIAL, "IXFR diffs are not contiguous", rr);
	x->cur_old = s;
	x->st = ST_DEL;
	return del(x, rr);
}

static int check_rr(xfr_in_t *x, const dns_rr_t *rr)
{
	if (x->st == ST_DONE)
		return fail_rr(x, RODNS_E_XFR_TRAILING, "record after the final SOA", rr);
	if (rr->rclass != DNS_C_IN)
		return fail_rr(x, RODNS_E_XFR_CLASS, "record of a class other than IN", rr);
	if (!dns_name_is_sub(&rr->owner, &x->p.zone))
		return fail_rr(x, RODNS_E_OUT_OF_ZONE, "record outside the zone", rr);
	if (rr->type == DNS_T_SOA && !dns_name_eq(&rr->owner, &x->p.zone))
		return fail_rr(x, RODNS_E_XFR_SOA, "SOA below the apex", rr);
	x->res.rrs++;
	if (x->p.max_rrs && x->res.rrs > x->p.max_rrs)
		return fail(x, RODNS_E_XFR_LIMIT, "transfer exceeds max-rrs (%llu)",
			    (unsigned long long)x->p.max_rrs);
	return RODNS_OK;
}

static int on_rr(xfr_in_t *x, const dns_rr_t *rr)
{
	int rc = check_rr(x, rr);
	if (rc != RODNS_OK)
		return rc;
	switch (x->st) {
	case ST_FIRST: return on_first(x, rr);
	case ST_SECOND: return on_second(x, rr);
	case ST_AXFR: return on_axfr(x, rr);
	case ST_DEL: return on_del(x, rr);
	case ST_ADD: return on_add(x, rr);
	case ST_DONE: break;
	}
	return RODNS_E_XFR_TRAILING;
}

static int check_header(xfr_in_t *x, const dns_msg_t *m)
{
	if (m->id != x->p.id)
		return fail(x, RODNS_E_XFR_ID, "reply has message ID %u, ours is %u", m->id,
			    x->p.id);
	if (!(m->flags & DNS_F_QR) || DNS_OPCODE(m->flags) != DNS_OP_QUERY ||
	    (m->flags & DNS_F_TC))
		return fail(x, RODNS_E_XFR_FLAGS, "reply has bad header flags (0x%04x)", m->flags);
	if (DNS_RCODE(m->flags) != DNS_RC_NOERROR) {
		x->res.rcode = (uint8_t)DNS_RCODE(m->flags);
		return fail(x, RODNS_E_XFR_RCODE, "primary answered RCODE %u", x->res.rcode);
	}
	bool first = x->res.messages == 1;
	if (m->count[DNS_SEC_QD] == 0 && !first)
		return RODNS_OK;
	if (m->count[DNS_SEC_QD] != 1 || m->qtype != x->p.qtype || m->qclass != DNS_C_IN ||
	    !dns_name_eq(&m->qname, &x->p.zone))
		return fail(x, RODNS_E_XFR_QUESTION, "reply does not echo our question");
	return RODNS_OK;
}

int xfr_in_message(xfr_in_t *x, const uint8_t *msg, size_t len)
{
	dns_msg_t m;
	x->res.messages++;
	x->res.bytes += len;
	if (x->p.max_bytes && x->res.bytes > x->p.max_bytes)
		return fail(x, RODNS_E_XFR_LIMIT, "transfer exceeds max-bytes (%llu)",
			    (unsigned long long)x->p.max_bytes);
	int rc = dns_msg_parse(&m, msg, len);
	if (rc != RODNS_OK)
		return fail(x, rc, "malformed message: %s", rodns_strerror(rc));
	rc = check_header(x, &m);
	if (rc != RODNS_OK)
		return rc;
	dns_rrcur_t c;
	dns_rr_t rr;
	dns_rrcur_init(&c, &m, DNS_SEC_AN);
	while ((rc = dns_rrcur_next(&c, &rr, x->rdbuf, sizeof(x->rdbuf))) == 1) {
		rc = on_rr(x, &rr);
		if (rc != RODNS_OK)
			return rc;
	}
	if (rc < 0)
		return fail(x, rc, "malformed record: %s", rodns_strerror(rc));
	if (x->st == ST_SECOND && dns_serial_cmp(x->res.serial, x->p.serial) != 1) {
		/* one SOA alone: ours (nothing to do) or older (the primary is behind) */
		if (x->res.serial != x->p.serial)
			return fail(x, RODNS_E_XFR_SERIAL, "primary serial %u is older than ours (%u)",
				    x->res.serial, x->p.serial);
		x->res.kind = XFR_KIND_UPTODATE;
		x->st = ST_DONE;
	}
	return x->st == ST_DONE ? 1 : 0;
}

int xfr_in_commit(xfr_in_t *x, store_zone_t *meta)
{
	if (x->st != ST_DONE)
		return fail(x, RODNS_E_XFR_SOA, "transfer ended before its final SOA");
	if (x->res.kind == XFR_KIND_UPTODATE)
		return RODNS_OK;
	int rc = store_txn_prune_rrsigs(x->txn, &x->res.pruned);
	if (rc != RODNS_OK)
		return store_rc(x, rc, "pruning RRSIGs", &x->soa);
	x->res.added = store_txn_added(x->txn);
	x->res.deleted = store_txn_deleted(x->txn);
	if (x->p.validate) {
		char why[512] = "";
		rc = x->p.validate(x->p.validate_arg, x->store, x->txn, x->zone_id, x->res.kind, why,
				   sizeof(why));
		if (rc != RODNS_OK)
			return fail(x, rc, "DNSSEC validation failed: %s",
				    why[0] ? why : rodns_strerror(rc));
	}
	meta->serial = x->res.serial;
	/* the commit alone must describe the zone: a crash before the
	 * caller's next write would otherwise leave the data of a zone
	 * whose state still says it was never transferred */
	meta->state = STORE_ZONE_OK;
	meta->refresh = x->res.refresh;
	meta->retry = x->res.retry;
	meta->expire = x->res.expire;
	meta->minimum = x->res.minimum;
	store_txn_t *t = x->txn;
	x->txn = NULL; /* commit frees it, success or not */
	if (x->p.pre_commit)
		x->p.pre_commit(x->p.pre_commit_arg);
	rc = store_txn_commit(t, meta);
	if (rc != RODNS_OK)
		return store_rc(x, rc, "committing the transfer", &x->soa);
	return RODNS_OK;
}

const xfr_in_result_t *xfr_in_result(const xfr_in_t *x)
{
	return &x->res;
}

const char *xfr_in_reason(const xfr_in_t *x)
{
	return x->reason;
}

void xfr_in_free(xfr_in_t *x)
{
	if (!x)
		return;
	store_txn_abort(x->txn);
	free(x);
}
