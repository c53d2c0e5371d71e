/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* DNS messages: see msg.h. */
#include <errno.h>
#include <string.h>

#include "dns/msg.h"

/* Stands in for a NULL buffer so that pointer arithmetic stays defined. */
static const uint8_t empty_wire[1];

/* The options of an OPT RDATA are code/length/value triples that must tile
 * the RDATA exactly (RFC 6891 §6.1.2). */
static int edns_opts_check(const uint8_t *p, size_t len)
{
	dns_rd_t r;

	dns_rd_init(&r, p, len);
	while (dns_rd_left(&r) > 0 && r.error == RODNS_OK) {
		dns_rd_u16(&r); /* option code: any value is acceptable */
		uint16_t olen = dns_rd_u16(&r);
		dns_rd_skip(&r, olen);
	}
	return r.error == RODNS_OK ? RODNS_OK : RODNS_E_EDNS;
}

/* Records the OPT RR that starts at offset off. The options are taken from
 * the message itself (not from rr->rdata, which lives in a scratch buffer)
 * so that they stay valid as long as the message does. */
static int parse_opt(dns_msg_t *m, size_t off, const dns_rr_t *rr)
{
	dns_edns_t *e = &m->edns;
	dns_name_t owner;
	dns_rd_t r;

	if (e->present || rr->owner.len != 1)
		return RODNS_E_EDNS;
	dns_rd_init(&r, m->wire, m->len);
	r.pos += off;
	dns_name_read(&r, &owner);
	dns_rd_skip(&r, 8); /* type, class, TTL: already in rr */
	uint16_t rdlen = dns_rd_u16(&r);
	const uint8_t *opts = dns_rd_skip(&r, rdlen);
	if (r.error != RODNS_OK)
		return RODNS_E_EDNS;
	if (edns_opts_check(opts, rdlen) != RODNS_OK)
		return RODNS_E_EDNS;
	e->present = true;
	e->udp_size = rr->rclass;
	e->ext_rcode = (uint8_t)(rr->ttl >> 24);
	e->version = (uint8_t)(rr->ttl >> 16);
	e->flags = (uint16_t)rr->ttl;
	e->opts = opts;
	e->optlen = rdlen;
	e->offset = off;
	return RODNS_OK;
}

/* Type of the RR at offset off (0 if unreadable). */
static uint16_t peek_type(const dns_msg_t *m, size_t off)
{
	dns_name_t owner;
	dns_rd_t r;

	dns_rd_init(&r, m->wire, m->len);
	r.pos += off;
	dns_name_read(&r, &owner);
	return dns_rd_u16(&r);
}

/* Reads every RR of section sec once, checking OPT and TSIG placement. */
static int parse_section(dns_msg_t *m, dns_rd_t *r, int sec, uint8_t *rdbuf)
{
	for (unsigned i = 0; i < m->count[sec]; i++) {
		size_t off = dns_rd_off(r);
		dns_rr_t rr;
		int rc = dns_rr_read(r, &rr, rdbuf, DNS_RDATA_MAX);

		/* dns_rr_read checks the option layout itself; report it as
		 * the one error msg.h promises for every bad OPT. */
		if (rc == RODNS_E_RDATA && peek_type(m, off) == DNS_T_OPT)
			return RODNS_E_EDNS;
		if (rc != RODNS_OK)
			return rc;
		/* TSIG must be the very last RR (RFC 8945 §5.1). */
		if (m->has_tsig)
			return RODNS_E_MALFORMED;
		if (rr.type == DNS_T_TSIG) {
			if (sec != DNS_SEC_AR)
				return RODNS_E_MALFORMED;
			m->has_tsig = true;
			m->tsig_off = off;
		} else if (rr.type == DNS_T_OPT) {
			if (sec != DNS_SEC_AR)
				return RODNS_E_EDNS;
			rc = parse_opt(m, off, &rr);
			if (rc != RODNS_OK)
				return rc;
		}
	}
	return RODNS_OK;
}

static int parse_header(dns_msg_t *m, dns_rd_t *r)
{
	m->id = dns_rd_u16(r);
	m->flags = dns_rd_u16(r);
	for (int s = DNS_SEC_QD; s <= DNS_SEC_AR; s++)
		m->count[s] = dns_rd_u16(r);
	if (r->error != RODNS_OK)
		return r->error;
	if (m->count[DNS_SEC_QD] > 1)
		return RODNS_E_MALFORMED;
	return RODNS_OK;
}

