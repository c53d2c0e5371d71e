/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* rodnsctl: talks to a running rodnsd over its control socket
 * (daemon/control.h). Usage and exit codes: usage() below. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "daemon/control.h"
#include "daemon/expiry.h"
#include "daemon/json.h"
#include "store/store.h"
#include "xfr/validate.h"
#include "xfr/xfrin.h"

#define DEFAULT_CONF  "/etc/rodns/rodns.yaml"
#define IO_TIMEOUT_MS 60000

enum {
	EXIT_OK = 0,
	EXIT_WARNING = 1,
	EXIT_ERROR = 2,
	EXIT_UNREACHABLE = 3,
	EXIT_REFUSED = 4,
	EXIT_USAGE = 64,
};

static void usage(FILE *f)
{
	fprintf(f, "usage: rodnsctl [-s SOCKET] [-c CONFIG] [--json] COMMAND [ZONE] [--follow]\n"
		   "\n"
		   "commands:\n"
		   "  status             the daemon: pid, uptime, zones by state and expiry state\n"
		   "  zones              one row per zone: state, serial, expiry state, times\n"
		   "  zone-status ZONE   everything about one zone (timers, primary, failures)\n"
		   "  refresh ZONE       query the primary now, as a NOTIFY would\n"
		   "  retransfer ZONE    full transfer (AXFR) now, even at an unchanged serial\n"
		   "  expiry [ZONE]      signature expiry per zone: earliest and latest RRSIG\n"
		   "                     expiry, RRSIGs expiring within the warning window,\n"
		   "                     expired and not yet valid, the ten RRSIGs that expire\n"
		   "                     first, and the state ok / warning / error\n"
		   "  events [--follow]  the recent events; --follow keeps printing new ones\n"
		   "  dump ZONE          the zone as stored, master-file text in canonical order\n"
		   "  verify ZONE        re-check the stored zone's DNSSEC against the zone's\n"
		   "                     trust anchor (reads the store named in the config,\n"
		   "                     catches tampering of the SQLite file); exit 0 valid,\n"
		   "                     2 bogus\n"
		   "  reload             reload the configuration (as SIGHUP does)\n"
		   "  stop               stop rodnsd (as SIGTERM does)\n"
		   "\n"
		   "options:\n"
		   "  -s SOCKET  the control socket (default: server.control of the config)\n"
		   "  -c CONFIG  the configuration to take the socket from (default " DEFAULT_CONF
		   " if it exists, else /run/rodns/control.sock)\n"
		   "  --json     print rodnsd's answer as JSON (events: one object per line)\n"
		   "  -h         this help\n"
		   "\n"
		   "Tables are aligned on a terminal and tab-separated (with a header row) when\n"
		   "the output is not a terminal. Times are UTC.\n"
		   "\n"
		   "exit status:\n"
		   "  0   done (expiry: every zone ok)\n"
		   "  1   expiry: a zone is in warning (Nagios WARNING)\n"
		   "  2   expiry: a zone is in error (Nagios CRITICAL)\n"
		   "  3   rodnsd cannot be reached (not running, wrong socket, no permission)\n"
		   "      or broke off (Nagios UNKNOWN)\n"
		   "  4   rodnsd refused the command: unknown zone, no data yet, reload failed\n"
		   "  64  usage error\n");
}

