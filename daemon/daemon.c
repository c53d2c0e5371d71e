/* rodnsd: zones, the transfer thread, timers, signals. See daemon.h. */
#include <errno.h>
#include <ev.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/event.h"
#include "dns/serial.h"
#include "serve/answer.h"
#include "serve/listen.h"
#include "serve/query.h"
#include "xfr/client.h"

#define XFR_CONNECT_MS 10000

typedef struct dstore {
	char *path;
	store_t *w;
	struct dstore *next;
} dstore_t;

struct daemon {
	conf_t *conf;
	const char *conf_path;
	struct ev_loop *loop;
	ev_signal sig_term, sig_int, sig_hup;
	ev_async wake;
	ev_timer *timers; /* one per zone, same index */
	dzone_t *zones;
	size_t nzones;
	dstore_t *stores;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	dzone_t **queue;
	size_t qhead, qlen;
	bool quit;
	int active_fd; /* socket of the running transfer, for SIGTERM */
	pthread_t xthr;
	serve_listen_t *listen;
	serve_query_ops_t qops;
};

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

static uint32_t rnd32(void)
{
	uint32_t v = 0;
	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = (uint32_t)now_s();
	return v;
}

/* ---- zones and stores --------------------------------------------------- */

static int store_for(daemon_t *d, const char *path, store_t **out)
{
	for (dstore_t *s = d->stores; s; s = s->next)
		if (strcmp(s->path, path) == 0) {
			*out = s->w;
			return RODNS_OK;
		}
	dstore_t *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	int rc = store_open(path, STORE_CREATE, &s->w);
	if (rc != RODNS_OK) {
		daemon_event(EV_CONFIG, NULL, NULL, 0, "cannot open store %s: %s", path,
			     rodns_strerror(rc));
		free(s);
		return rc;
	}
	s->path = strdup(path);
	s->next = d->stores;
	d->stores = s;
	*out = s->w;
	return RODNS_OK;
}

static void clamps_from_conf(const conf_zone_t *cz, xfr_clamps_t *c)
{
	*c = (xfr_clamps_t){
		.refresh_min = cz->bounds.refresh_min, .refresh_max = cz->bounds.refresh_max,
		.retry_min = cz->bounds.retry_min, .retry_max = cz->bounds.retry_max,
		.expire_min = cz->bounds.expire_min, .expire_max = cz->bounds.expire_max,
		.jitter_pct = 10, .force_axfr_interval = cz->force_axfr_interval,
		.sig_horizon = 0,
	};
}

/* Restores a zone's timers from the store: a restarted rodnsd serves the
 * stored serial at once and does not transfer a zone that is still fresh. */
static void zone_resume(dzone_t *z, int64_t now)
{
	store_zone_t *m = &z->meta;
	xfr_refresh_init(&z->rf, now);
	if (m->state == STORE_ZONE_EMPTY)
		return;
	xfr_soa_t soa = {m->serial, m->refresh, m->retry, m->expire}, t;
	xfr_refresh_clamp(&z->clamps, &soa, &t);
	z->rf.state = m->state == STORE_ZONE_EXPIRED ? XFR_EXPIRED : XFR_OK;
	z->rf.serial = m->serial;
	z->rf.refresh = t.refresh;
	z->rf.retry = t.retry;
	z->rf.expire = t.expire;
	z->rf.last_ok = m->last_refresh;
	z->rf.last_axfr = m->last_xfr;
	z->rf.expire_at = m->expire_at;
	z->rf.next = m->next_refresh > now ? m->next_refresh : now;
	z->state = z->rf.state;
	z->serial = m->serial;
}

