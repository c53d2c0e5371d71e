/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* rodnsd: zones, the transfer thread, timers, signals. See daemon.h and,
 * for the state shared with watch.c, control.c and metrics.c,
 * daemon_int.h. */
#include <errno.h>
#include <ev.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <net/if.h>
#include <unistd.h>

#include "daemon/daemon_int.h"
#include "daemon/event.h"
#include "daemon/privs.h"
#include "ipsec/vici.h"
#include "dns/serial.h"
#include "serve/edns.h"
#include "serve/xfrout.h"
#include "xfr/client.h"

#define XFR_CONNECT_MS 10000

int64_t daemon_now(void)
{
	return (int64_t)time(NULL);
}

static int64_t now_s(void)
{
	return daemon_now();
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
	atomic_store_explicit(&z->expire_at, m->expire_at, memory_order_relaxed);
	z->rf.next = m->next_refresh;
	/* a lower refresh-max since the last run pulls the next refresh in */
	xfr_refresh_bound_next(&z->rf, &z->clamps, now);
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
	if (cz->validate) {
		char err[512] = "";
		rc = xfr_validator_new(cz, &daemon_zx(d, z)->validator, err, sizeof(err));
		if (rc != RODNS_OK) {
			daemon_event(EV_CONFIG, cz->name_text, NULL, 0,
				     "cannot set up DNSSEC validation: %s",
				     err[0] ? err : rodns_strerror(rc));
			return rc;
		}
	}
	zone_resume(z, now_s());
	/* the not-yet-valid groups come from a walk: once here, then per transfer */
	if (z->rf.state != XFR_EMPTY)
		daemon_expiry_inceptions(z->ws, z->zone_id, now_s(), &daemon_zx(d, z)->inc);
	if (z->rf.state != XFR_EMPTY)
		daemon_event(EV_DAEMON, cz->name_text, (daemon_field_t[]){EVF_N("serial", z->rf.serial)},
			     1, "serving stored serial %u; next refresh in %llds", z->rf.serial,
			     (long long)(z->rf.next - now_s()));
	return RODNS_OK;
}

dzone_t *daemon_zone_by_text(daemon_t *d, const char *text)
{
	dns_name_t n;
	if (dns_name_from_text(text, &(dns_name_t){.len = 1, .labels = 0, .data = {0}}, &n) !=
	    RODNS_OK)
		return NULL;
	for (size_t i = 0; i < d->nzones; i++)
		if (dns_name_eq(&d->zones[i].cz->name, &n))
			return &d->zones[i];
	return NULL;
}

uint32_t daemon_zone_window_locked(const dzone_t *z)
{
	return daemon_expiry_window(z->cz->expiry_warning, z->rf.refresh, z->rf.retry);
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

/* What z serves changed (state, serial, configuration): cached answers of
 * the old generation are stale from here. */
static void served_changed(dzone_t *z)
{
	atomic_fetch_add_explicit(&daemon_zx(z->d, z)->gen, 2, memory_order_acq_rel);
}

/* Sets the state queries see, with a new generation when it changes.
 * Caller holds d->lock. */
static void set_served_locked(dzone_t *z)
{
	bool changed = z->state != z->rf.state || z->serial != z->rf.serial;
	z->state = z->rf.state;
	z->serial = z->rf.serial;
	atomic_store_explicit(&z->expire_at, z->rf.expire_at, memory_order_relaxed);
	if (changed)
		served_changed(z);
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
	const char *zone;
} conn_arg_t;

static int connect_primary(void *arg, xfr_stream_t *s, char *reason, size_t cap)
{
	conn_arg_t *a = arg;
	int auth = 0;
	int rc = daemon_connect(&a->d->sessions, a->p, s, XFR_CONNECT_MS, &auth, reason, cap);
	if (rc != RODNS_OK) {
		if (auth) {
			char peer[80];
			conf_addr_to_text(&a->p->addr, peer, sizeof(peer));
			daemon_event(EV_AUTH_FAILED, a->zone,
				     (daemon_field_t[]){EVF_S("primary", peer),
							EVF_S("transport",
							      conf_transport_name(a->p->transport))},
				     2, "session to %s over %s not authenticated: %s", peer,
				     conf_transport_name(a->p->transport), reason);
		}
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
	xfr_expire_t primary_expire; /* the primary's EDNS EXPIRE */
	int primary;
	char reason[1024];
} attempt_t;

static void log_pull(dzone_t *z, const conf_primary_t *p, const xfr_pull_result_t *r,
		     uint32_t from, int64_t ms)
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
			      EVF_N("pruned", r->res.pruned), EVF_N("duration_ms", ms)};
	daemon_event(EV_XFR_DONE, zn, f, sizeof(f) / sizeof(f[0]),
		     "%s from %s over %s: serial %u -> %u, %llu RRs, %llu bytes, +%llu -%llu, "
		     "%llu RRSIGs pruned, %lld.%03llds",
		     kind, peer, tr, from, r->res.serial, (unsigned long long)r->res.rrs,
		     (unsigned long long)r->res.bytes, (unsigned long long)r->res.added,
		     (unsigned long long)r->res.deleted, (unsigned long long)r->res.pruned,
		     (long long)(ms / 1000), (long long)(ms % 1000));
	if (r->res.pruned)
		daemon_event(EV_RRSIG_PRUNED, zn, (daemon_field_t[]){EVF_N("pruned", r->res.pruned)},
			     1, "%llu superseded or orphaned RRSIGs removed",
			     (unsigned long long)r->res.pruned);
}