__attribute__((format(printf, 1, 2))) static void fail(const char *fmt, ...)
{
	va_list ap;
	fputs("rodnsctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- tables --------------------------------------------------------------- */

typedef struct {
	char **cell;
	size_t cols, rows, cap;
} table_t;

static void t_row(table_t *t, ...)
{
	va_list ap;
	if (t->rows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cell = realloc(t->cell, t->cap * t->cols * sizeof(*t->cell));
		if (!t->cell) {
			fail("out of memory");
			exit(EXIT_UNREACHABLE);
		}
	}
	va_start(ap, t);
	for (size_t c = 0; c < t->cols; c++) {
		const char *s = va_arg(ap, const char *);
		t->cell[t->rows * t->cols + c] = strdup(s ? s : "");
	}
	va_end(ap);
	t->rows++;
}

/* Aligned on a terminal (row 0 is the header), TSV otherwise. */
static void t_print(table_t *t, bool tty, const char *indent)
{
	if (!indent) { /* drop it unprinted */
		for (size_t i = 0; i < t->rows * t->cols; i++)
			free(t->cell[i]);
		free(t->cell);
		*t = (table_t){.cols = t->cols};
		return;
	}
	size_t w[16] = {0};
	for (size_t r = 0; r < t->rows; r++)
		for (size_t c = 0; c < t->cols && c < 16; c++) {
			size_t l = strlen(t->cell[r * t->cols + c]);
			w[c] = l > w[c] ? l : w[c];
		}
	for (size_t r = 0; r < t->rows; r++) {
		fputs(tty ? indent : "", stdout);
		for (size_t c = 0; c < t->cols; c++) {
			const char *s = t->cell[r * t->cols + c];
			if (!tty)
				printf("%s%s", s, c + 1 < t->cols ? "\t" : "\n");
			else if (c + 1 < t->cols)
				printf("%-*s  ", (int)w[c], s);
			else
				printf("%s\n", s);
		}
	}
	for (size_t i = 0; i < t->rows * t->cols; i++)
		free(t->cell[i]);
	free(t->cell);
	*t = (table_t){.cols = t->cols};
}

static const char *tm_text(int64_t t, char *buf, size_t cap)
{
	if (t <= 0)
		return "-";
	return daemon_time_text(t, buf, cap);
}

static const char *num(int64_t v, char *buf, size_t cap)
{
	snprintf(buf, cap, "%lld", (long long)v);
	return buf;
}

/* "in 1d23h" / "3h ago" relative to now. */
static const char *rel(int64_t t, int64_t now, char *buf, size_t cap)
{
	char s[32];
	if (t <= 0)
		return "-";
	if (t >= now)
		snprintf(buf, cap, "in %s", daemon_span_text(t - now, s, sizeof(s)));
	else
		snprintf(buf, cap, "%s ago", daemon_span_text(now - t, s, sizeof(s)));
	return buf;
}

/* ---- the connection ------------------------------------------------------- */

typedef struct {
	int fd;
	char buf[65536];
	size_t len, off;
	bool eof;
} conn_t;

static int ctl_connect(const char *path, conn_t *c)
{
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(un.sun_path)) {
		fail("socket path too long: %s", path);
		return -1;
	}
	memcpy(un.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&un, sizeof(un)) != 0) {
		int e = errno;
		fail("cannot reach rodnsd at %s: %s%s", path, strerror(e),
		     e == ENOENT || e == ECONNREFUSED
			 ? " (is rodnsd running? -s or -c pick the socket)"
		     : e == EACCES ? " (the socket is mode 0600: run as rodnsd's user)"
				   : "");
		return -1;
	}
	return 0;
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The next response line (NUL-terminated, no newline) or NULL at EOF or
 * on a timeout (timeout_ms < 0: wait for ever). */
static char *next_line(conn_t *c, int timeout_ms)
{
	for (;;) {
		char *nl = memchr(c->buf + c->off, '\n', c->len - c->off);
		if (nl) {
			char *line = c->buf + c->off;
			*nl = '\0';
			c->off = (size_t)(nl - c->buf) + 1;
			return line;
		}
		if (c->eof)
			return NULL;
		if (c->off) {
			memmove(c->buf, c->buf + c->off, c->len - c->off);
			c->len -= c->off;
			c->off = 0;
		}
		if (c->len == sizeof(c->buf) - 1)
			return NULL; /* a line longer than the buffer: protocol broken */
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		int r = poll(&p, 1, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return NULL;
		ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			c->eof = true;
		else
			c->len += (size_t)n;
	}
}

/* Reads one response object; NULL (with a message) when none came. */
static json_t *next_obj(conn_t *c, int timeout_ms, char **raw)
{
	char *line = next_line(c, timeout_ms);
	char err[128];
	if (!line) {
		fail("rodnsd closed the connection without an answer");
		return NULL;
	}
	json_t *j = json_parse(line, strlen(line), err, sizeof(err));
	if (!j || j->type != JSON_OBJ) {
		fail("unreadable answer from rodnsd: %s", j ? "not an object" : err);
		json_free(j);
		return NULL;
	}
	if (raw)
		*raw = line;
	return j;
}

/* ---- rendering ------------------------------------------------------------ */

typedef struct {
	bool json, tty, follow;
	const char *cmd, *zone;
} opts_t;

static void kv(table_t *t, const char *k, const char *v)
{
	t_row(t, k, v);
}

static void show_status(const json_t *r, const opts_t *o)
{
	table_t t = {.cols = 2};
	char a[64], b[64], c[160];
	int64_t now = time(NULL);
	if (!o->tty)
		kv(&t, "key", "value");
	kv(&t, "pid", num(json_get_int(r, "pid", 0), a, sizeof(a)));
	int64_t st = json_get_int(r, "started", 0);
	snprintf(c, sizeof(c), "%s (%s)", tm_text(st, a, sizeof(a)), rel(st, now, b, sizeof(b)));
	kv(&t, "started", c);
	kv(&t, "config", json_get_str(r, "config", ""));
	kv(&t, "zones", num(json_get_int(r, "zones", 0), a, sizeof(a)));
	kv(&t, "serving", num(json_get_int(r, "serving", 0), a, sizeof(a)));
	kv(&t, "expired", num(json_get_int(r, "expired", 0), a, sizeof(a)));
	kv(&t, "empty", num(json_get_int(r, "empty", 0), a, sizeof(a)));
	kv(&t, "expiry ok", num(json_get_int(r, "expiry_ok", 0), a, sizeof(a)));
	kv(&t, "expiry warning", num(json_get_int(r, "expiry_warning", 0), a, sizeof(a)));
	kv(&t, "expiry error", num(json_get_int(r, "expiry_error", 0), a, sizeof(a)));
	kv(&t, "events", num(json_get_int(r, "events", 0), a, sizeof(a)));
	kv(&t, "workers", num(json_get_int(r, "workers", 0), a, sizeof(a)));
	kv(&t, "metrics", json_get_str(r, "metrics", ""));
	t_print(&t, o->tty, "");
}

static void show_zones(const json_t *r, const opts_t *o)
{
	table_t t = {.cols = 8};
	char a[6][40];
	t_row(&t, o->tty ? "ZONE" : "zone", o->tty ? "STATE" : "state",
	      o->tty ? "SERIAL" : "serial", o->tty ? "EXPIRY" : "expiry",
	      o->tty ? "LAST-REFRESH" : "last_refresh", o->tty ? "NEXT-REFRESH" : "next_refresh",
	      o->tty ? "EXPIRES" : "expire_at", o->tty ? "FIRST-RRSIG-EXPIRY" : "earliest_expiry");
	const json_t *zs = json_get(r, "zones");
	for (const json_t *z = zs ? zs->child : NULL; z; z = z->next)
		t_row(&t, json_get_str(z, "zone", ""), json_get_str(z, "state", ""),
		      num(json_get_int(z, "serial", 0), a[0], sizeof(a[0])),
		      json_get_str(z, "expiry", ""),
		      tm_text(json_get_int(z, "last_refresh", 0), a[1], sizeof(a[1])),
		      tm_text(json_get_int(z, "next_refresh", 0), a[2], sizeof(a[2])),
		      tm_text(json_get_int(z, "expire_at", 0), a[3], sizeof(a[3])),
		      tm_text(json_get_int(z, "earliest_expiry", 0), a[4], sizeof(a[4])));
	t_print(&t, o->tty, "");
}

static void show_zone(const json_t *r, const opts_t *o)
{
	const json_t *z = json_get(r, "zone");
	table_t t = {.cols = 2};
	char a[64];
	static const char *const times[] = {"last_refresh", "last_axfr", "next_refresh",
					    "expire_at", "earliest_expiry"};
	if (!o->tty)
		kv(&t, "key", "value");
	for (const json_t *e = z ? z->child : NULL; e; e = e->next) {
		bool is_time = false;
		for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++)
			is_time = is_time || strcmp(e->key, times[i]) == 0;
		if (e->type == JSON_STR)
			kv(&t, e->key, e->str);
		else if (e->type == JSON_BOOL)
			kv(&t, e->key, e->b ? "yes" : "no");
		else if (is_time)
			kv(&t, e->key, tm_text(e->inum, a, sizeof(a)));
		else
			kv(&t, e->key, num(e->inum, a, sizeof(a)));
	}
	t_print(&t, o->tty, "");
}

static void worst_table(table_t *t, const json_t *z, int64_t now, bool tty)
{
	char a[5][48];
	const json_t *ws = json_get(z, "worst");
	for (const json_t *w = ws ? ws->child : NULL; w; w = w->next) {
		int64_t exp = json_get_int(w, "expiration", 0);
		if (tty)
			t_row(t, json_get_str(w, "owner", ""), json_get_str(w, "type", ""),
			      num(json_get_int(w, "key_tag", 0), a[0], sizeof(a[0])),
			      num(json_get_int(w, "algorithm", 0), a[1], sizeof(a[1])),
			      tm_text(json_get_int(w, "inception", 0), a[2], sizeof(a[2])),
			      tm_text(exp, a[3], sizeof(a[3])), rel(exp, now, a[4], sizeof(a[4])));
		else
			t_row(t, json_get_str(z, "zone", ""), json_get_str(w, "owner", ""),
			      json_get_str(w, "type", ""),
			      num(json_get_int(w, "key_tag", 0), a[0], sizeof(a[0])),
			      num(json_get_int(w, "algorithm", 0), a[1], sizeof(a[1])),
			      tm_text(json_get_int(w, "inception", 0), a[2], sizeof(a[2])),
			      tm_text(exp, a[3], sizeof(a[3])));
	}
}

static void expiry_tty(const json_t *z, int64_t now)
{
	table_t t = {.cols = 2};
	char a[64], b[64], c[160];
	const char *st = json_get_str(z, "state", "");
	const char *cond = json_get_str(z, "conditions", "");
	int64_t e = json_get_int(z, "earliest", 0), l = json_get_int(z, "latest", 0);
	int64_t x = json_get_int(z, "expire_at", 0), w = json_get_int(z, "window", 0);
	printf("%s  %s%s%s%s\n", json_get_str(z, "zone", ""), st, cond[0] ? " (" : "", cond,
	       cond[0] ? ")" : "");
	kv(&t, "zone state", json_get_str(z, "zone_state", ""));
	kv(&t, "serial", num(json_get_int(z, "serial", 0), a, sizeof(a)));
	kv(&t, "rrsigs", num(json_get_int(z, "rrsigs", 0), a, sizeof(a)));
	snprintf(c, sizeof(c), "%s (%s)", tm_text(e, a, sizeof(a)), rel(e, now, b, sizeof(b)));
	kv(&t, "earliest expiry", c);
	snprintf(c, sizeof(c), "%s (%s)", tm_text(l, a, sizeof(a)), rel(l, now, b, sizeof(b)));
	kv(&t, "latest expiry", c);
	snprintf(c, sizeof(c), "%lld (window %s)", (long long)json_get_int(z, "expiring", 0),
		 daemon_span_text(w, a, sizeof(a)));
	kv(&t, "expiring", c);
	kv(&t, "expired", num(json_get_int(z, "expired", 0), a, sizeof(a)));
	kv(&t, "not yet valid", num(json_get_int(z, "not_valid", 0), a, sizeof(a)));
	snprintf(c, sizeof(c), "%s (%s)%s", tm_text(x, a, sizeof(a)), rel(x, now, b, sizeof(b)),
		 json_get_bool(z, "expires_before_zone", false) ? ": signatures expire before it"
								: "");
	kv(&t, "zone expires", c);
	t_print(&t, true, "  ");
	table_t s = {.cols = 7};
	t_row(&s, "OWNER", "TYPE", "KEY", "ALG", "INCEPTION", "EXPIRATION", "LEFT");
	worst_table(&s, z, now, true);
	if (s.rows == 1)
		printf("  (no RRSIG)\n");
	else
		printf("  the %zu RRSIGs that expire first:\n", s.rows - 1);
	t_print(&s, true, s.rows > 1 ? "  " : NULL);
	printf("\n");
}

static void expiry_tsv(const json_t *zs, int64_t now)
{
	table_t t = {.cols = 14};
	char a[10][40];
	(void)now;
	t_row(&t, "zone", "state", "conditions", "zone_state", "serial", "rrsigs", "earliest",
	      "latest", "expiring", "expired", "not_valid", "window", "expire_at",
	      "expires_before_zone");
	for (const json_t *z = zs ? zs->child : NULL; z; z = z->next)
		t_row(&t, json_get_str(z, "zone", ""), json_get_str(z, "state", ""),
		      json_get_str(z, "conditions", ""), json_get_str(z, "zone_state", ""),
		      num(json_get_int(z, "serial", 0), a[0], 40),
		      num(json_get_int(z, "rrsigs", 0), a[1], 40),
		      tm_text(json_get_int(z, "earliest", 0), a[2], 40),
		      tm_text(json_get_int(z, "latest", 0), a[3], 40),
		      num(json_get_int(z, "expiring", 0), a[4], 40),
		      num(json_get_int(z, "expired", 0), a[5], 40),
		      num(json_get_int(z, "not_valid", 0), a[6], 40),
		      num(json_get_int(z, "window", 0), a[7], 40),
		      tm_text(json_get_int(z, "expire_at", 0), a[8], 40),
		      json_get_bool(z, "expires_before_zone", false) ? "yes" : "no");
	t_print(&t, false, "");
	printf("\n");
	table_t s = {.cols = 7};
	t_row(&s, "zone", "owner", "type", "key_tag", "algorithm", "inception", "expiration");
	for (const json_t *z = zs ? zs->child : NULL; z; z = z->next)
		worst_table(&s, z, now, false);
	t_print(&s, false, "");
}

static int show_expiry(const json_t *r, const opts_t *o)
{
	const char *st = json_get_str(r, "state", "ok");
	int64_t now = json_get_int(r, "now", time(NULL));
	const json_t *zs = json_get(r, "zones");
	if (o->tty) {
		for (const json_t *z = zs ? zs->child : NULL; z; z = z->next)
			expiry_tty(z, now);
		printf("overall: %s\n", st);
	} else {
		expiry_tsv(zs, now);
	}
	return !strcmp(st, "error") ? EXIT_ERROR : !strcmp(st, "warning") ? EXIT_WARNING : EXIT_OK;
}

static void show_event(const json_t *e, const char *raw, const opts_t *o)
{
	char id[16];
	if (o->json) {
		puts(raw);
	} else if (json_get(e, "lost")) {
		printf("%s(%lld events lost: the reader fell behind)\n", o->tty ? "" : "#\t",
		       (long long)json_get_int(e, "lost", 0));
	} else {
		snprintf(id, sizeof(id), "%lld", (long long)json_get_int(e, "id", 0));
		printf(o->tty ? "%s %s %-7s %s %s\n" : "%s\t%s\t%s\t%s\t%s\n",
		       json_get_str(e, "time", ""), id, json_get_str(e, "severity", ""),
		       json_get_str(e, "zone", "-"), json_get_str(e, "message", ""));
	}
	fflush(stdout);
}

/* Streams: events and dump. Returns the exit status. */
static int stream(conn_t *c, const json_t *head, const opts_t *o)
{
	bool dump = !strcmp(json_get_str(head, "stream", ""), "dump");
	if (dump && !o->json)
		printf("; %s serial %lld, from rodnsd's store\n", json_get_str(head, "zone", ""),
		       (long long)json_get_int(head, "serial", 0));
	if (!dump && !o->json && !o->tty)
		printf("time\tid\tseverity\tzone\tmessage\n");
	for (;;) {
		char *raw = NULL;
		json_t *e = next_obj(c, o->follow ? -1 : IO_TIMEOUT_MS, &raw);
		if (!e)
			return EXIT_UNREACHABLE;
		if (json_get_bool(e, "end", false)) {
			const char *err = json_get_str(e, "error", NULL);
			if (err)
				fail("the dump broke off: %s", err);
			json_free(e);
			return err ? EXIT_UNREACHABLE : EXIT_OK;
		}
		if (dump && o->json)
			puts(raw);
		else if (dump)
			puts(json_get_str(e, "rr", ""));
		else
			show_event(e, raw, o);
		json_free(e);
	}
}

static int render(conn_t *c, json_t *r, const char *raw, const opts_t *o)
{
	if (json_get(r, "stream"))
		return stream(c, r, o);
	if (o->json) {
		puts(raw);
		if (!strcmp(o->cmd, "expiry")) {
			const char *st = json_get_str(r, "state", "ok");
			return !strcmp(st, "error")	? EXIT_ERROR
			       : !strcmp(st, "warning") ? EXIT_WARNING
							: EXIT_OK;
		}
		return EXIT_OK;
	}
	if (!strcmp(o->cmd, "status"))
		show_status(r, o);
	else if (!strcmp(o->cmd, "zones"))
		show_zones(r, o);
	else if (!strcmp(o->cmd, "zone-status"))
		show_zone(r, o);
	else if (!strcmp(o->cmd, "expiry"))
		return show_expiry(r, o);
	else
		printf("%s%s%s\n", json_get_str(r, "zone", ""), json_get(r, "zone") ? ": " : "",
		       json_get_str(r, "message", "done"));
	return EXIT_OK;
}

/* ---- main ----------------------------------------------------------------- */

static const char *socket_from_conf(const char *path, bool explicit)
{
	static char err[8192];
	conf_t *c = NULL;
	if (!explicit && access(path, R_OK) != 0)
		return CONF_DEF_CONTROL;
	if (conf_load(path, &c, err, sizeof(err)) != RODNS_OK) {
		fail("cannot read %s:\n%s", path, err);
		return NULL;
	}
	static char sock[256];
	snprintf(sock, sizeof(sock), "%s", c->server.control);
	conf_free(c);
	return sock;
}

static bool known(const char *cmd, bool *zone_needed, bool *zone_allowed)
{
	static const char *const with[] = {"zone-status", "refresh", "retransfer", "dump",
					   "verify"};
	static const char *const without[] = {"status", "zones", "events", "reload", "stop"};
	*zone_needed = *zone_allowed = false;
	for (size_t i = 0; i < 5; i++)
		if (!strcmp(cmd, with[i]))
			return *zone_needed = *zone_allowed = true;
	if (!strcmp(cmd, "expiry"))
		return *zone_allowed = true;
	for (size_t i = 0; i < 5; i++)
		if (!strcmp(cmd, without[i]))
			return true;
	return false;
}

static int parse_args(int argc, char **argv, opts_t *o, const char **sock, const char **conf)
{
	const char *pos[3] = {0};
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(EXIT_OK);
		} else if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--follow") || !strcmp(a, "-f")) {
			o->follow = true;
		} else if ((!strcmp(a, "-s") || !strcmp(a, "-c")) && i + 1 < argc) {
			*(a[1] == 's' ? sock : conf) = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			fail("unknown option %s", a);
			return -1;
		} else if (npos < 3) {
			pos[npos++] = a;
		} else {
			fail("too many arguments");
			return -1;
		}
	}
	bool need, allow;
	if (npos == 0) {
		fail("no command given");
		return -1;
	}
	o->cmd = pos[0];
	o->zone = npos > 1 ? pos[1] : NULL;
	if (!known(o->cmd, &need, &allow)) {
		fail("unknown command %s", o->cmd);
		return -1;
	}
	if ((need && !o->zone) || (!allow && o->zone) || npos > 2) {
		fail("%s %s", o->cmd,
		     need    ? "takes one ZONE"
		     : allow ? "takes at most one ZONE"
			     : "takes no ZONE");
		return -1;
	}
	if (o->follow && strcmp(o->cmd, "events") != 0) {
		fail("--follow goes with events");
		return -1;
	}
	return 0;
}

