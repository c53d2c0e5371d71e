/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The store connection: open, tuning, errors, the statement cache, zone
 * metadata. See store.h. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store_int.h"

/* Shared by lookups: one row of zones. */
#define ZONE_COLS                                                                                  \
	"id, name, serial, state, refresh, retry, expire, minimum, last_refresh, next_refresh, "   \
	"expire_at, last_xfr, primary_addr FROM zones"

/* A superseded RRSIG (same owner, covered type, key and signer, later
 * inception elsewhere — or the same inception but stored by a later
 * transfer: a signer that re-signs twice within one second gives both
 * signatures one inception, and the later transfer carries the newer one)
 * or one whose covered RRset is gone. Each deleted row's owner key,
 * expiration and inception come back for rrsig_exp and rrsig_inc. */
#define PRUNE_COND                                                                                 \
	" AND (NOT EXISTS (SELECT 1 FROM rr AS c WHERE c.zone = rr.zone AND c.okey = rr.okey"      \
	" AND c.type = rr.covered) OR EXISTS (SELECT 1 FROM rr AS n WHERE n.zone = rr.zone"        \
	" AND n.okey = rr.okey AND n.type = 46 AND n.covered = rr.covered AND n.alg = rr.alg"      \
	" AND n.keytag = rr.keytag AND n.signer = rr.signer AND (n.inception > rr.inception"     \
	" OR (n.inception = rr.inception AND n.gen > rr.gen))))"                                   \
	" RETURNING okey, expiration, inception"

/* "type = +?N": the unary plus keeps SQLite from comparing the bound type
 * with the partial indexes' "type = 47" terms, which would mark the
 * statement for a re-prepare on every new binding (halves lookup speed). */
