/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for conf/: the example file, defaults, value syntax, and the exact
 * FILE:LINE:COLUMN of every class of error. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check_bounds.h"
#include "conf/conf.h"
#include "dns/err.h"

Suite *conf_suite(void);

#define ERRCAP 8192

/* A zone that is valid on its own, for configs that test something else. */
/* base64 of 32 octets, a valid SPKI pin. */
#define PIN32 "hQPfuUUlw81ivSd4pPzy2ZO1Q2wsZjEQyQgW1d+dKQw="

#define ZONE_OK "zones:\n  - { name: a.test, primaries: [\"192.0.2.1\"] }\n"

static char tmp_path[64];
static char err[ERRCAP];

/* Writes text to a new file under /tmp; its name goes to tmp_path. */
static void write_tmp(const char *text, size_t len)
{
	int fd;

	strcpy(tmp_path, "/tmp/rodns-conf-XXXXXX");
	fd = mkstemp(tmp_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* Loads text through a temporary file; *out may be NULL to free at once. */
static int load_text(const char *text, conf_t **out)
{
	conf_t *c = NULL;
	int rc;

	write_tmp(text, strlen(text));
	rc = conf_load(tmp_path, &c, err, sizeof(err));
	unlink(tmp_path);
	if (out)
		*out = c;
	else
		conf_free(c);
	return rc;
}

/* Asserts that err has the line "TMP:LINE:COL: ..." containing msg. */
static void assert_err_at(unsigned line, unsigned col, const char *msg)
{
	char want[128];
	const char *p = err;

	snprintf(want, sizeof(want), "%s:%u:%u: ", tmp_path, line, col);
	for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char one[512];

		snprintf(one, sizeof(one), "%.*s", (int)n, p);
		if (!strncmp(one, want, strlen(want)) && strstr(one, msg))
			return;
	}
	ck_abort_msg("no error '%s%s' in:\n%s", want, msg, err);
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static const char *addr_text(const conf_addr_t *a)
{
	static char buf[64];

	ck_assert_int_gt(conf_addr_to_text(a, buf, sizeof(buf)), 0);
	return buf;
}

static dns_name_t name_of(const char *s)
{
	dns_name_t n;

	ck_assert_int_eq(dns_name_from_text(s, NULL, &n), RODNS_OK);
	return n;
}

/* ---- the example file ---- */

static void check_example_server(const conf_t *c)
{
	ck_assert_uint_eq(c->server.n_listen, 2);
	ck_assert_str_eq(addr_text(&c->server.listen[0]), "127.0.0.1@53");
	ck_assert_str_eq(addr_text(&c->server.listen[1]), "::1@53");
	ck_assert_uint_eq(c->server.workers, 2);
	ck_assert_str_eq(c->server.user, "rodns");
	ck_assert_str_eq(c->server.group, "rodns");
	ck_assert_str_eq(c->server.state_dir, "/var/lib/rodns");
	ck_assert_str_eq(c->server.control, "/run/rodns/control.sock");
	ck_assert(c->server.metrics_on);
	ck_assert_str_eq(addr_text(&c->server.metrics), "127.0.0.1@9353");
	ck_assert_uint_eq(c->server.max_udp_payload, 1232);
	ck_assert_uint_eq(c->server.tcp_idle_timeout, 10);
	ck_assert_uint_eq(c->server.tcp_max_clients, 100);
	ck_assert_uint_eq(c->server.answer_cache, 128);
	ck_assert(c->server.steer_by_name);
	ck_assert_str_eq(c->server.vici, "/var/run/charon.vici");
	ck_assert_int_eq(c->log.level, CONF_LOG_INFO);
	ck_assert_str_eq(c->events.file, "/var/log/rodns/events.jsonl");
	ck_assert(c->events.syslog);
	ck_assert_str_eq(c->events.hook, "/usr/local/sbin/notify-oncall");
	ck_assert_uint_eq(c->events.hook_timeout, 30);
	ck_assert_uint_eq(c->events.repeat, 3600);
}

static void check_example_keys(const conf_t *c)
{
	static const uint8_t pin[4] = { 0x85, 0x03, 0xdf, 0xb9 };
	dns_name_t xfr = name_of("XFR.");

	ck_assert_uint_eq(c->n_tsig, 1);
	ck_assert_str_eq(c->tsig[0].name_text, "xfr.");
	ck_assert_int_eq(c->tsig[0].alg, CONF_TSIG_HMAC_SHA256);
	ck_assert_uint_eq(c->tsig[0].secret_len, 32);
	ck_assert_uint_eq(c->tsig[0].secret[0], 0x3d);
	ck_assert_ptr_eq(conf_tsig_find(c, &xfr), &c->tsig[0]);
	ck_assert_uint_eq(c->n_tls, 1);
	ck_assert_str_eq(c->tls[0].name, "to-primary");
	ck_assert_str_eq(c->tls[0].cert, "/etc/rodns/replica.crt");
	ck_assert_str_eq(c->tls[0].key, "/etc/rodns/replica.key");
	ck_assert_str_eq(c->tls[0].ca, "/etc/rodns/ca.crt");
	ck_assert_str_eq(c->tls[0].hostname, "primary.example.test");
	ck_assert(c->tls[0].has_pin);
	ck_assert_mem_eq(c->tls[0].pin, pin, sizeof(pin));
	ck_assert_int_eq(c->tls[0].min_version, CONF_TLS_V13);
	ck_assert_ptr_eq(conf_tls_find(c, "to-primary"), &c->tls[0]);
	ck_assert_ptr_null(conf_tls_find(c, "nope"));
}

static void check_example_primaries(const conf_t *c, const conf_zone_t *z)
{
	ck_assert_uint_eq(z->n_primaries, 3);
	ck_assert_str_eq(addr_text(&z->primaries[0].addr), "192.0.2.1@53");
	ck_assert_int_eq(z->primaries[0].transport, CONF_XPORT_TCP);
	ck_assert_ptr_eq(z->primaries[0].tsig, &c->tsig[0]);
	ck_assert_str_eq(addr_text(&z->primaries[1].addr), "192.0.2.2@853");
	ck_assert_int_eq(z->primaries[1].transport, CONF_XPORT_TLS);
	ck_assert_ptr_eq(z->primaries[1].tls, &c->tls[0]);
	ck_assert_ptr_null(z->primaries[1].tsig);
	ck_assert_int_eq(z->primaries[2].transport, CONF_XPORT_IPSEC);
	ck_assert_str_eq(z->primaries[2].ipsec_id, "O=Example, CN=primary.example.test");
	ck_assert_str_eq(z->primaries[2].ipsec_initiate, "to-primary");
	ck_assert_ptr_null(z->primaries[0].ipsec_initiate);
	ck_assert(z->primaries[2].has_source);
	ck_assert_str_eq(addr_text(&z->primaries[2].source), "198.18.2.2@0");
	ck_assert_ptr_eq(z->primaries[2].tsig, &c->tsig[0]);
}

static void check_example_zone(const conf_zone_t *z)
{
	ck_assert_str_eq(z->name_text, "example.test.");
	ck_assert_str_eq(z->store, "/var/lib/rodns/rodns.sqlite");
	ck_assert_uint_eq(z->notify_from.n, 3);
	ck_assert_uint_eq(z->allow_transfer.n, 2);
	ck_assert_uint_eq(z->allow_transfer.v[1].bits, 48);
	ck_assert_uint_eq(z->bounds.refresh_min, 60);
	ck_assert_uint_eq(z->bounds.refresh_max, 86400);
	ck_assert_uint_eq(z->bounds.retry_min, 10);
	ck_assert_uint_eq(z->bounds.retry_max, 3600);
	ck_assert_uint_eq(z->bounds.expire_min, 3600);
	ck_assert_uint_eq(z->bounds.expire_max, 28 * 86400);
	ck_assert_uint_eq(z->force_axfr_interval, 0);
	ck_assert_uint_eq(z->expiry_warning, 7 * 86400);
	ck_assert(z->validate);
	ck_assert_str_eq(z->trust_anchor, "/etc/rodns/example.test.ds");
	ck_assert(!z->require_zonemd);
	ck_assert_uint_eq(z->limits.max_rrs, 20000000);
	ck_assert_uint_eq(z->limits.max_bytes, 4ULL << 30);
	ck_assert_uint_eq(z->limits.idle_timeout, 60);
	ck_assert_uint_eq(z->limits.timeout, 7200);
}

START_TEST(t_example)
{
	const char *top = getenv("RODNS_TOP");
	char path[4096];
	conf_t *c = NULL;
	dns_name_t n = name_of("EXAMPLE.org.");

	snprintf(path, sizeof(path), "%s/conf/rodns.example.yaml", top ? top : "..");
	ck_assert_msg(conf_load(path, &c, err, sizeof(err)) == RODNS_OK, "%s", err);
	ck_assert_str_eq(err, "");
	check_example_server(c);
	check_example_keys(c);
	ck_assert_uint_eq(c->n_zones, 2);
	check_example_primaries(c, &c->zones[0]);
	check_example_zone(&c->zones[0]);
	ck_assert_ptr_eq(conf_zone_find(c, &n), &c->zones[1]);
	ck_assert_uint_eq(c->zones[1].n_primaries, 1);
	ck_assert_str_eq(addr_text(&c->zones[1].primaries[0].addr), "192.0.2.1@53");
	conf_free(c);
}
END_TEST

/* ---- defaults ---- */

static void check_default_server(const conf_t *c)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	ck_assert_uint_eq(c->server.n_listen, 2);
	ck_assert_str_eq(addr_text(&c->server.listen[0]), "0.0.0.0@53");
	ck_assert_str_eq(addr_text(&c->server.listen[1]), "::@53");
	ck_assert_uint_eq(c->server.workers, cpus < 1 ? 1 : (unsigned)cpus);
	ck_assert_ptr_null(c->server.user);
	ck_assert_ptr_null(c->server.group);
	ck_assert_str_eq(c->server.state_dir, CONF_DEF_STATE_DIR);
	ck_assert_str_eq(c->server.control, CONF_DEF_CONTROL);
	ck_assert_str_eq(c->server.vici, CONF_DEF_VICI);
	ck_assert(c->server.metrics_on);
	ck_assert_str_eq(addr_text(&c->server.metrics), CONF_DEF_METRICS);
	ck_assert_uint_eq(c->server.max_udp_payload, 1232);
	ck_assert_uint_eq(c->server.answer_cache, CONF_DEF_ANSWER_CACHE);
	ck_assert(c->server.steer_by_name);
	ck_assert_int_eq(c->log.level, CONF_LOG_INFO);
	ck_assert_ptr_null(c->events.file);
	ck_assert_ptr_null(c->events.hook);
	ck_assert(c->events.syslog);
	ck_assert_uint_eq(c->events.repeat, 3600);
	ck_assert_uint_eq(c->events.hook_timeout, 30);
}

START_TEST(t_defaults)
{
	conf_t *c;
	const conf_zone_t *z;
	struct sockaddr_in sin = { .sin_family = AF_INET };

	ck_assert_int_eq(load_text("server:\nlog: ~\n" ZONE_OK, &c), RODNS_OK);
	check_default_server(c);
	ck_assert_uint_eq(c->n_tsig, 0);
	ck_assert_uint_eq(c->n_tls, 0);
	z = &c->zones[0];
	ck_assert_str_eq(z->store, "/var/lib/rodns/rodns.sqlite");
	ck_assert_int_eq(z->primaries[0].transport, CONF_XPORT_TCP);
	ck_assert_ptr_null(z->primaries[0].tsig);
	ck_assert(!z->primaries[0].has_source);
	ck_assert_uint_eq(z->bounds.refresh_min, CONF_DEF_REFRESH_MIN);
	ck_assert_uint_eq(z->bounds.expire_max, CONF_DEF_EXPIRE_MAX);
	ck_assert_uint_eq(z->expiry_warning, 7 * 86400);
	ck_assert_uint_eq(z->limits.max_rrs, 20000000);
	ck_assert_uint_eq(z->limits.max_bytes, 4ULL << 30);
	ck_assert(!z->validate);
	ck_assert_ptr_null(z->trust_anchor);
	ck_assert_uint_eq(z->allow_transfer.n, 0);
	/* notify-from defaults to the primary's address, any port. */
	ck_assert_uint_eq(z->notify_from.n, 1);
	inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr);
	sin.sin_port = htons(4444);
	ck_assert(conf_acl_match(&z->notify_from, (struct sockaddr *)&sin));
	inet_pton(AF_INET, "192.0.2.2", &sin.sin_addr);
	ck_assert(!conf_acl_match(&z->notify_from, (struct sockaddr *)&sin));
	conf_free(c);
}
END_TEST

