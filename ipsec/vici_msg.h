/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* VICI, strongSwan's control protocol, without I/O: packets, the tagged
 * element stream inside them, a builder for requests, and the judgement of
 * one "list-sa" event against what a primary needs (ipsec/vici.c does the
 * socket work). Everything here is a pure function of its input buffers, so
 * the fuzz harness (tests/fuzz/fuzz_vici.c) and the unit tests drive it
 * directly.
 *
 * On the socket a packet is a 4-octet big-endian length and that many
 * octets of payload: a type octet, for the named types a name (one length
 * octet, then the name), then the message. A message is a sequence of
 * elements: SECTION_START(name), SECTION_END, KEY_VALUE(name, value),
 * LIST_START(name), LIST_ITEM(value), LIST_END; a name is one length octet
 * and the octets, a value two length octets (big-endian) and the octets. */
#ifndef RODNS_IPSEC_VICI_MSG_H
#define RODNS_IPSEC_VICI_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipsec/vici.h"

/* Packet types. */
enum {
	IPSEC_VICI_CMD_REQUEST = 0,
	IPSEC_VICI_CMD_RESPONSE = 1,
	IPSEC_VICI_CMD_UNKNOWN = 2,
	IPSEC_VICI_EVENT_REGISTER = 3,
	IPSEC_VICI_EVENT_UNREGISTER = 4,
	IPSEC_VICI_EVENT_CONFIRM = 5,
	IPSEC_VICI_EVENT_UNKNOWN = 6,
	IPSEC_VICI_EVENT = 7,
};

/* Element types. */
enum {
	IPSEC_VICI_SECTION_START = 1,
	IPSEC_VICI_SECTION_END = 2,
	IPSEC_VICI_KEY_VALUE = 3,
	IPSEC_VICI_LIST_START = 4,
	IPSEC_VICI_LIST_ITEM = 5,
	IPSEC_VICI_LIST_END = 6,
};

/* Largest packet payload accepted (charon's own limit is 512 KiB). */
#define IPSEC_VICI_PKT_MAX (512u * 1024)
/* Deepest section nesting accepted (list-sa events use 3). */
#define IPSEC_VICI_DEPTH_MAX 16

/* ---- packets ---- */

typedef struct {
	uint8_t type;
	const uint8_t *name; /* named types only (CMD_REQUEST, EVENT_*REGISTER, EVENT) */
	size_t name_len;
	const uint8_t *msg; /* the element stream, may be empty */
	size_t msg_len;
} ipsec_vici_pkt_t;

/* Splits one payload (what follows the length prefix; 1..IPSEC_VICI_PKT_MAX
 * octets) into type, name and message; the pointers point into buf.
 * RODNS_OK, or RODNS_E_MALFORMED for an unknown type, a name that runs past
 * the end or a bad length. */
int ipsec_vici_pkt_parse(const uint8_t *buf, size_t len, ipsec_vici_pkt_t *p);

/* true when p is a packet of type t named name (NULL: any name). */
bool ipsec_vici_pkt_is(const ipsec_vici_pkt_t *p, uint8_t t, const char *name);

/* ---- building messages and packets ---- */

/* A builder over a caller's buffer with a sticky error: after any call that
 * did not fit (or a name over 255 octets, a value over 65535) error is
 * RODNS_E_SPACE and nothing more is written. */
typedef struct {
	uint8_t *buf;
	size_t cap, len;
	int error;
} ipsec_vici_wr_t;

void ipsec_vici_wr_init(ipsec_vici_wr_t *w, uint8_t *buf, size_t cap);
void ipsec_vici_wr_section(ipsec_vici_wr_t *w, const char *name);
void ipsec_vici_wr_section_end(ipsec_vici_wr_t *w);
void ipsec_vici_wr_kv(ipsec_vici_wr_t *w, const char *name, const char *value);
void ipsec_vici_wr_list(ipsec_vici_wr_t *w, const char *name);
void ipsec_vici_wr_item(ipsec_vici_wr_t *w, const char *value);
void ipsec_vici_wr_list_end(ipsec_vici_wr_t *w);
/* Raw octets (tests use it to build malformed input). */
void ipsec_vici_wr_raw(ipsec_vici_wr_t *w, const void *p, size_t n);

/* Writes a whole packet, length prefix included, to out: type, name (NULL
 * for the unnamed types) and msg. Returns its length or RODNS_E_SPACE. */
int ipsec_vici_pkt_build(uint8_t type, const char *name, const uint8_t *msg, size_t msg_len,
			 uint8_t *out, size_t cap);

/* ---- reading the element stream ---- */

/* A reader that also checks the nesting: no section or key inside a list,
 * no item outside one, no end without its start, nothing left open at the
 * end, at most IPSEC_VICI_DEPTH_MAX sections deep. Errors are sticky. */