static const char *const stmt_sql[ST__COUNT] = {
    [ST_ZONE_BY_NAME] = "SELECT " ZONE_COLS " WHERE name = ?1",
    [ST_ZONE_BY_ID] = "SELECT " ZONE_COLS " WHERE id = ?1",
    [ST_ZONE_EACH] = "SELECT " ZONE_COLS " ORDER BY id",
    [ST_ZONE_INSERT] = "INSERT OR IGNORE INTO zones(name) VALUES (?1)",
    [ST_ZONE_UPDATE] = "UPDATE zones SET state = ?2, refresh = ?3, retry = ?4, expire = ?5,"
		       " minimum = ?6, last_refresh = ?7, next_refresh = ?8, expire_at = ?9,"
		       " last_xfr = ?10, primary_addr = ?11 WHERE id = ?1",
    [ST_ZONE_SERIAL] = "UPDATE zones SET serial = ?2 WHERE id = ?1",
    [ST_ZONE_GEN] = "UPDATE zones SET gen = gen + 1 WHERE id = ?1 RETURNING gen",
    [ST_RR_INSERT] = "INSERT INTO rr(zone, okey, type, class, rdata, ttl)"
		     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_RR_INSERT_IGN] = "INSERT OR IGNORE INTO rr(zone, okey, type, class, rdata, ttl)"
			 " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_SIG_INSERT] = "INSERT INTO rr(zone, okey, type, class, rdata, ttl, covered, alg,"
		      " labels, keytag, signer, inception, expiration, gen)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    [ST_SIG_INSERT_IGN] = "INSERT OR IGNORE INTO rr(zone, okey, type, class, rdata, ttl,"
			  " covered, alg, labels, keytag, signer, inception, expiration, gen)"
			  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    [ST_RR_DELETE] = "DELETE FROM rr WHERE zone = ?1 AND okey = ?2 AND type = +?3"
		     " AND class = ?4 AND rdata = ?5",
    [ST_RR_CLEAR] = "DELETE FROM rr WHERE zone = ?1",
    [ST_EXP_CLEAR] = "DELETE FROM rrsig_exp WHERE zone = ?1",
    [ST_OTHER_DATA] = "SELECT 1 FROM rr WHERE zone < ?1 OR zone > ?1 LIMIT 1",
    [ST_RR_CLEAR_ALL] = "DELETE FROM rr",
    [ST_EXP_CLEAR_ALL] = "DELETE FROM rrsig_exp",
    [ST_EXP_ADD] = "INSERT INTO rrsig_exp(zone, expiration, okey, n) VALUES (?1, ?2, ?3, ?4)"
		   " ON CONFLICT(zone, expiration, okey) DO UPDATE SET n = n + excluded.n",
    [ST_EXP_DEC] = "UPDATE rrsig_exp SET n = n - 1"
		   " WHERE zone = ?1 AND expiration = ?2 AND okey = ?3",
    [ST_EXP_DROP] = "DELETE FROM rrsig_exp"
		    " WHERE zone = ?1 AND expiration = ?2 AND okey = ?3 AND n <= 0",
    [ST_TOUCH] = "INSERT OR IGNORE INTO temp.touched(okey) VALUES (?1)",
    [ST_TOUCH_CLEAR] = "DELETE FROM temp.touched",
    [ST_OWNER_ROWS] = "SELECT count(*) FROM rr WHERE zone = ?1 AND okey = ?2",
    [ST_PRUNE_ZONE] = "DELETE FROM rr WHERE zone = ?1 AND type = 46" PRUNE_COND,
    [ST_PRUNE_TOUCHED] = "DELETE FROM rr WHERE zone = ?1 AND okey IN"
			 " (SELECT okey FROM temp.touched) AND type = 46" PRUNE_COND,
    [ST_INC_ADD] = "INSERT INTO rrsig_inc(zone, inception, n) VALUES (?1, ?2, ?3)"
		   " ON CONFLICT(zone, inception) DO UPDATE SET n = n + excluded.n",
    [ST_INC_DROP] = "DELETE FROM rrsig_inc WHERE zone = ?1 AND inception = ?2 AND n <= 0",
    [ST_INC_CLEAR] = "DELETE FROM rrsig_inc WHERE zone = ?1",
    [ST_SIGS_ADD] = "UPDATE zones SET rrsigs = rrsigs + ?2 WHERE id = ?1",
    [ST_SIGS_CLEAR] = "UPDATE zones SET rrsigs = 0 WHERE id = ?1",
    [ST_RRSET] =
	"SELECT type, class, ttl, rdata FROM rr WHERE zone = ?1 AND okey = ?2 AND type = +?3"
	" AND class = 1 ORDER BY rdata",
    [ST_RRSIG_ALL] =
	"SELECT type, class, ttl, rdata FROM rr WHERE zone = ?1 AND okey = ?2 AND type = 46"
	" AND class = 1 ORDER BY rdata",
    [ST_RRSIG_COVERED] = "SELECT type, class, ttl, rdata FROM rr WHERE zone = ?1 AND okey = ?2"
			 " AND type = 46 AND class = 1 AND covered = ?3 ORDER BY rdata",
    [ST_OWNER] = "SELECT type, class, ttl, rdata FROM rr WHERE zone = ?1 AND okey = ?2"
		 " ORDER BY type, class, rdata",
    [ST_NAME_RANGE] = "SELECT 1 FROM rr WHERE zone = ?1 AND okey >= ?2 AND okey < ?3 LIMIT 1",
    [ST_KEY_LE] = "SELECT okey FROM rr WHERE zone = ?1 AND okey <= ?2"
		  " ORDER BY okey DESC LIMIT 1",
    [ST_KEY_GT] = "SELECT okey FROM rr WHERE zone = ?1 AND okey > ?2 ORDER BY okey LIMIT 1",
    [ST_NSEC_LE] = "SELECT okey FROM rr WHERE zone = ?1 AND type = 47 AND okey <= ?2"
		   " ORDER BY okey DESC LIMIT 1",
    [ST_NSEC_LAST] = "SELECT okey FROM rr WHERE zone = ?1 AND type = 47"
		     " ORDER BY okey DESC LIMIT 1",
    [ST_NSEC3_LE] = "SELECT okey FROM rr WHERE zone = ?1 AND type = 50 AND okey <= ?2"
		    " ORDER BY okey DESC LIMIT 1",
    [ST_NSEC3_LAST] = "SELECT okey FROM rr WHERE zone = ?1 AND type = 50"
		      " ORDER BY okey DESC LIMIT 1",
    [ST_HAS_NS] = "SELECT 1 FROM rr WHERE zone = ?1 AND okey = ?2 AND type = 2 LIMIT 1",
    [ST_ITER] = "SELECT okey, type, class, ttl, rdata FROM rr WHERE zone = ?1"
		" ORDER BY okey, type, class, rdata",
    [ST_COUNT] = "SELECT count(*) FROM rr WHERE zone = ?1",
    [ST_EXP_FIRST] = "SELECT expiration, okey FROM rrsig_exp WHERE zone = ?1"
		     " ORDER BY expiration, okey LIMIT 1",
    [ST_EXP_SIG] = "SELECT class, ttl, rdata FROM rr WHERE zone = ?1 AND okey = ?2"
		   " AND type = 46 AND expiration = ?3 LIMIT 1",
    [ST_EXP_BEFORE] = "SELECT coalesce(sum(n), 0) FROM rrsig_exp"
		      " WHERE zone = ?1 AND expiration < ?2",
    [ST_READ_FIRST] = "SELECT id FROM zones LIMIT 1",
    [ST_BEGIN] = "BEGIN",
    [ST_COMMIT] = "COMMIT",
};

int store_map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return RODNS_OK;
	case SQLITE_FULL:
		return RODNS_E_STORE_FULL;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return RODNS_E_STORE_CORRUPT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return RODNS_E_STORE_BUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	default:
		return RODNS_E_STORE;
	}
}

