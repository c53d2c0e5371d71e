/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for store/: schema and bad files, zone metadata, write
 * transactions and their diff errors, RRSIG pruning, lookups, expiry
 * questions, snapshots and the reader-consistency thread test. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/check_bounds.h"
#include "dns/err.h"
#include "store/store.h"

Suite *store_suite(void);

/* ---- helpers ------------------------------------------------------------ */

typedef struct {
	uint8_t b[600];
	size_t n;
} rd_t;

typedef struct {
	char dir[64];
	char path[128];
} tmp_t;

static dns_name_t nm(const char *s)
{
	dns_name_t n;
	ck_assert_int_eq(dns_name_from_text(s, NULL, &n), RODNS_OK);
	return n;
}

static void put(rd_t *r, const void *p, size_t n)
{
	ck_assert_uint_le(r->n + n, sizeof(r->b));
	memcpy(r->b + r->n, p, n);
	r->n += n;
}

static void put16(rd_t *r, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	put(r, b, 2);
}

static void put32(rd_t *r, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	put(r, b, 4);
}

static void put_name(rd_t *r, const char *s)
{
	dns_name_t n = nm(s);
	put(r, n.data, n.len);
}

static rd_t A(uint8_t last)
{
	rd_t r = {.n = 0};
	uint8_t a[4] = {192, 0, 2, last};
	put(&r, a, 4);
	return r;
}

static rd_t NAME(const char *target)
{
	rd_t r = {.n = 0};
	put_name(&r, target);
	return r;
}

static rd_t TXT(const char *s)
{
	rd_t r = {.n = 0};
	uint8_t l = (uint8_t)strlen(s);
	put(&r, &l, 1);
	put(&r, s, l);
	return r;
}

static rd_t SOA(uint32_t serial)
{
	rd_t r = {.n = 0};
	put_name(&r, "ns1.example.test.");
	put_name(&r, "hostmaster.example.test.");
	put32(&r, serial);
	put32(&r, 3600);
	put32(&r, 900);
	put32(&r, 604800);
	put32(&r, 300);
	return r;
}

static rd_t SIG_BY(uint16_t covered, uint8_t alg, uint16_t tag, uint32_t inc, uint32_t exp,
		   const char *signer)
{
	rd_t r = {.n = 0};
	uint8_t b[4] = {alg, 2, 0, 0};
	put16(&r, covered);
	put(&r, b, 2);
	put32(&r, 3600);
	put32(&r, exp);
	put32(&r, inc);
	put16(&r, tag);
	put_name(&r, signer);
	for (int i = 0; i < 64; i++)
		b[0] = (uint8_t)(inc + exp + i), put(&r, b, 1);
	return r;
}

static rd_t SIG(uint16_t covered, uint8_t alg, uint16_t tag, uint32_t inc, uint32_t exp)
{
	return SIG_BY(covered, alg, tag, inc, exp, "example.test.");
}

/* NSEC (or, with hash, NSEC3) RDATA with a window-0 bitmap of types. */
static void put_bitmap(rd_t *r, const uint16_t *types, int nt)
{
	uint8_t bm[34] = {0};
	int maxb = 0;
	for (int i = 0; i < nt; i++) {
		bm[2 + types[i] / 8] |= (uint8_t)(0x80 >> (types[i] % 8));
		maxb = types[i] / 8 > maxb ? types[i] / 8 : maxb;
	}
	bm[1] = (uint8_t)(maxb + 1);
	put(r, bm, (size_t)maxb + 3);
}

static rd_t NSEC(const char *next)
{
	static const uint16_t types[] = {DNS_T_A, DNS_T_RRSIG, DNS_T_NSEC};
	rd_t r = {.n = 0};
	put_name(&r, next);
	put_bitmap(&r, types, 3);
	return r;
}

static rd_t NSEC3(uint8_t fill)
{
	static const uint16_t types[] = {DNS_T_A, DNS_T_RRSIG};
	rd_t r = {.n = 0};
	uint8_t hdr[6] = {1, 0, 0, 0, 0, 20};
	put(&r, hdr, 6);
	for (int i = 0; i < 20; i++)
		put(&r, &fill, 1);
	put_bitmap(&r, types, 2);
	return r;
}

static dns_rr_t mkrr(const char *owner, uint16_t type, const rd_t *rd, uint32_t ttl)
{
	dns_rr_t rr = {.owner = nm(owner), .type = type, .rclass = DNS_C_IN, .ttl = ttl};
	rr.rdata = rd->b;
	rr.rdlen = (uint16_t)rd->n;
	return rr;
}

static int add(store_txn_t *t, const char *owner, uint16_t type, rd_t rd, bool strict)
{
	dns_rr_t rr = mkrr(owner, type, &rd, 3600);
	return store_txn_add(t, &rr, strict);
}

static int del(store_txn_t *t, const char *owner, uint16_t type, rd_t rd)
{
	dns_rr_t rr = mkrr(owner, type, &rd, 3600);
	return store_txn_del(t, &rr);
}

static void tmp_make(tmp_t *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/rodns_store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/store.db", t->dir);
}

static void tmp_rm(tmp_t *t)
{
	char p[160];
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", t->path, sfx[i]);
		unlink(p);
	}
	ck_assert_int_eq(rmdir(t->dir), 0);
}

static store_t *open_rw(const char *path)
{
	store_t *s = NULL;
	int err = store_open(path, STORE_CREATE, &s);
	ck_assert_msg(err == RODNS_OK, "store_open: %s", rodns_strerror(err));
	return s;
}

static store_t *open_ro(const char *path)
{
	store_t *s = NULL;
	ck_assert_int_eq(store_open(path, STORE_RDONLY, &s), RODNS_OK);
	return s;
}

static int64_t zone_new(store_t *s, const char *apex)
{
	store_zone_t z = {.name = nm(apex)};
	ck_assert_int_eq(store_zone_ensure(s, &z), RODNS_OK);
	ck_assert_int_gt(z.id, 0);
	return z.id;
}

static store_txn_t *begin(store_t *s, int64_t zone)
{
	store_txn_t *t = NULL;
	int err = store_txn_begin(s, zone, &t);
	ck_assert_msg(err == RODNS_OK, "begin: %s (%s)", rodns_strerror(err), store_errmsg(s));
	return t;
}

static int commit(store_t *s, store_txn_t *t, const char *apex, uint32_t serial)
{
	dns_name_t a = nm(apex);
	store_zone_t z;
	ck_assert_int_eq(store_zone_get(s, &a, &z), RODNS_OK);
	z.serial = serial;
	z.state = STORE_ZONE_OK;
	return store_txn_commit(t, &z);
}

/* Collects RRs as presentation lines. */
typedef struct {
	char *buf;
	size_t len, cap;
	int n;
	int stop_at; /* return 99 on this RR (1-based); 0: never */
} text_t;

static int text_cb(void *arg, const dns_rr_t *rr)
{
	text_t *t = arg;
	char line[4096];
	int n = dns_rr_to_text(rr, line, sizeof(line));
	ck_assert_int_ge(n, 0);
	if (t->len + (size_t)n + 2 > t->cap) {
		t->cap = (t->cap + (size_t)n + 2) * 2;
		t->buf = realloc(t->buf, t->cap);
		ck_assert_ptr_nonnull(t->buf);
	}
	memcpy(t->buf + t->len, line, (size_t)n);
	t->len += (size_t)n;
	t->buf[t->len++] = '\n';
	t->buf[t->len] = 0;
	return ++t->n == t->stop_at ? 99 : 0;
}

static char *dump(store_t *s, int64_t zone)
{
	text_t t = {0};
	ck_assert_int_eq(store_zone_iter(s, zone, text_cb, &t), RODNS_OK);
	return t.buf ? t.buf : strdup("");
}

static int count_cb(void *arg, const dns_rr_t *rr)
{
	(void)rr;
	(*(int *)arg)++;
	return 0;
}

/* RRs of one RRset (RODNS_E_NOTFOUND: -1). */
static int rrset_n(store_t *s, int64_t zone, const char *owner, uint16_t type, uint16_t covered)
{
	int n = 0;
	dns_name_t o = nm(owner);
	int err = store_rrset(s, zone, &o, type, covered, count_cb, &n);
	if (err == RODNS_E_NOTFOUND)
		return -1;
	ck_assert_int_eq(err, RODNS_OK);
	return n;
}

static uint64_t zcount(store_t *s, int64_t zone)
{
	uint64_t n = 0;
	ck_assert_int_eq(store_zone_count(s, zone, &n), RODNS_OK);
	return n;
}

static uint32_t serial_of(store_t *s, const char *apex)
{
	dns_name_t a = nm(apex);
	store_zone_t z;
	ck_assert_int_eq(store_zone_get(s, &a, &z), RODNS_OK);
	return z.serial;
}

#define T0 1700000000u
#define X0 1800000000u

/* example.test: 24 RRs with an ENT (c), a delegation (sub) with glue and
 * an occluded cut below it (deeper.sub), and an NSEC chain. */
#define EXAMPLE_RRS 24
static void load_example(store_t *s, int64_t zone)
{
	store_txn_t *t = begin(s, zone);
	ck_assert_int_eq(store_txn_clear(t), RODNS_OK);
	const char *ap = "example.test.", *a = "a.example.test.", *bc = "b.c.example.test.";
	const char *z = "z.example.test.", *sub = "sub.example.test.";
	ck_assert_int_eq(add(t, ap, DNS_T_SOA, SOA(1), false), RODNS_OK);
	ck_assert_int_eq(add(t, ap, DNS_T_NS, NAME("ns1.example.test."), false), RODNS_OK);
	ck_assert_int_eq(add(t, ap, DNS_T_RRSIG, SIG(DNS_T_SOA, 13, 1, T0, X0 + 50), false), 0);
	ck_assert_int_eq(add(t, ap, DNS_T_RRSIG, SIG(DNS_T_NS, 13, 1, T0, X0 + 60), false), 0);
	ck_assert_int_eq(add(t, ap, DNS_T_RRSIG, SIG(DNS_T_NSEC, 13, 1, T0, X0 + 70), false), 0);
	ck_assert_int_eq(add(t, ap, DNS_T_NSEC, NSEC(a), false), RODNS_OK);
	ck_assert_int_eq(add(t, a, DNS_T_A, A(2), false), RODNS_OK);
	ck_assert_int_eq(add(t, a, DNS_T_A, A(1), false), RODNS_OK);
	ck_assert_int_eq(add(t, a, DNS_T_RRSIG, SIG(DNS_T_A, 13, 1, T0, X0 + 10), false), 0);
	ck_assert_int_eq(add(t, a, DNS_T_RRSIG, SIG(DNS_T_NSEC, 13, 1, T0, X0 + 80), false), 0);
	ck_assert_int_eq(add(t, a, DNS_T_NSEC, NSEC(bc), false), RODNS_OK);
	ck_assert_int_eq(add(t, bc, DNS_T_TXT, TXT("hello"), false), RODNS_OK);
	ck_assert_int_eq(add(t, bc, DNS_T_RRSIG, SIG(DNS_T_TXT, 13, 1, T0, X0 + 20), false), 0);
	ck_assert_int_eq(add(t, bc, DNS_T_RRSIG, SIG(DNS_T_NSEC, 13, 1, T0, X0 + 90), false), 0);
	ck_assert_int_eq(add(t, bc, DNS_T_NSEC, NSEC(sub), false), RODNS_OK);
	ck_assert_int_eq(add(t, sub, DNS_T_NS, NAME("ns.sub.example.test."), false), RODNS_OK);
	ck_assert_int_eq(add(t, sub, DNS_T_RRSIG, SIG(DNS_T_NSEC, 13, 1, T0, X0 + 100), false), 0);
	ck_assert_int_eq(add(t, sub, DNS_T_NSEC, NSEC(z), false), RODNS_OK);
	ck_assert_int_eq(add(t, "ns.sub.example.test.", DNS_T_A, A(53), false), RODNS_OK);
	ck_assert_int_eq(add(t, "deeper.sub.example.test.", DNS_T_NS, NAME("x.test."), false), 0);
	ck_assert_int_eq(add(t, z, DNS_T_A, A(26), false), RODNS_OK);
	ck_assert_int_eq(add(t, z, DNS_T_RRSIG, SIG(DNS_T_A, 13, 1, T0, X0 + 30), false), 0);
	ck_assert_int_eq(add(t, z, DNS_T_RRSIG, SIG(DNS_T_NSEC, 13, 1, T0, X0 + 110), false), 0);
	ck_assert_int_eq(add(t, z, DNS_T_NSEC, NSEC(ap), false), RODNS_OK);
	ck_assert_uint_eq(store_txn_added(t), EXAMPLE_RRS);
	ck_assert_int_eq(commit(s, t, ap, 1), RODNS_OK);
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int64_t raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static uint8_t *file_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(*len + 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, *len, f), *len);
	fclose(f);
	return b;
}