/* One rodns_xfr_total{zone,kind,transport,result} step. */
static void count_xfr(dzone_t *z, const conf_primary_t *p, int kind, int result)
{
	unsigned t = (unsigned)p->transport < XT__N ? (unsigned)p->transport : 0;
	atomic_fetch_add_explicit(&daemon_zx(z->d, z)->xfr[kind][t][result], 1,
				  memory_order_relaxed);
}

static void count_pull(dzone_t *z, const conf_primary_t *p, int rc, bool want_full,
		       const xfr_pull_result_t *r)
{
	if (r->fell_back)
		count_xfr(z, p, XK_IXFR, XR_FAILURE);
	if (rc == RODNS_OK) {
		count_xfr(z, p, r->res.kind == XFR_KIND_AXFR ? XK_AXFR : XK_IXFR, XR_SUCCESS);
		atomic_fetch_add_explicit(&daemon_zx(z->d, z)->pruned, r->res.pruned,
					  memory_order_relaxed);
	} else {
		count_xfr(z, p, r->fell_back || want_full ? XK_AXFR : XK_IXFR, XR_FAILURE);
	}
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

/* A zone's generation is odd from just before a transfer commits until
 * the pull returns: no answer is cached then that could come from either
 * side of the commit, and the even one after it never saw the old data.
 * Before the commit (all of a long AXFR) the cache keeps working: readers
 * cannot see the uncommitted data. A pull may try to commit more than once
 * (IXFR, then AXFR): the generation goes odd once. */
typedef struct {
	_Atomic uint64_t *gen;
	bool odd;
} commit_gate_t;

static void commit_begins(void *arg)
{
	commit_gate_t *g = arg;
	if (!g->odd)
		atomic_fetch_add_explicit(g->gen, 1, memory_order_acq_rel);
	g->odd = true;
}

/* Tries one primary: SOA probe, then the transfer when needed. */
static bool try_primary(dzone_t *z, int pi, int force, attempt_t *a)
{
	daemon_t *d = z->d;
	const conf_primary_t *p = &z->cz->primaries[pi];
	conn_arg_t ca = {.d = d, .p = p, .zone = z->cz->name_text};
	char peer[80];
	conf_addr_to_text(&p->addr, peer, sizeof(peer));
	xfr_primary_t xp = {.connect = connect_primary, .arg = &ca,
			    .transport = conf_transport_name(p->transport), .peer = peer,
			    .udp_to = p->transport == CONF_XPORT_TCP ? &p->addr : NULL,
			    .udp_from = p->has_source ? &p->source : NULL, .tsig = p->tsig};
	xfr_limits_t lim = limits_of(z->cz);
	xfr_validator_t *v = daemon_zx(d, z)->validator;
	if (v) {
		lim.validate = xfr_validate;
		lim.validate_arg = v;
	}
	uint32_t serial = 0;
	char why[512];
	int rc = xfr_soa_probe(&xp, &z->cz->name, &lim, &serial, &a->primary_expire, why,
			       sizeof(why));
	/* a probe over a stream closed its socket: forget it for SIGTERM */
	pthread_mutex_lock(&d->lock);
	d->active_fd = -1;
	pthread_mutex_unlock(&d->lock);
	count_xfr(z, p, XK_SOA, rc == RODNS_OK ? XR_SUCCESS : XR_FAILURE);
	if (rc != RODNS_OK) {
		snprintf(a->reason, sizeof(a->reason), "%s over %s: %s", peer, xp.transport, why);
		return false;
	}
	bool have = z->meta.state != STORE_ZONE_EMPTY;
	bool older = have && dns_serial_lt(serial, z->meta.serial);
	bool same = have && serial == z->meta.serial;
	/* a full transfer when forced, or at an unchanged serial when the
	 * signatures need refreshing; a newer serial is fetched as usual */
	bool full = !have || force == XFR_FORCE_FULL || (same && force == XFR_FORCE_SIGS);
	if (older || (same && !full)) {
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
	int64_t t0 = mono_ms();
	commit_gate_t gate = {.gen = &daemon_zx(d, z)->gen};
	lim.pre_commit = commit_begins;
	lim.pre_commit_arg = &gate;
	rc = xfr_pull(z->ws, &z->meta, &xp, &lim, full, &r);
	if (gate.odd)
		atomic_fetch_add_explicit(gate.gen, 1, memory_order_acq_rel);
	count_pull(z, p, rc, full, &r);
	pthread_mutex_lock(&d->lock);
	d->active_fd = -1;
	pthread_mutex_unlock(&d->lock);
	if (rc != RODNS_OK) {
		/* the store was not changed: reload what it holds */
		store_zone_get(z->ws, &z->cz->name, &z->meta);
		if (rc == XFR_E_BOGUS)
			daemon_event(EV_VALIDATION_FAILED, z->cz->name_text,
				     (daemon_field_t[]){EVF_S("primary", peer),
							EVF_S("transport", xp.transport),
							EVF_N("serial", r.res.serial)},
				     3, "transfer of serial %u from %s rejected: %s", r.res.serial, peer,
				     r.reason);
		int n = snprintf(a->reason, sizeof(a->reason), "%s over %s: %s", peer,
				 xp.transport, r.reason[0] ? r.reason : rodns_strerror(rc));
		if (r.fell_back && n > 0 && (size_t)n < sizeof(a->reason) &&
		    snprintf(a->reason + n, sizeof(a->reason) - (size_t)n,
			     " (after IXFR failed: %s)", r.ixfr_reason) < 0)
			a->reason[n] = '\0';
		return false;
	}
	log_pull(z, p, &r, from, mono_ms() - t0);
	a->ok = true;
	a->transferred = true;
	a->full = r.res.kind == XFR_KIND_AXFR;
	a->soa = (xfr_soa_t){r.res.serial, r.res.refresh, r.res.retry, r.res.expire};
	return true;
}

/* One refresh attempt over the primaries, the last good one first. */
static void attempt(dzone_t *z, int force, attempt_t *a)
{
	size_t n = z->cz->n_primaries;
	memset(a, 0, sizeof(*a));
	a->primary_expire.seconds = -1;
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

/* What an attempt reports to watch.c: its outcome, for the expiry
 * events' text, and whether it was a heal. Caller holds d->lock. */
static void attempt_report(dzone_t *z, const attempt_t *a, bool heal)
{
	dzx_t *x = daemon_zx(z->d, z);
	int pi = a->ok ? a->primary : z->primary;
	x->heal = (expiry_heal_t){.ok = a->ok, .transferred = a->transferred, .full = a->full,
				  .serial = z->rf.serial};
	if (z->cz->n_primaries && pi >= 0 && (size_t)pi < z->cz->n_primaries)
		conf_addr_to_text(&z->cz->primaries[pi].addr, x->heal.primary,
				  sizeof(x->heal.primary));
	/* a long reason is cut: the full one was in the 6521 event */
	size_t n = strnlen(a->reason, sizeof(x->heal.reason) - 1);
	memcpy(x->heal.reason, a->reason, n);
	x->heal.reason[n] = '\0';
	x->heal_done = x->heal_done || heal;
	x->attempt_done = true;
}

static void run_zone(daemon_t *d, dzone_t *z)
{
	dzx_t *x = daemon_zx(d, z);
	int64_t now = now_s();
	pthread_mutex_lock(&d->lock);
	bool expired = xfr_refresh_check_expiry(&z->rf, now);
	bool due = z->rf.next <= now;
	int force = z->force_axfr ? XFR_FORCE_FULL : XFR_FORCE_NONE;
	bool heal = false;
	if (due) {
		xfr_refresh_start(&z->rf);
		heal = x->heal_requested;
		x->heal_requested = false;
	}
	set_served_locked(z);
	/* 6527 and its repeats come from watch.c's scan of the new state */
	x->scan_wanted = x->scan_wanted || expired;
	pthread_mutex_unlock(&d->lock);
	if (expired)
		persist(z);
	if (!due)
		return;
	int64_t sig = earliest_sig(z);
	pthread_mutex_lock(&d->lock);
	/* signatures expiring within the warning window make this a full
	 * transfer: the signer may have refreshed them without a serial bump */
	z->clamps.sig_horizon = daemon_zone_window_locked(z);
	if (force == XFR_FORCE_NONE)
		force = xfr_refresh_force_axfr(&z->rf, &z->clamps, sig, now);
	pthread_mutex_unlock(&d->lock);
	attempt_t a;
	attempt(z, force, &a);
	now = now_s();
	pthread_mutex_lock(&d->lock);
	if (a.ok) {
		xfr_refresh_success(&z->rf, &z->clamps, &a.soa, a.transferred, a.full, now,
				    rnd32());
		if (a.primary_expire.seconds >= 0) {
			/* an EXPIRE in unsigned UDP may be forged: it may bring
			 * expiry no closer than the next refresh and its retry,
			 * which set it anew (a spoofed 0 cannot expire a zone
			 * whose primary answers) */
			int64_t e = a.primary_expire.seconds;
			int64_t floor = (int64_t)z->rf.refresh + z->rf.retry;
			if (!a.primary_expire.authenticated && e < floor)
				e = floor;
			xfr_refresh_cap_expire(&z->rf, e, now);
		}
		z->primary = a.primary;
		z->force_axfr = false;
	} else {
		xfr_refresh_failure(&z->rf, &z->clamps, now, rnd32());
	}
	set_served_locked(z); /* queries see the new serial's state from here */
	pthread_mutex_unlock(&d->lock);
	/* the not-yet-valid count (a few index reads): after serving has begun */
	expiry_inceptions_t inc = {0};
	if (a.transferred)
		daemon_expiry_inceptions(z->ws, z->zone_id, now, &inc);
	pthread_mutex_lock(&d->lock);
	if (inc.valid)
		x->inc = inc;
	attempt_report(z, &a, heal);
	x->scan_wanted = true;
	pthread_mutex_unlock(&d->lock);
	persist(z);
	/* the new serial is served: now move the transfer's WAL into the file.
	 * Query workers drop snapshots older than the new generation within a
	 * tick (SERVE_TICK_MS); until they have, part of the WAL stays: try
	 * again a few times, then leave it to the next transfer's checkpoint. */
	for (int i = 0; a.transferred && i < 20; i++) {
		int cr = store_checkpoint(z->ws);
		if (cr < 0)
			daemon_event(EV_XFR_FAILED, z->cz->name_text, NULL, 0, "checkpoint: %s",
				     rodns_strerror(cr));
		if (cr != 0 || i == 19)
			break;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
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
	daemon_t *d = ev_userdata(loop);
	arm_timers(d);
	daemon_watch_pending(d);
}

void daemon_request_refresh(daemon_t *d, dzone_t *z, bool axfr)
{
	pthread_mutex_lock(&d->lock);
	if (axfr)
		z->force_axfr = true;
	xfr_refresh_notify(&z->rf, now_s());
	if (!z->rf.running)
		enqueue_locked(d, z);
	pthread_mutex_unlock(&d->lock);
}

void daemon_request_heal(daemon_t *d, dzone_t *z)
{
	pthread_mutex_lock(&d->lock);
	daemon_zx(d, z)->heal_requested = true;
	pthread_mutex_unlock(&d->lock);
	daemon_request_refresh(d, z, false);
}

void daemon_stop(daemon_t *d)
{
	pthread_mutex_lock(&d->lock);
	d->quit = true;
	/* a transfer in flight is cut off here and rolled back by its thread */
	if (d->active_fd >= 0)
		shutdown(d->active_fd, SHUT_RDWR);
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	ev_break(d->loop, EVBREAK_ALL);
}

static void stop_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
	(void)revents;
	daemon_t *d = ev_userdata(loop);
	daemon_event(EV_DAEMON, NULL, NULL, 0, "signal %d: stopping", s->signum);
	daemon_stop(d);
}

/* The event sinks that the configuration names (the file, syslog socket
 * and hook); stderr and the detach-implied syslog stay as rodnsd_main set
 * them. */
static void configure_events(const conf_t *c)
{
	daemon_event_sinks_t s;
	daemon_event_sinks_get(&s);
	s.min_severity = (int)c->log.level;
	s.to_syslog = c->events.syslog || !s.to_stderr;
	s.syslog_socket = c->events.syslog_socket;
	s.json_file = c->events.file;
	s.hook = c->events.hook;
	s.hook_timeout = c->events.hook_timeout;
	int rc = daemon_event_configure(&s);
	if (rc != 0)
		daemon_event(EV_CONFIG, NULL, NULL, 0, "event sinks: %s", rodns_strerror(rc));
}

static void hup_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
	(void)s;
	(void)revents;
	char err[4096];
	daemon_reload(ev_userdata(loop), err, sizeof(err));
}

int daemon_reload(daemon_t *d, char *err, size_t cap)
{
	conf_t *nc = NULL;
	int rc = conf_load(d->conf_path, &nc, err, cap);
	if (rc != RODNS_OK) {
		daemon_event(EV_CONFIG, NULL, NULL, 0, "reload failed, keeping the old config: %s",
			     err);
		return rc;
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
		xfr_refresh_bound_next(&d->zones[i].rf, &d->zones[i].clamps, now_s());
		same++;
	}
	pthread_mutex_unlock(&d->lock);
	/* the old conf stays allocated: a running transfer may still read it */
	conf_t **r = realloc(d->reloaded, (d->nreloaded + 1) * sizeof(*r));
	if (r) {
		d->reloaded = r;
		d->reloaded[d->nreloaded++] = nc;
	}
	d->conf = nc;
	d->qops.conf = nc; /* NOTIFY's TSIG keys; the old conf stays alive */
	/* answers depend on the configuration too (our EDNS payload size, also
	 * in the cache key): new generations once the new conf is published */
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->nzones; i++)
		served_changed(&d->zones[i]);
	pthread_mutex_unlock(&d->lock);
	configure_events(nc);
	daemon_event(EV_DAEMON, NULL, NULL, 0,
		     "configuration reloaded: %zu zones updated%s", same,
		     same != nc->n_zones || same != d->nzones
			     ? " (added or removed zones take effect on restart)"
			     : "");
	/* warning windows and repeat intervals may have changed */
	daemon_watch_fresh(d, -1);
	return RODNS_OK;
}

/* ---- NOTIFY (called on query worker threads) ---------------------------- */

/* Userland IPsec does not stop plain packets: a NOTIFY for a zone whose
 * primaries are all reached through IPsec must have arrived on the tunnel
 * device (UDP: its interface is known; TCP: refused, primaries notify by
 * UDP). A zone with any non-IPsec primary takes NOTIFY as notify-from says. */
static bool notify_via_tunnel(const conf_zone_t *cz, const serve_src_t *src)
{
	for (size_t i = 0; i < cz->n_primaries; i++)
		if (cz->primaries[i].transport != CONF_XPORT_IPSEC)
			return true;
	unsigned tun = if_nametoindex(IPSEC_TUNNEL_DEV);
	return !src->tcp && tun != 0 && src->ifindex == (int)tun;
}

/* Refused NOTIFYs need no authentication to send: log at most one a
 * minute per zone, with the number left out, so a flood cannot bury real
 * events or fill the disk. */
static void notify_refused(dzone_t *z, int kind, const char *why)
{
	dzx_t *x = daemon_zx(z->d, z);
	int64_t now = now_s();
	int64_t last = atomic_load_explicit(&x->notify_refused_at[kind], memory_order_relaxed);
	if (now - last < 60 ||
	    !atomic_compare_exchange_strong(&x->notify_refused_at[kind], &last, now)) {
		atomic_fetch_add_explicit(&x->notify_refused_quiet[kind], 1, memory_order_relaxed);
		return;
	}
	uint64_t quiet = atomic_exchange(&x->notify_refused_quiet[kind], 0);
	daemon_event(EV_NOTIFY_REJECTED, z->cz->name_text,
		     (daemon_field_t[]){EVF_N("suppressed", quiet)}, 1,
		     "NOTIFY %s: refused (%llu more refused in the last minute not logged)", why,
		     (unsigned long long)quiet);
}

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
		notify_refused(z, 0, "from a source not in notify-from");
		return DNS_RC_REFUSED;
	}
	if (!notify_via_tunnel(z->cz, src)) {
		notify_refused(z, 1, "for an ipsec zone that did not come through the tunnel "
				  "(device " IPSEC_TUNNEL_DEV ")");
		return DNS_RC_REFUSED;
	}
	pthread_mutex_lock(&d->lock);
	xfr_refresh_notify(&z->rf, now_s());
	if (!z->rf.running)
		enqueue_locked(d, z);
	pthread_mutex_unlock(&d->lock);
	return DNS_RC_NOERROR;
}

