/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* rodns-verify: transfers a zone over TCP (AXFR, rodns's own message code)
 * and checks it with the DNSSEC primitives of dns/dnssec.c:
 *   - every RRSIG against its RRset and the apex DNSKEY with its key tag;
 *   - with NSEC3PARAM at the apex: every authoritative name and empty
 *     non-terminal hashes (dns_nsec3_hash) to an NSEC3 owner, and every
 *     NSEC3 owner is the hash of such a name;
 *   - with -d FILE: every DS in FILE (dnssec-dsfromkey output) matches an
 *     apex DNSKEY;
 *   - apex ZONEMD RRs (SHA-384, SHA-512) against the digest of the zone.
 *
 *   rodns-verify [-p PORT] [-t SECONDS] [-n NOW] [-d DSFILE] [-r REPEAT] [-v] SERVER ZONE
 *
 * NOW is the validation time (seconds since 1970, default: the clock).
 * -r REPEAT verifies every RRSIG REPEAT more times and prints the rate.
 * Prints one summary line per check; -v also names every failure. Exit
 * status 0 when everything verified, 1 when anything did not or on error,
 * 2 on bad usage. A test tool: no TSIG, no retries.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "dns/dnssec.h"
#include "dns/err.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rr.h"
#include "dns/text.h"
#include "tests/tools/axfr_client.h"

/* ---- the transfer (the transport of rodns-axfr) ---------------------------- */

struct xfr {
	axfr_client_t c;
	dns_name_t zone;
	unsigned soas;
	uint8_t rdbuf[DNS_RDATA_MAX];
};

static void usage(void)
{
	fprintf(stderr, "usage: rodns-verify [-p PORT] [-t SECONDS] [-n NOW] [-d DSFILE] "
			"[-r REPEAT] [-v] SERVER ZONE\n");
	exit(2);
}

/* ---- the zone in memory ------------------------------------------------------ */

typedef struct {
	dns_name_t owner;
	uint16_t type, rclass;
	uint32_t ttl;
	uint16_t rdlen;
	size_t off; /* RDATA in the arena */
} rec_t;

static struct {
	rec_t *r;
	size_t n, cap;
	uint8_t *arena;
	size_t used, acap;
} Z;

static const uint8_t *rd_of(const rec_t *r)
{
	return Z.arena + r->off;
}

static int zone_add(const dns_rr_t *rr)
{
	if (Z.n == Z.cap) {
		size_t cap = Z.cap ? 2 * Z.cap : 4096;
		rec_t *r = realloc(Z.r, cap * sizeof(*r));
		if (r == NULL)
			return -1;
		Z.r = r;
		Z.cap = cap;
	}
	if (Z.used + rr->rdlen > Z.acap) {
		size_t cap = Z.acap ? 2 * Z.acap : 1 << 20;
		while (cap < Z.used + rr->rdlen)
			cap *= 2;
		uint8_t *a = realloc(Z.arena, cap);
		if (a == NULL)
			return -1;
		Z.arena = a;
		Z.acap = cap;
	}
	rec_t *r = &Z.r[Z.n++];
	r->owner = rr->owner;
	r->type = rr->type;
	r->rclass = rr->rclass;
	r->ttl = rr->ttl;
	r->rdlen = rr->rdlen;
	r->off = Z.used;
	if (rr->rdlen > 0)
		memcpy(Z.arena + Z.used, rr->rdata, rr->rdlen);
	Z.used += rr->rdlen;
	return 0;
}

/* Canonical order: owner, type, RDATA (the order of the rodns store). */
static int rec_cmp(const void *a, const void *b)
{
	const rec_t *x = a, *y = b;
	int c = dns_name_cmp(&x->owner, &y->owner);
	if (c != 0)
		return c;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return dns_rdata_cmp(x->type, rd_of(x), x->rdlen, rd_of(y), y->rdlen);
}

/* Index of the first RR of (owner, type), or Z.n. */
static size_t find_set(const dns_name_t *owner, uint16_t type)
{
	size_t lo = 0, hi = Z.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const rec_t *m = &Z.r[mid];
		int c = dns_name_cmp(&m->owner, owner);
		if (c == 0)
			c = m->type < type ? -1 : m->type > type;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < Z.n && Z.r[lo].type == type && dns_name_eq(&Z.r[lo].owner, owner))
		return lo;
	return Z.n;
}

