/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The SQLite zone store. The only module that holds a sqlite3 handle.
 *
 * One file holds any number of zones. WAL mode: one writer connection
 * (transfers) and any number of read-only connections (query workers), each
 * opened with its own store_open(). Every RR is stored in canonical form
 * (RFC 4034 §6.2: owner and the listed RDATA names lowercased), keyed by the
 * owner's canonical sort key (dns_name_key), so canonical-order questions
 * are B-tree range lookups.
 *
 * A change is one write transaction (store_txn_*): everything in it lands,
 * or nothing does; readers see the old or the new serial, never a mix.
 */
#ifndef RODNS_STORE_STORE_H
#define RODNS_STORE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "dns/name.h"
#include "dns/rr.h"

typedef struct store store_t;
typedef struct store_txn store_txn_t;

/* The schema version this code writes; older versions are migrated on open. */
#define STORE_SCHEMA_VERSION 2

enum {
	STORE_RDONLY = 1, /* read-only connection (query workers) */
	STORE_CREATE = 2, /* create the file and schema if missing */
};

enum store_zone_state {
	STORE_ZONE_EMPTY = 0,   /* configured, never transferred */
	STORE_ZONE_OK = 1,      /* serving */
	STORE_ZONE_EXPIRED = 2, /* SOA EXPIRE passed without a refresh: SERVFAIL */
};

/* Zone metadata (the zones table). Times are Unix seconds, 0 = never. */
typedef struct {
	int64_t id; /* store-assigned; 0 before the zone exists */
	dns_name_t name;
	uint32_t serial;
	int state;           /* enum store_zone_state */
	uint32_t refresh;    /* SOA timers of the stored serial */
	uint32_t retry;
	uint32_t expire;
	uint32_t minimum;
	int64_t last_refresh;  /* last successful SOA check or transfer */
	int64_t next_refresh;  /* when the refresh machinery next looks */
	int64_t expire_at;     /* last_refresh + expire */
	int64_t last_xfr;      /* last applied transfer */
	char primary[128];     /* "address@port" the stored serial came from */
} store_zone_t;

/* Opens (and with STORE_CREATE creates) the store at path. Errors:
 * RODNS_E_STORE_CORRUPT (not SQLite, damaged), RODNS_E_STORE_FOREIGN (SQLite
 * but not ours), RODNS_E_STORE_NEWER (schema from a newer rodns), others.
 * On error *out is NULL and nothing in the file was changed. */
int store_open(const char *path, int flags, store_t **out);
/* Closes the connection; an open write transaction is rolled back and freed. */
void store_close(store_t *s);

/* The last SQLite error text on this connection (never NULL). */
const char *store_errmsg(const store_t *s);

/* Runs SQLite's quick_check over the whole file (reads every page: ~0.17 s
 * per million RRs). RODNS_E_STORE_CORRUPT with the first problem in
 * store_errmsg. store_open runs it for the writer; read-only opens check
 * only the header and schema, and a page damaged later shows as
 * RODNS_E_STORE_CORRUPT from the lookup that reads it. */
int store_check(store_t *s);

/* Caps the file at pages pages for this connection (0: no cap), so a test
 * can fill the "disk": a write past it fails with RODNS_E_STORE_FULL. */
int store_set_max_pages(store_t *s, uint32_t pages);

/* Zone metadata by name (RODNS_E_NOTFOUND if absent). */
int store_zone_get(store_t *s, const dns_name_t *name, store_zone_t *out);
/* Every zone in the store, for start-up: calls cb for each; stops on non-zero. */
int store_zone_each(store_t *s, int (*cb)(void *arg, const store_zone_t *z), void *arg);
/* Creates the zone row if needed (state EMPTY) and fills z->id. */
int store_zone_ensure(store_t *s, store_zone_t *z);
/* Writes metadata (timers, state, last refresh ...) outside a transfer.
 * Not the serial: that changes only with the data, in store_txn_commit. */
int store_zone_update(store_t *s, const store_zone_t *z);

/* ---- writing: one transaction per transfer ------------------------------ */

