/* The query dispatcher: see query.h. */
#include <string.h>

#include "serve/query.h"

/* Copies the question exactly as it came (keeps the client's 0x20 case). */
static size_t copy_question(const dns_msg_t *m, uint8_t *resp, size_t cap)
{
	if (!m || m->count[DNS_SEC_QD] != 1)
		return 0;
	size_t qlen = m->sec_off[DNS_SEC_AN] - m->qname_off;
	if (DNS_HDR_LEN + qlen > cap)
		return 0;
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
	/* keep the opcode and RD; set QR; the rest is ours */
	uint16_t f = (uint16_t)(DNS_F_QR | (qf & (0x7800u | DNS_F_RD)) | (unsigned)(rcode & 0xf));
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
		dns_wr_u32(&w, (uint32_t)((rcode >> 4) & 0xff) << 24);
		dns_wr_u16(&w, 0);
		len += dns_wr_off(&w);
		resp[11] = 1;
	}
	return (int)len;
}

static int on_notify(const serve_query_ops_t *ops, const serve_src_t *src, const dns_msg_t *m,
		     const uint8_t *q, size_t qlen, uint8_t *resp, size_t cap)
{
	if (m->count[DNS_SEC_QD] != 1 || m->qtype != DNS_T_SOA)
		return serve_error(q, qlen, m, DNS_RC_FORMERR, resp, cap);
	int rc = ops->notify ? ops->notify(ops->arg, &m->qname, src) : DNS_RC_REFUSED;
	int len = serve_error(q, qlen, m, rc, resp, cap);
	if (len > 0 && rc == DNS_RC_NOERROR)
		resp[2] |= (uint8_t)(DNS_F_AA >> 8); /* RFC 1996 §4.7 */
	return len;
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
	switch (DNS_OPCODE(m.flags)) {
	case DNS_OP_QUERY:
		if (m.count[DNS_SEC_QD] != 1)
			return serve_error(q, qlen, &m, DNS_RC_FORMERR, resp, cap);
		if (!ops->answer)
			return serve_error(q, qlen, &m, DNS_RC_REFUSED, resp, cap);
		return ops->answer(ops->arg, worker_ctx, src, &m, resp, cap, conn);
	case DNS_OP_NOTIFY:
		return on_notify(ops, src, &m, q, qlen, resp, cap);
	case DNS_OP_UPDATE:
		/* a replica never changes the zone (RFC 2136 §3: not the primary) */
		return serve_error(q, qlen, &m, DNS_RC_REFUSED, resp, cap);
	default:
		return serve_error(q, qlen, &m, DNS_RC_NOTIMP, resp, cap);
	}
}
