/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for xfr/validate*.c: trust-anchor files, the generic-RR parser,
 * whole-zone validation of zones signed by BIND (NSEC, NSEC3, NSEC3
 * Opt-Out; ECDSA P-256, RSASHA256, Ed25519, RSASHA1) and ldns (ZONEMD),
 * each tampering rejected with its reason, the first failure in canonical
 * order whatever the threads do, and incremental (IXFR) validation.
 *
 * The fixtures in tests/data/validate/ come from make-fixtures.sh (signed
 * 2025-01-01 to 2035-01-01; the validator's clock is set to 2030). They
 * are RFC 3597 generic text, which xfr_rr_from_text reads without a parser
 * per type; the tampering is done on those lines as they are loaded. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check_bounds.h"
#include "dns/dnssec.h"
#include "dns/err.h"
#include "dns/text.h"
#include "xfr/validate.h"
#include "xfr/xfrin.h"

Suite *validate_suite(void);

#define DATA "data/validate/"
#define NOW  1893456000u /* 2030-01-01 */

/* ---- fixtures ----------------------------------------------------------- */

/* One change to the lines of a fixture: lines whose owner, type (TYPEn)
 * and, for RRSIGs, covered type (4 hex digits) match are dropped, or get
 * new hex RDATA, or become line. */
typedef struct {
	const char *owner, *type, *covered;
	const char *hex;
	const char *line;
} edit_t;

typedef struct {
	char dir[64];
	char path[128];
	store_t *s;
	store_zone_t z;
} fx_t;

static dns_name_t nm(const char *s)
{
	dns_name_t n;
	ck_assert_int_eq(dns_name_from_text(s, NULL, &n), RODNS_OK);
	return n;
}

/* Applies edits to line (tab-separated generic form); NULL: drop it. */
static const char *apply(const char *line, const edit_t *ed, char *buf, size_t cap)
{
	char f[7][1024] = {{0}};
	const char *p = line;
	for (int i = 0; i < 7 && *p; i++) {
		size_t n = strcspn(p, "\t ");
		snprintf(f[i], sizeof(f[i]), "%.*s", (int)n, p);
		p += n;
		p += strspn(p, "\t ");
	}
	for (; ed && ed->owner; ed++) {
		if (strcasecmp(f[0], ed->owner) != 0 || strcmp(f[3], ed->type) != 0 ||
		    (ed->covered && strncmp(f[6], ed->covered, 4) != 0))
			continue;
		if (ed->line)
			return ed->line;
		if (!ed->hex)
			return NULL;
		snprintf(buf, cap, "%s %s IN %s \\# %zu %s", f[0], f[1], f[3], strlen(ed->hex) / 2,
			 ed->hex);
		return buf;
	}
	return line;
}

static void add_line(store_txn_t *t, const dns_name_t *zone, const char *line, bool del)
{
	static uint8_t rd[DNS_RDATA_MAX];
	char why[256] = "";
	dns_rr_t rr;
	int r = xfr_rr_from_text(line, zone, 3600, &rr, rd, sizeof(rd), why, sizeof(why));
	ck_assert_msg(r >= 0, "%s: %s", line, why);
	if (r == 1)
		ck_assert_int_eq(del ? store_txn_del(t, &rr) : store_txn_add(t, &rr, false),
				 RODNS_OK);
}

/* Loads DATA/file into a fresh store as zone, through edits. */
static void fx_load(fx_t *f, const char *zone, const char *file, const edit_t *ed)
{
	static char line[70000], buf[70000];
	char path[256];
	snprintf(f->dir, sizeof(f->dir), "/tmp/rodns-val-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/s.db", f->dir);
	ck_assert_int_eq(store_open(f->path, STORE_CREATE, &f->s), RODNS_OK);
	f->z = (store_zone_t){.name = nm(zone)};
	ck_assert_int_eq(store_zone_ensure(f->s, &f->z), RODNS_OK);
	store_txn_t *t;
	ck_assert_int_eq(store_txn_begin(f->s, f->z.id, &t), RODNS_OK);
	ck_assert_int_eq(store_txn_clear(t), RODNS_OK);
	snprintf(path, sizeof(path), DATA "%s", file);
	FILE *in = fopen(path, "r");
	ck_assert_msg(in != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), in)) {
		const char *l = apply(line, ed, buf, sizeof(buf));
		if (l)
			add_line(t, &f->z.name, l, false);
	}
	fclose(in);
	ck_assert_int_eq(store_txn_prune_rrsigs(t, NULL), RODNS_OK);
	f->z.state = STORE_ZONE_OK;
	ck_assert_int_eq(store_txn_commit(t, &f->z), RODNS_OK);
}

