/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Prometheus metrics: a minimal HTTP server on the main loop, and the
 * exposition text. See metrics.h. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/daemon_int.h"
#include "daemon/event.h"
#include "daemon/metrics.h"

#define M_REQ_MAX 4096
#define M_TIMEOUT 5.0
#define M_CLIENTS 16

typedef struct mconn {
	ev_io io; /* first member: the callbacks cast back */
	ev_timer to;
	struct daemon_metrics *m;
	struct mconn *next;
	char in[M_REQ_MAX];
	size_t inlen;
	dbuf_t out;
	size_t off;
} mconn_t;

struct daemon_metrics {
	ev_io io; /* first member */
	daemon_t *d;
	mconn_t *conns;
	int nconns;
};

/* ---- the exposition ------------------------------------------------------- */

static void family(dbuf_t *b, const char *name, const char *type, const char *help)
{
	dbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void label(dbuf_t *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			dbuf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			dbuf_puts(b, "\\n");
		else
			dbuf_add(b, v, 1);
	}
}

static void zone_sample(dbuf_t *b, const char *name, const char *zone, long long v)
{
	dbuf_printf(b, "%s{zone=\"", name);
	label(b, zone);
	dbuf_printf(b, "\"} %lld\n", v);
}

/* The figures of one zone, copied under the lock. */
typedef struct {
	const char *name;
	uint32_t serial;
	int state;
	int64_t last_ok, expire_at, next;
	const expiry_summary_t *sum;
	int level;
} zrow_t;

enum {
	ZM_SERIAL,
	ZM_STATE,
	ZM_LAST,
	ZM_EXPIRE,
	ZM_NEXT,
	ZM_RRSIGS,
	ZM_EARLIEST,
	ZM_LATEST,
	ZM_EXPIRING,
	ZM_EXPIRED,
	ZM_NOT_VALID,
	ZM_WINDOW,
	ZM_LEVEL,
};

typedef struct {
	int which;
	const char *name, *help;
} zmetric_t;

static const zmetric_t zmetrics[] = {
    {ZM_SERIAL, "rodns_zone_serial", "SOA serial the zone is served at."},
    {ZM_STATE, "rodns_zone_state",
     "Zone state: 0 empty (never transferred), 1 serving, 2 expired (SOA EXPIRE passed, "
     "answering SERVFAIL)."},
    {ZM_LAST, "rodns_zone_last_refresh_timestamp_seconds",
     "Unix time of the last successful refresh (0: never)."},
    {ZM_EXPIRE, "rodns_zone_expire_timestamp_seconds",
     "Unix time at which the zone expires without a successful refresh (0: empty)."},
    {ZM_NEXT, "rodns_zone_next_refresh_timestamp_seconds",
     "Unix time of the next refresh attempt."},
    {ZM_RRSIGS, "rodns_zone_rrsigs", "RRSIG records in the zone (as of the last transfer)."},
    {ZM_EARLIEST, "rodns_zone_rrsig_earliest_expiry_timestamp_seconds",
     "Unix time at which the zone's first RRSIG expires."},
    {ZM_LATEST, "rodns_zone_rrsig_latest_expiry_timestamp_seconds",
     "Unix time at which the zone's last RRSIG expires."},
    {ZM_EXPIRING, "rodns_zone_rrsig_expiring", "RRSIGs that expire within the warning window."},
    {ZM_EXPIRED, "rodns_zone_rrsig_expired", "RRSIGs served past their expiration."},
    {ZM_NOT_VALID, "rodns_zone_rrsig_not_yet_valid", "RRSIGs whose inception is in the future."},
    {ZM_WINDOW, "rodns_zone_rrsig_warning_window_seconds",
     "Warning window: max(expiry-warning, SOA refresh + retry)."},
    {ZM_LEVEL, "rodns_zone_expiry_state",
     "Signature expiry state as rodnsctl expiry reports it: 0 ok, 1 warning, 2 error."},
};

