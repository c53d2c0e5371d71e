/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The query dispatcher: see query.h. */
#include <string.h>
#include <time.h>

#include "ipsec/tsig.h"
#include "serve/edns.h"
#include "serve/query.h"

/* Copies the question exactly as it came (keeps the client's 0x20 case). */
static size_t copy_question(const dns_msg_t *m, uint8_t *resp, size_t cap)
{
	if (!m || m->count[DNS_SEC_QD] != 1)
		return 0;
	size_t qlen = m->sec_off[DNS_SEC_AN] - m->qname_off;
	if (DNS_HDR_LEN + qlen > cap)
		return 0;
	if (qlen != (size_t)m->qname.len + 4) {
		/* a compressed question name would point into the query, not
		 * into our response: write it out whole instead */
		dns_wr_t w;
		dns_wr_init(&w, resp + DNS_HDR_LEN, cap - DNS_HDR_LEN);
		dns_name_write(&w, &m->qname, NULL);
		dns_wr_u16(&w, m->qtype);
		dns_wr_u16(&w, m->qclass);
		return w.error == RODNS_OK ? dns_wr_off(&w) : 0;
	}
	memcpy(resp + DNS_HDR_LEN, m->wire + m->qname_off, qlen);
	return qlen;
}

int serve_error(const uint8_t *q, size_t qlen, const dns_msg_t *m, int rcode, uint8_t *resp,
		size_t cap)
{
	if (qlen < DNS_HDR_LEN || cap < DNS_HDR_LEN)
		return 0;
	size_t ql = copy_question(m, resp, cap);
	uint16_t qf = (uint16_t)((q[2] << 8) | q[3]);
	uint16_t f = (uint16_t)(DNS_F_QR | dns_msg_echo_flags(qf) | (unsigned)(rcode & 0xf));
	memset(resp, 0, DNS_HDR_LEN);
	resp[0] = q[0];
	resp[1] = q[1];
	resp[2] = (uint8_t)(f >> 8);
	resp[3] = (uint8_t)f;
	resp[5] = ql ? 1 : 0;
	size_t len = DNS_HDR_LEN + ql;
	if (m && m->edns.present && len + 11 <= cap) {
		/* RFC 6891 §7: a responder that understands EDNS answers with OPT */
		dns_wr_t w;
		dns_wr_init(&w, resp + len, cap - len);
		dns_wr_u8(&w, 0);
		dns_wr_u16(&w, DNS_T_OPT);
		dns_wr_u16(&w, 1232);
		/* extended RCODE, version 0, DO copied (RFC 3225 §3) */
		dns_wr_u32(&w, (uint32_t)((rcode >> 4) & 0xff) << 24 | (m->edns.flags & DNS_EDNS_DO));
		dns_wr_u16(&w, 0);
		len += dns_wr_off(&w);
		resp[11] = 1;
	}
	return (int)len;
}

/* A zone whose primaries use TSIG takes only NOTIFYs signed with one of
 * their keys (key NULL: unsigned). Zones not in the config are left to
 * ops->notify, which answers NOTAUTH. */
static bool notify_key_ok(const conf_t *c, const dns_name_t *zone, const conf_tsig_t *key)
{
	for (size_t i = 0; i < c->n_zones; i++) {
		const conf_zone_t *z = &c->zones[i];
		bool needs = false;
		if (!dns_name_eq(&z->name, zone))
			continue;
		for (size_t k = 0; k < z->n_primaries; k++) {
			const conf_tsig_t *pk = z->primaries[k].tsig;
			needs = needs || pk;
			if (pk && key && dns_name_eq(&pk->name, &key->name))
				return true;
		}
		return !needs;
	}
	return true;
}

/* Appends the TSIG RR of an error answer to a signed request (RFC 8945
 * §5.2): unsigned, echoing the request's key and algorithm names, with the
 * error code, and our time in Other Data for BADTIME. */
