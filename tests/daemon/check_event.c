/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for daemon/event.c and hook.c (the sinks: JSON lines, syslog
 * socket, hook, the in-memory ring), daemon/json.c, the metrics request
 * parser, and the events.syslog-socket configuration key. */
#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/check_bounds.h"
#include "conf/conf.h"
#include "daemon/event.h"
#include "daemon/hook.h"
#include "daemon/json.h"
#include "daemon/metrics.h"

Suite *event_suite(void);

static char dir[64];

static void mkdir_tmp(void)
{
	snprintf(dir, sizeof(dir), "/tmp/rodns-check-event.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void rm_tmp(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *slurp(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Waits up to 10 s for path to contain text. */
static bool wait_text(const char *path, const char *text)
{
	for (int i = 0; i < 200; i++) {
		char *s = slurp(path);
		if (s && strstr(s, text))
			return true;
		usleep(50000);
	}
	return false;
}

START_TEST(json_escapes)
{
	char line[512];
	daemon_field_t f[] = {EVF_S("owner", "a\"b\\c.\n"), EVF_N("key_tag", 4711),
			      EVF_S("empty", NULL)};
	size_t n =
	    daemon_event_json(line, sizeof(line), 0, 1525, "ex\tample.", "quote \" here", f, 3);
	ck_assert_str_eq(line, "{\"time\":\"1970-01-01T00:00:00Z\",\"id\":1525,\"severity\":"
			       "\"warning\",\"zone\":\"ex\\u0009ample.\",\"message\":\"quote \\\" "
			       "here\",\"owner\":\"a\\\"b\\\\c.\\u000a\",\"key_tag\":4711,"
			       "\"empty\":\"\"}");
	ck_assert_uint_eq(n, strlen(line));
	char err[64];
	json_t *j = json_parse(line, n, err, sizeof(err));
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_get_str(j, "owner", ""), "a\"b\\c.\n");
	json_free(j);
	/* too small a buffer: fields are dropped whole, the object stays valid */
	n = daemon_event_json(line, 90, 0, 1524, "example.test.", "m", f, 3);
	j = json_parse(line, n, err, sizeof(err));
	ck_assert_msg(j != NULL, "%s", line);
	ck_assert_int_eq(json_get_int(j, "id", 0), 1524);
	json_free(j);
}
END_TEST

START_TEST(json_parser)
{
	char err[64];
	const char *ok = " {\"a\":[1,-2.5e1,true,false,null,\"\\u00e9\\ud83d\\ude00\"],"
			 "\"b\":{\"c\":\"d\"}} ";
	json_t *j = json_parse(ok, strlen(ok), err, sizeof(err));
	ck_assert_msg(j != NULL, "%s", err);
	const json_t *a = json_get(j, "a");
	ck_assert_int_eq(a->type, JSON_ARR);
	ck_assert_int_eq(a->child->inum, 1);
	ck_assert(a->child->next->num == -25.0);
	ck_assert(a->child->next->next->b);
	ck_assert_str_eq(a->child->next->next->next->next->next->str, "\xc3\xa9\xf0\x9f\x98\x80");
	ck_assert_str_eq(json_get_str(json_get(j, "b"), "c", ""), "d");
	json_free(j);
	static const char *const bad[] = {"",		"{",	       "{\"a\"}",      "[1,]",
					  "{\"a\":1,}", "\"\\u0000\"", "\"\\x\"",      "tru",
					  "1 2",	"\"\n\"",      "[\"\\ud800\"]"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = json_parse(bad[i], strlen(bad[i]), err, sizeof(err));
		ck_assert_msg(j == NULL, "accepted %s", bad[i]);
	}
	char deep[100];
	memset(deep, '[', sizeof(deep));
	ck_assert_ptr_null(json_parse(deep, sizeof(deep), err, sizeof(err)));
}
END_TEST

/* The JSON-lines file is appended to across restarts, and a line cut
 * short by a crash does not swallow the next event. */
START_TEST(json_file_survives_restart)
{
	mkdir_tmp();
	char path[128];
	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	daemon_event_sinks_t s = {.min_severity = SEV_INFO, .json_file = path};
	ck_assert_int_eq(daemon_event_configure(&s), 0);
	daemon_event(1525, "example.test.", NULL, 0, "first %d", 1);
	daemon_event_shutdown();
	int fd = open(path, O_WRONLY | O_APPEND);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "{\"time\":\"cut", 12), 12);
	close(fd);
	ck_assert_int_eq(daemon_event_configure(&s), 0);
	daemon_event(1526, "example.test.", NULL, 0, "second");
	daemon_event_shutdown();
	char *text = slurp(path);
	ck_assert_ptr_nonnull(text);
	int lines = 0, good = 0;
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n"), lines++) {
		char err[64];
		json_t *j = json_parse(l, strlen(l), err, sizeof(err));
		good += j != NULL;
		json_free(j);
	}
	ck_assert_int_eq(lines, 3);
	ck_assert_int_eq(good, 2); /* the cut line stays alone, the others parse */
	rm_tmp();
}
END_TEST