static void fx_done(fx_t *f)
{
	char p[160];
	store_close(f->s);
	const char *sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, sfx[i]);
		unlink(p);
	}
	rmdir(f->dir);
}

static xfr_validator_t *mkval(const char *zone, const char *anchor, bool zonemd, uint32_t now,
			      unsigned workers)
{
	xfr_anchor_t *a = NULL;
	xfr_validator_t *v;
	char err[256] = "", path[256];
	if (anchor) {
		snprintf(path, sizeof(path), DATA "%s", anchor);
		dns_name_t z = nm(zone);
		ck_assert_msg(xfr_anchor_load(path, &z, &a, err, sizeof(err)) == RODNS_OK, "%s",
			      err);
	}
	dns_name_t z = nm(zone);
	ck_assert_int_eq(xfr_validator_create(&z, a, zonemd, &v), RODNS_OK);
	xfr_validator_set_now(v, now);
	xfr_validator_set_workers(v, workers);
	return v;
}

/* Runs v over the stored zone as an AXFR would (rolled back). */
static int run_axfr(fx_t *f, xfr_validator_t *v, char *reason, size_t cap)
{
	store_txn_t *t;
	ck_assert_int_eq(store_txn_begin(f->s, f->z.id, &t), RODNS_OK);
	int rc = xfr_validate(v, f->s, t, f->z.id, XFR_KIND_AXFR, reason, cap);
	store_txn_abort(t);
	return rc;
}

/* Loads, validates (AXFR), returns the result; reason gets the text. */
static int check_zone(const char *zone, const char *file, const edit_t *ed, const char *anchor,
		      bool zonemd, uint32_t now, char *reason, size_t cap)
{
	fx_t f;
	fx_load(&f, zone, file, ed);
	xfr_validator_t *v = mkval(zone, anchor, zonemd, now, 2);
	int rc = run_axfr(&f, v, reason, cap);
	xfr_validator_free(v);
	fx_done(&f);
	return rc;
}

static void expect_bogus(const char *zone, const char *file, const edit_t *ed, const char *anchor,
			 uint32_t now, const char *owner, const char *word)
{
	char reason[600] = "";
	int rc = check_zone(zone, file, ed, anchor, false, now, reason, sizeof(reason));
	ck_assert_msg(rc == XFR_E_BOGUS, "%s: expected BOGUS, got %d (%s)", file, rc, reason);
	ck_assert_msg(strstr(reason, word) != NULL, "reason lacks '%s': %s", word, reason);
	ck_assert_msg(strncmp(reason, owner, strlen(owner)) == 0,
		      "reason does not start with %s: %s", owner, reason);
}