/* Stores the answer RRs of one message. 1 after the closing SOA, 0 when more
 * messages should follow, -1 on error. */
static int take_answers(struct xfr *x, const dns_msg_t *m)
{
	dns_rrcur_t c;
	dns_rr_t rr;
	int rc;

	dns_rrcur_init(&c, m, DNS_SEC_AN);
	while ((rc = dns_rrcur_next(&c, &rr, x->rdbuf, sizeof(x->rdbuf))) == 1) {
		if (x->soas == 2) {
			fprintf(stderr, "rodns-verify: RRs after the closing SOA\n");
			return -1;
		}
		if (Z.n == 0 && rr.type != DNS_T_SOA) {
			fprintf(stderr, "rodns-verify: transfer does not start with a SOA\n");
			return -1;
		}
		if (rr.type == DNS_T_SOA && dns_name_eq(&rr.owner, &x->zone) && ++x->soas == 2)
			continue; /* the closing SOA repeats the first */
		if (zone_add(&rr) != 0) {
			fprintf(stderr, "rodns-verify: out of memory\n");
			return -1;
		}
	}
	if (rc < 0) {
		fprintf(stderr, "rodns-verify: message %u: %s\n", x->c.msgs, rodns_strerror(rc));
		return -1;
	}
	return x->soas == 2 ? 1 : 0;
}

static int read_message(struct xfr *x)
{
	dns_msg_t m;
	return axfr_next(&x->c, &m) < 0 ? -1 : take_answers(x, &m);
}

/* ---- checks ------------------------------------------------------------------- */

static int verbose;
static dns_name_t apex;
static dns_key_t keys[64];
static size_t nkeys;

static void say_rr(const char *what, const rec_t *r, const char *why)
{
	char name[DNS_NAME_TEXT_MAX], type[16];

	if (!verbose)
		return;
	dns_name_to_text(&r->owner, name, sizeof(name));
	dns_type_name(r->type == DNS_T_RRSIG ? (uint16_t)(rd_of(r)[0] << 8 | rd_of(r)[1])
					     : r->type,
		      type, sizeof(type));
	printf("%s %s %s: %s\n", what, name, type, why);
}

static void load_keys(void)
{
	size_t i = find_set(&apex, DNS_T_DNSKEY);

	for (; i < Z.n && Z.r[i].type == DNS_T_DNSKEY && dns_name_eq(&Z.r[i].owner, &apex); i++) {
		if (nkeys == sizeof(keys) / sizeof(keys[0]))
			break;
		dns_key_t *k = &keys[nkeys];
		int rc = dns_key_parse(rd_of(&Z.r[i]), Z.r[i].rdlen, k);
		if (rc != RODNS_OK && rc != RODNS_E_UNSUPPORTED) {
			say_rr("BADKEY", &Z.r[i], rodns_strerror(rc));
			dns_key_free(k);
			continue;
		}
		k->owner = apex;
		nkeys++;
	}
}

/* Verifies the RRSIG Z.r[i] with any apex key that fits; DNS_V_*. */
static int verify_one(size_t i, uint32_t now, const uint8_t **rdp, uint16_t *rdl)
{
	const rec_t *s = &Z.r[i];
	dns_rrsig_t sig;

	if (dns_rrsig_parse(rd_of(s), s->rdlen, &sig) != RODNS_OK)
		return DNS_V_MALFORMED;
	size_t first = find_set(&s->owner, sig.covered), n = 0;
	for (size_t j = first; j < Z.n && Z.r[j].type == sig.covered &&
			       dns_name_eq(&Z.r[j].owner, &s->owner);
	     j++, n++) {
		rdp[n] = rd_of(&Z.r[j]);
		rdl[n] = Z.r[j].rdlen;
	}
	int why = DNS_V_KEYMISMATCH;
	for (size_t k = 0; k < nkeys && why != DNS_V_OK; k++) {
		if (keys[k].tag != sig.key_tag || keys[k].algorithm != sig.algorithm)
			continue;
		int rc = dns_rrsig_verify(&sig, rd_of(s), s->rdlen, &s->owner, s->rclass, rdp, rdl,
					  n, &keys[k], now, &why);
		if (rc < 0)
			return DNS_V_BADSIG;
	}
	return why;
}