/* Per query worker (dworker_t, daemon_int.h): one read-only store
 * connection per store file, and the query counters. */

/* AXFR/IXFR from a downstream replica: only from allow-transfer sources,
 * only over TCP (over UDP an empty TC=1 answer sends the client to TCP). */
static int transfer_out(const dzone_t *z, serve_ctx_t *ctx, const serve_src_t *src,
			const dns_msg_t *q, uint8_t *resp, size_t cap, void *conn,
			serve_reply_t *rp)
{
	if (!conf_acl_match(&z->cz->allow_transfer, src->from)) {
		rp->ede = SERVE_EDE_PROHIBITED;
		rp->ede_text = "zone transfer not allowed from this address";
		return serve_error(q->wire, q->len, q, DNS_RC_REFUSED, resp, cap);
	}
	if (!src->tcp) {
		int len = serve_error(q->wire, q->len, q, DNS_RC_NOERROR, resp, cap);
		if (len > 0)
			resp[2] |= (uint8_t)((DNS_F_TC | DNS_F_AA) >> 8);
		return len;
	}
	int rc = serve_xfr_out(serve_ctx_store(ctx), &z->cz->name, z->zone_id, q, rp->expire,
			       serve_tcp_send, conn, resp, cap);
	return rc == RODNS_OK ? SERVE_STREAM : 0;
}

