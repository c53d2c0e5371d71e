/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Write transactions: one per transfer. See store.h.
 *
 * Any failure makes the transaction failed ("sticky"): later calls return
 * the same error and commit rolls back, so a transfer lands whole or not at
 * all whatever the caller does after an error. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

/* The expiry rows of added RRSIGs are sorted and merged in batches this
 * large before they touch rrsig_exp. Expirations are random across a zone,
 * so row-by-row inserts land all over the B-tree. Raw SQLite, 1M RRs of a
 * signed zone: no expiry index 700-800k RR/s, an index on rr(zone,
 * expiration) 250k, rrsig_exp row by row 320-460k, in sorted batches
 * 530-550k. Memory is fixed: ~1.4 MiB whatever the zone size. */
#define EXP_BATCH 16384
#define EXP_ARENA (1024 * 1024)
/* The distinct expiry rows of a flush are upserted this many to a
 * statement (one VDBE run per EXP_ROWS rows instead of per row); the rest
 * one by one. */
#define EXP_ROWS 64

typedef struct {
	int64_t exp;
	const uint8_t *key;
	size_t len;
	int n; /* RRSIGs: an owner's RRSIGs arrive together, one entry counts them */
} exp_ent_t;

/* The changes to rrsig_inc (RRSIGs per inception) and to zones.rrsigs are
 * summed here and written at flush. A signing run gives all its RRSIGs one
 * inception, so a whole AXFR usually fits in a few slots; a full table is
 * written out early. */
#define INC_SLOTS 1024 /* a power of two */
#define INC_MAX	  768

typedef struct {
	int64_t delta;
	uint32_t inception;
	bool used;
} inc_ent_t;

/* After a clear, the RRs that arrive together for one owner (AXFR sends
 * an owner's RRs together) are usually all it has, so whether the owner
 * needs pruning is known when its group ends; only such owners go to
 * temp.touched, and prune checks them exactly. While the owners come in
 * canonical order (BIND, Knot, NSD) each group is the first for its owner;
 * once the order breaks (BIND sends NSEC3 owners last), a new group whose
 * owner already has rows marks that owner too. Only a deletion after the
 * clear makes prune pass over the whole zone. The summary is conservative:
 * anything that does not fit in it marks the owner. */
#define GROUP_TYPES 32
#define GROUP_SIGS  32

typedef struct {
	uint64_t signer; /* hash: a collision only costs an exact check */
	uint32_t inception;
	uint16_t covered, keytag;
	uint8_t alg;
} sigsum_t;

/* An AXFR into a cleared zone inserts its RRs BATCH_ROWS to a statement,
 * each batch sorted in key order: one VDBE run and one table cursor per
 * batch instead of per RR, and while owners arrive in canonical order every
 * row lands after the table's last one, which SQLite finds without a
 * search from the root. Of two equal RRs the first to arrive is kept and
 * counted, as row by row (see batch_insert). */
#define BATCH_ROWS  64
#define BATCH_COLS  14
#define BATCH_ARENA (BATCH_ROWS * 2048)

/* A batch statement's row slot: its RRSIG columns as last bound. Bindings
 * outlive sqlite3_reset, so the zone is bound once per statement, a
 * non-RRSIG row after one skips its eight NULLs and an RRSIG after one its
 * gen: a quarter of the binds of a load. */
enum { SLOT_NEW, SLOT_NULLS, SLOT_SIG };

/* One RR ready for the rr table: owner key, canonical RDATA and, for an
 * RRSIG, its parsed fields. */
typedef struct {
	const uint8_t *key, *rd;
	size_t key_len, rd_len;
	uint16_t type, rclass;
	uint32_t ttl;
	bool is_sig;
	bool added; /* set by batch_flush: the row was new */
	dns_rrsig_t sig;
} row_t;

typedef struct {
	bool active, overflow;
	int ntypes, nsigs;
	size_t len;
	uint8_t key[DNS_KEY_MAX];
	uint16_t types[GROUP_TYPES];
	sigsum_t sigs[GROUP_SIGS];
} group_t;

struct store_txn {
	store_t *s;
	int64_t zone;
	int64_t gen; /* this transaction's number for the zone (RRSIG tie-break) */
	int err;      /* sticky: the first failure */
	bool cleared; /* the zone was cleared: groups decide what to prune */
	bool broken;  /* owners stopped coming in canonical order */
	bool rescan;  /* an RR was deleted after the clear: prune it all */
	group_t grp;
	uint64_t added, deleted;
	uint8_t apex_key[DNS_KEY_MAX];
	size_t apex_len;
	/* The last owner and its key: AXFR and IXFR send an owner's RRs
	 * together, so most RRs reuse the key. */
	dns_name_t owner;
	uint8_t key[DNS_KEY_MAX];
	size_t key_len;
	bool key_touched; /* key already in temp.touched */
	sqlite3_stmt *batch_st; /* BATCH_ROWS-row INSERT, prepared on first use */
	uint8_t slot[BATCH_ROWS]; /* what batch_st's row i has bound (SLOT_*) */
	sqlite3_stmt *exp_st;	/* EXP_ROWS-row rrsig_exp upsert, likewise */
	size_t nrows, batch_used;
	row_t rows[BATCH_ROWS];
	uint8_t batch[BATCH_ARENA + DNS_KEY_MAX + DNS_RDATA_MAX];
	int64_t sigs_delta; /* pending change to zones.rrsigs */
	size_t ninc;
	inc_ent_t inc[INC_SLOTS];
	exp_ent_t exp[EXP_BATCH];
	size_t nexp;
	size_t arena_used;
	uint8_t arena[EXP_ARENA];
	uint8_t rdata[DNS_RDATA_MAX];
};