START_TEST(t_edns_keys)
{
	conf_t *c;

	ck_assert_int_eq(load_text("server:\n  nsid: 0x6272\n  cookies: no\n"
				   "  rrl: { rate: 50, slip: 3, ipv4-prefix: 16, ipv6-prefix: 48,"
				   " exempt: [192.0.2.0/24], table-size: 4096 }\n" ZONE_OK,
				   &c),
			 RODNS_OK);
	ck_assert_uint_eq(c->server.nsid_len, 2);
	ck_assert_mem_eq(c->server.nsid, "br", 2);
	ck_assert(!c->server.cookies);
	ck_assert_uint_eq(c->server.rrl.rate, 50);
	ck_assert_uint_eq(c->server.rrl.slip, 3);
	ck_assert_uint_eq(c->server.rrl.ipv4_prefix, 16);
	ck_assert_uint_eq(c->server.rrl.ipv6_prefix, 48);
	ck_assert_uint_eq(c->server.rrl.exempt.n, 1);
	ck_assert_uint_eq(c->server.rrl.table_size, 4096);
	conf_free(c);
	ck_assert_int_eq(load_text("server:\n  nsid: branch-7\n" ZONE_OK, &c), RODNS_OK);
	ck_assert_uint_eq(c->server.nsid_len, 8);
	ck_assert_mem_eq(c->server.nsid, "branch-7", 8);
	ck_assert(c->server.cookies); /* the default */
	ck_assert_uint_eq(c->server.rrl.rate, 0);
	ck_assert_uint_eq(c->server.rrl.slip, 2);
	conf_free(c);
}
END_TEST

