/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Replays the malformed-message corpus (the .bin files of
 * tests/data/malformed/): every file must be rejected by dns_msg_parse, and
 * nothing along the way may crash. Also replays the .bin files of
 * tests/data/regress/, valid or not, for crashes (and valid ones for a
 * clean re-encoding). Each file is read
 * into a buffer of exactly its size so that ASan sees any read past the end. */
#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check_bounds.h"
#include "dns/msg.h"

Suite *malformed_suite(void);

#define CORPUS_MIN 25

static uint8_t rdbuf[DNS_RDATA_MAX];
static uint8_t out[65535];
static char text[70000];

static void data_dir(const char *sub, char *path, size_t cap)
{
	const char *top = getenv("RODNS_TOP");

	if (top && *top)
		snprintf(path, cap, "%s/tests/data/%s", top, sub);
	else
		snprintf(path, cap, "data/%s", sub);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	ck_assert_int_le(n, 65535);
	rewind(f);
	/* exactly n octets (malloc(0) may return NULL, so keep one spare) */
	buf = malloc(n > 0 ? (size_t)n : 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Everything a consumer may do with a message, whatever parse said: walk
 * every section with the cursor, print and re-encode each RR read into
 * out (zeroed first, so results do not hang on earlier files). Returns
 * what dns_mbuild_finish returned. */
static int walk_all(const dns_msg_t *m)
{
	dns_mbuild_t b;

	memset(out, 0, sizeof(out));
	dns_mbuild_init(&b, out, sizeof(out), m->id, m->flags);
	for (int s = DNS_SEC_QD; s <= DNS_SEC_AR; s++) {
		dns_rrcur_t c;
		dns_rr_t rr;
		int rc;

		dns_rrcur_init(&c, m, s);
		while ((rc = dns_rrcur_next(&c, &rr, rdbuf, sizeof(rdbuf))) == 1) {
			if (s == DNS_SEC_QD) {
				dns_mbuild_question(&b, &rr.owner, rr.type, rr.rclass);
				continue;
			}
			dns_rr_to_text(&rr, text, sizeof(text));
			dns_rdata_to_text(rr.type, rr.rdata, rr.rdlen, text, sizeof(text));
			dns_mbuild_rr(&b, s, &rr);
		}
		ck_assert_int_le(rc, 0);
	}
	return dns_mbuild_finish(&b);
}

typedef int (*replay_fn)(const char *name, const uint8_t *buf, size_t len);

/* Calls fn on every *.bin file of data/<sub>; returns how many there were. */
static int replay_dir(const char *sub, replay_fn fn)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *de;
	DIR *d;
	int files = 0;

	data_dir(sub, dir, sizeof(dir));
	d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot open %s (cwd must be tests/ or RODNS_TOP set)", dir);
	while ((de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name);

		if (nl < 5 || strcmp(de->d_name + nl - 4, ".bin") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		size_t len;
		uint8_t *buf = read_file(path, &len);

		fn(de->d_name, buf, len);
		free(buf);
		files++;
	}
	closedir(d);
	return files;
}

/* expect.txt (written by make-corpus.py): "file.bin CODE" lines. */
#define EXPECT_MAX 512
static struct {
	char file[128];
	int err;
} expect[EXPECT_MAX];
static int n_expect;

static int err_code(const char *name)
{
	static const struct {
		const char *name;
		int err;
	} codes[] = {
	    {"TRUNC", RODNS_E_TRUNC},	      {"MALFORMED", RODNS_E_MALFORMED},
	    {"NAME_LOOP", RODNS_E_NAME_LOOP}, {"NAME_LONG", RODNS_E_NAME_LONG},
	    {"LABEL", RODNS_E_LABEL},	      {"RDATA", RODNS_E_RDATA},
	    {"EDNS", RODNS_E_EDNS},	      {"UNSUPPORTED", RODNS_E_UNSUPPORTED},
	};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(codes[i].name, name) == 0)
			return codes[i].err;
	ck_abort_msg("expect.txt: unknown error name %s", name);
	return 0;
}

static void load_expect(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], line[256], file[128], code[64];
	FILE *f;

	data_dir("malformed", dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/expect.txt", dir);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	n_expect = 0;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || sscanf(line, "%127s %63s", file, code) != 2)
			continue;
		ck_assert_int_lt(n_expect, EXPECT_MAX);
		snprintf(expect[n_expect].file, sizeof(expect[n_expect].file), "%s", file);
		expect[n_expect].err = err_code(code);
		n_expect++;
	}
	fclose(f);
}

static int must_fail(const char *name, const uint8_t *buf, size_t len)
{
	dns_msg_t m;
	int rc = dns_msg_parse(&m, buf, len);
	int i;

	ck_assert_msg(rc < 0, "%s: parsed (rc %d) but must be rejected", name, rc);
	for (i = 0; i < n_expect && strcmp(expect[i].file, name) != 0; i++)
		;
	ck_assert_msg(i < n_expect, "%s: not in expect.txt (add it to make-corpus.py)", name);
	ck_assert_msg(rc == expect[i].err, "%s: rejected with %d (%s), expected %d (%s)", name, rc,
		      rodns_strerror(rc), expect[i].err, rodns_strerror(expect[i].err));
	walk_all(&m);
	return rc;
}

/* Regression files need not be valid; those that are must still be valid
 * after the builder re-encodes them (the fuzzer's oracle, replayed). */
static int must_not_crash(const char *name, const uint8_t *buf, size_t len)
{
	dns_msg_t m, m2;
	int rc = dns_msg_parse(&m, buf, len);
	int olen = walk_all(&m);

	if (rc == RODNS_OK && olen > 0) {
		int rc2 = dns_msg_parse(&m2, out, (size_t)olen);

		ck_assert_msg(rc2 == RODNS_OK, "%s: re-encoded message does not parse: %s", name,
			      rodns_strerror(rc2));
		for (int s = DNS_SEC_QD; s <= DNS_SEC_AR; s++)
			ck_assert_uint_eq(m2.count[s], m.count[s]);
	}
	return rc;
}

START_TEST(t_corpus_rejected)
{
	load_expect();
	int files = replay_dir("malformed", must_fail);

	ck_assert_int_eq(files, n_expect);
	ck_assert_msg(files >= CORPUS_MIN, "only %d corpus files found (want >= %d)", files,
		      CORPUS_MIN);
}
END_TEST

START_TEST(t_regress_no_crash)
{
	int files = replay_dir("regress", must_not_crash);

	ck_assert_int_ge(files, 1);
}
END_TEST

/* No proper prefix of a corpus file crashes anything. (Some prefixes are
 * valid: trailing-garbage.bin minus its last octet is a good query.) */
static int prefixes_no_crash(const char *name, const uint8_t *buf, size_t len)
{
	(void)name;
	for (size_t n = 0; n < len; n++) {
		uint8_t *p = malloc(n > 0 ? n : 1);
		dns_msg_t m;

		ck_assert_ptr_nonnull(p);
		memcpy(p, buf, n);
		dns_msg_parse(&m, p, n);
		walk_all(&m);
		free(p);
	}
	return 0;
}

START_TEST(t_corpus_prefixes)
{
	replay_dir("malformed", prefixes_no_crash);
}
END_TEST

Suite *malformed_suite(void)
{
	Suite *s = suite_create("malformed");
	TCase *tc = t_case("corpus", T_UNIT);

	tcase_add_test(tc, t_corpus_rejected);
	tcase_add_test(tc, t_corpus_prefixes);
	tcase_add_test(tc, t_regress_no_crash);
	suite_add_tcase(s, tc);
	return s;
}
