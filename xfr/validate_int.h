/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Private to xfr/validate*.c: the validator, one run's state, owner groups,
 * the signature worker pool. */
#ifndef RODNS_XFR_VALIDATE_INT_H
#define RODNS_XFR_VALIDATE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "dns/dnssec.h"
#include "xfr/validate.h"

typedef struct {
	uint16_t type;
	uint16_t len;
	uint8_t *rdata;
} xfr_anchor_rr_t;

struct xfr_anchor {
	dns_name_t zone; /* lowercase */
	xfr_anchor_rr_t *rr;
	size_t n, cap;
};

/* Highest NSEC3 iteration count accepted (RFC 5155 §10.3's cap for the
 * largest keys; RFC 9276 asks for 0). Each name costs iterations + 1 SHA-1. */
#define VAL_NSEC3_ITER_MAX 2500

/* The zone's denial parameters and keys, from the apex. */
typedef struct {
	bool nsec3;
	uint8_t n3flags;
	uint16_t iter;
	uint8_t saltlen;
	uint8_t salt[255];
} vdenial_t;

typedef struct {
	dns_key_t key;
	uint64_t fp; /* fingerprint of the RDATA (baseline comparison) */
} vkey_t;

struct xfr_validator {
	dns_name_t zone; /* lowercase */
	xfr_anchor_t *anchor;
	bool require_zonemd;
	uint32_t now;
	unsigned workers;
	unsigned batch; /* RRsets per batch; 0: the default */
	bool trust_stored;
	/* the baseline: what the last validated zone looked like */
	bool have_base;
	vdenial_t base_denial;
	uint64_t *base_keys;
	size_t base_nkeys;
	xfr_validate_stats_t st;
};

/* One owner's RRs, copied out of the store (canonical order). */
typedef struct {
	uint16_t type;
	uint16_t len;
	uint32_t ttl;
	size_t off;
} orec_t;

typedef struct {
	dns_name_t name; /* lowercase */
	orec_t *rec;
	size_t n, cap;
	uint8_t *data;
	size_t used, dcap;
} ogroup_t;

/* Distinct types of a group (RRSIG included when present), ascending. */
#define VAL_TYPES_MAX 512
typedef struct {
	uint16_t t[VAL_TYPES_MAX];
	size_t n;
} vtypes_t;

/* A pointer into a group or batch: one RDATA. */
typedef struct {
	const uint8_t *p;
	uint16_t len;
} vrd_t;

typedef struct vpool vpool_t;

/* Where a failure sits in canonical order: (owner ordinal << 16) | slot. */
#define VSEQ(ord, slot) (((uint64_t)(ord) << 16) | (uint64_t)(slot))
#define VSEQ_CHAIN	0xfffe /* chain problems sort after an owner's RRsets */
#define VSEQ_END	(UINT64_MAX - 16)

/* One xfr_validate call. */
typedef struct {
	xfr_validator_t *v;
	store_t *s;
	store_txn_t *t;
	int64_t zone;
	dns_name_t apex;
	uint32_t now;
	vkey_t *keys; /* zone keys of the apex DNSKEY set */
	size_t nkeys;
	vdenial_t den;
	uint32_t serial;
	/* ZONEMD RDATAs at the apex and the digests being computed */
	vrd_t zmd[8];
	size_t nzmd;
	uint8_t *zmd_copy;
	dns_zonemd_t *zctx[2]; /* SHA-384, SHA-512 */
	/* the first failure in canonical order */
	pthread_mutex_t mu;
	atomic_bool failed;
	atomic_uint_fast64_t fail_seq; /* written under mu, read anywhere */
	int fail_err;
	char reason[512];
	/* counters (workers add to them) */
	atomic_uint_fast64_t rrsets, sigs, weak;
	uint64_t owners;
	vpool_t *pool;
} vrun_t;

/* ---- validate.c --------------------------------------------------------- */

/* Verdicts on one RRset, worst last. */
enum { VR_OK, VR_MISSING, VR_NOKEY, VR_BAD, VR_NOTYET, VR_EXPIRED };

/* Scratch arrays for dns_rrsig_verify (one per thread). */
typedef struct {
	const uint8_t **rdp;
	uint16_t *rdl;
	size_t cap;
} vscratch_t;

/* Checks the RRSIGs sig[] over rd[] with keys (only those with use[i] when
 * use is set). VR_OK when one verifies (*weak: by a weak algorithm);
 * otherwise the worst verdict, its detail in detail; <0 out of memory.
 * *nver counts the verifications run. */
