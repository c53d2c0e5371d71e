/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Signature expiry: summaries, the condition state machine, event text.
 * See expiry.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon/expiry.h"
#include "dns/err.h"
#include "xfr/refresh.h"

uint32_t daemon_expiry_window(uint32_t expiry_warning, uint32_t refresh, uint32_t retry)
{
	uint64_t soa = (uint64_t)refresh + retry;
	if (soa > UINT32_MAX)
		soa = UINT32_MAX;
	return expiry_warning > soa ? expiry_warning : (uint32_t)soa;
}

/* RRSIG times are 32-bit; store_rrsig_count_before takes them as such. */
static uint32_t t32(int64_t t)
{
	return t < 0 ? 0 : t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

static void apply_inceptions(const expiry_inceptions_t *inc, int64_t now, expiry_summary_t *s)
{
	if (!inc || !inc->valid)
		return;
	s->rrsigs = inc->total;
	for (size_t i = 0; i < inc->n; i++) {
		if (inc->g[i].inception <= now)
			continue;
		s->not_valid += inc->g[i].count;
		if (!s->next_inception || inc->g[i].inception < s->next_inception)
			s->next_inception = inc->g[i].inception;
	}
}

int daemon_expiry_scan(store_t *st, int64_t zone_id, int64_t now, const expiry_inceptions_t *inc,
		       expiry_summary_t *s)
{
	s->when = now;
	s->rrsigs = s->expiring = s->expired = s->not_valid = 0;
	s->earliest = s->latest = s->next_inception = 0;
	s->nworst = 0;
	apply_inceptions(inc, now, s);
	int rc = store_read_begin(st);
	if (rc == RODNS_OK)
		rc = store_rrsig_worst(st, zone_id, s->worst, EXPIRY_WORST, &s->nworst);
	if (rc == RODNS_OK && s->nworst > 0) {
		uint64_t upto = 0;
		s->earliest = s->worst[0].expiration;
		rc = store_rrsig_latest(st, zone_id, &s->latest);
		if (rc == RODNS_OK)
			rc = store_rrsig_count_before(st, zone_id, t32(now), &s->expired);
		if (rc == RODNS_OK)
			rc = store_rrsig_count_before(st, zone_id,
						      t32(now + (int64_t)s->window + 1), &upto);
		s->expiring = upto > s->expired ? upto - s->expired : 0;
	}
	store_read_end(st);
	return rc;
}

int daemon_expiry_inceptions(store_t *st, int64_t zone_id, int64_t now, expiry_inceptions_t *out)
{
	expiry_inceptions_t t = {0};
	int rc = store_rrsig_inceptions(st, zone_id, now, t.g, EXPIRY_INCEPTIONS, &t.n, &t.total);
	if (rc == RODNS_OK) {
		t.valid = true;
		*out = t;
	}
	return rc;
}

unsigned daemon_expiry_reasons(const expiry_summary_t *s)
{
	unsigned r = 0;
	if (s->earliest) {
		if (s->expired)
			r |= EXPIRY_R_EXPIRED;
		if (s->earliest <= s->when + (int64_t)s->window)
			r |= EXPIRY_R_WINDOW;
		if (s->expire_at && s->earliest < s->expire_at)
			r |= EXPIRY_R_BEFORE_EXPIRE;
	}
	if (s->not_valid)
		r |= EXPIRY_R_NOT_VALID;
	if (s->zone_state == XFR_EXPIRED)
		r |= EXPIRY_R_ZONE_EXPIRED;
	return r;
}

int daemon_expiry_level(const expiry_summary_t *s)
{
	unsigned r = daemon_expiry_reasons(s);
	if (r & (EXPIRY_R_EXPIRED | EXPIRY_R_ZONE_EXPIRED))
		return EXPIRY_ERROR;
	if (r)
		return EXPIRY_WARNING;
	return EXPIRY_OK;
}

const char *daemon_expiry_level_name(int level)
{
	return level == EXPIRY_ERROR ? "error" : level == EXPIRY_WARNING ? "warning" : "ok";
}

/* ---- the condition machine ---------------------------------------------- */

static void put(expiry_event_t *out, size_t *n, int id, int kind, int cleared, int heal,
		unsigned reasons)
{
	if (*n < EXPIRY_MAX_EVENTS)
		out[(*n)++] = (expiry_event_t){id, kind, cleared, heal, reasons};
}

/* A two-state condition (raised or not) with its repeat. */
static void flag_step(bool now_on, bool *on, int64_t *at, int64_t now, uint32_t repeat, int id,
		      int clear_id, unsigned r, expiry_event_t *out, size_t *n)
{
	if (now_on != *on) {
		put(out, n, now_on ? id : clear_id, now_on ? EXPIRY_EV_RAISE : EXPIRY_EV_CLEAR,
		    now_on ? 0 : id, EXPIRY_HEAL_NONE, r);
		*on = now_on;
		*at = now;
	} else if (now_on && repeat && now - *at >= (int64_t)repeat) {
		put(out, n, id, EXPIRY_EV_REPEAT, 0, EXPIRY_HEAL_NONE, r);
		*at = now;
	}
}

static int heal_note(const expiry_heal_t *h, int want)
{
	if (!h->ok)
		return EXPIRY_HEAL_FAILED;
	return want ? EXPIRY_HEAL_NOT_CURED : EXPIRY_HEAL_CURED;
}

/* The signature condition: 0, 1525 or 1524, with the heal's outcome. */
static void sig_step(expiry_state_t *st, unsigned r, int64_t now, uint32_t repeat,
		     const expiry_heal_t *heal, expiry_event_t *out, size_t *n)
{
	int want = (r & EXPIRY_R_EXPIRED)			      ? EV_RRSIG_EXPIRED
		   : (r & (EXPIRY_R_WINDOW | EXPIRY_R_BEFORE_EXPIRE)) ? EV_RRSIG_EXPIRING
								      : 0;
	int note = EXPIRY_HEAL_NONE;
	if (heal && st->healing) {
		st->healing = false;
		note = heal_note(heal, want);
	}
	if (want != st->sig_id) {
		/* an error that eases to a warning is cleared, then the warning raised */
		if (st->sig_id && (want == 0 || st->sig_id == EV_RRSIG_EXPIRED))
			put(out, n, EV_RRSIG_CLEARED, EXPIRY_EV_CLEAR, st->sig_id,
			    want == 0 ? note : EXPIRY_HEAL_NONE, r);
		if (want)
			put(out, n, want, EXPIRY_EV_RAISE, 0, note, r);
		st->sig_id = want;
		st->sig_at = now;
	} else if (want && note != EXPIRY_HEAL_NONE) {
		/* the heal's outcome is news even at the same level */
		put(out, n, want, EXPIRY_EV_RAISE, 0, note, r);
		st->sig_at = now;
	} else if (want && repeat && now - st->sig_at >= (int64_t)repeat) {
		put(out, n, want, EXPIRY_EV_REPEAT, 0, EXPIRY_HEAL_NONE, r);
		st->sig_at = now;
	}
}

size_t daemon_expiry_step(expiry_state_t *st, const expiry_summary_t *s, int64_t now,
			  uint32_t repeat, const expiry_heal_t *heal, expiry_event_t *out,
			  bool *want_heal)
{
	size_t n = 0;
	unsigned r = daemon_expiry_reasons(s);
	*want_heal = false;
	sig_step(st, r, now, repeat, heal, out, &n);
	/* Heal once per signature set that enters the window: a refresh now,
	 * which the AXFR horizon turns into a full transfer. Not for an
	 * expired zone: its primaries are unreachable anyway. */
	if ((r & EXPIRY_R_WINDOW) && !st->healing && st->healed_for != s->earliest &&
	    s->zone_state == XFR_OK) {
		*want_heal = true;
		st->healing = true;
		st->healed_for = s->earliest;
		for (size_t i = 0; i < n; i++)
			if (out[i].kind == EXPIRY_EV_RAISE && out[i].heal == EXPIRY_HEAL_NONE)
				out[i].heal = EXPIRY_HEAL_FORCING;
	}
	flag_step(r & EXPIRY_R_NOT_VALID, &st->nv, &st->nv_at, now, repeat, EV_RRSIG_NOT_VALID,
		  EV_RRSIG_CLEARED, r, out, &n);
	flag_step(r & EXPIRY_R_ZONE_EXPIRED, &st->zexp, &st->zexp_at, now, repeat, EV_ZONE_EXPIRED,
		  EV_ZONE_RECOVERED, r, out, &n);
	return n;
}

static void consider(int64_t *best, int64_t t, int64_t now)
{
	if (t > now && (*best == 0 || t < *best))
		*best = t;
}

static void consider_repeat(int64_t *best, bool on, int64_t at, uint32_t repeat, int64_t now)
{
	if (on && repeat) {
		int64_t t = at + (int64_t)repeat;
		consider(best, t > now ? t : now + 1, now);
	}
}

int64_t daemon_expiry_next(const expiry_state_t *st, const expiry_summary_t *s, int64_t now,
			   uint32_t repeat)
{
	int64_t best = 0;
	if (s->earliest) {
		consider(&best, s->earliest - (int64_t)s->window, now); /* enters the window */
		consider(&best, s->earliest + 1, now);			/* has expired */
	}
	consider(&best, s->next_inception, now);
	consider_repeat(&best, st->sig_id != 0, st->sig_at, repeat, now);
	consider_repeat(&best, st->nv, st->nv_at, repeat, now);
	consider_repeat(&best, st->zexp, st->zexp_at, repeat, now);
	return best;
}

/* ---- text ----------------------------------------------------------------- */

const char *daemon_time_text(int64_t t, char *buf, size_t cap)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!gmtime_r(&tt, &tm) || strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, cap, "@%" PRId64, t);
	return buf;
}