static int txn_fail(store_txn_t *t, int err)
{
	if (t->err == RODNS_OK)
		t->err = err;
	return err;
}

/* Runs a cached statement already bound; returns the rodns code. */
static int run(store_txn_t *t, enum store_stmt_id id, sqlite3_stmt *st)
{
	int err = store_stmt_run(t->s, st);
	store_stmt_done(t->s, id, st);
	return err;
}

static int run_zone(store_txn_t *t, enum store_stmt_id id)
{
	sqlite3_stmt *st = store_stmt(t->s, id);
	if (!st)
		return RODNS_E_STORE;
	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, t->zone);
	return run(t, id, st);
}

/* Runs the cached statement id with ?1 = the zone, ?2 = a (when given)
 * and ?3 = b (when given). */
static int run_args(store_txn_t *t, enum store_stmt_id id, int nargs, int64_t a, int64_t b)
{
	sqlite3_stmt *st = store_stmt(t->s, id);
	if (!st)
		return RODNS_E_STORE;
	sqlite3_bind_int64(st, 1, t->zone);
	if (nargs > 0)
		sqlite3_bind_int64(st, 2, a);
	if (nargs > 1)
		sqlite3_bind_int64(st, 3, b);
	return run(t, id, st);
}

static void inc_reset(store_txn_t *t)
{
	memset(t->inc, 0, sizeof(t->inc));
	t->ninc = 0;
	t->sigs_delta = 0;
}

/* Writes the summed inception changes and the RRSIG total. */
static int inc_flush(store_txn_t *t)
{
	int err = RODNS_OK;
	for (size_t i = 0; err == RODNS_OK && t->ninc > 0 && i < INC_SLOTS; i++) {
		const inc_ent_t *e = &t->inc[i];
		if (!e->used || e->delta == 0)
			continue;
		err = run_args(t, ST_INC_ADD, 2, e->inception, e->delta);
		if (err == RODNS_OK && e->delta < 0)
			err = run_args(t, ST_INC_DROP, 1, e->inception, 0);
	}
	if (err == RODNS_OK && t->sigs_delta != 0)
		err = run_args(t, ST_SIGS_ADD, 1, t->sigs_delta, 0);
	inc_reset(t);
	return err;
}

/* Counts one RRSIG with this inception in (delta 1) or out (-1). */
static int inc_note(store_txn_t *t, uint32_t inception, int delta)
{
	if (t->ninc >= INC_MAX) {
		int err = inc_flush(t);
		if (err != RODNS_OK)
			return err;
	}
	size_t i = (inception * 2654435761u) & (INC_SLOTS - 1);
	while (t->inc[i].used && t->inc[i].inception != inception)
		i = (i + 1) & (INC_SLOTS - 1);
	if (!t->inc[i].used) {
		t->inc[i] = (inc_ent_t){.inception = inception, .used = true};
		t->ninc++;
	}
	t->inc[i].delta += delta;
	t->sigs_delta += delta;
	return RODNS_OK;
}

static int exp_cmp(const void *a, const void *b)
{
	const exp_ent_t *x = a, *y = b;
	if (x->exp != y->exp)
		return x->exp < y->exp ? -1 : 1;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);
	if (c != 0)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* Adds n to the expiry row (exp, key); n may be negative. */
static int exp_apply(store_txn_t *t, int64_t exp, const uint8_t *key, size_t len, int n)
{
	enum store_stmt_id id = n > 0 ? ST_EXP_ADD : ST_EXP_DEC;
	sqlite3_stmt *st = store_stmt(t->s, id);
	if (!st)
		return RODNS_E_STORE;
	sqlite3_bind_int64(st, 1, t->zone);
	sqlite3_bind_int64(st, 2, exp);
	sqlite3_bind_blob(st, 3, key, (int)len, SQLITE_STATIC);
	if (n > 0)
		sqlite3_bind_int(st, 4, n);
	int err = run(t, id, st);
	if (err != RODNS_OK || n > 0)
		return err;
	st = store_stmt(t->s, ST_EXP_DROP);
	if (!st)
		return RODNS_E_STORE;
	sqlite3_bind_int64(st, 1, t->zone);
	sqlite3_bind_int64(st, 2, exp);
	sqlite3_bind_blob(st, 3, key, (int)len, SQLITE_STATIC);
	return run(t, ST_EXP_DROP, st);
}

