/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Events: the one way anything below daemon/ reports what happened.
 *
 * Every event has a stable numeric id (documented in docs/events.md; 1524,
 * 1525 and 1526 are the ids Windows DNS uses for signature expiry, so
 * existing alert rules keep working), a severity, the zone it concerns, a
 * message for humans and typed fields for machines. daemon/ decides where
 * events go (stderr, syslog, a JSON-lines file, a hook command, the control
 * socket's followers); other modules only call daemon_event().
 */
#ifndef RODNS_DAEMON_EVENT_H
#define RODNS_DAEMON_EVENT_H

#include <stddef.h>
#include <stdint.h>

enum daemon_event_id {
	EV_RRSIG_EXPIRED = 1524,     /* error: served signatures have expired */
	EV_RRSIG_EXPIRING = 1525,    /* warning: signatures expire within the window */
	EV_RRSIG_CLEARED = 1526,     /* info: an expiry condition cleared */
	EV_XFR_DONE = 6520,	     /* info: a transfer was applied */
	EV_XFR_FAILED = 6521,	     /* warning: a refresh or transfer failed */
	EV_AUTH_FAILED = 6522,	     /* error: the session to the primary was not authenticated */
	EV_IXFR_FALLBACK = 6523,     /* warning: IXFR failed, AXFR used instead */
	EV_RRSIG_PRUNED = 6524,	     /* info: superseded or orphaned RRSIGs removed */
	EV_VALIDATION_FAILED = 6525, /* error: a transfer failed DNSSEC validation */
	EV_ZONE_RECOVERED = 6526,    /* info: an expired zone is served again */
	EV_ZONE_EXPIRED = 6527,	     /* error: SOA EXPIRE passed without a refresh */
	EV_NOTIFY_REJECTED = 6528,   /* warning: NOTIFY from a source not allowed */
	EV_RRSIG_NOT_VALID = 6529,   /* warning: RRSIGs with an inception in the future */
	EV_DAEMON = 6500,	     /* info: start, stop, reload */
	EV_CONFIG = 6501,	     /* error: configuration problem */
	EV_HOOK_FAILED = 6502,	     /* warning: the event hook failed or timed out */
};

enum daemon_severity { SEV_DEBUG = 0, SEV_INFO, SEV_NOTICE, SEV_WARNING, SEV_ERROR };

/* A field: a string value, or a number when is_num. */
typedef struct {
	const char *key;
	const char *str;
	int64_t num;
	int is_num;
} daemon_field_t;

#define EVF_S(k, v) ((daemon_field_t){.key = (k), .str = (v)})
#define EVF_N(k, v) ((daemon_field_t){.key = (k), .num = (int64_t)(v), .is_num = 1})

/* Raises an event. zone may be NULL ("zone" is then omitted). The message
 * is printf-formatted. Thread-safe; never blocks on a slow sink for long. */
void daemon_event(int id, const char *zone, const daemon_field_t *fields, size_t nfields,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The severity that belongs to an id, and its name ("warning"). */
int daemon_event_severity(int id);
const char *daemon_severity_name(int sev);

/* Sinks. stderr is on by default (foreground); the others are opened from
 * the configuration. Calling configure again (reload) reopens the file
 * (after a log rotation) and takes the new settings. */
typedef struct {
	int min_severity;	   /* events below this are not logged (default SEV_INFO) */
	int to_stderr;		   /* one line per event on stderr */
	int to_syslog;		   /* facility daemon */
	const char *syslog_socket; /* with to_syslog: RFC 3164 datagrams to this unix
				    * socket instead of syslog(3) */
	const char *json_file;	   /* JSON lines, appended and fsynced; NULL: none */
	const char *hook;	   /* command run per event (see below); NULL: none */
	unsigned hook_timeout;	   /* seconds before the hook is killed (0: 30) */
} daemon_event_sinks_t;

/* The hook runs on its own thread, one event at a time in order, never
 * blocking daemon_event(): argv[0] is the path, the JSON line is on its
 * standard input, and the environment holds RODNS_EVENT_ID, _SEVERITY,
 * _ZONE, _MESSAGE, _TIME and one RODNS_EVENT_<FIELD> per field (key
 * uppercased), plus PATH. After hook_timeout its process group is killed.
 * At most DAEMON_HOOK_QUEUE events wait; more are dropped (and counted). */
#define DAEMON_HOOK_QUEUE 256

int daemon_event_configure(const daemon_event_sinks_t *s);
/* The settings in force (the path strings come back NULL). */
void daemon_event_sinks_get(daemon_event_sinks_t *out);
/* Closes the sinks; waits for queued hooks (at most one hook_timeout). */
void daemon_event_shutdown(void);

/* The last DAEMON_EVENT_RING events stay in memory as JSON lines, numbered
 * from 0 in order, for `rodnsctl events`. */
#define DAEMON_EVENT_RING 512
/* The number the next event will get. */
uint64_t daemon_event_next_seq(void);
/* The oldest number still held. */
uint64_t daemon_event_oldest_seq(void);
/* Copies event seq's JSON (no newline) into buf; its length, or -1 when it
 * is gone or not there yet (truncated to fit cap). */
int daemon_event_get(uint64_t seq, char *buf, size_t cap);
/* fn(arg) is called (from any thread, under the event lock: it must not
 * raise events or block) after every event: ev_async_send for a loop that
 * follows. NULL: none; after that returns, fn is not running any more. */
void daemon_event_set_notify(void (*fn)(void *arg), void *arg);

/* Events raised so far, per id: fills up to cap pairs, returns the count. */
size_t daemon_event_counts(int *ids, uint64_t *counts, size_t cap);
/* Hook events dropped because the queue was full. */
uint64_t daemon_event_hook_dropped(void);

/* Formats one event as a JSON object (no newline) into buf: for the file
 * sink, the control socket and tests. Returns the length (truncated events
 * are cut at a field boundary and stay valid JSON). */
size_t daemon_event_json(char *buf, size_t cap, int64_t when, int id, const char *zone,
			 const char *message, const daemon_field_t *fields, size_t nfields);

#endif
