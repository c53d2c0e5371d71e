/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* DNS messages: header, question, sections, EDNS0 OPT (RFC 6891).
 *
 * Parsing is in two steps: dns_msg_parse() checks the header, the question
 * and walks every RR once (so a malformed packet is rejected whole), noting
 * where each section starts; dns_msg_next_rr() then reads RRs one by one
 * without copying the message.
 */
#ifndef RODNS_DNS_MSG_H
#define RODNS_DNS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/name.h"
#include "dns/rr.h"
#include "dns/wire.h"

#define DNS_HDR_LEN 12

enum { DNS_SEC_QD = 0, DNS_SEC_AN = 1, DNS_SEC_NS = 2, DNS_SEC_AR = 3 };

/* Header flag bits (in the 16-bit flags word). */
#define DNS_F_QR 0x8000u
#define DNS_F_AA 0x0400u
#define DNS_F_TC 0x0200u
#define DNS_F_RD 0x0100u
#define DNS_F_RA 0x0080u
#define DNS_F_AD 0x0020u
#define DNS_F_CD 0x0010u
#define DNS_OPCODE(f) (((f) >> 11) & 0xf)
#define DNS_RCODE(f) ((f) & 0xf)

enum { DNS_OP_QUERY = 0, DNS_OP_NOTIFY = 4, DNS_OP_UPDATE = 5 };
enum {
	DNS_RC_NOERROR = 0, DNS_RC_FORMERR = 1, DNS_RC_SERVFAIL = 2, DNS_RC_NXDOMAIN = 3,
	DNS_RC_NOTIMP = 4, DNS_RC_REFUSED = 5, DNS_RC_NOTAUTH = 9, DNS_RC_NOTZONE = 10,
	DNS_RC_BADVERS = 16, /* also BADSIG in TSIG */
	DNS_RC_BADKEY = 17, DNS_RC_BADTIME = 18, DNS_RC_BADTRUNC = 22, DNS_RC_BADCOOKIE = 23,
};

#define DNS_EDNS_DO 0x8000u
/* EDNS option codes (IANA "DNS EDNS0 Option Codes") */
enum { DNS_OPT_NSID = 3, DNS_OPT_EXPIRE = 9, DNS_OPT_COOKIE = 10, DNS_OPT_EDE = 15 };

typedef struct {
	bool present;
	uint16_t udp_size;   /* requestor's payload size (class field) */
	uint8_t ext_rcode;   /* upper 8 bits of the extended RCODE */
	uint8_t version;
	uint16_t flags;      /* DO is DNS_EDNS_DO */
	const uint8_t *opts; /* options, as in the message, not owned */
	uint16_t optlen;
	size_t offset;       /* offset of the OPT RR in the message */
} dns_edns_t;

typedef struct {
	const uint8_t *wire;
	size_t len;
	uint16_t id;
	uint16_t flags;
	uint16_t count[4];      /* QD AN NS AR as in the header */
	dns_name_t qname;       /* valid when count[QD] == 1 */
	uint16_t qtype, qclass;
	size_t qname_off;       /* offset of the question name (case-preserving echo) */
	size_t sec_off[4];      /* offset where each section starts */
	dns_edns_t edns;        /* OPT from the additional section, if any */
	bool has_tsig;          /* last additional RR is a TSIG */
	size_t tsig_off;        /* its offset */
} dns_msg_t;

/* Parses and checks a whole message: header, at most one question (a
 * message with QDCOUNT > 1 is RODNS_E_MALFORMED), every RR well formed, at
 * most one OPT (owner root, in the additional section), TSIG only as the
 * last additional RR. Nothing is copied: m points into wire. */
int dns_msg_parse(dns_msg_t *m, const uint8_t *wire, size_t len);

/* Finds the first EDNS option with this code in m's OPT: returns its
 * length and points *data at its data, or -1 when m has no OPT or no such
 * option (dns_msg_parse checked that the options tile the RDATA). */
int dns_edns_opt(const dns_msg_t *m, uint16_t code, const uint8_t **data);

/* The header flags a response copies from its query's: the opcode, and
 * under opcode QUERY also RD (RFC 1035 §4.1.1) and CD (RFC 4035 §3.1.6).
 * Under any other opcode RD and CD, like AA, RA and AD, are not defined
 * (RFC 6895 §2.1) and stay clear; Z is always clear. */
uint16_t dns_msg_echo_flags(uint16_t qflags);

/* Cursor over the RRs of one section of a parsed message. */
typedef struct {
	dns_rd_t r;
	int section;
	uint16_t left; /* RRs left in the current section */
} dns_rrcur_t;

void dns_rrcur_init(dns_rrcur_t *c, const dns_msg_t *m, int section);
/* Next RR of the section: 1 and *rr filled, 0 at the end, <0 on error. */
int dns_rrcur_next(dns_rrcur_t *c, dns_rr_t *rr, uint8_t *rdbuf, size_t rdcap);

/* Building a message. The builder keeps counts and compression for one
 * message; start each message (also each message of an AXFR) afresh. */
typedef struct {
	dns_wr_t w;
	dns_ctab_t ctab;
	uint16_t count[4];
	int section; /* section RRs are being added to; sections only move forward */
} dns_mbuild_t;

void dns_mbuild_init(dns_mbuild_t *b, uint8_t *buf, size_t cap, uint16_t id, uint16_t flags);
/* Adds the question; call once, before any RR. */
int dns_mbuild_question(dns_mbuild_t *b, const dns_name_t *qname, uint16_t qtype, uint16_t qclass);
/* Appends an RR to section sec (>= the current section). Returns RODNS_OK
 * or RODNS_E_SPACE, in which case nothing of the RR was kept. */
int dns_mbuild_rr(dns_mbuild_t *b, int sec, const dns_rr_t *rr);
/* Appends an OPT RR (additional section). */
int dns_mbuild_opt(dns_mbuild_t *b, uint16_t udp_size, uint8_t ext_rcode, uint8_t version,
		   uint16_t flags, const uint8_t *opts, uint16_t optlen);
void dns_mbuild_set_flags(dns_mbuild_t *b, uint16_t flags);
/* Writes the counts into the header; returns the message length or an error. */
int dns_mbuild_finish(dns_mbuild_t *b);

/* Length of a message's rewound state, for truncation at RRset boundaries:
 * save with dns_mbuild_mark, roll back with dns_mbuild_rollback. */
typedef struct {
	size_t off;
	uint16_t count[4];
	int ctab_n;
	int section;
} dns_mmark_t;
void dns_mbuild_mark(const dns_mbuild_t *b, dns_mmark_t *m);
void dns_mbuild_rollback(dns_mbuild_t *b, const dns_mmark_t *m);

#endif
