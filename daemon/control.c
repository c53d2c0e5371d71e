/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The control socket on the main loop. See control.h for the protocol. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/control.h"
#include "daemon/daemon_int.h"
#include "daemon/event.h"

#define DUMP_WRITE_MS 30000

typedef struct cconn {
	ev_io rio; /* first member: the read callback casts back */
	ev_io wio;
	ev_timer to;
	struct daemon_control *ctl;
	struct cconn *next;
	int fd;
	char in[CONTROL_REQ_MAX + 1];
	size_t inlen;
	dbuf_t out;
	size_t off;
	bool answered; /* the request was handled */
	bool follow;   /* events --follow: stays open */
	uint64_t seq;  /* follow: next event to send */
} cconn_t;

struct daemon_control {
	ev_io io; /* first member */
	ev_async ev_wake;
	daemon_t *d;
	char *path;
	cconn_t *conns;
	int nconns;
};

/* ---- connections ---------------------------------------------------------- */

static void conn_close(cconn_t *c)
{
	struct ev_loop *loop = c->ctl->d->loop;
	ev_io_stop(loop, &c->rio);
	ev_io_stop(loop, &c->wio);
	ev_timer_stop(loop, &c->to);
	if (c->fd >= 0)
		close(c->fd);
	for (cconn_t **p = &c->ctl->conns; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	c->ctl->nconns--;
	dbuf_free(&c->out);
	free(c);
}

/* Starts writing what is in c->out. */
static void conn_flush(cconn_t *c)
{
	if (c->off < c->out.len)
		ev_io_start(c->ctl->d->loop, &c->wio);
	else if (!c->follow && c->answered)
		conn_close(c);
}

static void write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	cconn_t *c = (cconn_t *)((char *)w - offsetof(cconn_t, wio));
	ssize_t n = send(c->fd, c->out.p + c->off, c->out.len - c->off, MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->off += (size_t)n;
	if (c->off < c->out.len)
		return;
	ev_io_stop(loop, w);
	dbuf_reset(&c->out);
	c->off = 0;
	if (!c->follow)
		conn_close(c);
}

static void reply_error(cconn_t *c, const char *code, const char *msg)
{
	bool f = true;
	dbuf_puts(&c->out, "{");
	dbuf_json_kbool(&c->out, &f, "ok", false);
	dbuf_json_kstr(&c->out, &f, "code", code);
	dbuf_json_kstr(&c->out, &f, "error", msg);
	dbuf_puts(&c->out, "}\n");
}

/* ---- answers -------------------------------------------------------------- */

static const char *state_name(int st)
{
	return st == XFR_OK ? "serving" : st == XFR_EXPIRED ? "expired" : "empty";
}

/* The figures of zone i, copied under the lock. */
typedef struct {
	xfr_refresh_t rf;
	int primary;
	bool queued;
} zsnap_t;

static zsnap_t snap(daemon_t *d, size_t i)
{
	pthread_mutex_lock(&d->lock);
	zsnap_t s = {d->zones[i].rf, d->zones[i].primary, d->zones[i].queued};
	pthread_mutex_unlock(&d->lock);
	return s;
}

static void zone_brief(daemon_t *d, size_t i, dbuf_t *b, bool *f)
{
	const dzone_t *z = &d->zones[i];
	const dzx_t *x = &d->zx[i];
	zsnap_t s = snap(d, i);
	dbuf_json_kstr(b, f, "zone", z->cz->name_text);
	dbuf_json_kstr(b, f, "state", state_name(s.rf.state));
	dbuf_json_kint(b, f, "serial", s.rf.serial);
	dbuf_json_kstr(b, f, "expiry", daemon_expiry_level_name(x->level));
	dbuf_json_kint(b, f, "last_refresh", s.rf.last_ok);
	dbuf_json_kint(b, f, "next_refresh", s.rf.next);
	dbuf_json_kint(b, f, "expire_at", s.rf.state == XFR_EMPTY ? 0 : s.rf.expire_at);
	dbuf_json_kint(b, f, "earliest_expiry", x->sum.earliest);
}

static void zone_full(daemon_t *d, size_t i, dbuf_t *b, bool *f)
{
	const dzone_t *z = &d->zones[i];
	zsnap_t s = snap(d, i);
	char addr[80] = "";
	zone_brief(d, i, b, f);
	if (s.primary >= 0 && (size_t)s.primary < z->cz->n_primaries)
		conf_addr_to_text(&z->cz->primaries[s.primary].addr, addr, sizeof(addr));
	dbuf_json_kstr(b, f, "primary", addr);
	dbuf_json_kstr(
	    b, f, "transport",
	    s.primary >= 0 && (size_t)s.primary < z->cz->n_primaries
		    ? conf_transport_name(z->cz->primaries[s.primary].transport)
		    : "");
	dbuf_json_kint(b, f, "last_axfr", s.rf.last_axfr);
	dbuf_json_kint(b, f, "refresh", s.rf.refresh);
	dbuf_json_kint(b, f, "retry", s.rf.retry);
	dbuf_json_kint(b, f, "expire", s.rf.expire);
	dbuf_json_kint(b, f, "failures", s.rf.failures);
	dbuf_json_kbool(b, f, "transfer_running", s.rf.running);
	dbuf_json_kbool(b, f, "queued", s.queued);
	dbuf_json_kstr(b, f, "store", z->cz->store);
}

static void sig_obj(dbuf_t *b, const store_sig_info_t *w)
{
	char owner[DNS_NAME_TEXT_MAX], type[16];
	bool f = true;
	if (dns_name_to_text(&w->owner, owner, sizeof(owner)) < 0)
		snprintf(owner, sizeof(owner), "?");
	dbuf_puts(b, "{");
	dbuf_json_kstr(b, &f, "owner", owner);
	dbuf_json_kstr(b, &f, "type", dns_type_name(w->covered, type, sizeof(type)));
	dbuf_json_kint(b, &f, "key_tag", w->keytag);
	dbuf_json_kint(b, &f, "algorithm", w->alg);
	dbuf_json_kint(b, &f, "inception", w->inception);
	dbuf_json_kint(b, &f, "expiration", w->expiration);
	dbuf_puts(b, "}");
}

static void expiry_obj(daemon_t *d, size_t i, dbuf_t *b)
{
	const dzx_t *x = &d->zx[i];
	const expiry_summary_t *s = &x->sum;
	unsigned r = daemon_expiry_reasons(s);
	char cond[80] = "";
	static const char *const names[] = {"window", "before-expire", "expired", "not-valid",
					    "zone-expired"};
	for (unsigned k = 0, o = 0; k < 5; k++)
		if (r & (1u << k))
			o += (unsigned)snprintf(cond + o, sizeof(cond) - o, "%s%s", o ? "," : "",
						names[k]);
	bool f = true;
	dbuf_puts(b, "{");
	dbuf_json_kstr(b, &f, "zone", d->zones[i].cz->name_text);
	dbuf_json_kstr(b, &f, "state", daemon_expiry_level_name(x->level));
	dbuf_json_kstr(b, &f, "conditions", cond);
	dbuf_json_kstr(b, &f, "zone_state", state_name(s->zone_state));
	dbuf_json_kint(b, &f, "serial", s->serial);
	dbuf_json_kint(b, &f, "scanned", s->when);
	dbuf_json_kint(b, &f, "window", s->window);
	dbuf_json_kint(b, &f, "rrsigs", (int64_t)s->rrsigs);
	dbuf_json_kint(b, &f, "earliest", s->earliest);
	dbuf_json_kint(b, &f, "latest", s->latest);
	dbuf_json_kint(b, &f, "expiring", (int64_t)s->expiring);
	dbuf_json_kint(b, &f, "expired", (int64_t)s->expired);
	dbuf_json_kint(b, &f, "not_valid", (int64_t)s->not_valid);
	dbuf_json_kint(b, &f, "expire_at", s->expire_at);
	dbuf_json_kbool(b, &f, "expires_before_zone",
			s->earliest && s->expire_at && s->earliest < s->expire_at);
	dbuf_json_key(b, &f, "worst");
	dbuf_puts(b, "[");
	for (size_t k = 0; k < s->nworst; k++) {
		if (k)
			dbuf_puts(b, ",");
		sig_obj(b, &s->worst[k]);
	}
	dbuf_puts(b, "]}");
}

static void cmd_expiry(daemon_t *d, cconn_t *c, const dzone_t *only)
{
	daemon_watch_fresh(d, 0);
	int worst = EXPIRY_OK;
	for (size_t i = 0; i < d->nzones; i++)
		if ((!only || only == &d->zones[i]) && d->zx[i].level > worst)
			worst = d->zx[i].level;
	bool f = true;
	dbuf_puts(&c->out, "{");
	dbuf_json_kbool(&c->out, &f, "ok", true);
	dbuf_json_kstr(&c->out, &f, "state", daemon_expiry_level_name(worst));
	dbuf_json_kint(&c->out, &f, "now", daemon_now());
	dbuf_json_key(&c->out, &f, "zones");
	dbuf_puts(&c->out, "[");
	for (size_t i = 0, n = 0; i < d->nzones; i++) {
		if (only && only != &d->zones[i])
			continue;
		if (n++)
			dbuf_puts(&c->out, ",");
		expiry_obj(d, i, &c->out);
	}
	dbuf_puts(&c->out, "]}\n");
}

static void cmd_status(daemon_t *d, cconn_t *c)
{
	size_t by_state[3] = {0}, by_level[3] = {0};
	daemon_watch_fresh(d, 1);
	for (size_t i = 0; i < d->nzones; i++) {
		zsnap_t s = snap(d, i);
		by_state[s.rf.state >= 0 && s.rf.state <= 2 ? s.rf.state : 0]++;
		by_level[d->zx[i].level]++;
	}
	char maddr[80] = "off";
	if (d->conf->server.metrics_on)
		conf_addr_to_text(&d->conf->server.metrics, maddr, sizeof(maddr));
	bool f = true;
	dbuf_t *b = &c->out;
	dbuf_puts(b, "{");
	dbuf_json_kbool(b, &f, "ok", true);
	dbuf_json_kint(b, &f, "proto", CONTROL_PROTO);
	dbuf_json_kint(b, &f, "pid", getpid());
	dbuf_json_kint(b, &f, "started", d->started);
	dbuf_json_kint(b, &f, "uptime", daemon_now() - d->started);
	dbuf_json_kstr(b, &f, "config", d->conf_path);
	dbuf_json_kint(b, &f, "zones", (int64_t)d->nzones);
	dbuf_json_kint(b, &f, "serving", (int64_t)by_state[XFR_OK]);
	dbuf_json_kint(b, &f, "expired", (int64_t)by_state[XFR_EXPIRED]);
	dbuf_json_kint(b, &f, "empty", (int64_t)by_state[XFR_EMPTY]);
	dbuf_json_kint(b, &f, "expiry_ok", (int64_t)by_level[EXPIRY_OK]);
	dbuf_json_kint(b, &f, "expiry_warning", (int64_t)by_level[EXPIRY_WARNING]);
	dbuf_json_kint(b, &f, "expiry_error", (int64_t)by_level[EXPIRY_ERROR]);
	dbuf_json_kint(b, &f, "events", (int64_t)daemon_event_next_seq());
	dbuf_json_kint(b, &f, "workers", (int64_t)d->nworkers);
	dbuf_json_kstr(b, &f, "metrics", maddr);
	dbuf_puts(b, "}\n");
}

static void cmd_zones(daemon_t *d, cconn_t *c, const dzone_t *one)
{
	bool f = true;
	dbuf_puts(&c->out, "{");
	dbuf_json_kbool(&c->out, &f, "ok", true);
	if (one) {
		bool g = true;
		dbuf_json_key(&c->out, &f, "zone");
		dbuf_puts(&c->out, "{");
		zone_full(d, (size_t)(one - d->zones), &c->out, &g);
		dbuf_puts(&c->out, "}}\n");
		return;
	}
	dbuf_json_key(&c->out, &f, "zones");
	dbuf_puts(&c->out, "[");
	for (size_t i = 0; i < d->nzones; i++) {
		bool g = true;
		dbuf_puts(&c->out, i ? ",{" : "{");
		zone_brief(d, i, &c->out, &g);
		dbuf_puts(&c->out, "}");
	}
	dbuf_puts(&c->out, "]}\n");
}

static void reply_ok(cconn_t *c, const char *zone, const char *msg)
{
	bool f = true;
	dbuf_puts(&c->out, "{");
	dbuf_json_kbool(&c->out, &f, "ok", true);
	if (zone)
		dbuf_json_kstr(&c->out, &f, "zone", zone);
	dbuf_json_kstr(&c->out, &f, "message", msg);
	dbuf_puts(&c->out, "}\n");
}

/* ---- events --------------------------------------------------------------- */

/* Appends the events a follower has not seen yet. */
static void pump_events(cconn_t *c)
{
	static char line[8192];
	uint64_t next = daemon_event_next_seq(), oldest = daemon_event_oldest_seq();
	if (c->seq < oldest) {
		dbuf_printf(&c->out, "{\"lost\":%llu}\n", (unsigned long long)(oldest - c->seq));
		c->seq = oldest;
	}
	for (; c->seq < next; c->seq++) {
		if (c->out.len - c->off > CONTROL_FOLLOW_MAX) {
			/* a reader that does not keep up skips ahead */
			dbuf_printf(&c->out, "{\"lost\":%llu}\n",
				    (unsigned long long)(next - c->seq));
			c->seq = next;
			break;
		}
		int n = daemon_event_get(c->seq, line, sizeof(line));
		if (n < 0)
			continue;
		dbuf_add(&c->out, line, (size_t)n);
		dbuf_add(&c->out, "\n", 1);
	}
}

static void events_wake_cb(struct ev_loop *loop, ev_async *a, int revents)
{
	(void)loop;
	(void)revents;
	daemon_control_t *ctl =
	    (daemon_control_t *)((char *)a - offsetof(daemon_control_t, ev_wake));
	for (cconn_t *c = ctl->conns, *next; c; c = next) {
		next = c->next;
		if (!c->follow)
			continue;
		pump_events(c);
		conn_flush(c);
	}
}

static void events_notify(void *arg)
{
	daemon_control_t *ctl = arg;
	ev_async_send(ctl->d->loop, &ctl->ev_wake);
}

static void cmd_events(cconn_t *c, bool follow)
{
	uint64_t next = daemon_event_next_seq(), oldest = daemon_event_oldest_seq();
	dbuf_printf(&c->out, "{\"ok\":true,\"stream\":\"events\",\"follow\":%s}\n",
		    follow ? "true" : "false");
	c->seq = oldest;
	c->follow = true; /* for pump_events' bound */
	pump_events(c);
	c->follow = follow;
	if (!follow)
		dbuf_printf(&c->out, "{\"end\":true,\"count\":%llu}\n",
			    (unsigned long long)(next - oldest));
}

/* ---- dump (on its own thread: a large zone must not stall the loop) ------ */

typedef struct {
	int fd;
	char *store, *zone_text;
	dns_name_t zone;
	char *line;
	dbuf_t b;
	uint64_t count;
	bool broken;
} dump_t;

static bool write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pf = {.fd = fd, .events = POLLOUT};
			if (poll(&pf, 1, DUMP_WRITE_MS) <= 0)
				return false;
			continue;
		}
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static int dump_rr(void *arg, const dns_rr_t *rr)
{
	dump_t *t = arg;
	bool f = true;
	if (dns_rr_to_text(rr, t->line, DNS_RDATA_MAX * 4) < 0)
		return RODNS_E_RDATA;
	dbuf_puts(&t->b, "{");
	dbuf_json_kstr(&t->b, &f, "rr", t->line);
	dbuf_puts(&t->b, "}\n");
	t->count++;
	if (t->b.len >= 65536) {
		if (!write_all(t->fd, t->b.p, t->b.len)) {
			t->broken = true;
			return RODNS_E_CLOSED;
		}
		dbuf_reset(&t->b);
	}
	return t->b.oom ? -ENOMEM : 0;
}

