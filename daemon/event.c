/* Event sinks: see event.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemon/event.h"

static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static daemon_event_sinks_t sinks = {.min_severity = SEV_INFO, .to_stderr = 1};
static int json_fd = -1;

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
	case EV_XFR_FAILED:
	case EV_IXFR_FALLBACK:
	case EV_NOTIFY_REJECTED:
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

int daemon_event_configure(const daemon_event_sinks_t *s)
{
	int fd = -1;
	if (s->json_file) {
		fd = open(s->json_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
	}
	pthread_mutex_lock(&ev_lock);
	if (json_fd >= 0)
		close(json_fd);
	json_fd = fd;
	sinks = *s;
	sinks.json_file = NULL; /* not kept: the caller's string may go away */
	if (sinks.to_syslog)
		openlog("rodnsd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	pthread_mutex_unlock(&ev_lock);
	return 0;
}

void daemon_event_shutdown(void)
{
	pthread_mutex_lock(&ev_lock);
	if (json_fd >= 0)
		close(json_fd);
	json_fd = -1;
	if (sinks.to_syslog)
		closelog();
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
	case SEV_ERROR: return LOG_ERR;
	case SEV_WARNING: return LOG_WARNING;
	case SEV_NOTICE: return LOG_NOTICE;
	case SEV_DEBUG: return LOG_DEBUG;
	default: return LOG_INFO;
	}
}

void daemon_event(int id, const char *zone, const daemon_field_t *fields, size_t nfields,
		  const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int sev = daemon_event_severity(id);
	int64_t now = (int64_t)time(NULL);
	pthread_mutex_lock(&ev_lock);
	if (sev < sinks.min_severity && json_fd < 0) {
		pthread_mutex_unlock(&ev_lock);
		return;
	}
	if (sinks.to_stderr && sev >= sinks.min_severity)
		fprintf(stderr, "rodnsd: %s [%d] %s%s%s\n", daemon_severity_name(sev), id,
			zone ? zone : "", zone ? ": " : "", msg);
	if (sinks.to_syslog && sev >= sinks.min_severity)
		syslog(syslog_prio(sev), "[%d] %s%s%s", id, zone ? zone : "", zone ? ": " : "",
		       msg);
	if (json_fd >= 0) {
		char line[4096];
		size_t n = daemon_event_json(line, sizeof(line) - 1, now, id, zone, msg, fields,
					     nfields);
		line[n++] = '\n';
		if (write(json_fd, line, n) == (ssize_t)n)
			fdatasync(json_fd);
	}
	pthread_mutex_unlock(&ev_lock);
}