static int zone_open(daemon_t *d, dzone_t *z, const conf_zone_t *cz)
{
	z->cz = cz;
	z->d = d;
	clamps_from_conf(cz, &z->clamps);
	int rc = store_for(d, cz->store, &z->ws);
	if (rc != RODNS_OK)
		return rc;
	rc = store_zone_get(z->ws, &cz->name, &z->meta);
	if (rc == RODNS_E_NOTFOUND) {
		memset(&z->meta, 0, sizeof(z->meta));
		z->meta.name = cz->name;
		rc = store_zone_ensure(z->ws, &z->meta);
	}
	if (rc != RODNS_OK) {
		daemon_event(EV_CONFIG, cz->name_text, NULL, 0, "cannot load zone from %s: %s",
			     cz->store, rodns_strerror(rc));
		return rc;
	}
	z->zone_id = z->meta.id;
	zone_resume(z, now_s());
	if (z->rf.state != XFR_EMPTY)
		daemon_event(EV_DAEMON, cz->name_text, (daemon_field_t[]){EVF_N("serial", z->rf.serial)},
			     1, "serving stored serial %u; next refresh in %llds", z->rf.serial,
			     (long long)(z->rf.next - now_s()));
	return RODNS_OK;
}

dzone_t *daemon_zone_for(daemon_t *d, const dns_name_t *name)
{
	dzone_t *best = NULL;
	for (size_t i = 0; i < d->nzones; i++) {
		dzone_t *z = &d->zones[i];
		if (dns_name_is_sub(name, &z->cz->name) &&
		    (!best || z->cz->name.labels > best->cz->name.labels))
			best = z;
	}
	return best;
}

/* ---- the transfer thread ------------------------------------------------ */

/* Queues z for the transfer thread (once). Caller holds d->lock. */
static void enqueue_locked(daemon_t *d, dzone_t *z)
{
	if (z->queued)
		return;
	z->queued = true;
	d->queue[(d->qhead + d->qlen) % d->nzones] = z;
	d->qlen++;
	pthread_cond_signal(&d->cond);
}

typedef struct {
	daemon_t *d;
	const conf_primary_t *p;
} conn_arg_t;

static int connect_primary(void *arg, xfr_stream_t *s, char *reason, size_t cap)
{
	conn_arg_t *a = arg;
	if (a->p->transport != CONF_XPORT_TCP) {
		snprintf(reason, cap, "transport %s is not available in this build",
			 conf_transport_name(a->p->transport));
		return RODNS_E_UNSUPPORTED;
	}
	int rc = xfr_tcp_connect(s, &a->p->addr, a->p->has_source ? &a->p->source : NULL,
				 XFR_CONNECT_MS);
	if (rc != RODNS_OK) {
		snprintf(reason, cap, "%s", rodns_strerror(rc));
		return rc;
	}
	pthread_mutex_lock(&a->d->lock);
	if (a->d->quit)
		rc = RODNS_E_CLOSED;
	else
		a->d->active_fd = s->fd;
	pthread_mutex_unlock(&a->d->lock);
	if (rc != RODNS_OK)
		xfr_stream_close(s);
	return rc;
}

static int64_t earliest_sig(dzone_t *z)
{
	dns_rr_t rr;
	uint8_t buf[DNS_RDATA_MAX];
	dns_rrsig_t sig;
	if (store_rrsig_earliest(z->ws, z->zone_id, &rr, buf, sizeof(buf)) != RODNS_OK)
		return 0;
	if (dns_rrsig_parse(rr.rdata, rr.rdlen, &sig) != RODNS_OK)
		return 0;
	return (int64_t)sig.expiration;
}

typedef struct {
	bool ok, transferred, full;
	xfr_soa_t soa;
	int primary;
	char reason[1024];
} attempt_t;