static sqlite3_stmt *exp_stmt(store_txn_t *t)
{
	if (t->exp_st)
		return t->exp_st;
	static const char head[] = "INSERT INTO rrsig_exp(zone, expiration, okey, n) VALUES ";
	static const char one[] = "(?1,?,?,?),";
	static const char tail[] =
	    " ON CONFLICT(zone, expiration, okey) DO UPDATE SET n = n + excluded.n";
	char sql[sizeof(head) + EXP_ROWS * (sizeof(one) - 1) + sizeof(tail)];
	size_t n = sizeof(head) - 1;
	memcpy(sql, head, n);
	for (int i = 0; i < EXP_ROWS; i++, n += sizeof(one) - 1)
		memcpy(sql + n, one, sizeof(one) - 1);
	memcpy(sql + n - 1, tail, sizeof(tail)); /* over the last comma */
	int rc = sqlite3_prepare_v3(t->s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &t->exp_st, NULL);
	if (rc != SQLITE_OK) {
		store_sqlerr(t->s, rc);
		sqlite3_finalize(t->exp_st);
		t->exp_st = NULL;
	}
	return t->exp_st;
}

/* Upserts EXP_ROWS distinct expiry rows as one statement. */
static int exp_apply_rows(store_txn_t *t, const exp_ent_t *e)
{
	sqlite3_stmt *st = exp_stmt(t);
	if (!st)
		return RODNS_E_STORE;
	sqlite3_bind_int64(st, 1, t->zone);
	for (int i = 0; i < EXP_ROWS; i++) {
		sqlite3_bind_int64(st, 2 + 3 * i, e[i].exp);
		sqlite3_bind_blob(st, 3 + 3 * i, e[i].key, (int)e[i].len, SQLITE_STATIC);
		sqlite3_bind_int(st, 4 + 3 * i, e[i].n);
	}
	int err = store_stmt_run(t->s, st);
	sqlite3_reset(st);
	return err;
}

static int exp_flush(store_txn_t *t)
{
	int err = RODNS_OK;
	qsort(t->exp, t->nexp, sizeof(t->exp[0]), exp_cmp);
	size_t m = 0; /* merge equal entries: t->exp[0..m) distinct */
	for (size_t i = 0; i < t->nexp; i++) {
		if (m > 0 && exp_cmp(&t->exp[m - 1], &t->exp[i]) == 0)
			t->exp[m - 1].n += t->exp[i].n;
		else
			t->exp[m++] = t->exp[i];
	}
	size_t i = 0;
	for (; err == RODNS_OK && i + EXP_ROWS <= m; i += EXP_ROWS)
		err = exp_apply_rows(t, &t->exp[i]);
	for (; err == RODNS_OK && i < m; i++)
		err = exp_apply(t, t->exp[i].exp, t->exp[i].key, t->exp[i].len, t->exp[i].n);
	t->nexp = 0;
	t->arena_used = 0;
	return err;
}

static int exp_push(store_txn_t *t, const uint8_t *key, size_t len, int64_t exp)
{
	if (t->nexp > 0) {
		exp_ent_t *last = &t->exp[t->nexp - 1];
		if (last->exp == exp && last->len == len && memcmp(last->key, key, len) == 0) {
			last->n++;
			return RODNS_OK;
		}
	}
	int err = RODNS_OK;
	if (t->nexp == EXP_BATCH || t->arena_used + len > EXP_ARENA)
		err = exp_flush(t);
	if (err != RODNS_OK)
		return err;
	uint8_t *k = t->arena + t->arena_used;
	memcpy(k, key, len);
	t->arena_used += len;
	t->exp[t->nexp++] = (exp_ent_t){.exp = exp, .key = k, .len = len, .n = 1};
	return RODNS_OK;
}

static int batch_flush(store_txn_t *t);

int store_txn_flush(store_txn_t *t)
{
	if (t->err != RODNS_OK)
		return t->err;
	/* SQLite rolls a transaction back by itself on some errors (full
	 * disk, I/O); writing the buffer then would land outside it. */
	if (sqlite3_get_autocommit(t->s->db))
		return txn_fail(t, store_fail(t->s, RODNS_E_STORE, "transaction was rolled back"));
	int err = batch_flush(t);
	if (err == RODNS_OK)
		err = exp_flush(t);
	if (err == RODNS_OK)
		err = inc_flush(t);
	return err == RODNS_OK ? RODNS_OK : txn_fail(t, err);
}

/* Numbers this transaction among the zone's transactions (rolled back with it). */
static int next_gen(store_txn_t *t)
{
	sqlite3_stmt *st = store_stmt(t->s, ST_ZONE_GEN);
	if (!st)
		return RODNS_E_STORE;
	sqlite3_bind_int64(st, 1, t->zone);
	int rc = sqlite3_step(st);
	int err = RODNS_OK;
	if (rc == SQLITE_ROW)
		t->gen = sqlite3_column_int64(st, 0);
	else
		err = store_sqlerr(t->s, rc);
	store_stmt_done(t->s, ST_ZONE_GEN, st);
	return err;
}