/* Why a zone we have does not answer (RFC 8914). */
static void not_serving(const dzone_t *z, serve_reply_t *rp)
{
	if (z->state == XFR_EXPIRED) {
		rp->ede = SERVE_EDE_NO_AUTHORITY;
		rp->ede_text = "zone expired: no refresh from a primary within SOA EXPIRE";
	} else {
		rp->ede = SERVE_EDE_NOT_READY;
		rp->ede_text = "zone not loaded yet";
	}
}

/* RFC 7314 §3: the seconds left until this replica's copy expires, for a
 * SOA, AXFR or IXFR question at the apex; -1 otherwise. */
static int64_t expire_left(const dzone_t *z, const dns_msg_t *q)
{
	if ((q->qtype != DNS_T_SOA && q->qtype != DNS_T_AXFR && q->qtype != DNS_T_IXFR) ||
	    !dns_name_eq(&q->qname, &z->cz->name))
		return -1;
	int64_t left = atomic_load_explicit(&z->expire_at, memory_order_relaxed) - now_s();
	return left > 0 ? left : 0;
}

static int answer(void *arg, void *worker_ctx, const serve_src_t *src, const dns_msg_t *q,
		  uint8_t *resp, size_t cap, void *conn, serve_reply_t *rp)
{
	daemon_t *d = arg;
	dworker_t *w = worker_ctx;
	(void)conn;
	dzone_t *z = daemon_zone_for(d, &q->qname);
	if (!z) {
		rp->ede = SERVE_EDE_NOT_AUTH;
		rp->ede_text = "not a zone served here";
		return serve_error(q->wire, q->len, q, DNS_RC_REFUSED, resp, cap);
	}
	size_t zi = (size_t)(z - d->zones);
	if (z->state != XFR_OK || !w->ctx[zi]) {
		not_serving(z, rp);
		return serve_error(q->wire, q->len, q, DNS_RC_SERVFAIL, resp, cap);
	}
	rp->expire = expire_left(z, q);
	if (q->qtype == DNS_T_AXFR || q->qtype == DNS_T_IXFR)
		return transfer_out(z, w->ctx[zi], src, q, resp, cap, conn, rp);
	/* the generation is read after the state and before the store: an
	 * answer is never cached under a generation older than its data */
	uint64_t gen = atomic_load_explicit(&daemon_zx(d, z)->gen, memory_order_acquire);
	uint16_t ours = d->conf->server.max_udp_payload;
	serve_cache_key_t k;
	bool cached = w->cache && serve_cache_key(&k, q, src->tcp, cap, ours, rp->optroom,
						  (uint32_t)zi, gen);
	if (cached) {
		int n = serve_cache_get(w->cache, &k, q, resp, cap);
		if (n > 0)
			return n;
	}
	serve_zone_t sz = {.apex = z->cz->name, .zone_id = z->zone_id, .gen = gen};
	serve_opts_t o = {.max_udp_payload = ours, .tcp = src->tcp, .optroom = rp->optroom};
	int n = serve_answer(w->ctx[zi], &sz, q, &o, resp, cap);
	if (cached && n > 0)
		serve_cache_put(w->cache, &k, resp, (size_t)n);
	return n;
}

