/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Resource records on the wire: reading (with RDATA names expanded and
 * every known layout checked), writing (with RFC 3597 §4 compression), and
 * the DNSSEC helpers that pick RDATA apart. Layouts live in rdata.c.
 */
#include <stdint.h>
#include <string.h>

#include "dns/err.h"
#include "dns/name.h"
#include "dns/rdesc.h"
#include "dns/rr.h"

/* Fills n from an uncompressed name already checked by dns_rdf_len. */
static void name_set(dns_name_t *n, const uint8_t *p, size_t len)
{
	memcpy(n->data, p, len);
	n->len = (uint8_t)len;
	n->labels = 0;
	for (size_t i = 0; p[i] != 0; i += 1 + (size_t)p[i])
		n->labels++;
}

/* Copies the RDATA at r->pos (ending at end) field by field into out,
 * following compression pointers only where the layout allows them. Such
 * a name is read against the whole message (pointers may reach anywhere
 * before it), but what it occupies in place must stay inside the RDATA. */
static int rdata_expand(dns_rd_t *r, const uint8_t *end, const uint8_t *f, uint8_t *out,
			size_t cap, size_t *olen)
{
	size_t o = 0, l;

	for (; *f != DNS_RDF_END; f++) {
		const uint8_t *src = r->pos;
		dns_name_t n;
		if (*f == DNS_RDF_NAME_C || *f == DNS_RDF_NAME_D) {
			int rc = dns_name_read(r, &n);
			if (rc != RODNS_OK)
				return rc == RODNS_E_TRUNC ? RODNS_E_RDATA : rc;
			if (r->pos > end)
				return RODNS_E_RDATA;
			src = n.data;
			l = n.len;
		} else {
			int rc = dns_rdf_len(*f, r->pos, (size_t)(end - r->pos));
			if (rc < 0)
				return rc;
			l = (size_t)rc;
			r->pos += l;
		}
		if (l > cap - o)
			return o + l > DNS_RDATA_MAX ? RODNS_E_RDATA : RODNS_E_SPACE;
		memcpy(out + o, src, l);
		o += l;
	}
	*olen = o;
	return r->pos == end ? RODNS_OK : RODNS_E_RDATA;
}

/* RDATA of rr->rdlen octets at r->pos into rdbuf. Empty RDATA in class
 * NONE or ANY is how RFC 2136 says "any value", whatever the type. */
static int rdata_read(dns_rd_t *r, dns_rr_t *rr, uint8_t *rdbuf, size_t rdcap)
{
	const dns_rdesc_t *d = dns_rdesc(rr->type);
	const uint8_t *end = r->pos + rr->rdlen;
	size_t cap = rdcap < DNS_RDATA_MAX ? rdcap : DNS_RDATA_MAX, len;

	rr->rdata = rdbuf;
	if (!dns_rdesc_known(d) ||
	    (rr->rdlen == 0 && (rr->rclass == DNS_C_NONE || rr->rclass == DNS_C_ANY))) {
		if (rr->rdlen > cap)
			return RODNS_E_SPACE;
		if (rr->rdlen > 0)
			memcpy(rdbuf, r->pos, rr->rdlen);
		r->pos = end;
		return RODNS_OK;
	}
	int rc = rdata_expand(r, end, d->f, rdbuf, cap, &len);
	if (rc == RODNS_OK)
		rr->rdlen = (uint16_t)len;
	return rc;
}

int dns_rr_read(dns_rd_t *r, dns_rr_t *rr, uint8_t *rdbuf, size_t rdcap)
{
	int rc = dns_name_read(r, &rr->owner);

	if (rc != RODNS_OK)
		return rc;
	rr->type = dns_rd_u16(r);
	rr->rclass = dns_rd_u16(r);
	rr->ttl = dns_rd_u32(r);
	rr->rdlen = dns_rd_u16(r);
	if (r->error != RODNS_OK)
		return r->error;
	if (rr->rdlen > dns_rd_left(r)) {
		dns_rd_fail(r, RODNS_E_TRUNC);
		return RODNS_E_TRUNC;
	}
	rc = rdata_read(r, rr, rdbuf, rdcap);
	if (rc != RODNS_OK) {
		/* The reader's own error would be TRUNC where the RDATA, not
		 * the message, ended early: keep the one returned. */
		r->error = rc;
		r->pos = r->end;
	}
	return rc;
}

int dns_q_read(dns_rd_t *r, dns_name_t *qname, uint16_t *qtype, uint16_t *qclass)
{
	int rc = dns_name_read(r, qname);

	if (rc != RODNS_OK)
		return rc;
	*qtype = dns_rd_u16(r);
	*qclass = dns_rd_u16(r);
	return r->error;
}

