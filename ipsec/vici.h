/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* IPsec through the host's IKE daemon: rodns does not speak IKE or ESP;
 * strongSwan's charon does. Before every SOA query and transfer of an
 * `ipsec` zone, rodns asks charon over VICI (its unix socket; the protocol
 * is spoken directly) for an ESTABLISHED IKE SA whose remote identity is
 * the configured identity of the primary, with an INSTALLED CHILD SA whose
 * remote traffic selector covers the primary's address. The transfer then
 * goes through the tunnel (bound to the local inner address of that CHILD
 * SA), because userland IPsec does not stop plain traffic. */
#ifndef RODNS_IPSEC_VICI_H
#define RODNS_IPSEC_VICI_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"

/* The TUN device strongSwan's userland IPsec (kernel-libipsec) delivers
 * decrypted traffic on. */
#define IPSEC_TUNNEL_DEV "ipsec0"

/* The default VICI socket of strongSwan. */
#define IPSEC_VICI_SOCKET "/var/run/charon.vici"

typedef struct {
	char ike_name[64];
	char child_name[64];
	char remote_id[256];
	conf_addr_t local_inner; /* our address inside the tunnel (port 0) */
} ipsec_sa_t;

/* Looks for the SA. With initiate (the name of a CHILD config to start, or
 * NULL), asks charon to bring it up when it is missing and waits up to
 * timeout_ms. Returns RODNS_OK with *sa filled, or RODNS_E_IPSEC with
 * reason naming what was missing (no IKE SA with that identity, IKE SA not
 * established, no CHILD SA covering the address, charon not reachable). */
int ipsec_vici_check(const char *socket_path, const char *remote_id, const conf_addr_t *primary,
		     const char *initiate, int timeout_ms, ipsec_sa_t *sa, char *reason,
		     size_t cap);

#endif