START_TEST(syslog_socket)
{
	mkdir_tmp();
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	snprintf(un.sun_path, sizeof(un.sun_path), "%s/log", dir);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&un, sizeof(un)), 0);
	daemon_event_sinks_t s = {
	    .min_severity = SEV_INFO, .to_syslog = 1, .syslog_socket = un.sun_path};
	ck_assert_int_eq(daemon_event_configure(&s), 0);
	daemon_event(1524, "example.test.", NULL, 0, "RRSIG www.example.test./A key %d", 4711);
	daemon_event(6520, NULL, NULL, 0, "no zone");
	char buf[2048];
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	/* <daemon.err> = 3 * 8 + 3 */
	ck_assert_msg(!strncmp(buf, "<27>", 4) && strstr(buf, " rodnsd[") &&
			  strstr(buf, "]: [1524] example.test.: RRSIG www.example.test./A "
				      "key 4711"),
		      "%s", buf);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	ck_assert_msg(!strncmp(buf, "<30>", 4) && strstr(buf, "]: [6520] no zone"), "%s", buf);
	daemon_event_shutdown();
	close(fd);
	rm_tmp();
}
END_TEST

START_TEST(ring_and_counts)
{
	daemon_event_sinks_t s = {.min_severity = SEV_INFO};
	ck_assert_int_eq(daemon_event_configure(&s), 0);
	uint64_t first = daemon_event_next_seq();
	for (int i = 0; i < DAEMON_EVENT_RING + 5; i++)
		daemon_event(i % 2 ? 1525 : 6520, "z.", NULL, 0, "n%d", i);
	ck_assert_uint_eq(daemon_event_next_seq(), first + DAEMON_EVENT_RING + 5);
	ck_assert_uint_eq(daemon_event_oldest_seq(), first + 5);
	char buf[512];
	ck_assert_int_eq(daemon_event_get(first + 4, buf, sizeof(buf)), -1);
	ck_assert_int_gt(daemon_event_get(first + 5, buf, sizeof(buf)), 0);
	ck_assert_msg(strstr(buf, "\"message\":\"n5\""), "%s", buf);
	ck_assert_int_eq(daemon_event_get(daemon_event_next_seq(), buf, sizeof(buf)), -1);
	int ids[8];
	uint64_t counts[8];
	size_t n = daemon_event_counts(ids, counts, 8);
	uint64_t c1525 = 0;
	for (size_t i = 0; i < n; i++)
		if (ids[i] == 1525)
			c1525 = counts[i];
	ck_assert_uint_eq(c1525, (DAEMON_EVENT_RING + 5) / 2);
	daemon_event_shutdown();
}
END_TEST

START_TEST(hook_env)
{
	daemon_field_t f[] = {EVF_S("owner", "www.example.test."), EVF_N("key_tag", 4711),
			      EVF_S("zone-expire", "x")};
	char **env = daemon_hook_env(0, 1525, "example.test.", "the message", f, 3);
	ck_assert_ptr_nonnull(env);
	const char *want[] = {"RODNS_EVENT_ID=1525",
			      "RODNS_EVENT_SEVERITY=warning",
			      "RODNS_EVENT_ZONE=example.test.",
			      "RODNS_EVENT_MESSAGE=the message",
			      "RODNS_EVENT_TIME=1970-01-01T00:00:00Z",
			      "RODNS_EVENT_OWNER=www.example.test.",
			      "RODNS_EVENT_KEY_TAG=4711",
			      "RODNS_EVENT_ZONE_EXPIRE=x"};
	for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
		bool found = false;
		for (size_t i = 0; env[i]; i++)
			found = found || strcmp(env[i], want[w]) == 0;
		ck_assert_msg(found, "missing %s", want[w]);
	}
	ck_assert(strncmp(env[0], "PATH=", 5) == 0);
	daemon_hook_env_free(env);
}
END_TEST

static void write_script(const char *path, const char *body)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	ck_assert_int_eq(chmod(path, 0755), 0);
}

/* The hook gets the event in its environment and the JSON on stdin; one
 * that hangs is killed after the timeout and reported, and meanwhile
 * daemon_event() does not wait for it. */