/* verify ZONE: the validator of the transfers, run on the stored zone from a
 * read-only connection of our own, with the zone's trust anchor from the
 * configuration. Nothing of the daemon is involved: it works while rodnsd
 * is down too, which is when a tampered file is best caught. */
static int verify(const char *conf_path, const char *zone, bool json)
{
	static char err[8192];
	conf_t *c = NULL;
	if (conf_load(conf_path, &c, err, sizeof(err)) != RODNS_OK) {
		fail("cannot read %s:\n%s", conf_path, err);
		return EXIT_USAGE;
	}
	dns_name_t name;
	const conf_zone_t *cz = NULL;
	if (dns_name_from_text(zone, &(dns_name_t){.len = 1}, &name) == RODNS_OK)
		cz = conf_zone_find(c, &name);
	int rc = EXIT_REFUSED;
	xfr_validator_t *v = NULL;
	store_t *s = NULL;
	store_zone_t z;
	char why[1024] = "";
	if (!cz)
		fail("%s is not a configured zone", zone);
	else if (xfr_validator_new(cz, &v, why, sizeof(why)) != RODNS_OK)
		fail("%s: %s", cz->name_text, why);
	else if (store_open(cz->store, STORE_RDONLY, &s) != RODNS_OK ||
		 store_zone_get(s, &cz->name, &z) != RODNS_OK || z.state == STORE_ZONE_EMPTY)
		fail("%s: no stored data in %s", cz->name_text, cz->store);
	else if (store_read_begin(s) == RODNS_OK) {
		int vr = xfr_validate(v, s, NULL, z.id, XFR_KIND_AXFR, why, sizeof(why));
		store_read_end(s);
		rc = vr == RODNS_OK ? EXIT_OK : EXIT_ERROR;
		if (json)
			printf("{\"zone\":\"%s\",\"serial\":%u,\"valid\":%s}\n", cz->name_text,
			       z.serial, vr == RODNS_OK ? "true" : "false");
		else if (vr == RODNS_OK)
			printf("%s serial %u: valid\n", cz->name_text, z.serial);
		else
			printf("%s serial %u: BOGUS: %s\n", cz->name_text, z.serial, why);
	}
	store_close(s);
	xfr_validator_free(v);
	conf_free(c);
	return rc;
}

