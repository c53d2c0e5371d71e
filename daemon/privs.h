/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Dropping root: rodnsd binds its sockets and reads its secrets as root,
 * then runs as the configured user. Started as root with no `user`
 * configured it refuses to run (`user: root` says so explicitly). */
#ifndef RODNS_DAEMON_PRIVS_H
#define RODNS_DAEMON_PRIVS_H

#include <stddef.h>

#include "conf/conf.h"

/* Checks the user and group exist before anything is bound (and that root
 * is not kept by accident). err gets the reason. */
int daemon_privs_check(const conf_server_t *s, char *err, size_t cap);

/* Makes the state directory (mode 0700) owned by the user, then switches
 * to the user and group for good (supplementary groups too) and verifies
 * root cannot be regained. Does nothing when not running as root or with
 * `user: root`. */
int daemon_privs_drop(const conf_server_t *s, char *err, size_t cap);

#endif
