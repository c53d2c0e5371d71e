/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Signature expiry: what a zone's RRSIGs look like now (the summary), and
 * which events that raises (the condition state machine).
 *
 * The state machine is pure: (state, now, summary, heal outcome) -> events
 * and whether to force a transfer, so tests drive it with a fake clock. The
 * scan that fills a summary is index lookups in the store (no zone walk);
 * the only walk, for not-yet-valid signatures, runs once per transfer
 * (daemon_expiry_inceptions) and its result is reused by every scan.
 *
 * Conditions, each raised on a change and repeated every `repeat` seconds
 * while it holds (never once per scan), each cleared by an event:
 *   signatures  1525 warning: the earliest RRSIG expires within the window
 *                 (max(expiry-warning, SOA refresh + retry)), or before the
 *                 zone's own SOA EXPIRE instant;
 *               1524 error: some RRSIG has expired;
 *               cleared by 1526.
 *   not valid   6529 warning: some RRSIG has its inception in the future;
 *                 cleared by 1526.
 *   zone        6527 error: SOA EXPIRE passed without a refresh; cleared by
 *                 6526.
 * When the earliest expiry enters the window the zone is healed: a refresh
 * at once which, the expiry being within the AXFR horizon, is a full
 * transfer even at an unchanged serial. The scan after that transfer says
 * in a 1526 (cured) or a new 1525/1524 (not cured) how it went.
 */
#ifndef RODNS_DAEMON_EXPIRY_H
#define RODNS_DAEMON_EXPIRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/event.h"
#include "store/store.h"

/* RRSIGs listed in a summary (the worst first). */
#define EXPIRY_WORST 10
/* Groups of future inceptions kept per zone. */
#define EXPIRY_INCEPTIONS 16

enum expiry_level { EXPIRY_OK = 0, EXPIRY_WARNING = 1, EXPIRY_ERROR = 2 };

/* Why a summary is not ok (bits). */
enum {
	EXPIRY_R_WINDOW = 1,	    /* earliest expiry within the warning window */
	EXPIRY_R_BEFORE_EXPIRE = 2, /* earliest expiry before the zone's SOA EXPIRE instant */
	EXPIRY_R_EXPIRED = 4,	    /* some RRSIG expired */
	EXPIRY_R_NOT_VALID = 8,	    /* some RRSIG's inception is in the future */
	EXPIRY_R_ZONE_EXPIRED = 16, /* the zone itself expired (SERVFAIL) */
};

/* Not-yet-valid signatures, from the last transfer's walk. */
typedef struct {
	bool valid;	/* the walk ran */
	uint64_t total; /* RRSIGs in the zone at that time */
	size_t n;
	store_inception_t g[EXPIRY_INCEPTIONS];
} expiry_inceptions_t;

/* One zone's figures at one instant. */
typedef struct {
	int64_t when;	   /* scan time */
	uint32_t window;   /* warning window used */
	int64_t expire_at; /* the zone's SOA EXPIRE instant (0: none) */
	int zone_state;	   /* enum xfr_zone_state */
	uint32_t serial;
	uint64_t rrsigs;	/* RRSIGs in the zone (as of the last transfer) */
	int64_t earliest;	/* earliest expiration; 0: no RRSIG */
	int64_t latest;		/* latest expiration; 0: no RRSIG */
	uint64_t expiring;	/* expiration in [when, when + window] */
	uint64_t expired;	/* expiration < when (RFC 4035 §5.3.1) */
	uint64_t not_valid;	/* inception > when */
	int64_t next_inception; /* earliest inception > when; 0: none */
	size_t nworst;
	store_sig_info_t worst[EXPIRY_WORST];
} expiry_summary_t;

/* The warning window of a zone: max(expiry_warning, refresh + retry). */
uint32_t daemon_expiry_window(uint32_t expiry_warning, uint32_t refresh, uint32_t retry);

/* Fills s from the store (index lookups, one read snapshot) and inc.
 * Caller sets s->window, s->expire_at, s->zone_state, s->serial first. */
int daemon_expiry_scan(store_t *st, int64_t zone_id, int64_t now, const expiry_inceptions_t *inc,
		       expiry_summary_t *s);

