/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The configuration schema: server, log, events, tsig-keys and tls. Zones
 * are in zone.c. Each section is a key table; conf_map() does the checking
 * common to every mapping, the setters here do the rest. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>
#include <unistd.h>

#include "conf/internal.h"
#include "dns/err.h"
#include "dns/text.h"

#define NKEYS(t) (sizeof(t) / sizeof((t)[0]))

/* ---- server ---- */

static int addr_dup(const conf_addr_t *v, size_t n, const conf_addr_t *a)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].len == a->len && !memcmp(&v[i].ss, &a->ss, a->len))
			return 1;
	return 0;
}

static int set_listen(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	conf_server_t *s = dst;
	size_t n;
	int bad = 0;

	if (conf_list_check(c, v, k, CONF_MAX_LISTEN) < 0)
		return -1;
	n = conf_list_len(c, v);
	free(s->listen);
	s->n_listen = 0;
	s->listen = conf_alloc(c, n, sizeof(*s->listen));
	if (!s->listen)
		return -1;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = conf_list_item(c, v, i);
		const char *a = conf_scalar(it), *why;
		conf_addr_t *out = &s->listen[s->n_listen];

		if (conf_visit(c, it) < 0)
			return -1;
		if (!a) {
			conf_err(c, it, "listen: expected an address, got %s", conf_kind(it));
			bad = 1;
		} else if (conf_addr_parse(a, CONF_DEF_PORT, out, &why) != RODNS_OK) {
			conf_err(c, it, "listen: bad address '%s': %s", a, why);
			bad = 1;
		} else if (addr_dup(s->listen, s->n_listen, out)) {
			conf_err(c, it, "listen: '%s' is listed twice", a);
			bad = 1;
		} else {
			s->n_listen++;
		}
	}
	return bad ? -1 : 0;
}

/* A unix socket path (control, vici). */
static int set_socket(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	struct sockaddr_un un;
	char **p = dst;

	if (conf_set_path(c, v, dst, k) < 0 || !*p)
		return -1;
	if (strlen(*p) >= sizeof(un.sun_path)) {
		conf_err(c, v, "%s: socket path longer than %zu characters", k->name,
			 sizeof(un.sun_path) - 1);
		return -1;
	}
	return 0;
}

static int set_metrics(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	conf_server_t *s = dst;
	const char *a = conf_scalar(v), *why;
	bool on;

	if (conf_want(c, v, YAML_SCALAR_NODE, k->name) < 0)
		return -1;
	if (conf_parse_bool(a, &on) == RODNS_OK) {
		s->metrics_on = on;
		return on ? conf_parse_addr(CONF_DEF_METRICS, 0, &s->metrics) : 0;
	}
	if (conf_addr_parse(a, CONF_DEF_METRICS_PORT, &s->metrics, &why) != RODNS_OK) {
		conf_err(c, v, "metrics: bad address '%s': %s (or 'off')", a, why);
		return -1;
	}
	s->metrics_on = true;
	return 0;
}

/* server.nsid: text, or "0x" and hex digits (RFC 5001 §2.3 leaves the
 * payload's form to the operator). */
static int set_nsid(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	conf_server_t *s = dst;
	const char *a = conf_scalar(v);
	uint8_t buf[CONF_NSID_MAX];
	int n;

	if (conf_want(c, v, YAML_SCALAR_NODE, k->name) < 0)
		return -1;
	if (a[0] == '0' && (a[1] == 'x' || a[1] == 'X')) {
		n = dns_hex_decode(a + 2, buf, sizeof(buf));
		if (n <= 0) {
			conf_err(c, v, "nsid: bad hex '%s' (1 to %d octets)", a, CONF_NSID_MAX);
			return -1;
		}
	} else {
		n = (int)strlen(a);
		if (n < 1 || n > CONF_NSID_MAX) {
			conf_err(c, v, "nsid: 1 to %d characters, got %d", CONF_NSID_MAX, n);
			return -1;
		}
		memcpy(buf, a, (size_t)n);
	}
	free(s->nsid);
	s->nsid = conf_alloc(c, (size_t)n, 1);
	if (!s->nsid)
		return -1;
	memcpy(s->nsid, buf, (size_t)n);
	s->nsid_len = (size_t)n;
	return 0;
}

