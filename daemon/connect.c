/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Sessions to primaries: see connect.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/connect.h"
#include "ipsec/vici.h"

int daemon_sessions_init(daemon_sessions_t *ss, const conf_t *c, char *err, size_t cap)
{
	memset(ss, 0, sizeof(*ss));
	ss->conf = c;
	ss->tls = calloc(c->n_tls ? c->n_tls : 1, sizeof(*ss->tls));
	if (!ss->tls)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_tls; i++) {
		char why[256] = "";
		ss->tls[i].profile = &c->tls[i];
		int rc = ipsec_tls_new(&c->tls[i], &ss->tls[i].ctx, why, sizeof(why));
		ss->n_tls = i + 1;
		if (rc != RODNS_OK) {
			snprintf(err, cap, "tls profile %s: %s", c->tls[i].name,
				 why[0] ? why : rodns_strerror(rc));
			return rc;
		}
	}
	return RODNS_OK;
}

void daemon_sessions_fini(daemon_sessions_t *ss)
{
	for (size_t i = 0; ss->tls && i < ss->n_tls; i++)
		ipsec_tls_free(ss->tls[i].ctx);
	free(ss->tls);
	memset(ss, 0, sizeof(*ss));
}

static ipsec_tls_t *tls_for(const daemon_sessions_t *ss, const conf_tls_t *t)
{
	for (size_t i = 0; i < ss->n_tls; i++)
		if (ss->tls[i].profile == t)
			return ss->tls[i].ctx;
	return NULL;
}

static int connect_ipsec(const daemon_sessions_t *ss, const conf_primary_t *p, xfr_stream_t *s,
			 int timeout_ms, int *auth, char *reason, size_t cap)
{
	const char *vici =
	    ss->conf && ss->conf->server.vici ? ss->conf->server.vici : IPSEC_VICI_SOCKET;
	ipsec_sa_t sa;
	int rc = ipsec_vici_check(vici, p->ipsec_id, &p->addr, p->ipsec_initiate, timeout_ms, &sa,
				  reason, cap);
	if (rc != RODNS_OK) {
		*auth = 1;
		return rc;
	}
	/* userland IPsec lets plain packets through: go via the tunnel's
	 * inner address (the configured source wins when given) */
	const conf_addr_t *src = p->has_source ? &p->source : &sa.local_inner;
	rc = xfr_tcp_connect(s, &p->addr, src, timeout_ms);
	if (rc != RODNS_OK)
		snprintf(reason, cap, "through IPsec SA %s: %s", sa.ike_name, rodns_strerror(rc));
	else
		s->transport = "ipsec";
	return rc;
}

int daemon_connect(const daemon_sessions_t *ss, const conf_primary_t *p, xfr_stream_t *s,
		   int timeout_ms, int *auth, char *reason, size_t cap)
{
	*auth = 0;
	int rc;
	switch (p->transport) {
	case CONF_XPORT_TLS: {
		ipsec_tls_t *t = tls_for(ss, p->tls);
		if (!t) {
			snprintf(reason, cap, "no TLS context for this primary");
			return RODNS_E_TLS;
		}
		rc = ipsec_tls_connect(t, s, &p->addr, p->has_source ? &p->source : NULL,
				       timeout_ms, reason, cap);
		if (rc == RODNS_E_TLS)
			*auth = 1;
		return rc;
	}
	case CONF_XPORT_IPSEC:
		return connect_ipsec(ss, p, s, timeout_ms, auth, reason, cap);
	case CONF_XPORT_TCP:
	default:
		rc = xfr_tcp_connect(s, &p->addr, p->has_source ? &p->source : NULL, timeout_ms);
		if (rc != RODNS_OK)
			snprintf(reason, cap, "%s", rodns_strerror(rc));
		return rc;
	}
}