int store_txn_begin(store_t *s, int64_t zone_id, store_txn_t **out)
{
	*out = NULL;
	if (s->flags & STORE_RDONLY)
		return store_fail(s, RODNS_E_STORE, "read-only store");
	if (s->txn || s->in_read)
		return store_fail(s, RODNS_E_STORE_BUSY, "a transaction is already open");
	store_txn_t *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->s = s;
	t->zone = zone_id;
	int err = store_exec(s, "BEGIN IMMEDIATE");
	if (err != RODNS_OK) {
		free(t);
		return err;
	}
	s->txn = t;
	store_zone_t z;
	sqlite3_stmt *st = store_stmt(s, ST_ZONE_BY_ID);
	err = st ? RODNS_OK : RODNS_E_STORE;
	if (err == RODNS_OK) {
		sqlite3_bind_int64(st, 1, zone_id);
		int rc = sqlite3_step(st);
		err = rc == SQLITE_ROW	  ? RODNS_OK
		      : rc == SQLITE_DONE ? store_fail(s, RODNS_E_NOTFOUND, "no such zone")
					  : store_sqlerr(s, rc);
		if (err == RODNS_OK)
			err = store_zone_row(s, st, &z);
		store_stmt_done(s, ST_ZONE_BY_ID, st);
	}
	if (err == RODNS_OK)
		err = run_zone(t, ST_TOUCH_CLEAR);
	if (err == RODNS_OK)
		err = next_gen(t);
	if (err != RODNS_OK) {
		store_txn_abort(t);
		return err;
	}
	t->apex_len = dns_name_key(&z.name, t->apex_key);
	*out = t;
	return RODNS_OK;
}

/* Sets t->key to rr's owner key (cached across an owner's RRs), and the
 * canonical RDATA into t->rdata; returns its length or an error. */
static int prepare_rr(store_txn_t *t, const dns_rr_t *rr)
{
	const dns_name_t *o = &rr->owner;
	if (!(t->key_len > 0 && o->len == t->owner.len &&
	      memcmp(o->data, t->owner.data, o->len) == 0)) {
		t->key_len = dns_name_key(o, t->key);
		t->owner = *o;
		t->key_touched = false;
		if (t->key_len < t->apex_len || memcmp(t->key, t->apex_key, t->apex_len) != 0) {
			t->key_len = 0;
			return store_fail(t->s, RODNS_E_OUT_OF_ZONE, "owner is outside the zone");
		}
	}
	int n = dns_rdata_canon(rr->type, rr->rdata, rr->rdlen, t->rdata);
	if (n < 0)
		return store_fail(t->s, n, "bad RDATA");
	return n;
}

static int touch_key(store_txn_t *t, const uint8_t *key, size_t len)
{
	sqlite3_stmt *st = store_stmt(t->s, ST_TOUCH);
	if (!st)
		return RODNS_E_STORE;
	sqlite3_bind_blob(st, 1, key, (int)len, SQLITE_STATIC);
	return run(t, ST_TOUCH, st);
}

/* Records the current owner in temp.touched for the next prune. */
static int touch(store_txn_t *t)
{
	if (t->cleared || t->key_touched)
		return RODNS_OK;
	int err = touch_key(t, t->key, t->key_len);
	t->key_touched = err == RODNS_OK;
	return err;
}

static bool group_prunable(const group_t *g)
{
	if (g->overflow)
		return true;
	for (int i = 0; i < g->nsigs; i++) {
		const sigsum_t *a = &g->sigs[i];
		bool covered = false;
		for (int k = 0; k < g->ntypes; k++)
			covered |= g->types[k] == a->covered;
		if (!covered)
			return true;
		for (int j = 0; j < g->nsigs; j++) {
			const sigsum_t *b = &g->sigs[j];
			if (b->covered == a->covered && b->alg == a->alg &&
			    b->keytag == a->keytag && b->signer == a->signer &&
			    b->inception > a->inception)
				return true;
		}
	}
	return false;
}

static int group_end(store_txn_t *t)
{
	group_t *g = &t->grp;
	if (!g->active)
		return RODNS_OK;
	g->active = false;
	return group_prunable(g) ? touch_key(t, g->key, g->len) : RODNS_OK;
}

static uint64_t name_hash(const dns_name_t *n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n->len; i++)
		h = (h ^ n->data[i]) * 0x100000001b3ull;
	return h;
}

static int blob_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	return c != 0 ? c : (al > bl) - (al < bl);
}

/* Ends the current group and starts one for key, whose first RR was just
 * inserted (with, when a batch inserted it, the nlater rows after it).
 * Out of order, an owner that has more rows was seen before: it goes to
 * temp.touched for the exact check. */