static void *dump_thread(void *arg)
{
	dump_t *t = arg;
	store_t *s = NULL;
	store_zone_t meta;
	int rc = store_open(t->store, STORE_RDONLY, &s);
	if (rc == RODNS_OK)
		rc = store_zone_get(s, &t->zone, &meta);
	if (rc == RODNS_OK && meta.state == STORE_ZONE_EMPTY)
		rc = RODNS_E_NOTFOUND;
	bool f = true;
	if (rc == RODNS_OK) {
		dbuf_puts(&t->b, "{");
		dbuf_json_kbool(&t->b, &f, "ok", true);
		dbuf_json_kstr(&t->b, &f, "stream", "dump");
		dbuf_json_kstr(&t->b, &f, "zone", t->zone_text);
		dbuf_json_kint(&t->b, &f, "serial", meta.serial);
		dbuf_puts(&t->b, "}\n");
		rc = store_read_begin(s);
		if (rc == RODNS_OK)
			rc = store_zone_iter(s, meta.id, dump_rr, t);
		store_read_end(s);
		f = true;
		dbuf_puts(&t->b, "{");
		dbuf_json_kbool(&t->b, &f, "end", true);
		dbuf_json_kint(&t->b, &f, "count", (int64_t)t->count);
		if (rc != RODNS_OK)
			dbuf_json_kstr(&t->b, &f, "error", rodns_strerror(rc));
		dbuf_puts(&t->b, "}\n");
	} else {
		dbuf_puts(&t->b, "{");
		dbuf_json_kbool(&t->b, &f, "ok", false);
		dbuf_json_kstr(&t->b, &f, "code", rc == RODNS_E_NOTFOUND ? "no-data" : "failed");
		dbuf_json_kstr(&t->b, &f, "error",
			       rc == RODNS_E_NOTFOUND ? "the zone holds no data yet"
						      : rodns_strerror(rc));
		dbuf_puts(&t->b, "}\n");
	}
	if (!t->broken && t->b.len)
		write_all(t->fd, t->b.p, t->b.len);
	store_close(s);
	close(t->fd);
	dbuf_free(&t->b);
	free(t->line);
	free(t->store);
	free(t->zone_text);
	free(t);
	return NULL;
}