/* Opening path with flags fails with want and leaves the file as it was. */
static void open_fails_untouched(const char *path, int flags, int want)
{
	size_t l0, l1;
	uint8_t *b0 = file_read(path, &l0);
	store_t *s = (store_t *)1;
	ck_assert_int_eq(store_open(path, flags, &s), want);
	ck_assert_ptr_null(s);
	uint8_t *b1 = file_read(path, &l1);
	ck_assert_uint_eq(l0, l1);
	ck_assert_int_eq(memcmp(b0, b1, l0), 0);
	free(b0);
	free(b1);
}

/* ---- schema and bad files ----------------------------------------------- */

START_TEST(test_create_reopen)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = (store_t *)1;
	ck_assert_int_lt(store_open(tmp.path, 0, &s), 0); /* missing, no CREATE */
	ck_assert_ptr_null(s);
	ck_assert_int_lt(store_open(tmp.path, STORE_RDONLY, &s), 0);
	s = open_rw(tmp.path);
	int64_t id = zone_new(s, "example.test.");
	load_example(s, id);
	store_close(s);
	ck_assert_int_eq(raw_int(tmp.path, "PRAGMA application_id"), 0x72646e73);
	ck_assert_int_eq(raw_int(tmp.path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	ck_assert_int_eq(raw_int(tmp.path, "PRAGMA page_size"), 16384);
	s = open_rw(tmp.path);
	store_t *r = open_ro(tmp.path);
	ck_assert_int_eq(zcount(s, id), EXAMPLE_RRS);
	ck_assert_int_eq(zcount(r, id), EXAMPLE_RRS);
	ck_assert_uint_eq(serial_of(r, "example.test."), 1);
	ck_assert_str_eq(store_errmsg(r), "no error");
	/* a reader cannot write */
	store_txn_t *t = NULL;
	ck_assert_int_ne(store_txn_begin(r, id, &t), RODNS_OK);
	ck_assert_ptr_null(t);
	store_close(r);
	store_close(s);
	ck_assert_int_eq(raw_int(tmp.path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"),
			 1);
	tmp_rm(&tmp);
}
END_TEST

START_TEST(test_bad_files)
{
	tmp_t tmp;
	tmp_make(&tmp);
	/* random bytes */
	FILE *f = fopen(tmp.path, "wb");
	for (int i = 0; i < 32768; i++)
		fputc((i * 7919 + 13) & 0xff, f);
	fclose(f);
	open_fails_untouched(tmp.path, STORE_CREATE, RODNS_E_STORE_CORRUPT);
	open_fails_untouched(tmp.path, STORE_RDONLY, RODNS_E_STORE_CORRUPT);
	unlink(tmp.path);
	/* SQLite, not ours: other tables, or another application id */
	raw_exec(tmp.path, "CREATE TABLE foo (x)");
	open_fails_untouched(tmp.path, STORE_CREATE, RODNS_E_STORE_FOREIGN);
	unlink(tmp.path);
	raw_exec(tmp.path, "PRAGMA application_id = 42");
	open_fails_untouched(tmp.path, STORE_CREATE, RODNS_E_STORE_FOREIGN);
	unlink(tmp.path);
	/* an empty file is only made a store when asked to */
	fclose(fopen(tmp.path, "wb"));
	open_fails_untouched(tmp.path, 0, RODNS_E_STORE_FOREIGN);
	store_close(open_rw(tmp.path));
	/* from a newer rodns */
	raw_exec(tmp.path, "PRAGMA user_version = 99");
	open_fails_untouched(tmp.path, STORE_CREATE, RODNS_E_STORE_NEWER);
	open_fails_untouched(tmp.path, STORE_RDONLY, RODNS_E_STORE_NEWER);
	unlink(tmp.path);
	/* ours at version 0: the writer migrates, a reader cannot */
	raw_exec(tmp.path, "PRAGMA application_id = 1919184499");
	store_t *s = NULL;
	ck_assert_int_eq(store_open(tmp.path, STORE_RDONLY, &s), RODNS_E_STORE);
	s = open_rw(tmp.path);
	store_close(s);
	ck_assert_int_eq(raw_int(tmp.path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	ck_assert_int_eq(raw_int(tmp.path, "SELECT count(*) FROM rr"), 0);
	tmp_rm(&tmp);
}
END_TEST

static int rrset_any(store_t *s, int64_t zone, const char *owner)
{
	int n = 0;
	dns_name_t o = nm(owner);
	return store_rrset(s, zone, &o, DNS_T_A, 0, count_cb, &n);
}

START_TEST(test_damaged)
{
	tmp_t tmp;
	char owner[64];
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t id = zone_new(s, "dmg.test.");
	store_txn_t *t = begin(s, id);
	ck_assert_int_eq(add(t, "dmg.test.", DNS_T_SOA, SOA(1), false), RODNS_OK);
	for (int i = 0; i < 3000; i++) {
		snprintf(owner, sizeof(owner), "host%05d.dmg.test.", i);
		ck_assert_int_eq(add(t, owner, DNS_T_A, A((uint8_t)i), false), RODNS_OK);
		ck_assert_int_eq(add(t, owner, DNS_T_TXT, TXT("some text to fill pages"), false),
				 0);
	}
	ck_assert_int_eq(commit(s, t, "dmg.test.", 1), RODNS_OK);
	store_close(s);
	/* garbage over a third of the pages, past the schema page */
	struct stat sb;
	ck_assert_int_eq(stat(tmp.path, &sb), 0);
	long pages = (long)sb.st_size / 16384;
	ck_assert_int_gt(pages, 6);
	FILE *f = fopen(tmp.path, "r+b");
	for (long p = pages / 3; p < 2 * pages / 3; p++) {
		fseek(f, p * 16384, SEEK_SET);
		for (int i = 0; i < 16384; i++)
			fputc((int)((p * 131 + i * 7) & 0xff), f);
	}
	fclose(f);
	/* the writer checks the whole file on open and refuses it */
	open_fails_untouched(tmp.path, STORE_CREATE, RODNS_E_STORE_CORRUPT);
	/* a reader does not; what it reads gives errors, not crashes */
	s = open_ro(tmp.path);
	ck_assert_int_eq(store_check(s), RODNS_E_STORE_CORRUPT);
	ck_assert_str_ne(store_errmsg(s), "no error");
	text_t tx = {0};
	ck_assert_int_eq(store_zone_iter(s, id, text_cb, &tx), RODNS_E_STORE_CORRUPT);
	free(tx.buf);
	int corrupt = 0;
	for (int i = 0; i < 3000; i += 7) {
		snprintf(owner, sizeof(owner), "host%05d.dmg.test.", i);
		int err = rrset_any(s, id, owner);
		ck_assert(err == RODNS_OK || err == RODNS_E_NOTFOUND ||
			  err == RODNS_E_STORE_CORRUPT);
		corrupt += err == RODNS_E_STORE_CORRUPT;
	}
	ck_assert_int_gt(corrupt, 0);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

/* ---- zone metadata ------------------------------------------------------ */

static int each_cb(void *arg, const store_zone_t *z)
{
	int *n = arg;
	ck_assert_int_gt(z->id, 0);
	return ++*n == 2 ? 7 : 0;
}

START_TEST(test_zone_meta)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t a = zone_new(s, "example.test.");
	ck_assert_int_eq(zone_new(s, "EXAMPLE.Test."), a); /* names are case-insensitive */
	int64_t b = zone_new(s, "other.test.");
	ck_assert_int_ne(a, b);
	store_zone_t z = {.name = nm("missing.test.")};
	ck_assert_int_eq(store_zone_get(s, &z.name, &z), RODNS_E_NOTFOUND);
	ck_assert_int_eq(store_zone_update(s, &z), RODNS_E_NOTFOUND);
	dns_name_t an = nm("Example.TEST.");
	ck_assert_int_eq(store_zone_get(s, &an, &z), RODNS_OK);
	ck_assert_int_eq(z.id, a);
	ck_assert_int_eq(z.state, STORE_ZONE_EMPTY);
	ck_assert_uint_eq(z.serial, 0);
	ck_assert(dns_name_eq(&z.name, &an));
	z = (store_zone_t){.id = a,
			   .name = an,
			   .serial = 77,
			   .state = STORE_ZONE_EXPIRED,
			   .refresh = 1,
			   .retry = 2,
			   .expire = 3,
			   .minimum = 4,
			   .last_refresh = 5,
			   .next_refresh = 6,
			   .expire_at = 7,
			   .last_xfr = 8};
	snprintf(z.primary, sizeof(z.primary), "192.0.2.1@53");
	ck_assert_int_eq(store_zone_update(s, &z), RODNS_OK);
	store_zone_t g;
	ck_assert_int_eq(store_zone_get(s, &an, &g), RODNS_OK);
	ck_assert_uint_eq(g.serial, 0); /* the serial moves only with the data */
	ck_assert_int_eq(g.state, STORE_ZONE_EXPIRED);
	ck_assert_uint_eq(g.refresh + g.retry + g.expire + g.minimum, 10);
	ck_assert(g.last_refresh == 5 && g.next_refresh == 6 && g.expire_at == 7 &&
		  g.last_xfr == 8);
	ck_assert_str_eq(g.primary, "192.0.2.1@53");
	/* commit writes the serial and the rest */
	store_txn_t *t = begin(s, a);
	z.serial = 78;
	z.state = STORE_ZONE_OK;
	ck_assert_int_eq(store_txn_commit(t, &z), RODNS_OK);
	ck_assert_int_eq(store_zone_get(s, &an, &g), RODNS_OK);
	ck_assert_uint_eq(g.serial, 78);
	ck_assert_int_eq(g.state, STORE_ZONE_OK);
	int n = 0;
	ck_assert_int_eq(store_zone_each(s, each_cb, &n), 7);
	ck_assert_int_eq(n, 2);
	/* no transaction on a zone that does not exist */
	t = (store_txn_t *)1;
	ck_assert_int_eq(store_txn_begin(s, 9999, &t), RODNS_E_NOTFOUND);
	ck_assert_ptr_null(t);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

/* ---- transactions ------------------------------------------------------- */

START_TEST(test_txn_basic)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t id = zone_new(s, "example.test.");
	load_example(s, id);
	ck_assert_uint_eq(zcount(s, id), EXAMPLE_RRS);
	ck_assert_int_eq(rrset_n(s, id, "a.example.test.", DNS_T_A, 0), 2);
	ck_assert_int_eq(rrset_n(s, id, "a.example.test.", DNS_T_AAAA, 0), -1);
	ck_assert_int_eq(rrset_n(s, id, "nope.example.test.", DNS_T_A, 0), -1);
	/* RRSIGs by covered type */
	ck_assert_int_eq(rrset_n(s, id, "example.test.", DNS_T_RRSIG, 0), 3);
	ck_assert_int_eq(rrset_n(s, id, "example.test.", DNS_T_RRSIG, DNS_T_SOA), 1);
	ck_assert_int_eq(rrset_n(s, id, "example.test.", DNS_T_RRSIG, DNS_T_A), -1);
	/* owners and embedded names are stored lowercase; queries ignore case */
	store_txn_t *t = begin(s, id);
	ck_assert_int_eq(
	    add(t, "MiXeD.Example.TEST.", DNS_T_CNAME, NAME("Target.EXAMPLE.test."), true),
	    RODNS_OK);
	ck_assert_int_eq(commit(s, t, "example.test.", 2), RODNS_OK);
	text_t tx = {0};
	dns_name_t o = nm("MIXED.example.test.");
	ck_assert_int_eq(store_rrset(s, id, &o, DNS_T_CNAME, 0, text_cb, &tx), RODNS_OK);
	ck_assert_str_eq(tx.buf, "mixed.example.test. 3600 IN CNAME target.example.test.\n");
	free(tx.buf);
	/* duplicates: ignored unless strict; TTL does not matter */
	t = begin(s, id);
	dns_rr_t rr;
	rd_t a1 = A(1);
	rr = mkrr("a.example.test.", DNS_T_A, &a1, 5);
	ck_assert_int_eq(store_txn_add(t, &rr, false), RODNS_OK);
	ck_assert_uint_eq(store_txn_added(t), 0);
	ck_assert_int_eq(add(t, "a.example.test.", DNS_T_A, A(3), false), RODNS_OK);
	ck_assert_uint_eq(store_txn_added(t), 1);
	store_txn_abort(t);
	ck_assert_int_eq(rrset_n(s, id, "a.example.test.", DNS_T_A, 0), 2);
	store_txn_abort(NULL);
	/* clear and reload */
	t = begin(s, id);
	ck_assert_int_eq(store_txn_clear(t), RODNS_OK);
	ck_assert_uint_eq(store_txn_deleted(t), EXAMPLE_RRS + 1);
	ck_assert_int_eq(add(t, "example.test.", DNS_T_SOA, SOA(3), false), RODNS_OK);
	ck_assert_int_eq(add(t, "only.example.test.", DNS_T_A, A(9), false), RODNS_OK);
	ck_assert_int_eq(commit(s, t, "example.test.", 3), RODNS_OK);
	ck_assert_uint_eq(zcount(s, id), 2);
	ck_assert_int_eq(rrset_n(s, id, "a.example.test.", DNS_T_A, 0), -1);
	ck_assert_uint_eq(serial_of(s, "example.test."), 3);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

/* A failed call aborts the whole transaction: the store is as before. */
static void expect_unchanged(store_t *s, int64_t id, const char *before)
{
	char *after = dump(s, id);
	ck_assert_str_eq(after, before);
	free(after);
	ck_assert_uint_eq(serial_of(s, "example.test."), 1);
}

START_TEST(test_diff_errors)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t id = zone_new(s, "example.test.");
	load_example(s, id);
	char *before = dump(s, id);
	/* strict add of a present RR, after changes that did work */
	store_txn_t *t = begin(s, id);
	ck_assert_int_eq(add(t, "new.example.test.", DNS_T_A, A(7), true), RODNS_OK);
	ck_assert_int_eq(del(t, "z.example.test.", DNS_T_A, A(26)), RODNS_OK);
	ck_assert_int_eq(store_txn_clear(t), RODNS_OK);
	ck_assert_int_eq(add(t, "a.example.test.", DNS_T_A, A(1), true), RODNS_OK);
	ck_assert_int_eq(add(t, "a.example.test.", DNS_T_A, A(1), true), RODNS_E_DIFF_EXISTS);
	ck_assert_int_eq(add(t, "b.example.test.", DNS_T_A, A(1), true), RODNS_E_DIFF_EXISTS);
	ck_assert_int_eq(commit(s, t, "example.test.", 2), RODNS_E_DIFF_EXISTS);
	expect_unchanged(s, id, before);
	/* deleting what is not there, also with the wrong class or RDATA */
	static const int cls[] = {DNS_C_IN, DNS_C_CH};
	for (int i = 0; i < 2; i++) {
		t = begin(s, id);
		ck_assert_int_eq(del(t, "a.example.test.", DNS_T_A, A(2)), RODNS_OK);
		rd_t rd = A((uint8_t)(i ? 1 : 99));
		dns_rr_t rr = mkrr("a.example.test.", DNS_T_A, &rd, 3600);
		rr.rclass = (uint16_t)cls[i];
		ck_assert_int_eq(store_txn_del(t, &rr), RODNS_E_DIFF_NOMATCH);
		ck_assert_int_eq(add(t, "c.example.test.", DNS_T_A, A(1), false),
				 RODNS_E_DIFF_NOMATCH);
		ck_assert_int_eq(commit(s, t, "example.test.", 2), RODNS_E_DIFF_NOMATCH);
		expect_unchanged(s, id, before);
	}
	free(before);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

START_TEST(test_diff_other)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t id = zone_new(s, "example.test.");
	load_example(s, id);
	char *before = dump(s, id);
	store_txn_t *t;
	/* owners outside the zone */
	static const char *const out[] = {"other.test.", "xexample.test.", "test.", "."};
	for (int i = 0; i < 4; i++) {
		t = begin(s, id);
		ck_assert_int_eq(add(t, out[i], DNS_T_A, A(1), false), RODNS_E_OUT_OF_ZONE);
		store_txn_abort(t);
	}
	t = begin(s, id);
	ck_assert_int_eq(del(t, "other.test.", DNS_T_A, A(1)), RODNS_E_OUT_OF_ZONE);
	ck_assert_int_eq(commit(s, t, "example.test.", 2), RODNS_E_OUT_OF_ZONE);
	expect_unchanged(s, id, before);
	/* RDATA that does not fit its type */
	t = begin(s, id);
	rd_t bad = A(1);
	bad.n = 3;
	ck_assert_int_lt(add(t, "a.example.test.", DNS_T_A, bad, false), 0);
	ck_assert_int_lt(commit(s, t, "example.test.", 2), 0);
	expect_unchanged(s, id, before);
	/* a good IXFR: deletion matches case-insensitively with any TTL */
	t = begin(s, id);
	rd_t a1 = A(1);
	dns_rr_t rr = mkrr("A.EXAMPLE.TEST.", DNS_T_A, &a1, 1);
	ck_assert_int_eq(store_txn_del(t, &rr), RODNS_OK);
	ck_assert_int_eq(del(t, "sub.example.test.", DNS_T_NS, NAME("NS.Sub.Example.Test.")), 0);
	ck_assert_int_eq(add(t, "a.example.test.", DNS_T_A, A(3), true), RODNS_OK);
	ck_assert_uint_eq(store_txn_deleted(t), 2);
	ck_assert_uint_eq(store_txn_added(t), 1);
	ck_assert_int_eq(commit(s, t, "example.test.", 2), RODNS_OK);
	ck_assert_int_eq(rrset_n(s, id, "a.example.test.", DNS_T_A, 0), 2);
	ck_assert_int_eq(rrset_n(s, id, "sub.example.test.", DNS_T_NS, 0), -1);
	ck_assert_uint_eq(serial_of(s, "example.test."), 2);
	free(before);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

/* ---- RRSIG pruning ------------------------------------------------------ */

static uint64_t sigs_before(store_t *s, int64_t id, uint32_t t)
{
	uint64_t n = 0;
	ck_assert_int_eq(store_rrsig_count_before(s, id, t, &n), RODNS_OK);
	return n;
}

/* The expiry index agrees with the RRSIG rows. */
static void check_expiry_index(store_t *s, int64_t id)
{
	text_t tx = {0};
	ck_assert_int_eq(store_zone_iter(s, id, text_cb, &tx), RODNS_OK);
	uint64_t sigs = 0;
	for (const char *p = tx.buf; p && (p = strstr(p, " IN RRSIG ")); p++)
		sigs++;
	free(tx.buf);
	ck_assert_uint_eq(sigs_before(s, id, 0xffffffffu), sigs);
}

START_TEST(test_prune_ixfr)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	const char *ap = "example.test.", *w = "www.example.test.", *u = "u.example.test.";
	int64_t id = zone_new(s, ap);
	uint64_t pruned = 99;
	/* serial 1, not pruned: an untouched owner u with a superseded RRSIG */
	store_txn_t *t = begin(s, id);
	ck_assert_int_eq(add(t, ap, DNS_T_SOA, SOA(1), false), RODNS_OK);
	ck_assert_int_eq(add(t, w, DNS_T_A, A(1), false), RODNS_OK);
	ck_assert_int_eq(add(t, w, DNS_T_RRSIG, SIG(DNS_T_A, 13, 100, T0, X0), false), 0);
	ck_assert_int_eq(add(t, u, DNS_T_A, A(2), false), RODNS_OK);
	ck_assert_int_eq(add(t, u, DNS_T_RRSIG, SIG(DNS_T_A, 13, 100, T0, X0), false), 0);
	ck_assert_int_eq(add(t, u, DNS_T_RRSIG, SIG(DNS_T_A, 13, 100, T0 + 9, X0 + 9), false), 0);
	ck_assert_int_eq(commit(s, t, ap, 1), RODNS_OK);
	/* an IXFR: a newer signature by the same key, a rollover key, another
	 * algorithm, another signer, and a signature over a missing RRset */
	t = begin(s, id);
	ck_assert_int_eq(add(t, w, DNS_T_RRSIG, SIG(DNS_T_A, 13, 100, T0 + 5, X0 + 5), true), 0);
	ck_assert_int_eq(add(t, w, DNS_T_RRSIG, SIG(DNS_T_A, 13, 200, T0 - 5, X0), true), 0);
	ck_assert_int_eq(add(t, w, DNS_T_RRSIG, SIG(DNS_T_A, 8, 100, T0 - 5, X0), true), 0);
	ck_assert_int_eq(
	    add(t, w, DNS_T_RRSIG, SIG_BY(DNS_T_A, 13, 100, T0 - 7, X0, "test."), true), 0);
	ck_assert_int_eq(add(t, w, DNS_T_RRSIG, SIG(DNS_T_MX, 13, 100, T0, X0), true), 0);
	ck_assert_int_eq(store_txn_prune_rrsigs(t, &pruned), RODNS_OK);
	ck_assert_uint_eq(pruned, 2); /* the old one by key 100, and the MX one */
	ck_assert_uint_eq(store_txn_deleted(t), 2);
	ck_assert_int_eq(commit(s, t, ap, 2), RODNS_OK);
	ck_assert_int_eq(rrset_n(s, id, w, DNS_T_RRSIG, DNS_T_A), 4);
	ck_assert_int_eq(rrset_n(s, id, w, DNS_T_RRSIG, DNS_T_MX), -1);
	ck_assert_int_eq(rrset_n(s, id, u, DNS_T_RRSIG, DNS_T_A), 2); /* not touched */
	check_expiry_index(s, id);
	/* deleting the RRset orphans its signatures */
	t = begin(s, id);
	ck_assert_int_eq(del(t, w, DNS_T_A, A(1)), RODNS_OK);
	ck_assert_int_eq(store_txn_prune_rrsigs(t, &pruned), RODNS_OK);
	ck_assert_uint_eq(pruned, 4);
	ck_assert_int_eq(commit(s, t, ap, 3), RODNS_OK);
	ck_assert_int_eq(rrset_n(s, id, w, DNS_T_RRSIG, 0), -1);
	check_expiry_index(s, id);
	/* a transaction that changes nothing prunes nothing */
	t = begin(s, id);
	ck_assert_int_eq(store_txn_prune_rrsigs(t, &pruned), RODNS_OK);
	ck_assert_uint_eq(pruned, 0);
	store_txn_abort(t);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

/* A full load with superseded and orphaned RRSIGs, RRs in the order given. */
typedef struct {
	const char *owner;
	uint16_t type;
	rd_t rd;
} zrr_t;

static int load_list(store_t *s, int64_t id, const zrr_t *rrs, int n, const int *order)
{
	uint64_t pruned = 0;
	store_txn_t *t = begin(s, id);
	ck_assert_int_eq(store_txn_clear(t), RODNS_OK);
	for (int i = 0; i < n; i++) {
		const zrr_t *z = &rrs[order ? order[i] : i];
		ck_assert_int_eq(add(t, z->owner, z->type, z->rd, false), RODNS_OK);
	}
	ck_assert_int_eq(store_txn_prune_rrsigs(t, &pruned), RODNS_OK);
	ck_assert_int_eq(commit(s, t, "example.test.", 5), RODNS_OK);
	return (int)pruned;
}

START_TEST(test_prune_reload)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t id = zone_new(s, "example.test.");
	const char *ap = "example.test.", *m = "m.example.test.", *u = "u.example.test.";
	/* canonical order; 3 prunable: u's older RRSIG, m's TXT RRSIG (no TXT)
	 * and the apex's superseded NS signature. */
	zrr_t rrs[] = {
	    {ap, DNS_T_SOA, SOA(5)},
	    {ap, DNS_T_NS, NAME("ns1.example.test.")},
	    {ap, DNS_T_RRSIG, SIG(DNS_T_NS, 13, 1, T0, X0)},
	    {ap, DNS_T_RRSIG, SIG(DNS_T_NS, 13, 1, T0 + 1, X0)},
	    {ap, DNS_T_RRSIG, SIG(DNS_T_NS, 13, 2, T0, X0)},
	    {ap, DNS_T_RRSIG, SIG(DNS_T_SOA, 13, 1, T0, X0)},
	    {m, DNS_T_A, A(1)},
	    {m, DNS_T_RRSIG, SIG(DNS_T_A, 13, 1, T0, X0)},
	    {m, DNS_T_RRSIG, SIG(DNS_T_TXT, 13, 1, T0, X0)},
	    {u, DNS_T_A, A(2)},
	    {u, DNS_T_RRSIG, SIG(DNS_T_A, 13, 1, T0, X0)},
	    {u, DNS_T_RRSIG, SIG(DNS_T_A, 13, 1, T0 + 3, X0 + 3)},
	};
	int n = (int)(sizeof(rrs) / sizeof(rrs[0]));
	ck_assert_int_eq(load_list(s, id, rrs, n, NULL), 3);
	char *sorted = dump(s, id);
	ck_assert_uint_eq(zcount(s, id), (uint64_t)n - 3);
	check_expiry_index(s, id);
	/* the same zone out of order (whole-zone pass) and reversed */
	static const int shuffled[] = {9, 0, 11, 6, 2, 8, 1, 10, 3, 7, 5, 4};
	ck_assert_int_eq(load_list(s, id, rrs, n, shuffled), 3);
	char *again = dump(s, id);
	ck_assert_str_eq(again, sorted);
	free(again);
	int rev[12];
	for (int i = 0; i < n; i++)
		rev[i] = n - 1 - i;
	ck_assert_int_eq(load_list(s, id, rrs, n, rev), 3);
	again = dump(s, id);
	ck_assert_str_eq(again, sorted);
	check_expiry_index(s, id);
	free(again);
	/* a deletion after the clear: the whole zone is looked at */
	uint64_t pruned = 0;
	store_txn_t *t = begin(s, id);
	ck_assert_int_eq(store_txn_clear(t), RODNS_OK);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(add(t, rrs[i].owner, rrs[i].type, rrs[i].rd, false), RODNS_OK);
	ck_assert_int_eq(del(t, u, DNS_T_A, A(2)), RODNS_OK);
	ck_assert_int_eq(store_txn_prune_rrsigs(t, &pruned), RODNS_OK);
	ck_assert_uint_eq(pruned, 4); /* and both of u's RRSIGs */
	ck_assert_int_eq(commit(s, t, ap, 6), RODNS_OK);
	ck_assert_uint_eq(zcount(s, id), (uint64_t)n - 5);
	check_expiry_index(s, id);
	free(sorted);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

/* ---- lookups ------------------------------------------------------------ */

static void expect_name(int err, const dns_name_t *got, const char *want)
{
	char buf[DNS_NAME_TEXT_MAX];
	ck_assert_int_eq(err, RODNS_OK);
	ck_assert_int_ge(dns_name_to_text(got, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, want);
}

static int exists(store_t *s, int64_t id, const char *name)
{
	dns_name_t n = nm(name);
	return store_name_exists(s, id, &n);
}

static void expect_ce(store_t *s, int64_t id, const char *name, const char *want)
{
	dns_name_t n = nm(name), ce;
	expect_name(store_closest_encloser(s, id, &n, &ce), &ce, want);
}

static void expect_cut(store_t *s, int64_t id, const char *apex, const char *name, const char *want)
{
	dns_name_t a = nm(apex), n = nm(name), cut;
	int err = store_delegation(s, id, &a, &n, &cut);
	if (!want)
		ck_assert_int_eq(err, RODNS_E_NOTFOUND);
	else
		expect_name(err, &cut, want);
}

START_TEST(test_lookup_names)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *w = open_rw(tmp.path);
	int64_t id = zone_new(w, "example.test.");
	load_example(w, id);
	store_t *s = open_ro(tmp.path);
	ck_assert_int_eq(exists(s, id, "example.test."), 1);
	ck_assert_int_eq(exists(s, id, "a.example.test."), 1);
	ck_assert_int_eq(exists(s, id, "C.example.test."), 1); /* empty non-terminal */
	ck_assert_int_eq(exists(s, id, "b.c.example.test."), 1);
	ck_assert_int_eq(exists(s, id, "x.b.c.example.test."), 0);
	ck_assert_int_eq(exists(s, id, "x.a.example.test."), 0);
	ck_assert_int_eq(exists(s, id, "q.example.test."), 0);
	ck_assert_int_eq(exists(s, id, "b.example.test."), 0);
	ck_assert_int_eq(exists(s, id, "sub.example.test."), 1);
	ck_assert_int_eq(exists(s, 999, "example.test."), 0);

	expect_ce(s, id, "a.example.test.", "a.example.test.");
	expect_ce(s, id, "x.A.example.test.", "a.example.test.");
	expect_ce(s, id, "x.y.c.example.test.", "c.example.test.");
	expect_ce(s, id, "c.example.test.", "c.example.test.");
	expect_ce(s, id, "x.b.c.example.test.", "b.c.example.test.");
	expect_ce(s, id, "q.example.test.", "example.test.");
	expect_ce(s, id, "aa.example.test.", "example.test.");
	expect_ce(s, id, "zz.example.test.", "example.test.");
	expect_ce(s, id, "y.x.ns.sub.example.test.", "ns.sub.example.test.");
	dns_name_t n = nm("a.example.test."), out;
	ck_assert_int_eq(store_closest_encloser(s, 999, &n, &out), RODNS_E_NOTFOUND);

	expect_cut(s, id, "example.test.", "ns.sub.example.test.", "sub.example.test.");
	expect_cut(s, id, "example.test.", "SUB.example.test.", "sub.example.test.");
	expect_cut(s, id, "example.test.", "x.deeper.sub.example.test.", "sub.example.test.");
	expect_cut(s, id, "example.test.", "a.example.test.", NULL);
	expect_cut(s, id, "example.test.", "x.y.z.example.test.", NULL);
	expect_cut(s, id, "example.test.", "example.test.", NULL); /* apex NS is no cut */
	dns_name_t a = nm("example.test."), o = nm("other.test.");
	ck_assert_int_eq(store_delegation(s, id, &a, &o, &out), RODNS_E_OUT_OF_ZONE);
	store_close(s);
	store_close(w);
	tmp_rm(&tmp);
}
END_TEST

static void expect_pred(store_t *s, int64_t id, const char *name, const char *want)
{
	dns_name_t n = nm(name), o;
	expect_name(store_nsec_pred(s, id, &n, &o), &o, want);
}

START_TEST(test_lookup_nsec)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t id = zone_new(s, "example.test.");
	load_example(s, id);
	expect_pred(s, id, "example.test.", "example.test.");
	expect_pred(s, id, "a.example.test.", "a.example.test.");
	expect_pred(s, id, "aa.example.test.", "a.example.test.");
	expect_pred(s, id, "x.a.example.test.", "a.example.test.");
	expect_pred(s, id, "c.example.test.", "a.example.test."); /* the ENT */
	expect_pred(s, id, "b.c.example.test.", "b.c.example.test.");
	expect_pred(s, id, "ns.sub.example.test.", "sub.example.test."); /* glue has no NSEC */
	expect_pred(s, id, "y.example.test.", "sub.example.test.");
	expect_pred(s, id, "z.example.test.", "z.example.test.");
	expect_pred(s, id, "zz.example.test.", "z.example.test.");
	expect_pred(s, id, "test.", "z.example.test."); /* before the first: wraps */
	/* a zone without NSEC */
	int64_t other = zone_new(s, "other.test.");
	store_txn_t *t = begin(s, other);
	ck_assert_int_eq(add(t, "other.test.", DNS_T_SOA, SOA(1), false), RODNS_OK);
	ck_assert_int_eq(store_txn_commit(t, NULL), RODNS_OK);
	dns_name_t n = nm("other.test."), o;
	ck_assert_int_eq(store_nsec_pred(s, other, &n, &o), RODNS_E_NOTFOUND);
	ck_assert_int_eq(store_nsec3_pred(s, other, &n, &o), RODNS_E_NOTFOUND);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

#define H(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c ".n3.test."

static void expect_pred3(store_t *s, int64_t id, const char *name, const char *want)
{
	dns_name_t n = nm(name), o;
	expect_name(store_nsec3_pred(s, id, &n, &o), &o, want);
}

START_TEST(test_lookup_nsec3)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t id = zone_new(s, "n3.test.");
	store_txn_t *t = begin(s, id);
	ck_assert_int_eq(add(t, "n3.test.", DNS_T_SOA, SOA(1), false), RODNS_OK);
	ck_assert_int_eq(add(t, H("5"), DNS_T_NSEC3, NSEC3(5), false), RODNS_OK);
	ck_assert_int_eq(add(t, H("1"), DNS_T_NSEC3, NSEC3(1), false), RODNS_OK);
	ck_assert_int_eq(add(t, H("9"), DNS_T_NSEC3, NSEC3(9), false), RODNS_OK);
	ck_assert_int_eq(add(t, H("3"), DNS_T_A, A(3), false), RODNS_OK); /* not an NSEC3 */
	ck_assert_int_eq(add(t, "www.n3.test.", DNS_T_A, A(4), false), RODNS_OK);
	ck_assert_int_eq(commit(s, t, "n3.test.", 1), RODNS_OK);
	expect_pred3(s, id, H("3"), H("1"));
	expect_pred3(s, id, H("5"), H("5"));
	expect_pred3(s, id, H("6"), H("5"));
	expect_pred3(s, id, H("0"), H("9")); /* wraps around */
	expect_pred3(s, id, H("V"), H("9")); /* base32hex is matched lowercase */
	dns_name_t n = nm(H("3")), o;
	ck_assert_int_eq(store_nsec_pred(s, id, &n, &o), RODNS_E_NOTFOUND);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

/* Checks canonical order (owner, type, RDATA) of consecutive RRs. */
typedef struct {
	dns_rr_t prev;
	uint8_t rd[1024];
	int n;
} order_t;

static int order_cb(void *arg, const dns_rr_t *rr)
{
	order_t *o = arg;
	if (o->n++ > 0) {
		int c = dns_name_cmp(&o->prev.owner, &rr->owner);
		if (c == 0)
			c = (o->prev.type > rr->type) - (o->prev.type < rr->type);
		if (c == 0)
			c = dns_rdata_cmp(rr->type, o->prev.rdata, o->prev.rdlen, rr->rdata,
					  rr->rdlen);
		ck_assert_int_lt(c, 0);
	}
	ck_assert_uint_le(rr->rdlen, sizeof(o->rd));
	memcpy(o->rd, rr->rdata, rr->rdlen);
	o->prev = *rr;
	o->prev.rdata = o->rd;
	return 0;
}

START_TEST(test_owner_iter)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t id = zone_new(s, "example.test.");
	load_example(s, id);
	text_t tx = {0};
	dns_name_t o = nm("A.example.test.");
	ck_assert_int_eq(store_owner(s, id, &o, text_cb, &tx), RODNS_OK);
	ck_assert_int_eq(tx.n, 5);
	/* type order, then RDATA: .1 before .2 although .2 was added first */
	const char *p1 = strstr(tx.buf, "192.0.2.1"), *p2 = strstr(tx.buf, "192.0.2.2");
	const char *ps = strstr(tx.buf, " RRSIG A "), *pn = strstr(tx.buf, " IN NSEC ");
	ck_assert(p1 && p2 && ps && pn && p1 < p2 && p2 < ps && ps < pn);
	ck_assert_int_eq(strncmp(tx.buf, "a.example.test. 3600 IN A 192.0.2.1\n", 36), 0);
	free(tx.buf);
	o = nm("c.example.test."); /* an ENT owns nothing */
	ck_assert_int_eq(store_owner(s, id, &o, text_cb, &tx), RODNS_E_NOTFOUND);
	/* the whole zone, canonical order; a callback's value stops it */
	order_t ord = {.n = 0};
	ck_assert_int_eq(store_zone_iter(s, id, order_cb, &ord), RODNS_OK);
	ck_assert_int_eq(ord.n, EXAMPLE_RRS);
	text_t stop = {.stop_at = 3};
	ck_assert_int_eq(store_zone_iter(s, id, text_cb, &stop), 99);
	ck_assert_int_eq(stop.n, 3);
	free(stop.buf);
	stop = (text_t){.stop_at = 1};
	o = nm("a.example.test.");
	ck_assert_int_eq(store_rrset(s, id, &o, DNS_T_A, 0, text_cb, &stop), 99);
	free(stop.buf);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

/* A callback that looks up again on the same connection. */
typedef struct {
	store_t *s;
	int64_t id;
	int inner;
} reenter_t;

static int reenter_cb(void *arg, const dns_rr_t *rr)
{
	reenter_t *r = arg;
	int n = 0;
	int err = store_rrset(r->s, r->id, &rr->owner, rr->type, 0, count_cb, &n);
	ck_assert_int_eq(err, RODNS_OK);
	r->inner += n;
	return 0;
}

START_TEST(test_reentrant)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t id = zone_new(s, "example.test.");
	load_example(s, id);
	reenter_t r = {.s = s, .id = id};
	dns_name_t o = nm("a.example.test.");
	ck_assert_int_eq(store_rrset(s, id, &o, DNS_T_A, 0, reenter_cb, &r), RODNS_OK);
	ck_assert_int_eq(r.inner, 4); /* 2 RRs, each sees the RRset of 2 */
	r.inner = 0;
	ck_assert_int_eq(store_owner(s, id, &o, reenter_cb, &r), RODNS_OK);
	ck_assert_int_eq(r.inner, 2 * 2 + 2 * 2 + 1);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

/* ---- expiry ------------------------------------------------------------- */

START_TEST(test_expiry)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t id = zone_new(s, "example.test.");
	uint8_t rd[512];
	dns_rr_t rr;
	ck_assert_int_eq(store_rrsig_earliest(s, id, &rr, rd, sizeof(rd)), RODNS_E_NOTFOUND);
	ck_assert_uint_eq(sigs_before(s, id, 0xffffffffu), 0);
	load_example(s, id);
	/* expirations X0+10 (a A) ... X0+110; 10 RRSIGs */
	ck_assert_int_eq(store_rrsig_earliest(s, id, &rr, rd, sizeof(rd)), RODNS_OK);
	rd_t want = SIG(DNS_T_A, 13, 1, T0, X0 + 10);
	ck_assert_uint_eq(rr.rdlen, want.n);
	ck_assert_int_eq(memcmp(rr.rdata, want.b, want.n), 0);
	ck_assert_uint_eq(rr.type, DNS_T_RRSIG);
	expect_name(RODNS_OK, &rr.owner, "a.example.test.");
	ck_assert_int_eq(store_rrsig_earliest(s, id, &rr, rd, 10), RODNS_E_SPACE);
	ck_assert_uint_eq(sigs_before(s, id, X0 + 10), 0);
	ck_assert_uint_eq(sigs_before(s, id, X0 + 11), 1);
	ck_assert_uint_eq(sigs_before(s, id, X0 + 60), 4);
	ck_assert_uint_eq(sigs_before(s, id, X0 + 1000), 10);
	/* clear empties it */
	store_txn_t *t = begin(s, id);
	ck_assert_int_eq(store_txn_clear(t), RODNS_OK);
	ck_assert_int_eq(commit(s, t, "example.test.", 3), RODNS_OK);
	ck_assert_int_eq(store_rrsig_earliest(s, id, &rr, rd, sizeof(rd)), RODNS_E_NOTFOUND);
	ck_assert_uint_eq(sigs_before(s, id, 0xffffffffu), 0);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

START_TEST(test_expiry_changes)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t id = zone_new(s, "example.test.");
	uint8_t rd[512];
	dns_rr_t rr;
	load_example(s, id);
	/* the writer sees its own transaction, even unflushed; past 2038 too */
	store_txn_t *t = begin(s, id);
	ck_assert_int_eq(del(t, "a.example.test.", DNS_T_RRSIG, SIG(DNS_T_A, 13, 1, T0, X0 + 10)),
			 0);
	ck_assert_int_eq(
	    add(t, "z.example.test.", DNS_T_RRSIG, SIG(DNS_T_NSEC, 13, 7, T0, 0xf0000000u), true),
	    RODNS_OK);
	ck_assert_int_eq(
	    add(t, "z.example.test.", DNS_T_RRSIG, SIG(DNS_T_A, 13, 7, T0, X0 + 1), true),
	    RODNS_OK);
	ck_assert_int_eq(store_rrsig_earliest(s, id, &rr, rd, sizeof(rd)), RODNS_OK);
	expect_name(RODNS_OK, &rr.owner, "z.example.test.");
	ck_assert_uint_eq(sigs_before(s, id, 0xf0000000u), 10);
	ck_assert_uint_eq(sigs_before(s, id, 0xf0000001u), 11);
	store_txn_abort(t);
	ck_assert_int_eq(store_rrsig_earliest(s, id, &rr, rd, sizeof(rd)), RODNS_OK);
	expect_name(RODNS_OK, &rr.owner, "a.example.test.");
	ck_assert_uint_eq(sigs_before(s, id, 0xffffffffu), 10);
	/* a committed deletion moves the earliest on */
	t = begin(s, id);
	ck_assert_int_eq(del(t, "a.example.test.", DNS_T_RRSIG, SIG(DNS_T_A, 13, 1, T0, X0 + 10)),
			 0);
	ck_assert_int_eq(commit(s, t, "example.test.", 2), RODNS_OK);
	ck_assert_int_eq(store_rrsig_earliest(s, id, &rr, rd, sizeof(rd)), RODNS_OK);
	expect_name(RODNS_OK, &rr.owner, "b.c.example.test.");
	check_expiry_index(s, id);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

/* store/expiry.c: latest, worst N, inception groups. */
START_TEST(test_expiry_details)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t id = zone_new(s, "example.test.");
	int64_t latest = -1;
	store_sig_info_t worst[4];
	store_inception_t inc[2];
	size_t n = 9, groups = 9;
	uint64_t total = 9;
	ck_assert_int_eq(store_rrsig_latest(s, id, &latest), RODNS_OK);
	ck_assert_int_eq(latest, 0);
	ck_assert_int_eq(store_rrsig_worst(s, id, worst, 4, &n), RODNS_OK);
	ck_assert_uint_eq(n, 0);
	load_example(s, id);
	ck_assert_int_eq(store_rrsig_latest(s, id, &latest), RODNS_OK);
	ck_assert_int_eq(latest, (int64_t)X0 + 110);
	ck_assert_int_eq(store_rrsig_worst(s, id, worst, 3, &n), RODNS_OK);
	ck_assert_uint_eq(n, 3);
	expect_name(RODNS_OK, &worst[0].owner, "a.example.test.");
	ck_assert(worst[0].covered == DNS_T_A && worst[0].expiration == (int64_t)X0 + 10);
	expect_name(RODNS_OK, &worst[1].owner, "b.c.example.test.");
	ck_assert(worst[1].covered == DNS_T_TXT && worst[1].keytag == 1 && worst[1].alg == 13);
	ck_assert_int_eq(worst[2].expiration, (int64_t)X0 + 30);
	ck_assert_int_eq(worst[2].inception, (int64_t)T0);
	ck_assert_int_eq(store_rrsig_inceptions(s, id, T0 - 1, inc, 2, &groups, &total), 0);
	ck_assert_uint_eq(groups, 1);
	ck_assert_uint_eq(total, 10);
	ck_assert(inc[0].inception == (int64_t)T0 && inc[0].count == 10);
	ck_assert_int_eq(store_rrsig_inceptions(s, id, T0, inc, 2, &groups, &total), 0);
	ck_assert_uint_eq(groups, 0);
	ck_assert_uint_eq(total, 10);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

/* ---- the inception counts (rrsig_inc, zones.rrsigs) --------------------- */

/* Rows of rrsig_inc, rrsig_exp and zones.rrsigs that differ from a recount
 * over rr: 0 when the incrementally kept tables are exact. */
#define RECOUNT_DIFF                                                                               \
	"SELECT (SELECT count(*) FROM (SELECT zone, inception, n FROM rrsig_inc EXCEPT"            \
	" SELECT zone, inception, count(*) FROM rr WHERE type = 46 GROUP BY 1, 2))"                \
	" + (SELECT count(*) FROM (SELECT zone, inception, count(*) FROM rr WHERE type = 46"       \
	" GROUP BY 1, 2 EXCEPT SELECT zone, inception, n FROM rrsig_inc))"                         \
	" + (SELECT count(*) FROM (SELECT zone, expiration, okey, n FROM rrsig_exp EXCEPT"         \
	" SELECT zone, expiration, okey, count(*) FROM rr WHERE type = 46 GROUP BY 1, 2, 3))"      \
	" + (SELECT count(*) FROM (SELECT zone, expiration, okey, count(*) FROM rr"                \
	" WHERE type = 46 GROUP BY 1, 2, 3 EXCEPT SELECT zone, expiration, okey, n"                \
	" FROM rrsig_exp))"                                                                        \
	" + (SELECT count(*) FROM zones WHERE rrsigs !="                                           \
	" (SELECT count(*) FROM rr WHERE rr.zone = zones.id AND type = 46))"

#define MIX_OWNERS 4
#define MIX_SIGS   64 /* owner x covered (A, TXT) x key tag (1, 2) x 4 inceptions */
#define MIX_DATA   12 /* owner x (A 1, A 2, TXT) */

typedef struct {
	const char *apex;
	int64_t id;
	uint32_t serial;
	bool sig[MIX_SIGS], data[MIX_DATA];
} mix_zone_t;

static const uint32_t mix_inc[4] = {T0, T0 + 100, T0 + 200, T0 + 5000};

static void mix_owner(const mix_zone_t *z, int i, char *buf, size_t cap)
{
	snprintf(buf, cap, "o%d.%s", i % MIX_OWNERS, z->apex);
}

static rd_t mix_sig(int i, uint16_t *covered, uint32_t *inc, uint32_t *exp)
{
	int own = i % MIX_OWNERS, cov = (i >> 2) & 1, tag = 1 + ((i >> 3) & 1);
	*covered = cov ? DNS_T_TXT : DNS_T_A;
	*inc = mix_inc[(i >> 4) & 3];
	*exp = X0 + (uint32_t)(own * 10 + cov);
	return SIG(*covered, 13, (uint16_t)tag, *inc, *exp);
}

static int mix_sig_op(store_txn_t *t, const mix_zone_t *z, int i, bool add_it)
{
	char o[64];
	uint16_t cov;
	uint32_t inc, exp;
	rd_t rd = mix_sig(i, &cov, &inc, &exp);
	mix_owner(z, i, o, sizeof(o));
	return add_it ? add(t, o, DNS_T_RRSIG, rd, false) : del(t, o, DNS_T_RRSIG, rd);
}

static int mix_data_op(store_txn_t *t, const mix_zone_t *z, int i, bool add_it)
{
	char o[64];
	int kind = i / MIX_OWNERS;
	uint16_t type = kind == 2 ? DNS_T_TXT : DNS_T_A;
	rd_t rd = kind == 2 ? TXT("t") : A((uint8_t)(kind + 1));
	mix_owner(z, i, o, sizeof(o));
	return add_it ? add(t, o, type, rd, false) : del(t, o, type, rd);
}

/* After a prune the RRSIGs present are read back from the file. */
static void mix_reload(const char *path, mix_zone_t *z)
{
	char sql[256];
	for (int i = 0; i < MIX_SIGS; i++) {
		uint16_t cov;
		uint32_t inc, exp;
		(void)mix_sig(i, &cov, &inc, &exp);
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM rr WHERE zone = %lld AND type = 46 AND covered = %u"
			 " AND keytag = %d AND inception = %u AND expiration = %u",
			 (long long)z->id, cov, 1 + ((i >> 3) & 1), inc, exp);
		z->sig[i] = raw_int(path, sql) == 1;
	}
}

static int mix_count(const bool *v, int n)
{
	int c = 0;
	for (int i = 0; i < n; i++)
		c += v[i];
	return c;
}

/* One transaction of random adds, deletes, prunes and clears, committed
 * or rolled back; true when it pruned and was committed. */
static bool mix_round(store_t *s, mix_zone_t *z, unsigned *seed)
{
	mix_zone_t keep = *z;
	bool pruned = false;
	store_txn_t *t = begin(s, z->id);
	int ops = 1 + rand_r(seed) % 12;
	for (int k = 0; k < ops; k++) {
		int r = rand_r(seed) % 100;
		if (r < 4) {
			ck_assert_int_eq(store_txn_clear(t), RODNS_OK);
			memset(z->sig, 0, sizeof(z->sig));
			memset(z->data, 0, sizeof(z->data));
		} else if (r < 12) {
			uint64_t n = 0;
			ck_assert_int_eq(store_txn_prune_rrsigs(t, &n), RODNS_OK);
			pruned = true;
		} else if (r < 60) {
			int i = rand_r(seed) % MIX_SIGS;
			if (z->sig[i] && !pruned) {
				ck_assert_int_eq(mix_sig_op(t, z, i, false), RODNS_OK);
				z->sig[i] = false;
			} else {
				ck_assert_int_eq(mix_sig_op(t, z, i, true), RODNS_OK);
				z->sig[i] = true;
			}
		} else {
			int i = rand_r(seed) % MIX_DATA;
			ck_assert_int_eq(mix_data_op(t, z, i, !z->data[i]), RODNS_OK);
			z->data[i] = !z->data[i];
		}
	}
	if (!pruned) {
		/* inside the transaction too: pending counts are flushed first */
		store_inception_t g[4];
		size_t n = 0;
		uint64_t total = 0;
		ck_assert_int_eq(store_rrsig_inceptions(s, z->id, 0, g, 4, &n, &total), 0);
		ck_assert_uint_eq(total, (uint64_t)mix_count(z->sig, MIX_SIGS));
	}
	if (rand_r(seed) % 4 == 0) {
		store_txn_abort(t);
		*z = keep;
		return false;
	}
	ck_assert_int_eq(commit(s, t, z->apex, ++z->serial), RODNS_OK);
	return pruned;
}

START_TEST(test_inception_counts)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	mix_zone_t zs[2] = {{.apex = "one.test."}, {.apex = "two.test."}};
	for (int i = 0; i < 2; i++)
		zs[i].id = zone_new(s, zs[i].apex);
	unsigned seed = 20261128;
	for (int round = 0; round < 300; round++) {
		mix_zone_t *z = &zs[rand_r(&seed) % 2];
		if (mix_round(s, z, &seed))
			mix_reload(tmp.path, z);
		ck_assert_msg(raw_int(tmp.path, RECOUNT_DIFF) == 0, "round %d", round);
	}
	/* the groups: inceptions after `after`, ascending; the total */
	store_inception_t g[2];
	size_t n = 0;
	uint64_t total = 0;
	mix_zone_t *z = &zs[0];
	ck_assert_int_eq(store_rrsig_inceptions(s, z->id, T0 + 100, g, 2, &n, &total), 0);
	ck_assert_uint_eq(total, (uint64_t)mix_count(z->sig, MIX_SIGS));
	uint64_t later = 0;
	for (int i = 0; i < MIX_SIGS; i++)
		later += z->sig[i] && mix_inc[(i >> 4) & 3] > T0 + 100;
	ck_assert_uint_eq(n > 0 ? g[0].count + (n > 1 ? g[1].count : 0) : 0, later);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

/* An AXFR-like load into a cleared zone, long enough for full insert
 * batches: duplicates (within a batch and of an earlier batch) are kept
 * once with the first TTL and counted once, an owner split over two
 * groups of one batch is still pruned exactly, and the counts are exact. */
#define BATCH_OWNERS 150

static int add_ttl(store_txn_t *t, const char *owner, uint16_t type, rd_t rd, uint32_t ttl)
{
	dns_rr_t rr = mkrr(owner, type, &rd, ttl);
	return store_txn_add(t, &rr, false);
}

START_TEST(test_batch_axfr)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t id = zone_new(s, "example.test.");
	load_example(s, id);
	store_txn_t *t = begin(s, id);
	ck_assert_int_eq(store_txn_clear(t), RODNS_OK);
	char o[64];
	uint64_t want = 0, want_pruned = 0;
	for (int i = 0; i < BATCH_OWNERS; i++) {
		snprintf(o, sizeof(o), "o%03d.example.test.", i);
		ck_assert_int_eq(add(t, o, DNS_T_A, A((uint8_t)i), false), RODNS_OK);
		if (i == 5) /* the same RR again, right away, another TTL */
			ck_assert_int_eq(add_ttl(t, o, DNS_T_A, A((uint8_t)i), 7), RODNS_OK);
		ck_assert_int_eq(
		    add(t, o, DNS_T_RRSIG, SIG(DNS_T_A, 13, 1, T0, X0 + (uint32_t)i), false),
		    RODNS_OK);
		ck_assert_int_eq(add(t, o, DNS_T_TXT, TXT("t"), false), RODNS_OK);
		want += 3;
		if (i % 10 == 0) { /* superseded in the same group */
			ck_assert_int_eq(
			    add(t, o, DNS_T_RRSIG, SIG(DNS_T_A, 13, 1, T0 - 100, X0), false),
			    RODNS_OK);
			want++, want_pruned++;
		}
		if (i % 10 == 6) {
			/* the previous owner again, after this one: the new
			 * group alone looks clean, but its RRSIG supersedes
			 * one of the first group */
			snprintf(o, sizeof(o), "o%03d.example.test.", i - 1);
			ck_assert_int_eq(add(t, o, DNS_T_A, A(200), false), RODNS_OK);
			ck_assert_int_eq(
			    add(t, o, DNS_T_RRSIG, SIG(DNS_T_A, 13, 1, T0 + 10, X0 + 7), false),
			    RODNS_OK);
			want += 2, want_pruned++;
		}
		if (i == 100) /* an RR of an early batch once more */
			ck_assert_int_eq(add_ttl(t, "o003.example.test.", DNS_T_RRSIG,
						 SIG(DNS_T_A, 13, 1, T0, X0 + 3), 9),
					 RODNS_OK);
	}
	/* an RR of an early batch once more, out of order */
	ck_assert_int_eq(
	    add_ttl(t, "o003.example.test.", DNS_T_RRSIG, SIG(DNS_T_A, 13, 1, T0, X0 + 3), 9),
	    RODNS_OK);
	ck_assert_uint_eq(store_txn_added(t), want);
	uint64_t pruned = 0;
	ck_assert_int_eq(store_txn_prune_rrsigs(t, &pruned), RODNS_OK);
	ck_assert_uint_eq(pruned, want_pruned);
	ck_assert_int_eq(commit(s, t, "example.test.", 2), RODNS_OK);
	ck_assert_uint_eq(zcount(s, id), want - want_pruned);
	ck_assert_int_eq(raw_int(tmp.path, RECOUNT_DIFF), 0);
	ck_assert_int_eq(raw_int(tmp.path, "SELECT count(*) FROM rr WHERE ttl != 3600"), 0);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

/* The expiry rows of a cleared-zone load go EXP_ROWS to an upsert: an
 * owner's RRSIGs of one expiration count in one row, and rows written by an
 * earlier flush are added to, not replaced. */
START_TEST(test_batch_exp_upsert)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t id = zone_new(s, "example.test.");
	load_example(s, id);
	store_txn_t *t = begin(s, id);
	ck_assert_int_eq(store_txn_clear(t), RODNS_OK);
	char o[64];
	for (int pass = 0; pass < 3; pass++) {
		for (int i = 0; i < BATCH_OWNERS; i++) {
			snprintf(o, sizeof(o), "o%03d.example.test.", i);
			uint16_t covered = pass == 0 ? DNS_T_A : pass == 1 ? DNS_T_TXT : DNS_T_MX;
			uint32_t exp = X0 + (uint32_t)(i % 3); /* a few, as signers give */
			ck_assert_int_eq(add(t, o, DNS_T_RRSIG, SIG(covered, 13, 1, T0, exp), false),
					 RODNS_OK);
			ck_assert_int_eq(add(t, o, DNS_T_RRSIG, SIG(covered, 13, 2, T0, exp), false),
					 RODNS_OK);
		}
		int64_t latest = 0; /* flushes the pending rows */
		ck_assert_int_eq(store_rrsig_latest(s, id, &latest), RODNS_OK);
	}
	ck_assert_uint_eq(store_txn_added(t), 3 * 2 * BATCH_OWNERS);
	ck_assert_int_eq(commit(s, t, "example.test.", 2), RODNS_OK);
	ck_assert_int_eq(raw_int(tmp.path, RECOUNT_DIFF), 0);
	ck_assert_int_eq(raw_int(tmp.path, "SELECT count(*) FROM rrsig_exp"), BATCH_OWNERS);
	ck_assert_int_eq(raw_int(tmp.path, "SELECT count(*) FROM rrsig_exp WHERE n != 6"), 0);
	ck_assert_int_eq(raw_int(tmp.path, "SELECT sum(n) FROM rrsig_exp"),
			 raw_int(tmp.path, "SELECT count(*) FROM rr WHERE type = 46"));
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

/* Owners in no order (reverse here): batches too scrambled for insertion
 * sort go through qsort; every RR lands once and counts stay exact. */
START_TEST(test_batch_reverse)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t id = zone_new(s, "example.test.");
	load_example(s, id);
	store_txn_t *t = begin(s, id);
	ck_assert_int_eq(store_txn_clear(t), RODNS_OK);
	char o[64];
	for (int i = BATCH_OWNERS - 1; i >= 0; i--) {
		snprintf(o, sizeof(o), "o%03d.example.test.", i);
		ck_assert_int_eq(add(t, o, DNS_T_TXT, TXT("t"), false), RODNS_OK);
		ck_assert_int_eq(add(t, o, DNS_T_A, A((uint8_t)i), false), RODNS_OK);
		ck_assert_int_eq(add(t, o, DNS_T_RRSIG, SIG(DNS_T_A, 13, 1, T0, X0), false),
				 RODNS_OK);
		ck_assert_int_eq(add(t, o, DNS_T_A, A((uint8_t)i), false), RODNS_OK); /* again */
	}
	ck_assert_uint_eq(store_txn_added(t), 3 * BATCH_OWNERS);
	ck_assert_int_eq(commit(s, t, "example.test.", 2), RODNS_OK);
	ck_assert_uint_eq(zcount(s, id), 3 * BATCH_OWNERS);
	ck_assert_int_eq(raw_int(tmp.path, RECOUNT_DIFF), 0);
	ck_assert_int_eq(raw_int(tmp.path, "SELECT count(DISTINCT okey) FROM rr"), BATCH_OWNERS);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

/* A version 1 file (no rrsig_inc, no zones.rrsigs) is migrated on open by
 * the writer, with counts equal to a recount, and then kept exact. */
START_TEST(test_migrate_v1)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t id = zone_new(s, "example.test.");
	int64_t id2 = zone_new(s, "other.test.");
	load_example(s, id);
	store_txn_t *t = begin(s, id2);
	ck_assert_int_eq(add(t, "other.test.", DNS_T_A, A(1), false), RODNS_OK);
	ck_assert_int_eq(add(t, "other.test.", DNS_T_RRSIG, SIG(DNS_T_A, 13, 1, T0 + 9, X0), false),
			 RODNS_OK);
	ck_assert_int_eq(commit(s, t, "other.test.", 1), RODNS_OK);
	store_close(s);
	raw_exec(tmp.path, "DROP TABLE rrsig_inc; ALTER TABLE zones DROP COLUMN rrsigs;"
			   " PRAGMA user_version = 1");
	store_t *r = NULL;
	ck_assert_int_eq(store_open(tmp.path, STORE_RDONLY, &r), RODNS_E_STORE);
	s = open_rw(tmp.path);
	ck_assert_int_eq(raw_int(tmp.path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	ck_assert_int_eq(raw_int(tmp.path, "SELECT count(*) FROM rrsig_inc"), 2);
	ck_assert_int_eq(raw_int(tmp.path, RECOUNT_DIFF), 0);
	ck_assert_uint_eq(zcount(s, id), EXAMPLE_RRS);
	store_inception_t g[2];
	size_t n = 0;
	uint64_t total = 0;
	ck_assert_int_eq(store_rrsig_inceptions(s, id, T0 - 1, g, 2, &n, &total), 0);
	ck_assert(n == 1 && total == 10 && g[0].inception == (int64_t)T0 && g[0].count == 10);
	ck_assert_int_eq(store_rrsig_inceptions(s, id2, T0, g, 2, &n, &total), 0);
	ck_assert(n == 1 && total == 1 && g[0].inception == (int64_t)T0 + 9);
	/* the migrated file keeps working */
	t = begin(s, id);
	ck_assert_int_eq(del(t, "a.example.test.", DNS_T_RRSIG, SIG(DNS_T_A, 13, 1, T0, X0 + 10)),
			 RODNS_OK);
	ck_assert_int_eq(
	    add(t, "a.example.test.", DNS_T_RRSIG, SIG(DNS_T_A, 13, 1, T0 + 50, X0 + 10), true),
	    RODNS_OK);
	ck_assert_int_eq(commit(s, t, "example.test.", 2), RODNS_OK);
	ck_assert_int_eq(raw_int(tmp.path, RECOUNT_DIFF), 0);
	ck_assert_int_eq(store_rrsig_inceptions(s, id, T0, g, 2, &n, &total), 0);
	ck_assert(n == 1 && total == 10 && g[0].count == 1);
	store_close(s);
	r = open_ro(tmp.path);
	store_close(r);
	tmp_rm(&tmp);
}
END_TEST

/* ---- snapshots, zones, root --------------------------------------------- */

START_TEST(test_snapshot)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *w = open_rw(tmp.path);
	int64_t id = zone_new(w, "example.test.");
	load_example(w, id);
	store_t *r = open_ro(tmp.path);
	ck_assert_int_eq(store_read_begin(r), RODNS_OK);
	ck_assert_int_eq(store_read_begin(r), RODNS_E_STORE_BUSY);
	ck_assert_uint_eq(zcount(r, id), EXAMPLE_RRS);
	store_txn_t *t = begin(w, id);
	ck_assert_int_eq(add(t, "new.example.test.", DNS_T_A, A(1), true), RODNS_OK);
	ck_assert_int_eq(commit(w, t, "example.test.", 2), RODNS_OK);
	ck_assert_uint_eq(zcount(r, id), EXAMPLE_RRS); /* still the old serial */
	ck_assert_uint_eq(serial_of(r, "example.test."), 1);
	ck_assert_int_eq(rrset_n(r, id, "new.example.test.", DNS_T_A, 0), -1);
	store_read_end(r);
	ck_assert_uint_eq(zcount(r, id), EXAMPLE_RRS + 1);
	ck_assert_uint_eq(serial_of(r, "example.test."), 2);
	store_read_end(r); /* harmless */
	/* no write transaction inside a read snapshot on the same connection */
	ck_assert_int_eq(store_read_begin(w), RODNS_OK);
	ck_assert_int_eq(store_txn_begin(w, id, &t), RODNS_E_STORE_BUSY);
	store_read_end(w);
	store_close(r);
	store_close(w);
	tmp_rm(&tmp);
}
END_TEST

START_TEST(test_multi_zone)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t a = zone_new(s, "example.test.");
	int64_t b = zone_new(s, "sub.example.test."); /* the child, in the same file */
	load_example(s, a);
	store_txn_t *t = begin(s, b);
	ck_assert_int_eq(add(t, "sub.example.test.", DNS_T_SOA, SOA(9), false), RODNS_OK);
	ck_assert_int_eq(add(t, "sub.example.test.", DNS_T_NS, NAME("ns.sub.example.test."), 0), 0);
	ck_assert_int_eq(add(t, "ns.sub.example.test.", DNS_T_A, A(53), false), RODNS_OK);
	ck_assert_int_eq(add(t, "a.example.test.", DNS_T_A, A(1), false), RODNS_E_OUT_OF_ZONE);
	store_txn_abort(t);
	t = begin(s, b);
	ck_assert_int_eq(add(t, "sub.example.test.", DNS_T_SOA, SOA(9), false), RODNS_OK);
	ck_assert_int_eq(add(t, "www.sub.example.test.", DNS_T_A, A(80), false), RODNS_OK);
	ck_assert_int_eq(store_txn_commit(t, NULL), RODNS_OK);
	ck_assert_uint_eq(zcount(s, a), EXAMPLE_RRS);
	ck_assert_uint_eq(zcount(s, b), 2);
	ck_assert_int_eq(rrset_n(s, b, "sub.example.test.", DNS_T_NS, 0), -1);
	ck_assert_int_eq(rrset_n(s, a, "sub.example.test.", DNS_T_NS, 0), 1);
	ck_assert_int_eq(exists(s, b, "www.sub.example.test."), 1);
	ck_assert_int_eq(exists(s, a, "www.sub.example.test."), 0);
	t = begin(s, b);
	ck_assert_int_eq(store_txn_clear(t), RODNS_OK);
	ck_assert_int_eq(store_txn_commit(t, NULL), RODNS_OK);
	ck_assert_uint_eq(zcount(s, b), 0);
	ck_assert_uint_eq(zcount(s, a), EXAMPLE_RRS);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

START_TEST(test_root_zone)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t id = zone_new(s, ".");
	store_txn_t *t = begin(s, id);
	ck_assert_int_eq(add(t, ".", DNS_T_SOA, SOA(1), false), RODNS_OK);
	ck_assert_int_eq(add(t, ".", DNS_T_NSEC, NSEC("com."), false), RODNS_OK);
	ck_assert_int_eq(add(t, "com.", DNS_T_NS, NAME("a.gtld.com."), false), RODNS_OK);
	ck_assert_int_eq(add(t, "com.", DNS_T_NSEC, NSEC("."), false), RODNS_OK);
	ck_assert_int_eq(add(t, "a.gtld.com.", DNS_T_A, A(30), false), RODNS_OK);
	ck_assert_int_eq(commit(s, t, ".", 1), RODNS_OK);
	ck_assert_int_eq(exists(s, id, "."), 1);
	ck_assert_int_eq(exists(s, id, "gtld.com."), 1);
	ck_assert_int_eq(exists(s, id, "org."), 0);
	expect_ce(s, id, "www.org.", ".");
	expect_ce(s, id, "x.gtld.com.", "gtld.com.");
	expect_cut(s, id, ".", "www.example.com.", "com.");
	expect_cut(s, id, ".", "org.", NULL);
	expect_pred(s, id, "org.", "com.");
	expect_pred(s, id, "a.com.", "com.");
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

/* ---- full disk ---------------------------------------------------------- */

START_TEST(test_full)
{
	tmp_t tmp;
	char owner[64];
	tmp_make(&tmp);
	store_t *s = open_rw(tmp.path);
	int64_t id = zone_new(s, "example.test.");
	load_example(s, id);
	char *before = dump(s, id);
	store_close(s);
	s = open_rw(tmp.path);
	struct stat sb;
	ck_assert_int_eq(stat(tmp.path, &sb), 0);
	ck_assert_int_eq(store_set_max_pages(s, (uint32_t)(sb.st_size / 16384) + 4), RODNS_OK);
	store_txn_t *t = begin(s, id);
	int err = store_txn_clear(t);
	static const char big[] = "a long text record, written until the store is full .........."
				  "..............................................................";
	for (int i = 0; err == RODNS_OK && i < 200000; i++) {
		snprintf(owner, sizeof(owner), "h%06d.example.test.", i);
		err = add(t, owner, DNS_T_TXT, TXT(big), false);
		if (err == RODNS_OK && i % 3 == 0)
			err = add(t, owner, DNS_T_RRSIG,
				  SIG(DNS_T_TXT, 13, 1, T0, X0 + (uint32_t)i), false);
	}
	ck_assert_int_eq(err == RODNS_OK ? commit(s, t, "example.test.", 2)
					 : (commit(s, t, "example.test.", 2), err),
			 RODNS_E_STORE_FULL);
	/* the old serial is intact, here and on a fresh connection */
	expect_unchanged(s, id, before);
	store_t *r = open_ro(tmp.path);
	expect_unchanged(r, id, before);
	ck_assert_uint_eq(sigs_before(r, id, 0xffffffffu), 10);
	store_close(r);
	/* room again: writes work */
	ck_assert_int_eq(store_set_max_pages(s, 0), RODNS_OK);
	t = begin(s, id);
	ck_assert_int_eq(add(t, "more.example.test.", DNS_T_A, A(1), true), RODNS_OK);
	ck_assert_int_eq(commit(s, t, "example.test.", 2), RODNS_OK);
	ck_assert_uint_eq(zcount(s, id), EXAMPLE_RRS + 1);
	free(before);
	store_close(s);
	tmp_rm(&tmp);
}
END_TEST

/* ---- readers see one serial while a big transfer commits ---------------- */

#define BIG_RRS	  200000
#define SMALL_RRS 1000

typedef struct {
	const char *path;
	int64_t id;
	atomic_int stop, seen1, seen2, bad;
	char why[128];
} reader_t;

static int soa_serial_cb(void *arg, const dns_rr_t *rr)
{
	const uint8_t *p = rr->rdata + rr->rdlen - 20;
	*(uint32_t *)arg = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return 0;
}

/* One observation: (SOA serial, RR count) inside one snapshot. */
static void observe(reader_t *r, store_t *s, const dns_name_t *apex)
{
	uint32_t serial = 0;
	uint64_t n = 0;
	int e1 = store_read_begin(s);
	int e2 = store_rrset(s, r->id, apex, DNS_T_SOA, 0, soa_serial_cb, &serial);
	int e3 = store_zone_count(s, r->id, &n);
	store_read_end(s);
	if (e1 == RODNS_OK && e2 == RODNS_OK && e3 == RODNS_OK && serial == 1 && n == SMALL_RRS)
		atomic_fetch_add(&r->seen1, 1);
	else if (e1 == RODNS_OK && e2 == RODNS_OK && e3 == RODNS_OK && serial == 2 &&
		 n == BIG_RRS + 1)
		atomic_fetch_add(&r->seen2, 1);
	else if (atomic_fetch_add(&r->bad, 1) == 0)
		snprintf(r->why, sizeof(r->why), "errors %d %d %d, serial %u with %llu RRs", e1, e2,
			 e3, serial, (unsigned long long)n);
}

static void *reader_main(void *arg)
{
	reader_t *r = arg;
	store_t *s = NULL;
	dns_name_t apex;
	if (store_open(r->path, STORE_RDONLY, &s) != RODNS_OK ||
	    dns_name_from_text("big.test.", NULL, &apex) != RODNS_OK) {
		atomic_fetch_add(&r->bad, 1);
		return NULL;
	}
	while (!atomic_load(&r->stop))
		observe(r, s, &apex);
	store_close(s);
	return NULL;
}

static void load_big(store_t *s, int64_t id, uint32_t serial, int n)
{
	char owner[64];
	store_txn_t *t = begin(s, id);
	ck_assert_int_eq(store_txn_clear(t), RODNS_OK);
	ck_assert_int_eq(add(t, "big.test.", DNS_T_SOA, SOA(serial), false), RODNS_OK);
	for (int i = 0; i < n; i++) {
		snprintf(owner, sizeof(owner), "h%06d.big.test.", i);
		ck_assert_int_eq(add(t, owner, DNS_T_A, A((uint8_t)i), false), RODNS_OK);
	}
	ck_assert_int_eq(commit(s, t, "big.test.", serial), RODNS_OK);
}

static void wait_for(atomic_int *v, int at_least)
{
	for (int i = 0; i < 60000 && atomic_load(v) < at_least; i++)
		usleep(1000);
}

START_TEST(test_consistency_thread)
{
	tmp_t tmp;
	tmp_make(&tmp);
	store_t *w = open_rw(tmp.path);
	int64_t id = zone_new(w, "big.test.");
	load_big(w, id, 1, SMALL_RRS - 1);
	reader_t r = {.path = tmp.path, .id = id};
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, reader_main, &r), 0);
	wait_for(&r.seen1, 1);
	load_big(w, id, 2, BIG_RRS);
	wait_for(&r.seen2, 3);
	atomic_store(&r.stop, 1);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_msg(atomic_load(&r.bad) == 0, "%d mixed observations: %s", atomic_load(&r.bad),
		      r.why);
	ck_assert_int_ge(atomic_load(&r.seen1), 1);
	ck_assert_int_ge(atomic_load(&r.seen2), 3);
	store_close(w);
	tmp_rm(&tmp);
}
END_TEST

Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = t_case("core", T_UNIT);
	tcase_add_test(tc, test_create_reopen);
	tcase_add_test(tc, test_bad_files);
	tcase_add_test(tc, test_zone_meta);
	tcase_add_test(tc, test_txn_basic);
	tcase_add_test(tc, test_diff_errors);
	tcase_add_test(tc, test_diff_other);
	tcase_add_test(tc, test_prune_ixfr);
	tcase_add_test(tc, test_prune_reload);
	tcase_add_test(tc, test_lookup_names);
	tcase_add_test(tc, test_lookup_nsec);
	tcase_add_test(tc, test_lookup_nsec3);
	tcase_add_test(tc, test_owner_iter);
	tcase_add_test(tc, test_reentrant);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_expiry_changes);
	tcase_add_test(tc, test_expiry_details);
	tcase_add_test(tc, test_batch_axfr);
	tcase_add_test(tc, test_batch_exp_upsert);
	tcase_add_test(tc, test_batch_reverse);
	tcase_add_test(tc, test_migrate_v1);
	tcase_add_test(tc, test_snapshot);
	tcase_add_test(tc, test_multi_zone);
	tcase_add_test(tc, test_root_zone);
	suite_add_tcase(s, tc);
	TCase *heavy = t_case("heavy", T_HEAVY);
	tcase_add_test(heavy, test_damaged);
	tcase_add_test(heavy, test_inception_counts);
	tcase_add_test(heavy, test_full);
	tcase_add_test(heavy, test_consistency_thread);
	suite_add_tcase(s, heavy);
	return s;
}
