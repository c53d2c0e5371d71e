/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* rodnsd: the wiring. One libev loop on the main thread owns the zone
 * timers, signals and the control socket; query workers (serve/) run on
 * their own threads; transfers run on the transfer thread with its own
 * SQLite write connection, so a long AXFR never stalls queries. */
#ifndef RODNS_DAEMON_DAEMON_H
#define RODNS_DAEMON_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/conf.h"
#include "store/store.h"
#include "xfr/refresh.h"

typedef struct daemon daemon_t;

/* One configured zone at run time. */
typedef struct dzone {
	const conf_zone_t *cz;
	daemon_t *d;
	int64_t zone_id;
	store_t *ws;           /* writer connection (transfer thread only) */
	store_zone_t meta;     /* transfer thread only */
	xfr_clamps_t clamps;
	/* guarded by d->lock */
	xfr_refresh_t rf;
	bool queued;           /* waiting in the transfer queue */
	bool force_axfr;       /* operator asked for a full transfer */
	int primary;           /* index of the last primary that worked */
	/* read by query workers without the lock */
	volatile int state;    /* enum xfr_zone_state */
	volatile uint32_t serial;
	_Atomic int64_t expire_at; /* rf.expire_at as served (EDNS EXPIRE) */
} dzone_t;

/* Runs rodnsd with the loaded configuration until SIGTERM/SIGINT (or a
 * fatal error). Returns the process exit status. */
int daemon_run(conf_t *conf, const char *conf_path);

/* Zone lookup for query workers: the configured zone that is name or the
 * closest one above it; NULL when none. */
dzone_t *daemon_zone_for(daemon_t *d, const dns_name_t *name);

#endif