START_TEST(t_overrides)
{
	conf_t *c;

	ck_assert_int_eq(load_text("server:\n  state-dir: /srv/r\n  metrics: off\n"
				   "  listen: 192.0.2.53\nlog: {level: debug}\n"
				   "events: {syslog: off, repeat: 0, file: ev.jsonl}\n"
				   "zones:\n  - name: a.test\n    primaries: [192.0.2.1]\n"
				   "    store: a.sqlite\n    notify-from: []\n"
				   "  - name: b.test\n    primaries: [192.0.2.1]\n"
				   "    store: /data/b.sqlite\n    refresh-min: 1h30m\n",
				   &c),
			 RODNS_OK);
	ck_assert(!c->server.metrics_on);
	ck_assert_uint_eq(c->server.n_listen, 1);
	ck_assert_str_eq(addr_text(&c->server.listen[0]), "192.0.2.53@53");
	ck_assert_int_eq(c->log.level, CONF_LOG_DEBUG);
	ck_assert(!c->events.syslog);
	ck_assert_uint_eq(c->events.repeat, 0);
	ck_assert_str_eq(c->events.file, "/tmp/ev.jsonl");
	ck_assert_str_eq(c->zones[0].store, "/srv/r/a.sqlite");
	ck_assert_uint_eq(c->zones[0].notify_from.n, 0);
	ck_assert_str_eq(c->zones[1].store, "/data/b.sqlite");
	ck_assert_uint_eq(c->zones[1].bounds.refresh_min, 5400);
	conf_free(c);
	ck_assert_int_eq(load_text("server: {metrics: on}\n" ZONE_OK, &c), RODNS_OK);
	ck_assert(c->server.metrics_on);
	ck_assert_str_eq(addr_text(&c->server.metrics), CONF_DEF_METRICS);
	conf_free(c);
	ck_assert_int_eq(load_text("server: {metrics: \"::1\"}\n" ZONE_OK, &c), RODNS_OK);
	ck_assert_str_eq(addr_text(&c->server.metrics), "::1@9353");
	conf_free(c);
	/* vici: relative to the file's directory; ipsec-initiate per primary */
	ck_assert_int_eq(load_text("server: {vici: run/charon.vici}\n"
				   "zones:\n  - name: a.test\n    primaries:\n"
				   "      - { address: 198.18.2.1, transport: ipsec, ipsec-id: CN=p,"
				   " ipsec-initiate: xfr }\n"
				   "      - { address: 198.18.2.2, transport: ipsec, ipsec-id: CN=q }\n",
				   &c),
			 RODNS_OK);
	ck_assert_str_eq(c->server.vici, "/tmp/run/charon.vici");
	ck_assert_str_eq(c->zones[0].primaries[0].ipsec_initiate, "xfr");
	ck_assert_ptr_null(c->zones[0].primaries[1].ipsec_initiate);
	/* for an ipsec primary NOTIFY is accepted from its (inner) address */
	ck_assert_uint_eq(c->zones[0].notify_from.n, 2);
	ck_assert_uint_eq(c->zones[0].notify_from.v[0].bits, 32);
	conf_free(c);
}
END_TEST

/* ---- value syntax ---- */

static const struct {
	const char *s;
	int ok;
	uint32_t v;
} durations[] = {
	{ "0", 1, 0 },        { "3600", 1, 3600 },     { "90s", 1, 90 },
	{ "15m", 1, 900 },    { "1h30m", 1, 5400 },    { "7d", 1, 604800 },
	{ "2w", 1, 1209600 }, { "1w2d3h4m5s", 1, 788645 }, { "1H", 1, 3600 },
	{ "4294967295", 1, UINT32_MAX }, { "4294967296", 0, 0 }, { "", 0, 0 },
	{ "h", 0, 0 },        { "1h30", 0, 0 },        { "30m1h", 0, 0 },
	{ "1x", 0, 0 },       { "-1", 0, 0 },          { "1 h", 0, 0 },
	{ "1h1h", 0, 0 },     { "7101w", 1, 4294684800u }, { "7102w", 0, 0 },
};

START_TEST(t_durations)
{
	uint32_t v = 12345;
	int rc = conf_parse_duration(durations[_i].s, &v);

	ck_assert_msg((rc == RODNS_OK) == durations[_i].ok, "'%s'", durations[_i].s);
	ck_assert_uint_eq(v, durations[_i].ok ? durations[_i].v : 12345);
}
END_TEST

