/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Presentation-format records for trust anchors (DS, DNSKEY) and RFC 3597
 * generic RDATA, and the trust-anchor file. See validate.h. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dnssec.h"
#include "dns/err.h"
#include "dns/text.h"
#include "xfr/validate.h"
#include "xfr/validate_int.h"

#define MAX_TOKENS   8 /* owner ttl class type and the first rdata fields */
#define LINE_MAX_LEN 70000

static int say(char *why, size_t cap, int err, const char *fmt, ...)
{
	if (why && cap > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, cap, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* Splits s in place into up to max tokens; *rest points after the last
 * token taken (the remainder, untouched). Returns the token count. */
static int tokens(char *s, char **tok, int max, char **rest)
{
	int n = 0;
	while (n < max) {
		while (*s && isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		tok[n++] = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
	*rest = s;
	return n;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || errno || v > max)
		return -1;
	*out = v;
	return 0;
}

/* The rdata text from token i on: tok[i..n) and rest joined by spaces
 * (hex and base64 decoders skip white space). */
static void join(char *buf, size_t cap, char **tok, int i, int n, const char *rest)
{
	size_t len = 0;
	buf[0] = '\0';
	for (; i < n; i++)
		len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, "%s ", tok[i]);
	if (len < cap)
		snprintf(buf + len, cap - len, "%s", rest);
}

static int digest_len(unsigned type)
{
	switch (type) {
	case DNS_DS_SHA1:
		return 20;
	case DNS_DS_SHA256:
		return 32;
	case DNS_DS_SHA384:
		return 48;
	default:
		return -1;
	}
}

/* "\# len hex" */
static int rd_generic(char **tok, int i, int n, const char *rest, uint8_t *rd, size_t cap,
		      char *text, size_t tcap, char *why, size_t whycap)
{
	unsigned long len;
	if (i >= n || parse_uint(tok[i], DNS_RDATA_MAX, &len) < 0)
		return say(why, whycap, RODNS_E_SYNTAX, "\\# needs a length");
	join(text, tcap, tok, i + 1, n, rest);
	int got = len > 0 ? dns_hex_decode(text, rd, cap) : 0;
	if (got < 0 || (unsigned long)got != len)
		return say(why, whycap, RODNS_E_SYNTAX, "\\# length %lu does not match the hex",
			   len);
	return got;
}

static int rd_ds(char **tok, int i, int n, const char *rest, uint8_t *rd, size_t cap, char *text,
		 size_t tcap, char *why, size_t whycap)
{
	unsigned long tag, alg, dt;
	if (n - i < 3 || parse_uint(tok[i], 65535, &tag) < 0 ||
	    parse_uint(tok[i + 1], 255, &alg) < 0 || parse_uint(tok[i + 2], 255, &dt) < 0)
		return say(why, whycap, RODNS_E_SYNTAX,
			   "DS needs: key-tag algorithm digest-type digest");
	rd[0] = (uint8_t)(tag >> 8);
	rd[1] = (uint8_t)tag;
	rd[2] = (uint8_t)alg;
	rd[3] = (uint8_t)dt;
	join(text, tcap, tok, i + 3, n, rest);
	int got = dns_hex_decode(text, rd + 4, cap - 4);
	if (got <= 0)
		return say(why, whycap, RODNS_E_SYNTAX, "DS digest is not hex");
	if (digest_len((unsigned)dt) > 0 && got != digest_len((unsigned)dt))
		return say(why, whycap, RODNS_E_RDATA, "DS digest of type %lu is %d octets, not %d",
			   dt, got, digest_len((unsigned)dt));
	return got + 4;
}

static int rd_dnskey(char **tok, int i, int n, const char *rest, uint8_t *rd, size_t cap,
		     char *text, size_t tcap, char *why, size_t whycap)
{
	unsigned long flags, proto, alg;
	if (n - i < 3 || parse_uint(tok[i], 65535, &flags) < 0 ||
	    parse_uint(tok[i + 1], 255, &proto) < 0 || parse_uint(tok[i + 2], 255, &alg) < 0)
		return say(why, whycap, RODNS_E_SYNTAX,
			   "DNSKEY needs: flags protocol algorithm public-key");
	rd[0] = (uint8_t)(flags >> 8);
	rd[1] = (uint8_t)flags;
	rd[2] = (uint8_t)proto;
	rd[3] = (uint8_t)alg;
	join(text, tcap, tok, i + 3, n, rest);
	int got = dns_b64_decode(text, rd + 4, cap - 4);
	if (got <= 0)
		return say(why, whycap, RODNS_E_SYNTAX, "DNSKEY public key is not base64");
	return got + 4;
}

/* owner [TTL] [class] type: fills rr's fixed fields; returns the index of
 * the first rdata token. */
static int header(char **tok, int n, const dns_name_t *origin, uint32_t ttl, dns_rr_t *rr,
		  char *why, size_t whycap)
{
	int i = 1;
	unsigned long v;
	if (strcmp(tok[0], "@") == 0 && origin)
		rr->owner = *origin;
	else if (dns_name_from_text(tok[0], origin, &rr->owner) != RODNS_OK)
		return say(why, whycap, RODNS_E_SYNTAX, "bad owner name '%s'", tok[0]);
	rr->ttl = ttl;
	rr->rclass = DNS_C_IN;
	for (int k = 0; k < 2 && i < n; k++) {
		if (parse_uint(tok[i], 0x7fffffff, &v) == 0) {
			rr->ttl = (uint32_t)v;
			i++;
		} else if (strcasecmp(tok[i], "IN") == 0 || strcasecmp(tok[i], "CLASS1") == 0) {
			i++;
		} else if (strcasecmp(tok[i], "CH") == 0 || strcasecmp(tok[i], "HS") == 0 ||
			   strncasecmp(tok[i], "CLASS", 5) == 0) {
			return say(why, whycap, RODNS_E_SYNTAX, "class %s is not IN", tok[i]);
		}
	}
	if (i >= n || dns_type_from_text(tok[i], &rr->type) != 0)
		return say(why, whycap, RODNS_E_SYNTAX, "no record type");
	return i + 1;
}

int xfr_rr_from_text(const char *line, const dns_name_t *origin, uint32_t ttl, dns_rr_t *rr,
		     uint8_t *rdbuf, size_t cap, char *why, size_t whycap)
{
	size_t len = strcspn(line, ";\r\n");
	if (len >= LINE_MAX_LEN)
		return say(why, whycap, RODNS_E_SYNTAX, "line too long");
	char small[2 * 512], *copy = small;
	if (len >= 510 && !(copy = malloc(2 * (len + 2))))
		return -ENOMEM;
	/* the rdata text joined again is at most one octet longer */
	size_t textcap = copy == small ? 512 : len + 2;
	char *text = copy + textcap, *tok[MAX_TOKENS], *rest;
	memcpy(copy, line, len);
	copy[len] = '\0';
	int n = tokens(copy, tok, MAX_TOKENS, &rest), r = 0;
	if (n > 0 && isspace((unsigned char)line[0]))
		r = say(why, whycap, RODNS_E_SYNTAX, "no owner name (line starts with a blank)");
	if (n > 0 && r == 0)
		r = header(tok, n, origin, ttl, rr, why, whycap);
	if (r > 0) {
		int i = r;
		if (i < n && strcmp(tok[i], "\\#") == 0)
			r = rd_generic(tok, i + 1, n, rest, rdbuf, cap, text, textcap, why, whycap);
		else if (rr->type == DNS_T_DS)
			r = rd_ds(tok, i, n, rest, rdbuf, cap, text, textcap, why, whycap);
		else if (rr->type == DNS_T_DNSKEY)
			r = rd_dnskey(tok, i, n, rest, rdbuf, cap, text, textcap, why, whycap);
		else
			r = say(why, whycap, RODNS_E_UNSUPPORTED,
				"only DS, DNSKEY or generic (\\#) records are read here");
	}
	if (r >= 0 && n > 0) {
		rr->rdata = rdbuf;
		rr->rdlen = (uint16_t)r;
		r = dns_rdata_check(rr->type, rdbuf, (size_t)r) == RODNS_OK
			? 1
			: say(why, whycap, RODNS_E_RDATA, "RDATA does not fit its type");
	}
	if (copy != small)
		free(copy);
	return n == 0 ? 0 : r;
}

/* ---- the anchor --------------------------------------------------------- */

static int anchor_add(xfr_anchor_t *a, uint16_t type, const uint8_t *rd, size_t len)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 4;
		xfr_anchor_rr_t *e = realloc(a->rr, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		a->rr = e;
		a->cap = cap;
	}
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, rd, len);
	a->rr[a->n++] = (xfr_anchor_rr_t){.type = type, .len = (uint16_t)len, .rdata = copy};
	return RODNS_OK;
}