static int has_compressible(const dns_rdesc_t *d)
{
	for (const uint8_t *k = d->f; *k != DNS_RDF_END; k++)
		if (*k == DNS_RDF_NAME_C)
			return 1;
	return 0;
}

/* RDATA with its NAME_C fields compressed through t. RDATA that does not
 * fit its layout is not sent at all: the caller gets RODNS_E_RDATA. */
static void rdata_write_compressed(dns_wr_t *w, const dns_rdesc_t *d, const uint8_t *p, size_t n,
				   dns_ctab_t *t)
{
	for (const uint8_t *k = d->f; *k != DNS_RDF_END; k++) {
		int l = dns_rdf_len(*k, p, n);
		if (l < 0)
			goto bad;
		if (*k == DNS_RDF_NAME_C) {
			dns_name_t nm;
			name_set(&nm, p, (size_t)l);
			dns_name_write(w, &nm, t);
		} else {
			dns_wr_bytes(w, p, (size_t)l);
		}
		p += l;
		n -= (size_t)l;
	}
	if (n == 0)
		return;
bad:
	if (w->error == RODNS_OK)
		w->error = RODNS_E_RDATA;
}

void dns_rr_write(dns_wr_t *w, const dns_rr_t *rr, dns_ctab_t *t)
{
	const dns_rdesc_t *d = dns_rdesc(rr->type);
	size_t at;

	dns_name_write(w, &rr->owner, t);
	dns_wr_u16(w, rr->type);
	dns_wr_u16(w, rr->rclass);
	dns_wr_u32(w, rr->ttl);
	at = dns_wr_off(w);
	dns_wr_u16(w, 0);
	if (t != NULL && rr->rdlen > 0 && dns_rdesc_known(d) && has_compressible(d))
		rdata_write_compressed(w, d, rr->rdata, rr->rdlen, t);
	else
		dns_wr_bytes(w, rr->rdata, rr->rdlen);
	/* Compression only shrinks RDATA, so the length still fits 16 bits. */
	dns_wr_put_u16_at(w, at, (uint16_t)(dns_wr_off(w) - at - 2));
}

int dns_rrsig_parse(const uint8_t *rdata, size_t len, dns_rrsig_t *out)
{
	int l;

	if (len < 19 || len > DNS_RDATA_MAX)
		return RODNS_E_RDATA;
	l = dns_rdf_len(DNS_RDF_NAME_L, rdata + 18, len - 18);
	if (l < 0)
		return l;
	out->covered = (uint16_t)((rdata[0] << 8) | rdata[1]);
	out->algorithm = rdata[2];
	out->labels = rdata[3];
	out->orig_ttl = ((uint32_t)rdata[4] << 24) | ((uint32_t)rdata[5] << 16) |
			((uint32_t)rdata[6] << 8) | rdata[7];
	out->expiration = ((uint32_t)rdata[8] << 24) | ((uint32_t)rdata[9] << 16) |
			  ((uint32_t)rdata[10] << 8) | rdata[11];
	out->inception = ((uint32_t)rdata[12] << 24) | ((uint32_t)rdata[13] << 16) |
			 ((uint32_t)rdata[14] << 8) | rdata[15];
	out->key_tag = (uint16_t)((rdata[16] << 8) | rdata[17]);
	name_set(&out->signer, rdata + 18, (size_t)l);
	out->sig = rdata + 18 + l;
	out->siglen = len - 18 - (size_t)l;
	return RODNS_OK;
}

/* RFC 4034 Appendix B. Algorithm 1 (RSA/MD5) keys take their tag from the
 * modulus instead, which ends the key (RFC 3110 §2). */
uint16_t dns_dnskey_tag(const uint8_t *rdata, size_t len)
{
	uint32_t ac = 0;

	if (len >= 4 && rdata[3] == 1)
		return len >= 7 ? (uint16_t)((rdata[len - 3] << 8) | rdata[len - 2]) : 0;
	/* At most 65535 octets: the sum stays far below 2^32. */
	for (size_t i = 0; i < len; i++)
		ac += (i & 1) ? rdata[i] : (uint32_t)rdata[i] << 8;
	ac += (ac >> 16) & 0xffff;
	return (uint16_t)ac;
}

bool dns_bitmap_has(const uint8_t *bm, size_t len, uint16_t type)
{
	unsigned win = type >> 8, bit = type & 0xff;
	size_t i = 0;

	while (len - i >= 2) {
		unsigned w = bm[i], l = bm[i + 1];
		if (len - i - 2 < l || w > win)
			return false;
		if (w == win)
			return bit / 8 < l && (bm[i + 2 + bit / 8] & (0x80u >> (bit & 7))) != 0;
		i += 2 + l;
	}
	return false;
}
