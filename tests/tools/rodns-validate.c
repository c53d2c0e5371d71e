/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* rodns-validate: runs the transfer validator (xfr/validate.h) on a zone in
 * a rodns store, inside a write transaction that it then rolls back, and
 * prints the verdict. `rodnsctl verify` is meant to do the same.
 *
 *   rodns-validate [-n NOW] [-w WORKERS] [-l FILE] [-d DIFF] [-T] [-z] STORE ZONE ANCHOR
 *
 * ANCHOR is a trust-anchor file (DS and/or DNSKEY lines) or "-" for the
 * zone's own DNSKEY set. Without -d the whole zone is checked, as after an
 * AXFR. -l FILE first replaces the stored zone by FILE and commits (the
 * store and zone are created when missing); FILE holds one record a line
 * in RFC 3597 generic form, "owner TTL IN TYPEn \# len hex", as
 * `ldns-read-zone -u TYPE...` prints it. -d DIFF applies DIFF (lines "-RR"
 * to delete and "+RR" to add, the same form) in the transaction and then
 * validates as after an IXFR; -T takes the stored zone as validated (no
 * whole-zone check first). -z: require a ZONEMD. NOW is the validation
 * time in seconds since 1970 (default: the clock).
 *
 * Prints one line: "ZONE: valid (...)" or "ZONE: BOGUS: reason". Exit
 * status 0 valid, 1 bogus, 2 usage or other errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dns/err.h"
#include "xfr/validate.h"
#include "xfr/xfrin.h"

#define LINE_CAP (2 * 65536 + 4096)

static void usage(void)
{
	fprintf(stderr, "usage: rodns-validate [-n NOW] [-w WORKERS] [-l FILE] [-d DIFF] [-T] [-z] "
			"STORE ZONE ANCHOR|-\n");
	exit(2);
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads FILE line by line; each record goes to add (sign '+'/'-' with
 * signed set, else '+'). */
static int each_rr(const char *path, const dns_name_t *zone, bool signed_lines,
		   int (*fn)(void *arg, const dns_rr_t *rr, bool add), void *arg)
{
	static char line[LINE_CAP];
	static uint8_t rd[DNS_RDATA_MAX];
	char why[256];
	unsigned no = 0;
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return -1;
	}
	int rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		no++;
		char *p = line;
		bool add = true;
		if (signed_lines && (*p == '+' || *p == '-'))
			add = *p++ == '+';
		else if (signed_lines && *p != '\n' && *p != ';')
			rc = -1;
		dns_rr_t rr;
		int r = rc ? RODNS_E_SYNTAX
			   : xfr_rr_from_text(p, zone, 3600, &rr, rd, sizeof(rd), why, sizeof(why));
		if (r < 0) {
			fprintf(stderr, "%s:%u: %s\n", path, no,
				rc ? "a diff line starts with + or -" : why);
			rc = -1;
		} else if (r == 1 && fn(arg, &rr, add) != RODNS_OK) {
			fprintf(stderr, "%s:%u: the store refused the record\n", path, no);
			rc = -1;
		}
	}
	fclose(f);
	return rc;
}

typedef struct {
	store_txn_t *t;
	uint32_t serial;
	bool soa;
} load_t;

static int load_rr(void *arg, const dns_rr_t *rr, bool add)
{
	load_t *l = arg;
	if (rr->type == DNS_T_SOA && rr->rdlen >= 22) {
		const uint8_t *p = rr->rdata + rr->rdlen - 20;
		l->serial =
		    ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
		l->soa = add;
	}
	return add ? store_txn_add(l->t, rr, false) : store_txn_del(l->t, rr);
}

/* -l: replaces the zone by the file's records and commits. */
static int load_zone(store_t *s, store_zone_t *z, const char *file)
{
	load_t l = {0};
	double t0 = mono();
	int rc = store_txn_begin(s, z->id, &l.t);
	if (rc == RODNS_OK)
		rc = store_txn_clear(l.t);
	if (rc == RODNS_OK && each_rr(file, &z->name, false, load_rr, &l) != 0)
		rc = RODNS_E_SYNTAX;
	if (rc == RODNS_OK)
		rc = store_txn_prune_rrsigs(l.t, NULL);
	z->serial = l.serial;
	z->state = STORE_ZONE_OK;
	uint64_t n = l.t ? store_txn_added(l.t) : 0;
	if (rc == RODNS_OK) {
		rc = store_txn_commit(l.t, z);
	} else {
		store_txn_abort(l.t);
	}
	if (rc == RODNS_OK)
		fprintf(stderr, "rodns-validate: loaded %llu records in %.2f s\n",
			(unsigned long long)n, mono() - t0);
	return rc;
}

