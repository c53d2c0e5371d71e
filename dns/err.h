/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* rodns — one error space for the whole project.
 *
 * RODNS_OK is 0. System errors are negative errno values (-ENOMEM, -EIO ...).
 * rodns-specific conditions are below -1000 so they never collide with errno.
 */
#ifndef RODNS_DNS_ERR_H
#define RODNS_DNS_ERR_H

enum {
	RODNS_OK = 0,
	RODNS_E_BASE = -1000,
	RODNS_E_TRUNC = -1001,        /* wire data ended early */
	RODNS_E_SPACE = -1002,        /* output buffer too small */
	RODNS_E_MALFORMED = -1003,    /* syntactically bad wire data (FORMERR) */
	RODNS_E_NAME_LOOP = -1004,    /* compression pointer not strictly backwards / too many hops */
	RODNS_E_NAME_LONG = -1005,    /* name over 255 octets */
	RODNS_E_LABEL = -1006,        /* bad label length or type (0x40/0x80 prefixes) */
	RODNS_E_RDATA = -1007,        /* RDATA does not fit its type's layout */
	RODNS_E_SYNTAX = -1008,       /* bad presentation-format text */
	RODNS_E_NOTFOUND = -1009,     /* lookup found nothing */
	RODNS_E_DIFF_NOMATCH = -1010, /* IXFR deletion of an RR that is not in the zone */
	RODNS_E_DIFF_EXISTS = -1011,  /* IXFR addition of an RR that is already in the zone */
	RODNS_E_STORE = -1012,        /* SQLite failed (see store_errmsg) */
	RODNS_E_STORE_CORRUPT = -1013, /* not a SQLite file, or a damaged one */
	RODNS_E_STORE_FOREIGN = -1014, /* a SQLite file that is not a rodns store */
	RODNS_E_STORE_NEWER = -1015,  /* schema written by a newer rodns */
	RODNS_E_STORE_FULL = -1016,   /* disk or page limit full; transaction rolled back */
	RODNS_E_STORE_BUSY = -1017,   /* locked by another writer */
	RODNS_E_OUT_OF_ZONE = -1018,  /* owner name not at or below the zone apex */
	RODNS_E_EDNS = -1019,         /* bad OPT record (several, wrong owner, bad option) */
	RODNS_E_UNSUPPORTED = -1020,  /* valid but not supported here */
	RODNS_E_XFR_ID = -1021,       /* transfer reply with the wrong message ID */
	RODNS_E_XFR_QUESTION = -1022, /* transfer reply does not echo our question */
	RODNS_E_XFR_RCODE = -1023,    /* the primary answered with an error RCODE */
	RODNS_E_XFR_SOA = -1024,      /* transfer not framed by matching SOA records */
	RODNS_E_XFR_SERIAL = -1025,   /* IXFR serial sequence has a gap or goes backwards */
	RODNS_E_XFR_LIMIT = -1026,    /* transfer over the configured RR or byte limit */
	RODNS_E_XFR_CLASS = -1027,    /* record of another class in the transfer */
	RODNS_E_XFR_TRAILING = -1028, /* data after the final SOA */
	RODNS_E_XFR_FLAGS = -1029,    /* not a response, wrong opcode, or TC over TCP */
	RODNS_E_TIMEOUT = -1030,      /* idle or total timeout */
	RODNS_E_CLOSED = -1031,       /* the peer closed the connection early */
	RODNS_E_TSIG_MISSING = -1032, /* a response that must be signed is not */
	RODNS_E_TSIG_BADSIG = -1033,  /* TSIG MAC does not verify */
	RODNS_E_TSIG_BADKEY = -1034,  /* unknown key or algorithm */
	RODNS_E_TSIG_BADTIME = -1035, /* signed time outside the fudge window */
	RODNS_E_TLS = -1036,          /* TLS handshake or session failure (reason says which) */
	RODNS_E_IPSEC = -1037,        /* no authenticated IPsec SA to the primary */
	RODNS_E_PERM = -1038,         /* a secret file is readable by others */
	RODNS_E_LAST = -1039,
};

/* A static, human-readable description of any rodns error code (never NULL). */
const char *rodns_strerror(int err);

#endif