static const conf_key_t rrl_keys[] = {
	{ "rate", conf_set_uint, offsetof(conf_rrl_t, rate), 0, 0, 1000000 },
	{ "slip", conf_set_uint, offsetof(conf_rrl_t, slip), 0, 0, 100 },
	{ "ipv4-prefix", conf_set_uint, offsetof(conf_rrl_t, ipv4_prefix), 0, 8, 32 },
	{ "ipv6-prefix", conf_set_uint, offsetof(conf_rrl_t, ipv6_prefix), 0, 16, 128 },
	{ "exempt", conf_set_acl, offsetof(conf_rrl_t, exempt), 0, 0, 0 },
	{ "table-size", conf_set_uint, offsetof(conf_rrl_t, table_size), 0, 1024, 16777216 },
};

static int set_rrl(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	(void)k;
	conf_server_t *s = dst;
	return conf_map(c, v, rrl_keys, NKEYS(rrl_keys), &s->rrl, "rrl", NULL);
}

static const conf_key_t server_keys[] = {
	{ "listen", set_listen, 0, 0, 0, 0 },
	{ "workers", conf_set_uint, offsetof(conf_server_t, workers), 0, 1, 1024 },
	{ "user", conf_set_str, offsetof(conf_server_t, user), 0, 0, 0 },
	{ "group", conf_set_str, offsetof(conf_server_t, group), 0, 0, 0 },
	{ "state-dir", conf_set_path, offsetof(conf_server_t, state_dir), 0, 0, 0 },
	{ "control", set_socket, offsetof(conf_server_t, control), 0, 0, 0 },
	{ "metrics", set_metrics, 0, 0, 0, 0 },
	{ "max-udp-payload", conf_set_u16, offsetof(conf_server_t, max_udp_payload), 0, 512, 4096 },
	{ "tcp-idle-timeout", conf_set_duration, offsetof(conf_server_t, tcp_idle_timeout), 0, 1,
	  86400 },
	{ "tcp-max-clients", conf_set_uint, offsetof(conf_server_t, tcp_max_clients), 0, 1, 65535 },
	{ "answer-cache", conf_set_uint, offsetof(conf_server_t, answer_cache), 0, 0, 65536 },
	{ "steer-by-name", conf_set_bool, offsetof(conf_server_t, steer_by_name), 0, 0, 0 },
	{ "vici", set_socket, offsetof(conf_server_t, vici), 0, 0, 0 },
	{ "nsid", set_nsid, 0, 0, 0, 0 },
	{ "cookies", conf_set_bool, offsetof(conf_server_t, cookies), 0, 0, 0 },
	{ "rrl", set_rrl, 0, 0, 0, 0 },
};

static int set_server(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	(void)k;
	return conf_map(c, v, server_keys, NKEYS(server_keys), dst, "server", NULL);
}

/* ---- log, events ---- */

static int set_level(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	const char *s = conf_scalar(v);

	if (conf_want(c, v, YAML_SCALAR_NODE, k->name) < 0)
		return -1;
	for (int l = CONF_LOG_DEBUG; l <= CONF_LOG_ERROR; l++) {
		if (!strcmp(s, conf_log_level_name((conf_log_level_t)l))) {
			*(conf_log_level_t *)dst = (conf_log_level_t)l;
			return 0;
		}
	}
	conf_err(c, v, "level: expected debug, info, notice, warning or error, got '%s'", s);
	return -1;
}

static const conf_key_t log_keys[] = {
	{ "level", set_level, offsetof(conf_log_t, level), 0, 0, 0 },
};

static int set_log(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	(void)k;
	return conf_map(c, v, log_keys, NKEYS(log_keys), dst, "log", NULL);
}

/* A unix socket path must fit sockaddr_un. */
static int set_syslog_socket(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	struct sockaddr_un un;
	char **p = dst;

	if (conf_set_path(c, v, dst, k) < 0 || !*p)
		return -1;
	if (strlen(*p) >= sizeof(un.sun_path)) {
		conf_err(c, v, "syslog-socket: socket path longer than %zu characters",
			 sizeof(un.sun_path) - 1);
		return -1;
	}
	return 0;
}

static const conf_key_t events_keys[] = {
	{ "file", conf_set_path, offsetof(conf_events_t, file), 0, 0, 0 },
	{ "syslog", conf_set_bool, offsetof(conf_events_t, syslog), 0, 0, 0 },
	{ "syslog-socket", set_syslog_socket, offsetof(conf_events_t, syslog_socket), 0, 0, 0 },
	{ "hook", conf_set_path, offsetof(conf_events_t, hook), 0, 0, 0 },
	{ "hook-timeout", conf_set_duration, offsetof(conf_events_t, hook_timeout), 0, 1, 3600 },
	{ "repeat", conf_set_duration, offsetof(conf_events_t, repeat), 0, 0, 0 },
};