/* Begins the write transaction for zone (which must exist: store_zone_ensure).
 * Any failing call below makes the transaction failed: later calls return
 * the same error and commit rolls back (the old state stays exact). */
int store_txn_begin(store_t *s, int64_t zone_id, store_txn_t **out);
/* Deletes all of the zone's RRs (AXFR: call first, then add every RR). */
int store_txn_clear(store_txn_t *t);
/* Adds one RR (owner must be at or below the apex: RODNS_E_OUT_OF_ZONE).
 * strict (IXFR): an RR already present is RODNS_E_DIFF_EXISTS; otherwise
 * duplicates are ignored (RFC 2181 §5). TTL differences do not make two RRs
 * different. */
int store_txn_add(store_txn_t *t, const dns_rr_t *rr, bool strict);
/* Deletes one RR that must exist exactly (owner, type, class, canonical
 * RDATA; TTL ignored): otherwise RODNS_E_DIFF_NOMATCH. */
int store_txn_del(store_txn_t *t, const dns_rr_t *rr);
/* Removes superseded RRSIGs (same owner, type covered, algorithm, key tag
 * and signer as one with a later inception) and RRSIGs covering an RRset
 * that does not exist; *pruned gets the count (also counted as deleted).
 * After store_txn_clear it looks at the whole zone, otherwise only at the
 * owners that this transaction changed. */
int store_txn_prune_rrsigs(store_txn_t *t, uint64_t *pruned);
/* RRs added and deleted so far in this transaction. Adds to a cleared
 * zone are inserted in batches: these first insert the pending ones (an
 * error there fails the transaction, as any store_txn_* error does). */
uint64_t store_txn_added(store_txn_t *t);
uint64_t store_txn_deleted(store_txn_t *t);
/* Writes meta (serial, timers, state ...; NULL: leaves them) and commits.
 * Frees t in all cases. */
int store_txn_commit(store_txn_t *t, const store_zone_t *meta);
/* The writer does not checkpoint on its own (that would happen inside the
 * COMMIT of a large transfer): call this after a commit, once the new data
 * is being served. PASSIVE: never waits for readers. Returns 1 when the
 * whole WAL is in the database file, 0 when readers on older snapshots
 * kept part of it back (call again once they have moved on), or an error. */
int store_checkpoint(store_t *s);

/* Rolls back and frees t (NULL is fine). */
void store_txn_abort(store_txn_t *t);

/* ---- reading ------------------------------------------------------------ */

/* Callback for RRs found; rr->rdata is valid only during the call. Return 0
 * to go on, non-zero to stop (that value is returned by the lookup). */
typedef int (*store_rr_cb)(void *arg, const dns_rr_t *rr);

/* Read snapshot: lookups between begin and end see one serial. Lookups
 * outside a snapshot each see the latest committed state. A snapshot may
 * be kept across many lookups (the query workers keep one for up to
 * ~50 ms), but while it is open the WAL frames committed after it cannot
 * be checkpointed into the file: end it when idle. */
int store_read_begin(store_t *s);
void store_read_end(store_t *s);
/* true while a read snapshot (store_read_begin) is open on s. */
bool store_in_read(const store_t *s);

/* The RRs of one RRset (owner, type; class IN). RODNS_E_NOTFOUND if none.
 * For type RRSIG, covered selects the RRSIGs covering that type (0: all). */
int store_rrset(store_t *s, int64_t zone_id, const dns_name_t *owner, uint16_t type,
		uint16_t covered, store_rr_cb cb, void *arg);
/* Every RR at owner, ordered by type then RDATA. RODNS_E_NOTFOUND if none. */
int store_owner(store_t *s, int64_t zone_id, const dns_name_t *owner, store_rr_cb cb, void *arg);
/* true (1) when owner exists: it owns RRs or is an empty non-terminal
 * (some name below it owns RRs); 0 when not; <0 on error. */
int store_name_exists(store_t *s, int64_t zone_id, const dns_name_t *name);
/* The closest encloser of name: the longest ancestor of name (name itself
 * included) that exists in the zone (possibly as an empty non-terminal).
 * name must be at or below the apex; out is lowercase. */
