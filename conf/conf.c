/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Loading (file → libyaml document → conf_t), error reports, freeing and
 * lookups. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/internal.h"
#include "dns/err.h"

/* ---- defaults ---- */

static void listen_default(conf_ctx_t *c, conf_server_t *s)
{
	static const char *const any[] = { "0.0.0.0", "::" };

	s->listen = conf_alloc(c, 2, sizeof(*s->listen));
	if (!s->listen)
		return;
	for (size_t i = 0; i < 2; i++)
		conf_parse_addr(any[i], CONF_DEF_PORT, &s->listen[s->n_listen++]);
}

static void conf_defaults(conf_ctx_t *c, conf_t *conf)
{
	conf_server_t *s = &conf->server;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	listen_default(c, s);
	s->workers = cpus < 1 ? 1 : cpus > 1024 ? 1024 : (unsigned)cpus;
	s->state_dir = conf_strdup(c, CONF_DEF_STATE_DIR);
	s->control = conf_strdup(c, CONF_DEF_CONTROL);
	s->vici = conf_strdup(c, CONF_DEF_VICI);
	s->metrics_on = true;
	conf_parse_addr(CONF_DEF_METRICS, 0, &s->metrics);
	s->max_udp_payload = CONF_DEF_UDP_PAYLOAD;
	s->tcp_idle_timeout = CONF_DEF_TCP_IDLE;
	s->tcp_max_clients = CONF_DEF_TCP_CLIENTS;
	s->answer_cache = CONF_DEF_ANSWER_CACHE;
	s->steer_by_name = true;
	s->cookies = true;
	s->rrl.slip = 2;
	s->rrl.ipv4_prefix = 24;
	s->rrl.ipv6_prefix = 56;
	s->rrl.table_size = 65536;
	conf->log.level = CONF_LOG_INFO;
	conf->events.syslog = true;
	conf->events.hook_timeout = CONF_DEF_HOOK_TIMEOUT;
	conf->events.repeat = CONF_DEF_REPEAT;
}

/* ---- freeing ---- */

void conf_zone_deinit(conf_zone_t *z)
{
	for (size_t i = 0; z->primaries && i < z->n_primaries; i++) {
		free(z->primaries[i].ipsec_id);
		free(z->primaries[i].ipsec_initiate);
	}
	free(z->primaries);
	free(z->name_text);
	free(z->store);
	free(z->notify_from.v);
	free(z->allow_transfer.v);
	free(z->trust_anchor);
}

static void tls_deinit(conf_tls_t *t)
{
	free(t->name);
	free(t->cert);
	free(t->key);
	free(t->ca);
	free(t->hostname);
}

void conf_free(conf_t *c)
{
	if (!c)
		return;
	for (size_t i = 0; c->zones && i < c->n_zones; i++)
		conf_zone_deinit(&c->zones[i]);
	for (size_t i = 0; c->tls && i < c->n_tls; i++)
		tls_deinit(&c->tls[i]);
	for (size_t i = 0; c->tsig && i < c->n_tsig; i++) {
		if (c->tsig[i].secret)
			explicit_bzero(c->tsig[i].secret, c->tsig[i].secret_len);
		free(c->tsig[i].secret);
		free(c->tsig[i].name_text);
	}
	free(c->zone_index);
	free(c->zones);
	free(c->tls);
	free(c->tsig);
	free(c->server.listen);
	free(c->server.user);
	free(c->server.group);
	free(c->server.state_dir);
	free(c->server.control);
	free(c->server.vici);
	free(c->server.nsid);
	free(c->server.rrl.exempt.v);
	free(c->events.file);
	free(c->events.hook);
	free(c->events.syslog_socket);
	free(c->path);
	free(c);
}

/* ---- error report ---- */

static int err_cmp(const void *a, const void *b)
{
	const conf_err_t *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Appends one line if it fits whole; returns 0 when it did not. */
static int out_line(char *err, size_t cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int out_line(char *err, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || *len >= cap)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(err + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *len) {
		err[*len] = '\0';
		return 0;
	}
	*len += (size_t)n;
	return 1;
}

/* Sorted by position, one per line, as much as fits in err. */
static void err_report(conf_ctx_t *c, char *err, size_t cap)
{
	size_t len = 0;

	if (err && cap)
		err[0] = '\0';
	if (c->too_big &&
	    !out_line(err, cap, &len, "%s:%lu:%lu: configuration expands to more than %u nodes "
		      "(YAML aliases?); checking stopped here\n", c->file,
		      (unsigned long)c->too_big_at.line + 1, (unsigned long)c->too_big_at.column + 1,
		      CONF_NODE_BUDGET))
		return;
	if (c->n_errs)
		qsort(c->errs, c->n_errs, sizeof(*c->errs), err_cmp);
	for (size_t i = 0; i < c->n_errs; i++)
		if (!out_line(err, cap, &len, "%s:%lu:%lu: %s\n", c->file, c->errs[i].line,
			      c->errs[i].col, c->errs[i].msg))
			return;
	if (c->n_dropped)
		out_line(err, cap, &len, "%s: %zu more errors not shown\n", c->file, c->n_dropped);
	if (c->oom)
		out_line(err, cap, &len, "%s: out of memory\n", c->file);
}

static void ctx_deinit(conf_ctx_t *c)
{
	for (size_t i = 0; i < c->n_errs; i++)
		free(c->errs[i].msg);
	free(c->errs);
	free(c->basedir);
}

/* ---- loading ---- */

/* libyaml reader errors carry an offset, not a mark. */
static yaml_mark_t mark_at(const char *text, size_t len, size_t off)
{
	yaml_mark_t m = { 0, 0, 0 };

	for (size_t i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			m.line++;
			m.column = 0;
		} else {
			m.column++;
		}
	}
	return m;
}