int store_fail(store_t *s, int err, const char *msg)
{
	snprintf(s->err, sizeof(s->err), "%s", msg);
	return err;
}

int store_sqlerr(store_t *s, int rc)
{
	const char *m = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	snprintf(s->err, sizeof(s->err), "%s", m);
	int err = store_map_rc(rc);
	return err == RODNS_OK ? RODNS_E_STORE : err;
}

const char *store_errmsg(const store_t *s)
{
	if (!s)
		return "no store";
	return s->err[0] ? s->err : "no error";
}

sqlite3_stmt *store_stmt(store_t *s, enum store_stmt_id id)
{
	sqlite3_stmt *st = s->stmt[id];
	if (st && !sqlite3_stmt_busy(st))
		return st;
	sqlite3_stmt *fresh = NULL;
	int rc = sqlite3_prepare_v3(s->db, stmt_sql[id], -1, st ? 0 : SQLITE_PREPARE_PERSISTENT,
				    &fresh, NULL);
	if (rc != SQLITE_OK) {
		store_sqlerr(s, rc);
		return NULL;
	}
	if (!st)
		s->stmt[id] = fresh;
	return fresh;
}

void store_stmt_done(store_t *s, enum store_stmt_id id, sqlite3_stmt *st)
{
	if (!st)
		return;
	if (st == s->stmt[id])
		sqlite3_reset(st);
	else
		sqlite3_finalize(st);
}

int store_stmt_run(store_t *s, sqlite3_stmt *st)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, rc);
	return RODNS_OK;
}

int store_exec(store_t *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? RODNS_OK : store_sqlerr(s, rc);
}

void store_key_succ(const uint8_t *key, size_t len, uint8_t *hi, size_t *hilen)
{
	if (len == 0) {
		/* The root: every key is below it; no key is this long. */
		memset(hi, 0xff, DNS_KEY_MAX + 1);
		*hilen = DNS_KEY_MAX + 1;
		return;
	}
	/* Keys end with the label terminator 0x00, so bumping it bounds the
	 * prefix range exactly. */
	memcpy(hi, key, len);
	hi[len - 1]++;
	*hilen = len;
}

