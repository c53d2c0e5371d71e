/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* RDATA layouts: one descriptor per type, a list of field kinds that the
 * reader, writer, checker, canonicaliser (dns/rr.c) and the printer
 * (dns/print.c) all walk, so that a type's wire format is written down once.
 *
 * Walking uncompressed RDATA:
 *
 *	const dns_rdesc_t *d = dns_rdesc(type);
 *	if (d == NULL || !dns_rdesc_known(d))
 *		... RFC 3597 opaque ...
 *	for (const uint8_t *k = d->f; *k != DNS_RDF_END; k++) {
 *		int l = dns_rdf_len(*k, p, left);
 *		if (l < 0) ... malformed ...
 *		... field *k is p[0 .. l) ...
 *		p += l, left -= l;
 *	}
 *	... left must be 0 (dns_rdata_check does all of this) ...
 */
#ifndef RODNS_DNS_RDESC_H
#define RODNS_DNS_RDESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Field kinds. The four name kinds differ in how the name travels:
 *   NAME_C  compressed on write and decompressed on read (RFC 3597 §4 list);
 *           lowercased in canonical form;
 *   NAME_D  never compressed on write, but a pointer is accepted on read
 *           (RFC 3597 §4 "SHOULD also decompress" list and friends);
 *           lowercased in canonical form (RFC 4034 §6.2);
 *   NAME_L  never compressed either way (a pointer is malformed);
 *           lowercased in canonical form (RRSIG signer);
 *   NAME_N  never compressed either way; kept as is in canonical form
 *           (NSEC next name per RFC 6840 §5.1, SVCB target, TSIG algorithm).
 * Kinds ending "to the end" must be the last field of a layout. */
enum {
	DNS_RDF_END = 0,
	DNS_RDF_NAME_C,
	DNS_RDF_NAME_D,
	DNS_RDF_NAME_L,
	DNS_RDF_NAME_N,
	DNS_RDF_U8,
	DNS_RDF_U16,
	DNS_RDF_U32,
	DNS_RDF_U48,    /* TSIG time signed */
	DNS_RDF_TYPE,   /* u16 printed as a type mnemonic (RRSIG type covered) */
	DNS_RDF_TIME,   /* u32 printed as YYYYMMDDHHmmSS (RRSIG, TKEY) */
	DNS_RDF_A,      /* 4 octets */
	DNS_RDF_AAAA,   /* 16 octets */
	DNS_RDF_STR,    /* one <character-string>: u8 length, octets */
	DNS_RDF_STRS,   /* one or more <character-string>s to the end (TXT) */
	DNS_RDF_SALT,   /* u8 length, octets; hex, "-" when empty (NSEC3) */
	DNS_RDF_HASH,   /* u8 length (>= 1), octets; base32hex (NSEC3 next) */
	DNS_RDF_BIN16,  /* u16 length, octets; base64 (TSIG/TKEY MAC, other) */
	DNS_RDF_BITMAP, /* NSEC type bitmap to the end, may be empty */
	DNS_RDF_B64,    /* octets to the end, base64 (keys, signatures) */
	DNS_RDF_HEX,    /* octets to the end, hex (digests, fingerprints) */
	DNS_RDF_SVCB,   /* SvcParams to the end (RFC 9460 §2.2), keys increasing */
	DNS_RDF_CAATAG, /* u8 length (>= 1), letters and digits (RFC 8659) */
	DNS_RDF_CAAVAL, /* octets to the end, printed as a quoted string */
	DNS_RDF_OPTS,   /* EDNS options to the end: u16 code, u16 length, data */
	DNS_RDF_WKSMAP, /* WKS port bitmap to the end */
	DNS_RDF_OPAQUE, /* octets to the end, printed RFC 3597 style (NULL) */
};

/* Enough for the longest layout (RRSIG: 9 fields) plus DNS_RDF_END. */
#define DNS_RDESC_FMAX 10

typedef struct {
	uint16_t type;
	const char *name;          /* mnemonic ("RRSIG") */
	uint8_t f[DNS_RDESC_FMAX]; /* field kinds, DNS_RDF_END-terminated */
} dns_rdesc_t;

/* The descriptor of a type, or NULL for a type without a mnemonic. A
 * descriptor with an empty field list (AXFR, ANY, NXT ...) names a type
 * whose RDATA rodns treats as opaque. */
const dns_rdesc_t *dns_rdesc(uint16_t type);

static inline bool dns_rdesc_known(const dns_rdesc_t *d)
{
	return d != NULL && d->f[0] != DNS_RDF_END;
}

static inline bool dns_rdf_is_name(uint8_t kind)
{
	return kind >= DNS_RDF_NAME_C && kind <= DNS_RDF_NAME_N;
}

/* Length of the field of the given kind at the start of p (n octets of
 * uncompressed RDATA left), after checking its inner format; fields "to the
 * end" take all n. Returns the length or RODNS_E_RDATA. */
int dns_rdf_len(uint8_t kind, const uint8_t *p, size_t n);

#endif
