/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Schema, migrations and the "is this file ours" check. */
#include <stdio.h>

#include "store/store_int.h"

/* Page size of a new store: 16 KiB pages loaded 1M RRs ~1.6x faster than
 * 4 KiB ones (fewer splits, shallower trees) at equal lookup speed. */
#define STORE_PAGE_SIZE 16384

/* migrations[v] turns schema version v into v + 1, in one transaction that
 * also sets user_version. Version 1 is the first schema; an empty file
 * starts at 0. Append new steps; never edit a released one.
 *
 * rr: one row per RR, clustered on (zone, owner key, type, class, RDATA),
 * so an AXFR in canonical order appends, and an RRset, an owner or a
 * canonical-order neighbour is one B-tree descent. RDATA is canonical
 * (RFC 4034 §6.2), which also makes the row key canonical RDATA order.
 * The RRSIG columns are set for type 46 only; expiration and inception are
 * Unix seconds from the 32-bit RRSIG fields read in the 1970..2106 window.
 *
 * rrsig_exp: the expiry index. How many RRSIGs of a zone expire at a time
 * at an owner. An index on rr(zone, expiration) would copy each RRSIG's
 * whole row key (~170 octets) into an index filled in random order; this
 * narrow table, filled in sorted batches by txn.c, costs a fraction.
 *
 * rrsig_inc (version 2): how many RRSIGs of a zone have each inception, and
 * zones.rrsigs: how many RRSIGs the zone has. txn.c keeps both exact with
 * every add, delete, prune and clear, so "which signatures are not valid
 * yet" reads the few rows after now instead of every RRSIG of the zone. */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE zones (id INTEGER PRIMARY KEY, name BLOB NOT NULL UNIQUE,"
    " serial INTEGER NOT NULL DEFAULT 0, state INTEGER NOT NULL DEFAULT 0,"
    " refresh INTEGER NOT NULL DEFAULT 0, retry INTEGER NOT NULL DEFAULT 0,"
    " expire INTEGER NOT NULL DEFAULT 0, minimum INTEGER NOT NULL DEFAULT 0,"
    " last_refresh INTEGER NOT NULL DEFAULT 0, next_refresh INTEGER NOT NULL DEFAULT 0,"
    " expire_at INTEGER NOT NULL DEFAULT 0, last_xfr INTEGER NOT NULL DEFAULT 0,"
    " primary_addr TEXT NOT NULL DEFAULT '', gen INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE rr (zone INTEGER NOT NULL, okey BLOB NOT NULL, type INTEGER NOT NULL,"
    " class INTEGER NOT NULL, rdata BLOB NOT NULL, ttl INTEGER NOT NULL,"
    " covered INTEGER, alg INTEGER, labels INTEGER, keytag INTEGER, signer BLOB,"
    " inception INTEGER, expiration INTEGER, gen INTEGER,"
    " PRIMARY KEY (zone, okey, type, class, rdata)) WITHOUT ROWID;"
    "CREATE INDEX rr_nsec ON rr(zone, okey) WHERE type = 47;"
    "CREATE INDEX rr_nsec3 ON rr(zone, okey) WHERE type = 50;"
    "CREATE TABLE rrsig_exp (zone INTEGER NOT NULL, expiration INTEGER NOT NULL,"
    " okey BLOB NOT NULL, n INTEGER NOT NULL,"
    " PRIMARY KEY (zone, expiration, okey)) WITHOUT ROWID;",
    /* 1 -> 2: one pass over the existing RRSIGs */
    "CREATE TABLE rrsig_inc (zone INTEGER NOT NULL, inception INTEGER NOT NULL,"
    " n INTEGER NOT NULL, PRIMARY KEY (zone, inception)) WITHOUT ROWID;"
    "INSERT INTO rrsig_inc(zone, inception, n)"
    " SELECT zone, inception, count(*) FROM rr WHERE type = 46 GROUP BY zone, inception;"
    "ALTER TABLE zones ADD COLUMN rrsigs INTEGER NOT NULL DEFAULT 0;"
    "UPDATE zones SET rrsigs = coalesce((SELECT sum(n) FROM rrsig_inc"
    " WHERE rrsig_inc.zone = zones.id), 0);",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORE_SCHEMA_VERSION,
	       "one migration step per schema version");

/* Tables the current schema must have. */
#define SCHEMA_TABLES  "('zones', 'rr', 'rrsig_exp', 'rrsig_inc')"
#define SCHEMA_NTABLES 4

/* The first column of the first row of sql as an integer. */
static int query_int(store_t *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
	}
	int err = rc == SQLITE_OK ? RODNS_OK : store_sqlerr(s, rc);
	sqlite3_finalize(st);
	return err;
}

static int migrate_step(store_t *s, int v)
{
	char sql[160];
	int err = store_exec(s, "BEGIN IMMEDIATE");
	if (err != RODNS_OK)
		return err;
	err = store_exec(s, migrations[v]);
	if (err == RODNS_OK && v == 0) {
		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", STORE_APP_ID);
		err = store_exec(s, sql);
	}
	if (err == RODNS_OK) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		err = store_exec(s, sql);
	}
	if (err == RODNS_OK)
		err = store_exec(s, "COMMIT");
	if (err != RODNS_OK)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

static int migrate(store_t *s, int64_t from)
{
	int err = RODNS_OK;
	if (s->flags & STORE_RDONLY)
		return store_fail(s, RODNS_E_STORE, "store schema needs a migration by the writer");
	if (from == 0) {
		char sql[64];
		snprintf(sql, sizeof(sql), "PRAGMA page_size = %d", STORE_PAGE_SIZE);
		err = store_exec(s, sql);
	}
	for (int v = (int)from; err == RODNS_OK && v < STORE_SCHEMA_VERSION; v++)
		err = migrate_step(s, v);
	return err;
}

/* Our file with version ver: refuse newer, migrate older, check tables. */
static int open_ours(store_t *s, int64_t ver)
{
	int64_t n = 0;
	if (ver > STORE_SCHEMA_VERSION)
		return store_fail(s, RODNS_E_STORE_NEWER, "store schema is from a newer rodns");
	int err = ver < STORE_SCHEMA_VERSION ? migrate(s, ver) : RODNS_OK;
	if (err == RODNS_OK)
		err = query_int(s,
				"SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
				" AND name IN " SCHEMA_TABLES,
				&n);
	if (err == RODNS_OK && n != SCHEMA_NTABLES)
		err = store_fail(s, RODNS_E_STORE_FOREIGN, "rodns store lacks its tables");
	return err;
}

int store_schema_open(store_t *s, bool create)
{
	int64_t app = 0, ver = 0, objs = 0;
	/* Reading the header first: a file of random bytes fails here with
	 * SQLITE_NOTADB, before anything could be written. */
	int err = query_int(s, "SELECT count(*) FROM sqlite_schema", &objs);
	if (err == RODNS_OK)
		err = query_int(s, "PRAGMA application_id", &app);
	if (err == RODNS_OK)
		err = query_int(s, "PRAGMA user_version", &ver);
	if (err != RODNS_OK)
		return err;
	if (app == STORE_APP_ID)
		return open_ours(s, ver);
	if (app != 0 || objs != 0 || ver != 0)
		return store_fail(s, RODNS_E_STORE_FOREIGN, "SQLite file is not a rodns store");
	if (!create || (s->flags & STORE_RDONLY))
		return store_fail(s, RODNS_E_STORE_FOREIGN, "empty database, not a rodns store");
	return open_ours(s, 0);
}