static int set_events(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	(void)k;
	return conf_map(c, v, events_keys, NKEYS(events_keys), dst, "events", NULL);
}

/* ---- tsig-keys ---- */

static const dns_name_t root_name = { 1, 0, { 0 } };

/* Parses a domain name (relative names are taken as absolute). */
int conf_name(conf_ctx_t *c, yaml_node_t *v, const char *key, dns_name_t *out, char **text)
{
	char buf[DNS_NAME_TEXT_MAX];
	const char *s = conf_scalar(v);
	int rc;

	if (conf_want(c, v, YAML_SCALAR_NODE, key) < 0)
		return -1;
	rc = *s ? dns_name_from_text(s, &root_name, out) : RODNS_E_SYNTAX;
	if (rc != RODNS_OK) {
		conf_err(c, v, "%s: '%s' is not a domain name (%s)", key, s, rodns_strerror(rc));
		out->len = 0;
		return -1;
	}
	if (text && dns_name_to_text(out, buf, sizeof(buf)) >= 0) {
		free(*text);
		*text = conf_strdup(c, buf);
	}
	return 0;
}

static int set_tsig_name(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	conf_tsig_t *t = dst;

	return conf_name(c, v, k->name, &t->name, &t->name_text);
}

static int set_tsig_alg(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	conf_tsig_t *t = dst;
	const char *s = conf_scalar(v);

	if (conf_want(c, v, YAML_SCALAR_NODE, k->name) < 0)
		return -1;
	for (int a = CONF_TSIG_HMAC_MD5; a <= CONF_TSIG_HMAC_SHA512; a++) {
		if (strcasecmp(s, conf_tsig_alg_name((conf_tsig_alg_t)a)) != 0)
			continue;
		if (a < CONF_TSIG_HMAC_SHA256 && !t->legacy) {
			conf_err(c, v, "algorithm: %s is weak and needs 'legacy: true' on this key",
				 conf_tsig_alg_name((conf_tsig_alg_t)a));
			return -1;
		}
		t->alg = (conf_tsig_alg_t)a;
		return 0;
	}
	conf_err(c, v, "algorithm: expected hmac-sha256, hmac-sha384 or hmac-sha512 "
		 "(hmac-sha1, hmac-md5 with legacy: true), got '%s'", s);
	return -1;
}

static void secret_set(conf_tsig_t *t, uint8_t *buf, size_t len)
{
	if (t->secret) {
		explicit_bzero(t->secret, t->secret_len);
		free(t->secret);
	}
	t->secret = buf;
	t->secret_len = len;
}

/* Decodes base64 text into t's secret. Returns RODNS_OK, RODNS_E_SYNTAX, or
 * RODNS_E_NOTFOUND when it decodes to nothing. */
static int secret_decode(conf_ctx_t *c, conf_tsig_t *t, const char *text)
{
	size_t cap = strlen(text) / 4 * 3 + 3;
	uint8_t *buf = conf_alloc(c, cap, 1);
	int n;

	if (!buf)
		return -ENOMEM;
	n = dns_b64_decode(text, buf, cap);
	if (n <= 0) {
		explicit_bzero(buf, cap);
		free(buf);
		return n == 0 ? RODNS_E_NOTFOUND : RODNS_E_SYNTAX;
	}
	secret_set(t, buf, (size_t)n);
	return RODNS_OK;
}

static int set_secret(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	int rc;

	if (conf_want(c, v, YAML_SCALAR_NODE, k->name) < 0)
		return -1;
	rc = secret_decode(c, dst, conf_scalar(v));
	/* The document is freed without wiping; do not leave the key in it. */
	explicit_bzero(v->data.scalar.value, v->data.scalar.length);
	if (rc == RODNS_E_NOTFOUND)
		conf_err(c, v, "secret: is empty");
	else if (rc != RODNS_OK && rc != -ENOMEM)
		conf_err(c, v, "secret: not valid base64");
	return rc == RODNS_OK ? 0 : -1;
}

/* Reads a small file into a NUL-terminated buffer of cap octets. */
static int read_small(const char *path, char *buf, size_t cap, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = RODNS_OK;
	ssize_t r;
	char extra;

	*len = 0;
	if (fd < 0)
		return -errno;
	while (*len < cap - 1) {
		r = read(fd, buf + *len, cap - 1 - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : RODNS_OK;
			break;
		}
		*len += (size_t)r;
	}
	if (rc == RODNS_OK && *len == cap - 1 && read(fd, &extra, 1) > 0)
		rc = -EFBIG;
	close(fd);
	buf[*len] = '\0';
	return rc;
}