typedef struct {
	const uint8_t *p, *end;
	unsigned depth; /* sections open */
	bool in_list;
	int error;
} ipsec_vici_rd_t;

typedef struct {
	uint8_t type;
	const uint8_t *name; /* SECTION_START, KEY_VALUE, LIST_START */
	size_t name_len;
	const uint8_t *val; /* KEY_VALUE, LIST_ITEM */
	size_t val_len;
	unsigned depth; /* sections open around this element */
} ipsec_vici_el_t;

void ipsec_vici_rd_init(ipsec_vici_rd_t *r, const uint8_t *msg, size_t len);
/* 1 with *el filled; 0 at a well-formed end; RODNS_E_MALFORMED. */
int ipsec_vici_rd_next(ipsec_vici_rd_t *r, ipsec_vici_el_t *el);

/* Finds the top-level key name in msg and copies its value (a string without
 * NUL or control characters that fits cap) to out. RODNS_OK, RODNS_E_NOTFOUND,
 * or RODNS_E_MALFORMED (bad message, or a value that is not such a string). */
int ipsec_vici_msg_get(const uint8_t *msg, size_t len, const char *name, char *out, size_t cap);

/* ---- one IKE SA from a list-sa event ---- */

#define IPSEC_VICI_CHILD_MAX 16 /* CHILD SAs kept per IKE SA */
#define IPSEC_VICI_TS_MAX    16 /* traffic selectors kept per direction */

/* A traffic selector as charon prints it: "198.18.2.1/32",
 * "198.18.2.0..198.18.2.9", optionally followed by "[tcp/53]",
 * "[tcp/1024-65535]", "[tcp/domain]" or "[6]". */
typedef struct {
	char text[64];
	bool ok;		  /* parsed; false: kept only as text, never covers */
	uint8_t family;		  /* AF_INET or AF_INET6 */
	uint8_t from[16], to[16]; /* address range, network order */
	bool tcp;		  /* any protocol, or TCP */
	uint16_t port_lo, port_hi;
} ipsec_vici_ts_t;

typedef struct {
	char name[64];
	char state[24];
	ipsec_vici_ts_t local[IPSEC_VICI_TS_MAX], remote[IPSEC_VICI_TS_MAX];
	size_t n_local, n_remote;
} ipsec_vici_child_t;

typedef struct {
	char name[64];
	char state[24];
	char remote_id[512];
	bool remote_id_bad; /* too long or not text: matches nothing */
	ipsec_vici_child_t child[IPSEC_VICI_CHILD_MAX];
	size_t n_child;
	bool overflow; /* children or selectors beyond the caps were dropped */
} ipsec_vici_ike_t;

/* Parses the message of one list-sa event (exactly one top-level section,
 * the IKE SA). RODNS_OK or RODNS_E_MALFORMED (bad element stream, no or two
 * IKE SA sections, a key we use given twice). */
int ipsec_vici_ike_parse(const uint8_t *msg, size_t len, ipsec_vici_ike_t *ike);

/* Parses one traffic selector text into ts (ts->ok says whether it could). */
void ipsec_vici_ts_parse(const char *text, ipsec_vici_ts_t *ts);

/* true when ts covers TCP to the address and port of a. */
bool ipsec_vici_ts_covers(const ipsec_vici_ts_t *ts, const conf_addr_t *a);

/* true when two identities are equal once whitespace after separating
 * commas and at both ends is ignored ("O=X,CN=y" equals "O=X, CN=y"). */
bool ipsec_vici_id_eq(const char *a, const char *b);

/* How far an IKE SA gets towards what the primary needs; higher is closer. */
typedef enum {
	IPSEC_VICI_NO_ID = 0,	    /* another peer */
	IPSEC_VICI_NOT_ESTABLISHED, /* our peer, IKE SA not ESTABLISHED */
	IPSEC_VICI_NO_CHILD,	    /* established, no INSTALLED CHILD SA */
	IPSEC_VICI_NO_COVER,	    /* installed, remote TS does not cover the primary */
	IPSEC_VICI_NO_LOCAL,	    /* covers, but no local TS of the primary's family */
	IPSEC_VICI_MATCH,
} ipsec_vici_level_t;

/* Judges one IKE SA for the peer remote_id and the primary's address. On
 * IPSEC_VICI_MATCH fills sa (local_inner: the first address of the CHILD
 * SA's first local TS of the primary's family, port 0); otherwise why says
 * what is missing (empty for IPSEC_VICI_NO_ID). */
ipsec_vici_level_t ipsec_vici_judge(const ipsec_vici_ike_t *ike, const char *remote_id,
				    const conf_addr_t *primary, ipsec_sa_t *sa, char *why,
				    size_t cap);

#endif
