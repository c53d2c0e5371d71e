/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* RRSIG expiry details beyond store_rrsig_earliest/count_before: the
 * latest expiration, the worst N signatures, and the signatures that are
 * not valid yet. See store.h.
 *
 * Statements here are prepared per call rather than cached: they run once
 * per expiry scan (seconds to hours apart), not per query, and keeping them
 * out of the shared statement table keeps this file independent of the
 * transfer code. */
#include <string.h>

#include "store/store_int.h"

/* Inside the writer's own transaction the expiry rows of the last RRSIGs
 * added may still be in txn.c's batch buffer. */
static int flush_pending(store_t *s)
{
	return s->txn ? store_txn_flush(s->txn) : RODNS_OK;
}

static sqlite3_stmt *prep(store_t *s, const char *sql, int64_t zone_id)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		store_sqlerr(s, rc);
		sqlite3_finalize(st);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, zone_id);
	return st;
}

int store_rrsig_latest(store_t *s, int64_t zone_id, int64_t *latest)
{
	*latest = 0;
	int err = flush_pending(s);
	if (err != RODNS_OK)
		return err;
	/* max() over the (zone, expiration, ...) key is one descent */
	sqlite3_stmt *st =
	    prep(s, "SELECT max(expiration) FROM rrsig_exp WHERE zone = ?1", zone_id);
	if (!st)
		return RODNS_E_STORE;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*latest = sqlite3_column_int64(st, 0);
	else
		err = store_sqlerr(s, rc);
	sqlite3_finalize(st);
	return err;
}

/* Appends the RRSIGs at owner key with expiration exp to out (up to cap). */
static int worst_at(store_t *s, sqlite3_stmt *sig, const uint8_t *key, size_t klen, int64_t exp,
		    store_sig_info_t *out, size_t cap, size_t *n)
{
	dns_name_t owner;
	if (dns_name_from_key(key, klen, &owner) != RODNS_OK)
		return store_fail(s, RODNS_E_STORE_CORRUPT, "bad owner key in the expiry index");
	sqlite3_reset(sig);
	sqlite3_bind_blob(sig, 2, key, (int)klen, SQLITE_STATIC);
	sqlite3_bind_int64(sig, 3, exp);
	int rc = SQLITE_DONE;
	while (*n < cap && (rc = sqlite3_step(sig)) == SQLITE_ROW) {
		store_sig_info_t *o = &out[(*n)++];
		o->owner = owner;
		o->covered = (uint16_t)sqlite3_column_int(sig, 0);
		o->keytag = (uint16_t)sqlite3_column_int(sig, 1);
		o->alg = (uint8_t)sqlite3_column_int(sig, 2);
		o->inception = sqlite3_column_int64(sig, 3);
		o->expiration = exp;
	}
	if (*n < cap && rc != SQLITE_DONE)
		return store_sqlerr(s, rc);
	return RODNS_OK;
}

int store_rrsig_worst(store_t *s, int64_t zone_id, store_sig_info_t *out, size_t cap, size_t *found)
{
	*found = 0;
	int err = flush_pending(s);
	if (err != RODNS_OK || cap == 0)
		return err;
	/* Every rrsig_exp row stands for at least one RRSIG, so cap rows are
	 * enough; each row is then one primary-key range read in rr. */
	sqlite3_stmt *idx = prep(s,
				 "SELECT expiration, okey FROM rrsig_exp WHERE zone = ?1 AND n > 0"
				 " ORDER BY expiration, okey LIMIT ?2",
				 zone_id);
	sqlite3_stmt *sig = prep(s,
				 "SELECT covered, keytag, alg, inception FROM rr WHERE zone = ?1"
				 " AND okey = ?2 AND type = 46 AND expiration = ?3"
				 " ORDER BY covered, keytag, alg",
				 zone_id);
	if (!idx || !sig) {
		sqlite3_finalize(idx);
		sqlite3_finalize(sig);
		return RODNS_E_STORE;
	}
	sqlite3_bind_int64(idx, 2, (int64_t)cap);
	int rc = SQLITE_DONE;
	while (err == RODNS_OK && *found < cap && (rc = sqlite3_step(idx)) == SQLITE_ROW) {
		size_t klen = (size_t)sqlite3_column_bytes(idx, 1);
		if (klen > DNS_KEY_MAX) {
			err = store_fail(s, RODNS_E_STORE_CORRUPT, "owner key too long");
			break;
		}
		err = worst_at(s, sig, sqlite3_column_blob(idx, 1), klen,
			       sqlite3_column_int64(idx, 0), out, cap, found);
	}
	if (err == RODNS_OK && *found < cap && rc != SQLITE_DONE)
		err = store_sqlerr(s, rc);
	sqlite3_finalize(sig);
	sqlite3_finalize(idx);
	return err;
}

/* The zone's RRSIG count (zones.rrsigs). */
static int rrsig_total(store_t *s, int64_t zone_id, uint64_t *total)
{
	sqlite3_stmt *st = prep(s, "SELECT rrsigs FROM zones WHERE id = ?1", zone_id);
	if (!st)
		return RODNS_E_STORE;
	int rc = sqlite3_step(st);
	int err = RODNS_OK;
	if (rc == SQLITE_ROW)
		*total = (uint64_t)sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		err = store_sqlerr(s, rc);
	sqlite3_finalize(st);
	return err;
}

int store_rrsig_inceptions(store_t *s, int64_t zone_id, int64_t after, store_inception_t *out,
			   size_t cap, size_t *n, uint64_t *total)
{
	*n = 0;
	*total = 0;
	int err = flush_pending(s);
	if (err == RODNS_OK)
		err = rrsig_total(s, zone_id, total);
	if (err != RODNS_OK || cap == 0)
		return err;
	sqlite3_stmt *st =
	    prep(s,
		 "SELECT inception, n FROM rrsig_inc WHERE zone = ?1 AND inception > ?2"
		 " ORDER BY inception",
		 zone_id);
	if (!st)
		return RODNS_E_STORE;
	sqlite3_bind_int64(st, 2, after);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t inc = sqlite3_column_int64(st, 0);
		uint64_t cnt = (uint64_t)sqlite3_column_int64(st, 1);
		if (*n < cap) {
			out[(*n)++] = (store_inception_t){inc, cnt};
		} else {
			/* the last group absorbs the rest, at the latest inception */
			out[cap - 1].inception = inc;
			out[cap - 1].count += cnt;
		}
	}
	if (rc != SQLITE_DONE)
		err = store_sqlerr(s, rc);
	sqlite3_finalize(st);
	return err;
}