/* ---- trust anchors and the text parser ---------------------------------- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(anchor_files)
{
	xfr_anchor_t *a = NULL;
	char err[300], path[] = "/tmp/rodns-anchor-XXXXXX";
	dns_name_t z = nm("nsec.val.test.");
	ck_assert_int_eq(xfr_anchor_load(DATA "nsec.val.test.ds", &z, &a, err, sizeof(err)),
			 RODNS_OK);
	ck_assert_uint_eq(xfr_anchor_count(a), 1);
	xfr_anchor_free(a);
	dns_name_t z3 = nm("nsec3.val.test.");
	ck_assert_int_eq(xfr_anchor_load(DATA "nsec3.val.test.dnskey", &z3, &a, err, sizeof(err)),
			 RODNS_OK);
	ck_assert_uint_eq(xfr_anchor_count(a), 1);
	xfr_anchor_free(a);

	ck_assert_int_eq(xfr_anchor_load("/nonexistent/x.ds", &z, &a, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_null(a);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/x.ds"));

	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	write_file(path, "; only a comment\n\n");
	ck_assert_int_eq(xfr_anchor_load(path, &z, &a, err, sizeof(err)), RODNS_E_SYNTAX);
	ck_assert_msg(strstr(err, ":2: no DS or DNSKEY") != NULL, "%s", err);
	write_file(path, "nsec.val.test. IN DS 1 13 2 00\nnsec.val.test. IN DS 1 13 2 "
			 "0000000000000000000000000000000000000000000000000000000000000000\n");
	ck_assert_int_eq(xfr_anchor_load(path, &z, &a, err, sizeof(err)), RODNS_E_SYNTAX);
	ck_assert_msg(strstr(err, ":1: DS digest of type 2 is 1 octets") != NULL, "%s", err);
	write_file(path, "nsec.val.test. 3600 IN DS 1 13 2 "
			 "00000000000000000000000000000000 00000000000000000000000000000000\n"
			 "nsec.val.test. IN DNSKEY 257 3 13 AAAA\nbogus line here\n");
	ck_assert_int_eq(xfr_anchor_load(path, &z, &a, err, sizeof(err)), RODNS_E_SYNTAX);
	ck_assert_msg(strstr(err, ":3: ") != NULL, "%s", err);
	write_file(path, "other.test. IN DS 1 13 2 "
			 "0000000000000000000000000000000000000000000000000000000000000000\n");
	ck_assert_int_eq(xfr_anchor_load(path, &z, &a, err, sizeof(err)), RODNS_E_SYNTAX);
	ck_assert_msg(strstr(err, ":1: owner other.test. is not the zone") != NULL, "%s", err);
	write_file(path, "@ IN A 192.0.2.1\n");
	ck_assert_int_eq(xfr_anchor_load(path, &z, &a, err, sizeof(err)), RODNS_E_SYNTAX);
	ck_assert_msg(strstr(err, ":1: ") != NULL, "%s", err);
	unlink(path);
}
END_TEST

START_TEST(rr_text)
{
	uint8_t rd[DNS_RDATA_MAX];
	dns_rr_t rr;
	char why[200];
	dns_name_t o = nm("example.test.");
	ck_assert_int_eq(xfr_rr_from_text("www 300 IN TYPE1 \\# 4 c0000201", &o, 0, &rr, rd,
					  sizeof(rd), why, sizeof(why)),
			 1);
	ck_assert_uint_eq(rr.type, DNS_T_A);
	ck_assert_uint_eq(rr.ttl, 300);
	ck_assert_uint_eq(rr.rdlen, 4);
	ck_assert_uint_eq(rr.rdata[3], 1);
	ck_assert(dns_name_eq(&rr.owner, &(dns_name_t){0}) == false);
	ck_assert_int_eq(xfr_rr_from_text("@ IN 60 AAAA \\# 16 20010db8000000000000000000000001",
					  &o, 0, &rr, rd, sizeof(rd), why, sizeof(why)),
			 1);
	ck_assert(dns_name_eq(&rr.owner, &o));
	ck_assert_uint_eq(rr.ttl, 60);
	ck_assert_int_eq(
	    xfr_rr_from_text("; comment", &o, 0, &rr, rd, sizeof(rd), why, sizeof(why)), 0);
	ck_assert_int_eq(
	    xfr_rr_from_text("x A \\# 3 c00002", &o, 0, &rr, rd, sizeof(rd), why, sizeof(why)),
	    RODNS_E_RDATA);
	ck_assert_int_eq(
	    xfr_rr_from_text("x A \\# 4 c00002", &o, 0, &rr, rd, sizeof(rd), why, sizeof(why)),
	    RODNS_E_SYNTAX);
	ck_assert_int_eq(
	    xfr_rr_from_text("x A 192.0.2.1", &o, 0, &rr, rd, sizeof(rd), why, sizeof(why)),
	    RODNS_E_UNSUPPORTED);
	ck_assert_int_eq(
	    xfr_rr_from_text("x CH TXT \\# 1 00", &o, 0, &rr, rd, sizeof(rd), why, sizeof(why)),
	    RODNS_E_SYNTAX);
	ck_assert_int_eq(xfr_rr_from_text("@ DS 4711 13 2 01020304 05060708 01020304 05060708 "
					  "01020304 05060708 01020304 05060708",
					  &o, 0, &rr, rd, sizeof(rd), why, sizeof(why)),
			 1);
	ck_assert_uint_eq(rr.rdlen, 36);
	ck_assert_uint_eq(rr.rdata[0] << 8 | rr.rdata[1], 4711);
}
END_TEST

/* ---- whole zones -------------------------------------------------------- */

static const struct {
	const char *zone, *file, *anchor;
	bool nsec3, zonemd, weak;
} good[] = {
    {"nsec.val.test.", "nsec.val.test.gen", "nsec.val.test.ds", false, false, false},
    {"nsec.val.test.", "nsec.val.test.gen", NULL, false, false, false},
    {"nsec3.val.test.", "nsec3.val.test.gen", "nsec3.val.test.ds", true, false, false},
    {"nsec3.val.test.", "nsec3.val.test.gen", "nsec3.val.test.dnskey", true, false, false},
    {"optout.val.test.", "optout.val.test.gen", "optout.val.test.ds", true, false, false},
    {"rsa.val.test.", "rsa.val.test.gen", "rsa.val.test.ds", false, false, false},
    {"ed.val.test.", "ed.val.test.gen", "ed.val.test.ds", false, false, false},
    {"weak.val.test.", "weak.val.test.gen", "weak.val.test.ds", false, false, true},
    {"zonemd.val.test.", "zonemd.val.test.gen", "zonemd.val.test.ds", false, true, false},
};