static int group_start(store_txn_t *t, const uint8_t *key, size_t len, const row_t *later,
		       size_t nlater)
{
	group_t *g = &t->grp;
	size_t n = g->len < len ? g->len : len;
	int c = memcmp(key, g->key, n);
	t->broken |= g->active && (c < 0 || (c == 0 && len < g->len));
	int err = group_end(t);
	*g = (group_t){.active = true, .len = len};
	memcpy(g->key, key, len);
	if (err != RODNS_OK || !t->broken)
		return err;
	sqlite3_stmt *st = store_stmt(t->s, ST_OWNER_ROWS);
	if (!st)
		return RODNS_E_STORE;
	sqlite3_bind_int64(st, 1, t->zone);
	sqlite3_bind_blob(st, 2, key, (int)len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	int64_t rows = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	err = rc == SQLITE_ROW ? RODNS_OK : store_sqlerr(t->s, rc);
	store_stmt_done(t->s, ST_OWNER_ROWS, st);
	for (size_t i = 0; i < nlater; i++) /* not there before this row */
		rows -= later[i].added && blob_cmp(key, len, later[i].key, later[i].key_len) == 0;
	if (err == RODNS_OK && rows > 1)
		err = touch_key(t, key, len);
	return err;
}

/* Records an inserted RR (sig: its RRSIG fields) in the owner's group. */
static int group_note(store_txn_t *t, const row_t *r, const row_t *later, size_t nlater)
{
	group_t *g = &t->grp;
	uint16_t type = r->type;
	const dns_rrsig_t *sig = r->is_sig ? &r->sig : NULL;
	if (!g->active || g->len != r->key_len || memcmp(g->key, r->key, g->len) != 0) {
		int err = group_start(t, r->key, r->key_len, later, nlater);
		if (err != RODNS_OK)
			return err;
	}
	bool seen = false;
	for (int k = 0; k < g->ntypes; k++)
		seen |= g->types[k] == type;
	if (!seen && g->ntypes < GROUP_TYPES)
		g->types[g->ntypes++] = type;
	else if (!seen)
		g->overflow = true;
	if (sig && g->nsigs < GROUP_SIGS)
		g->sigs[g->nsigs++] = (sigsum_t){.signer = name_hash(&sig->signer),
						 .inception = sig->inception,
						 .covered = sig->covered,
						 .keytag = sig->key_tag,
						 .alg = sig->algorithm};
	else if (sig)
		g->overflow = true;
	return RODNS_OK;
}

/* Binds an RRSIG's metadata columns 7..13 from parameter base+7 on. */
static void bind_sig_cols(sqlite3_stmt *st, int base, const dns_rrsig_t *sig)
{
	sqlite3_bind_int(st, base + 7, sig->covered);
	sqlite3_bind_int(st, base + 8, sig->algorithm);
	sqlite3_bind_int(st, base + 9, sig->labels);
	sqlite3_bind_int(st, base + 10, sig->key_tag);
	sqlite3_bind_blob(st, base + 11, sig->signer.data, sig->signer.len, SQLITE_STATIC);
	sqlite3_bind_int64(st, base + 12, (int64_t)sig->inception);
	sqlite3_bind_int64(st, base + 13, (int64_t)sig->expiration);
}

/* Binds row r's columns from parameter base+1 on, in the order of the
 * single-row INSERT statements (the RRSIG ones have columns 7..14). */
static void bind_row(store_txn_t *t, sqlite3_stmt *st, int base, const row_t *r)
{
	sqlite3_bind_int64(st, base + 1, t->zone);
	sqlite3_bind_blob(st, base + 2, r->key, (int)r->key_len, SQLITE_STATIC);
	sqlite3_bind_int(st, base + 3, r->type);
	sqlite3_bind_int(st, base + 4, r->rclass);
	sqlite3_bind_blob(st, base + 5, r->rd, (int)r->rd_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, base + 6, r->ttl);
	if (!r->is_sig)
		return;
	bind_sig_cols(st, base, &r->sig);
	sqlite3_bind_int64(st, base + 14, t->gen);
}

/* The bookkeeping of an inserted row: counts, the owner's group, the
 * expiry and inception tables. later: the nlater rows that the same batch
 * inserted after it. */
static int note_added(store_txn_t *t, const row_t *r, const row_t *later, size_t nlater)
{
	int err = RODNS_OK;
	t->added++;
	if (t->cleared && !t->rescan)
		err = group_note(t, r, later, nlater);
	/* every owner an IXFR adds to is listed: pruning looks at RRSIG
	 * owners, validation at every owner whose data changed */
	if (r->is_sig && err == RODNS_OK)
		err = exp_push(t, r->key, r->key_len, (int64_t)r->sig.expiration);
	if (r->is_sig && err == RODNS_OK)
		err = inc_note(t, r->sig.inception, 1);
	return err;
}

/* Inserts one row; *added tells whether it was new (strict: a present RR
 * is RODNS_E_DIFF_EXISTS). */
static int insert_one(store_txn_t *t, const row_t *r, bool strict, bool *added)
{
	enum store_stmt_id id = r->is_sig ? (strict ? ST_SIG_INSERT : ST_SIG_INSERT_IGN)
					  : (strict ? ST_RR_INSERT : ST_RR_INSERT_IGN);
	*added = false;
	sqlite3_stmt *st = store_stmt(t->s, id);
	if (!st)
		return RODNS_E_STORE;
	bind_row(t, st, 0, r);
	int rc = sqlite3_step(st);
	int err = RODNS_OK;
	if (rc != SQLITE_DONE)
		err = (rc & 0xff) == SQLITE_CONSTRAINT
			  ? store_fail(t->s, RODNS_E_DIFF_EXISTS, "added RR already present")
			  : store_sqlerr(t->s, rc);
	store_stmt_done(t->s, id, st);
	*added = err == RODNS_OK && sqlite3_changes(t->s->db) > 0;
	return err;
}

static int insert(store_txn_t *t, const row_t *r, bool strict)
{
	bool added;
	int err = insert_one(t, r, strict, &added);
	if (err != RODNS_OK || !added)
		return err;
	err = note_added(t, r, NULL, 0);
	return err == RODNS_OK ? touch(t) : err;
}

/* Fills r from rr with t->key and t->rdata (len octets); parses an RRSIG. */
static int make_row(store_txn_t *t, const dns_rr_t *rr, size_t len, row_t *r)
{
	*r = (row_t){.key = t->key,
		     .key_len = t->key_len,
		     .rd = t->rdata,
		     .rd_len = len,
		     .type = rr->type,
		     .rclass = rr->rclass,
		     .ttl = rr->ttl,
		     .is_sig = rr->type == DNS_T_RRSIG};
	if (!r->is_sig)
		return RODNS_OK;
	int err = dns_rrsig_parse(r->rd, len, &r->sig);
	return err == RODNS_OK ? RODNS_OK : store_fail(t->s, err, "bad RRSIG RDATA");
}

/* Primary-key order of the rr table (the zone is the same for all). */
static int row_cmp(const row_t *x, const row_t *y)
{
	int c = blob_cmp(x->key, x->key_len, y->key, y->key_len);
	if (c == 0)
		c = (x->type > y->type) - (x->type < y->type);
	if (c == 0)
		c = (x->rclass > y->rclass) - (x->rclass < y->rclass);
	return c != 0 ? c : blob_cmp(x->rd, x->rd_len, y->rd, y->rd_len);
}

static int row_ptr_cmp(const void *a, const void *b)
{
	const row_t *x = *(const row_t *const *)a, *y = *(const row_t *const *)b;
	int c = row_cmp(x, y);
	return c != 0 ? c : (x > y) - (x < y); /* the first to arrive is kept */
}

static sqlite3_stmt *batch_stmt(store_txn_t *t)
{
	if (t->batch_st)
		return t->batch_st;
	static const char head[] =
	    "INSERT OR FAIL INTO rr(zone, okey, type, class, rdata, ttl, covered,"
	    " alg, labels, keytag, signer, inception, expiration, gen) VALUES ";
	static const char one[] = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?),";
	char sql[sizeof(head) + BATCH_ROWS * (sizeof(one) - 1)];
	size_t n = sizeof(head) - 1;
	memcpy(sql, head, n);
	for (int i = 0; i < BATCH_ROWS; i++, n += sizeof(one) - 1)
		memcpy(sql + n, one, sizeof(one) - 1);
	sql[n - 1] = '\0'; /* the last comma */
	int rc =
	    sqlite3_prepare_v3(t->s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &t->batch_st, NULL);
	if (rc != SQLITE_OK) {
		store_sqlerr(t->s, rc);
		sqlite3_finalize(t->batch_st);
		t->batch_st = NULL;
	}
	return t->batch_st;
}