static int open_db(store_t *s, const char *path, int flags)
{
	struct stat sb;
	bool rdonly = flags & STORE_RDONLY;

	if ((rdonly || !(flags & STORE_CREATE)) && stat(path, &sb) != 0)
		return store_fail(s, -errno, "store file missing");
	int oflags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_PRIVATECACHE;
	oflags |= rdonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (!rdonly && (flags & STORE_CREATE))
		oflags |= SQLITE_OPEN_CREATE;
	int rc = sqlite3_open_v2(path, &s->db, oflags, NULL);
	if (rc != SQLITE_OK)
		return store_sqlerr(s, rc);
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, rdonly ? 1000 : 5000);
	return RODNS_OK;
}

/* Pragmas measured with tests/bench/bench_store. The writer: 32 MiB of
 * page cache and no mmap, so its RSS stays flat however large the zone
 * (mapped pages that a reload's clear() touches count as RSS); synchronous
 * NORMAL is crash-safe in WAL mode (a power cut may lose the last commit,
 * never corrupt). Readers: no mmap either, and 16 MiB of page cache each:
 * the interior pages of the B-trees stay cached (5.8 MiB for 1M names),
 * leaves come from the kernel's page cache by pread. Mapped pages count in
 * RSS once per connection that touched them: with a 1 GiB mmap two workers
 * on a 700 MB store showed 1350 MB RSS, without it 60 MB; the price is
 * ~1.5 us of pread per answer (in-process: 4.2 -> 5.7 us plain, 5.1 ->
 * 6.7 us DO). Caches of 8 to 128 MiB per reader measured the same. */
static int tune(store_t *s)
{
	if (s->flags & STORE_RDONLY)
		return store_exec(s, "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384;"
				     " PRAGMA mmap_size = 0");
	/* no automatic checkpoint: it would run inside the COMMIT of a large
	 * transfer (copying the whole WAL before the commit returns); the
	 * writer calls store_checkpoint() once the new serial is being served */
	return store_exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
			     " PRAGMA wal_autocheckpoint = 0;"
			     " PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32768;"
			     " PRAGMA mmap_size = 0; PRAGMA journal_size_limit = 67108864;"
			     " CREATE TEMP TABLE IF NOT EXISTS touched"
			     " (okey BLOB PRIMARY KEY) WITHOUT ROWID");
}

/* SQLite's allocation statistics take a global mutex on every malloc; the
 * store never reads them. Only possible before SQLite initializes, hence
 * once, first thing; a later failure (already initialized) is harmless. */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(const char *path, int flags, store_t **out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_setup);
	*out = NULL;
	store_t *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->flags = flags;
	int rc = open_db(s, path, flags);
	/* The writer reads the whole file once (0.17 s per million RRs), so a
	 * damaged store is refused at start rather than found by a query. */
	if (rc == RODNS_OK && !(flags & STORE_RDONLY))
		rc = store_check(s);
	if (rc == RODNS_OK)
		rc = store_schema_open(s, flags & STORE_CREATE);
	if (rc == RODNS_OK)
		rc = tune(s);
	if (rc != RODNS_OK) {
		store_close(s);
		return rc;
	}
	*out = s;
	return RODNS_OK;
}

void store_close(store_t *s)
{
	if (!s)
		return;
	store_txn_abort(s->txn);
	if (s->in_read)
		store_read_end(s);
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	sqlite3_close_v2(s->db);
	free(s);
}

int store_set_max_pages(store_t *s, uint32_t pages)
{
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %u", pages ? pages : 0xfffffffeu);
	return store_exec(s, sql);
}

int store_check(store_t *s)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sqlerr(s, rc);
	rc = sqlite3_step(st);
	int err = RODNS_OK;
	if (rc == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0);
		if (!r || strcmp(r, "ok") != 0)
			err = store_fail(s, RODNS_E_STORE_CORRUPT, r ? r : "quick_check failed");
	} else {
		err = store_sqlerr(s, rc);
	}
	sqlite3_finalize(st);
	return err;
}