int xfr_anchor_new(const dns_name_t *zone, const dns_rr_t *rrs, size_t n, xfr_anchor_t **out)
{
	xfr_anchor_t *a = calloc(1, sizeof(*a));
	int err = a ? RODNS_OK : -ENOMEM;
	if (a) {
		a->zone = *zone;
		dns_name_lower(&a->zone);
	}
	for (size_t i = 0; err == RODNS_OK && i < n; i++) {
		if (rrs[i].type != DNS_T_DS && rrs[i].type != DNS_T_DNSKEY)
			err = -EINVAL;
		else
			err = anchor_add(a, rrs[i].type, rrs[i].rdata, rrs[i].rdlen);
	}
	if (err != RODNS_OK) {
		xfr_anchor_free(a);
		a = NULL;
	}
	*out = a;
	return err;
}

/* One line of an anchor file into a; 1 added, 0 blank, <0 error (why). */
static int anchor_line(xfr_anchor_t *a, const char *line, uint8_t *rd, char *why, size_t cap)
{
	dns_rr_t rr;
	int r = xfr_rr_from_text(line, &a->zone, 0, &rr, rd, DNS_RDATA_MAX, why, cap);
	if (r <= 0)
		return r;
	if (rr.type != DNS_T_DS && rr.type != DNS_T_DNSKEY)
		return say(why, cap, RODNS_E_SYNTAX, "a trust anchor is a DS or DNSKEY record");
	if (!dns_name_eq(&rr.owner, &a->zone)) {
		char o[DNS_NAME_TEXT_MAX];
		dns_name_to_text(&rr.owner, o, sizeof(o));
		return say(why, cap, RODNS_E_SYNTAX, "owner %s is not the zone", o);
	}
	r = anchor_add(a, rr.type, rr.rdata, rr.rdlen);
	return r == RODNS_OK ? 1 : r;
}