/* Sorts a batch into key order. A batch is mostly sorted already (an
 * owner's RRs arrive together, owners in canonical order; within an owner
 * only the RRSIGs are out of place), so insertion sort, with qsort when it
 * has to move rows too far (owners in no order, as NSEC3 hashes may come). */
static void sort_rows(row_t **order)
{
	size_t moves = 0;
	for (size_t i = 1; i < BATCH_ROWS; i++) {
		row_t *r = order[i];
		size_t j = i;
		for (; j > 0 && row_ptr_cmp(&order[j - 1], &r) > 0; j--)
			order[j] = order[j - 1];
		order[j] = r;
		moves += i - j;
		if (moves > 4 * BATCH_ROWS) {
			qsort(order, BATCH_ROWS, sizeof(order[0]), row_ptr_cmp);
			return;
		}
	}
}

/* Binds row r into batch_st's slot i (see SLOT_*). */
static void bind_slot(store_txn_t *t, sqlite3_stmt *st, int i, const row_t *r)
{
	int base = i * BATCH_COLS;
	if (t->slot[i] == SLOT_NEW)
		sqlite3_bind_int64(st, base + 1, t->zone);
	sqlite3_bind_blob(st, base + 2, r->key, (int)r->key_len, SQLITE_STATIC);
	sqlite3_bind_int(st, base + 3, r->type);
	sqlite3_bind_int(st, base + 4, r->rclass);
	sqlite3_bind_blob(st, base + 5, r->rd, (int)r->rd_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, base + 6, r->ttl);
	if (!r->is_sig) {
		for (int c = 7; t->slot[i] != SLOT_NULLS && c <= BATCH_COLS; c++)
			sqlite3_bind_null(st, base + c);
		t->slot[i] = SLOT_NULLS;
		return;
	}
	bind_sig_cols(st, base, &r->sig);
	if (t->slot[i] != SLOT_SIG)
		sqlite3_bind_int64(st, base + 14, t->gen);
	t->slot[i] = SLOT_SIG;
}

/* Runs a full batch as one statement, in key order (equal keys in
 * arrival order), and sets each row's added flag. OR FAIL stops at the
 * first row already present and keeps the rows before it, without the
 * statement journal that undoing them would need; the rest go row by row. */