/* The value of metric which for one zone; false when the zone has none
 * (the RRSIG timestamps of a zone without RRSIGs). */
static bool zvalue(const zrow_t *r, int which, long long *v)
{
	const expiry_summary_t *s = r->sum;
	switch (which) {
	case ZM_SERIAL:
		*v = r->serial;
		break;
	case ZM_STATE:
		*v = r->state;
		break;
	case ZM_LAST:
		*v = r->last_ok;
		break;
	case ZM_EXPIRE:
		*v = r->expire_at;
		break;
	case ZM_NEXT:
		*v = r->next;
		break;
	case ZM_RRSIGS:
		*v = (long long)s->rrsigs;
		break;
	case ZM_EARLIEST:
		*v = s->earliest;
		break;
	case ZM_LATEST:
		*v = s->latest;
		break;
	case ZM_EXPIRING:
		*v = (long long)s->expiring;
		break;
	case ZM_EXPIRED:
		*v = (long long)s->expired;
		break;
	case ZM_NOT_VALID:
		*v = (long long)s->not_valid;
		break;
	case ZM_WINDOW:
		*v = s->window;
		break;
	default:
		*v = r->level;
		break;
	}
	return !(which == ZM_EARLIEST || which == ZM_LATEST) || s->earliest != 0;
}

static void render_zones(daemon_t *d, dbuf_t *b)
{
	zrow_t *rows = calloc(d->nzones ? d->nzones : 1, sizeof(*rows));
	if (!rows) {
		b->oom = true;
		return;
	}
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->nzones; i++) {
		const dzone_t *z = &d->zones[i];
		rows[i] = (zrow_t){z->cz->name_text, z->rf.serial, z->rf.state,	  z->rf.last_ok,
				   z->rf.expire_at,  z->rf.next,   &d->zx[i].sum, d->zx[i].level};
	}
	pthread_mutex_unlock(&d->lock);
	for (size_t k = 0; k < sizeof(zmetrics) / sizeof(zmetrics[0]); k++) {
		const zmetric_t *m = &zmetrics[k];
		family(b, m->name, "gauge", m->help);
		for (size_t i = 0; i < d->nzones; i++) {
			long long v;
			if (zvalue(&rows[i], m->which, &v))
				zone_sample(b, m->name, rows[i].name, v);
		}
	}
	free(rows);
}

static void render_xfr(daemon_t *d, dbuf_t *b)
{
	static const char *const kinds[] = {"soa", "ixfr", "axfr"};
	static const char *const results[] = {"success", "failure"};
	family(b, "rodns_xfr_total", "counter",
	       "SOA probes and zone transfers by kind (soa, ixfr, axfr), transport and result.");
	for (size_t i = 0; i < d->nzones; i++) {
		const conf_zone_t *cz = d->zones[i].cz;
		for (int t = 0; t < XT__N; t++) {
			bool used = false;
			for (size_t p = 0; p < cz->n_primaries; p++)
				used = used || (int)cz->primaries[p].transport == t;
			for (int k = 0; k < XK__N; k++)
				for (int r = 0; r < XR__N; r++) {
					uint64_t v = atomic_load_explicit(&d->zx[i].xfr[k][t][r],
									  memory_order_relaxed);
					if (!used && !v)
						continue;
					dbuf_puts(b, "rodns_xfr_total{zone=\"");
					label(b, cz->name_text);
					dbuf_printf(
					    b,
					    "\",kind=\"%s\",transport=\"%s\",result=\"%s\"} "
					    "%llu\n",
					    kinds[k], conf_transport_name((conf_transport_t)t),
					    results[r], (unsigned long long)v);
				}
		}
	}
	family(b, "rodns_rrsig_pruned_total", "counter",
	       "Superseded or orphaned RRSIGs removed after transfers.");
	for (size_t i = 0; i < d->nzones; i++)
		zone_sample(
		    b, "rodns_rrsig_pruned_total", d->zones[i].cz->name_text,
		    (long long)atomic_load_explicit(&d->zx[i].pruned, memory_order_relaxed));
}