START_TEST(good_zones)
{
	fx_t f;
	char reason[600] = "";
	fx_load(&f, good[_i].zone, good[_i].file, NULL);
	for (unsigned w = 0; w <= 2; w += 2) {
		xfr_validator_t *v = mkval(good[_i].zone, good[_i].anchor, good[_i].zonemd, NOW, w);
		int rc = run_axfr(&f, v, reason, sizeof(reason));
		ck_assert_msg(rc == RODNS_OK, "%s: %s", good[_i].file, reason);
		const xfr_validate_stats_t *st = xfr_validator_stats(v);
		ck_assert(st->full);
		ck_assert(st->nsec3 == good[_i].nsec3);
		ck_assert(st->zonemd == good[_i].zonemd);
		ck_assert(good[_i].weak ? st->weak == st->rrsets : st->weak == 0);
		ck_assert_uint_eq(st->weak_total, st->weak);
		ck_assert_uint_gt(st->rrsets, 70);
		ck_assert_uint_ge(st->sigs, st->rrsets);
		xfr_validator_free(v);
	}
	fx_done(&f);
}
END_TEST

/* ---- tampering ---------------------------------------------------------- */

START_TEST(changed_a_keeps_rrsig)
{
	const edit_t ed[] = {{"www.nsec.val.test.", "TYPE1", NULL, "c0000251", NULL}, {NULL}};
	expect_bogus("nsec.val.test.", "nsec.val.test.gen", ed, "nsec.val.test.ds", NOW,
		     "www.nsec.val.test. A: ", "bad signature");
	const edit_t ed3[] = {
	    {"www.nsec3.val.test.", "TYPE28", NULL, "20010db8000000000000000000000081", NULL},
	    {NULL}};
	expect_bogus("nsec3.val.test.", "nsec3.val.test.gen", ed3, "nsec3.val.test.ds", NOW,
		     "www.nsec3.val.test. AAAA: ", "bad signature");
}
END_TEST

START_TEST(removed_rrsig)
{
	const edit_t ed[] = {{"www.nsec.val.test.", "TYPE46", "0001", NULL, NULL}, {NULL}};
	expect_bogus("nsec.val.test.", "nsec.val.test.gen", ed, "nsec.val.test.ds", NOW,
		     "www.nsec.val.test. A: ", "missing signature");
	/* a DS at a delegation is signed; its NS is not */
	const edit_t ds[] = {{"sec.optout.val.test.", "TYPE46", "002b", NULL, NULL}, {NULL}};
	expect_bogus("optout.val.test.", "optout.val.test.gen", ds, "optout.val.test.ds", NOW,
		     "sec.optout.val.test. DS: ", "missing signature");
}
END_TEST