int store_closest_encloser(store_t *s, int64_t zone_id, const dns_name_t *name, dns_name_t *out);
/* The owner of the NSEC RR that covers or matches name: the greatest NSEC
 * owner <= name in canonical order, wrapping around to the last one. */
int store_nsec_pred(store_t *s, int64_t zone_id, const dns_name_t *name, dns_name_t *owner);
/* The owner of the NSEC3 RR whose hashed owner is the greatest <= hashed
 * (hashed: the "<base32hex>.zone" name), wrapping around. */
int store_nsec3_pred(store_t *s, int64_t zone_id, const dns_name_t *hashed, dns_name_t *owner);
/* The highest delegation point (NS RRset, not the apex) at or above name and
 * below the apex; RODNS_E_NOTFOUND if none. */
int store_delegation(store_t *s, int64_t zone_id, const dns_name_t *apex, const dns_name_t *name,
		     dns_name_t *cut);
/* Every RR of the zone in canonical order (owner, type, RDATA). */
int store_zone_iter(store_t *s, int64_t zone_id, store_rr_cb cb, void *arg);
/* RR count of the zone. */
int store_zone_count(store_t *s, int64_t zone_id, uint64_t *count);

/* ---- RRSIG expiry questions (index lookups) ----------------------------- */

/* The RRSIG with the earliest expiration: RODNS_E_NOTFOUND when none. */
int store_rrsig_earliest(store_t *s, int64_t zone_id, dns_rr_t *rr_out, uint8_t *rdbuf,
			 size_t rdcap);
/* RRSIGs with expiration < before (serial-arithmetic aside: plain Unix time). */
int store_rrsig_count_before(store_t *s, int64_t zone_id, uint32_t before, uint64_t *count);

/* ---- RRSIG expiry details (store/expiry.c) ------------------------------ */

/* One RRSIG as the expiry report shows it (owner lowercase). */
typedef struct {
	dns_name_t owner;
	uint16_t covered, keytag;
	uint8_t alg;
	int64_t inception, expiration; /* Unix seconds */
} store_sig_info_t;

/* The latest RRSIG expiration of the zone; 0 when it has none. One index
 * descent. */
int store_rrsig_latest(store_t *s, int64_t zone_id, int64_t *latest);

/* The cap RRSIGs that expire first, in (expiration, owner, type covered,
 * key tag) order, into out; *found gets how many. Index lookups: cost
 * grows with cap, not with the zone. */
int store_rrsig_worst(store_t *s, int64_t zone_id, store_sig_info_t *out, size_t cap,
		      size_t *found);

/* RRSIGs whose inception is after `after` (not valid yet), grouped by
 * inception in ascending order: up to cap groups into out (*n of them; the
 * last group absorbs any further ones, at the latest inception). *total
 * gets the zone's RRSIG count. Reads the per-inception counts that every
 * transaction keeps (rrsig_inc): the rows after `after` and the zone's
 * total, so the cost follows the number of distinct future inceptions,
 * not the zone. */
typedef struct {
	int64_t inception;
	uint64_t count;
} store_inception_t;
int store_rrsig_inceptions(store_t *s, int64_t zone_id, int64_t after, store_inception_t *out,
			   size_t cap, size_t *n, uint64_t *total);

/* ---- owners a transaction touched (store/touched.c) --------------------- */

/* Callback for owner names; return 0 to go on, non-zero to stop (that value
 * is returned). name is lowercase and valid only during the call. */
typedef int (*store_name_cb)(void *arg, const dns_name_t *name);

/* Calls cb for each owner in temp.touched, in canonical order. t must be
 * s's open transaction (store_txn_t is private to txn.c, hence s). The
 * table holds the owners at which this transaction deleted an RR or added
 * an RRSIG, until store_txn_prune_rrsigs empties it; after store_txn_clear
 * it holds only owners whose RRSIGs need pruning (AXFR: check the whole
 * zone instead). */
int store_txn_touched(store_t *s, const store_txn_t *t, store_name_cb cb, void *arg);

#endif