int xfr_anchor_load(const char *path, const dns_name_t *zone, xfr_anchor_t **out, char *err,
		    size_t cap)
{
	*out = NULL;
	FILE *f = fopen(path, "r");
	if (!f) {
		int e = -errno;
		say(err, cap, 0, "%s: %s", path, strerror(errno));
		return e;
	}
	xfr_anchor_t *a = NULL;
	int rc = xfr_anchor_new(zone, NULL, 0, &a);
	uint8_t *rd = malloc(DNS_RDATA_MAX);
	char *line = malloc(LINE_MAX_LEN), why[256] = "";
	unsigned lineno = 0;
	if (!rd || !line)
		rc = -ENOMEM;
	while (rc == RODNS_OK && fgets(line, LINE_MAX_LEN, f)) {
		lineno++;
		int r = anchor_line(a, line, rd, why, sizeof(why));
		if (r < 0) {
			rc = r == -ENOMEM ? r : RODNS_E_SYNTAX;
			say(err, cap, 0, "%s:%u: %s", path, lineno, why);
		}
	}
	if (rc == RODNS_OK && ferror(f)) {
		rc = -EIO;
		say(err, cap, 0, "%s: read error", path);
	}
	if (rc == RODNS_OK && a->n == 0) {
		rc = RODNS_E_SYNTAX;
		say(err, cap, 0, "%s:%u: no DS or DNSKEY record in the trust anchor", path,
		    lineno ? lineno : 1);
	}
	fclose(f);
	free(rd);
	free(line);
	if (rc != RODNS_OK)
		xfr_anchor_free(a);
	else
		*out = a;
	return rc;
}

size_t xfr_anchor_count(const xfr_anchor_t *a)
{
	return a ? a->n : 0;
}

void xfr_anchor_free(xfr_anchor_t *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++)
		free(a->rr[i].rdata);
	free(a->rr);
	free(a);
}