static int batch_insert(store_txn_t *t)
{
	sqlite3_stmt *st = batch_stmt(t);
	if (!st)
		return RODNS_E_STORE;
	row_t *order[BATCH_ROWS];
	for (size_t i = 0; i < BATCH_ROWS; i++)
		order[i] = &t->rows[i];
	sort_rows(order);
	for (int i = 0; i < BATCH_ROWS; i++)
		bind_slot(t, st, i, order[i]);
	int rc = sqlite3_step(st);
	int64_t done = sqlite3_changes64(t->s->db);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE && done == BATCH_ROWS)
		done = BATCH_ROWS;
	else if (rc != SQLITE_DONE && (rc & 0xff) != SQLITE_CONSTRAINT)
		return store_sqlerr(t->s, rc);
	else if (rc == SQLITE_DONE || done < 0 || done >= BATCH_ROWS)
		return store_fail(t->s, RODNS_E_STORE, "batch insert: unexpected change count");
	int err = RODNS_OK;
	for (int i = 0; err == RODNS_OK && i < BATCH_ROWS; i++) {
		order[i]->added = i < done;
		if (i > done) /* order[done] is the one already present */
			err = insert_one(t, order[i], false, &order[i]->added);
	}
	return err;
}

/* Inserts the pending rows (see BATCH_ROWS) and does their bookkeeping in
 * the order they arrived. */
static int batch_flush(store_txn_t *t)
{
	int err = t->nrows == BATCH_ROWS ? batch_insert(t) : RODNS_OK;
	for (size_t i = 0; err == RODNS_OK && t->nrows < BATCH_ROWS && i < t->nrows; i++)
		err = insert_one(t, &t->rows[i], false, &t->rows[i].added);
	for (size_t i = 0; err == RODNS_OK && i < t->nrows; i++) {
		const row_t *r = &t->rows[i];
		if (r->added)
			err = note_added(t, r, r + 1, t->nrows - i - 1);
	}
	t->nrows = 0;
	t->batch_used = 0;
	return err;
}

/* Queues rr (prepared in t->key, t->rdata) for batch_flush. */
static int batch_push(store_txn_t *t, const dns_rr_t *rr, size_t len)
{
	int err = RODNS_OK;
	if (t->nrows == BATCH_ROWS || t->batch_used + t->key_len + len > sizeof(t->batch))
		err = batch_flush(t);
	if (err != RODNS_OK)
		return err;
	uint8_t *k = t->batch + t->batch_used;
	memcpy(k, t->key, t->key_len);
	memcpy(k + t->key_len, t->rdata, len);
	t->batch_used += t->key_len + len;
	row_t *r = &t->rows[t->nrows];
	err = make_row(t, rr, len, r);
	r->key = k;
	r->rd = k + t->key_len; /* the parsed RRSIG holds its own copy of the signer */
	if (err == RODNS_OK)
		t->nrows++;
	return err;
}

int store_txn_add(store_txn_t *t, const dns_rr_t *rr, bool strict)
{
	if (t->err != RODNS_OK)
		return t->err;
	int n = prepare_rr(t, rr);
	if (n < 0)
		return txn_fail(t, n);
	int err;
	if (!strict && t->cleared && !t->rescan) {
		err = batch_push(t, rr, (size_t)n);
	} else {
		row_t r;
		err = batch_flush(t);
		if (err == RODNS_OK)
			err = make_row(t, rr, (size_t)n, &r);
		if (err == RODNS_OK)
			err = insert(t, &r, strict);
	}
	return err == RODNS_OK ? RODNS_OK : txn_fail(t, err);
}

static int delete (store_txn_t *t, const dns_rr_t *rr, size_t len)
{
	sqlite3_stmt *st = store_stmt(t->s, ST_RR_DELETE);
	if (!st)
		return RODNS_E_STORE;
	sqlite3_bind_int64(st, 1, t->zone);
	sqlite3_bind_blob(st, 2, t->key, (int)t->key_len, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, rr->type);
	sqlite3_bind_int(st, 4, rr->rclass);
	sqlite3_bind_blob(st, 5, t->rdata, (int)len, SQLITE_STATIC);
	int err = run(t, ST_RR_DELETE, st);
	if (err == RODNS_OK && sqlite3_changes(t->s->db) == 0)
		err = store_fail(t->s, RODNS_E_DIFF_NOMATCH, "deleted RR not present");
	if (err != RODNS_OK)
		return err;
	t->deleted++;
	t->rescan |= t->cleared; /* a group may have lost an RR: check all */
	if (rr->type == DNS_T_RRSIG) {
		dns_rrsig_t sig;
		err = dns_rrsig_parse(t->rdata, len, &sig);
		if (err == RODNS_OK)
			err = exp_flush(t);
		if (err == RODNS_OK)
			err = exp_apply(t, (int64_t)sig.expiration, t->key, t->key_len, -1);
		if (err == RODNS_OK)
			err = inc_note(t, sig.inception, -1);
	}
	return err == RODNS_OK ? touch(t) : err;
}

int store_txn_del(store_txn_t *t, const dns_rr_t *rr)
{
	if (t->err != RODNS_OK)
		return t->err;
	int err = batch_flush(t);
	if (err != RODNS_OK)
		return txn_fail(t, err);
	int n = prepare_rr(t, rr);
	if (n < 0)
		return txn_fail(t, n);
	err = delete (t, rr, (size_t)n);
	return err == RODNS_OK ? RODNS_OK : txn_fail(t, err);
}