static int tsig_error(const dns_msg_t *m, int err, int64_t now, uint8_t *resp, size_t len,
		      size_t cap)
{
	uint16_t code = err == RODNS_E_TSIG_BADKEY ? DNS_RC_BADKEY
			: err == RODNS_E_TSIG_BADTIME ? DNS_RC_BADTIME
						      : DNS_RC_BADVERS; /* BADSIG */
	uint64_t t = (uint64_t)now & 0xffffffffffffULL;
	dns_name_t key, alg;
	dns_rd_t r;
	dns_wr_t w;
	uint16_t ar = (uint16_t)(resp[10] << 8 | resp[11]);
	dns_rd_init(&r, m->wire, m->len);
	r.pos += m->tsig_off;
	dns_name_read(&r, &key);
	dns_rd_skip(&r, 10); /* type, class, TTL, RDLENGTH */
	dns_name_read(&r, &alg);
	if (r.error != RODNS_OK || len > cap || ar == 0xffff)
		return (int)len;
	dns_wr_init(&w, resp + len, cap - len);
	dns_name_write(&w, &key, NULL);
	dns_wr_u16(&w, DNS_T_TSIG);
	dns_wr_u16(&w, DNS_C_ANY);
	dns_wr_u32(&w, 0);
	size_t rdl = dns_wr_off(&w);
	dns_wr_u16(&w, 0);
	dns_name_write(&w, &alg, NULL);
	dns_wr_u16(&w, (uint16_t)(t >> 32));
	dns_wr_u32(&w, (uint32_t)t);
	dns_wr_u16(&w, IPSEC_TSIG_FUDGE);
	dns_wr_u16(&w, 0); /* MAC size: unsigned */
	dns_wr_u16(&w, m->id);
	dns_wr_u16(&w, code);
	dns_wr_u16(&w, code == DNS_RC_BADTIME ? 6 : 0);
	if (code == DNS_RC_BADTIME) {
		dns_wr_u16(&w, (uint16_t)(t >> 32));
		dns_wr_u32(&w, (uint32_t)t);
	}
	dns_wr_put_u16_at(&w, rdl, (uint16_t)(dns_wr_off(&w) - rdl - 2));
	if (w.error != RODNS_OK)
		return (int)len;
	ar++;
	resp[10] = (uint8_t)(ar >> 8);
	resp[11] = (uint8_t)ar;
	return (int)(len + dns_wr_off(&w));
}

