/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Private to store/: the connection, the statement cache, the schema. */
#ifndef RODNS_STORE_STORE_INT_H
#define RODNS_STORE_STORE_INT_H

#include <sqlite3.h>

#include "dns/err.h"
#include "store/store.h"

/* PRAGMA application_id of a rodns store: "rdns". */
#define STORE_APP_ID 0x72646e73

/* Every statement the store runs more than once, prepared on first use and
 * kept for the life of the connection. */
enum store_stmt_id {
	ST_ZONE_BY_NAME,
	ST_ZONE_BY_ID,
	ST_ZONE_EACH,
	ST_ZONE_INSERT,
	ST_ZONE_UPDATE,
	ST_ZONE_SERIAL,
	ST_RR_INSERT,
	ST_RR_INSERT_IGN,
	ST_SIG_INSERT,
	ST_SIG_INSERT_IGN,
	ST_RR_DELETE,
	ST_RR_CLEAR,
	ST_EXP_CLEAR,
	ST_OTHER_DATA,
	ST_RR_CLEAR_ALL,
	ST_EXP_CLEAR_ALL,
	ST_EXP_ADD,
	ST_EXP_DEC,
	ST_EXP_DROP,
	ST_TOUCH,
	ST_ZONE_GEN,
	ST_TOUCH_CLEAR,
	ST_OWNER_ROWS,
	ST_PRUNE_ZONE,
	ST_PRUNE_TOUCHED,
	ST_INC_ADD,
	ST_INC_DROP,
	ST_INC_CLEAR,
	ST_SIGS_ADD,
	ST_SIGS_CLEAR,
	ST_RRSET,
	ST_RRSIG_ALL,
	ST_RRSIG_COVERED,
	ST_OWNER,
	ST_NAME_RANGE,
	ST_KEY_LE,
	ST_KEY_GT,
	ST_NSEC_LE,
	ST_NSEC_LAST,
	ST_NSEC3_LE,
	ST_NSEC3_LAST,
	ST_HAS_NS,
	ST_ITER,
	ST_COUNT,
	ST_EXP_FIRST,
	ST_EXP_SIG,
	ST_EXP_BEFORE,
	ST_READ_FIRST,
	ST_BEGIN,
	ST_COMMIT,
	ST__COUNT
};

struct store {
	sqlite3 *db;
	int flags;
	bool in_read;	  /* store_read_begin() is open */
	store_txn_t *txn; /* the open write transaction, if any */
	sqlite3_stmt *stmt[ST__COUNT];
	char err[256]; /* store-side error text when SQLite has none */
};

/* Maps a SQLite result code to a rodns error (FULL, CORRUPT, BUSY ...). */
int store_map_rc(int rc);
/* Records a store-side error message and returns err. */
int store_fail(store_t *s, int err, const char *msg);
/* Records the SQLite error of the connection and returns the mapped rc. */
int store_sqlerr(store_t *s, int rc);

/* The cached statement id, reset and ready to bind. When a callback re-enters
 * the store while that statement is still stepping, a private copy is
 * prepared instead; store_stmt_done() finalizes it. NULL on error. */
sqlite3_stmt *store_stmt(store_t *s, enum store_stmt_id id);
void store_stmt_done(store_t *s, enum store_stmt_id id, sqlite3_stmt *st);
/* Runs a statement that returns no rows (or whose rows are ignored). */
int store_stmt_run(store_t *s, sqlite3_stmt *st);
/* Runs SQL text once (pragmas, schema). */
int store_exec(store_t *s, const char *sql);

/* schema.c: checks the file is ours (or empty), creates or migrates it.
 * Changes nothing unless the file is ours or empty and writable. */
int store_schema_open(store_t *s, bool create);

/* zone.c: fills z from a row of the zones columns (ZONE_COLS order). */
int store_zone_row(store_t *s, sqlite3_stmt *st, store_zone_t *z);
/* zone.c: writes z's metadata to zone id; with serial, the serial too. */
int store_zone_write(store_t *s, int64_t id, const store_zone_t *z, bool serial);

/* txn.c: writes the buffered expiry rows of the open transaction (a failed
 * transaction: its error, and nothing written). */
int store_txn_flush(store_txn_t *t);

/* The upper bound of key's prefix range: every key that has key as a
 * prefix is >= key and < hi. hi needs DNS_KEY_MAX + 1 octets; for the root
 * (the empty key) it is that many 0xff octets, above every key. */
void store_key_succ(const uint8_t *key, size_t len, uint8_t *hi, size_t *hilen);

#endif