START_TEST(t_sizes_bools)
{
	uint64_t n;
	bool b;

	ck_assert_int_eq(conf_parse_size("65536", &n), RODNS_OK);
	ck_assert_uint_eq(n, 65536);
	ck_assert_int_eq(conf_parse_size("64k", &n), RODNS_OK);
	ck_assert_uint_eq(n, 65536);
	ck_assert_int_eq(conf_parse_size("512M", &n), RODNS_OK);
	ck_assert_uint_eq(n, 512ULL << 20);
	ck_assert_int_eq(conf_parse_size("4GiB", &n), RODNS_OK);
	ck_assert_uint_eq(n, 4ULL << 30);
	ck_assert_int_eq(conf_parse_size("1T", &n), RODNS_OK);
	ck_assert_uint_eq(n, 1ULL << 40);
	ck_assert_int_eq(conf_parse_size("4X", &n), RODNS_E_SYNTAX);
	ck_assert_int_eq(conf_parse_size("G", &n), RODNS_E_SYNTAX);
	ck_assert_int_eq(conf_parse_size("99999999T", &n), RODNS_E_SYNTAX);
	ck_assert_int_eq(conf_parse_size("18446744073709551616", &n), RODNS_E_SYNTAX);
	for (int i = 0; i < 6; i++) {
		static const char *const t[] = { "yes", "True", "ON", "no", "false", "Off" };
		ck_assert_int_eq(conf_parse_bool(t[i], &b), RODNS_OK);
		ck_assert(b == (i < 3));
	}
	ck_assert_int_eq(conf_parse_bool("1", &b), RODNS_E_SYNTAX);
	ck_assert_int_eq(conf_parse_bool("y", &b), RODNS_E_SYNTAX);
}
END_TEST

static const struct {
	const char *in;
	const char *out; /* NULL: rejected */
} addrs[] = {
	{ "192.0.2.1", "192.0.2.1@53" },
	{ "192.0.2.1@5353", "192.0.2.1@5353" },
	{ "192.0.2.1:5353", "192.0.2.1@5353" },
	{ "::1", "::1@53" },
	{ "::1@853", "::1@853" },
	{ "[::1]:54", "::1@54" },
	{ "[2001:db8::1]@55", "2001:db8::1@55" },
	{ "[2001:db8::1]", "2001:db8::1@53" },
	{ "::ffff:192.0.2.1@1", "::ffff:192.0.2.1@1" },
	{ "::", "::@53" },
	{ "192.0.2.1@0", NULL },
	{ "192.0.2.1@65536", NULL },
	{ "192.0.2.1@", NULL },
	{ "192.0.2.1@x", NULL },
	{ "192.0.2", NULL },
	{ "256.0.0.1", NULL },
	{ "example.test@53", NULL },
	{ "[192.0.2.1]:53", NULL },
	{ "[::1]53", NULL },
	{ "[::1]:", NULL },
	{ "2001:db8::g", NULL },
	{ "", NULL },
	{ "@53", NULL },
};

START_TEST(t_addresses)
{
	conf_addr_t a;
	char buf[64];
	int rc = conf_parse_addr(addrs[_i].in, 53, &a);

	if (!addrs[_i].out) {
		ck_assert_msg(rc == RODNS_E_SYNTAX, "'%s' accepted", addrs[_i].in);
		return;
	}
	ck_assert_msg(rc == RODNS_OK, "'%s' rejected", addrs[_i].in);
	ck_assert_int_gt(conf_addr_to_text(&a, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, addrs[_i].out);
	ck_assert_uint_eq(a.len, a.ss.ss_family == AF_INET ? sizeof(struct sockaddr_in)
							     : sizeof(struct sockaddr_in6));
}
END_TEST

START_TEST(t_prefixes)
{
	conf_prefix_t p[3];
	conf_acl_t acl = { p, 3 };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };

	ck_assert_int_eq(conf_parse_prefix("192.0.2.0/25", &p[0]), RODNS_OK);
	ck_assert_int_eq(conf_parse_prefix("2001:db8::/33", &p[1]), RODNS_OK);
	ck_assert_int_eq(conf_parse_prefix("198.51.100.7", &p[2]), RODNS_OK);
	ck_assert_uint_eq(p[2].bits, 32);
	ck_assert_int_eq(conf_parse_prefix("192.0.2.1/24", &p[0]), RODNS_E_SYNTAX);
	ck_assert_int_eq(conf_parse_prefix("192.0.2.0/33", &p[0]), RODNS_E_SYNTAX);
	ck_assert_int_eq(conf_parse_prefix("192.0.2.0/", &p[0]), RODNS_E_SYNTAX);
	ck_assert_int_eq(conf_parse_prefix("192.0.2.0@53", &p[0]), RODNS_E_SYNTAX);
	ck_assert_int_eq(conf_parse_prefix("2001:db8:4000::/33", &p[0]), RODNS_E_SYNTAX);
	inet_pton(AF_INET, "192.0.2.127", &s4.sin_addr);
	ck_assert(conf_acl_match(&acl, (struct sockaddr *)&s4));
	inet_pton(AF_INET, "192.0.2.128", &s4.sin_addr);
	ck_assert(!conf_acl_match(&acl, (struct sockaddr *)&s4));
	inet_pton(AF_INET6, "2001:db8:7fff::1", &s6.sin6_addr);
	ck_assert(conf_acl_match(&acl, (struct sockaddr *)&s6));
	inet_pton(AF_INET6, "2001:db8:8000::1", &s6.sin6_addr);
	ck_assert(!conf_acl_match(&acl, (struct sockaddr *)&s6));
	/* A dual-stack socket sees IPv4 clients as v4-mapped IPv6. */
	inet_pton(AF_INET6, "::ffff:198.51.100.7", &s6.sin6_addr);
	ck_assert(conf_acl_match(&acl, (struct sockaddr *)&s6));
	acl.n = 0;
	ck_assert(!conf_acl_match(&acl, (struct sockaddr *)&s6));
}
END_TEST