/* Hands c's socket to a dump thread; c itself is closed. */
static void cmd_dump(cconn_t *c, const dzone_t *z)
{
	dump_t *t = calloc(1, sizeof(*t));
	pthread_t thr;
	pthread_attr_t at;
	if (t) {
		t->store = strdup(z->cz->store);
		t->zone_text = strdup(z->cz->name_text);
		t->line = malloc(DNS_RDATA_MAX * 4);
		t->zone = z->cz->name;
		t->fd = c->fd;
	}
	if (!t || !t->store || !t->zone_text || !t->line) {
		if (t) {
			free(t->store);
			free(t->zone_text);
			free(t->line);
		}
		free(t);
		reply_error(c, "failed", "out of memory");
		return;
	}
	int fl = fcntl(c->fd, F_GETFL);
	fcntl(c->fd, F_SETFL, fl & ~O_NONBLOCK);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&thr, &at, dump_thread, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&at);
	if (rc != 0) {
		fcntl(c->fd, F_SETFL, fl);
		free(t->store);
		free(t->zone_text);
		free(t->line);
		free(t);
		reply_error(c, "failed", "cannot start the dump thread");
		return;
	}
	c->fd = -1; /* the thread owns it now */
	ev_io_stop(c->ctl->d->loop, &c->rio);
	c->answered = true;
}