int dns_msg_parse(dns_msg_t *m, const uint8_t *wire, size_t len)
{
	/* Scratch for expanded RDATA: parsing only checks it and throws it away. */
	uint8_t rdbuf[DNS_RDATA_MAX];
	dns_rd_t r;
	int rc;

	if (!wire) {
		wire = empty_wire;
		len = 0;
	}
	memset(m, 0, sizeof(*m));
	m->wire = wire;
	m->len = len;
	/* Sections not reached stay at the end, so a cursor over them ends at once. */
	for (int s = DNS_SEC_QD; s <= DNS_SEC_AR; s++)
		m->sec_off[s] = len;
	dns_rd_init(&r, wire, len);
	rc = parse_header(m, &r);
	if (rc != RODNS_OK)
		return rc;
	m->sec_off[DNS_SEC_QD] = DNS_HDR_LEN;
	if (m->count[DNS_SEC_QD] == 1) {
		m->qname_off = dns_rd_off(&r);
		rc = dns_q_read(&r, &m->qname, &m->qtype, &m->qclass);
		if (rc != RODNS_OK)
			return rc;
	}
	for (int s = DNS_SEC_AN; s <= DNS_SEC_AR; s++) {
		m->sec_off[s] = dns_rd_off(&r);
		rc = parse_section(m, &r, s, rdbuf);
		if (rc != RODNS_OK)
			return rc;
	}
	/* Bytes after the last RR mean the counts do not describe the message. */
	if (dns_rd_left(&r) != 0)
		return RODNS_E_MALFORMED;
	return RODNS_OK;
}

void dns_rrcur_init(dns_rrcur_t *c, const dns_msg_t *m, int section)
{
	const uint8_t *wire = m->wire ? m->wire : empty_wire;
	size_t len = m->wire ? m->len : 0;

	dns_rd_init(&c->r, wire, len);
	c->section = section;
	c->left = 0;
	if (section < DNS_SEC_QD || section > DNS_SEC_AR || m->sec_off[section] > len)
		return;
	c->r.pos = wire + m->sec_off[section];
	c->left = m->count[section];
}

int dns_edns_opt(const dns_msg_t *m, uint16_t code, const uint8_t **data)
{
	if (!m->edns.present || !m->edns.opts)
		return -1;
	const uint8_t *p = m->edns.opts, *end = p + m->edns.optlen;
	while (end - p >= 4) {
		uint16_t c = (uint16_t)(p[0] << 8 | p[1]), len = (uint16_t)(p[2] << 8 | p[3]);
		if (len > end - p - 4)
			return -1;
		if (c == code) {
			*data = p + 4;
			return len;
		}
		p += 4 + len;
	}
	return -1;
}

uint16_t dns_msg_echo_flags(uint16_t qflags)
{
	uint16_t keep = DNS_OPCODE(qflags) == DNS_OP_QUERY ? DNS_F_RD | DNS_F_CD : 0;
	return (uint16_t)(qflags & (0x7800u | keep));
}

int dns_rrcur_next(dns_rrcur_t *c, dns_rr_t *rr, uint8_t *rdbuf, size_t rdcap)
{
	int rc;

	if (c->left == 0)
		return 0;
	if (c->section == DNS_SEC_QD) {
		/* A question is an RR without TTL and RDATA. */
		rc = dns_q_read(&c->r, &rr->owner, &rr->type, &rr->rclass);
		rr->ttl = 0;
		rr->rdlen = 0;
		rr->rdata = rdbuf;
	} else {
		rc = dns_rr_read(&c->r, rr, rdbuf, rdcap);
	}
	if (rc != RODNS_OK) {
		c->left = 0;
		return rc;
	}
	c->left--;
	return 1;
}

void dns_mbuild_init(dns_mbuild_t *b, uint8_t *buf, size_t cap, uint16_t id, uint16_t flags)
{
	dns_wr_init(&b->w, buf, cap);
	dns_ctab_reset(&b->ctab);
	memset(b->count, 0, sizeof(b->count));
	b->section = DNS_SEC_QD;
	dns_wr_u16(&b->w, id);
	dns_wr_u16(&b->w, flags);
	/* Counts are written by dns_mbuild_finish. */
	for (int s = DNS_SEC_QD; s <= DNS_SEC_AR; s++)
		dns_wr_u16(&b->w, 0);
}