static void yaml_problem(conf_ctx_t *c, yaml_parser_t *p, const char *text, size_t len)
{
	yaml_mark_t m = p->problem_mark;
	const char *what = p->problem ? p->problem : "cannot parse";

	const char *hint = "";

	if (p->error == YAML_READER_ERROR)
		m = mark_at(text, len, p->problem_offset);
	else if (m.index < len && text[m.index] == '\t')
		hint = " (YAML indents with spaces, not tabs)";
	if (p->context)
		conf_err_mark(c, m, "not valid YAML: %s %s at line %lu%s", what, p->context,
			      (unsigned long)p->context_mark.line + 1, hint);
	else
		conf_err_mark(c, m, "not valid YAML: %s%s", what, hint);
}

/* Parses one document; a second one in the same file is an error. */
static int load_doc(conf_ctx_t *c, yaml_parser_t *p, const char *text, size_t len)
{
	yaml_document_t extra;
	yaml_node_t *root;

	if (!yaml_parser_load(p, c->doc)) {
		yaml_problem(c, p, text, len);
		return -1;
	}
	root = yaml_document_get_root_node(c->doc);
	if (!root || conf_is_null(root)) {
		conf_err_mark(c, c->doc->start_mark, "the file is empty (it needs at least 'zones')");
		return -1;
	}
	if (!yaml_parser_load(p, &extra)) {
		yaml_problem(c, p, text, len);
		return -1;
	}
	if (yaml_document_get_root_node(&extra))
		conf_err_mark(c, extra.start_mark, "only one YAML document is allowed");
	yaml_document_delete(&extra);
	return 0;
}

static char *dir_of(const char *name)
{
	const char *slash = strrchr(name, '/');

	if (!slash)
		return strdup(".");
	if (slash == name)
		return strdup("/");
	return strndup(name, (size_t)(slash - name));
}

static void parse_text(conf_ctx_t *c, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;

	if (!yaml_parser_initialize(&parser)) {
		c->oom = 1;
		return;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	c->doc = &doc;
	if (load_doc(c, &parser, text, len) == 0)
		conf_root(c, yaml_document_get_root_node(&doc));
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	c->doc = NULL;
}

int conf_load_mem(const char *name, const char *text, size_t len, conf_t **out, char *err,
		  size_t errcap)
{
	conf_ctx_t c = { .file = name, .budget = CONF_NODE_BUDGET };
	conf_t *conf = calloc(1, sizeof(*conf));
	int rc;

	*out = NULL;
	c.conf = conf;
	c.basedir = dir_of(name);
	if (!conf || !c.basedir || !(conf->path = strdup(name))) {
		c.oom = 1;
	} else {
		conf_defaults(&c, conf);
		parse_text(&c, text, len);
	}
	rc = c.oom ? -ENOMEM : c.n_errs || c.too_big ? RODNS_E_SYNTAX : RODNS_OK;
	err_report(&c, err, errcap);
	ctx_deinit(&c);
	if (rc != RODNS_OK)
		conf_free(conf);
	else
		*out = conf;
	return rc;
}

/* Reads the whole file (at most CONF_FILE_MAX) into a new buffer. */
static int read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "re");
	int rc = RODNS_OK;

	*buf = NULL;
	*len = 0;
	if (!f)
		return -errno;
	*buf = malloc(CONF_FILE_MAX + 1);
	if (!*buf) {
		fclose(f);
		return -ENOMEM;
	}
	*len = fread(*buf, 1, CONF_FILE_MAX + 1, f);
	if (ferror(f))
		rc = errno ? -errno : -EIO;
	else if (*len > CONF_FILE_MAX)
		rc = -EFBIG;
	fclose(f);
	return rc;
}

int conf_load(const char *path, conf_t **out, char *err, size_t errcap)
{
	char *buf;
	size_t len, used = 0;
	int rc;

	*out = NULL;
	rc = read_file(path, &buf, &len);
	if (rc == RODNS_OK) {
		rc = conf_load_mem(path, buf, len, out, err, errcap);
	} else {
		if (err && errcap)
			err[0] = '\0';
		out_line(err, errcap, &used, "%s: %s\n", path,
			 rc == -EFBIG ? "file too large" : rodns_strerror(rc));
	}
	if (buf) {
		/* It may hold TSIG secrets. */
		explicit_bzero(buf, len);
		free(buf);
	}
	return rc;
}

/* ---- lookups ---- */

static int zone_key_cmp(const void *key, const void *elem)
{
	const conf_zone_t *const *z = elem;

	return dns_name_cmp(key, &(*z)->name);
}

const conf_zone_t *conf_zone_find(const conf_t *c, const dns_name_t *name)
{
	const conf_zone_t *const *z;

	if (!c || !c->zone_index || !name)
		return NULL;
	z = bsearch(name, c->zone_index, c->n_zones, sizeof(*c->zone_index), zone_key_cmp);
	return z ? *z : NULL;
}

const conf_tsig_t *conf_tsig_find(const conf_t *c, const dns_name_t *name)
{
	for (size_t i = 0; c && name && i < c->n_tsig; i++)
		if (c->tsig[i].name.len && dns_name_eq(&c->tsig[i].name, name))
			return &c->tsig[i];
	return NULL;
}

const conf_tls_t *conf_tls_find(const conf_t *c, const char *name)
{
	for (size_t i = 0; c && name && i < c->n_tls; i++)
		if (c->tls[i].name && !strcmp(c->tls[i].name, name))
			return &c->tls[i];
	return NULL;
}
