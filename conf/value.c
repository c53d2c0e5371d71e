/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Scalar value parsers: durations, sizes, booleans, addresses, prefixes. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/internal.h"
#include "dns/err.h"

/* Reads decimal digits at *p into *v; at least one, no overflow past max. */
static int read_num(const char **p, uint64_t max, uint64_t *v)
{
	const char *s = *p;
	uint64_t n = 0;

	if (!isdigit((unsigned char)*s))
		return RODNS_E_SYNTAX;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		if (n > (max - d) / 10)
			return RODNS_E_SYNTAX;
		n = n * 10 + d;
	}
	*p = s;
	*v = n;
	return RODNS_OK;
}

static int unit_rank(char u, uint64_t *mul)
{
	static const char units[] = "smhdw";
	static const uint64_t muls[] = { 1, 60, 3600, 86400, 604800 };
	const char *f = u ? strchr(units, tolower((unsigned char)u)) : NULL;

	if (!f)
		return -1;
	*mul = muls[f - units];
	return (int)(f - units);
}

int conf_parse_duration(const char *s, uint32_t *out)
{
	uint64_t total = 0, n, mul;
	int last = 5, parts = 0, r;

	if (!s || !*s)
		return RODNS_E_SYNTAX;
	while (*s) {
		if (read_num(&s, UINT32_MAX, &n) != RODNS_OK)
			return RODNS_E_SYNTAX;
		parts++;
		if (!*s && parts == 1) {
			*out = (uint32_t)n;
			return RODNS_OK;
		}
		/* Units go largest first, once each: "1h30m", not "30m1h". */
		r = unit_rank(*s, &mul);
		if (r < 0 || r >= last)
			return RODNS_E_SYNTAX;
		last = r;
		s++;
		total += n * mul;
		if (total > UINT32_MAX)
			return RODNS_E_SYNTAX;
	}
	*out = (uint32_t)total;
	return RODNS_OK;
}

int conf_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "kmgt";
	const char *f;
	uint64_t n;
	unsigned shift = 0;

	if (!s || read_num(&s, UINT64_MAX, &n) != RODNS_OK)
		return RODNS_E_SYNTAX;
	if (*s && (f = strchr(units, tolower((unsigned char)*s))) != NULL) {
		shift = 10 * (unsigned)(f - units + 1);
		s++;
		if (strcmp(s, "iB") == 0)
			s += 2;
	}
	if (*s || (shift && n > (UINT64_MAX >> shift)))
		return RODNS_E_SYNTAX;
	*out = n << shift;
	return RODNS_OK;
}

int conf_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on" };
	static const char *const no[] = { "no", "false", "off" };

	if (!s)
		return RODNS_E_SYNTAX;
	for (size_t i = 0; i < 3; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return RODNS_OK;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return RODNS_OK;
		}
	}
	return RODNS_E_SYNTAX;
}

static int parse_port(const char *s, uint16_t def_port, uint16_t *port, const char **why)
{
	uint64_t n;

	if (read_num(&s, 65535, &n) != RODNS_OK || *s) {
		*why = "port must be a number from 1 to 65535";
		return RODNS_E_SYNTAX;
	}
	if (n == 0 && def_port != 0) {
		*why = "port 0 is not allowed here";
		return RODNS_E_SYNTAX;
	}
	*port = (uint16_t)n;
	return RODNS_OK;
}

static void fill_addr(conf_addr_t *out, int af, const void *raw, uint16_t port)
{
	memset(out, 0, sizeof(*out));
	if (af == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&out->ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		memcpy(&a->sin_addr, raw, 4);
		out->len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&out->ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		memcpy(&a->sin6_addr, raw, 16);
		out->len = sizeof(*a);
	}
}

/* Splits s into host and port text; a NULL *port means none was given. */
static int split_host_port(const char *s, char *host, size_t cap, const char **port,
			   const char **why)
{
	const char *end, *sep;
	size_t hl;

	*port = NULL;
	if (*s == '[') {
		end = strchr(s, ']');
		if (!end || (end[1] && end[1] != '@' && end[1] != ':') ||
		    (end[1] && !end[2])) {
			*why = "expected [IPV6]:PORT";
			return RODNS_E_SYNTAX;
		}
		s++;
		hl = (size_t)(end - s);
		*port = end[1] ? end + 2 : NULL;
	} else if ((sep = strrchr(s, '@')) != NULL ||
		   ((sep = strchr(s, ':')) != NULL && !strchr(sep + 1, ':'))) {
		/* "@" always separates; ":" only when it is the only colon (IPv4). */
		hl = (size_t)(sep - s);
		*port = sep + 1;
	} else {
		hl = strlen(s);
	}
	if (hl == 0 || hl >= cap) {
		*why = "expected an IPv4 or IPv6 address";
		return RODNS_E_SYNTAX;
	}
	memcpy(host, s, hl);
	host[hl] = '\0';
	return RODNS_OK;
}