START_TEST(rrsig_unknown_key)
{
	char line[4096];
	FILE *f = fopen(DATA "nsec.val.test.other.gen", "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	fclose(f);
	const edit_t ed[] = {{"www.nsec.val.test.", "TYPE46", "0001", NULL, line}, {NULL}};
	expect_bogus("nsec.val.test.", "nsec.val.test.gen", ed, "nsec.val.test.ds", NOW,
		     "www.nsec.val.test. A: ", "bad signature");
	char reason[600];
	check_zone("nsec.val.test.", "nsec.val.test.gen", ed, "nsec.val.test.ds", false, NOW,
		   reason, sizeof(reason));
	ck_assert_msg(strstr(reason, "no such zone key") != NULL, "%s", reason);
}
END_TEST

START_TEST(expired_and_early)
{
	/* 2036: after every expiration; the apex DNSKEY set is the first RRset */
	expect_bogus("nsec.val.test.", "nsec.val.test.gen", NULL, "nsec.val.test.ds", 2100000000u,
		     "nsec.val.test. DNSKEY: ", "expired signature");
	expect_bogus("nsec3.val.test.", "nsec3.val.test.gen", NULL, "nsec3.val.test.ds",
		     1700000000u, "nsec3.val.test. DNSKEY: ", "signature not yet valid");
	/* one RRSIG's expiration moved back: expired (checked before the crypto) */
	char line[4096] = "";
	FILE *f = fopen(DATA "nsec.val.test.gen", "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) &&
	       !(strncmp(line, "h004.nsec.val.test.\t3600\tIN\tTYPE46", 34) == 0))
		;
	fclose(f);
	char *hex = strstr(line, "\\# 97 ");
	ck_assert_ptr_nonnull(hex);
	memcpy(hex + 6 + 16, "5e0be100", 8); /* expiration 2020-01-01 */
	const edit_t ed[] = {{"h004.nsec.val.test.", "TYPE46", "0001", NULL, line}, {NULL}};
	expect_bogus("nsec.val.test.", "nsec.val.test.gen", ed, "nsec.val.test.ds", NOW,
		     "h004.nsec.val.test. A: ", "expired signature");
}
END_TEST

START_TEST(missing_nsec)
{
	const edit_t ed[] = {{"h005.nsec.val.test.", "TYPE47", NULL, NULL, NULL}, {NULL}};
	expect_bogus("nsec.val.test.", "nsec.val.test.gen", ed, "nsec.val.test.ds", NOW,
		     "h005.nsec.val.test.: ", "broken NSEC chain");
	/* a whole name gone: its predecessor's next pointer is wrong */
	const edit_t gone[] = {{"h005.nsec.val.test.", "TYPE1", NULL, NULL, NULL},
			       {"h005.nsec.val.test.", "TYPE46", NULL, NULL, NULL},
			       {"h005.nsec.val.test.", "TYPE47", NULL, NULL, NULL},
			       {NULL}};
	expect_bogus("nsec.val.test.", "nsec.val.test.gen", gone, "nsec.val.test.ds", NOW,
		     "h004.nsec.val.test. NSEC: ", "broken NSEC chain");
}
END_TEST

static void nsec3_owner_of(const char *zone, const char *name, uint16_t iter, const char *salt,
			   char *out, size_t cap)
{
	uint8_t s[32], h[20];
	char b[40];
	int sl = salt[0] ? dns_hex_decode(salt, s, sizeof(s)) : 0;
	dns_name_t n = nm(name);
	dns_nsec3_hash(&n, iter, s, (uint8_t)sl, h);
	dns_b32hex_encode(h, 20, b, sizeof(b));
	snprintf(out, cap, "%s.%s", b, zone);
}

START_TEST(missing_nsec3)
{
	char h[300];
	nsec3_owner_of("nsec3.val.test.", "h010.nsec3.val.test.", 2, "aabbccdd", h, sizeof(h));
	const edit_t ed[] = {
	    {h, "TYPE50", NULL, NULL, NULL}, {h, "TYPE46", NULL, NULL, NULL}, {NULL}};
	char reason[600];
	int rc = check_zone("nsec3.val.test.", "nsec3.val.test.gen", ed, "nsec3.val.test.ds", false,
			    NOW, reason, sizeof(reason));
	ck_assert_int_eq(rc, XFR_E_BOGUS);
	ck_assert_msg(strstr(reason, "broken NSEC chain") != NULL, "%s", reason);
	/* an empty non-terminal needs one too */
	nsec3_owner_of("nsec3.val.test.", "b.c.nsec3.val.test.", 2, "aabbccdd", h, sizeof(h));
	rc = check_zone("nsec3.val.test.", "nsec3.val.test.gen", ed, "nsec3.val.test.ds", false,
			NOW, reason, sizeof(reason));
	ck_assert_int_eq(rc, XFR_E_BOGUS);
	ck_assert_msg(strstr(reason, "broken NSEC chain") != NULL, "%s", reason);
}
END_TEST

START_TEST(wrong_type_bitmap)
{
	/* h003 loses its TXT (and the RRSIG); its NSEC still lists TXT */
	const edit_t ed[] = {{"h003.nsec.val.test.", "TYPE16", NULL, NULL, NULL},
			     {"h003.nsec.val.test.", "TYPE46", "0010", NULL, NULL},
			     {NULL}};
	expect_bogus("nsec.val.test.", "nsec.val.test.gen", ed, "nsec.val.test.ds", NOW,
		     "h003.nsec.val.test. NSEC: ", "wrong type bitmap");
	const edit_t ed3[] = {{"h003.nsec3.val.test.", "TYPE16", NULL, NULL, NULL},
			      {"h003.nsec3.val.test.", "TYPE46", "0010", NULL, NULL},
			      {NULL}};
	char reason[600];
	int rc = check_zone("nsec3.val.test.", "nsec3.val.test.gen", ed3, "nsec3.val.test.ds",
			    false, NOW, reason, sizeof(reason));
	ck_assert_int_eq(rc, XFR_E_BOGUS);
	ck_assert_msg(strstr(reason, "wrong type bitmap") && strstr(reason, "h003.nsec3.val.test."),
		      "%s", reason);
}
END_TEST

START_TEST(dnskey_not_anchored)
{
	expect_bogus("nsec.val.test.", "nsec.val.test.gen", NULL, "nsec.val.test.other.ds", NOW,
		     "nsec.val.test. DNSKEY: ", "DNSKEY set does not match the trust anchor");
	/* no DNSKEY at all */
	char reason[600];
	const edit_t ed[] = {{"nsec.val.test.", "TYPE48", NULL, NULL, NULL}, {NULL}};
	int rc = check_zone("nsec.val.test.", "nsec.val.test.gen", ed, "nsec.val.test.ds", false,
			    NOW, reason, sizeof(reason));
	ck_assert_int_eq(rc, XFR_E_BOGUS);
	ck_assert_msg(strstr(reason, "DNSKEY set does not match the trust anchor"), "%s", reason);
}
END_TEST

START_TEST(zonemd_mismatch)
{
	/* glue is neither signed nor in the NSEC chain: only ZONEMD sees it */
	const edit_t ed[] = {{"ns.sec.zonemd.val.test.", "TYPE1", NULL, "c0000236", NULL}, {NULL}};
	expect_bogus("zonemd.val.test.", "zonemd.val.test.gen", ed, "zonemd.val.test.ds", NOW,
		     "zonemd.val.test. ZONEMD: ", "ZONEMD mismatch");
	char reason[600];
	int rc = check_zone("nsec.val.test.", "nsec.val.test.gen", ed, "nsec.val.test.ds", true,
			    NOW, reason, sizeof(reason));
	ck_assert_int_eq(rc, XFR_E_BOGUS);
	ck_assert_msg(strstr(reason, "missing ZONEMD"), "%s", reason);
	const edit_t glue[] = {{"ns.sec.nsec.val.test.", "TYPE1", NULL, "c0000236", NULL}, {NULL}};
	rc = check_zone("nsec.val.test.", "nsec.val.test.gen", glue, "nsec.val.test.ds", false, NOW,
			reason, sizeof(reason));
	ck_assert_msg(rc == RODNS_OK, "glue is not signed: %s", reason);
}
END_TEST

START_TEST(harmless_changes)
{
	/* a TTL (the RRSIG carries the original) */
	const edit_t ed[] = {{"www.nsec.val.test.", "TYPE1", NULL, NULL,
			      "www.nsec.val.test. 60 IN TYPE1 \\# 4 c0000250"},
			     {NULL}};
	char reason[600];
	int rc = check_zone("nsec.val.test.", "nsec.val.test.gen", ed, "nsec.val.test.ds", false,
			    NOW, reason, sizeof(reason));
	ck_assert_msg(rc == RODNS_OK, "%s", reason);
}
END_TEST

/* Batches of one or two RRsets: every RRset goes through the queue, the
 * ring wraps many times and both workers run at once. */
START_TEST(tiny_batches)
{
	fx_t f;
	char reason[600];
	fx_load(&f, "nsec3.val.test.", "nsec3.val.test.gen", NULL);
	for (unsigned b = 1; b <= 2; b++) {
		xfr_validator_t *v = mkval("nsec3.val.test.", "nsec3.val.test.ds", false, NOW, 2);
		xfr_validator_set_batch(v, b);
		ck_assert_msg(run_axfr(&f, v, reason, sizeof(reason)) == RODNS_OK, "%s", reason);
		ck_assert_uint_gt(xfr_validator_stats(v)->rrsets, 80);
		xfr_validator_free(v);
	}
	fx_done(&f);
	const edit_t ed[] = {{"h017.nsec.val.test.", "TYPE1", NULL, "0a000063", NULL}, {NULL}};
	fx_load(&f, "nsec.val.test.", "nsec.val.test.gen", ed);
	xfr_validator_t *v = mkval("nsec.val.test.", "nsec.val.test.ds", false, NOW, 2);
	xfr_validator_set_batch(v, 1);
	ck_assert_int_eq(run_axfr(&f, v, reason, sizeof(reason)), XFR_E_BOGUS);
	ck_assert_msg(strncmp(reason, "h017.nsec.val.test. A: bad signature", 36) == 0, "%s",
		      reason);
	xfr_validator_free(v);
	fx_done(&f);
}
END_TEST

START_TEST(first_failure_wins)
{
	const edit_t ed[] = {{"h017.nsec.val.test.", "TYPE1", NULL, "0a000063", NULL},
			     {"h003.nsec.val.test.", "TYPE1", NULL, "0a000062", NULL},
			     {"mail.nsec.val.test.", "TYPE46", "0001", NULL, NULL},
			     {NULL}};
	fx_t f;
	char reason[600];
	fx_load(&f, "nsec.val.test.", "nsec.val.test.gen", ed);
	for (int k = 0; k < 6; k++) {
		xfr_validator_t *v =
		    mkval("nsec.val.test.", "nsec.val.test.ds", false, NOW, (unsigned)(k % 3));
		xfr_validator_set_batch(v, (unsigned)k + 1);
		ck_assert_int_eq(run_axfr(&f, v, reason, sizeof(reason)), XFR_E_BOGUS);
		ck_assert_msg(strncmp(reason, "h003.nsec.val.test. A: bad signature", 36) == 0,
			      "%s", reason);
		xfr_validator_free(v);
	}
	fx_done(&f);
}
END_TEST

/* ---- IXFR --------------------------------------------------------------- */

/* Applies DATA/file ("-RR"/"+RR" lines) minus the lines containing any of
 * skip, plus extra lines, in t. */
static void apply_diff(store_txn_t *t, const dns_name_t *zone, const char *file,
		       const char *const *skip, const char *const *extra)
{
	static char line[70000];
	char path[256];
	snprintf(path, sizeof(path), DATA "%s", file);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		bool drop = false;
		for (const char *const *s = skip; s && *s && !drop; s++)
			drop = strstr(line, *s) != NULL;
		if (!drop && (line[0] == '-' || line[0] == '+'))
			add_line(t, zone, line + 1, line[0] == '-');
	}
	fclose(f);
	for (const char *const *e = extra; e && *e; e++)
		add_line(t, zone, *e + 1, **e == '-');
}

