/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The owners a write transaction touched (temp.touched). See store.h.
 *
 * txn.c records an owner there when it deletes an RR at it or adds an RRSIG
 * at it (after store_txn_clear, only owners whose RRSIGs need pruning), and
 * store_txn_prune_rrsigs empties the table once it has used it. This file
 * only reads the table; it has its own statement because the statement
 * cache (store_int.h) belongs to store.c. */
#include <errno.h>

#include "store/store_int.h"

int store_txn_touched(store_t *s, const store_txn_t *t, store_name_cb cb, void *arg)
{
	if (!t || s->txn != t)
		return store_fail(s, -EINVAL, "no such open transaction");
	sqlite3_stmt *st = NULL;
	int rc =
	    sqlite3_prepare_v2(s->db, "SELECT okey FROM temp.touched ORDER BY okey", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sqlerr(s, rc);
	int ret = RODNS_OK;
	dns_name_t owner;
	while (ret == RODNS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t kl = (size_t)sqlite3_column_bytes(st, 0);
		const uint8_t *k = sqlite3_column_blob(st, 0);
		if (kl > DNS_KEY_MAX || dns_name_from_key(k, kl, &owner) != RODNS_OK)
			ret = store_fail(s, RODNS_E_STORE_CORRUPT, "bad owner key in temp.touched");
		else
			ret = cb(arg, &owner);
	}
	if (ret == RODNS_OK && rc != SQLITE_DONE)
		ret = store_sqlerr(s, rc);
	sqlite3_finalize(st);
	return ret;
}