int conf_addr_parse(const char *s, uint16_t def_port, conf_addr_t *out, const char **why)
{
	char host[INET6_ADDRSTRLEN + 1];
	uint8_t raw[16];
	const char *ptext;
	uint16_t port = def_port;
	int af;

	*why = NULL;
	if (split_host_port(s, host, sizeof(host), &ptext, why) != RODNS_OK)
		return RODNS_E_SYNTAX;
	if (inet_pton(AF_INET, host, raw) == 1 && *s != '[') {
		af = AF_INET;
	} else if (inet_pton(AF_INET6, host, raw) == 1) {
		af = AF_INET6;
	} else {
		*why = "expected an IPv4 or IPv6 address, optionally @PORT";
		return RODNS_E_SYNTAX;
	}
	if (ptext && parse_port(ptext, def_port, &port, why) != RODNS_OK)
		return RODNS_E_SYNTAX;
	fill_addr(out, af, raw, port);
	return RODNS_OK;
}

int conf_parse_addr(const char *s, uint16_t def_port, conf_addr_t *out)
{
	const char *why;

	return s ? conf_addr_parse(s, def_port, out, &why) : RODNS_E_SYNTAX;
}

static int host_bits_clear(const conf_prefix_t *p)
{
	size_t alen = p->family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < alen; i++) {
		unsigned keep = p->bits >= (i + 1) * 8 ? 8 : p->bits > i * 8 ? p->bits - i * 8 : 0;
		uint8_t mask = (uint8_t)(0xffu >> keep);
		if (p->addr[i] & mask)
			return 0;
	}
	return 1;
}

int conf_prefix_parse(const char *s, conf_prefix_t *out, const char **why)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t hl = slash ? (size_t)(slash - s) : strlen(s);
	conf_prefix_t p;
	uint64_t bits;

	memset(&p, 0, sizeof(p));
	*why = "expected an IPv4 or IPv6 address or ADDRESS/LENGTH";
	if (hl == 0 || hl >= sizeof(host))
		return RODNS_E_SYNTAX;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, p.addr) == 1)
		p.family = AF_INET;
	else if (inet_pton(AF_INET6, host, p.addr) == 1)
		p.family = AF_INET6;
	else
		return RODNS_E_SYNTAX;
	bits = p.family == AF_INET ? 32 : 128;
	if (slash) {
		const char *b = slash + 1;
		if (read_num(&b, bits, &bits) != RODNS_OK || *b) {
			*why = "prefix length out of range";
			return RODNS_E_SYNTAX;
		}
	}
	p.bits = (uint8_t)bits;
	if (!host_bits_clear(&p)) {
		*why = "address has bits set beyond the prefix length";
		return RODNS_E_SYNTAX;
	}
	*out = p;
	return RODNS_OK;
}

int conf_parse_prefix(const char *s, conf_prefix_t *out)
{
	const char *why;

	return s ? conf_prefix_parse(s, out, &why) : RODNS_E_SYNTAX;
}

static bool prefix_has(const conf_prefix_t *p, int af, const uint8_t *a)
{
	unsigned full = p->bits / 8, rest = p->bits % 8;

	if (p->family != af || memcmp(p->addr, a, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xffu << (8 - rest));
	return (p->addr[full] & mask) == (a[full] & mask);
}

bool conf_acl_match(const conf_acl_t *acl, const struct sockaddr *sa)
{
	const uint8_t *a6 = NULL, *a4 = NULL;

	if (!acl || !sa)
		return false;
	if (sa->sa_family == AF_INET) {
		a4 = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *in6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		a6 = in6->s6_addr;
		if (IN6_IS_ADDR_V4MAPPED(in6))
			a4 = a6 + 12;
	}
	for (size_t i = 0; i < acl->n; i++) {
		if ((a4 && prefix_has(&acl->v[i], AF_INET, a4)) ||
		    (a6 && prefix_has(&acl->v[i], AF_INET6, a6)))
			return true;
	}
	return false;
}

int conf_addr_to_text(const conf_addr_t *a, char *buf, size_t cap)
{
	char host[INET6_ADDRSTRLEN];
	const void *raw;
	unsigned port;
	int n;

	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->ss;
		raw = &s4->sin_addr;
		port = ntohs(s4->sin_port);
	} else {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;
		raw = &s6->sin6_addr;
		port = ntohs(s6->sin6_port);
	}
	if (!inet_ntop(a->ss.ss_family, raw, host, sizeof(host)))
		return RODNS_E_SYNTAX;
	n = snprintf(buf, cap, "%s@%u", host, port);
	if (n < 0 || (size_t)n >= cap)
		return RODNS_E_SPACE;
	return n;
}

const char *conf_tsig_alg_name(conf_tsig_alg_t alg)
{
	static const char *const names[] = { "hmac-md5", "hmac-sha1", "hmac-sha256",
					     "hmac-sha384", "hmac-sha512" };
	return (unsigned)alg < 5 ? names[alg] : "unknown";
}

const char *conf_transport_name(conf_transport_t t)
{
	static const char *const names[] = { "tcp", "tls", "ipsec" };
	return (unsigned)t < 3 ? names[t] : "unknown";
}

const char *conf_log_level_name(conf_log_level_t l)
{
	static const char *const names[] = { "debug", "info", "notice", "warning", "error" };
	return (unsigned)l < 5 ? names[l] : "unknown";
}