static double clock_s(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Every RRSIG; prints one line per algorithm. Returns the number that failed. */
static size_t check_rrsigs(uint32_t now, unsigned repeat)
{
	size_t total[256] = {0}, bad[256] = {0}, nbad = 0, nsig = 0;
	const uint8_t **rdp = malloc(Z.n * sizeof(*rdp));
	uint16_t *rdl = malloc(Z.n * sizeof(*rdl));

	for (size_t i = 0; i < Z.n; i++) {
		if (Z.r[i].type != DNS_T_RRSIG || Z.r[i].rdlen < 3)
			continue;
		uint8_t alg = rd_of(&Z.r[i])[2];
		int why = verify_one(i, now, rdp, rdl);
		total[alg]++;
		nsig++;
		if (why != DNS_V_OK) {
			bad[alg]++;
			nbad++;
			say_rr("BAD", &Z.r[i], dns_v_str(why));
		}
	}
	for (int a = 0; a < 256; a++)
		if (total[a] > 0)
			printf("alg %d: %zu RRSIGs, %zu valid, %zu bad%s\n", a, total[a],
			       total[a] - bad[a], bad[a],
			       dns_alg_weak((uint8_t)a) ? " (weak algorithm)" : "");
	if (repeat > 0 && nsig > 0) {
		double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC);
		for (unsigned k = 0; k < repeat; k++)
			for (size_t i = 0; i < Z.n; i++)
				if (Z.r[i].type == DNS_T_RRSIG)
					verify_one(i, now, rdp, rdl);
		double c = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0, w = clock_s(CLOCK_MONOTONIC) - w0;
		printf("bench: %zu verifications, %.0f/s of CPU time, %.0f/s wall\n",
		       nsig * repeat, (double)(nsig * repeat) / c, (double)(nsig * repeat) / w);
	}
	free(rdp);
	free(rdl);
	return nbad;
}

/* Names that NSEC3 must cover: owners at or above a zone cut (not glue), and
 * the empty non-terminals between them and the apex. */
static bool below_cut(const dns_name_t *n)
{
	dns_name_t a;
	for (int k = 1; (int)n->labels - k > (int)apex.labels; k++) {
		dns_name_strip(n, (unsigned)k, &a);
		if (find_set(&a, DNS_T_NS) < Z.n)
			return true;
	}
	return false;
}

static int hash_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 20);
}

