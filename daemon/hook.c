/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The event hook thread. See hook.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon/expiry.h"
#include "daemon/hook.h"

#define DEFAULT_TIMEOUT 30
#define DEFAULT_PATH	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef struct hook_job {
	struct hook_job *next;
	int id;
	char *json;
	char **env;
} hook_job_t;

static pthread_mutex_t hk_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hk_cond = PTHREAD_COND_INITIALIZER;
static pthread_t hk_thr;
static bool hk_running, hk_quit;
static char *hk_path;
static unsigned hk_timeout = DEFAULT_TIMEOUT;
static hook_job_t *hk_head, *hk_tail;
static size_t hk_len;
static uint64_t hk_dropped;
static int64_t hk_deadline; /* shutdown: everything must be done by then */

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the environment ------------------------------------------------------ */

static char *env_kv(const char *key, const char *val)
{
	size_t kl = strlen(key), vl = strlen(val);
	char *e = malloc(12 + kl + 1 + vl + 1);
	if (!e)
		return NULL;
	memcpy(e, "RODNS_EVENT_", 12);
	for (size_t i = 0; i < kl; i++) {
		unsigned char c = (unsigned char)key[i];
		e[12 + i] = isalnum(c) ? (char)toupper(c) : '_';
	}
	e[12 + kl] = '=';
	memcpy(e + 13 + kl, val, vl + 1);
	return e;
}

char **daemon_hook_env(int64_t when, int id, const char *zone, const char *message,
		       const daemon_field_t *fields, size_t nfields)
{
	char num[32], ts[32];
	char **env = calloc(nfields + 8, sizeof(*env));
	if (!env)
		return NULL;
	size_t n = 0;
	const char *path = getenv("PATH");
	size_t pl = strlen(path ? path : DEFAULT_PATH);
	env[n] = malloc(pl + 6);
	if (env[n])
		snprintf(env[n++], pl + 6, "PATH=%s", path ? path : DEFAULT_PATH);
	snprintf(num, sizeof(num), "%d", id);
	env[n++] = env_kv("ID", num);
	env[n++] = env_kv("SEVERITY", daemon_severity_name(daemon_event_severity(id)));
	env[n++] = env_kv("ZONE", zone ? zone : "");
	env[n++] = env_kv("MESSAGE", message);
	env[n++] = env_kv("TIME", daemon_time_text(when, ts, sizeof(ts)));
	for (size_t i = 0; i < nfields; i++) {
		if (fields[i].is_num)
			snprintf(num, sizeof(num), "%lld", (long long)fields[i].num);
		env[n++] = env_kv(fields[i].key, fields[i].is_num ? num
						 : fields[i].str  ? fields[i].str
								  : "");
	}
	/* an entry that failed to allocate would end the list early: fail whole */
	for (size_t i = 0; i < n; i++)
		if (!env[i]) {
			for (size_t j = 0; j < n; j++)
				free(env[j]);
			free(env);
			return NULL;
		}
	return env;
}

void daemon_hook_env_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

static void job_free(hook_job_t *j)
{
	if (!j)
		return;
	free(j->json);
	daemon_hook_env_free(j->env);
	free(j);
}

/* ---- running one ---------------------------------------------------------- */

/* Reports a hook failure to every sink but the hook (no loops). */
static void hook_failed(const hook_job_t *j, const char *path, const char *msg)
{
	daemon_event(EV_HOOK_FAILED, NULL,
		     (daemon_field_t[]){EVF_S("hook", path), EVF_N("event", j->id)}, 2,
		     "hook %s for event %d: %s", path, j->id, msg);
}

static int spawn(const char *path, char **env, int in_fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	char *argv[] = {(char *)path, NULL};
	sigemptyset(&none);
	sigemptyset(&def);
	/* the daemon ignores SIGPIPE and blocks others on some threads: the
	 * hook gets plain defaults */
	int sigs[] = {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&def, sigs[i]);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					  POSIX_SPAWN_SETSIGDEF);
	int rc = posix_spawn(pid, path, &fa, &at, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return rc;
}

/* Waits for pid until deadline (monotonic ms); kills its process group
 * then. Returns the wait status, or -1 when it was killed. */
static int reap(pid_t pid, int64_t deadline)
{
	int status = 0;
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			break;
		int64_t left = deadline - mono_ms();
		if (left <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			status = -1;
			break;
		}
		if (pfd >= 0) {
			struct pollfd p = {.fd = pfd, .events = POLLIN};
			poll(&p, 1, left > 1000 ? 1000 : (int)left);
		} else {
			nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
		}
	}
	if (pfd >= 0)
		close(pfd);
	return status;
}

