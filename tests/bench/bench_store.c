/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* bench_store: load rate, memory and lookup rate of the SQLite zone store.
 *
 *   build/bench/bench_store [RRS [LOOKUPS]]     (defaults 1000000 1000000)
 *
 * Generates a signed zone on the fly in canonical order (never held in
 * memory): per name an A RRset, AAAA on odd names, TXT on every third, MX on
 * every fifth, an NSEC, and one RRSIG per RRset (ECDSA P-384 sized, 96
 * octets of signature, expirations spread at random over three days as
 * jittering signers do). Loads it into a fresh store in one transaction,
 * then does random A lookups on a read-only connection. Prints key=value
 * lines; the files live in a mkdtemp() directory and are removed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "dns/err.h"
#include "store/store.h"

#define SIGLEN	  96
#define BASE_TIME 1800000000u
#define JITTER	  (3 * 86400u)

typedef struct {
	store_txn_t *txn;
	uint64_t n, max;
	uint64_t rng;
	dns_name_t apex;
	uint8_t rd[512];
} gen_t;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double peak_rss_mb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

/* "hNNNNNNN.bench.test." without parsing text for every name. */
static void host_name(const dns_name_t *apex, uint32_t i, dns_name_t *out)
{
	char lab[16];
	int n = snprintf(lab, sizeof(lab), "h%07u", i);
	out->data[0] = (uint8_t)n;
	memcpy(out->data + 1, lab, (size_t)n);
	memcpy(out->data + 1 + n, apex->data, apex->len);
	out->len = (uint8_t)(1 + n + apex->len);
	out->labels = (uint8_t)(apex->labels + 1);
}

static int put(gen_t *g, const dns_name_t *owner, uint16_t type, const uint8_t *rd, size_t len)
{
	dns_rr_t rr = {.owner = *owner, .type = type, .rclass = DNS_C_IN, .ttl = 3600};
	rr.rdata = rd;
	rr.rdlen = (uint16_t)len;
	if (g->n >= g->max)
		return 1;
	g->n++;
	int err = store_txn_add(g->txn, &rr, false);
	if (err != RODNS_OK) {
		fprintf(stderr, "bench_store: add: %s\n", rodns_strerror(err));
		return err;
	}
	return 0;
}

static size_t rrsig_rdata(gen_t *g, uint16_t covered, uint8_t *rd)
{
	uint32_t exp = BASE_TIME + (uint32_t)(rnd(&g->rng) % JITTER), inc = BASE_TIME - 86400 * 14;
	uint8_t hdr[18] = {(uint8_t)(covered >> 8),
			   (uint8_t)covered,
			   14,
			   3,
			   0,
			   0,
			   0x0e,
			   0x10,
			   (uint8_t)(exp >> 24),
			   (uint8_t)(exp >> 16),
			   (uint8_t)(exp >> 8),
			   (uint8_t)exp,
			   (uint8_t)(inc >> 24),
			   (uint8_t)(inc >> 16),
			   (uint8_t)(inc >> 8),
			   (uint8_t)inc,
			   0x30,
			   0x39};
	memcpy(rd, hdr, 18);
	memcpy(rd + 18, g->apex.data, g->apex.len);
	size_t off = 18 + g->apex.len;
	for (size_t i = 0; i < SIGLEN; i += 8) {
		uint64_t r = rnd(&g->rng);
		memcpy(rd + off + i, &r, 8);
	}
	return off + SIGLEN;
}

/* NSEC RDATA: next name, then a window-0 bitmap of the types present. */
static size_t nsec_rdata(const dns_name_t *next, const uint16_t *types, int nt, uint8_t *rd)
{
	uint8_t bm[32] = {0};
	int maxb = 0;
	memcpy(rd, next->data, next->len);
	for (int i = 0; i < nt; i++) {
		bm[types[i] / 8] |= (uint8_t)(0x80 >> (types[i] % 8));
		maxb = types[i] / 8 > maxb ? types[i] / 8 : maxb;
	}
	rd[next->len] = 0;
	rd[next->len + 1] = (uint8_t)(maxb + 1);
	memcpy(rd + next->len + 2, bm, (size_t)maxb + 1);
	return next->len + 2 + (size_t)maxb + 1;
}

/* The data RRs of name i: fills rd per type and returns the type list. */
static int host_types(uint32_t i, uint16_t *types)
{
	int n = 0;
	types[n++] = DNS_T_A;
	if (i % 5 == 0)
		types[n++] = DNS_T_MX;
	if (i % 3 == 0)
		types[n++] = DNS_T_TXT;
	if (i % 2 == 1)
		types[n++] = DNS_T_AAAA;
	return n;
}

