/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The event hook: a command run per event on a dedicated thread, so that a
 * slow or stuck hook never blocks the daemon. Used by event.c only; the
 * contract users see is in event.h and docs/events.md. */
#ifndef RODNS_DAEMON_HOOK_H
#define RODNS_DAEMON_HOOK_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/event.h"

/* Sets (or, with path NULL, removes) the hook command; starts the thread on
 * first use. Returns 0 or a negative errno. */
int daemon_hook_configure(const char *path, unsigned timeout_s);

/* Queues one event for the hook (copies everything). Drops it when the
 * queue holds DAEMON_HOOK_QUEUE events already or no hook is set. */
void daemon_hook_queue(int64_t when, int id, const char *zone, const char *message,
		       const daemon_field_t *fields, size_t nfields, const char *json);

/* Runs what is queued (each bounded by the timeout, all of it by one more
 * timeout), then stops the thread. */
void daemon_hook_shutdown(void);

uint64_t daemon_hook_dropped(void);

/* The environment entries for one event ("RODNS_EVENT_ID=1525", ...), NULL
 * terminated, plus PATH; free with daemon_hook_env_free. For tests too. */
char **daemon_hook_env(int64_t when, int id, const char *zone, const char *message,
		       const daemon_field_t *fields, size_t nfields);
void daemon_hook_env_free(char **env);

#endif