static void log_pull(dzone_t *z, const conf_primary_t *p, const xfr_pull_result_t *r,
		     uint32_t from)
{
	char peer[80];
	const char *zn = z->cz->name_text;
	conf_addr_to_text(&p->addr, peer, sizeof(peer));
	const char *tr = conf_transport_name(p->transport);
	const char *kind = r->res.kind == XFR_KIND_IXFR ? "IXFR" : "AXFR";
	if (r->fell_back)
		daemon_event(EV_IXFR_FALLBACK, zn,
			     (daemon_field_t[]){EVF_S("primary", peer), EVF_S("transport", tr)}, 2,
			     "IXFR from %s over %s failed, used AXFR: %s", peer, tr, r->ixfr_reason);
	daemon_field_t f[] = {EVF_S("kind", kind), EVF_S("primary", peer), EVF_S("transport", tr),
			      EVF_N("serial_from", from), EVF_N("serial", r->res.serial),
			      EVF_N("rrs", r->res.rrs), EVF_N("bytes", r->res.bytes),
			      EVF_N("added", r->res.added), EVF_N("deleted", r->res.deleted),
			      EVF_N("pruned", r->res.pruned)};
	daemon_event(EV_XFR_DONE, zn, f, sizeof(f) / sizeof(f[0]),
		     "%s from %s over %s: serial %u -> %u, %llu RRs, %llu bytes, +%llu -%llu, "
		     "%llu RRSIGs pruned",
		     kind, peer, tr, from, r->res.serial, (unsigned long long)r->res.rrs,
		     (unsigned long long)r->res.bytes, (unsigned long long)r->res.added,
		     (unsigned long long)r->res.deleted, (unsigned long long)r->res.pruned);
	if (r->res.pruned)
		daemon_event(EV_RRSIG_PRUNED, zn, (daemon_field_t[]){EVF_N("pruned", r->res.pruned)},
			     1, "%llu superseded or orphaned RRSIGs removed",
			     (unsigned long long)r->res.pruned);
}

static xfr_limits_t limits_of(const conf_zone_t *cz)
{
	return (xfr_limits_t){.connect_ms = XFR_CONNECT_MS,
			      .idle_ms = (int)cz->limits.idle_timeout * 1000,
			      .total_ms = (int)(cz->limits.timeout > 2000000 ? 2000000
									: cz->limits.timeout) *
					  1000,
			      .max_rrs = cz->limits.max_rrs,
			      .max_bytes = cz->limits.max_bytes};
}

/* Tries one primary: SOA probe, then the transfer when needed. */
static bool try_primary(dzone_t *z, int pi, bool force, attempt_t *a)
{
	daemon_t *d = z->d;
	const conf_primary_t *p = &z->cz->primaries[pi];
	conn_arg_t ca = {.d = d, .p = p};
	char peer[80];
	conf_addr_to_text(&p->addr, peer, sizeof(peer));
	xfr_primary_t xp = {.connect = connect_primary, .arg = &ca,
			    .transport = conf_transport_name(p->transport), .peer = peer,
			    .udp_to = p->transport == CONF_XPORT_TCP ? &p->addr : NULL,
			    .udp_from = p->has_source ? &p->source : NULL};
	xfr_limits_t lim = limits_of(z->cz);
	uint32_t serial = 0;
	char why[512];
	int rc = xfr_soa_probe(&xp, &z->cz->name, &lim, &serial, why, sizeof(why));
	if (rc != RODNS_OK) {
		snprintf(a->reason, sizeof(a->reason), "%s over %s: %s", peer, xp.transport, why);
		return false;
	}
	bool have = z->meta.state != STORE_ZONE_EMPTY;
	bool older = have && dns_serial_lt(serial, z->meta.serial);
	if (older || (have && !force && serial == z->meta.serial)) {
		/* an older primary never takes us backwards, forced or not */
		if (older)
			daemon_event(EV_XFR_FAILED, z->cz->name_text, NULL, 0,
				     "primary %s over %s has serial %u, older than ours (%u): "
				     "keeping ours",
				     peer, xp.transport, serial, z->meta.serial);
		a->ok = true;
		a->soa = (xfr_soa_t){z->meta.serial, z->meta.refresh, z->meta.retry,
				     z->meta.expire};
		return true;
	}
	xfr_pull_result_t r;
	uint32_t from = z->meta.serial;
	snprintf(z->meta.primary, sizeof(z->meta.primary), "%s", peer);
	z->meta.last_xfr = now_s();
	rc = xfr_pull(z->ws, &z->meta, &xp, &lim, force || !have, &r);
	pthread_mutex_lock(&d->lock);
	d->active_fd = -1;
	pthread_mutex_unlock(&d->lock);
	if (rc != RODNS_OK) {
		/* the store was not changed: reload what it holds */
		store_zone_get(z->ws, &z->cz->name, &z->meta);
		int n = snprintf(a->reason, sizeof(a->reason), "%s over %s: %s", peer,
				 xp.transport, r.reason[0] ? r.reason : rodns_strerror(rc));
		if (r.fell_back && n > 0 && (size_t)n < sizeof(a->reason) &&
		    snprintf(a->reason + n, sizeof(a->reason) - (size_t)n,
			     " (after IXFR failed: %s)", r.ixfr_reason) < 0)
			a->reason[n] = '\0';
		return false;
	}
	log_pull(z, p, &r, from);
	a->ok = true;
	a->transferred = true;
	a->full = r.res.kind == XFR_KIND_AXFR;
	a->soa = (xfr_soa_t){r.res.serial, r.res.refresh, r.res.retry, r.res.expire};
	return true;
}