/* 1 when other zones hold RRs, 0 when not, <0 on error. */
static int others_have_data(store_txn_t *t)
{
	sqlite3_stmt *st = store_stmt(t->s, ST_OTHER_DATA);
	if (!st)
		return RODNS_E_STORE;
	sqlite3_bind_int64(st, 1, t->zone);
	int rc = sqlite3_step(st);
	int r = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : store_sqlerr(t->s, rc);
	store_stmt_done(t->s, ST_OTHER_DATA, st);
	return r;
}

int store_txn_clear(store_txn_t *t)
{
	if (t->err != RODNS_OK)
		return t->err;
	/* The common case, one zone per file: DELETE without WHERE frees
	 * whole pages (SQLite's truncate optimization), ~0.3 s -> <0.1 s for 1M RRs. */
	int err = batch_flush(t);
	if (err != RODNS_OK)
		return txn_fail(t, err);
	int other = others_have_data(t);
	err = other < 0 ? other : run_zone(t, other ? ST_RR_CLEAR : ST_RR_CLEAR_ALL);
	if (err == RODNS_OK) {
		t->deleted += (uint64_t)sqlite3_changes64(t->s->db);
		err = run_zone(t, other ? ST_EXP_CLEAR : ST_EXP_CLEAR_ALL);
	}
	if (err == RODNS_OK)
		err = run_args(t, ST_INC_CLEAR, 0, 0, 0);
	if (err == RODNS_OK)
		err = run_args(t, ST_SIGS_CLEAR, 0, 0, 0);
	if (err == RODNS_OK)
		err = run_zone(t, ST_TOUCH_CLEAR);
	inc_reset(t);
	t->nexp = 0;
	t->arena_used = 0;
	t->key_touched = false;
	t->cleared = true;
	t->broken = false;
	t->rescan = false;
	t->grp.active = false;
	return err == RODNS_OK ? RODNS_OK : txn_fail(t, err);
}

/* Deletes the prunable RRSIGs (at the touched owners, or in the whole zone
 * after a clear and a deletion) and takes each out of the expiry index. */
static int prune(store_txn_t *t, uint64_t *pruned)
{
	enum store_stmt_id id = t->cleared && t->rescan ? ST_PRUNE_ZONE : ST_PRUNE_TOUCHED;
	int err = t->cleared && !t->rescan ? group_end(t) : RODNS_OK;
	if (err != RODNS_OK)
		return err;
	sqlite3_stmt *st = store_stmt(t->s, id);
	if (!st)
		return RODNS_E_STORE;
	sqlite3_bind_int64(st, 1, t->zone);
	int rc;
	/* SQLite deletes every row on the first step and hands out the
	 * RETURNING rows afterwards, so the expiry updates may interleave. */
	while (err == RODNS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const void *k = sqlite3_column_blob(st, 0);
		size_t kl = (size_t)sqlite3_column_bytes(st, 0);
		err = exp_apply(t, sqlite3_column_int64(st, 1), k, kl, -1);
		if (err == RODNS_OK)
			err = inc_note(t, (uint32_t)sqlite3_column_int64(st, 2), -1);
		(*pruned)++;
	}
	if (err == RODNS_OK && rc != SQLITE_DONE)
		err = store_sqlerr(t->s, rc);
	store_stmt_done(t->s, id, st);
	return err;
}

int store_txn_prune_rrsigs(store_txn_t *t, uint64_t *pruned)
{
	uint64_t n = 0;
	if (pruned)
		*pruned = 0;
	if (t->err != RODNS_OK)
		return t->err;
	int err = batch_flush(t);
	if (err == RODNS_OK)
		err = exp_flush(t);
	if (err == RODNS_OK)
		err = prune(t, &n);
	/* temp.touched stays: the validator reads it before the commit */
	if (err != RODNS_OK)
		return txn_fail(t, err);
	t->deleted += n;
	t->cleared = false;
	t->grp.active = false;
	t->key_touched = false;
	if (pruned)
		*pruned = n;
	return RODNS_OK;
}

uint64_t store_txn_added(store_txn_t *t)
{
	int err = t->err == RODNS_OK ? batch_flush(t) : RODNS_OK;
	if (err != RODNS_OK)
		txn_fail(t, err);
	return t->added;
}

uint64_t store_txn_deleted(store_txn_t *t)
{
	int err = t->err == RODNS_OK ? batch_flush(t) : RODNS_OK;
	if (err != RODNS_OK)
		txn_fail(t, err);
	return t->deleted;
}

int store_txn_commit(store_txn_t *t, const store_zone_t *meta)
{
	int err = store_txn_flush(t);
	if (err == RODNS_OK && meta)
		err = store_zone_write(t->s, t->zone, meta, true);
	if (err == RODNS_OK)
		err = store_exec(t->s, "COMMIT");
	store_txn_abort(t);
	return err;
}

int store_checkpoint(store_t *s)
{
	int log = -1, done = -1;
	int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	if (rc == SQLITE_BUSY)
		return 0;
	if (rc != SQLITE_OK)
		return store_sqlerr(s, rc);
	return log >= 0 && done >= log ? 1 : 0;
}

void store_txn_abort(store_txn_t *t)
{
	if (!t)
		return;
	store_t *s = t->s;
	sqlite3_finalize(t->batch_st);
	sqlite3_finalize(t->exp_st);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->txn = NULL;
	free(t);
}