void dns_mbuild_mark(const dns_mbuild_t *b, dns_mmark_t *m)
{
	m->off = dns_wr_off(&b->w);
	memcpy(m->count, b->count, sizeof(m->count));
	m->ctab_n = b->ctab.n;
	m->section = b->section;
}

void dns_mbuild_rollback(dns_mbuild_t *b, const dns_mmark_t *m)
{
	dns_wr_rewind(&b->w, m->off);
	memcpy(b->count, m->count, sizeof(b->count));
	/* The table only grows, so forgetting its tail forgets exactly the
	 * names written after the mark (whose bytes are now gone). */
	if (m->ctab_n <= b->ctab.n)
		b->ctab.n = m->ctab_n;
	b->section = m->section;
}

/* After a write: keep it, or undo it whole and report why. */
static int commit_or_undo(dns_mbuild_t *b, const dns_mmark_t *mark)
{
	int err = b->w.error;

	if (err == RODNS_OK)
		return RODNS_OK;
	dns_mbuild_rollback(b, mark);
	return err;
}

int dns_mbuild_question(dns_mbuild_t *b, const dns_name_t *qname, uint16_t qtype, uint16_t qclass)
{
	dns_mmark_t mark;
	int rc;

	if (b->w.error != RODNS_OK)
		return b->w.error;
	if (b->section != DNS_SEC_QD || b->count[DNS_SEC_QD] != 0)
		return -EINVAL;
	dns_mbuild_mark(b, &mark);
	dns_name_write(&b->w, qname, &b->ctab);
	dns_wr_u16(&b->w, qtype);
	dns_wr_u16(&b->w, qclass);
	rc = commit_or_undo(b, &mark);
	if (rc == RODNS_OK)
		b->count[DNS_SEC_QD] = 1;
	return rc;
}

/* Checks that an RR may go into section sec now. */
static int section_ok(const dns_mbuild_t *b, int sec)
{
	if (b->w.error != RODNS_OK)
		return b->w.error;
	if (sec < DNS_SEC_AN || sec > DNS_SEC_AR || sec < b->section)
		return -EINVAL;
	if (b->count[sec] == UINT16_MAX)
		return RODNS_E_SPACE;
	return RODNS_OK;
}

int dns_mbuild_rr(dns_mbuild_t *b, int sec, const dns_rr_t *rr)
{
	dns_mmark_t mark;
	int rc = section_ok(b, sec);

	if (rc != RODNS_OK)
		return rc;
	dns_mbuild_mark(b, &mark);
	dns_rr_write(&b->w, rr, &b->ctab);
	rc = commit_or_undo(b, &mark);
	if (rc == RODNS_OK) {
		b->section = sec;
		b->count[sec]++;
	}
	return rc;
}

int dns_mbuild_opt(dns_mbuild_t *b, uint16_t udp_size, uint8_t ext_rcode, uint8_t version,
		   uint16_t flags, const uint8_t *opts, uint16_t optlen)
{
	dns_mmark_t mark;
	int rc = section_ok(b, DNS_SEC_AR);

	if (rc != RODNS_OK)
		return rc;
	if (optlen > 0 && !opts)
		return -EINVAL;
	dns_mbuild_mark(b, &mark);
	dns_wr_u8(&b->w, 0); /* owner: the root */
	dns_wr_u16(&b->w, DNS_T_OPT);
	dns_wr_u16(&b->w, udp_size);
	dns_wr_u32(&b->w, ((uint32_t)ext_rcode << 24) | ((uint32_t)version << 16) | flags);
	dns_wr_u16(&b->w, optlen);
	dns_wr_bytes(&b->w, opts, optlen);
	rc = commit_or_undo(b, &mark);
	if (rc == RODNS_OK) {
		b->section = DNS_SEC_AR;
		b->count[DNS_SEC_AR]++;
	}
	return rc;
}

void dns_mbuild_set_flags(dns_mbuild_t *b, uint16_t flags)
{
	dns_wr_put_u16_at(&b->w, 2, flags);
}

int dns_mbuild_finish(dns_mbuild_t *b)
{
	if (b->w.error != RODNS_OK)
		return b->w.error;
	for (int s = DNS_SEC_QD; s <= DNS_SEC_AR; s++)
		dns_wr_put_u16_at(&b->w, 4 + 2 * (size_t)s, b->count[s]);
	return (int)dns_wr_off(&b->w);
}