/* One refresh attempt over the primaries, the last good one first. */
static void attempt(dzone_t *z, bool force, attempt_t *a)
{
	size_t n = z->cz->n_primaries;
	memset(a, 0, sizeof(*a));
	for (size_t k = 0; k < n; k++) {
		int pi = (int)((size_t)z->primary + k) % (int)n;
		if (z->d->quit)
			break;
		if (try_primary(z, pi, force, a)) {
			a->primary = pi;
			return;
		}
		daemon_event(EV_XFR_FAILED, z->cz->name_text, NULL, 0, "refresh failed: %s",
			     a->reason);
	}
}

/* Writes the timers and state to the store after an attempt. */
static void persist(dzone_t *z)
{
	store_zone_t *m = &z->meta;
	m->state = z->rf.state == XFR_OK ? STORE_ZONE_OK
				       : z->rf.state == XFR_EXPIRED ? STORE_ZONE_EXPIRED
								    : STORE_ZONE_EMPTY;
	m->last_refresh = z->rf.last_ok;
	m->next_refresh = z->rf.next;
	m->expire_at = z->rf.expire_at;
	int rc = store_zone_update(z->ws, m);
	if (rc != RODNS_OK)
		daemon_event(EV_XFR_FAILED, z->cz->name_text, NULL, 0,
			     "cannot save zone timers: %s", rodns_strerror(rc));
}

static void run_zone(daemon_t *d, dzone_t *z)
{
	int64_t now = now_s();
	pthread_mutex_lock(&d->lock);
	bool expired = xfr_refresh_check_expiry(&z->rf, now);
	bool due = z->rf.next <= now;
	bool force = z->force_axfr;
	if (due)
		xfr_refresh_start(&z->rf);
	z->state = z->rf.state;
	pthread_mutex_unlock(&d->lock);
	if (expired) {
		daemon_event(EV_ZONE_EXPIRED, z->cz->name_text, NULL, 0,
			     "SOA EXPIRE passed without a successful refresh: answering SERVFAIL");
		persist(z);
	}
	if (!due)
		return;
	int64_t sig = earliest_sig(z);
	pthread_mutex_lock(&d->lock);
	force = force || xfr_refresh_force_axfr(&z->rf, &z->clamps, sig, now);
	pthread_mutex_unlock(&d->lock);
	attempt_t a;
	attempt(z, force, &a);
	now = now_s();
	pthread_mutex_lock(&d->lock);
	int was = z->rf.state;
	if (a.ok) {
		xfr_refresh_success(&z->rf, &z->clamps, &a.soa, a.transferred, a.full, now,
				    rnd32());
		z->primary = a.primary;
		z->force_axfr = false;
	} else {
		xfr_refresh_failure(&z->rf, &z->clamps, now, rnd32());
	}
	z->state = z->rf.state;
	z->serial = z->rf.serial;
	pthread_mutex_unlock(&d->lock);
	if (a.ok && was == XFR_EXPIRED)
		daemon_event(EV_ZONE_RECOVERED, z->cz->name_text, NULL, 0,
			     "zone refreshed: serving serial %u again", a.soa.serial);
	persist(z);
}