/* ---- dispatch ------------------------------------------------------------- */

static bool needs_zone(const char *cmd)
{
	return !strcmp(cmd, "zone-status") || !strcmp(cmd, "refresh") ||
	       !strcmp(cmd, "retransfer") || !strcmp(cmd, "dump");
}

static void handle(cconn_t *c, const json_t *req)
{
	daemon_t *d = c->ctl->d;
	const char *cmd = json_get_str(req, "cmd", NULL);
	const char *zname = json_get_str(req, "zone", NULL);
	char msg[600];
	if (!cmd) {
		reply_error(c, "bad-request", "the request has no \"cmd\"");
		return;
	}
	dzone_t *z = NULL;
	if (zname && zname[0]) {
		z = daemon_zone_by_text(d, zname);
		if (!z) {
			snprintf(msg, sizeof(msg),
				 "unknown zone %.512s: rodnsd serves no such zone", zname);
			reply_error(c, "unknown-zone", msg);
			return;
		}
	} else if (needs_zone(cmd)) {
		snprintf(msg, sizeof(msg), "%.64s needs a zone", cmd);
		reply_error(c, "bad-request", msg);
		return;
	}
	if (!strcmp(cmd, "status"))
		cmd_status(d, c);
	else if (!strcmp(cmd, "zones"))
		cmd_zones(d, c, NULL);
	else if (!strcmp(cmd, "zone-status"))
		cmd_zones(d, c, z);
	else if (!strcmp(cmd, "expiry"))
		cmd_expiry(d, c, z);
	else if (!strcmp(cmd, "events"))
		cmd_events(c, json_get_bool(req, "follow", false));
	else if (!strcmp(cmd, "dump"))
		cmd_dump(c, z);
	else if (!strcmp(cmd, "refresh") || !strcmp(cmd, "retransfer")) {
		bool axfr = strcmp(cmd, "retransfer") == 0;
		daemon_request_refresh(d, z, axfr);
		reply_ok(c, z->cz->name_text,
			 axfr ? "full transfer (AXFR) queued" : "refresh queued");
	} else if (!strcmp(cmd, "reload")) {
		static char err[4096];
		if (daemon_reload(d, err, sizeof(err)) == RODNS_OK)
			reply_ok(c, NULL, "configuration reloaded");
		else
			reply_error(c, "failed", err);
	} else if (!strcmp(cmd, "stop")) {
		reply_ok(c, NULL, "stopping");
		/* the loop ends with this call: say so before it does */
		(void)!send(c->fd, c->out.p, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		c->off = c->out.len;
		daemon_event(EV_DAEMON, NULL, NULL, 0, "rodnsctl stop: stopping");
		daemon_stop(d);
	} else {
		snprintf(msg, sizeof(msg), "unknown command %.64s", cmd);
		reply_error(c, "unknown-command", msg);
	}
}

static void read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	cconn_t *c = (cconn_t *)w;
	if (c->answered) {
		/* a follower: any input or EOF ends it */
		char sink[256];
		ssize_t n = recv(c->fd, sink, sizeof(sink), 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			conn_close(c);
		return;
	}
	ssize_t n = recv(c->fd, c->in + c->inlen, CONTROL_REQ_MAX - c->inlen, 0);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		conn_close(c);
		return;
	}
	if (n < 0)
		return;
	c->inlen += (size_t)n;
	char *nl = memchr(c->in, '\n', c->inlen);
	if (!nl && c->inlen < CONTROL_REQ_MAX)
		return;
	ev_timer_stop(loop, &c->to);
	c->answered = true;
	char err[128];
	json_t *req = nl ? json_parse(c->in, (size_t)(nl - c->in), err, sizeof(err)) : NULL;
	if (!nl)
		reply_error(c, "bad-request", "request line too long");
	else if (!req || req->type != JSON_OBJ)
		reply_error(c, "bad-request", req ? "the request is not a JSON object" : err);
	else
		handle(c, req);
	json_free(req);
	if (c->fd < 0) {
		conn_close(c);
		return;
	}
	/* only a follower listens on: for EOF, which ends it */
	if (!c->follow)
		ev_io_stop(loop, &c->rio);
	conn_flush(c);
}

