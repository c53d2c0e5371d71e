/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Zone metadata: the zones table. See store.h. */
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

int store_zone_row(store_t *s, sqlite3_stmt *st, store_zone_t *z)
{
	size_t used;
	const void *nm = sqlite3_column_blob(st, 1);
	int nl = sqlite3_column_bytes(st, 1);

	memset(z, 0, sizeof(*z));
	if (!nm || dns_name_from_wire(nm, (size_t)nl, &z->name, &used) != RODNS_OK ||
	    used != (size_t)nl)
		return store_fail(s, RODNS_E_STORE_CORRUPT, "bad zone name in zones table");
	z->id = sqlite3_column_int64(st, 0);
	z->serial = (uint32_t)sqlite3_column_int64(st, 2);
	z->state = sqlite3_column_int(st, 3);
	z->refresh = (uint32_t)sqlite3_column_int64(st, 4);
	z->retry = (uint32_t)sqlite3_column_int64(st, 5);
	z->expire = (uint32_t)sqlite3_column_int64(st, 6);
	z->minimum = (uint32_t)sqlite3_column_int64(st, 7);
	z->last_refresh = sqlite3_column_int64(st, 8);
	z->next_refresh = sqlite3_column_int64(st, 9);
	z->expire_at = sqlite3_column_int64(st, 10);
	z->last_xfr = sqlite3_column_int64(st, 11);
	const unsigned char *p = sqlite3_column_text(st, 12);
	if (p)
		snprintf(z->primary, sizeof(z->primary), "%s", (const char *)p);
	return RODNS_OK;
}

/* Zone names are stored lowercased, in wire form. */
static void bind_name(sqlite3_stmt *st, int col, const dns_name_t *name, dns_name_t *tmp)
{
	*tmp = *name;
	dns_name_lower(tmp);
	sqlite3_bind_blob(st, col, tmp->data, tmp->len, SQLITE_TRANSIENT);
}

int store_zone_get(store_t *s, const dns_name_t *name, store_zone_t *out)
{
	dns_name_t lc;
	sqlite3_stmt *st = store_stmt(s, ST_ZONE_BY_NAME);
	if (!st)
		return RODNS_E_STORE;
	bind_name(st, 1, name, &lc);
	int rc = sqlite3_step(st);
	int err;
	if (rc == SQLITE_ROW)
		err = store_zone_row(s, st, out);
	else if (rc == SQLITE_DONE)
		err = RODNS_E_NOTFOUND;
	else
		err = store_sqlerr(s, rc);
	store_stmt_done(s, ST_ZONE_BY_NAME, st);
	return err;
}

int store_zone_each(store_t *s, int (*cb)(void *arg, const store_zone_t *z), void *arg)
{
	store_zone_t z;
	sqlite3_stmt *st = store_stmt(s, ST_ZONE_EACH);
	if (!st)
		return RODNS_E_STORE;
	int rc, ret = RODNS_OK;
	while (ret == RODNS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = store_zone_row(s, st, &z);
		if (ret == RODNS_OK)
			ret = cb(arg, &z);
	}
	if (ret == RODNS_OK && rc != SQLITE_DONE)
		ret = store_sqlerr(s, rc);
	store_stmt_done(s, ST_ZONE_EACH, st);
	return ret;
}

int store_zone_ensure(store_t *s, store_zone_t *z)
{
	dns_name_t lc;
	if (s->flags & STORE_RDONLY)
		return store_fail(s, RODNS_E_STORE, "read-only store");
	sqlite3_stmt *st = store_stmt(s, ST_ZONE_INSERT);
	if (!st)
		return RODNS_E_STORE;
	bind_name(st, 1, &z->name, &lc);
	int err = store_stmt_run(s, st);
	store_stmt_done(s, ST_ZONE_INSERT, st);
	if (err != RODNS_OK)
		return err;
	store_zone_t cur;
	err = store_zone_get(s, &z->name, &cur);
	if (err == RODNS_OK)
		z->id = cur.id;
	return err;
}

/* Binds the metadata of z (not the serial) to ST_ZONE_UPDATE. */
static void bind_meta(sqlite3_stmt *st, int64_t id, const store_zone_t *z)
{
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, z->state);
	sqlite3_bind_int64(st, 3, z->refresh);
	sqlite3_bind_int64(st, 4, z->retry);
	sqlite3_bind_int64(st, 5, z->expire);
	sqlite3_bind_int64(st, 6, z->minimum);
	sqlite3_bind_int64(st, 7, z->last_refresh);
	sqlite3_bind_int64(st, 8, z->next_refresh);
	sqlite3_bind_int64(st, 9, z->expire_at);
	sqlite3_bind_int64(st, 10, z->last_xfr);
	sqlite3_bind_text(st, 11, z->primary, (int)strnlen(z->primary, sizeof(z->primary)),
			  SQLITE_TRANSIENT);
}

/* Writes z's metadata to zone id; with serial, the serial too. */
int store_zone_write(store_t *s, int64_t id, const store_zone_t *z, bool serial)
{
	sqlite3_stmt *st = store_stmt(s, ST_ZONE_UPDATE);
	if (!st)
		return RODNS_E_STORE;
	bind_meta(st, id, z);
	int err = store_stmt_run(s, st);
	store_stmt_done(s, ST_ZONE_UPDATE, st);
	if (err == RODNS_OK && sqlite3_changes(s->db) == 0)
		err = store_fail(s, RODNS_E_NOTFOUND, "no such zone");
	if (err != RODNS_OK || !serial)
		return err;
	st = store_stmt(s, ST_ZONE_SERIAL);
	if (!st)
		return RODNS_E_STORE;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, z->serial);
	err = store_stmt_run(s, st);
	store_stmt_done(s, ST_ZONE_SERIAL, st);
	return err;
}

int store_zone_update(store_t *s, const store_zone_t *z)
{
	int64_t id = z->id;
	if (s->flags & STORE_RDONLY)
		return store_fail(s, RODNS_E_STORE, "read-only store");
	if (id == 0) {
		store_zone_t cur;
		int err = store_zone_get(s, &z->name, &cur);
		if (err != RODNS_OK)
			return err;
		id = cur.id;
	}
	return store_zone_write(s, id, z, false);
}