static const char *rcode_name(int rc, char *buf, size_t cap)
{
	static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					    "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
					    "NXRRSET", "NOTAUTH", "NOTZONE"};
	if (rc == QRC__N - 1)
		return "dropped";
	if (rc >= 0 && (size_t)rc < sizeof(names) / sizeof(names[0]))
		return names[rc];
	snprintf(buf, cap, "RCODE%d", rc);
	return buf;
}

static void render_queries(daemon_t *d, dbuf_t *b)
{
	uint64_t sum[QRC__N][2] = {{0}};
	pthread_mutex_lock(&d->lock);
	for (size_t w = 0; w < d->nworkers; w++)
		for (int r = 0; d->workers[w] && r < QRC__N; r++)
			for (int p = 0; p < 2; p++)
				sum[r][p] += atomic_load_explicit(&d->workers[w]->q[r][p],
								  memory_order_relaxed);
	pthread_mutex_unlock(&d->lock);
	family(b, "rodns_queries_total", "counter",
	       "Queries answered, by response RCODE and transport (dropped: no answer sent).");
	for (int r = 0; r < QRC__N; r++)
		for (int p = 0; p < 2; p++) {
			char tmp[24];
			/* the common rcodes always, so that rate() has a series */
			bool always = r == 0 || r == 2 || r == 3 || r == 5;
			if (always || sum[r][p])
				dbuf_printf(b,
					    "rodns_queries_total{rcode=\"%s\",proto=\"%s\"} %llu\n",
					    rcode_name(r, tmp, sizeof(tmp)), p ? "tcp" : "udp",
					    (unsigned long long)sum[r][p]);
		}
}

/* The answer caches of all query workers together (figures as of each
 * worker's last tick, at most ~50 ms old). */
static void render_cache(daemon_t *d, dbuf_t *b)
{
	uint64_t v[6] = {0};
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->nworkers; i++) {
		dworker_t *w = d->workers[i];
		if (!w)
			continue;
		v[0] += atomic_load_explicit(&w->cache_hits, memory_order_relaxed);
		v[1] += atomic_load_explicit(&w->cache_misses, memory_order_relaxed);
		v[2] += atomic_load_explicit(&w->cache_evictions, memory_order_relaxed);
		v[3] += atomic_load_explicit(&w->cache_bytes, memory_order_relaxed);
		v[4] += atomic_load_explicit(&w->cache_entries, memory_order_relaxed);
		v[5] += atomic_load_explicit(&w->cache_rejected, memory_order_relaxed);
	}
	pthread_mutex_unlock(&d->lock);
	static const struct {
		const char *name, *type, *help;
	} m[6] = {
		{"rodns_answer_cache_hits_total", "counter", "Queries answered from the answer cache."},
		{"rodns_answer_cache_misses_total", "counter",
		 "Cacheable queries not found in the answer cache (answered from the store)."},
		{"rodns_answer_cache_evictions_total", "counter",
		 "Answers dropped from the answer cache to make room."},
		{"rodns_answer_cache_bytes", "gauge", "Memory held by cached answers."},
		{"rodns_answer_cache_entries", "gauge", "Answers in the answer cache."},
		{"rodns_answer_cache_rejected_total", "counter",
		 "Answers not cached: their question was asked less often than those they would "
		 "replace."},
	};
	for (int i = 0; i < 6; i++) {
		family(b, m[i].name, m[i].type, m[i].help);
		dbuf_printf(b, "%s %llu\n", m[i].name, (unsigned long long)v[i]);
	}
}

/* Response rate limiting (server.rrl): answers counted, dropped and sent
 * truncated (slipped); absent while RRL is off. */