const char *daemon_span_text(int64_t secs, char *buf, size_t cap)
{
	const char *sign = secs < 0 ? "-" : "";
	uint64_t v = secs < 0 ? (uint64_t)(-secs) : (uint64_t)secs;
	uint64_t d = v / 86400, h = v % 86400 / 3600, m = v % 3600 / 60, s = v % 60;
	/* the two largest units, the second left out when it is zero */
	uint64_t big = d ? d : h ? h : m ? m : s, small = d ? h : h ? m : m ? s : 0;
	const char *u1 = d ? "d" : h ? "h" : m ? "m" : "s", *u2 = d ? "h" : h ? "m" : "s";
	if (small)
		snprintf(buf, cap, "%s%" PRIu64 "%s%" PRIu64 "%s", sign, big, u1, small, u2);
	else
		snprintf(buf, cap, "%s%" PRIu64 "%s", sign, big, u1);
	return buf;
}

/* Appends printf text to m->msg. */
__attribute__((format(printf, 2, 3))) static void say(expiry_msg_t *m, const char *fmt, ...)
{
	size_t o = strlen(m->msg);
	va_list ap;
	va_start(ap, fmt);
	if (o < sizeof(m->msg))
		vsnprintf(m->msg + o, sizeof(m->msg) - o, fmt, ap);
	va_end(ap);
}