START_TEST(t_primary_ports)
{
	conf_t *c;
	const conf_primary_t *p;

	ck_assert_int_eq(load_text("tls: [{name: t, pin: \"" PIN32 "\"}]\n"
				   "zones:\n  - name: a.test\n    primaries:\n"
				   "      - { address: 2001:db8::1, transport: tls, tls: t }\n"
				   "      - { address: \"[2001:db8::2]:8853\", transport: tls, tls: t }\n"
				   "      - { address: 2001:db8::3 }\n"
				   "      - { address: 192.0.2.1, source: \"192.0.2.9@5000\" }\n",
				   &c),
			 RODNS_OK);
	p = c->zones[0].primaries;
	ck_assert_str_eq(addr_text(&p[0].addr), "2001:db8::1@853");
	ck_assert_str_eq(addr_text(&p[1].addr), "2001:db8::2@8853");
	ck_assert_str_eq(addr_text(&p[2].addr), "2001:db8::3@53");
	ck_assert_str_eq(addr_text(&p[3].source), "192.0.2.9@5000");
	ck_assert_int_eq(c->tls[0].min_version, CONF_TLS_V13);
	ck_assert_ptr_null(c->tls[0].cert);
	conf_free(c);
}
END_TEST

/* ---- error positions ---- */

static const struct {
	const char *yaml;
	unsigned line, col;
	const char *msg;
} bad[] = {
	/* unknown keys */
	{ "server:\n  lisen: 1.2.3.4\n" ZONE_OK, 2, 3, "unknown key 'lisen' in server" },
	{ "zone:\n  - a\n" ZONE_OK, 1, 1, "unknown key 'zone' in the top level" },
	{ "zones:\n  - name: a.test\n    primaries: [192.0.2.1]\n    refresh: 1h\n", 4, 5,
	  "unknown key 'refresh' in zones" },
	{ "zones:\n  - name: a.test\n    primaries:\n      - { address: 192.0.2.1, port: 53 }\n", 4, 31,
	  "unknown key 'port' in primaries" },
	/* wrong types */
	{ "server: [a]\n" ZONE_OK, 1, 9, "server: expected a mapping, got a list" },
	{ "server:\n  workers: [1]\n" ZONE_OK, 2, 12, "workers: expected a single value, got a list" },
	{ "zones: {a: 1}\n", 1, 8, "zones: expected a list, got a mapping" },
	{ "zones:\n  - name: a.test\n    primaries: {address: 192.0.2.1}\n", 3, 16,
	  "primaries: expected a list, got a mapping" },
	{ "hello\n", 1, 1, "expected a mapping of sections" },
	{ "zones:\n  - name: a.test\n    primaries: [[192.0.2.1]]\n", 3, 17,
	  "primaries: expected a mapping, got a list" },
	/* bad values */
	{ "server:\n  workers: 0\n" ZONE_OK, 2, 12, "from 1 to 1024, got '0'" },
	{ "server:\n  workers: 2x\n" ZONE_OK, 2, 12, "workers: expected a whole number" },
	{ "server:\n  max-udp-payload: 4097\n" ZONE_OK, 2, 20, "from 512 to 4096" },
	{ "server:\n  answer-cache: 65537\n" ZONE_OK, 2, 17, "from 0 to 65536" },
	{ "server:\n  steer-by-name: 2\n" ZONE_OK, 2, 18, "steer-by-name: expected yes/no" },
	{ "server:\n  listen: [\"192.0.2.1@53\", \"192.0.2.1@0\"]\n" ZONE_OK, 2, 28,
	  "listen: bad address '192.0.2.1@0': port 0" },
	{ "server:\n  metrics: localhost\n" ZONE_OK, 2, 12, "metrics: bad address 'localhost'" },
	{ "server:\n  control: /" "0123456789012345678901234567890123456789012345678901234567890"
	  "123456789012345678901234567890123456789012345678901234567890\n" ZONE_OK,
	  2, 12, "control: socket path longer" },
	{ "log:\n  level: verbose\n" ZONE_OK, 2, 10, "level: expected debug, info" },
	{ "events:\n  syslog: maybe\n" ZONE_OK, 2, 11, "syslog: expected yes/no" },
	{ "events:\n  repeat: 1h30\n" ZONE_OK, 2, 11, "repeat: expected a duration" },
	{ "events:\n  hook-timeout: 2h\n" ZONE_OK, 2, 17, "hook-timeout: 2h is out of range" },
	{ "zones:\n  - name: a..test\n    primaries: [192.0.2.1]\n", 2, 11,
	  "name: 'a..test' is not a domain name" },
	{ "zones:\n  - name: a.test\n    primaries: [192.0.2.1]\n    max-bytes: 4Q\n", 4, 16,
	  "max-bytes: expected a size" },
	{ "zones:\n  - name: a.test\n    primaries: [192.0.2.1]\n    max-rrs: 0\n", 4, 14,
	  "max-rrs: expected a whole number from 1" },
	{ "zones:\n  - name: a.test\n    primaries: [192.0.2.1]\n    allow-transfer: [10.0.0.1/8]\n",
	  4, 22, "bits set beyond the prefix length" },
	{ "zones:\n  - name: a.test\n    primaries: [192.0.2.1]\n    retry-min: 2h\n", 4, 16,
	  "retry-min (7200s) is greater than retry-max (3600s)" },
	{ "zones:\n  - name: a.test\n    primaries: [192.0.2.1]\n    expire-max: 10m\n", 4, 17,
	  "expire-min (3600s) is greater than expire-max (600s)" },
	{ "zones:\n  - name: a.test\n    primaries: [192.0.2.1]\n    refresh-min: 0\n", 4, 18,
	  "refresh-min: 0 is out of range" },
	{ "zones:\n  - name: a.test\n    primaries: [192.0.2.1]\n    trust-anchor: /ta\n", 4, 19,
	  "has no effect without 'validate: true'" },
	{ "zones:\n  - name: a.test\n    primaries:\n      - { address: 192.0.2.1, transport: udp }\n",
	  4, 42, "transport: expected tcp, tls or ipsec" },
	{ "zones:\n  - name: a.test\n    primaries: []\n", 3, 16, "needs at least one primary" },
	{ "zones:\n  - name: a.test\n    primaries:\n"
	  "      - { address: 192.0.2.1, source: \"::1\" }\n",
	  4, 39, "source: address family differs" },
	/* duplicates */
	{ "zones: []\nzones: []\n", 2, 1, "duplicate key 'zones' (first at line 1)" },
	{ "server:\n  workers: 1\n  user: a\n  workers: 2\n" ZONE_OK, 4, 3,
	  "duplicate key 'workers' (first at line 2)" },
	{ "zones:\n  - { name: a.test, primaries: [192.0.2.1] }\n"
	  "  - { name: b.test, primaries: [192.0.2.1] }\n"
	  "  - { name: A.Test., primaries: [192.0.2.1] }\n",
	  4, 13, "duplicate zone 'A.Test.' (first at line 2)" },
	{ "server:\n  listen: [\"::1\", \"[::1]:53\"]\n" ZONE_OK, 2, 19,
	  "listen: '[::1]:53' is listed twice" },
	{ "tsig-keys:\n  - { name: k, algorithm: hmac-sha256, secret: AAAA }\n"
	  "  - { name: K., algorithm: hmac-sha512, secret: AAAA }\n" ZONE_OK,
	  3, 13, "duplicate key name 'K.'" },
	{ "tls:\n  - { name: t, pin: \"hQPfuUUlw81ivSd4pPzy2ZO1Q2wsZjEQyQgW1d+dKQw=\" }\n"
	  "  - { name: t, pin: \"hQPfuUUlw81ivSd4pPzy2ZO1Q2wsZjEQyQgW1d+dKQw=\" }\n" ZONE_OK,
	  3, 13, "duplicate name 't'" },
	/* missing required keys */
	{ "server: {}\n", 1, 1, "the top level: missing required key 'zones'" },
	{ "zones:\n  - name: a.test\n", 2, 5, "zones: missing required key 'primaries'" },
	{ "zones:\n  - primaries: [192.0.2.1]\n", 2, 5, "zones: missing required key 'name'" },
	{ "zones:\n  - name:\n    primaries: [192.0.2.1]\n", 2, 10, "'name' needs a value" },
	{ "zones:\n  - name: a.test\n    primaries:\n      - { transport: tcp }\n", 4, 9,
	  "primaries: missing required key 'address'" },
	{ "tsig-keys:\n  - { name: k, secret: AAAA }\n" ZONE_OK, 2, 5,
	  "missing required key 'algorithm'" },
	{ "tsig-keys:\n  - name: k\n    algorithm: hmac-sha256\n" ZONE_OK, 2, 5,
	  "missing required key 'secret' or 'secret-file'" },
	{ "tls:\n  - { pin: \"hQPfuUUlw81ivSd4pPzy2ZO1Q2wsZjEQyQgW1d+dKQw=\" }\n" ZONE_OK, 2, 5,
	  "tls: missing required key 'name'" },
	{ "tls:\n  - { name: t, hostname: p.test }\n" ZONE_OK, 2, 5, "needs 'ca' or 'pin'" },
	{ "tls:\n  - { name: t, ca: /ca }\n" ZONE_OK, 2, 20, "add 'hostname' or 'pin'" },
	{ "tls:\n  - { name: t, ca: /ca, hostname: p, key: /k }\n" ZONE_OK, 2, 43,
	  "cert and key go together; 'cert' is missing" },
	/* tsig algorithm rules */
	{ "tsig-keys:\n  - { name: k, algorithm: hmac-sha1, secret: AAAA }\n" ZONE_OK, 2, 27,
	  "hmac-sha1 is weak and needs 'legacy: true'" },
	{ "tsig-keys:\n  - { name: k, algorithm: hmac-md5, legacy: no, secret: AAAA }\n" ZONE_OK,
	  2, 27, "hmac-md5 is weak" },
	{ "tsig-keys:\n  - { name: k, algorithm: hmac-sha224, secret: AAAA }\n" ZONE_OK, 2, 27,
	  "algorithm: expected hmac-sha256" },
	{ "tsig-keys:\n  - { name: k, algorithm: hmac-sha256, secret: \"\" }\n" ZONE_OK, 2, 48,
	  "secret: is empty" },
	/* pins */
	{ "tls:\n  - { name: t, pin: \"hQPfuUUlw81ivSd4pPzy2ZO1Q2wsZjEQyQgW1d+d\" }\n" ZONE_OK, 2, 21,
	  "32 octets), got 30 octets" },
	{ "tls:\n  - { name: t, pin: \"hQPfuUUlw81ivSd4pPzy2ZO1Q2wsZjEQyQgW1d+dKQwA\" }\n" ZONE_OK, 2,
	  21, "got 33 octets" },
	{ "tls:\n  - { name: t, pin: \"not base64!\" }\n" ZONE_OK, 2, 21, "pin: not valid base64" },
	{ "tls:\n  - { name: t, pin: \"hQPfuUUlw81ivSd4pPzy2ZO1Q2wsZjEQyQgW1d+dKQw=\", "
	  "min-version: 1.1 }\n" ZONE_OK,
	  2, 82, "min-version: expected 1.2 or 1.3" },
	/* references */
	{ "zones:\n  - name: a.test\n    primaries:\n      - { address: 192.0.2.1, tsig: xfr }\n", 4,
	  37, "tsig: key 'xfr' is not defined in tsig-keys" },
	{ "zones:\n  - name: a.test\n    primaries:\n"
	  "      - { address: 192.0.2.1, transport: tls, tls: nope }\n",
	  4, 52, "tls: 'nope' is not defined in the tls section" },
	{ "zones:\n  - name: a.test\n    primaries:\n      - { address: 192.0.2.1, transport: tls }\n",
	  4, 42, "transport tls needs 'tls'" },
	{ "zones:\n  - name: a.test\n    primaries:\n      - { address: 192.0.2.1, transport: ipsec }\n",
	  4, 42, "transport ipsec needs 'ipsec-id'" },
	{ "zones:\n  - name: a.test\n    primaries:\n      - { address: 192.0.2.1, ipsec-id: CN=p }\n",
	  4, 41, "ipsec-id: only used with transport: ipsec" },
	{ "zones:\n  - name: a.test\n    primaries:\n"
	  "      - { address: 192.0.2.1, ipsec-initiate: xfr }\n",
	  4, 47, "ipsec-initiate: only used with transport: ipsec" },
	{ "zones:\n  - name: a.test\n    primaries:\n"
	  "      - { address: 192.0.2.1, transport: ipsec, ipsec-id: CN=p, ipsec-initiate: \"a b\" }\n",
	  4, 81, "ipsec-initiate: a CHILD config name has no spaces" },
	{ "server:\n  vici: /" "0123456789012345678901234567890123456789012345678901234567890"
	  "123456789012345678901234567890123456789012345678901234567890\n" ZONE_OK,
	  2, 9, "vici: socket path longer" },
	{ "tls:\n  - { name: t, pin: \"hQPfuUUlw81ivSd4pPzy2ZO1Q2wsZjEQyQgW1d+dKQw=\" }\n"
	  "zones:\n  - name: a.test\n    primaries:\n      - { address: 192.0.2.1, tls: t }\n",
	  6, 36, "tls: only used with transport: tls" },
	/* EDNS side */
	{ "server:\n  nsid: 0xzz\n" ZONE_OK, 2, 9, "nsid: bad hex '0xzz'" },
	{ "server:\n  nsid: \"\"\n" ZONE_OK, 2, 9, "nsid: 1 to 128 characters, got 0" },
	{ "server:\n  rrl: { rate: 10, slip: 101 }\n" ZONE_OK, 2, 26, "slip: expected a whole number from 0 to 100" },
	{ "server:\n  rrl:\n    ipv4-prefix: 33\n" ZONE_OK, 3, 18, "ipv4-prefix:" },
	{ "server:\n  rrl:\n    exempt: [\"300.0.0.1\"]\n" ZONE_OK, 3, 14,
	  "exempt: bad address '300.0.0.1'" },
	{ "server:\n  rrl: { rates: 10 }\n" ZONE_OK, 2, 10, "unknown key 'rates'" },
	/* not YAML, several documents, empty */
	{ "[server]\nlisten = 1.2.3.4\n", 2, 1, "not valid YAML: did not find expected <document start>" },
	{ "zones: [\n", 2, 1, "not valid YAML" },
	{ "zones:\n\t- a\n", 2, 1, "spaces, not tabs" },
	{ "zones: []\n---\nzones: []\n", 2, 1, "only one YAML document is allowed" },
	{ "", 1, 1, "the file is empty" },
	{ "# nothing\n\n", 1, 1, "the file is empty" },
	{ "---\n", 1, 1, "the file is empty" },
	{ "\x7f" "ELF\x02\x01", 1, 1, "not valid YAML: control characters are not allowed" },
	{ "zones: []\nx: \"\xff\"\n", 2, 5, "invalid leading UTF-8 octet" },
};