/* Returns the number of problems (0 without NSEC3PARAM). */
static size_t check_nsec3(void)
{
	size_t p = find_set(&apex, DNS_T_NSEC3PARAM);
	if (p == Z.n)
		return 0;
	const uint8_t *pr = rd_of(&Z.r[p]);
	if (Z.r[p].rdlen < 5 || Z.r[p].rdlen != 5u + pr[4]) {
		printf("nsec3: bad NSEC3PARAM\n");
		return 1;
	}
	uint16_t iter = (uint16_t)(pr[2] << 8 | pr[3]);
	uint8_t saltlen = pr[4];
	const uint8_t *salt = pr + 5;

	/* the NSEC3 owners' hashes, sorted */
	uint8_t(*owners)[20] = malloc((Z.n + 1) * 20);
	bool *used = calloc(Z.n + 1, 1);
	size_t no = 0, problems = 0, names = 0;
	for (size_t i = 0; i < Z.n; i++) {
		if (Z.r[i].type != DNS_T_NSEC3 || (i > 0 && Z.r[i - 1].type == DNS_T_NSEC3 &&
						   dns_name_eq(&Z.r[i - 1].owner, &Z.r[i].owner)))
			continue;
		char label[64];
		const dns_name_t *o = &Z.r[i].owner;
		memcpy(label, o->data + 1, o->data[0]);
		label[o->data[0]] = '\0';
		if (dns_b32hex_decode(label, owners[no], 20) != 20) {
			printf("nsec3: owner label is not a SHA-1 hash\n");
			problems++;
			continue;
		}
		no++;
	}
	qsort(owners, no, 20, hash_cmp);

	/* every name and the empty non-terminals above it, down to the apex
	 * (ancestors are hashed once per descendant: simple, and cheap enough) */
	for (size_t i = 0; i < Z.n; i++) {
		if (i > 0 && dns_name_eq(&Z.r[i - 1].owner, &Z.r[i].owner))
			continue;
		const dns_name_t *o = &Z.r[i].owner;
		if (Z.r[i].type == DNS_T_NSEC3 ||
		    (Z.r[i].type == DNS_T_RRSIG && i + 1 < Z.n && Z.r[i + 1].type == DNS_T_NSEC3 &&
		     dns_name_eq(&Z.r[i + 1].owner, o)))
			continue;
		if (below_cut(o))
			continue;
		for (unsigned k = 0; k + apex.labels <= o->labels; k++) {
			dns_name_t a;
			dns_name_strip(o, k, &a);
			uint8_t h[20];
			dns_nsec3_hash(&a, iter, salt, saltlen, h);
			uint8_t(*hit)[20] = bsearch(h, owners, no, 20, hash_cmp);
			if (k == 0)
				names++;
			if (hit == NULL) {
				char text[DNS_NAME_TEXT_MAX];
				dns_name_to_text(&a, text, sizeof(text));
				if (verbose)
					printf("NSEC3 missing for %s\n", text);
				problems++;
			} else {
				used[hit - owners] = true;
			}
		}
	}
	size_t unused = 0;
	for (size_t i = 0; i < no; i++)
		unused += !used[i];
	printf("nsec3: %zu names hashed (iterations %u, salt %u octets), %zu NSEC3 owners, "
	       "%zu missing, %zu unmatched\n",
	       names, iter, saltlen, no, problems, unused);
	free(owners);
	free(used);
	return problems + unused;
}