static void field(expiry_msg_t *m, daemon_field_t f)
{
	if (m->nf < sizeof(m->f) / sizeof(m->f[0]))
		m->f[m->nf++] = f;
}

static void conditions_text(unsigned r, char *buf, size_t cap)
{
	static const char *const names[] = {"window", "before-expire", "expired", "not-valid",
					    "zone-expired"};
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < 5; i++)
		if (r & (1u << i) && o < cap)
			o += (size_t)snprintf(buf + o, cap - o, "%s%s", o ? "," : "", names[i]);
}

/* The text parts that describe the worst RRSIG. */
static void worst_text(const expiry_summary_t *s, expiry_msg_t *m)
{
	const store_sig_info_t *w = &s->worst[0];
	if (dns_name_to_text(&w->owner, m->owner, sizeof(m->owner)) < 0)
		snprintf(m->owner, sizeof(m->owner), "?");
	dns_type_name(w->covered, m->type, sizeof(m->type));
	daemon_time_text(w->expiration, m->exp_text, sizeof(m->exp_text));
	daemon_time_text(s->latest, m->latest_text, sizeof(m->latest_text));
}

/* ... and the fields. */
static void worst_fields(const expiry_summary_t *s, expiry_msg_t *m)
{
	const store_sig_info_t *w = &s->worst[0];
	worst_text(s, m);
	field(m, EVF_S("owner", m->owner));
	field(m, EVF_S("type", m->type));
	field(m, EVF_N("key_tag", w->keytag));
	field(m, EVF_N("algorithm", w->alg));
	field(m, EVF_S("expires", m->exp_text));
	field(m, EVF_N("expires_unix", w->expiration));
	field(m, EVF_N("expires_in", w->expiration - s->when));
	field(m, EVF_S("latest", m->latest_text));
}