/* Loads zone v1, takes a baseline (AXFR check), applies the diff and runs
 * the IXFR check; prune: as xfr_in_commit does before validating. */
static int ixfr(const char *zone, const char *const *skip, const char *const *extra, bool prune,
		char *reason, size_t cap, xfr_validate_stats_t *st)
{
	char gen[128], ds[128], diff[128];
	snprintf(gen, sizeof(gen), "%sgen", zone);
	snprintf(ds, sizeof(ds), "%sds", zone);
	snprintf(diff, sizeof(diff), "%sixfr", zone);
	fx_t f;
	fx_load(&f, zone, gen, NULL);
	xfr_validator_t *v = mkval(zone, ds, false, NOW, 2);
	ck_assert_int_eq(run_axfr(&f, v, reason, cap), RODNS_OK);
	store_txn_t *t;
	ck_assert_int_eq(store_txn_begin(f.s, f.z.id, &t), RODNS_OK);
	apply_diff(t, &f.z.name, diff, skip, extra);
	if (prune)
		ck_assert_int_eq(store_txn_prune_rrsigs(t, NULL), RODNS_OK);
	int rc = xfr_validate(v, f.s, t, f.z.id, XFR_KIND_IXFR, reason, cap);
	*st = *xfr_validator_stats(v);
	store_txn_abort(t);
	xfr_validator_free(v);
	fx_done(&f);
	return rc;
}