/* dnssec-dsfromkey lines: "owner [TTL] [IN] DS tag alg type digest...". */
static size_t check_ds(const char *file)
{
	FILE *f = fopen(file, "r");
	char line[1024];
	size_t n = 0, ok = 0;

	if (f == NULL) {
		printf("ds: %s: %s\n", file, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *ds = strstr(line, " DS ");
		unsigned tag, alg, dt;
		int off = 0;
		if (ds == NULL || sscanf(ds + 4, "%u %u %u %n", &tag, &alg, &dt, &off) != 3)
			continue;
		uint8_t rd[4 + 64];
		rd[0] = (uint8_t)(tag >> 8);
		rd[1] = (uint8_t)tag;
		rd[2] = (uint8_t)alg;
		rd[3] = (uint8_t)dt;
		int dl = dns_hex_decode(ds + 4 + off, rd + 4, sizeof(rd) - 4);
		n++;
		if (dl <= 0)
			continue;
		bool match = false;
		size_t i = find_set(&apex, DNS_T_DNSKEY);
		for (; i < Z.n && Z.r[i].type == DNS_T_DNSKEY && !match; i++)
			match = dns_ds_matches(rd, 4 + (size_t)dl, &apex, rd_of(&Z.r[i]),
					       Z.r[i].rdlen) == 1;
		ok += match;
		if (!match && verbose)
			printf("DS %u %u %u matches no DNSKEY\n", tag, alg, dt);
	}
	fclose(f);
	printf("ds: %zu DS, %zu match an apex DNSKEY\n", n, ok);
	return n - ok + (n == 0);
}

/* Every apex ZONEMD against the digests of the zone as transferred. */
static size_t check_zonemd(void)
{
	size_t z = find_set(&apex, DNS_T_ZONEMD), soa = find_set(&apex, DNS_T_SOA);
	size_t n = 0, ok = 0;
	uint8_t d[2][DNS_ZONEMD_DIGEST_MAX];
	int dl[2];

	if (z == Z.n || soa == Z.n)
		return 0;
	for (int a = 0; a < 2; a++) {
		dns_zonemd_t *md = dns_zonemd_new(&apex, (uint8_t)(a + 1));
		for (size_t i = 0; i < Z.n && md != NULL; i++) {
			dns_rr_t rr = {Z.r[i].owner, Z.r[i].type, Z.r[i].rclass, Z.r[i].ttl,
				       Z.r[i].rdlen, rd_of(&Z.r[i])};
			dns_zonemd_add(md, &rr);
		}
		dl[a] = md != NULL ? dns_zonemd_final(md, d[a], sizeof(d[a])) : -ENOMEM;
		dns_zonemd_free(md);
	}
	const uint8_t *s = rd_of(&Z.r[soa]) + Z.r[soa].rdlen - 20;
	uint32_t serial = (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3];
	for (; z < Z.n && Z.r[z].type == DNS_T_ZONEMD && dns_name_eq(&Z.r[z].owner, &apex); z++) {
		const rec_t *r = &Z.r[z];
		for (int a = 0; a < 2; a++) {
			if (dl[a] < 0)
				continue;
			int rc = dns_zonemd_check(rd_of(r), r->rdlen, serial, (uint8_t)(a + 1), d[a],
						  (size_t)dl[a]);
			if (rc == RODNS_E_UNSUPPORTED)
				continue;
			n++;
			ok += rc == 1;
			if (rc != 1)
				say_rr("BAD", r, "ZONEMD digest does not match");
		}
	}
	printf("zonemd: %zu ZONEMD, %zu match\n", n, ok);
	return n - ok;
}

int main(int argc, char **argv)
{
	static struct xfr x; /* large buffers: not on the stack */
	const char *port = "53", *dsfile = NULL;
	int timeout = 10, opt, rc;
	uint32_t now = (uint32_t)time(NULL);
	unsigned repeat = 0;

	while ((opt = getopt(argc, argv, "p:t:n:d:r:v")) != -1) {
		switch (opt) {
		case 'p': port = optarg; break;
		case 't': timeout = atoi(optarg); break;
		case 'n': now = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'd': dsfile = optarg; break;
		case 'r': repeat = (unsigned)atoi(optarg); break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	if (argc - optind != 2 || timeout <= 0)
		usage();
	dns_name_t root = {.len = 1, .labels = 0, .data = {0}};
	rc = dns_name_from_text(argv[optind + 1], &root, &x.zone);
	if (rc != RODNS_OK) {
		fprintf(stderr, "rodns-verify: bad zone name %s: %s\n", argv[optind + 1],
			rodns_strerror(rc));
		return 1;
	}
	apex = x.zone;
	rc = axfr_open(&x.c, "rodns-verify", argv[optind], port, timeout, &x.zone);
	while (rc == 0)
		rc = read_message(&x);
	axfr_close(&x.c);
	if (rc != 1)
		return 1;

	qsort(Z.r, Z.n, sizeof(*Z.r), rec_cmp);
	printf("zone %s: %zu RRs in %u messages\n", argv[optind + 1], Z.n, x.c.msgs);
	load_keys();
	size_t problems = check_rrsigs(now, repeat);
	problems += check_nsec3();
	if (dsfile != NULL)
		problems += check_ds(dsfile);
	problems += check_zonemd();
	for (size_t i = 0; i < nkeys; i++)
		dns_key_free(&keys[i]);
	free(Z.r);
	free(Z.arena);
	printf("%s\n", problems == 0 ? "all verified" : "FAILED");
	return problems == 0 ? 0 : 1;
}