static void render_rrl(daemon_t *d, dbuf_t *b)
{
	const serve_rrl_stats_t *st = serve_rrl_stats(d->rrl);
	if (!st)
		return;
	family(b, "rodns_rrl_answers_total", "counter",
	       "UDP answers seen by response rate limiting, by what became of them.");
	dbuf_printf(b, "rodns_rrl_answers_total{action=\"passed\"} %llu\n",
		    (unsigned long long)atomic_load(&st->passed));
	dbuf_printf(b, "rodns_rrl_answers_total{action=\"dropped\"} %llu\n",
		    (unsigned long long)atomic_load(&st->dropped));
	dbuf_printf(b, "rodns_rrl_answers_total{action=\"slipped\"} %llu\n",
		    (unsigned long long)atomic_load(&st->slipped));
}

static void render_events(dbuf_t *b)
{
	static const int always[] = {EV_RRSIG_EXPIRED, EV_RRSIG_EXPIRING, EV_RRSIG_CLEARED,
				     EV_ZONE_EXPIRED};
	int ids[64];
	uint64_t counts[64];
	size_t n = daemon_event_counts(ids, counts, 64);
	family(b, "rodns_events_total", "counter", "Events raised, by id (docs/events.md).");
	for (size_t k = 0; k < sizeof(always) / sizeof(always[0]); k++) {
		bool seen = false;
		for (size_t i = 0; i < n; i++)
			seen = seen || ids[i] == always[k];
		if (!seen)
			dbuf_printf(b, "rodns_events_total{id=\"%d\"} 0\n", always[k]);
	}
	for (size_t i = 0; i < n; i++)
		dbuf_printf(b, "rodns_events_total{id=\"%d\"} %llu\n", ids[i],
			    (unsigned long long)counts[i]);
	family(b, "rodns_event_hook_dropped_total", "counter",
	       "Events not given to the hook because its queue was full.");
	dbuf_printf(b, "rodns_event_hook_dropped_total %llu\n",
		    (unsigned long long)daemon_event_hook_dropped());
}

void daemon_metrics_render(daemon_t *d, dbuf_t *b)
{
	/* scans are index lookups: refresh figures older than a second */
	daemon_watch_fresh(d, 1);
	family(b, "rodns_up", "gauge", "1 while rodnsd runs.");
	dbuf_puts(b, "rodns_up 1\n");
	family(b, "rodns_start_time_seconds", "gauge", "Unix time rodnsd started.");
	dbuf_printf(b, "rodns_start_time_seconds %lld\n", (long long)d->started);
	render_zones(d, b);
	render_xfr(d, b);
	render_queries(d, b);
	render_cache(d, b);
	render_rrl(d, b);
	render_events(b);
}

/* ---- HTTP ----------------------------------------------------------------- */

int daemon_metrics_parse_request(const char *buf, size_t len, int *head)
{
	const char *eol = memchr(buf, '\n', len);
	char line[512];
	if (!eol || (size_t)(eol - buf) >= sizeof(line))
		return 400;
	size_t n = (size_t)(eol - buf);
	memcpy(line, buf, n);
	line[n] = '\0';
	if (n && line[n - 1] == '\r')
		line[--n] = '\0';
	char *sp1 = strchr(line, ' ');
	char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || strlen(sp2 + 1) != 8)
		return 400;
	*sp1 = *sp2 = '\0';
	char *path = sp1 + 1, *q = strchr(path, '?');
	if (q)
		*q = '\0';
	*head = strcmp(line, "HEAD") == 0;
	if (strcmp(line, "GET") != 0 && !*head)
		return 405;
	return strcmp(path, "/metrics") == 0 ? 200 : 404;
}