static void *xfr_thread(void *arg)
{
	daemon_t *d = arg;
	pthread_mutex_lock(&d->lock);
	while (!d->quit) {
		if (d->qlen == 0) {
			pthread_cond_wait(&d->cond, &d->lock);
			continue;
		}
		dzone_t *z = d->queue[d->qhead];
		d->qhead = (d->qhead + 1) % d->nzones;
		d->qlen--;
		z->queued = false;
		pthread_mutex_unlock(&d->lock);
		run_zone(d, z);
		pthread_mutex_lock(&d->lock);
		/* a NOTIFY during the attempt made the zone due again */
		if (!d->quit && z->rf.next <= now_s())
			enqueue_locked(d, z);
		ev_async_send(d->loop, &d->wake);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

/* ---- the main loop ------------------------------------------------------ */

static void timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	daemon_t *d = ev_userdata(loop);
	dzone_t *z = &d->zones[t - d->timers];
	pthread_mutex_lock(&d->lock);
	enqueue_locked(d, z);
	pthread_mutex_unlock(&d->lock);
}

/* Re-arms every zone's timer for its next interesting instant. */
static void arm_timers(daemon_t *d)
{
	int64_t now = now_s();
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->nzones; i++) {
		dzone_t *z = &d->zones[i];
		ev_timer_stop(d->loop, &d->timers[i]);
		if (z->queued || z->rf.running)
			continue;
		int64_t at = xfr_refresh_next(&z->rf);
		double delay = at > now ? (double)(at - now) : 0.;
		ev_timer_set(&d->timers[i], delay, 0.);
		ev_timer_start(d->loop, &d->timers[i]);
	}
	pthread_mutex_unlock(&d->lock);
}

static void wake_cb(struct ev_loop *loop, ev_async *a, int revents)
{
	(void)a;
	(void)revents;
	arm_timers(ev_userdata(loop));
}

static void stop_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
	(void)revents;
	daemon_t *d = ev_userdata(loop);
	daemon_event(EV_DAEMON, NULL, NULL, 0, "signal %d: stopping", s->signum);
	pthread_mutex_lock(&d->lock);
	d->quit = true;
	/* a transfer in flight is cut off here and rolled back by its thread */
	if (d->active_fd >= 0)
		shutdown(d->active_fd, SHUT_RDWR);
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	ev_break(loop, EVBREAK_ALL);
}

static void hup_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
	(void)s;
	(void)revents;
	daemon_t *d = ev_userdata(loop);
	char err[4096];
	conf_t *nc = NULL;
	if (conf_load(d->conf_path, &nc, err, sizeof(err)) != RODNS_OK) {
		daemon_event(EV_CONFIG, NULL, NULL, 0, "reload failed, keeping the old config: %s",
			     err);
		return;
	}
	/* Zones keep running; what changes on reload for them is their
	 * primaries, clamps and limits. Adding or removing zones needs a
	 * restart (said in the event). */
	size_t same = 0;
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->nzones; i++) {
		const conf_zone_t *cz = conf_zone_find(nc, &d->zones[i].cz->name);
		if (!cz || d->zones[i].rf.running)
			continue;
		d->zones[i].cz = cz;
		clamps_from_conf(cz, &d->zones[i].clamps);
		same++;
	}
	pthread_mutex_unlock(&d->lock);
	/* the old conf stays allocated: a running transfer may still read it */
	d->conf = nc;
	daemon_event(EV_DAEMON, NULL, NULL, 0,
		     "configuration reloaded: %zu zones updated%s", same,
		     same != nc->n_zones || same != d->nzones
			     ? " (added or removed zones take effect on restart)"
			     : "");
}

/* ---- NOTIFY (called on query worker threads) ---------------------------- */