int main(int argc, char **argv)
{
	uint32_t now = 0;
	int o, workers = 2;
	const char *load = NULL, *diff = NULL;
	bool trust = false, zonemd = false;
	while ((o = getopt(argc, argv, "n:w:l:d:Tz")) != -1) {
		switch (o) {
		case 'n':
			now = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'w':
			workers = atoi(optarg);
			break;
		case 'l':
			load = optarg;
			break;
		case 'd':
			diff = optarg;
			break;
		case 'T':
			trust = true;
			break;
		case 'z':
			zonemd = true;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 3 || workers < 0)
		usage();
	const char *path = argv[optind], *ztext = argv[optind + 1], *apath = argv[optind + 2];
	store_zone_t z = {0};
	char err[512] = "";
	if (dns_name_from_text(ztext, &(dns_name_t){.len = 1}, &z.name) != RODNS_OK) {
		fprintf(stderr, "rodns-validate: bad zone name %s\n", ztext);
		return 2;
	}
	dns_name_lower(&z.name);
	xfr_anchor_t *anchor = NULL;
	if (strcmp(apath, "-") != 0 && xfr_anchor_load(apath, &z.name, &anchor, err, sizeof(err))) {
		fprintf(stderr, "rodns-validate: %s\n", err);
		return 2;
	}
	xfr_validator_t *v = NULL;
	store_t *s = NULL;
	store_txn_t *t = NULL;
	int rc = xfr_validator_create(&z.name, anchor, zonemd, &v);
	if (rc == RODNS_OK) {
		xfr_validator_set_now(v, now);
		xfr_validator_set_workers(v, (unsigned)workers);
		if (trust)
			xfr_validator_trust_stored(v);
		rc = store_open(path, load ? STORE_CREATE : 0, &s);
	}
	if (rc == RODNS_OK)
		rc = load ? store_zone_ensure(s, &z) : store_zone_get(s, &z.name, &z);
	if (rc == RODNS_OK && load)
		rc = load_zone(s, &z, load);
	if (rc == RODNS_OK)
		rc = store_txn_begin(s, z.id, &t);
	load_t l = {.t = t};
	if (rc == RODNS_OK && diff && each_rr(diff, &z.name, true, load_rr, &l) != 0)
		rc = RODNS_E_SYNTAX;
	if (rc != RODNS_OK) {
		fprintf(stderr, "rodns-validate: %s%s%s\n", rodns_strerror(rc), s ? ": " : "",
			s ? store_errmsg(s) : "");
		store_txn_abort(t);
		store_close(s);
		xfr_validator_free(v);
		return 2;
	}
	char reason[1024];
	rc = xfr_validate(v, s, t, z.id, diff ? XFR_KIND_IXFR : XFR_KIND_AXFR, reason,
			  sizeof(reason));
	const xfr_validate_stats_t *st = xfr_validator_stats(v);
	if (rc == RODNS_OK)
		printf("%s: valid (%s%s%s, %llu owners, %llu RRsets, %llu signatures, %llu weak, "
		       "%s, ZONEMD %s, %.3f s)\n",
		       ztext, diff ? "IXFR" : "AXFR", st->full && diff ? " checked whole: " : "",
		       st->full && diff ? st->why_full : "", (unsigned long long)st->owners,
		       (unsigned long long)st->rrsets, (unsigned long long)st->sigs,
		       (unsigned long long)st->weak, st->nsec3 ? "NSEC3" : "NSEC",
		       st->zonemd ? "verified" : "none", st->seconds);
	else
		printf("%s: BOGUS: %s\n", ztext, reason);
	store_txn_abort(t);
	store_close(s);
	xfr_validator_free(v);
	return rc == RODNS_OK ? 0 : rc == XFR_E_BOGUS ? 1 : 2;
}