static int handler(void *worker_ctx, const serve_src_t *src, const uint8_t *q, size_t qlen,
		   uint8_t *resp, size_t cap, void *conn)
{
	dworker_t *w = worker_ctx;
	int n = serve_query(&w->d->qops, worker_ctx, src, q, qlen, resp, cap, conn);
	/* one relaxed add on this worker's own line: no sharing on the query path */
	int rc = n >= 12 ? (resp[3] & 0x0f) : n == 0 ? QRC__N - 1 : -1;
	if (rc >= 0)
		atomic_fetch_add_explicit(&w->q[rc][src->tcp ? 1 : 0], 1, memory_order_relaxed);
	return n;
}

static void *worker_init(void *arg, int worker)
{
	daemon_t *d = arg;
	dworker_t *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->d = d;
	pthread_mutex_lock(&d->lock);
	if (worker >= 0 && (size_t)worker < d->nworkers)
		d->workers[worker] = w;
	pthread_mutex_unlock(&d->lock);
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
	/* the configured size is the budget of all workers together */
	uint64_t bytes = (uint64_t)d->conf->server.answer_cache << 20;
	bytes /= d->nworkers ? d->nworkers : 1;
	if (bytes < 64 * 1024)
		bytes = 0; /* too small to hold anything worth the lookups: off */
	if (serve_cache_new((size_t)bytes, &w->cache) != RODNS_OK)
		daemon_event(EV_CONFIG, NULL, NULL, 0,
			     "query worker %d: no memory for a %zu KiB answer cache", worker,
			     (size_t)(bytes >> 10));
	return w;
}