static int set_secret_file(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	char *path = NULL, *buf = conf_alloc(c, CONF_SECRET_FILE_MAX + 1, 1);
	size_t len;
	int rc = -ENOMEM;

	if (!buf || conf_set_path(c, v, &path, k) < 0 || !path)
		goto out;
	rc = read_small(path, buf, CONF_SECRET_FILE_MAX + 1, &len);
	if (rc != RODNS_OK) {
		conf_err(c, v, "secret-file: cannot read '%s': %s", path,
			 rc == -EFBIG ? "larger than 64 KiB" : rodns_strerror(rc));
		goto out;
	}
	rc = secret_decode(c, dst, buf);
	if (rc == RODNS_E_NOTFOUND)
		conf_err(c, v, "secret-file: '%s' is empty", path);
	else if (rc != RODNS_OK && rc != -ENOMEM)
		conf_err(c, v, "secret-file: '%s' does not hold base64 text", path);
out:
	if (buf)
		explicit_bzero(buf, CONF_SECRET_FILE_MAX + 1);
	free(buf);
	free(path);
	return rc == RODNS_OK ? 0 : -1;
}

static const conf_key_t tsig_keys[] = {
	{ "name", set_tsig_name, 0, 1, 0, 0 },
	{ "legacy", conf_set_bool, offsetof(conf_tsig_t, legacy), 0, 0, 0 },
	{ "algorithm", set_tsig_alg, 0, 1, 0, 0 },
	{ "secret", set_secret, 0, 0, 0, 0 },
	{ "secret-file", set_secret_file, 0, 0, 0, 0 },
};

static void tsig_check(conf_ctx_t *c, conf_tsig_t *v, size_t i, const conf_seen_t *s)
{
	yaml_node_t *sec = conf_seen_get(s, tsig_keys, NKEYS(tsig_keys), "secret");
	yaml_node_t *file = conf_seen_get(s, tsig_keys, NKEYS(tsig_keys), "secret-file");
	yaml_node_t *name = conf_seen_get(s, tsig_keys, NKEYS(tsig_keys), "name");

	if (sec && file)
		conf_err(c, file, "tsig-keys: give either secret or secret-file, not both");
	else if (!sec && !file)
		conf_err(c, s->node, "tsig-keys: missing required key 'secret' or 'secret-file'");
	for (size_t j = 0; name && v[i].name.len && j < i; j++) {
		if (v[j].name.len && dns_name_eq(&v[j].name, &v[i].name)) {
			conf_err(c, name, "tsig-keys: duplicate key name '%s'", v[i].name_text);
			break;
		}
	}
}

static int set_tsig_list(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	conf_t *conf = dst;
	conf_seen_t seen;
	size_t n;

	if (conf_want(c, v, YAML_SEQUENCE_NODE, k->name) < 0)
		return -1;
	n = conf_list_len(c, v);
	conf->tsig = conf_alloc(c, n, sizeof(*conf->tsig));
	if (!conf->tsig)
		return -1;
	conf->n_tsig = n;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = conf_list_item(c, v, i);

		if (conf_visit(c, it) < 0)
			return -1;
		conf->tsig[i].alg = CONF_TSIG_HMAC_SHA256;
		conf_map(c, it, tsig_keys, NKEYS(tsig_keys), &conf->tsig[i], "tsig-keys", &seen);
		if (seen.node->type == YAML_MAPPING_NODE)
			tsig_check(c, conf->tsig, i, &seen);
	}
	return 0;
}

/* ---- tls ---- */

static int set_pin(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	conf_tls_t *t = dst;
	uint8_t buf[64];
	int n;

	if (conf_want(c, v, YAML_SCALAR_NODE, k->name) < 0)
		return -1;
	n = dns_b64_decode(conf_scalar(v), buf, sizeof(buf));
	if (n == RODNS_E_SPACE || n >= 0) {
		if (n == (int)sizeof(t->pin)) {
			memcpy(t->pin, buf, sizeof(t->pin));
			t->has_pin = true;
			return 0;
		}
		if (n < 0)
			conf_err(c, v, "pin: must be the base64 SHA-256 of the primary's public "
				 "key (32 octets), got more than 64 octets");
		else
			conf_err(c, v, "pin: must be the base64 SHA-256 of the primary's public "
				 "key (32 octets), got %d octets", n);
		return -1;
	}
	conf_err(c, v, "pin: not valid base64");
	return -1;
}