START_TEST(hook_runs_and_times_out)
{
	mkdir_tmp();
	char hook[128], out[128], body[512];
	snprintf(hook, sizeof(hook), "%s/hook.sh", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(body, sizeof(body),
		 "echo \"$RODNS_EVENT_ID $RODNS_EVENT_ZONE $RODNS_EVENT_OWNER\" >> %s\n"
		 "cat >> %s\n"
		 "[ \"$RODNS_EVENT_ID\" = 6520 ] && exec sleep 30\nexit 0",
		 out, out);
	write_script(hook, body);
	daemon_event_sinks_t s = {.min_severity = SEV_INFO, .hook = hook, .hook_timeout = 1};
	ck_assert_int_eq(daemon_event_configure(&s), 0);
	daemon_event(1525, "example.test.", (daemon_field_t[]){EVF_S("owner", "w.example.test.")},
		     1, "warn");
	ck_assert(wait_text(out, "1525 example.test. w.example.test."));
	ck_assert(wait_text(out, "\"id\":1525"));
	uint64_t seq = daemon_event_next_seq();
	daemon_event(6520, "example.test.", NULL, 0, "hangs");
	daemon_event(1526, "example.test.", NULL, 0, "after the hanging one");
	/* the hanging hook is killed after 1 s, then the next one runs */
	ck_assert(wait_text(out, "1526 example.test."));
	char buf[1024];
	bool reported = false;
	for (uint64_t q = seq; q < daemon_event_next_seq(); q++)
		if (daemon_event_get(q, buf, sizeof(buf)) > 0 && strstr(buf, "\"id\":6502") &&
		    strstr(buf, "hook-timeout"))
			reported = true;
	ck_assert(reported);
	daemon_event_shutdown();
	rm_tmp();
}
END_TEST

START_TEST(hook_queue_bounded)
{
	mkdir_tmp();
	char hook[128];
	snprintf(hook, sizeof(hook), "%s/hook.sh", dir);
	write_script(hook, "sleep 5");
	daemon_event_sinks_t s = {.min_severity = SEV_INFO, .hook = hook, .hook_timeout = 1};
	ck_assert_int_eq(daemon_event_configure(&s), 0);
	for (int i = 0; i < DAEMON_HOOK_QUEUE + 20; i++)
		daemon_event(6520, "z.", NULL, 0, "e%d", i);
	ck_assert_uint_ge(daemon_event_hook_dropped(), 18);
	rm_tmp();
	/* shutdown gives the queue one timeout, not one per event */
	daemon_event_shutdown();
}
END_TEST

START_TEST(metrics_requests)
{
	int head = -1;
	const char *get = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
	ck_assert_int_eq(daemon_metrics_parse_request(get, strlen(get), &head), 200);
	ck_assert_int_eq(head, 0);
	const char *hd = "HEAD /metrics?x=1 HTTP/1.0\n\n";
	ck_assert_int_eq(daemon_metrics_parse_request(hd, strlen(hd), &head), 200);
	ck_assert_int_eq(head, 1);
	const char *p404 = "GET / HTTP/1.1\r\n\r\n";
	ck_assert_int_eq(daemon_metrics_parse_request(p404, strlen(p404), &head), 404);
	const char *post = "POST /metrics HTTP/1.1\r\n\r\n";
	ck_assert_int_eq(daemon_metrics_parse_request(post, strlen(post), &head), 405);
	const char *bad[] = {"GET /metrics\r\n\r\n", "GET /metrics HTTP/2.0\r\n\r\n", "\r\n\r\n",
			     "GET  HTTP/1.1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(daemon_metrics_parse_request(bad[i], strlen(bad[i]), &head), 400);
}
END_TEST

START_TEST(conf_syslog_socket)
{
	const char *y = "events:\n  syslog-socket: log.sock\nzones: []\n";
	conf_t *c = NULL;
	char err[512];
	ck_assert_int_eq(conf_load_mem("/etc/rodns/t.yaml", y, strlen(y), &c, err, sizeof(err)),
			 RODNS_OK);
	ck_assert_str_eq(c->events.syslog_socket, "/etc/rodns/log.sock");
	conf_free(c);
	char big[200];
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	char y2[512];
	snprintf(y2, sizeof(y2), "events:\n  syslog-socket: /%s\n", big);
	ck_assert_int_eq(conf_load_mem("t.yaml", y2, strlen(y2), &c, err, sizeof(err)),
			 RODNS_E_SYNTAX);
	ck_assert_msg(strstr(err, "t.yaml:2:") && strstr(err, "syslog-socket"), "%s", err);
	/* absent: NULL, syslog(3) is used */
	const char *y3 = "events:\n  syslog: true\nzones: []\n";
	ck_assert_int_eq(conf_load_mem("t.yaml", y3, strlen(y3), &c, err, sizeof(err)), RODNS_OK);
	ck_assert_ptr_null(c->events.syslog_socket);
	conf_free(c);
}
END_TEST

Suite *event_suite(void)
{
	Suite *s = suite_create("event");
	TCase *tc = t_case("core", T_UNIT);
	tcase_add_test(tc, json_escapes);
	tcase_add_test(tc, json_parser);
	tcase_add_test(tc, json_file_survives_restart);
	tcase_add_test(tc, syslog_socket);
	tcase_add_test(tc, ring_and_counts);
	tcase_add_test(tc, hook_env);
	tcase_add_test(tc, hook_runs_and_times_out);
	tcase_add_test(tc, hook_queue_bounded);
	tcase_add_test(tc, metrics_requests);
	tcase_add_test(tc, conf_syslog_socket);
	suite_add_tcase(s, tc);
	return s;
}
