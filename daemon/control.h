/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* The control socket: what rodnsctl talks to. A unix stream socket at
 * server.control, mode 0600 (only the daemon's user, and root, may use it).
 *
 * Protocol (version 1), one request per connection:
 *   request   one line, a JSON object, at most CONTROL_REQ_MAX octets:
 *             {"cmd":"expiry","zone":"example.test"}   zone: when the command takes one
 *             {"cmd":"events","follow":true}
 *   response  JSON objects, one per line. Commands that answer at once send
 *             exactly one: {"ok":true, ...} or
 *             {"ok":false,"code":"unknown-zone","error":"unknown zone example.test."}
 *             (codes: bad-request, unknown-command, unknown-zone, no-data, failed).
 *             Streams (events, dump) send {"ok":true,"stream":NAME,...}, then
 *             one object per item (an event object, {"rr":"<master-file line>"}),
 *             then {"end":true,...}; `events` with follow never ends: the
 *             client closes.
 * Commands: status, zones, zone-status ZONE, refresh ZONE, retransfer ZONE,
 * expiry [ZONE], events [follow], dump ZONE, reload, stop. Times are Unix
 * seconds. The fields of each answer are what control.c writes (cmd_*);
 * `rodnsctl --json COMMAND` prints the answer object as is.
 * The functions are in daemon_int.h. */
#ifndef RODNS_DAEMON_CONTROL_H
#define RODNS_DAEMON_CONTROL_H

#define CONTROL_PROTO	1
#define CONTROL_REQ_MAX 4096
/* A client that sends no complete request within this is dropped. */
#define CONTROL_TIMEOUT 10.0
/* Clients at once; more are refused. */
#define CONTROL_CLIENTS 64
/* Output a follower may have pending before events are skipped. */
#define CONTROL_FOLLOW_MAX (1u << 20)

#endif