static const char *const izones[] = {"nsec.val.test.", "nsec3.val.test.", "optout.val.test."};

START_TEST(ixfr_good)
{
	char reason[600];
	xfr_validate_stats_t st;
	int rc = ixfr(izones[_i], NULL, NULL, false, reason, sizeof(reason), &st);
	ck_assert_msg(rc == RODNS_OK, "%s: %s", izones[_i], reason);
	ck_assert_msg(!st.full, "%s checked whole: %s", izones[_i], st.why_full);
	ck_assert_uint_gt(st.touched, 3);
	ck_assert_uint_lt(st.rrsets, 40);
	/* after pruning, as xfr_in_commit runs it: valid, whole or not */
	rc = ixfr(izones[_i], NULL, NULL, true, reason, sizeof(reason), &st);
	ck_assert_msg(rc == RODNS_OK, "%s: %s", izones[_i], reason);
}
END_TEST

START_TEST(ixfr_tampered)
{
	char reason[600];
	xfr_validate_stats_t st;
	/* www's new A arrives without its new RRSIG */
	const char *const nosig[] = {"+www.nsec.val.test.\t3600\tIN\tTYPE46", NULL};
	int rc = ixfr("nsec.val.test.", nosig, NULL, false, reason, sizeof(reason), &st);
	ck_assert_int_eq(rc, XFR_E_BOGUS);
	ck_assert(!st.full);
	ck_assert_msg(strstr(reason, "www.nsec.val.test. A: missing signature"), "%s", reason);
	/* h007 should go, but stays while h006's new NSEC skips it */
	const char *const keep7[] = {"h007.", NULL};
	rc = ixfr("nsec.val.test.", keep7, NULL, false, reason, sizeof(reason), &st);
	ck_assert_int_eq(rc, XFR_E_BOGUS);
	ck_assert_msg(strstr(reason, "h006.nsec.val.test. NSEC: broken NSEC chain"), "%s", reason);
	/* new1 arrives but mail's NSEC is not updated */
	const char *const oldmail[] = {"mail.nsec.val.test.\t300", NULL};
	rc = ixfr("nsec.val.test.", oldmail, NULL, false, reason, sizeof(reason), &st);
	ck_assert_int_eq(rc, XFR_E_BOGUS);
	ck_assert_msg(strstr(reason, "broken NSEC chain"), "%s", reason);
	/* an A changed in transit at an untouched owner: its old RRSIG stays */
	const char *const chg[] = {"-h011.nsec.val.test. 3600 IN TYPE1 \\# 4 0a00000b",
				   "+h011.nsec.val.test. 3600 IN TYPE1 \\# 4 0a00000c", NULL};
	rc = ixfr("nsec.val.test.", NULL, chg, false, reason, sizeof(reason), &st);
	ck_assert_int_eq(rc, XFR_E_BOGUS);
	ck_assert_msg(strstr(reason, "h011.nsec.val.test. A: bad signature"), "%s", reason);
	/* NSEC3: an unchanged name's NSEC3 removed */
	char h[300], del1[400], del2[400];
	nsec3_owner_of("nsec3.val.test.", "h010.nsec3.val.test.", 2, "aabbccdd", h, sizeof(h));
	FILE *f = fopen(DATA "nsec3.val.test.gen", "r");
	char line[4096];
	del1[0] = del2[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncasecmp(line, h, strlen(h)) == 0)
			snprintf(strstr(line, "TYPE50") ? del1 : del2, 400, "-%.398s", line);
	}
	fclose(f);
	const char *const drop3[] = {del1, del2, NULL};
	rc = ixfr("nsec3.val.test.", NULL, drop3, false, reason, sizeof(reason), &st);
	ck_assert_int_eq(rc, XFR_E_BOGUS);
	ck_assert(!st.full);
	ck_assert_msg(strstr(reason, "broken NSEC chain"), "%s", reason);
}
END_TEST

