/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Reading: snapshots, RRsets, canonical-order neighbours, iteration,
 * expiry questions. See store.h. */
#include <string.h>

#include "store/store_int.h"

/* Runs one of the cached statements that take no parameters. */
static int run_plain(store_t *s, enum store_stmt_id id)
{
	sqlite3_stmt *st = store_stmt(s, id);
	int err = st ? store_stmt_run(s, st) : RODNS_E_STORE;
	store_stmt_done(s, id, st);
	return err;
}

int store_read_begin(store_t *s)
{
	if (s->in_read || s->txn)
		return store_fail(s, RODNS_E_STORE_BUSY, "a transaction is already open");
	/* BEGIN is deferred: the snapshot is taken by the first read. Both are
	 * cached statements: this runs once per query. */
	int err = run_plain(s, ST_BEGIN);
	if (err == RODNS_OK)
		err = run_plain(s, ST_READ_FIRST);
	if (err != RODNS_OK) {
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return err;
	}
	s->in_read = true;
	return RODNS_OK;
}

void store_read_end(store_t *s)
{
	if (!s->in_read)
		return;
	if (!sqlite3_get_autocommit(s->db) && run_plain(s, ST_COMMIT) != RODNS_OK)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_read = false;
}

bool store_in_read(const store_t *s)
{
	return s->in_read;
}

/* Prepares statement id with zone as ?1 and, when key is set, key as ?2. */
static sqlite3_stmt *start(store_t *s, enum store_stmt_id id, int64_t zone, const uint8_t *key,
			   size_t klen)
{
	/* inside the writer's own transaction, rows of a batched load may
	 * still wait in the batch buffer: in the table first */
	if (s->txn && store_txn_flush(s->txn) != RODNS_OK)
		return NULL;
	sqlite3_stmt *st = store_stmt(s, id);
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, zone);
	if (key)
		sqlite3_bind_blob(st, 2, key, (int)klen, SQLITE_STATIC);
	return st;
}

/* Calls cb for each row (type, class, ttl, rdata) of st, owned by owner.
 * RODNS_E_NOTFOUND when there is none. */
static int emit_rows(store_t *s, enum store_stmt_id id, sqlite3_stmt *st, const dns_name_t *owner,
		     store_rr_cb cb, void *arg)
{
	dns_rr_t rr = {.owner = *owner};
	int rc, ret = RODNS_OK;
	bool any = false;

	dns_name_lower(&rr.owner);
	while (ret == RODNS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rr.type = (uint16_t)sqlite3_column_int(st, 0);
		rr.rclass = (uint16_t)sqlite3_column_int(st, 1);
		rr.ttl = (uint32_t)sqlite3_column_int64(st, 2);
		rr.rdata = sqlite3_column_blob(st, 3);
		rr.rdlen = (uint16_t)sqlite3_column_bytes(st, 3);
		any = true;
		ret = cb(arg, &rr);
	}
	if (ret == RODNS_OK && rc != SQLITE_DONE)
		ret = store_sqlerr(s, rc);
	else if (ret == RODNS_OK && !any)
		ret = RODNS_E_NOTFOUND;
	store_stmt_done(s, id, st);
	return ret;
}

int store_rrset(store_t *s, int64_t zone_id, const dns_name_t *owner, uint16_t type,
		uint16_t covered, store_rr_cb cb, void *arg)
{
	uint8_t key[DNS_KEY_MAX];
	size_t klen = dns_name_key(owner, key);
	enum store_stmt_id id = ST_RRSET;
	if (type == DNS_T_RRSIG)
		id = covered ? ST_RRSIG_COVERED : ST_RRSIG_ALL;
	sqlite3_stmt *st = start(s, id, zone_id, key, klen);
	if (!st)
		return RODNS_E_STORE;
	if (id != ST_RRSIG_ALL)
		sqlite3_bind_int(st, 3, id == ST_RRSET ? type : covered);
	return emit_rows(s, id, st, owner, cb, arg);
}

