/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* DNSSEC validation of incoming transfers ("untrusted-site mode"): an
 * xfr_validate_fn (xfr/xfrin.h) that checks the zone as it would be
 * committed, inside the transfer's write transaction.
 *
 * AXFR (the whole zone): the apex DNSKEY RRset is signed by a key that the
 * trust anchor names (DS digest or equal DNSKEY); every authoritative RRset
 * (not NS at a delegation, nothing below one but DS and NSEC at the cut) has
 * an RRSIG by a zone key of the apex DNSKEY set that verifies and is within
 * its validity period; the NSEC chain (every name with data, next pointers
 * in canonical order wrapping to the apex, bitmaps equal to the types
 * present) or the NSEC3 chain (NSEC3PARAM at the apex, an NSEC3 for every
 * authoritative name and empty non-terminal, Opt-Out where the flag allows,
 * a cycle in hash order, bitmaps, equal parameters) is complete; ZONEMD
 * (RFC 8976, SIMPLE, SHA-384/512) matches when present (require_zonemd: must
 * be present). The store is read on the calling thread and the signatures
 * are checked by two worker threads fed through a bounded queue of batches.
 *
 * IXFR: only the owners the transfer touched (store_txn_touched), their
 * signatures, the NSEC/NSEC3 records at and around them and the apex
 * DNSKEY set, so the cost follows the size of the change. The validator
 * falls back to a whole-zone check when it has no baseline (its first run,
 * unless xfr_validator_trust_stored), when a zone key disappeared, when the
 * denial mode or NSEC3 parameters changed, or when the touched list lacks
 * the apex (the SOA always changes, so the list is incomplete). A zone with
 * a ZONEMD is digested whole on every transfer: the digest covers it all.
 *
 * A failure returns XFR_E_BOGUS and a reason that names the first bad
 * record in canonical order and one of: "bad signature", "missing
 * signature", "expired signature", "signature not yet valid", "broken NSEC
 * chain", "wrong type bitmap", "ZONEMD mismatch", "missing ZONEMD", "DNSKEY
 * set does not match the trust anchor".
 */
#ifndef RODNS_XFR_VALIDATE_H
#define RODNS_XFR_VALIDATE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "dns/name.h"
#include "dns/rr.h"
#include "store/store.h"

/* What xfr_validate returns for a zone that does not validate (other
 * negative values: the store or memory failed). */
#define XFR_E_BOGUS (-EBADMSG)

/* ---- presentation-format records (xfr/validate_text.c) ------------------ */

/* Parses one line "owner [TTL] [class] type rdata" (either order of TTL and
 * class; ';' starts a comment). rdata is DS ("tag alg digest-type hex") or
 * DNSKEY ("flags protocol alg base64"), with white space allowed inside the
 * hex and base64, or any type (also "TYPEn") in RFC 3597 generic form
 * ("\# len hex"). A relative owner or "@" takes origin; ttl is used when the
 * line has none. rr->rdata points into rdbuf (DNS_RDATA_MAX is always
 * enough). Returns 1 for a record, 0 for a blank or comment line,
 * RODNS_E_SYNTAX / RODNS_E_RDATA / RODNS_E_UNSUPPORTED (another type in
 * presentation form) with a short reason in why (may be NULL). */
int xfr_rr_from_text(const char *line, const dns_name_t *origin, uint32_t ttl, dns_rr_t *rr,
		     uint8_t *rdbuf, size_t cap, char *why, size_t whycap);

/* ---- trust anchors ------------------------------------------------------ */

typedef struct xfr_anchor xfr_anchor_t;

/* Loads a trust-anchor file: DS and/or DNSKEY records of zone, one per
 * line (dnssec-dsfromkey output, a dnssec-keygen .key file). A missing,
 * empty or unparsable file, or a record for another owner, is an error
 * with "FILE:LINE: message" in err. Returns RODNS_OK, RODNS_E_SYNTAX,
 * -ENOENT ... or -ENOMEM. */
int xfr_anchor_load(const char *path, const dns_name_t *zone, xfr_anchor_t **out, char *err,
		    size_t cap);
/* An anchor from records already in wire form (tests); takes copies. */
int xfr_anchor_new(const dns_name_t *zone, const dns_rr_t *rrs, size_t n, xfr_anchor_t **out);
/* How many DS / DNSKEY records the anchor holds. */
size_t xfr_anchor_count(const xfr_anchor_t *a);
void xfr_anchor_free(xfr_anchor_t *a);

/* ---- the validator ------------------------------------------------------ */

typedef struct xfr_validator xfr_validator_t;

/* Figures of the last xfr_validate run (and the running weak count). */
typedef struct {
	bool full;	      /* whole-zone check (AXFR, or an IXFR fallback) */
	const char *why_full; /* for an IXFR: why it fell back ("" when it did not) */
	uint64_t owners;      /* owner names read */
	uint64_t rrsets;      /* RRsets whose signatures were checked */
	uint64_t sigs;	      /* signature verifications run */
	uint64_t touched;     /* IXFR: owners the transfer touched */
	uint64_t weak;	      /* RRsets accepted on an RSASHA1 / NSEC3RSASHA1 signature */
	uint64_t weak_total;  /* the same over the validator's life (log it) */
	bool zonemd;	      /* a ZONEMD digest was checked and matched */
	bool nsec3;	      /* the zone uses NSEC3 */
	double seconds;	      /* wall time of the run */
} xfr_validate_stats_t;

/* A validator for one configured zone: cz->trust_anchor is loaded now (a
 * config error with FILE:LINE in err); NULL trusts the zone's own DNSKEY
 * set (self-signed). cz->require_zonemd is honoured. */
int xfr_validator_new(const conf_zone_t *cz, xfr_validator_t **out, char *err, size_t cap);

/* The same from parts (tests, tools): anchor is taken over (NULL: the
 * zone's own DNSKEY set). */
int xfr_validator_create(const dns_name_t *zone, xfr_anchor_t *anchor, bool require_zonemd,
			 xfr_validator_t **out);

void xfr_validator_free(xfr_validator_t *v);

/* Validation time as 32-bit seconds since 1970; 0 (the default): the clock. */
void xfr_validator_set_now(xfr_validator_t *v, uint32_t now);

/* Signature worker threads (default 2; 0 checks on the calling thread). */
void xfr_validator_set_workers(xfr_validator_t *v, unsigned n);

/* RRsets per batch handed to a worker (default and most: 4096); tests
 * make it small to push many batches through the queue. */
void xfr_validator_set_batch(xfr_validator_t *v, unsigned rrsets);

/* Takes the stored zone as validated: an IXFR before any whole-zone run
 * is then checked incrementally (for a store that only ever committed
 * validated transfers, e.g. after a restart). */
void xfr_validator_trust_stored(xfr_validator_t *v);

/* The xfr_validate_fn: validator is an xfr_validator_t. kind is
 * XFR_KIND_AXFR or XFR_KIND_IXFR. Returns RODNS_OK, XFR_E_BOGUS with the
 * reason, or a store / memory error (reason says what failed). */
int xfr_validate(void *validator, store_t *s, store_txn_t *t, int64_t zone_id, int kind,
		 char *reason, size_t cap);

const xfr_validate_stats_t *xfr_validator_stats(const xfr_validator_t *v);

#endif
