/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Resource records: type table, RDATA layouts, wire read/write, canonical
 * form, and presentation text.
 *
 * A dns_rr_t points at RDATA in uncompressed wire form (names inside RDATA
 * are always expanded on read). The RDATA bytes belong to the caller.
 */
#ifndef RODNS_DNS_RR_H
#define RODNS_DNS_RR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/name.h"
#include "dns/wire.h"

enum {
	DNS_T_A = 1, DNS_T_NS = 2, DNS_T_MD = 3, DNS_T_MF = 4, DNS_T_CNAME = 5, DNS_T_SOA = 6,
	DNS_T_MB = 7, DNS_T_MG = 8, DNS_T_MR = 9, DNS_T_NULL = 10, DNS_T_WKS = 11, DNS_T_PTR = 12,
	DNS_T_HINFO = 13, DNS_T_MINFO = 14, DNS_T_MX = 15, DNS_T_TXT = 16, DNS_T_RP = 17,
	DNS_T_AFSDB = 18, DNS_T_RT = 21, DNS_T_SIG = 24, DNS_T_KEY = 25, DNS_T_PX = 26,
	DNS_T_AAAA = 28, DNS_T_NXT = 30, DNS_T_SRV = 33, DNS_T_NAPTR = 35, DNS_T_KX = 36,
	DNS_T_A6 = 38, DNS_T_DNAME = 39, DNS_T_OPT = 41, DNS_T_DS = 43, DNS_T_SSHFP = 44,
	DNS_T_RRSIG = 46, DNS_T_NSEC = 47, DNS_T_DNSKEY = 48, DNS_T_NSEC3 = 50,
	DNS_T_NSEC3PARAM = 51, DNS_T_TLSA = 52, DNS_T_CDS = 59, DNS_T_CDNSKEY = 60,
	DNS_T_ZONEMD = 63, DNS_T_SVCB = 64, DNS_T_HTTPS = 65, DNS_T_TKEY = 249,
	DNS_T_TSIG = 250, DNS_T_IXFR = 251, DNS_T_AXFR = 252, DNS_T_ANY = 255, DNS_T_CAA = 257,
};

enum { DNS_C_IN = 1, DNS_C_CH = 3, DNS_C_HS = 4, DNS_C_NONE = 254, DNS_C_ANY = 255 };

/* Longest RDATA a record can carry. */
#define DNS_RDATA_MAX 65535

typedef struct {
	dns_name_t owner;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	const uint8_t *rdata; /* uncompressed wire RDATA, rdlen octets, not owned */
} dns_rr_t;

/* Reads one RR (owner, fixed fields and RDATA) from a message. Names inside
 * the RDATA of types that may carry compression (RFC 3597 §4) are expanded
 * into rdbuf; RDATA of every known type is checked against its layout
 * (RODNS_E_RDATA). Unknown types are copied opaquely. rr->rdata points into
 * rdbuf, which needs DNS_RDATA_MAX octets to be safe. */
int dns_rr_read(dns_rd_t *r, dns_rr_t *rr, uint8_t *rdbuf, size_t rdcap);

/* Reads only the question-style header (owner, type, class) — for the
 * question section. */
int dns_q_read(dns_rd_t *r, dns_name_t *qname, uint16_t *qtype, uint16_t *qclass);

/* Writes one RR. The owner and, for the types of RFC 3597 §4 that allow it
 * (NS CNAME SOA MX PTR MB MG MR MINFO ...), names in RDATA are compressed
 * through t (t == NULL: nothing is compressed). Errors are sticky in w. */
void dns_rr_write(dns_wr_t *w, const dns_rr_t *rr, dns_ctab_t *t);

/* Checks that uncompressed RDATA of the given type matches its layout. */
int dns_rdata_check(uint16_t type, const uint8_t *rdata, size_t len);

/* Canonical RDATA form (RFC 4034 §6.2 as amended by RFC 6840 §5.1): copies
 * rdata to out with the embedded names of the listed types lowercased.
 * out needs len octets. Returns len or an error. */
int dns_rdata_canon(uint16_t type, const uint8_t *rdata, size_t len, uint8_t *out);

/* Compares two RDATA in canonical order (RFC 4034 §6.3: as left-justified
 * octet strings of their canonical forms). */
int dns_rdata_cmp(uint16_t type, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* Mnemonic of a type ("A", "RRSIG"; "TYPE65280" for unknown ones), written
 * into buf. Returns buf. */
const char *dns_type_name(uint16_t type, char *buf, size_t cap);
/* Parses a mnemonic or "TYPEnnn". Returns 0 on success. */
int dns_type_from_text(const char *s, uint16_t *type);
const char *dns_class_name(uint16_t rclass, char *buf, size_t cap);

/* true for types whose RDATA layout rodns knows (others are RFC 3597 opaque). */
bool dns_type_known(uint16_t type);

/* Fields of an RRSIG's RDATA (signer name and signature point into rdata). */
typedef struct {
	uint16_t covered;
	uint8_t algorithm;
	uint8_t labels;
	uint32_t orig_ttl;
	uint32_t expiration;
	uint32_t inception;
	uint16_t key_tag;
	dns_name_t signer;
	const uint8_t *sig;
	size_t siglen;
} dns_rrsig_t;

int dns_rrsig_parse(const uint8_t *rdata, size_t len, dns_rrsig_t *out);

/* Key tag of a DNSKEY RDATA (RFC 4034 Appendix B). */
uint16_t dns_dnskey_tag(const uint8_t *rdata, size_t len);

/* true when the type bitmap (NSEC/NSEC3 format) has type set. */
bool dns_bitmap_has(const uint8_t *bm, size_t len, uint16_t type);

/* Presentation format of one RR, RFC 1035 master-file style, one line:
 * "owner TTL CLASS TYPE rdata" with single spaces, absolute names, and
 * RFC 3597 "\# len hex" for unknown types. Returns the text length or
 * RODNS_E_SPACE / RODNS_E_RDATA. */
int dns_rr_to_text(const dns_rr_t *rr, char *buf, size_t cap);

/* Just the RDATA part of the above. */
int dns_rdata_to_text(uint16_t type, const uint8_t *rdata, size_t len, char *buf, size_t cap);

#endif