int store_owner(store_t *s, int64_t zone_id, const dns_name_t *owner, store_rr_cb cb, void *arg)
{
	uint8_t key[DNS_KEY_MAX];
	size_t klen = dns_name_key(owner, key);
	sqlite3_stmt *st = start(s, ST_OWNER, zone_id, key, klen);
	if (!st)
		return RODNS_E_STORE;
	return emit_rows(s, ST_OWNER, st, owner, cb, arg);
}

/* Steps a one-row statement: 1 with a row, 0 without, <0 on error. */
static int step_one(store_t *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc);
}

static int key_exists(store_t *s, int64_t zone_id, const uint8_t *key, size_t klen)
{
	uint8_t hi[DNS_KEY_MAX + 1];
	size_t hilen;
	store_key_succ(key, klen, hi, &hilen);
	sqlite3_stmt *st = start(s, ST_NAME_RANGE, zone_id, key, klen);
	if (!st)
		return RODNS_E_STORE;
	sqlite3_bind_blob(st, 3, hi, (int)hilen, SQLITE_STATIC);
	int r = step_one(s, st);
	store_stmt_done(s, ST_NAME_RANGE, st);
	return r;
}

int store_name_exists(store_t *s, int64_t zone_id, const dns_name_t *name)
{
	uint8_t key[DNS_KEY_MAX];
	size_t klen = dns_name_key(name, key);
	return key_exists(s, zone_id, key, klen);
}

/* The owner key next to key (ST_KEY_LE, ST_NSEC_LE ...) into out/olen:
 * 1 found, 0 none, <0 error. key may be NULL for the *_LAST statements. */
static int neighbour(store_t *s, enum store_stmt_id id, int64_t zone_id, const uint8_t *key,
		     size_t klen, uint8_t *out, size_t *olen)
{
	sqlite3_stmt *st = start(s, id, zone_id, key, klen);
	if (!st)
		return RODNS_E_STORE;
	int r = step_one(s, st);
	if (r == 1) {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		if (n > DNS_KEY_MAX)
			r = store_fail(s, RODNS_E_STORE_CORRUPT, "owner key too long");
		else if (n > 0)
			memcpy(out, sqlite3_column_blob(st, 0), n);
		*olen = n;
	}
	store_stmt_done(s, id, st);
	return r;
}

/* Labels that a and b share from the root: the length of their common
 * prefix, cut back to a label terminator, counted in labels. */
static unsigned common_labels(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	unsigned labels = 0;
	size_t n = alen < blen ? alen : blen;
	for (size_t i = 0; i < n && a[i] == b[i]; i++)
		if (a[i] == 0)
			labels++;
	return labels;
}

int store_closest_encloser(store_t *s, int64_t zone_id, const dns_name_t *name, dns_name_t *out)
{
	uint8_t key[DNS_KEY_MAX], nb[DNS_KEY_MAX];
	size_t klen = dns_name_key(name, key), nlen;
	unsigned best = 0;
	bool any = false;

	/* An existing ancestor has a key that prefixes key; prefix ranges are
	 * contiguous, so one of key's two neighbours lies in the range of the
	 * closest one. */
	for (int i = 0; i < 2; i++) {
		int r = neighbour(s, i ? ST_KEY_GT : ST_KEY_LE, zone_id, key, klen, nb, &nlen);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		any = true;
		unsigned c = common_labels(key, klen, nb, nlen);
		best = c > best ? c : best;
	}
	if (!any)
		return RODNS_E_NOTFOUND;
	dns_name_strip(name, name->labels - best, out);
	dns_name_lower(out);
	return RODNS_OK;
}