static size_t host_rdata(gen_t *g, uint16_t type, uint32_t i, uint8_t *rd)
{
	static const uint8_t mx[] = {0,	  10,  4,   'm', 'a', 'i', 'l', 5,   'b', 'e',
				     'n', 'c', 'h', 4,	 't', 'e', 's', 't', 0};
	switch (type) {
	case DNS_T_A:
		rd[0] = 10, rd[1] = (uint8_t)(i >> 16), rd[2] = (uint8_t)(i >> 8),
		rd[3] = (uint8_t)i;
		return 4;
	case DNS_T_MX:
		memcpy(rd, mx, sizeof(mx));
		return sizeof(mx);
	case DNS_T_TXT: {
		char t[64];
		int n = snprintf(t, sizeof(t), "v=spf1 ip4:10.%u.%u.0/24 -all", (i >> 16) & 255,
				 (i >> 8) & 255);
		rd[0] = (uint8_t)n;
		memcpy(rd + 1, t, (size_t)n);
		return 1 + (size_t)n;
	}
	default: /* AAAA */
		memset(rd, 0, 16);
		rd[0] = 0x20, rd[1] = 0x01, rd[2] = 0x0d, rd[3] = 0xb8;
		rd[12] = (uint8_t)(i >> 24), rd[13] = (uint8_t)(i >> 16);
		rd[14] = (uint8_t)(i >> 8), rd[15] = (uint8_t)i;
		(void)g;
		return 16;
	}
}

/* One owner: its RRsets, then its RRSIGs (canonical order sorts RRSIG, 46,
 * before NSEC, 47), then the NSEC. Returns non-zero when done or failed. */
static int gen_host(gen_t *g, uint32_t i, const dns_name_t *next)
{
	dns_name_t owner;
	uint16_t types[8];
	uint8_t sig[256];
	int nt = host_types(i, types), rc = 0;
	host_name(&g->apex, i, &owner);
	for (int k = 0; rc == 0 && k < nt; k++) {
		size_t len = host_rdata(g, types[k], i, g->rd);
		rc = put(g, &owner, types[k], g->rd, len);
	}
	types[nt++] = DNS_T_RRSIG;
	types[nt++] = DNS_T_NSEC;
	for (int k = 0; rc == 0 && k < nt; k++) {
		if (types[k] == DNS_T_RRSIG)
			continue;
		rc = put(g, &owner, DNS_T_RRSIG, sig, rrsig_rdata(g, types[k], sig));
	}
	if (rc == 0)
		rc = put(g, &owner, DNS_T_NSEC, g->rd, nsec_rdata(next, types, nt, g->rd));
	return rc;
}

/* The apex: SOA and its RRSIG and NSEC, then the hosts. */
static int gen_zone(gen_t *g, uint32_t *hosts)
{
	static const uint8_t soa_tail[] = {0,	 0,    0, 1,	0,    0,    0x0e, 0x10, 0,    0,
					   0x03, 0x84, 0, 0x09, 0x3a, 0x80, 0,	  0,	0x0e, 0x10};
	uint8_t sig[256];
	size_t len = 0;
	dns_name_t next;
	uint16_t apex_types[] = {DNS_T_SOA, DNS_T_RRSIG, DNS_T_NSEC};
	memcpy(g->rd, g->apex.data, g->apex.len), len += g->apex.len;
	memcpy(g->rd + len, g->apex.data, g->apex.len), len += g->apex.len;
	memcpy(g->rd + len, soa_tail, sizeof(soa_tail)), len += sizeof(soa_tail);
	int rc = put(g, &g->apex, DNS_T_SOA, g->rd, len);
	if (rc == 0)
		rc = put(g, &g->apex, DNS_T_RRSIG, sig, rrsig_rdata(g, DNS_T_SOA, sig));
	if (rc == 0)
		rc = put(g, &g->apex, DNS_T_RRSIG, sig, rrsig_rdata(g, DNS_T_NSEC, sig));
	host_name(&g->apex, 0, &next);
	if (rc == 0)
		rc = put(g, &g->apex, DNS_T_NSEC, g->rd, nsec_rdata(&next, apex_types, 3, g->rd));
	uint32_t i = 0;
	for (; rc == 0; i++) {
		host_name(&g->apex, i + 1, &next);
		rc = gen_host(g, i, &next);
	}
	*hosts = i;
	return rc < 0 ? rc : 0;
}

/* One AXFR-style load into zone of the open store s: clear, add every RR,
 * prune, commit. label names the output lines ("load", "reload"). */