static int on_notify(void *arg, const dns_name_t *zone, const serve_src_t *src)
{
	daemon_t *d = arg;
	dzone_t *z = NULL;
	for (size_t i = 0; i < d->nzones; i++)
		if (dns_name_eq(&d->zones[i].cz->name, zone))
			z = &d->zones[i];
	if (!z)
		return DNS_RC_NOTAUTH;
	if (!conf_acl_match(&z->cz->notify_from, src->from)) {
		char t[DNS_NAME_TEXT_MAX];
		dns_name_to_text(zone, t, sizeof(t));
		daemon_event(EV_NOTIFY_REJECTED, z->cz->name_text, NULL, 0,
			     "NOTIFY from a source not in notify-from: refused");
		return DNS_RC_REFUSED;
	}
	pthread_mutex_lock(&d->lock);
	xfr_refresh_notify(&z->rf, now_s());
	if (!z->rf.running)
		enqueue_locked(d, z);
	pthread_mutex_unlock(&d->lock);
	return DNS_RC_NOERROR;
}

/* Per query worker: one read-only store connection per store file. */
typedef struct {
	daemon_t *d;
	serve_ctx_t **ctx; /* same index as d->zones */
} dworker_t;

static int answer(void *arg, void *worker_ctx, const serve_src_t *src, const dns_msg_t *q,
		  uint8_t *resp, size_t cap, void *conn)
{
	daemon_t *d = arg;
	dworker_t *w = worker_ctx;
	(void)conn;
	dzone_t *z = daemon_zone_for(d, &q->qname);
	if (!z)
		return serve_error(q->wire, q->len, q, DNS_RC_REFUSED, resp, cap);
	size_t zi = (size_t)(z - d->zones);
	if (z->state != XFR_OK || !w->ctx[zi])
		return serve_error(q->wire, q->len, q, DNS_RC_SERVFAIL, resp, cap);
	if (q->qtype == DNS_T_AXFR || q->qtype == DNS_T_IXFR)
		/* transfers out to downstream replicas arrive with that issue */
		return serve_error(q->wire, q->len, q, DNS_RC_REFUSED, resp, cap);
	serve_zone_t sz = {.apex = z->cz->name, .zone_id = z->zone_id};
	serve_opts_t o = {.max_udp_payload = d->conf->server.max_udp_payload, .tcp = src->tcp};
	return serve_answer(w->ctx[zi], &sz, q, &o, resp, cap);
}

static int handler(void *worker_ctx, const serve_src_t *src, const uint8_t *q, size_t qlen,
		   uint8_t *resp, size_t cap, void *conn)
{
	dworker_t *w = worker_ctx;
	return serve_query(&w->d->qops, worker_ctx, src, q, qlen, resp, cap, conn);
}

static void *worker_init(void *arg, int worker)
{
	daemon_t *d = arg;
	(void)worker;
	dworker_t *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->d = d;
	w->ctx = calloc(d->nzones ? d->nzones : 1, sizeof(*w->ctx));
	for (size_t i = 0; w->ctx && i < d->nzones; i++) {
		const char *path = d->zones[i].cz->store;
		for (size_t j = 0; j < i && !w->ctx[i]; j++)
			if (strcmp(d->zones[j].cz->store, path) == 0)
				w->ctx[i] = w->ctx[j];
		if (!w->ctx[i] && serve_ctx_new(path, &w->ctx[i]) != RODNS_OK)
			daemon_event(EV_CONFIG, d->zones[i].cz->name_text, NULL, 0,
				     "query worker cannot open store %s", path);
	}
	return w;
}

static void worker_fini(void *worker_ctx)
{
	dworker_t *w = worker_ctx;
	if (!w)
		return;
	for (size_t i = 0; w->ctx && i < w->d->nzones; i++) {
		bool shared = false;
		for (size_t j = 0; j < i; j++)
			shared = shared || w->ctx[j] == w->ctx[i];
		if (!shared)
			serve_ctx_free(w->ctx[i]);
	}
	free(w->ctx);
	free(w);
}

