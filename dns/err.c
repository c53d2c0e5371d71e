/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
#include <string.h>

#include "dns/err.h"

const char *rodns_strerror(int err)
{
	switch (err) {
	case RODNS_OK: return "success";
	case RODNS_E_TRUNC: return "wire data truncated";
	case RODNS_E_SPACE: return "output buffer too small";
	case RODNS_E_MALFORMED: return "malformed message";
	case RODNS_E_NAME_LOOP: return "bad compression pointer (loop or forward pointer)";
	case RODNS_E_NAME_LONG: return "domain name longer than 255 octets";
	case RODNS_E_LABEL: return "bad label";
	case RODNS_E_RDATA: return "RDATA does not match its type";
	case RODNS_E_SYNTAX: return "syntax error";
	case RODNS_E_NOTFOUND: return "not found";
	case RODNS_E_DIFF_NOMATCH: return "IXFR deletes a record that is not in the zone";
	case RODNS_E_DIFF_EXISTS: return "IXFR adds a record that is already in the zone";
	case RODNS_E_STORE: return "SQLite store error";
	case RODNS_E_STORE_CORRUPT: return "store file is damaged or not a SQLite database";
	case RODNS_E_STORE_FOREIGN: return "SQLite file is not a rodns store";
	case RODNS_E_STORE_NEWER: return "store schema is from a newer rodns";
	case RODNS_E_STORE_FULL: return "store is full (disk or page limit); change rolled back";
	case RODNS_E_STORE_BUSY: return "store is locked by another writer";
	case RODNS_E_OUT_OF_ZONE: return "record owner is outside the zone";
	case RODNS_E_EDNS: return "bad EDNS0 OPT record";
	case RODNS_E_UNSUPPORTED: return "not supported";
	case RODNS_E_XFR_ID: return "transfer reply has the wrong message ID";
	case RODNS_E_XFR_QUESTION: return "transfer reply does not match the question";
	case RODNS_E_XFR_RCODE: return "primary answered with an error";
	case RODNS_E_XFR_SOA: return "transfer is not framed by matching SOA records";
	case RODNS_E_XFR_SERIAL: return "IXFR serials have a gap or go backwards";
	case RODNS_E_XFR_LIMIT: return "transfer exceeds the configured size limit";
	case RODNS_E_XFR_CLASS: return "transfer holds a record of another class";
	case RODNS_E_XFR_TRAILING: return "data after the final SOA of a transfer";
	case RODNS_E_XFR_FLAGS: return "transfer reply has bad header flags";
	case RODNS_E_TIMEOUT: return "timed out";
	case RODNS_E_CLOSED: return "connection closed early";
	case RODNS_E_TSIG_MISSING: return "TSIG missing on a message that must be signed";
	case RODNS_E_TSIG_BADSIG: return "TSIG signature does not verify (BADSIG)";
	case RODNS_E_TSIG_BADKEY: return "TSIG key or algorithm not known (BADKEY)";
	case RODNS_E_TSIG_BADTIME: return "TSIG time outside the allowed window (BADTIME)";
	case RODNS_E_TLS: return "TLS session failed";
	case RODNS_E_IPSEC: return "no authenticated IPsec SA to the primary";
	case RODNS_E_PERM: return "secret file is readable by group or others";
	default: break;
	}
	if (err < 0 && err > RODNS_E_BASE)
		return strerror(-err);
	return "unknown error";
}
