/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The zones section: primaries, references to tsig-keys and tls, timer
 * clamps, transfer limits, duplicate zone names and the lookup index. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/internal.h"
#include "dns/err.h"

#define NKEYS(t) (sizeof(t) / sizeof((t)[0]))

/* ---- primaries ---- */

static int set_transport(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	const char *s = conf_scalar(v);

	if (conf_want(c, v, YAML_SCALAR_NODE, k->name) < 0)
		return -1;
	for (int t = CONF_XPORT_TCP; t <= CONF_XPORT_IPSEC; t++) {
		if (!strcmp(s, conf_transport_name((conf_transport_t)t))) {
			*(conf_transport_t *)dst = (conf_transport_t)t;
			return 0;
		}
	}
	conf_err(c, v, "transport: expected tcp, tls or ipsec, got '%s'", s);
	return -1;
}

static int set_primary_addr(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	conf_primary_t *p = dst;
	uint16_t port = p->transport == CONF_XPORT_TLS ? CONF_DEF_TLS_PORT : CONF_DEF_PORT;
	const char *s = conf_scalar(v), *why;

	if (conf_want(c, v, YAML_SCALAR_NODE, k->name) < 0)
		return -1;
	if (conf_addr_parse(s, port, &p->addr, &why) != RODNS_OK) {
		conf_err(c, v, "address: bad address '%s': %s", s, why);
		return -1;
	}
	return 0;
}

static int set_source(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	conf_primary_t *p = dst;
	const char *s = conf_scalar(v), *why;

	if (conf_want(c, v, YAML_SCALAR_NODE, k->name) < 0)
		return -1;
	if (conf_addr_parse(s, 0, &p->source, &why) != RODNS_OK) {
		conf_err(c, v, "source: bad address '%s': %s", s, why);
		return -1;
	}
	p->has_source = true;
	return 0;
}

static int set_tsig_ref(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	conf_primary_t *p = dst;
	dns_name_t n;

	if (conf_name(c, v, k->name, &n, NULL) < 0)
		return -1;
	p->tsig = conf_tsig_find(c->conf, &n);
	if (!p->tsig) {
		conf_err(c, v, "tsig: key '%s' is not defined in tsig-keys", conf_scalar(v));
		return -1;
	}
	return 0;
}

static int set_tls_ref(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	conf_primary_t *p = dst;

	if (conf_want(c, v, YAML_SCALAR_NODE, k->name) < 0)
		return -1;
	p->tls = conf_tls_find(c->conf, conf_scalar(v));
	if (!p->tls) {
		conf_err(c, v, "tls: '%s' is not defined in the tls section", conf_scalar(v));
		return -1;
	}
	return 0;
}

/* The name of a CHILD config in charon (swanctl.conf `children`). */
static int set_initiate(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	char **p = dst;

	if (conf_set_str(c, v, dst, k) < 0 || !*p)
		return -1;
	for (const char *q = *p; *q; q++) {
		if ((unsigned char)*q < 0x21 || *q == 0x7f) {
			conf_err(c, v, "%s: a CHILD config name has no spaces or control characters",
				 k->name);
			return -1;
		}
	}
	if (strlen(*p) > 63) {
		conf_err(c, v, "%s: longer than 63 characters", k->name);
		return -1;
	}
	return 0;
}

/* transport first: the address's default port depends on it. */
static const conf_key_t primary_keys[] = {
	{ "transport", set_transport, offsetof(conf_primary_t, transport), 0, 0, 0 },
	{ "address", set_primary_addr, 0, 1, 0, 0 },
	{ "tsig", set_tsig_ref, 0, 0, 0, 0 },
	{ "tls", set_tls_ref, 0, 0, 0, 0 },
	{ "ipsec-id", conf_set_str, offsetof(conf_primary_t, ipsec_id), 0, 0, 0 },
	{ "ipsec-initiate", set_initiate, offsetof(conf_primary_t, ipsec_initiate), 0, 0, 0 },
	{ "source", set_source, 0, 0, 0, 0 },
};

#define SEEN(s, name) conf_seen_get(s, primary_keys, NKEYS(primary_keys), name)

/* A key that belongs to one transport: needed with it, refused without. */
static void transport_key(conf_ctx_t *c, const conf_seen_t *s, conf_transport_t have,
			  conf_transport_t want, const char *key)
{
	yaml_node_t *val = SEEN(s, key), *tr = SEEN(s, "transport");

	if (have == want && !val)
		conf_err(c, tr ? tr : s->node, "primaries: transport %s needs '%s'",
			 conf_transport_name(want), key);
	else if (have != want && val)
		conf_err(c, val, "%s: only used with transport: %s", key,
			 conf_transport_name(want));
}

static void primary_check(conf_ctx_t *c, const conf_primary_t *p, const conf_seen_t *s)
{
	yaml_node_t *src = SEEN(s, "source");

	transport_key(c, s, p->transport, CONF_XPORT_TLS, "tls");
	transport_key(c, s, p->transport, CONF_XPORT_IPSEC, "ipsec-id");
	if (p->transport != CONF_XPORT_IPSEC && SEEN(s, "ipsec-initiate"))
		conf_err(c, SEEN(s, "ipsec-initiate"),
			 "ipsec-initiate: only used with transport: ipsec");
	if (src && p->has_source && SEEN(s, "address") && p->addr.len &&
	    p->source.ss.ss_family != p->addr.ss.ss_family)
		conf_err(c, src, "source: address family differs from the primary's address");
}