static int set_tls_version(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	const char *s = conf_scalar(v);

	if (conf_want(c, v, YAML_SCALAR_NODE, k->name) < 0)
		return -1;
	if (!strcmp(s, "1.2") || !strcmp(s, "1.3")) {
		*(int *)dst = s[2] == '2' ? CONF_TLS_V12 : CONF_TLS_V13;
		return 0;
	}
	conf_err(c, v, "min-version: expected 1.2 or 1.3, got '%s'", s);
	return -1;
}

static const conf_key_t tls_keys[] = {
	{ "name", conf_set_str, offsetof(conf_tls_t, name), 1, 0, 0 },
	{ "cert", conf_set_path, offsetof(conf_tls_t, cert), 0, 0, 0 },
	{ "key", conf_set_path, offsetof(conf_tls_t, key), 0, 0, 0 },
	{ "ca", conf_set_path, offsetof(conf_tls_t, ca), 0, 0, 0 },
	{ "hostname", conf_set_str, offsetof(conf_tls_t, hostname), 0, 0, 0 },
	{ "pin", set_pin, 0, 0, 0, 0 },
	{ "min-version", set_tls_version, offsetof(conf_tls_t, min_version), 0, 0, 0 },
};

static void tls_check(conf_ctx_t *c, conf_tls_t *v, size_t i, const conf_seen_t *s)
{
	yaml_node_t *cert = conf_seen_get(s, tls_keys, NKEYS(tls_keys), "cert");
	yaml_node_t *key = conf_seen_get(s, tls_keys, NKEYS(tls_keys), "key");
	yaml_node_t *ca = conf_seen_get(s, tls_keys, NKEYS(tls_keys), "ca");
	yaml_node_t *name = conf_seen_get(s, tls_keys, NKEYS(tls_keys), "name");
	yaml_node_t *pin = conf_seen_get(s, tls_keys, NKEYS(tls_keys), "pin");
	yaml_node_t *host = conf_seen_get(s, tls_keys, NKEYS(tls_keys), "hostname");
	conf_tls_t *t = &v[i];

	/* Decide on the keys present, not on their values: a bad pin has
	 * been reported already. */
	if (!cert != !key)
		conf_err(c, cert ? cert : key, "tls: cert and key go together; '%s' is missing",
			 cert ? "key" : "cert");
	if (!ca && !pin)
		conf_err(c, s->node, "tls: needs 'ca' or 'pin' to authenticate the primary");
	else if (ca && !host && !pin)
		conf_err(c, ca, "tls: 'ca' alone accepts any certificate it issued; add 'hostname' "
			 "or 'pin'");
	for (size_t j = 0; name && t->name && j < i; j++) {
		if (v[j].name && !strcmp(v[j].name, t->name)) {
			conf_err(c, name, "tls: duplicate name '%s'", t->name);
			break;
		}
	}
}

static int set_tls_list(conf_ctx_t *c, yaml_node_t *v, void *dst, const conf_key_t *k)
{
	conf_t *conf = dst;
	conf_seen_t seen;
	size_t n;

	if (conf_want(c, v, YAML_SEQUENCE_NODE, k->name) < 0)
		return -1;
	n = conf_list_len(c, v);
	conf->tls = conf_alloc(c, n, sizeof(*conf->tls));
	if (!conf->tls)
		return -1;
	conf->n_tls = n;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = conf_list_item(c, v, i);

		if (conf_visit(c, it) < 0)
			return -1;
		conf->tls[i].min_version = CONF_TLS_V13;
		conf_map(c, it, tls_keys, NKEYS(tls_keys), &conf->tls[i], "tls", &seen);
		if (seen.node->type == YAML_MAPPING_NODE)
			tls_check(c, conf->tls, i, &seen);
	}
	return 0;
}

/* ---- root ---- */

/* Table order is processing order: zones refer to tsig-keys and tls, and
 * their default store lives in server.state-dir. */
static const conf_key_t root_keys[] = {
	{ "server", set_server, offsetof(conf_t, server), 0, 0, 0 },
	{ "log", set_log, offsetof(conf_t, log), 0, 0, 0 },
	{ "events", set_events, offsetof(conf_t, events), 0, 0, 0 },
	{ "tsig-keys", set_tsig_list, 0, 0, 0, 0 },
	{ "tls", set_tls_list, 0, 0, 0, 0 },
	{ "zones", conf_set_zones, 0, 1, 0, 0 },
};

void conf_root(conf_ctx_t *c, yaml_node_t *root)
{
	if (root->type != YAML_MAPPING_NODE) {
		conf_err(c, root, "expected a mapping of sections (server, zones ...), got %s",
			 conf_kind(root));
		return;
	}
	conf_map(c, root, root_keys, NKEYS(root_keys), c->conf, "the top level", NULL);
}