static void timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	conn_close((cconn_t *)((char *)t - offsetof(cconn_t, to)));
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	daemon_control_t *ctl = (daemon_control_t *)w;
	for (;;) {
		int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		cconn_t *c = ctl->nconns < CONTROL_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			close(fd);
			continue;
		}
		c->ctl = ctl;
		c->fd = fd;
		c->next = ctl->conns;
		ctl->conns = c;
		ctl->nconns++;
		ev_io_init(&c->rio, read_cb, fd, EV_READ);
		ev_io_init(&c->wio, write_cb, fd, EV_WRITE);
		ev_timer_init(&c->to, timeout_cb, CONTROL_TIMEOUT, 0.);
		ev_io_start(loop, &c->rio);
		ev_timer_start(loop, &c->to);
	}
}

/* ---- the socket ----------------------------------------------------------- */

/* Removes a stale socket left by a daemon that died; refuses to take over
 * one that answers. */
static int clear_stale(const struct sockaddr_un *un, char *why, size_t cap)
{
	struct stat sb;
	if (lstat(un->sun_path, &sb) != 0)
		return errno == ENOENT ? RODNS_OK : -errno;
	if (!S_ISSOCK(sb.st_mode)) {
		snprintf(why, cap, "exists and is not a socket");
		return -EEXIST;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int rc = connect(fd, (const struct sockaddr *)un, sizeof(*un));
	close(fd);
	if (rc == 0) {
		snprintf(why, cap, "another rodnsd answers on it");
		return -EADDRINUSE;
	}
	return unlink(un->sun_path) == 0 ? RODNS_OK : -errno;
}

static int make_parent(const char *path)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return RODNS_OK;
	*slash = '\0';
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -errno;
	return RODNS_OK;
}