static void primary_item(conf_ctx_t *c, yaml_node_t *it, conf_primary_t *p)
{
	conf_key_t addr = primary_keys[1];
	conf_seen_t seen;

	/* A bare address stands for { address: ADDR } over TCP. */
	if (it->type == YAML_SCALAR_NODE) {
		set_primary_addr(c, it, p, &addr);
		return;
	}
	conf_map(c, it, primary_keys, NKEYS(primary_keys), p, "primaries", &seen);
	if (it->type == YAML_MAPPING_NODE)
		primary_check(c, p, &seen);
}

static int set_primaries(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	conf_zone_t *z = dst;
	size_t n;

	if (conf_list_check(c, v, k, CONF_MAX_PRIMARIES) < 0)
		return -1;
	n = conf_list_len(c, v);
	if (n == 0) {
		conf_err(c, v, "primaries: needs at least one primary");
		return -1;
	}
	z->primaries = conf_alloc(c, n, sizeof(*z->primaries));
	if (!z->primaries)
		return -1;
	z->n_primaries = n;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = conf_list_item(c, v, i);

		if (conf_visit(c, it) < 0)
			return -1;
		primary_item(c, it, &z->primaries[i]);
	}
	return 0;
}

/* ---- zone ---- */

static int set_zone_name(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	conf_zone_t *z = dst;

	return conf_name(c, v, k->name, &z->name, &z->name_text);
}

static int set_store(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	const char *s = conf_scalar(v);
	char **p = dst;

	if (conf_want(c, v, YAML_SCALAR_NODE, k->name) < 0)
		return -1;
	if (!*s) {
		conf_err(c, v, "store: must not be empty");
		return -1;
	}
	free(*p);
	*p = conf_path(c, c->conf->server.state_dir, s);
	return 0;
}

#define ZOFF(f) offsetof(conf_zone_t, f)
#define DAY 86400u

static const conf_key_t zone_keys[] = {
	{ "name", set_zone_name, 0, 1, 0, 0 },
	{ "primaries", set_primaries, 0, 1, 0, 0 },
	{ "store", set_store, ZOFF(store), 0, 0, 0 },
	{ "notify-from", conf_set_acl, ZOFF(notify_from), 0, 0, 0 },
	{ "allow-transfer", conf_set_acl, ZOFF(allow_transfer), 0, 0, 0 },
	{ "refresh-min", conf_set_duration, ZOFF(bounds.refresh_min), 0, 1, 0 },
	{ "refresh-max", conf_set_duration, ZOFF(bounds.refresh_max), 0, 1, 0 },
	{ "retry-min", conf_set_duration, ZOFF(bounds.retry_min), 0, 1, 0 },
	{ "retry-max", conf_set_duration, ZOFF(bounds.retry_max), 0, 1, 0 },
	{ "expire-min", conf_set_duration, ZOFF(bounds.expire_min), 0, 1, 0 },
	{ "expire-max", conf_set_duration, ZOFF(bounds.expire_max), 0, 1, 0 },
	{ "force-axfr-interval", conf_set_duration, ZOFF(force_axfr_interval), 0, 0, 0 },
	{ "expiry-warning", conf_set_duration, ZOFF(expiry_warning), 0, 0, 0 },
	{ "validate", conf_set_bool, ZOFF(validate), 0, 0, 0 },
	{ "trust-anchor", conf_set_path, ZOFF(trust_anchor), 0, 0, 0 },
	{ "require-zonemd", conf_set_bool, ZOFF(require_zonemd), 0, 0, 0 },
	{ "max-rrs", conf_set_u64, ZOFF(limits.max_rrs), 0, 1, 0 },
	{ "max-bytes", conf_set_size, ZOFF(limits.max_bytes), 0, 512, 0 },
	{ "xfr-idle-timeout", conf_set_duration, ZOFF(limits.idle_timeout), 0, 1, DAY },
	{ "xfr-timeout", conf_set_duration, ZOFF(limits.timeout), 0, 1, 7 * DAY },
};

#define ZSEEN(s, name) conf_seen_get(s, zone_keys, NKEYS(zone_keys), name)

static void zone_defaults(conf_ctx_t *c, conf_zone_t *z)
{
	static const conf_soa_bounds_t bounds = {
		CONF_DEF_REFRESH_MIN, CONF_DEF_REFRESH_MAX, CONF_DEF_RETRY_MIN,
		CONF_DEF_RETRY_MAX,   CONF_DEF_EXPIRE_MIN,  CONF_DEF_EXPIRE_MAX,
	};
	static const conf_xfr_limits_t limits = {
		CONF_DEF_MAX_RRS, CONF_DEF_MAX_BYTES, CONF_DEF_XFR_IDLE_TIMEOUT,
		CONF_DEF_XFR_TIMEOUT,
	};

	z->bounds = bounds;
	z->limits = limits;
	z->expiry_warning = CONF_DEF_EXPIRY_WARNING;
	z->store = conf_path(c, c->conf->server.state_dir, CONF_DEF_STORE_FILE);
}