static int on_notify(const serve_query_ops_t *ops, const serve_src_t *src, const dns_msg_t *m,
		     const uint8_t *q, size_t qlen, uint8_t *resp, size_t cap)
{
	const conf_tsig_t *key = NULL;
	uint8_t mac[64];
	size_t maclen = sizeof(mac);
	int64_t now = (int64_t)time(NULL);
	if (m->count[DNS_SEC_QD] != 1 || m->qtype != DNS_T_SOA)
		return serve_error(q, qlen, m, DNS_RC_FORMERR, resp, cap);
	if (ops->conf && m->has_tsig) {
		int v = ipsec_tsig_verify_request(ops->conf, q, qlen, now, &key, mac, &maclen);
		if (v != RODNS_OK) {
			bool tsig = v <= RODNS_E_TSIG_BADSIG && v >= RODNS_E_TSIG_BADTIME;
			int len = serve_error(q, qlen, m, tsig ? DNS_RC_NOTAUTH : DNS_RC_SERVFAIL,
					      resp, cap);
			return tsig && len > 0 ? tsig_error(m, v, now, resp, (size_t)len, cap)
					       : len;
		}
	}
	int rc = DNS_RC_REFUSED;
	if (!ops->conf || notify_key_ok(ops->conf, &m->qname, key))
		rc = ops->notify ? ops->notify(ops->arg, &m->qname, src) : DNS_RC_REFUSED;
	int len = serve_error(q, qlen, m, rc, resp, cap);
	if (len > 0 && rc == DNS_RC_NOERROR)
		resp[2] |= (uint8_t)(DNS_F_AA >> 8); /* RFC 1996 §4.7 */
	if (len > 0 && key) {
		size_t l = (size_t)len;
		if (ipsec_tsig_sign_response(key, mac, maclen, resp, &l, cap, now) == RODNS_OK)
			len = (int)l;
	}
	return len;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The options of our answer, each while it fits in cap (the room left
 * under the size limit), most needed first: a fresh server cookie to a
 * client that sent a cookie; unless the answer was rate limited (then it
 * stays as small as the query), NSID when asked, EXPIRE when the answerer
 * gave one, an EDE. Returns their length in out. */
static size_t reply_opts(const serve_query_ops_t *ops, const serve_src_t *src,
			 const serve_qopts_t *qo, const serve_reply_t *rp, bool limited,
			 uint32_t now, uint8_t *out, size_t cap)
{
	size_t n = 0;
	if (qo->cookie && ops->cookies) {
		uint8_t c[SERVE_COOKIE_CLIENT + SERVE_COOKIE_SERVER];
		memcpy(c, qo->client, SERVE_COOKIE_CLIENT);
		serve_cookie_make(ops->cookies, qo->client, src->from, now,
				  c + SERVE_COOKIE_CLIENT);
		n += serve_opt_put(out + n, cap - n, SERVE_OPT_COOKIE, c, sizeof(c));
	}
	if (limited)
		return n;
	if (qo->nsid && ops->nsid)
		n += serve_opt_put(out + n, cap - n, SERVE_OPT_NSID, ops->nsid, ops->nsid_len);
	if (qo->expire && rp->expire >= 0) {
		uint32_t e = rp->expire > 0xffffffffLL ? 0xffffffffu : (uint32_t)rp->expire;
		uint8_t b[4] = {(uint8_t)(e >> 24), (uint8_t)(e >> 16), (uint8_t)(e >> 8),
				(uint8_t)e};
		n += serve_opt_put(out + n, cap - n, SERVE_OPT_EXPIRE, b, 4);
	}
	if (rp->ede >= 0) {
		uint8_t b[2 + 96];
		size_t tl = rp->ede_text ? strlen(rp->ede_text) : 0;
		tl = tl > sizeof(b) - 2 ? sizeof(b) - 2 : tl;
		b[0] = (uint8_t)(rp->ede >> 8);
		b[1] = (uint8_t)rp->ede;
		if (tl)
			memcpy(b + 2, rp->ede_text, tl);
		n += serve_opt_put(out + n, cap - n, SERVE_OPT_EDE, b, 2 + tl);
	}
	return n;
}

/* The octets the answer must leave for the options reply_opts may add
 * (EDE, which goes only on short error answers, is left out). */
static size_t opt_room(const serve_query_ops_t *ops, const dns_msg_t *m, const serve_qopts_t *qo)
{
	size_t n = 0;
	if (!m->edns.present)
		return 0;
	if (qo->nsid && ops->nsid)
		n += 4 + ops->nsid_len;
	if (qo->cookie && ops->cookies)
		n += 4 + SERVE_COOKIE_CLIENT + SERVE_COOKIE_SERVER;
	if (qo->expire)
		n += 8;
	return n;
}

/* An answer rate limiting lets through truncated: header (TC set, the
 * RCODE and AA of the answer kept), question and OPT, no records. */
static int slip(const dns_msg_t *m, const uint8_t *q, size_t qlen, uint8_t *resp, size_t cap)
{
	uint8_t aa = resp[2] & (DNS_F_AA >> 8);
	int rcode = resp[3] & 0xf;
	int len = serve_error(q, qlen, m, rcode, resp, cap);
	if (len > 0)
		resp[2] |= (uint8_t)(aa | (DNS_F_TC >> 8));
	return len;
}

static int answer_query(const serve_query_ops_t *ops, void *worker_ctx, const serve_src_t *src,
			const dns_msg_t *m, const uint8_t *q, size_t qlen, uint8_t *resp,
			size_t cap, void *conn)
{
	serve_qopts_t qo;
	uint8_t opts[512];
	bool limited = false;
	uint32_t now = (uint32_t)time(NULL);
	if (serve_qopts_read(m, ops->cookies != NULL, &qo) != RODNS_OK) /* RFC 7873 §5.2.2 */
		return serve_error(q, qlen, m, DNS_RC_FORMERR, resp, cap);
	bool verified = qo.cookie && ops->cookies && qo.server &&
			serve_cookie_valid(ops->cookies, qo.client, qo.server, qo.server_len,
					   src->from, now);
	serve_reply_t rp = {.optroom = opt_room(ops, m, &qo), .ede = -1, .expire = -1};
	int n = ops->answer ? ops->answer(ops->arg, worker_ctx, src, m, resp, cap, conn, &rp)
			    : serve_error(q, qlen, m, DNS_RC_REFUSED, resp, cap);
	if (n <= 0)
		return n;
	if (ops->rrl && !src->tcp && !verified) {
		serve_rrl_class_t cls = serve_rrl_classify(resp, (size_t)n);
		switch (serve_rrl_check(ops->rrl, src->from, cls, now_ms())) {
		case SERVE_RRL_PASS: break;
		case SERVE_RRL_DROP: return 0;
		case SERVE_RRL_SLIP:
			limited = true;
			/* a client that speaks cookies is told how to get past
			 * us (RFC 7873 §5.2.3, §5.4): BADCOOKIE and a server
			 * cookie, as small as the query; anyone else is sent
			 * to TCP */
			if (qo.cookie && ops->cookies && m->edns.present) {
				n = serve_error(q, qlen, m, DNS_RC_BADCOOKIE, resp, cap);
				rp.ede = -1;
			} else {
				n = slip(m, q, qlen, resp, cap);
			}
			break;
		}
		if (n <= 0)
			return n;
	}
	if (!m->edns.present)
		return n;
	size_t lim = serve_response_limit(m, src->tcp, ops->max_udp_payload, cap);
	size_t room = lim > (size_t)n ? lim - (size_t)n : 0;
	size_t on = reply_opts(ops, src, &qo, &rp, limited, now, opts,
			       room < sizeof(opts) ? room : sizeof(opts));
	return (int)serve_opt_append(resp, (size_t)n, lim, opts, on);
}

int serve_query(const serve_query_ops_t *ops, void *worker_ctx, const serve_src_t *src,
		const uint8_t *q, size_t qlen, uint8_t *resp, size_t cap, void *conn)
{
	if (qlen < DNS_HDR_LEN || (q[2] & 0x80))
		return 0; /* no header, or a response: never answer (no reflection loops) */
	dns_msg_t m;
	int rc = dns_msg_parse(&m, q, qlen);
	if (rc != RODNS_OK)
		return serve_error(q, qlen, NULL, DNS_RC_FORMERR, resp, cap);
	/* RFC 6891 §6.1.3: an EDNS version we do not speak is answered
	 * BADVERS before anything else about the message is judged */
	if (m.edns.present && m.edns.version > 0)
		return serve_error(q, qlen, &m, DNS_RC_BADVERS, resp, cap);
	switch (DNS_OPCODE(m.flags)) {
	case DNS_OP_QUERY:
		if (m.count[DNS_SEC_QD] != 1)
			return serve_error(q, qlen, &m, DNS_RC_FORMERR, resp, cap);
		return answer_query(ops, worker_ctx, src, &m, q, qlen, resp, cap, conn);
	case DNS_OP_NOTIFY:
		return on_notify(ops, src, &m, q, qlen, resp, cap);
	case DNS_OP_UPDATE:
		/* a replica never changes the zone (RFC 2136 §3: not the primary) */
		return serve_error(q, qlen, &m, DNS_RC_REFUSED, resp, cap);
	default:
		return serve_error(q, qlen, &m, DNS_RC_NOTIMP, resp, cap);
	}
}