/* Every ~50 ms on each worker: let go of read snapshots so that the
 * checkpoint after a transfer is not held up by a quiet worker. */
static void worker_tick(void *worker_ctx)
{
	dworker_t *w = worker_ctx;
	/* contexts shared by zones of one store file are released more than
	 * once: a no-op after the first */
	for (size_t i = 0; w && w->ctx && i < w->d->nzones; i++)
		if (w->ctx[i])
			serve_ctx_release(w->ctx[i]);
	if (w && w->cache) {
		serve_cache_stats_t st;
		serve_cache_stats(w->cache, &st);
		atomic_store_explicit(&w->cache_hits, st.hits, memory_order_relaxed);
		atomic_store_explicit(&w->cache_misses, st.misses, memory_order_relaxed);
		atomic_store_explicit(&w->cache_evictions, st.evictions, memory_order_relaxed);
		atomic_store_explicit(&w->cache_rejected, st.rejected, memory_order_relaxed);
		atomic_store_explicit(&w->cache_bytes, st.bytes, memory_order_relaxed);
		atomic_store_explicit(&w->cache_entries, st.entries, memory_order_relaxed);
	}
}

static void worker_fini(void *worker_ctx)
{
	dworker_t *w = worker_ctx;
	if (!w)
		return;
	pthread_mutex_lock(&w->d->lock);
	for (size_t i = 0; i < w->d->nworkers; i++)
		if (w->d->workers[i] == w)
			w->d->workers[i] = NULL;
	pthread_mutex_unlock(&w->d->lock);
	for (size_t i = 0; w->ctx && i < w->d->nzones; i++) {
		bool shared = false;
		for (size_t j = 0; j < i; j++)
			shared = shared || w->ctx[j] == w->ctx[i];
		if (!shared)
			serve_ctx_free(w->ctx[i]);
	}
	free(w->ctx);
	serve_cache_free(w->cache);
	free(w);
}