static void bound_pair(conf_ctx_t *c, const conf_seen_t *s, uint32_t lo, uint32_t hi,
		       const char *what)
{
	char kmin[32], kmax[32];
	yaml_node_t *at;

	if (lo <= hi)
		return;
	snprintf(kmin, sizeof(kmin), "%s-min", what);
	snprintf(kmax, sizeof(kmax), "%s-max", what);
	at = ZSEEN(s, kmin) ? ZSEEN(s, kmin) : ZSEEN(s, kmax);
	conf_err(c, at, "%s (%us) is greater than %s (%us)", kmin, lo, kmax, hi);
}

/* notify-from defaults to the primaries' addresses (any port). */
static void notify_default(conf_ctx_t *c, conf_zone_t *z)
{
	z->notify_from.v = conf_alloc(c, z->n_primaries, sizeof(conf_prefix_t));
	if (!z->notify_from.v)
		return;
	for (size_t i = 0; i < z->n_primaries; i++) {
		const conf_addr_t *a = &z->primaries[i].addr;
		conf_prefix_t *p = &z->notify_from.v[z->notify_from.n];

		if (a->ss.ss_family == AF_INET) {
			p->family = AF_INET;
			p->bits = 32;
			memcpy(p->addr, &((const struct sockaddr_in *)&a->ss)->sin_addr, 4);
		} else if (a->ss.ss_family == AF_INET6) {
			p->family = AF_INET6;
			p->bits = 128;
			memcpy(p->addr, &((const struct sockaddr_in6 *)&a->ss)->sin6_addr, 16);
		} else {
			continue;
		}
		z->notify_from.n++;
	}
}

static void zone_check(conf_ctx_t *c, conf_zone_t *z, const conf_seen_t *s)
{
	yaml_node_t *ta = ZSEEN(s, "trust-anchor");

	bound_pair(c, s, z->bounds.refresh_min, z->bounds.refresh_max, "refresh");
	bound_pair(c, s, z->bounds.retry_min, z->bounds.retry_max, "retry");
	bound_pair(c, s, z->bounds.expire_min, z->bounds.expire_max, "expire");
	if (ta && !z->validate)
		conf_err(c, ta, "trust-anchor: has no effect without 'validate: true'");
	if (!ZSEEN(s, "notify-from"))
		notify_default(c, z);
}

/* ---- duplicates and the lookup index ---- */

typedef struct {
	const conf_zone_t *z;
	yaml_node_t *name;
	size_t i;
} zref_t;

static int zref_cmp(const void *a, const void *b)
{
	const zref_t *x = a, *y = b;
	int r = dns_name_cmp(&x->z->name, &y->z->name);

	if (r)
		return r;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Sorts zones with good names into conf->zone_index; reports duplicates at
 * every later occurrence. */
static void zone_index(conf_ctx_t *c, zref_t *refs, size_t n)
{
	conf_t *conf = c->conf;
	size_t m = 0, first = 0;

	conf->zone_index = conf_alloc(c, n, sizeof(*conf->zone_index));
	if (!conf->zone_index)
		return;
	qsort(refs, n, sizeof(*refs), zref_cmp);
	for (size_t j = 0; j < n; j++) {
		if (m && dns_name_eq(&refs[first].z->name, &refs[j].z->name)) {
			conf_err(c, refs[j].name, "zones: duplicate zone '%s' (first at line %lu)",
				 refs[j].z->name_text,
				 (unsigned long)refs[first].name->start_mark.line + 1);
			continue;
		}
		first = j;
		conf->zone_index[m++] = refs[j].z;
	}
}

static void zone_item(conf_ctx_t *c, yaml_node_t *it, conf_zone_t *z, zref_t *ref)
{
	conf_seen_t seen;

	zone_defaults(c, z);
	conf_map(c, it, zone_keys, NKEYS(zone_keys), z, "zones", &seen);
	if (it->type != YAML_MAPPING_NODE)
		return;
	zone_check(c, z, &seen);
	if (z->name.len) {
		ref->z = z;
		ref->name = ZSEEN(&seen, "name");
	}
}

int conf_set_zones(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	conf_t *conf = dst;
	zref_t *refs;
	size_t n, good = 0;

	if (conf_want(c, v, YAML_SEQUENCE_NODE, k->name) < 0)
		return -1;
	n = conf_list_len(c, v);
	conf->zones = conf_alloc(c, n, sizeof(*conf->zones));
	refs = conf_alloc(c, n, sizeof(*refs));
	if (!conf->zones || !refs) {
		free(refs);
		return -1;
	}
	conf->n_zones = n;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = conf_list_item(c, v, i);

		if (conf_visit(c, it) < 0)
			break;
		zone_item(c, it, &conf->zones[i], &refs[good]);
		if (refs[good].z)
			refs[good++].i = i;
	}
	zone_index(c, refs, good);
	free(refs);
	return 0;
}