START_TEST(t_errors)
{
	int rc = load_text(bad[_i].yaml, NULL);

	ck_assert_msg(rc == RODNS_E_SYNTAX, "case %d: rc %d, err:\n%s", _i, rc, err);
	assert_err_at(bad[_i].line, bad[_i].col, bad[_i].msg);
	ck_assert_msg(count_lines(err) == 1, "case %d: expected one error:\n%s", _i, err);
}
END_TEST

/* ---- several errors, sorted, in a bounded buffer ---- */

static const char many[] = "zones:\n"
			   "  - name: a.test\n"
			   "    primaries: [192.0.2.1@99999]\n"
			   "    validate: perhaps\n"
			   "server:\n"
			   "  workers: none\n"
			   "  bogus: 1\n";

START_TEST(t_all_errors)
{
	conf_t *c = (conf_t *)1;
	size_t cut;
	char small[160];

	ck_assert_int_eq(load_text(many, NULL), RODNS_E_SYNTAX);
	ck_assert_uint_eq(count_lines(err), 4);
	ck_assert_ptr_eq(strstr(err, tmp_path), err);
	assert_err_at(3, 17, "bad address");
	assert_err_at(4, 15, "validate: expected yes/no");
	assert_err_at(6, 12, "workers:");
	assert_err_at(7, 3, "unknown key 'bogus'");
	ck_assert(strstr(err, ":3:17:") < strstr(err, ":4:15:"));
	ck_assert(strstr(err, ":6:12:") < strstr(err, ":7:3:"));
	/* A small buffer holds whole lines only. */
	ck_assert_int_eq(conf_load_mem("x.yaml", many, strlen(many), &c, small, sizeof(small)),
			 RODNS_E_SYNTAX);
	ck_assert_ptr_null(c);
	cut = strlen(small);
	ck_assert_uint_gt(cut, 0);
	ck_assert_int_eq(small[cut - 1], '\n');
	ck_assert_uint_lt(count_lines(small), 4);
	ck_assert_int_eq(conf_load_mem("x.yaml", many, strlen(many), &c, NULL, 0), RODNS_E_SYNTAX);
	ck_assert_int_eq(conf_load_mem("x.yaml", many, strlen(many), &c, small, 1), RODNS_E_SYNTAX);
	ck_assert_str_eq(small, "");
}
END_TEST