static void conn_close(mconn_t *c)
{
	daemon_metrics_t *m = c->m;
	struct ev_loop *loop = m->d->loop;
	ev_io_stop(loop, &c->io);
	ev_timer_stop(loop, &c->to);
	close(c->io.fd);
	for (mconn_t **p = &m->conns; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	m->nconns--;
	dbuf_free(&c->out);
	free(c);
}

static void respond(mconn_t *c, int status, int head)
{
	const char *text = status == 200   ? "OK"
			   : status == 404 ? "Not Found"
			   : status == 405 ? "Method Not Allowed"
			   : status == 431 ? "Request Header Fields Too Large"
					   : "Bad Request";
	dbuf_t body = {0};
	if (status == 200)
		daemon_metrics_render(c->m->d, &body);
	else
		dbuf_printf(&body, "%d %s\n", status, text);
	if (body.oom) {
		dbuf_reset(&body);
		body.oom = false;
		status = 500;
		text = "Internal Server Error";
	}
	dbuf_printf(&c->out,
		    "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		    "Connection: close\r\n%s\r\n",
		    status, text,
		    status == 200 ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain",
		    body.len, status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (!head && body.len)
		dbuf_add(&c->out, body.p, body.len);
	dbuf_free(&body);
}

static void conn_io(struct ev_loop *loop, ev_io *w, int revents)
{
	mconn_t *c = (mconn_t *)w;
	if (revents & EV_READ) {
		ssize_t r = recv(w->fd, c->in + c->inlen, sizeof(c->in) - c->inlen - 1, 0);
		if (r <= 0) {
			if (r == 0 || (errno != EAGAIN && errno != EINTR))
				conn_close(c);
			return;
		}
		c->inlen += (size_t)r;
		c->in[c->inlen] = '\0';
		bool done = strstr(c->in, "\r\n\r\n") || strstr(c->in, "\n\n");
		if (!done && c->inlen < sizeof(c->in) - 1)
			return;
		int head = 0;
		int status = done ? daemon_metrics_parse_request(c->in, c->inlen, &head) : 431;
		respond(c, status, head);
		ev_io_stop(loop, w);
		ev_io_set(w, w->fd, EV_WRITE);
		ev_io_start(loop, w);
		return;
	}
	ssize_t s = send(w->fd, c->out.p + c->off, c->out.len - c->off, MSG_NOSIGNAL);
	if (s < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (s > 0)
		c->off += (size_t)s;
	if (s <= 0 || c->off >= c->out.len)
		conn_close(c);
}

static void conn_timeout(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	conn_close((mconn_t *)((char *)t - offsetof(mconn_t, to)));
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	daemon_metrics_t *m = (daemon_metrics_t *)w;
	for (;;) {
		int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		mconn_t *c = m->nconns < M_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			close(fd);
			continue;
		}
		c->m = m;
		c->next = m->conns;
		m->conns = c;
		m->nconns++;
		ev_io_init(&c->io, conn_io, fd, EV_READ);
		ev_timer_init(&c->to, conn_timeout, M_TIMEOUT, 0.);
		ev_io_start(loop, &c->io);
		ev_timer_start(loop, &c->to);
	}
}

int daemon_metrics_start(daemon_t *d, const conf_addr_t *addr, daemon_metrics_t **out)
{
	char at[80];
	conf_addr_to_text(addr, at, sizeof(at));
	int fd = socket(addr->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, rc = RODNS_OK;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (const struct sockaddr *)&addr->ss, addr->len) != 0 || listen(fd, 64) != 0)
		rc = -errno;
	daemon_metrics_t *m = rc == RODNS_OK ? calloc(1, sizeof(*m)) : NULL;
	if (rc == RODNS_OK && !m)
		rc = -ENOMEM;
	if (rc != RODNS_OK) {
		daemon_event(EV_CONFIG, NULL, NULL, 0, "metrics listener %s: %s", at,
			     rodns_strerror(rc));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	m->d = d;
	ev_io_init(&m->io, accept_cb, fd, EV_READ);
	ev_io_start(d->loop, &m->io);
	*out = m;
	return RODNS_OK;
}

void daemon_metrics_stop(daemon_metrics_t *m)
{
	if (!m)
		return;
	while (m->conns)
		conn_close(m->conns);
	ev_io_stop(m->d->loop, &m->io);
	close(m->io.fd);
	free(m);
}