/* Binds the query sockets; the workers start once the stores are open. */
static int bind_listeners(daemon_t *d)
{
	const conf_server_t *s = &d->conf->server;
	if (s->cookies && !(d->cookies = serve_cookies_new()))
		return -ENOMEM;
	if (s->rrl.rate && !(d->rrl = serve_rrl_new(&s->rrl)))
		return -ENOMEM;
	d->qops = (serve_query_ops_t){.notify = on_notify, .answer = answer, .arg = d,
				      .conf = d->conf, .max_udp_payload = s->max_udp_payload,
				      .nsid = s->nsid, .nsid_len = s->nsid_len,
				      .cookies = d->cookies, .rrl = d->rrl};
	serve_listen_conf_t lc = {.addrs = s->listen, .n_addrs = s->n_listen,
				  .workers = s->workers, .tcp_idle_timeout = s->tcp_idle_timeout,
				  .tcp_max_clients = s->tcp_max_clients,
				  .max_udp_payload = s->max_udp_payload,
				  .steer_by_name = s->steer_by_name, .handler = handler,
				  .worker_init = worker_init, .worker_fini = worker_fini,
				  .worker_tick = worker_tick, .arg = d};
	char err[256];
	int rc = serve_listen_bind(&lc, &d->listen, err, sizeof(err));
	if (rc != RODNS_OK)
		daemon_event(EV_CONFIG, NULL, NULL, 0, "%s", err);
	else if (s->steer_by_name && s->workers > 1 && serve_listen_steering(d->listen))
		daemon_event(EV_DAEMON, NULL, NULL, 0,
			     "UDP steering by name is off where the kernel refused it: %s",
			     serve_listen_steering(d->listen));
	return rc;
}

