/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The refresh/retry/expire state machine of one zone (RFC 1034 §4.3.5,
 * RFC 1996), as pure functions of (state, now, input). No clock, no I/O:
 * the daemon feeds it the time and the outcome of each attempt and arms one
 * timer for xfr_refresh_next(). */
#ifndef RODNS_XFR_REFRESH_H
#define RODNS_XFR_REFRESH_H

#include <stdbool.h>
#include <stdint.h>

/* Operator bounds on the primary's SOA timers (like NSD's and Knot's
 * min/max-refresh-interval). A zero max means "no upper bound". */
typedef struct {
	uint32_t refresh_min, refresh_max;
	uint32_t retry_min, retry_max;
	uint32_t expire_min, expire_max;
	uint32_t jitter_pct;          /* refresh and retry are shortened by up to this % */
	uint32_t force_axfr_interval; /* 0: never force AXFR on age alone */
	uint32_t sig_horizon;         /* force AXFR when an RRSIG expires within this (0: refresh) */
} xfr_clamps_t;

enum xfr_zone_state {
	XFR_EMPTY = 0,   /* never transferred: keep trying at the retry interval */
	XFR_OK = 1,      /* serving */
	XFR_EXPIRED = 2, /* EXPIRE passed without a successful refresh: SERVFAIL */
};

typedef struct {
	int state;             /* enum xfr_zone_state */
	uint32_t serial;       /* serial being served */
	uint32_t refresh;      /* clamped SOA timers of that serial */
	uint32_t retry;
	uint32_t expire;
	int64_t last_ok;       /* last successful refresh (up to date, or transfer applied) */
	int64_t last_axfr;     /* last full transfer applied */
	int64_t expire_at;     /* last_ok + expire (0 while empty) */
	int64_t next;          /* when to query the primary next */
	uint32_t failures;     /* consecutive failed attempts */
	bool notify_pending;   /* a NOTIFY arrived while an attempt was running */
	bool running;          /* an attempt is in progress */
} xfr_refresh_t;

/* The SOA timer fields that matter here. */
typedef struct {
	uint32_t serial, refresh, retry, expire;
} xfr_soa_t;

/* Fresh state for a configured zone with nothing stored: due at once. */
void xfr_refresh_init(xfr_refresh_t *z, int64_t now);

/* Clamps one SOA's timers per c (retry is also kept <= refresh, and expire
 * >= refresh + retry, RFC 1912 §2.2). */
void xfr_refresh_clamp(const xfr_clamps_t *c, const xfr_soa_t *soa, xfr_soa_t *out);

/* An attempt starts (SOA query sent). */
void xfr_refresh_start(xfr_refresh_t *z);

/* The attempt succeeded: either the primary's serial equals ours (nothing
 * to do) or a transfer to soa->serial was applied (transferred = true;
 * full = it was an AXFR). rnd is any random 32-bit value for the jitter. */
void xfr_refresh_success(xfr_refresh_t *z, const xfr_clamps_t *c, const xfr_soa_t *soa,
			 bool transferred, bool full, int64_t now, uint32_t rnd);

/* The attempt failed (every primary): retry after the retry interval, with
 * the same jitter. The zone stays served until expire_at. */
/* RFC 7314 §4: after a successful refresh from a primary that answered
 * EDNS EXPIRE with seconds, our copy expires no later than that primary's
 * (a branch of a hub never outlives the hub's copy). Only ever shortens. */
void xfr_refresh_cap_expire(xfr_refresh_t *z, int64_t seconds, int64_t now);

void xfr_refresh_failure(xfr_refresh_t *z, const xfr_clamps_t *c, int64_t now, uint32_t rnd);

/* A NOTIFY (or an operator's refresh) for this zone: the next attempt is
 * due now; while an attempt runs, one more follows it (bursts coalesce). */
void xfr_refresh_notify(xfr_refresh_t *z, int64_t now);

/* After the clamps changed (reload) or timers were restored from the store:
 * the next attempt is never later than refresh-max after the last success,
 * and never in the past. */
void xfr_refresh_bound_next(xfr_refresh_t *z, const xfr_clamps_t *c, int64_t now);

/* Applies expiry: returns true when this call moved the zone to EXPIRED. */
bool xfr_refresh_check_expiry(xfr_refresh_t *z, int64_t now);

/* When the daemon must next look at this zone: the earlier of the next
 * attempt and the expiry instant. */
int64_t xfr_refresh_next(const xfr_refresh_t *z);

/* What kind of transfer the next attempt needs beyond the ordinary
 * "IXFR when the primary's serial is newer". */
enum xfr_force {
	XFR_FORCE_NONE = 0,
	/* AXFR whatever the serials say: nothing stored, or the
	 * force-axfr-interval has passed since the last full transfer */
	XFR_FORCE_FULL,
	/* signatures expire within the horizon: if the primary's serial did
	 * not change, fetch the zone anyway (AXFR) — the signer may have
	 * re-signed without a serial bump; a newer serial is fetched as usual
	 * (IXFR), and the next unchanged refresh fetches again if the
	 * signatures are still close to expiry */
	XFR_FORCE_SIGS,
};

/* earliest_sig_exp: Unix time of the zone's earliest RRSIG expiration, 0
 * when it has none. The horizon is c->sig_horizon, or the refresh interval
 * when that is 0. */
int xfr_refresh_force_axfr(const xfr_refresh_t *z, const xfr_clamps_t *c,
			   int64_t earliest_sig_exp, int64_t now);

#endif