int main(int argc, char **argv)
{
	opts_t o = {0};
	const char *sock = NULL, *conf = NULL;
	if (parse_args(argc, argv, &o, &sock, &conf) != 0) {
		fprintf(stderr, "(rodnsctl -h for help)\n");
		return EXIT_USAGE;
	}
	if (!strcmp(o.cmd, "verify"))
		return verify(conf ? conf : DEFAULT_CONF, o.zone, o.json);
	o.tty = isatty(STDOUT_FILENO);
	if (!sock)
		sock = socket_from_conf(conf ? conf : DEFAULT_CONF, conf != NULL);
	if (!sock)
		return EXIT_USAGE;
	static conn_t c;
	if (ctl_connect(sock, &c) != 0)
		return EXIT_UNREACHABLE;
	dbuf_t req = {0};
	bool f = true;
	dbuf_puts(&req, "{");
	dbuf_json_kstr(&req, &f, "cmd", o.cmd);
	if (o.zone)
		dbuf_json_kstr(&req, &f, "zone", o.zone);
	if (o.follow)
		dbuf_json_kbool(&req, &f, "follow", true);
	dbuf_puts(&req, "}\n");
	if (req.oom || send_all(c.fd, req.p, req.len) != 0) {
		fail("cannot send to rodnsd at %s: %s", sock, strerror(errno));
		return EXIT_UNREACHABLE;
	}
	dbuf_free(&req);
	char *raw = NULL;
	json_t *r = next_obj(&c, IO_TIMEOUT_MS, &raw);
	if (!r)
		return EXIT_UNREACHABLE;
	int rc;
	if (!json_get_bool(r, "ok", false)) {
		fail("%s", json_get_str(r, "error", "rodnsd refused the command"));
		rc = EXIT_REFUSED;
	} else {
		rc = render(&c, r, raw, &o);
	}
	json_free(r);
	close(c.fd);
	return rc;
}