/* The walk behind not-yet-valid counts: once per transfer (see store.h). */
int daemon_expiry_inceptions(store_t *st, int64_t zone_id, int64_t now, expiry_inceptions_t *out);

/* Reason bits (EXPIRY_R_*) and overall level of a summary. */
unsigned daemon_expiry_reasons(const expiry_summary_t *s);
int daemon_expiry_level(const expiry_summary_t *s);
const char *daemon_expiry_level_name(int level);

/* The outcome of a heal (the forced transfer), reported by the transfer
 * thread. */
typedef struct {
	bool ok;	  /* the refresh succeeded */
	bool transferred; /* ... and applied a transfer */
	bool full;	  /* ... which was an AXFR */
	uint32_t serial;  /* serial after it */
	char primary[80]; /* "address@port" tried last */
	char reason[256]; /* why it failed */
} expiry_heal_t;

/* Per-zone condition state (zero-initialised = nothing raised). */
typedef struct {
	int sig_id;	    /* 0, 1525 or 1524: the signature condition raised */
	int64_t sig_at;	    /* when it was last raised */
	bool healing;	    /* a heal was asked for and has not reported */
	int64_t healed_for; /* the earliest expiry the last heal was for */
	bool nv;	    /* 6529 raised */
	int64_t nv_at;
	bool zexp; /* 6527 raised */
	int64_t zexp_at;
} expiry_state_t;

enum expiry_ev_kind {
	EXPIRY_EV_RAISE = 1, /* the condition started (or changed level) */
	EXPIRY_EV_REPEAT,    /* it still holds, `repeat` seconds later */
	EXPIRY_EV_CLEAR,     /* it ended */
};

enum expiry_heal_note {
	EXPIRY_HEAL_NONE = 0,
	EXPIRY_HEAL_FORCING,   /* a forced transfer was requested now */
	EXPIRY_HEAL_CURED,     /* the forced transfer cleared the condition */
	EXPIRY_HEAL_NOT_CURED, /* it ran, and the condition holds */
	EXPIRY_HEAL_FAILED,    /* it did not run through (the reason says why) */
	EXPIRY_HEAL_CONTEXT,   /* (text only) no heal: name the transfer, if any */
};

typedef struct {
	int id;	     /* 1524, 1525, 1526, 6526, 6527, 6529 */
	int kind;    /* enum expiry_ev_kind */
	int cleared; /* for CLEAR: the id that ended */
	int heal;    /* enum expiry_heal_note */
	unsigned reasons;
} expiry_event_t;

#define EXPIRY_MAX_EVENTS 6

/* One step of the condition machine at time now over summary s. heal is
 * the outcome of a forced transfer that finished since the last step
 * (NULL: none). Fills up to EXPIRY_MAX_EVENTS events into out and returns
 * their count; *want_heal is set when a forced transfer should start now. */
size_t daemon_expiry_step(expiry_state_t *st, const expiry_summary_t *s, int64_t now,
			  uint32_t repeat, const expiry_heal_t *heal, expiry_event_t *out,
			  bool *want_heal);

/* The next instant after now at which a step could raise, repeat or clear
 * something without a new transfer (a threshold crossing, an inception
 * passing, a repeat falling due); 0 when there is none. */
int64_t daemon_expiry_next(const expiry_state_t *st, const expiry_summary_t *s, int64_t now,
			   uint32_t repeat);

/* An event ready for daemon_event(): message and typed fields (the field
 * strings point into this struct). */
typedef struct {
	char msg[1024];
	daemon_field_t f[20];
	size_t nf;
	char owner[1024], type[16], exp_text[32], latest_text[32], expire_text[32];
	char condition[48], action[16], cured[8], primary[80], alg[8];
} expiry_msg_t;

/* Formats e from summary s and h: the heal's outcome, or the last
 * attempt's (which a clearing event names when it transferred); may be
 * NULL. */
void daemon_expiry_format(const expiry_event_t *e, const expiry_summary_t *s,
			  const expiry_heal_t *h, expiry_msg_t *m);

/* "2026-11-28T06:00:00Z" into buf (32 octets). */
const char *daemon_time_text(int64_t t, char *buf, size_t cap);
/* A duration for people: "1d23h", "5h12m", "42s" (negative: "-"). */
const char *daemon_span_text(int64_t secs, char *buf, size_t cap);

#endif