static void run_job(hook_job_t *j, const char *path, unsigned timeout_s, int64_t hard)
{
	int p[2];
	pid_t pid;
	char why[128];
	if (pipe2(p, O_CLOEXEC) != 0) {
		snprintf(why, sizeof(why), "cannot make a pipe: %s", strerror(errno));
		hook_failed(j, path, why);
		return;
	}
	int rc = spawn(path, j->env, p[0], &pid);
	close(p[0]);
	if (rc != 0) {
		close(p[1]);
		snprintf(why, sizeof(why), "cannot run it: %s", strerror(rc));
		hook_failed(j, path, why);
		return;
	}
	/* the line fits a pipe buffer: a hook that never reads stdin does not
	 * hold us up, and the write never blocks */
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	size_t len = strlen(j->json);
	if (write(p[1], j->json, len) == (ssize_t)len)
		(void)!write(p[1], "\n", 1);
	close(p[1]);
	int64_t deadline = mono_ms() + (int64_t)timeout_s * 1000;
	if (hard && hard < deadline)
		deadline = hard;
	int st = reap(pid, deadline);
	why[0] = '\0';
	if (st == -1)
		snprintf(why, sizeof(why), "killed after the %us hook-timeout", timeout_s);
	else if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
		snprintf(why, sizeof(why), "exited with status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(why, sizeof(why), "killed by signal %d", WTERMSIG(st));
	if (why[0])
		hook_failed(j, path, why);
}

static void *hook_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&hk_lock);
	for (;;) {
		while (!hk_head && !hk_quit)
			pthread_cond_wait(&hk_cond, &hk_lock);
		if (!hk_head)
			break;
		hook_job_t *j = hk_head;
		hk_head = j->next;
		if (!hk_head)
			hk_tail = NULL;
		hk_len--;
		char *path = hk_path ? strdup(hk_path) : NULL;
		unsigned to = hk_timeout;
		int64_t hard = hk_quit ? hk_deadline : 0;
		pthread_mutex_unlock(&hk_lock);
		if (path && (!hard || mono_ms() < hard))
			run_job(j, path, to, hard);
		free(path);
		job_free(j);
		pthread_mutex_lock(&hk_lock);
	}
	pthread_mutex_unlock(&hk_lock);
	return NULL;
}

/* ---- the queue ------------------------------------------------------------ */

static int start_thread(void)
{
	sigset_t all, old;
	sigfillset(&all);
	/* signals belong to the main loop, not to this thread */
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&hk_thr, NULL, hook_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return -rc;
	hk_running = true;
	return 0;
}

int daemon_hook_configure(const char *path, unsigned timeout_s)
{
	char *p = path ? strdup(path) : NULL;
	if (path && !p)
		return -ENOMEM;
	int rc = 0;
	pthread_mutex_lock(&hk_lock);
	free(hk_path);
	hk_path = p;
	hk_timeout = timeout_s ? timeout_s : DEFAULT_TIMEOUT;
	hk_quit = false;
	if (p && !hk_running)
		rc = start_thread();
	pthread_mutex_unlock(&hk_lock);
	return rc;
}

void daemon_hook_queue(int64_t when, int id, const char *zone, const char *message,
		       const daemon_field_t *fields, size_t nfields, const char *json)
{
	pthread_mutex_lock(&hk_lock);
	bool take = hk_path && hk_running && !hk_quit && hk_len < DAEMON_HOOK_QUEUE;
	if (!take && hk_path)
		hk_dropped++;
	pthread_mutex_unlock(&hk_lock);
	if (!take)
		return;
	hook_job_t *j = calloc(1, sizeof(*j));
	if (j) {
		j->id = id;
		j->json = strdup(json);
		j->env = daemon_hook_env(when, id, zone, message, fields, nfields);
	}
	if (!j || !j->json || !j->env) {
		job_free(j);
		pthread_mutex_lock(&hk_lock);
		hk_dropped++;
		pthread_mutex_unlock(&hk_lock);
		return;
	}
	pthread_mutex_lock(&hk_lock);
	if (hk_tail)
		hk_tail->next = j;
	else
		hk_head = j;
	hk_tail = j;
	hk_len++;
	pthread_cond_signal(&hk_cond);
	pthread_mutex_unlock(&hk_lock);
}

void daemon_hook_shutdown(void)
{
	pthread_mutex_lock(&hk_lock);
	bool running = hk_running;
	hk_quit = true;
	hk_deadline = mono_ms() + (int64_t)hk_timeout * 1000;
	pthread_cond_signal(&hk_cond);
	pthread_mutex_unlock(&hk_lock);
	if (running)
		pthread_join(hk_thr, NULL);
	pthread_mutex_lock(&hk_lock);
	hk_running = false;
	while (hk_head) {
		hook_job_t *j = hk_head;
		hk_head = j->next;
		job_free(j);
	}
	hk_tail = NULL;
	hk_len = 0;
	free(hk_path);
	hk_path = NULL;
	pthread_mutex_unlock(&hk_lock);
}

uint64_t daemon_hook_dropped(void)
{
	pthread_mutex_lock(&hk_lock);
	uint64_t n = hk_dropped;
	pthread_mutex_unlock(&hk_lock);
	return n;
}