static int find_cb(void *arg, const dns_name_t *name)
{
	dns_name_t want = nm("zz.nsec.val.test.");
	*(bool *)arg |= dns_name_eq(name, &want);
	return 0;
}

/* An owner that only gains RRs without an RRSIG (no deletion there) is
 * rejected when the store lists it as touched. store/txn.c records an
 * owner only for deletions and added RRSIGs, so this checks what the store
 * does and says so when the gap is there. */
START_TEST(ixfr_unsigned_add)
{
	fx_t f;
	store_txn_t *t;
	bool listed = false;
	fx_load(&f, "nsec.val.test.", "nsec.val.test.gen", NULL);
	ck_assert_int_eq(store_txn_begin(f.s, f.z.id, &t), RODNS_OK);
	add_line(t, &f.z.name, "zz.nsec.val.test. 3600 IN TYPE1 \\# 4 c0000201", false);
	ck_assert_int_eq(store_txn_touched(f.s, t, find_cb, &listed), RODNS_OK);
	store_txn_abort(t);
	fx_done(&f);
	char reason[600];
	xfr_validate_stats_t st;
	const char *const add[] = {"+zz.nsec.val.test. 3600 IN TYPE1 \\# 4 c0000201", NULL};
	int rc = ixfr("nsec.val.test.", NULL, add, false, reason, sizeof(reason), &st);
	if (listed) {
		ck_assert_int_eq(rc, XFR_E_BOGUS);
		ck_assert_msg(strstr(reason, "zz.nsec.val.test."), "%s", reason);
	} else {
		fprintf(stderr,
			"check_validate: note: the store does not list owners that only "
			"gain unsigned RRs as touched; an IXFR that adds one is not seen "
			"(verdict: %s)\n",
			rc == RODNS_OK ? "valid" : reason);
	}
}
END_TEST

Suite *validate_suite(void)
{
	Suite *s = suite_create("validate");
	TCase *tc = t_case("validate", T_UNIT);
	tcase_add_test(tc, anchor_files);
	tcase_add_test(tc, rr_text);
	tcase_add_loop_test(tc, good_zones, 0, sizeof(good) / sizeof(good[0]));
	tcase_add_test(tc, changed_a_keeps_rrsig);
	tcase_add_test(tc, removed_rrsig);
	tcase_add_test(tc, rrsig_unknown_key);
	tcase_add_test(tc, expired_and_early);
	tcase_add_test(tc, missing_nsec);
	tcase_add_test(tc, missing_nsec3);
	tcase_add_test(tc, wrong_type_bitmap);
	tcase_add_test(tc, dnskey_not_anchored);
	tcase_add_test(tc, zonemd_mismatch);
	tcase_add_test(tc, harmless_changes);
	tcase_add_test(tc, tiny_batches);
	tcase_add_test(tc, first_failure_wins);
	tcase_add_loop_test(tc, ixfr_good, 0, 3);
	tcase_add_test(tc, ixfr_tampered);
	tcase_add_test(tc, ixfr_unsigned_add);
	suite_add_tcase(s, tc);
	return s;
}