static void teardown(daemon_t *d)
{
	daemon_control_stop(d->control);
	daemon_metrics_stop(d->metrics);
	d->control = NULL;
	d->metrics = NULL;
	if (d->xthr) {
		pthread_mutex_lock(&d->lock);
		d->quit = true;
		pthread_cond_broadcast(&d->cond);
		pthread_mutex_unlock(&d->lock);
		pthread_join(d->xthr, NULL);
	}
	serve_listen_stop(d->listen);
	serve_cookies_free(d->cookies);
	serve_rrl_free(d->rrl);
	daemon_sessions_fini(&d->sessions);
	if (d->zx)
		daemon_watch_fini(d);
	while (d->stores) {
		dstore_t *s = d->stores;
		d->stores = s->next;
		store_close(s->w);
		free(s->path);
		free(s);
	}
	for (size_t i = 0; d->zx && i < d->nzones; i++)
		xfr_validator_free(d->zx[i].validator);
	free(d->zones);
	free(d->zx);
	free(d->timers);
	free(d->queue);
	free(d->workers);
	for (size_t i = 0; i < d->nreloaded; i++)
		conf_free(d->reloaded[i]);
	free(d->reloaded);
	if (d->loop)
		ev_loop_destroy(d->loop);
}

static void cookie_rotate_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)t;
	(void)revents;
	daemon_t *d = ev_userdata(loop);
	if (serve_cookies_rotate(d->cookies) != RODNS_OK)
		daemon_event(EV_CONFIG, NULL, NULL, 0,
			     "no randomness for a new cookie secret: the old one stays");
}

static int setup(daemon_t *d)
{
	d->nzones = d->conf->n_zones;
	d->zones = calloc(d->nzones ? d->nzones : 1, sizeof(*d->zones));
	d->timers = calloc(d->nzones ? d->nzones : 1, sizeof(*d->timers));
	d->queue = calloc(d->nzones ? d->nzones : 1, sizeof(*d->queue));
	d->zx = calloc(d->nzones ? d->nzones : 1, sizeof(*d->zx));
	d->nworkers = d->conf->server.workers ? d->conf->server.workers : 1;
	d->workers = calloc(d->nworkers, sizeof(*d->workers));
	d->loop = ev_loop_new(EVFLAG_AUTO);
	if (!d->zones || !d->timers || !d->queue || !d->zx || !d->workers || !d->loop)
		return -ENOMEM;
	ev_set_userdata(d->loop, d);
	/* as root: read the secrets and bind every socket; then drop root and
	 * open the stores as the user that will own them */
	char err[512];
	int rc = daemon_privs_check(&d->conf->server, err, sizeof(err));
	if (rc == RODNS_OK)
		rc = daemon_sessions_init(&d->sessions, d->conf, err, sizeof(err));
	if (rc != RODNS_OK) {
		daemon_event(EV_CONFIG, NULL, NULL, 0, "%s", err);
		return rc;
	}
	rc = bind_listeners(d);
	if (rc == RODNS_OK)
		rc = daemon_control_start(d, d->conf->server.control, &d->control);
	if (rc == RODNS_OK && d->conf->server.metrics_on)
		rc = daemon_metrics_start(d, &d->conf->server.metrics, &d->metrics);
	if (rc == RODNS_OK && (rc = daemon_privs_drop(&d->conf->server, err, sizeof(err))) != 0)
		daemon_event(EV_CONFIG, NULL, NULL, 0, "%s", err);
	for (size_t i = 0; rc == RODNS_OK && i < d->nzones; i++) {
		rc = zone_open(d, &d->zones[i], &d->conf->zones[i]);
		ev_init(&d->timers[i], timer_cb);
	}
	if (rc == RODNS_OK)
		rc = serve_listen_start(d->listen);
	if (rc == RODNS_OK)
		rc = daemon_watch_init(d);
	if (rc != RODNS_OK)
		return rc;
	ev_async_init(&d->wake, wake_cb);
	ev_async_start(d->loop, &d->wake);
	if (d->cookies) {
		/* a cookie made just before a rotation is still checked
		 * under the previous secret until the next one, so a client's
		 * cookie lives its full hour (RFC 9018 §4.3) */
		ev_timer_init(&d->cookie_rotate, cookie_rotate_cb, SERVE_COOKIE_MAX_AGE,
			      SERVE_COOKIE_MAX_AGE);
		ev_timer_start(d->loop, &d->cookie_rotate);
	}
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
	daemon_t d = {.conf = conf, .conf_path = conf_path, .active_fd = -1, .started = now_s()};
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
	configure_events(conf);
	int rc = setup(&d);
	pthread_sigmask(SIG_UNBLOCK, &ss, NULL);
	if (rc == RODNS_OK) {
		daemon_event(EV_DAEMON, NULL, NULL, 0, "rodnsd started: %zu zones, port %u",
			     d.nzones, serve_listen_port(d.listen));
		arm_timers(&d);
		/* standing conditions of the stored zones are raised at once */
		daemon_watch_fresh(&d, -1);
		ev_run(d.loop, 0);
	}
	teardown(&d);
	daemon_event(EV_DAEMON, NULL, NULL, 0, "rodnsd stopped");
	return rc == RODNS_OK ? 0 : 1;
}