static void heal_text(int note, const expiry_heal_t *h, expiry_msg_t *m)
{
	if (note == EXPIRY_HEAL_NONE)
		return;
	if (note == EXPIRY_HEAL_CONTEXT) {
		if (h && h->transferred)
			say(m, " after a %s from %s (serial %u)",
			    h->full ? "full transfer" : "transfer", h->primary, h->serial);
		return;
	}
	if (note == EXPIRY_HEAL_FORCING) {
		snprintf(m->action, sizeof(m->action), "axfr");
		field(m, EVF_S("action", m->action));
		say(m, "; forcing a full transfer (AXFR) to pick up fresh signatures");
		return;
	}
	snprintf(m->cured, sizeof(m->cured), "%s", note == EXPIRY_HEAL_CURED ? "yes" : "no");
	field(m, EVF_S("cured", m->cured));
	if (h) {
		snprintf(m->primary, sizeof(m->primary), "%s", h->primary);
		field(m, EVF_S("primary", m->primary));
	}
	if (note == EXPIRY_HEAL_FAILED)
		say(m, "; the forced full transfer failed: %s", h ? h->reason : "?");
	else if (note == EXPIRY_HEAL_NOT_CURED)
		say(m,
		    "; a forced full transfer from %s (serial %u) did not cure it: the primary "
		    "serves these signatures, re-sign the zone there",
		    h ? h->primary : "?", h ? h->serial : 0);
	else
		say(m, " after a forced full transfer from %s (serial %u)", h ? h->primary : "?",
		    h ? h->serial : 0);
}

static void sig_text(const expiry_event_t *e, const expiry_summary_t *s, const expiry_heal_t *h,
		     expiry_msg_t *m)
{
	char span[32], win[32];
	const store_sig_info_t *w = &s->worst[0];
	const char *again = e->kind == EXPIRY_EV_REPEAT ? "still: " : "";
	if (e->id == EV_RRSIG_EXPIRED) {
		say(m, "%s%" PRIu64 " RRSIGs have expired; the first, %s/%s key %u, at %s (%s ago)",
		    again, s->expired, m->owner, m->type, w->keytag, m->exp_text,
		    daemon_span_text(s->when - w->expiration, span, sizeof(span)));
	} else {
		say(m, "%sRRSIG %s/%s key %u expires %s (in %s)", again, m->owner, m->type,
		    w->keytag, m->exp_text,
		    daemon_span_text(w->expiration - s->when, span, sizeof(span)));
		if (e->reasons & EXPIRY_R_WINDOW)
			say(m, ", within the %s warning window (%" PRIu64 " RRSIGs expire in it)",
			    daemon_span_text(s->window, win, sizeof(win)), s->expiring);
		else
			say(m,
			    ", before the zone's SOA EXPIRE at %s: cut off from its primaries, "
			    "this replica would serve expired signatures",
			    m->expire_text);
	}
	heal_text(e->heal, h, m);
}

