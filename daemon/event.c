/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Event sinks: see event.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemon/event.h"
#include "daemon/hook.h"

#define EV_IDS 32

static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static daemon_event_sinks_t sinks = {.min_severity = SEV_INFO, .to_stderr = 1};
static int json_fd = -1;
static bool syslog_open;
static int slog_fd = -1; /* datagram socket for syslog-socket */
static struct sockaddr_un slog_addr;
static char *ring[DAEMON_EVENT_RING];
static uint64_t ring_next; /* sequence number of the next event */
static int id_tab[EV_IDS];
static uint64_t id_count[EV_IDS];
static void (*notify_fn)(void *);
static void *notify_arg;

int daemon_event_severity(int id)
{
	switch (id) {
	case EV_RRSIG_EXPIRED:
	case EV_AUTH_FAILED:
	case EV_VALIDATION_FAILED:
	case EV_ZONE_EXPIRED:
	case EV_CONFIG:
		return SEV_ERROR;
	case EV_RRSIG_EXPIRING:
	case EV_RRSIG_NOT_VALID:
	case EV_XFR_FAILED:
	case EV_IXFR_FALLBACK:
	case EV_NOTIFY_REJECTED:
	case EV_HOOK_FAILED:
		return SEV_WARNING;
	default:
		return SEV_INFO;
	}
}

const char *daemon_severity_name(int sev)
{
	static const char *const names[] = {"debug", "info", "notice", "warning", "error"};
	return sev >= 0 && sev <= SEV_ERROR ? names[sev] : "info";
}

/* Opens the JSON-lines file for appending. A line cut short by a crash
 * would glue itself to the next event: end it first. */
static int open_json(const char *path)
{
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	struct stat sb;
	char last = '\n';
	if (fstat(fd, &sb) == 0 && sb.st_size > 0 && pread(fd, &last, 1, sb.st_size - 1) == 1 &&
	    last != '\n' && write(fd, "\n", 1) == 1)
		fdatasync(fd);
	return fd;
}

static int open_slog(const char *path)
{
	if (strlen(path) >= sizeof(slog_addr.sun_path))
		return -ENAMETOOLONG;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	memset(&slog_addr, 0, sizeof(slog_addr));
	slog_addr.sun_family = AF_UNIX;
	memcpy(slog_addr.sun_path, path, strlen(path) + 1);
	return fd;
}

