/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* rodnsd: the read-only DNSSEC replica daemon.
 *
 *   rodnsd -c FILE        run in the foreground (systemd style)
 *   rodnsd -c FILE -d     daemonise
 *   rodnsd -t -c FILE     check the configuration and exit 0/1
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "daemon/daemon.h"
#include "daemon/event.h"

#define DEFAULT_CONF "/etc/rodns/rodns.yaml"

static void usage(FILE *f)
{
	fprintf(f, "usage: rodnsd [-c FILE] [-t] [-d]\n"
		   "  -c FILE  configuration (default " DEFAULT_CONF ")\n"
		   "  -t       check the configuration and exit (0: valid, 1: errors)\n"
		   "  -d       detach and run in the background (events go to syslog)\n"
		   "  -h       this help\n");
}

int main(int argc, char **argv)
{
	const char *path = DEFAULT_CONF;
	int check = 0, detach = 0, c;
	while ((c = getopt(argc, argv, "c:tdh")) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 't': check = 1; break;
		case 'd': detach = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	/* the store, the event file and the control socket are ours alone */
	umask(077);
	static char err[65536];
	conf_t *conf = NULL;
	int rc = conf_load(path, &conf, err, sizeof(err));
	if (rc != RODNS_OK) {
		fprintf(stderr, "%s", err[0] ? err : "");
		if (!err[0])
			fprintf(stderr, "%s: %s\n", path, rodns_strerror(rc));
		return 1;
	}
	if (check) {
		printf("%s: configuration OK (%zu zones)\n", path, conf->n_zones);
		conf_free(conf);
		return 0;
	}
	daemon_event_sinks_t sinks = {
		.min_severity = (int)conf->log.level, .to_stderr = !detach,
		.to_syslog = conf->events.syslog || detach, .json_file = conf->events.file};
	rc = daemon_event_configure(&sinks);
	if (rc != 0) {
		fprintf(stderr, "rodnsd: cannot open event file %s: %s\n", conf->events.file,
			rodns_strerror(rc));
		conf_free(conf);
		return 1;
	}
	if (detach && daemon(0, 0) != 0) {
		perror("rodnsd: daemon");
		return 1;
	}
	rc = daemon_run(conf, path);
	daemon_event_shutdown();
	conf_free(conf);
	return rc;
}
