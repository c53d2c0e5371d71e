/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Zone transfers out: see xfrout.h. */
#include <string.h>

#include "serve/xfrout.h"

/* OPT with one EXPIRE option: root, TYPE, CLASS, TTL, RDLENGTH, option */
#define OPT_EXPIRE_LEN (11 + 8)

typedef struct {
	const dns_msg_t *q;
	serve_send_fn send;
	void *conn;
	uint8_t *buf;
	size_t cap;
	dns_mbuild_t b;
	bool open;     /* a message is being filled */
	size_t optlen; /* the OPT the first message still owes (0: none) */
	uint8_t opt[OPT_EXPIRE_LEN];
	int err;
} xout_t;

/* The OPT of the first message: DO copied, EXPIRE when asked (RFC 7314). */
static void make_opt(xout_t *x, int64_t expire)
{
	const dns_msg_t *q = x->q;
	const uint8_t *d;
	bool asked = dns_edns_opt(q, DNS_OPT_EXPIRE, &d) >= 0;
	uint32_t e = expire > 0xffffffffLL ? 0xffffffffu : (uint32_t)(expire > 0 ? expire : 0);
	dns_wr_t w;
	dns_wr_init(&w, x->opt, sizeof(x->opt));
	dns_wr_u8(&w, 0);
	dns_wr_u16(&w, DNS_T_OPT);
	dns_wr_u16(&w, 1232);
	dns_wr_u32(&w, q->edns.flags & DNS_EDNS_DO);
	dns_wr_u16(&w, asked && expire >= 0 ? 8 : 0);
	if (asked && expire >= 0) {
		dns_wr_u16(&w, DNS_OPT_EXPIRE);
		dns_wr_u16(&w, 4);
		dns_wr_u32(&w, e);
	}
	x->optlen = w.error == RODNS_OK ? dns_wr_off(&w) : 0;
}

static int start_msg(xout_t *x)
{
	/* the first message leaves room for its OPT, written after finish */
	dns_mbuild_init(&x->b, x->buf, x->cap - x->optlen, x->q->id,
			(uint16_t)(DNS_F_QR | DNS_F_AA));
	x->open = true;
	/* RFC 5936 §2.2: the question is copied into the first message only */
	return dns_mbuild_question(&x->b, &x->q->qname, x->q->qtype, x->q->qclass);
}

static int flush(xout_t *x)
{
	if (!x->open)
		return RODNS_OK;
	x->open = false;
	int len = dns_mbuild_finish(&x->b);
	if (len < 0)
		return len;
	if (x->optlen) {
		/* the OPT goes last in the additional section (empty so far) */
		memcpy(x->buf + len, x->opt, x->optlen);
		len += (int)x->optlen;
		x->buf[10] = 0;
		x->buf[11] = 1;
		x->optlen = 0;
	}
	return x->send(x->conn, x->buf, (size_t)len);
}

static int put(xout_t *x, const dns_rr_t *rr)
{
	if (!x->open) {
		dns_mbuild_init(&x->b, x->buf, x->cap, x->q->id, (uint16_t)(DNS_F_QR | DNS_F_AA));
		x->open = true;
	}
	int rc = dns_mbuild_rr(&x->b, DNS_SEC_AN, rr);
	if (rc != RODNS_E_SPACE)
		return rc;
	/* full: send it and start the next message with this RR */
	rc = flush(x);
	if (rc != RODNS_OK)
		return rc;
	dns_mbuild_init(&x->b, x->buf, x->cap, x->q->id, (uint16_t)(DNS_F_QR | DNS_F_AA));
	x->open = true;
	return dns_mbuild_rr(&x->b, DNS_SEC_AN, rr);
}

static int each_rr(void *arg, const dns_rr_t *rr)
{
	xout_t *x = arg;
	if (rr->type == DNS_T_SOA)
		return 0; /* sent first and last, not in the middle */
	x->err = put(x, rr);
	return x->err != RODNS_OK ? 1 : 0;
}

typedef struct {
	dns_rr_t rr;
	uint8_t rdata[DNS_NAME_MAX * 2 + 32];
	int found;
} soa_t;

static int keep_soa(void *arg, const dns_rr_t *rr)
{
	soa_t *s = arg;
	if (rr->rdlen > sizeof(s->rdata))
		return 1;
	s->rr = *rr;
	memcpy(s->rdata, rr->rdata, rr->rdlen);
	s->rr.rdata = s->rdata;
	s->found = 1;
	return 1;
}

int serve_xfr_out(store_t *s, const dns_name_t *apex, int64_t zone_id, const dns_msg_t *q,
		  int64_t expire, serve_send_fn send, void *conn, uint8_t *buf, size_t cap)
{
	xout_t x = {.q = q, .send = send, .conn = conn, .buf = buf, .cap = cap};
	if (q->edns.present && cap > 512)
		make_opt(&x, expire);
	soa_t soa = {.found = 0};
	/* the query worker may keep a snapshot between queries (serve_answer):
	 * a transfer gets a fresh one, and the next query begins its own */
	if (store_in_read(s))
		store_read_end(s);
	int rc = store_read_begin(s);
	if (rc != RODNS_OK)
		return rc;
	store_rrset(s, zone_id, apex, DNS_T_SOA, 0, keep_soa, &soa);
	rc = soa.found ? start_msg(&x) : RODNS_E_NOTFOUND;
	if (rc == RODNS_OK)
		rc = dns_mbuild_rr(&x.b, DNS_SEC_AN, &soa.rr);
	if (rc == RODNS_OK) {
		int it = store_zone_iter(s, zone_id, each_rr, &x);
		rc = x.err != RODNS_OK ? x.err : (it < 0 ? it : RODNS_OK);
	}
	if (rc == RODNS_OK)
		rc = put(&x, &soa.rr);
	store_read_end(s);
	if (rc == RODNS_OK)
		rc = flush(&x);
	return rc;
}