static int start_listeners(daemon_t *d)
{
	const conf_server_t *s = &d->conf->server;
	d->qops = (serve_query_ops_t){.notify = on_notify, .answer = answer, .arg = d};
	serve_listen_conf_t lc = {.addrs = s->listen, .n_addrs = s->n_listen,
				  .workers = s->workers, .tcp_idle_timeout = s->tcp_idle_timeout,
				  .tcp_max_clients = s->tcp_max_clients,
				  .max_udp_payload = s->max_udp_payload, .handler = handler,
				  .worker_init = worker_init, .worker_fini = worker_fini, .arg = d};
	char err[256];
	int rc = serve_listen_bind(&lc, &d->listen, err, sizeof(err));
	if (rc != RODNS_OK) {
		daemon_event(EV_CONFIG, NULL, NULL, 0, "%s", err);
		return rc;
	}
	return serve_listen_start(d->listen);
}

static void teardown(daemon_t *d)
{
	if (d->xthr) {
		pthread_mutex_lock(&d->lock);
		d->quit = true;
		pthread_cond_broadcast(&d->cond);
		pthread_mutex_unlock(&d->lock);
		pthread_join(d->xthr, NULL);
	}
	serve_listen_stop(d->listen);
	while (d->stores) {
		dstore_t *s = d->stores;
		d->stores = s->next;
		store_close(s->w);
		free(s->path);
		free(s);
	}
	free(d->zones);
	free(d->timers);
	free(d->queue);
	if (d->loop)
		ev_loop_destroy(d->loop);
}

static int setup(daemon_t *d)
{
	d->nzones = d->conf->n_zones;
	d->zones = calloc(d->nzones ? d->nzones : 1, sizeof(*d->zones));
	d->timers = calloc(d->nzones ? d->nzones : 1, sizeof(*d->timers));
	d->queue = calloc(d->nzones ? d->nzones : 1, sizeof(*d->queue));
	d->loop = ev_loop_new(EVFLAG_AUTO);
	if (!d->zones || !d->timers || !d->queue || !d->loop)
		return -ENOMEM;
	ev_set_userdata(d->loop, d);
	for (size_t i = 0; i < d->nzones; i++) {
		int rc = zone_open(d, &d->zones[i], &d->conf->zones[i]);
		if (rc != RODNS_OK)
			return rc;
		ev_init(&d->timers[i], timer_cb);
	}
	int rc = start_listeners(d);
	if (rc != RODNS_OK)
		return rc;
	ev_async_init(&d->wake, wake_cb);
	ev_async_start(d->loop, &d->wake);
	ev_signal_init(&d->sig_term, stop_cb, SIGTERM);
	ev_signal_init(&d->sig_int, stop_cb, SIGINT);
	ev_signal_init(&d->sig_hup, hup_cb, SIGHUP);
	ev_signal_start(d->loop, &d->sig_term);
	ev_signal_start(d->loop, &d->sig_int);
	ev_signal_start(d->loop, &d->sig_hup);
	if (pthread_create(&d->xthr, NULL, xfr_thread, d) != 0)
		return -EAGAIN;
	return RODNS_OK;
}

int daemon_run(conf_t *conf, const char *conf_path)
{
	daemon_t d = {.conf = conf, .conf_path = conf_path, .active_fd = -1};
	pthread_mutex_init(&d.lock, NULL);
	pthread_cond_init(&d.cond, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* libev's signal watchers need the signals blocked in the other threads */
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &ss, NULL);
	int rc = setup(&d);
	pthread_sigmask(SIG_UNBLOCK, &ss, NULL);
	if (rc == RODNS_OK) {
		daemon_event(EV_DAEMON, NULL, NULL, 0, "rodnsd started: %zu zones, port %u",
			     d.nzones, serve_listen_port(d.listen));
		arm_timers(&d);
		ev_run(d.loop, 0);
	}
	teardown(&d);
	daemon_event(EV_DAEMON, NULL, NULL, 0, "rodnsd stopped");
	return rc == RODNS_OK ? 0 : 1;
}