static int listen_unix(const char *path, int *out, char *why, size_t cap)
{
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(un.sun_path))
		return -ENAMETOOLONG;
	memcpy(un.sun_path, path, strlen(path) + 1);
	int rc = make_parent(path);
	if (rc == RODNS_OK)
		rc = clear_stale(&un, why, cap);
	if (rc != RODNS_OK)
		return rc;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* born 0600: no window in which others could connect */
	mode_t old = umask(0177);
	rc = bind(fd, (const struct sockaddr *)&un, sizeof(un)) == 0 ? 0 : -errno;
	umask(old);
	if (rc == 0 && (chmod(path, 0600) != 0 || listen(fd, 16) != 0))
		rc = -errno;
	if (rc != 0) {
		close(fd);
		return rc;
	}
	*out = fd;
	return RODNS_OK;
}

int daemon_control_start(daemon_t *d, const char *path, daemon_control_t **out)
{
	char why[128] = "";
	int fd = -1;
	int rc = listen_unix(path, &fd, why, sizeof(why));
	daemon_control_t *c = rc == RODNS_OK ? calloc(1, sizeof(*c)) : NULL;
	if (c)
		c->path = strdup(path);
	if (rc == RODNS_OK && (!c || !c->path))
		rc = -ENOMEM;
	if (rc != RODNS_OK) {
		daemon_event(EV_CONFIG, NULL, NULL, 0, "control socket %s: %s", path,
			     why[0] ? why : rodns_strerror(rc));
		if (fd >= 0)
			close(fd);
		if (c)
			free(c->path);
		free(c);
		return rc;
	}
	c->d = d;
	ev_io_init(&c->io, accept_cb, fd, EV_READ);
	ev_io_start(d->loop, &c->io);
	ev_async_init(&c->ev_wake, events_wake_cb);
	ev_async_start(d->loop, &c->ev_wake);
	daemon_event_set_notify(events_notify, c);
	*out = c;
	return RODNS_OK;
}

void daemon_control_stop(daemon_control_t *c)
{
	if (!c)
		return;
	daemon_event_set_notify(NULL, NULL);
	while (c->conns)
		conn_close(c->conns);
	ev_async_stop(c->d->loop, &c->ev_wake);
	ev_io_stop(c->d->loop, &c->io);
	close(c->io.fd);
	unlink(c->path);
	free(c->path);
	free(c);
}
