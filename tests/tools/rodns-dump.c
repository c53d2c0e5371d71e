/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* rodns-dump: prints a zone straight from a rodns SQLite store, in
 * canonical order, one RR per line in presentation format (the tests
 * compare it with the primary's AXFR).
 *
 *   rodns-dump STORE ZONE            every RR
 *   rodns-dump STORE ZONE serial     just the stored serial ("-" when empty)
 *   rodns-dump STORE ZONE state      serial, state, RR count
 */
#include <stdio.h>
#include <string.h>

#include "dns/rr.h"
#include "store/store.h"

static int print_rr(void *arg, const dns_rr_t *rr)
{
	static char line[DNS_RDATA_MAX * 4];
	(void)arg;
	if (dns_rr_to_text(rr, line, sizeof(line)) < 0) {
		fprintf(stderr, "rodns-dump: cannot print a record\n");
		return 1;
	}
	puts(line);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: rodns-dump STORE ZONE [serial|state]\n");
		return 2;
	}
	dns_name_t zone;
	if (dns_name_from_text(argv[2], &(dns_name_t){.len = 1, .labels = 0, .data = {0}},
			       &zone) != RODNS_OK) {
		fprintf(stderr, "rodns-dump: bad zone name %s\n", argv[2]);
		return 2;
	}
	store_t *s = NULL;
	int rc = store_open(argv[1], STORE_RDONLY, &s);
	if (rc != RODNS_OK) {
		fprintf(stderr, "rodns-dump: %s: %s\n", argv[1], rodns_strerror(rc));
		return 1;
	}
	store_zone_t z;
	rc = store_zone_get(s, &zone, &z);
	if (rc == RODNS_OK && argc == 4) {
		uint64_t n = 0;
		if (z.state == STORE_ZONE_EMPTY)
			printf("-\n");
		else if (strcmp(argv[3], "serial") == 0)
			printf("%u\n", z.serial);
		else if (store_zone_count(s, z.id, &n) == RODNS_OK)
			printf("serial=%u state=%d rrs=%llu\n", z.serial, z.state,
			       (unsigned long long)n);
	} else if (rc == RODNS_OK) {
		store_read_begin(s);
		rc = store_zone_iter(s, z.id, print_rr, NULL);
		store_read_end(s);
	}
	if (rc != RODNS_OK)
		fprintf(stderr, "rodns-dump: %s: %s\n", argv[2], rodns_strerror(rc));
	store_close(s);
	return rc == RODNS_OK ? 0 : 1;
}
