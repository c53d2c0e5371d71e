/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Signature expiry on the main loop: scans (store index lookups over the
 * loop's own read-only connections), the condition machine of expiry.c,
 * events, heals, and one timer per zone armed for the next instant at
 * which anything can change. See daemon_int.h. */
#include <stdlib.h>
#include <string.h>

#include "daemon/daemon_int.h"
#include "daemon/event.h"

static void watch_timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)revents;
	daemon_t *d = ev_userdata(loop);
	/* the timer is the first member of dzx_t */
	dzx_t *x = (dzx_t *)t;
	daemon_watch_scan(d, (size_t)(x - d->zx));
}

/* The read connection for path: shared by the zones of one store file. */
static int reader_for(daemon_t *d, const char *path, store_t **out)
{
	for (dstore_t *s = d->rstores; s; s = s->next)
		if (strcmp(s->path, path) == 0) {
			*out = s->w;
			return RODNS_OK;
		}
	dstore_t *s = calloc(1, sizeof(*s));
	if (!s)
		return RODNS_E_STORE;
	int rc = store_open(path, STORE_RDONLY, &s->w);
	if (rc != RODNS_OK) {
		daemon_event(EV_CONFIG, NULL, NULL, 0, "cannot open store %s for expiry scans: %s",
			     path, rodns_strerror(rc));
		free(s);
		return rc;
	}
	s->path = strdup(path);
	s->next = d->rstores;
	d->rstores = s;
	*out = s->w;
	return RODNS_OK;
}

int daemon_watch_init(daemon_t *d)
{
	for (size_t i = 0; i < d->nzones; i++) {
		dzx_t *x = &d->zx[i];
		ev_init(&x->timer, watch_timer_cb);
		int rc = reader_for(d, d->zones[i].cz->store, &x->rs);
		if (rc != RODNS_OK)
			return rc;
	}
	return RODNS_OK;
}

void daemon_watch_fini(daemon_t *d)
{
	for (size_t i = 0; i < d->nzones; i++)
		if (d->loop)
			ev_timer_stop(d->loop, &d->zx[i].timer);
	while (d->rstores) {
		dstore_t *s = d->rstores;
		d->rstores = s->next;
		store_close(s->w);
		free(s->path);
		free(s);
	}
}

/* libev timers run on the monotonic clock, RRSIG times on the wall
 * clock: a timer never reaches further than this, so that a step of the
 * wall clock is noticed within it. */
#define ARM_MAX (6 * 3600)

static void arm(daemon_t *d, dzx_t *x, int64_t at, int64_t now)
{
	ev_timer_stop(d->loop, &x->timer);
	if (at <= 0)
		return;
	int64_t delay = at - now > ARM_MAX ? ARM_MAX : at - now;
	/* RRSIG times are whole seconds: fire just after the second turns */
	ev_timer_set(&x->timer, (double)delay + 0.05, 0.);
	ev_timer_start(d->loop, &x->timer);
}

static void raise_events(dzone_t *z, const expiry_event_t *ev, size_t n, const expiry_summary_t *s,
			 const expiry_heal_t *h)
{
	expiry_msg_t m;
	for (size_t i = 0; i < n; i++) {
		daemon_expiry_format(&ev[i], s, h, &m);
		daemon_event(ev[i].id, z->cz->name_text, m.f, m.nf, "%s", m.msg);
	}
}

void daemon_watch_scan(daemon_t *d, size_t i)
{
	dzone_t *z = &d->zones[i];
	dzx_t *x = &d->zx[i];
	int64_t now = daemon_now();
	expiry_summary_t s = {0};
	expiry_inceptions_t inc;
	expiry_heal_t heal;
	bool healed, attempted;
	pthread_mutex_lock(&d->lock);
	s.window = daemon_zone_window_locked(z);
	s.expire_at = z->rf.state == XFR_EMPTY ? 0 : z->rf.expire_at;
	s.zone_state = z->rf.state;
	s.serial = z->rf.serial;
	inc = x->inc;
	healed = x->heal_done;
	attempted = x->attempt_done;
	heal = x->heal;
	x->heal_done = x->attempt_done = false;
	x->scan_wanted = false;
	pthread_mutex_unlock(&d->lock);
	int rc = s.zone_state == XFR_EMPTY ? RODNS_OK
					   : daemon_expiry_scan(x->rs, z->zone_id, now, &inc, &s);
	if (rc != RODNS_OK) {
		/* keep the last figures; try again in a minute */
		daemon_event(EV_CONFIG, z->cz->name_text, NULL, 0, "expiry scan failed: %s (%s)",
			     rodns_strerror(rc), store_errmsg(x->rs));
		arm(d, x, now + 60, now);
		return;
	}
	s.when = now;
	uint32_t repeat = d->conf->events.repeat;
	expiry_event_t ev[EXPIRY_MAX_EVENTS];
	bool want_heal = false;
	size_t n =
	    daemon_expiry_step(&x->st, &s, now, repeat, healed ? &heal : NULL, ev, &want_heal);
	x->sum = s;
	x->have_sum = true;
	x->level = daemon_expiry_level(&s);
	/* the last attempt's outcome also says what cleared a condition */
	raise_events(z, ev, n, &s, healed || attempted ? &heal : NULL);
	if (want_heal)
		daemon_request_heal(d, z);
	arm(d, x, daemon_expiry_next(&x->st, &s, now, repeat), now);
}

void daemon_watch_pending(daemon_t *d)
{
	for (size_t i = 0; i < d->nzones; i++) {
		pthread_mutex_lock(&d->lock);
		bool want = d->zx[i].scan_wanted;
		pthread_mutex_unlock(&d->lock);
		if (want)
			daemon_watch_scan(d, i);
	}
}

void daemon_watch_fresh(daemon_t *d, int64_t max_age)
{
	int64_t now = daemon_now();
	for (size_t i = 0; i < d->nzones; i++) {
		dzx_t *x = &d->zx[i];
		if (max_age < 0 || !x->have_sum || now - x->sum.when > max_age)
			daemon_watch_scan(d, i);
	}
}