static int load(store_t *s, store_zone_t *z, uint64_t max, uint32_t *hosts, const char *label)
{
	uint64_t pruned = 0;
	gen_t *g = calloc(1, sizeof(*g));
	if (!g)
		return -1;
	double t0 = now(), t1 = 0, t2 = 0;
	int err = store_txn_begin(s, z->id, &g->txn);
	if (err == RODNS_OK) {
		g->apex = z->name;
		g->max = max;
		g->rng = 88172645463325252ull;
		err = store_txn_clear(g->txn);
	}
	if (err == RODNS_OK)
		err = gen_zone(g, hosts);
	t1 = now();
	if (err == RODNS_OK)
		err = store_txn_prune_rrsigs(g->txn, &pruned);
	t2 = now();
	z->serial++;
	z->state = STORE_ZONE_OK;
	err = err == RODNS_OK ? store_txn_commit(g->txn, z) : (store_txn_abort(g->txn), err);
	double t3 = now();
	if (err != RODNS_OK) {
		fprintf(stderr, "bench_store: %s: %s (%s)\n", label, rodns_strerror(err),
			store_errmsg(s));
	} else {
		printf("%s_rr_per_s=%.0f peak_rss_mb=%.1f\n", label, (double)g->n / (t3 - t0),
		       peak_rss_mb());
		printf("%s_rrs=%llu add_s=%.2f prune_s=%.2f commit_s=%.2f pruned=%llu\n", label,
		       (unsigned long long)g->n, t1 - t0, t2 - t1, t3 - t2,
		       (unsigned long long)pruned);
	}
	free(g);
	return err;
}

static int count_cb(void *arg, const dns_rr_t *rr)
{
	(void)rr;
	(*(uint64_t *)arg)++;
	return 0;
}

/* Random A lookups; per_snap lookups share one read snapshot (0: none,
 * each lookup is its own implicit read transaction). */
static int lookups(store_t *s, int64_t zone, uint32_t hosts, uint64_t n, int per_snap, double *rate)
{
	dns_name_t apex, owner;
	uint64_t rng = 0x9e3779b97f4a7c15ull, found = 0;
	int err = dns_name_from_text("bench.test.", NULL, &apex);
	double t0 = now();
	for (uint64_t i = 0; err == RODNS_OK && i < n; i++) {
		if (per_snap && i % (uint64_t)per_snap == 0)
			err = store_read_begin(s);
		host_name(&apex, (uint32_t)(rnd(&rng) % hosts), &owner);
		if (err == RODNS_OK)
			err = store_rrset(s, zone, &owner, DNS_T_A, 0, count_cb, &found);
		if (per_snap && (i + 1) % (uint64_t)per_snap == 0)
			store_read_end(s);
	}
	store_read_end(s);
	*rate = (double)n / (now() - t0);
	if (err != RODNS_OK)
		fprintf(stderr, "bench_store: lookup: %s (%s)\n", rodns_strerror(err),
			store_errmsg(s));
	return err;
}

static void cleanup(const char *dir, const char *path)
{
	char p[600];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	rmdir(dir);
}

/* The writer stays open throughout, as in the daemon. */
static int run(const char *path, uint64_t rrs, uint64_t nlook)
{
	store_t *s = NULL, *w = NULL;
	store_zone_t z = {0};
	uint32_t hosts = 0;
	double plain = 0, snap1 = 0, snap = 0;
	int err = store_open(path, STORE_CREATE, &w);
	if (err == RODNS_OK)
		err = dns_name_from_text("bench.test.", NULL, &z.name);
	if (err == RODNS_OK)
		err = store_zone_ensure(w, &z);
	if (err == RODNS_OK)
		err = load(w, &z, rrs, &hosts, "load");
	if (err == RODNS_OK)
		err = load(w, &z, rrs, &hosts, "reload");
	double t0 = now();
	if (err == RODNS_OK)
		err = store_check(w);
	if (err == RODNS_OK)
		printf("quick_check_s=%.2f\n", now() - t0);
	if (err == RODNS_OK)
		err = store_open(path, STORE_RDONLY, &s);
	if (err == RODNS_OK)
		err = lookups(s, z.id, hosts, nlook, 0, &plain);
	if (err == RODNS_OK)
		err = lookups(s, z.id, hosts, nlook, 1, &snap1);
	if (err == RODNS_OK)
		err = lookups(s, z.id, hosts, nlook, 100, &snap);
	if (err == RODNS_OK) {
		printf("lookups_per_s=%.0f lookups=%llu\n", plain, (unsigned long long)nlook);
		printf("lookups_snapshot1_per_s=%.0f lookups_snapshot100_per_s=%.0f\n", snap1,
		       snap);
		printf("peak_rss_mb_after_lookups=%.1f\n", peak_rss_mb());
	}
	store_close(s);
	store_close(w);
	return err;
}

int main(int argc, char **argv)
{
	uint64_t rrs = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	uint64_t nlook = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
	char dir[] = "/tmp/bench_store.XXXXXX", path[512];

	if (!mkdtemp(dir)) {
		perror("bench_store: mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/store.db", dir);
	int err = run(path, rrs, nlook);
	cleanup(dir, path);
	return err == RODNS_OK ? 0 : 1;
}
