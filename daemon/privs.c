/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Dropping root: see privs.h. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/privs.h"
#include "dns/err.h"

static int lookup(const conf_server_t *s, uid_t *uid, gid_t *gid, char *err, size_t cap)
{
	struct passwd *pw = getpwnam(s->user);
	if (!pw) {
		snprintf(err, cap, "user %s does not exist", s->user);
		return RODNS_E_SYNTAX;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (s->group) {
		struct group *gr = getgrnam(s->group);
		if (!gr) {
			snprintf(err, cap, "group %s does not exist", s->group);
			return RODNS_E_SYNTAX;
		}
		*gid = gr->gr_gid;
	}
	return RODNS_OK;
}

static int keep_root(const conf_server_t *s)
{
	return s->user && strcmp(s->user, "root") == 0;
}

int daemon_privs_check(const conf_server_t *s, char *err, size_t cap)
{
	uid_t uid;
	gid_t gid;
	if (!s->user) {
		if (geteuid() != 0)
			return RODNS_OK;
		snprintf(err, cap, "refusing to run as root: set server.user to the account to run "
				   "as after binding (user: root keeps root, not recommended)");
		return -EPERM;
	}
	if (keep_root(s))
		return RODNS_OK;
	return lookup(s, &uid, &gid, err, cap);
}

/* The state directory holds the store: created 0700 and given to the user
 * (with the store files already in it) before root is left behind. */
static int own_state_dir(const char *dir, uid_t uid, gid_t gid, char *err, size_t cap)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, cap, "cannot create state directory %s: %s", dir, strerror(errno));
		return -errno;
	}
	if (chown(dir, uid, gid) < 0 || chmod(dir, 0700) < 0) {
		snprintf(err, cap, "cannot give %s to the user: %s", dir, strerror(errno));
		return -errno;
	}
	static const char *const suffix[] = {"", "-wal", "-shm"};
	char path[4096];
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/rodns.sqlite%s", dir, suffix[i]);
		if (chown(path, uid, gid) < 0 && errno != ENOENT) {
			snprintf(err, cap, "cannot give %s to the user: %s", path, strerror(errno));
			return -errno;
		}
	}
	return RODNS_OK;
}

int daemon_privs_drop(const conf_server_t *s, char *err, size_t cap)
{
	if (geteuid() != 0 || !s->user || keep_root(s))
		return RODNS_OK;
	uid_t uid;
	gid_t gid;
	int rc = lookup(s, &uid, &gid, err, cap);
	if (rc == RODNS_OK)
		rc = own_state_dir(s->state_dir, uid, gid, err, cap);
	if (rc != RODNS_OK)
		return rc;
	if (initgroups(s->user, gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
		snprintf(err, cap, "cannot switch to user %s: %s", s->user, strerror(errno));
		return -errno;
	}
	if (setuid(0) == 0 || geteuid() == 0) {
		snprintf(err, cap, "still able to regain root after switching to %s", s->user);
		return -EPERM;
	}
	return RODNS_OK;
}