int vverify(const vrun_t *r, const dns_name_t *owner, const vrd_t *rd, size_t nrd, const vrd_t *sig,
	    size_t nsig, const vkey_t *keys, size_t nkeys, const bool *use, vscratch_t *sc,
	    char *detail, size_t dcap, unsigned *nver, bool *weak);
/* Records "owner TYPE: <verdict> (detail)". */
int vfail_rrset(vrun_t *r, uint64_t seq, const dns_name_t *owner, uint16_t type, int vr,
		const char *detail);

/* Records a failure at seq; the smallest seq wins. Returns err. */
int vrun_fail(vrun_t *r, uint64_t seq, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
bool vrun_failed(vrun_t *r);
/* Name and type as "name TYPE" text for reasons. */
const char *vname(const dns_name_t *n, char *buf, size_t cap);

int ogroup_add(ogroup_t *g, const dns_rr_t *rr);
void ogroup_reset(ogroup_t *g, const dns_name_t *name);
void ogroup_free(ogroup_t *g);
static inline const uint8_t *orec_rd(const ogroup_t *g, const orec_t *o)
{
	return g->data + o->off;
}
/* Loads every RR at name (an empty group when there is none). */
int ogroup_load(vrun_t *r, const dns_name_t *name, ogroup_t *g);
void ogroup_types(const ogroup_t *g, vtypes_t *ty);
bool vtypes_has(const vtypes_t *ty, uint16_t type);
/* The types a delegation point owns authoritatively: NS, DS, NSEC, RRSIG
 * (nsec3: NS, DS, RRSIG). */
void vtypes_cut(vtypes_t *ty, bool nsec3);
/* Removes type from ty. */
void vtypes_del(vtypes_t *ty, uint16_t type);
/* Type list of an NSEC/NSEC3 bitmap; -1 when malformed. */
int vbitmap_types(const uint8_t *bm, size_t len, vtypes_t *out);
uint64_t vtypes_hash(const vtypes_t *ty);
/* "A NS RRSIG" */
void vtypes_text(const vtypes_t *ty, char *buf, size_t cap);

/* Apex: the DNSKEY set against the anchor, the zone keys, the denial
 * parameters, SOA serial and ZONEMD. seq: the apex's position. */
int vapex_load(vrun_t *r, const ogroup_t *g);
/* Queues the signature checks of the authoritative RRsets of g (at a
 * delegation point: DS and NSEC only). ord: the owner's ordinal. */
int vowner_sigs(vrun_t *r, uint64_t ord, const ogroup_t *g, bool cut);

/* NSEC3: RDATA fields; returns false when it does not parse. */
typedef struct {
	uint8_t alg, flags;
	uint16_t iter;
	uint8_t saltlen;
	const uint8_t *salt;
	uint8_t hashlen;
	const uint8_t *hash;
	const uint8_t *bm;
	size_t bmlen;
} vnsec3_t;
bool vnsec3_parse(const uint8_t *rd, size_t len, vnsec3_t *out);
bool vnsec3_params_eq(const vnsec3_t *n, const vdenial_t *d);
/* The owner label of a hashed owner as 20 octets; false when it is not. */
bool vnsec3_owner_hash(const vrun_t *r, const dns_name_t *owner, uint8_t h[20]);
void vnsec3_name(const vrun_t *r, const uint8_t h[20], dns_name_t *out);
/* NSEC next name (lowercase); false when malformed. Bitmap after it. */
bool vnsec_parse(const uint8_t *rd, size_t len, dns_name_t *next, const uint8_t **bm,
		 size_t *bmlen);

/* ZONEMD: feeds one group to the running digests. */
int vzonemd_feed(vrun_t *r, const ogroup_t *g);
/* Compares the digests with the apex ZONEMD RRs (require: must exist). */
int vzonemd_finish(vrun_t *r);

/* ---- validate_pool.c ---------------------------------------------------- */

int vpool_start(vrun_t *r, unsigned workers);
/* Copies one RRset and its RRSIGs into the current batch (blocks while
 * every batch is in use). */
int vpool_add(vrun_t *r, uint64_t seq, const dns_name_t *owner, uint16_t type, const vrd_t *rd,
	      size_t nrd, const vrd_t *sig, size_t nsig);
/* Hands over the last batch, waits for the workers, frees the pool. */
int vpool_finish(vrun_t *r);

/* ---- validate_zone.c / validate_ixfr.c ---------------------------------- */

int vzone_full(vrun_t *r);
/* RODNS_OK, or 1 when the run must fall back to a whole-zone check
 * (r->v->st.why_full says why). */
int vzone_ixfr(vrun_t *r);

#endif