static void clear_text(const expiry_event_t *e, const expiry_summary_t *s, const expiry_heal_t *h,
		       expiry_msg_t *m)
{
	char span[32];
	field(m, EVF_N("cleared", e->cleared));
	if (e->cleared == EV_RRSIG_NOT_VALID) {
		say(m, "no RRSIG has its inception in the future any more");
		return;
	}
	if (!s->nworst) {
		say(m, "signature expiry %s cleared: the zone holds no RRSIG now",
		    e->cleared == EV_RRSIG_EXPIRED ? "error" : "warning");
		return;
	}
	say(m,
	    "signature expiry %s cleared: the earliest RRSIG, %s/%s key %u, now expires %s "
	    "(in %s)",
	    e->cleared == EV_RRSIG_EXPIRED ? "error" : "warning", m->owner, m->type,
	    s->worst[0].keytag, m->exp_text,
	    daemon_span_text(s->worst[0].expiration - s->when, span, sizeof(span)));
	heal_text(e->heal == EXPIRY_HEAL_NONE ? EXPIRY_HEAL_CONTEXT : e->heal, h, m);
}

void daemon_expiry_format(const expiry_event_t *e, const expiry_summary_t *s,
			  const expiry_heal_t *h, expiry_msg_t *m)
{
	char span[32];
	memset(m, 0, sizeof(*m));
	daemon_time_text(s->expire_at, m->expire_text, sizeof(m->expire_text));
	conditions_text(e->reasons, m->condition, sizeof(m->condition));
	/* the worst RRSIG belongs to the signature events only */
	bool sig = e->id == EV_RRSIG_EXPIRED || e->id == EV_RRSIG_EXPIRING ||
		   (e->id == EV_RRSIG_CLEARED && e->cleared != EV_RRSIG_NOT_VALID);
	if (s->nworst && sig)
		worst_fields(s, m);
	else if (s->nworst)
		worst_text(s, m);
	switch (e->id) {
	case EV_RRSIG_EXPIRED:
	case EV_RRSIG_EXPIRING:
		sig_text(e, s, h, m);
		break;
	case EV_RRSIG_CLEARED:
		clear_text(e, s, h, m);
		break;
	case EV_RRSIG_NOT_VALID:
		say(m,
		    "%s%" PRIu64 " RRSIGs are not valid yet (inception in the future, the next "
		    "in %s): the primary's clock or this host's is off",
		    e->kind == EXPIRY_EV_REPEAT ? "still: " : "", s->not_valid,
		    daemon_span_text(s->next_inception - s->when, span, sizeof(span)));
		break;
	case EV_ZONE_EXPIRED:
		say(m, "%sSOA EXPIRE passed at %s without a successful refresh: answering SERVFAIL",
		    e->kind == EXPIRY_EV_REPEAT ? "still: " : "", m->expire_text);
		break;
	case EV_ZONE_RECOVERED:
		say(m, "zone refreshed: serving serial %u again", s->serial);
		break;
	default:
		say(m, "expiry event %d", e->id);
	}
	if (e->kind == EXPIRY_EV_REPEAT)
		field(m, EVF_N("repeat", 1));
	field(m, EVF_S("condition", m->condition));
	field(m, EVF_N("expiring", s->expiring));
	field(m, EVF_N("expired", s->expired));
	field(m, EVF_N("not_valid", s->not_valid));
	field(m, EVF_N("window", s->window));
	if (s->expire_at)
		field(m, EVF_S("zone_expire_at", m->expire_text));
	field(m, EVF_N("serial", s->serial));
}