START_TEST(t_missing_file)
{
	conf_t *c = (conf_t *)1;

	ck_assert_int_eq(conf_load("/nonexistent/rodns.yaml", &c, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(err, "/nonexistent/rodns.yaml: No such file or directory\n");
	ck_assert_int_eq(conf_load("/tmp", &c, err, sizeof(err)), -EISDIR);
	conf_free(NULL);
}
END_TEST

/* ---- TSIG secrets ---- */

START_TEST(t_tsig_rules)
{
	conf_t *c;
	dns_name_t k;

	ck_assert_int_eq(load_text("tsig-keys:\n"
				   "  - { name: a, algorithm: hmac-sha1, legacy: yes, secret: AAAA }\n"
				   "  - { name: b.example., algorithm: HMAC-MD5, legacy: true, secret: AAAA }\n"
				   "  - { name: c, algorithm: hmac-sha384, secret: \"AA AA\" }\n"
				   "  - { name: d, algorithm: hmac-sha512, secret: AAAA }\n" ZONE_OK,
				   &c),
			 RODNS_OK);
	ck_assert_int_eq(c->tsig[0].alg, CONF_TSIG_HMAC_SHA1);
	ck_assert_int_eq(c->tsig[1].alg, CONF_TSIG_HMAC_MD5);
	ck_assert_int_eq(c->tsig[2].alg, CONF_TSIG_HMAC_SHA384);
	ck_assert_int_eq(c->tsig[3].alg, CONF_TSIG_HMAC_SHA512);
	ck_assert_uint_eq(c->tsig[2].secret_len, 3);
	ck_assert_str_eq(conf_tsig_alg_name(c->tsig[3].alg), "hmac-sha512");
	k = name_of("B.Example.");
	ck_assert_ptr_eq(conf_tsig_find(c, &k), &c->tsig[1]);
	k = name_of("e.");
	ck_assert_ptr_null(conf_tsig_find(c, &k));
	conf_free(c);
}
END_TEST

START_TEST(t_secret_never_printed)
{
	/* Bad base64 that still looks like a secret, and a good secret in a
	 * file with another error: neither may appear in the messages. */
	ck_assert_int_eq(load_text("tsig-keys:\n"
				   "  - { name: k, algorithm: hmac-sha256, secret: \"c2VjcmV0c2VjcmV0!\" }\n"
				   "  - { name: j, algorithm: hmac-sha1, secret: \"U0VDUkVUU0VDUkVU\" }\n" ZONE_OK,
				   NULL),
			 RODNS_E_SYNTAX);
	assert_err_at(2, 48, "secret: not valid base64");
	assert_err_at(3, 27, "needs 'legacy: true'");
	ck_assert_ptr_null(strstr(err, "c2VjcmV0"));
	ck_assert_ptr_null(strstr(err, "U0VDUkVU"));
}
END_TEST

START_TEST(t_secret_file)
{
	static const char keytext[] = "PX+vTIP2af9c4aw5AChfeEXm2jz+\nOTZL78MArHY3yL4=\n";
	char cfg[512], keypath[64], *base;
	conf_t *c;

	write_tmp(keytext, strlen(keytext));
	strcpy(keypath, tmp_path);
	base = strrchr(keypath, '/') + 1;
	/* Absolute, and relative to the config file's directory (/tmp). */
	snprintf(cfg, sizeof(cfg),
		 "tsig-keys:\n  - { name: k, algorithm: hmac-sha256, secret-file: %s }\n"
		 "  - { name: r, algorithm: hmac-sha256, secret-file: %s }\n" ZONE_OK,
		 keypath, base);
	ck_assert_msg(load_text(cfg, &c) == RODNS_OK, "%s", err);
	ck_assert_uint_eq(c->tsig[0].secret_len, 32);
	ck_assert_uint_eq(c->tsig[0].secret[0], 0x3d);
	ck_assert_uint_eq(c->tsig[1].secret_len, 32);
	ck_assert_mem_eq(c->tsig[0].secret, c->tsig[1].secret, 32);
	conf_free(c);
	unlink(keypath);

	/* Missing file. */
	ck_assert_int_eq(load_text(cfg, NULL), RODNS_E_SYNTAX);
	assert_err_at(2, 53, "secret-file: cannot read");
	assert_err_at(2, 53, "No such file or directory");

	/* Not base64, and not printed. */
	write_tmp("hunter2 is my password\n", 23);
	strcpy(keypath, tmp_path);
	snprintf(cfg, sizeof(cfg),
		 "tsig-keys:\n  - { name: k, algorithm: hmac-sha256, secret-file: %s }\n" ZONE_OK,
		 keypath);
	ck_assert_int_eq(load_text(cfg, NULL), RODNS_E_SYNTAX);
	assert_err_at(2, 53, "does not hold base64 text");
	ck_assert_ptr_null(strstr(err, "hunter2"));

	/* Both secret and secret-file. */
	snprintf(cfg, sizeof(cfg),
		 "tsig-keys:\n  - { name: k, algorithm: hmac-sha256, secret: AAAA, secret-file: %s }\n"
		 ZONE_OK, keypath);
	ck_assert_int_eq(load_text(cfg, NULL), RODNS_E_SYNTAX);
	assert_err_at(2, 67, "either secret or secret-file, not both");
	unlink(keypath);
}
END_TEST

/* ---- YAML aliases cannot blow up ---- */

START_TEST(t_alias_budget)
{
	char *text = malloc(1 << 20), *p = text;
	conf_t *c;

	/* 2,000 zones that all alias one mapping of 32 primaries with many
	 * NOTIFY prefixes: each zone is a duplicate of the first. */
	p += sprintf(p, "x: &p [");
	for (int i = 0; i < 32; i++)
		p += sprintf(p, "%s192.0.2.%d", i ? "," : "", i);
	p += sprintf(p, "]\nzones:\n  - &z {name: a.test, primaries: *p, notify-from: [");
	for (int i = 0; i < 4000; i++)
		p += sprintf(p, "%s10.0.%d.%d", i ? "," : "", i / 256, i % 256);
	p += sprintf(p, "]}\n");
	for (int i = 0; i < 2000; i++)
		p += sprintf(p, "  - *z\n");
	ck_assert_int_eq(conf_load_mem("alias.yaml", text, (size_t)(p - text), &c, err, sizeof(err)),
			 RODNS_E_SYNTAX);
	ck_assert_msg(strncmp(err, "alias.yaml:", 11) == 0 &&
		      strstr(err, "expands to more than 1000000 nodes") < strchr(err, '\n'),
		      "%s", err);
	free(text);
}
END_TEST

Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = t_case("conf", T_UNIT);

	tcase_add_test(tc, t_example);
	tcase_add_test(tc, t_defaults);
	tcase_add_test(tc, t_overrides);
	tcase_add_test(tc, t_edns_keys);
	tcase_add_loop_test(tc, t_durations, 0, (int)(sizeof(durations) / sizeof(durations[0])));
	tcase_add_test(tc, t_sizes_bools);
	tcase_add_loop_test(tc, t_addresses, 0, (int)(sizeof(addrs) / sizeof(addrs[0])));
	tcase_add_test(tc, t_prefixes);
	tcase_add_test(tc, t_primary_ports);
	tcase_add_loop_test(tc, t_errors, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, t_all_errors);
	tcase_add_test(tc, t_missing_file);
	tcase_add_test(tc, t_tsig_rules);
	tcase_add_test(tc, t_secret_never_printed);
	tcase_add_test(tc, t_secret_file);
	tcase_add_test(tc, t_alias_budget);
	suite_add_tcase(s, tc);
	return s;
}
