/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Private to daemon/: the daemon's state, shared by daemon.c (zones, the
 * transfer thread, timers), watch.c (signature expiry on the main loop),
 * control.c (the rodnsctl socket) and metrics.c (Prometheus).
 *
 * Threads and who owns what:
 *   main loop   timers, signals, the expiry state and summaries (zx[i].st,
 *               .sum), the control and metrics sockets, its own read-only
 *               store connections (zx[i].rs);
 *   transfer    the writer connections and zone metadata (zones[i].meta);
 *   d->lock     zones[i].rf and the hand-over fields of zx[i] marked so;
 *   atomics     counters (any thread increments, the main loop reads).
 */
#ifndef RODNS_DAEMON_DAEMON_INT_H
#define RODNS_DAEMON_DAEMON_INT_H

#include <ev.h>
#include <pthread.h>
#include <stdatomic.h>

#include "daemon/connect.h"
#include "daemon/daemon.h"
#include "daemon/expiry.h"
#include "daemon/json.h"
#include "xfr/validate.h"
#include "serve/answer.h"
#include "serve/cache.h"
#include "serve/listen.h"
#include "serve/query.h"

typedef struct daemon_control daemon_control_t;
typedef struct daemon_metrics daemon_metrics_t;

typedef struct dstore {
	char *path;
	store_t *w;
	struct dstore *next;
} dstore_t;

/* rodns_xfr_total labels. */
enum { XK_SOA, XK_IXFR, XK_AXFR, XK__N };
enum { XR_SUCCESS, XR_FAILURE, XR__N };
#define XT__N 3 /* conf_transport_t: tcp, tls, ipsec */

/* Per-zone state beyond dzone_t (same index as d->zones). */
typedef struct {
	/* main loop only */
	ev_timer timer; /* the next interesting expiry instant */
	store_t *rs;	/* read-only connection for scans */
	expiry_state_t st;
	expiry_summary_t sum; /* the last scan */
	bool have_sum;
	int level; /* enum expiry_level of the last scan */
	/* guarded by d->lock */
	bool scan_wanted;	 /* an attempt finished: scan soon */
	bool heal_requested;	 /* the next attempt is a heal */
	bool heal_done;		 /* ... and it reported into heal */
	bool attempt_done;	 /* an attempt reported into heal (heal or not) */
	expiry_heal_t heal;	 /* the last attempt's outcome */
	expiry_inceptions_t inc; /* from the last transfer */
	/* any thread */
	/* serve_zone_t.gen: +2 whenever what the zone serves changes (state,
	 * serial, reload); odd while a transfer may commit (answers are then
	 * not cached). Written by the transfer and main threads, read by the
	 * query workers. */
	_Atomic uint64_t gen;
	_Atomic uint64_t xfr[XK__N][XT__N][XR__N];
	_Atomic uint64_t pruned;
	/* per reason (source not allowed, not through the tunnel) */
	_Atomic int64_t notify_refused_at[2];     /* last 6528 logged */
	_Atomic uint64_t notify_refused_quiet[2]; /* refused since, not logged */
	/* transfer thread only */
	xfr_validator_t *validator; /* zones with `validate: yes` */
} dzx_t;

/* rodns_queries_total{rcode,proto}: per worker, summed when scraped. */
#define QRC__N 17 /* rcodes 0..15, then "dropped" */
typedef struct {
	daemon_t *d;
	serve_ctx_t **ctx; /* same index as d->zones */
	serve_cache_t *cache; /* NULL: server.answer-cache is 0 */
	_Atomic uint64_t q[QRC__N][2];
	/* the cache's figures, copied by the worker's tick for the metrics */
	_Atomic uint64_t cache_hits, cache_misses, cache_evictions, cache_bytes, cache_entries;
	_Atomic uint64_t cache_rejected;
} dworker_t;

struct daemon {
	conf_t *conf;
	/* configurations loaded by reloads: kept (a transfer may still read
	 * an old one) and freed at exit; the first belongs to the caller */
	conf_t **reloaded;
	size_t nreloaded;
	const char *conf_path;
	struct ev_loop *loop;
	ev_signal sig_term, sig_int, sig_hup;
	ev_async wake;
	ev_timer *timers; /* one per zone, same index */
	dzone_t *zones;
	dzx_t *zx;
	size_t nzones;
	dstore_t *stores;  /* writers, per store file */
	dstore_t *rstores; /* the main loop's readers, per store file */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	dzone_t **queue;
	size_t qhead, qlen;
	bool quit;
	int active_fd; /* socket of the running transfer, for SIGTERM */
	pthread_t xthr;
	serve_listen_t *listen;
	serve_query_ops_t qops;
	serve_cookies_t *cookies; /* server.cookies; NULL: off */
	serve_rrl_t *rrl;         /* server.rrl; NULL: off */
	ev_timer cookie_rotate;   /* a new cookie secret every SERVE_COOKIE_MAX_AGE */
	daemon_sessions_t sessions;
	int64_t started;
	/* query workers, for the counters (guarded by lock) */
	dworker_t **workers;
	size_t nworkers;
	daemon_control_t *control;
	daemon_metrics_t *metrics;
};

static inline dzx_t *daemon_zx(daemon_t *d, const dzone_t *z)
{
	return &d->zx[z - d->zones];
}

/* daemon.c */
int64_t daemon_now(void);
/* Asks for a refresh of z now (axfr: a full transfer even at an unchanged
 * serial), as a NOTIFY would. */
void daemon_request_refresh(daemon_t *d, dzone_t *z, bool axfr);
/* A heal: a refresh now whose outcome is reported back to watch.c. */
void daemon_request_heal(daemon_t *d, dzone_t *z);
/* What SIGHUP and SIGTERM do. daemon_reload returns RODNS_OK, or an
 * error with the configuration's problems in err (the old one stays). */
int daemon_reload(daemon_t *d, char *err, size_t cap);
void daemon_stop(daemon_t *d);
/* The zone's warning window now. Caller holds d->lock. */
uint32_t daemon_zone_window_locked(const dzone_t *z);
/* The configured zone called text (presentation form, final dot optional). */
dzone_t *daemon_zone_by_text(daemon_t *d, const char *text);

/* watch.c: signature expiry on the main loop. */
int daemon_watch_init(daemon_t *d);
void daemon_watch_fini(daemon_t *d);
/* Scans zone i now (store lookups), raises what changed, re-arms its timer. */
void daemon_watch_scan(daemon_t *d, size_t i);
/* Scans the zones whose transfer attempts finished (after the wake-up). */
void daemon_watch_pending(daemon_t *d);
/* Scans every zone whose last scan is older than max_age seconds. */
void daemon_watch_fresh(daemon_t *d, int64_t max_age);

/* control.c: the rodnsctl socket. */
int daemon_control_start(daemon_t *d, const char *path, daemon_control_t **out);
void daemon_control_stop(daemon_control_t *c);

/* metrics.c: the Prometheus endpoint. */
int daemon_metrics_start(daemon_t *d, const conf_addr_t *addr, daemon_metrics_t **out);
void daemon_metrics_stop(daemon_metrics_t *m);
/* The exposition text of every metric into b (also for tests). */
void daemon_metrics_render(daemon_t *d, dbuf_t *b);

#endif