int daemon_event_configure(const daemon_event_sinks_t *s)
{
	int fd = -1, sfd = -1;
	if (s->json_file && (fd = open_json(s->json_file)) < 0)
		return fd;
	if (s->to_syslog && s->syslog_socket && (sfd = open_slog(s->syslog_socket)) < 0) {
		if (fd >= 0)
			close(fd);
		return sfd;
	}
	int rc = daemon_hook_configure(s->hook, s->hook_timeout);
	if (rc != 0) {
		if (fd >= 0)
			close(fd);
		if (sfd >= 0)
			close(sfd);
		return rc;
	}
	pthread_mutex_lock(&ev_lock);
	if (json_fd >= 0)
		close(json_fd);
	json_fd = fd;
	if (slog_fd >= 0)
		close(slog_fd);
	slog_fd = sfd;
	sinks = *s;
	/* not kept: the caller's strings may go away */
	sinks.json_file = sinks.syslog_socket = sinks.hook = NULL;
	if (sinks.to_syslog && sfd < 0 && !syslog_open) {
		openlog("rodnsd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		syslog_open = true;
	}
	pthread_mutex_unlock(&ev_lock);
	return 0;
}

void daemon_event_sinks_get(daemon_event_sinks_t *out)
{
	pthread_mutex_lock(&ev_lock);
	*out = sinks;
	pthread_mutex_unlock(&ev_lock);
}

void daemon_event_shutdown(void)
{
	daemon_hook_shutdown();
	pthread_mutex_lock(&ev_lock);
	if (json_fd >= 0)
		close(json_fd);
	json_fd = -1;
	if (slog_fd >= 0)
		close(slog_fd);
	slog_fd = -1;
	if (syslog_open)
		closelog();
	syslog_open = false;
	sinks.to_syslog = 0;
	for (size_t i = 0; i < DAEMON_EVENT_RING; i++) {
		free(ring[i]);
		ring[i] = NULL;
	}
	notify_fn = NULL;
	pthread_mutex_unlock(&ev_lock);
}

/* Appends s to buf as a JSON string body (escaped, without quotes). */
static size_t json_str(char *buf, size_t cap, size_t o, const char *s)
{
	for (; *s && o + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(buf + o, cap - o, "\\u%04x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	return o;
}

static size_t json_kv(char *buf, size_t cap, size_t o, const daemon_field_t *f)
{
	char tmp[1024];
	size_t t = 0;
	tmp[t++] = ',';
	tmp[t++] = '"';
	t = json_str(tmp, sizeof(tmp), t, f->key);
	tmp[t++] = '"';
	tmp[t++] = ':';
	if (f->is_num) {
		t += (size_t)snprintf(tmp + t, sizeof(tmp) - t, "%lld", (long long)f->num);
	} else {
		tmp[t++] = '"';
		t = json_str(tmp, sizeof(tmp) - 2, t, f->str ? f->str : "");
		tmp[t++] = '"';
	}
	if (o + t + 2 > cap)
		return o; /* drop the whole field rather than cut it */
	memcpy(buf + o, tmp, t);
	return o + t;
}

size_t daemon_event_json(char *buf, size_t cap, int64_t when, int id, const char *zone,
			 const char *message, const daemon_field_t *fields, size_t nfields)
{
	struct tm tm;
	time_t tt = (time_t)when;
	char ts[32];
	gmtime_r(&tt, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	size_t o = (size_t)snprintf(buf, cap, "{\"time\":\"%s\",\"id\":%d,\"severity\":\"%s\"", ts,
				    id, daemon_severity_name(daemon_event_severity(id)));
	if (zone)
		o = json_kv(buf, cap, o, &EVF_S("zone", zone));
	o = json_kv(buf, cap, o, &EVF_S("message", message));
	for (size_t i = 0; i < nfields; i++)
		o = json_kv(buf, cap, o, &fields[i]);
	if (o + 2 <= cap) {
		buf[o++] = '}';
		buf[o] = '\0';
	}
	return o;
}

static int syslog_prio(int sev)
{
	switch (sev) {
	case SEV_ERROR:
		return LOG_ERR;
	case SEV_WARNING:
		return LOG_WARNING;
	case SEV_NOTICE:
		return LOG_NOTICE;
	case SEV_DEBUG:
		return LOG_DEBUG;
	default:
		return LOG_INFO;
	}
}

/* One RFC 3164 datagram to the syslog socket; never blocks. */
static void slog_send(int64_t when, int prio, const char *text)
{
	char line[2048], ts[32];
	struct tm tm;
	time_t tt = (time_t)when;
	localtime_r(&tt, &tm);
	strftime(ts, sizeof(ts), "%b %e %H:%M:%S", &tm);
	int n = snprintf(line, sizeof(line), "<%d>%s rodnsd[%d]: %s", LOG_DAEMON | prio, ts,
			 (int)getpid(), text);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	sendto(slog_fd, line, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&slog_addr,
	       sizeof(slog_addr));
}

static void count_id(int id)
{
	for (size_t i = 0; i < EV_IDS; i++) {
		if (id_tab[i] == id || id_tab[i] == 0) {
			id_tab[i] = id;
			id_count[i]++;
			return;
		}
	}
}

static void ring_put(const char *json)
{
	size_t slot = (size_t)(ring_next % DAEMON_EVENT_RING);
	free(ring[slot]);
	ring[slot] = strdup(json);
	ring_next++;
}

void daemon_event(int id, const char *zone, const daemon_field_t *fields, size_t nfields,
		  const char *fmt, ...)
{
	char msg[1024], line[4096], text[1400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int sev = daemon_event_severity(id);
	int64_t now = (int64_t)time(NULL);
	size_t n = daemon_event_json(line, sizeof(line) - 1, now, id, zone, msg, fields, nfields);
	snprintf(text, sizeof(text), "[%d] %s%s%s", id, zone ? zone : "", zone ? ": " : "", msg);
	pthread_mutex_lock(&ev_lock);
	bool shown = sev >= sinks.min_severity;
	count_id(id);
	ring_put(line);
	if (sinks.to_stderr && shown)
		fprintf(stderr, "rodnsd: %s %s\n", daemon_severity_name(sev), text);
	if (sinks.to_syslog && shown && slog_fd >= 0)
		slog_send(now, syslog_prio(sev), text);
	else if (sinks.to_syslog && shown)
		syslog(syslog_prio(sev), "%s", text);
	if (json_fd >= 0) {
		line[n] = '\n';
		if (write(json_fd, line, n + 1) == (ssize_t)(n + 1))
			fdatasync(json_fd);
		line[n] = '\0';
	}
	/* under the lock: once daemon_event_set_notify(NULL) returns, no call
	 * to the old listener is still under way (it only wakes a loop) */
	if (notify_fn)
		notify_fn(notify_arg);
	pthread_mutex_unlock(&ev_lock);
	/* the hook's own failures go everywhere but to the hook */
	if (shown && id != EV_HOOK_FAILED)
		daemon_hook_queue(now, id, zone, msg, fields, nfields, line);
}

uint64_t daemon_event_next_seq(void)
{
	pthread_mutex_lock(&ev_lock);
	uint64_t n = ring_next;
	pthread_mutex_unlock(&ev_lock);
	return n;
}

uint64_t daemon_event_oldest_seq(void)
{
	pthread_mutex_lock(&ev_lock);
	uint64_t n = ring_next > DAEMON_EVENT_RING ? ring_next - DAEMON_EVENT_RING : 0;
	pthread_mutex_unlock(&ev_lock);
	return n;
}

int daemon_event_get(uint64_t seq, char *buf, size_t cap)
{
	int n = -1;
	pthread_mutex_lock(&ev_lock);
	const char *e = ring[seq % DAEMON_EVENT_RING];
	if (seq < ring_next && seq + DAEMON_EVENT_RING >= ring_next && e && cap > 0) {
		size_t len = strlen(e);
		if (len >= cap)
			len = cap - 1;
		memcpy(buf, e, len);
		buf[len] = '\0';
		n = (int)len;
	}
	pthread_mutex_unlock(&ev_lock);
	return n;
}

void daemon_event_set_notify(void (*fn)(void *arg), void *arg)
{
	pthread_mutex_lock(&ev_lock);
	notify_fn = fn;
	notify_arg = arg;
	pthread_mutex_unlock(&ev_lock);
}

size_t daemon_event_counts(int *ids, uint64_t *counts, size_t cap)
{
	size_t n = 0;
	pthread_mutex_lock(&ev_lock);
	for (size_t i = 0; i < EV_IDS && id_tab[i] && n < cap; i++, n++) {
		ids[n] = id_tab[i];
		counts[n] = id_count[i];
	}
	pthread_mutex_unlock(&ev_lock);
	return n;
}

uint64_t daemon_event_hook_dropped(void)
{
	return daemon_hook_dropped();
}