/* Greatest key <= name in the index of le (wrapping to last). */
static int pred(store_t *s, enum store_stmt_id le, enum store_stmt_id last, int64_t zone_id,
		const dns_name_t *name, dns_name_t *owner)
{
	uint8_t key[DNS_KEY_MAX], nb[DNS_KEY_MAX];
	size_t klen = dns_name_key(name, key), nlen = 0;
	int r = neighbour(s, le, zone_id, key, klen, nb, &nlen);
	if (r == 0)
		r = neighbour(s, last, zone_id, NULL, 0, nb, &nlen);
	if (r < 0)
		return r;
	if (r == 0)
		return RODNS_E_NOTFOUND;
	if (dns_name_from_key(nb, nlen, owner) != RODNS_OK)
		return store_fail(s, RODNS_E_STORE_CORRUPT, "bad owner key");
	return RODNS_OK;
}

int store_nsec_pred(store_t *s, int64_t zone_id, const dns_name_t *name, dns_name_t *owner)
{
	return pred(s, ST_NSEC_LE, ST_NSEC_LAST, zone_id, name, owner);
}

int store_nsec3_pred(store_t *s, int64_t zone_id, const dns_name_t *hashed, dns_name_t *owner)
{
	return pred(s, ST_NSEC3_LE, ST_NSEC3_LAST, zone_id, hashed, owner);
}

int store_delegation(store_t *s, int64_t zone_id, const dns_name_t *apex, const dns_name_t *name,
		     dns_name_t *cut)
{
	uint8_t key[DNS_KEY_MAX];
	if (!dns_name_is_sub(name, apex))
		return RODNS_E_OUT_OF_ZONE;
	size_t klen = dns_name_key(name, key), end = 0;
	unsigned labels = 0;
	/* An ancestor's key is a prefix of key ending at a label terminator:
	 * probe them from just below the apex down to name. */
	for (; end < klen; end++) {
		if (key[end] != 0 || ++labels <= apex->labels)
			continue;
		sqlite3_stmt *st = start(s, ST_HAS_NS, zone_id, key, end + 1);
		if (!st)
			return RODNS_E_STORE;
		int r = step_one(s, st);
		store_stmt_done(s, ST_HAS_NS, st);
		if (r < 0)
			return r;
		if (r == 1) {
			dns_name_strip(name, name->labels - labels, cut);
			dns_name_lower(cut);
			return RODNS_OK;
		}
	}
	return RODNS_E_NOTFOUND;
}

int store_zone_iter(store_t *s, int64_t zone_id, store_rr_cb cb, void *arg)
{
	dns_rr_t rr;
	uint8_t last[DNS_KEY_MAX];
	size_t last_len = DNS_KEY_MAX + 1; /* no key yet */
	int rc, ret = RODNS_OK;
	sqlite3_stmt *st = start(s, ST_ITER, zone_id, NULL, 0);
	if (!st)
		return RODNS_E_STORE;
	while (ret == RODNS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const uint8_t *k = sqlite3_column_blob(st, 0);
		size_t kl = (size_t)sqlite3_column_bytes(st, 0);
		if (kl != last_len || (kl > 0 && memcmp(k, last, kl) != 0)) {
			if (kl > DNS_KEY_MAX || dns_name_from_key(k, kl, &rr.owner) != RODNS_OK) {
				ret = store_fail(s, RODNS_E_STORE_CORRUPT, "bad owner key");
				break;
			}
			if (kl > 0)
				memcpy(last, k, kl);
			last_len = kl;
		}
		rr.type = (uint16_t)sqlite3_column_int(st, 1);
		rr.rclass = (uint16_t)sqlite3_column_int(st, 2);
		rr.ttl = (uint32_t)sqlite3_column_int64(st, 3);
		rr.rdata = sqlite3_column_blob(st, 4);
		rr.rdlen = (uint16_t)sqlite3_column_bytes(st, 4);
		ret = cb(arg, &rr);
	}
	if (ret == RODNS_OK && rc != SQLITE_DONE)
		ret = store_sqlerr(s, rc);
	store_stmt_done(s, ST_ITER, st);
	return ret;
}

