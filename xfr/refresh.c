/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Refresh/retry/expire: see refresh.h. */
#include "xfr/refresh.h"

static uint32_t clamp(uint32_t v, uint32_t lo, uint32_t hi)
{
	if (v < lo)
		v = lo;
	if (hi != 0 && v > hi)
		v = hi;
	return v;
}

void xfr_refresh_init(xfr_refresh_t *z, int64_t now)
{
	*z = (xfr_refresh_t){.state = XFR_EMPTY, .next = now};
}

void xfr_refresh_clamp(const xfr_clamps_t *c, const xfr_soa_t *soa, xfr_soa_t *out)
{
	out->serial = soa->serial;
	out->refresh = clamp(soa->refresh, c->refresh_min, c->refresh_max);
	out->retry = clamp(soa->retry, c->retry_min, c->retry_max);
	if (out->retry > out->refresh)
		out->retry = out->refresh;
	uint32_t floor = out->refresh + out->retry;
	out->expire = clamp(soa->expire, c->expire_min, c->expire_max);
	if (out->expire < floor)
		out->expire = floor;
}

/* Shortens an interval by up to jitter_pct percent so that many zones with
 * the same timers do not all query their primary in the same second. */
static int64_t jittered(uint32_t interval, const xfr_clamps_t *c, uint32_t rnd)
{
	uint64_t span = (uint64_t)interval * (c->jitter_pct > 100 ? 100 : c->jitter_pct) / 100;
	uint64_t cut = span ? (uint64_t)rnd % (span + 1) : 0;
	int64_t v = (int64_t)interval - (int64_t)cut;
	return v < 1 ? 1 : v;
}

void xfr_refresh_start(xfr_refresh_t *z)
{
	z->running = true;
	z->notify_pending = false;
}

/* After an attempt: a NOTIFY that came in meanwhile makes the next one due now. */
static void settle(xfr_refresh_t *z, int64_t now)
{
	z->running = false;
	if (z->notify_pending) {
		z->notify_pending = false;
		z->next = now;
	}
}

void xfr_refresh_success(xfr_refresh_t *z, const xfr_clamps_t *c, const xfr_soa_t *soa,
			 bool transferred, bool full, int64_t now, uint32_t rnd)
{
	xfr_soa_t t;
	xfr_refresh_clamp(c, soa, &t);
	z->serial = t.serial;
	z->refresh = t.refresh;
	z->retry = t.retry;
	z->expire = t.expire;
	z->state = XFR_OK;
	z->failures = 0;
	z->last_ok = now;
	if (transferred && full)
		z->last_axfr = now;
	z->expire_at = now + (int64_t)t.expire;
	z->next = now + jittered(t.refresh, c, rnd);
	settle(z, now);
}

void xfr_refresh_cap_expire(xfr_refresh_t *z, int64_t seconds, int64_t now)
{
	if (seconds < 0 || z->state != XFR_OK)
		return;
	if (now + seconds < z->expire_at)
		z->expire_at = now + seconds;
}

void xfr_refresh_failure(xfr_refresh_t *z, const xfr_clamps_t *c, int64_t now, uint32_t rnd)
{
	z->failures++;
	/* With nothing stored yet there is no SOA retry value: use the clamp. */
	uint32_t retry = z->state == XFR_EMPTY ? clamp(c->retry_min, 1, 0) : z->retry;
	if (retry == 0)
		retry = 1;
	z->next = now + jittered(retry, c, rnd);
	settle(z, now);
}

void xfr_refresh_notify(xfr_refresh_t *z, int64_t now)
{
	if (z->running) {
		z->notify_pending = true;
		return;
	}
	if (z->next > now)
		z->next = now;
}

void xfr_refresh_bound_next(xfr_refresh_t *z, const xfr_clamps_t *c, int64_t now)
{
	if (z->state != XFR_EMPTY && c->refresh_max != 0 &&
	    z->next > z->last_ok + (int64_t)c->refresh_max)
		z->next = z->last_ok + (int64_t)c->refresh_max;
	if (z->refresh > c->refresh_max && c->refresh_max != 0)
		z->refresh = c->refresh_max;
	if (z->next < now)
		z->next = now;
}

bool xfr_refresh_check_expiry(xfr_refresh_t *z, int64_t now)
{
	if (z->state != XFR_OK || z->expire_at == 0 || now < z->expire_at)
		return false;
	z->state = XFR_EXPIRED;
	return true;
}

int64_t xfr_refresh_next(const xfr_refresh_t *z)
{
	if (z->state == XFR_OK && z->expire_at != 0 && z->expire_at < z->next)
		return z->expire_at;
	return z->next;
}

int xfr_refresh_force_axfr(const xfr_refresh_t *z, const xfr_clamps_t *c,
			   int64_t earliest_sig_exp, int64_t now)
{
	if (z->state == XFR_EMPTY)
		return XFR_FORCE_FULL;
	if (c->force_axfr_interval != 0 && now - z->last_axfr >= (int64_t)c->force_axfr_interval)
		return XFR_FORCE_FULL;
	if (earliest_sig_exp == 0)
		return XFR_FORCE_NONE;
	int64_t horizon = c->sig_horizon ? c->sig_horizon : z->refresh;
	return earliest_sig_exp <= now + horizon ? XFR_FORCE_SIGS : XFR_FORCE_NONE;
}