/* One integer from a one-row statement bound to zone (and ?2 = arg2). */
static int zone_int(store_t *s, enum store_stmt_id id, int64_t zone_id, const int64_t *arg2,
		    uint64_t *out)
{
	sqlite3_stmt *st = start(s, id, zone_id, NULL, 0);
	if (!st)
		return RODNS_E_STORE;
	if (arg2)
		sqlite3_bind_int64(st, 2, *arg2);
	int r = step_one(s, st);
	if (r == 1)
		*out = (uint64_t)sqlite3_column_int64(st, 0);
	store_stmt_done(s, id, st);
	return r < 0 ? r : RODNS_OK;
}

int store_zone_count(store_t *s, int64_t zone_id, uint64_t *count)
{
	*count = 0;
	return zone_int(s, ST_COUNT, zone_id, NULL, count);
}

int store_rrsig_count_before(store_t *s, int64_t zone_id, uint32_t before, uint64_t *count)
{
	int64_t b = before;
	*count = 0;
	/* Inside the writer's own transaction the expiry rows of the last
	 * RRSIGs added may still be in the batch buffer. */
	int err = s->txn ? store_txn_flush(s->txn) : RODNS_OK;
	return err == RODNS_OK ? zone_int(s, ST_EXP_BEFORE, zone_id, &b, count) : err;
}

/* The RRSIG at owner key with expiration exp, copied into rr / rdbuf. */
static int earliest_sig(store_t *s, int64_t zone_id, const uint8_t *key, size_t klen, int64_t exp,
			dns_rr_t *rr, uint8_t *rdbuf, size_t rdcap)
{
	sqlite3_stmt *st = start(s, ST_EXP_SIG, zone_id, key, klen);
	if (!st)
		return RODNS_E_STORE;
	sqlite3_bind_int64(st, 3, exp);
	int r = step_one(s, st);
	if (r == 0)
		r = store_fail(s, RODNS_E_STORE_CORRUPT, "expiry index names a missing RRSIG");
	if (r == 1) {
		size_t n = (size_t)sqlite3_column_bytes(st, 2);
		r = n > rdcap ? RODNS_E_SPACE : RODNS_OK;
		if (r == RODNS_OK && dns_name_from_key(key, klen, &rr->owner) != RODNS_OK)
			r = store_fail(s, RODNS_E_STORE_CORRUPT, "bad owner key");
		if (r == RODNS_OK) {
			if (n > 0)
				memcpy(rdbuf, sqlite3_column_blob(st, 2), n);
			rr->type = DNS_T_RRSIG;
			rr->rclass = (uint16_t)sqlite3_column_int(st, 0);
			rr->ttl = (uint32_t)sqlite3_column_int64(st, 1);
			rr->rdata = rdbuf;
			rr->rdlen = (uint16_t)n;
		}
	}
	store_stmt_done(s, ST_EXP_SIG, st);
	return r;
}

int store_rrsig_earliest(store_t *s, int64_t zone_id, dns_rr_t *rr_out, uint8_t *rdbuf,
			 size_t rdcap)
{
	uint8_t key[DNS_KEY_MAX];
	size_t klen = 0;
	int64_t exp = 0;
	int err = s->txn ? store_txn_flush(s->txn) : RODNS_OK;
	if (err != RODNS_OK)
		return err;
	sqlite3_stmt *st = start(s, ST_EXP_FIRST, zone_id, NULL, 0);
	if (!st)
		return RODNS_E_STORE;
	int r = step_one(s, st);
	if (r == 1) {
		exp = sqlite3_column_int64(st, 0);
		klen = (size_t)sqlite3_column_bytes(st, 1);
		if (klen > DNS_KEY_MAX)
			r = store_fail(s, RODNS_E_STORE_CORRUPT, "owner key too long");
		else if (klen > 0)
			memcpy(key, sqlite3_column_blob(st, 1), klen);
	}
	store_stmt_done(s, ST_EXP_FIRST, st);
	if (r < 0)
		return r;
	if (r == 0)
		return RODNS_E_NOTFOUND;
	return earliest_sig(s, zone_id, key, klen, exp, rr_out, rdbuf, rdcap);
}
