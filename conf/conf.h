/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Configuration: one YAML file (libyaml) loaded into typed, validated structs.
 *
 * conf_load() reads the whole file, checks every key and value, and either
 * returns a complete conf_t or reports every problem it found, one per line,
 * as "FILE:LINE:COLUMN: message" (1-based, sorted by position). Secrets are
 * never echoed in messages.
 *
 * A loaded conf_t is immutable: share it read-only between threads, replace
 * it whole on reload. Every default is filled in at load time, so readers
 * never need to know what was written and what was implied.
 *
 * Paths: a relative `store` is taken relative to server.state-dir; every other
 * relative path relative to the directory of the configuration file. The
 * structs hold the resolved paths.
 */
#ifndef RODNS_CONF_CONF_H
#define RODNS_CONF_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dns/name.h"

/* Defaults (documented again in conf/rodns.example.yaml). Times in seconds. */
#define CONF_DEF_PORT              53
#define CONF_DEF_TLS_PORT          853
#define CONF_DEF_METRICS           "127.0.0.1@9353"
#define CONF_DEF_METRICS_PORT      9353
#define CONF_DEF_STATE_DIR         "/var/lib/rodns"
#define CONF_DEF_CONTROL           "/run/rodns/control.sock"
#define CONF_DEF_STORE_FILE        "rodns.sqlite"
#define CONF_DEF_UDP_PAYLOAD       1232
#define CONF_DEF_ANSWER_CACHE      128 /* MiB in all, shared out among the query workers */
#define CONF_DEF_TCP_IDLE          10
#define CONF_DEF_TCP_CLIENTS       100
#define CONF_DEF_HOOK_TIMEOUT      30
#define CONF_DEF_REPEAT            3600
#define CONF_DEF_REFRESH_MIN       60
#define CONF_DEF_REFRESH_MAX       86400
#define CONF_DEF_RETRY_MIN         10
#define CONF_DEF_RETRY_MAX         3600
#define CONF_DEF_EXPIRE_MIN        3600
#define CONF_DEF_EXPIRE_MAX        (28 * 86400)
#define CONF_DEF_EXPIRY_WARNING    (7 * 86400)
#define CONF_DEF_MAX_RRS           20000000ULL
#define CONF_DEF_MAX_BYTES         (4ULL << 30)
#define CONF_DEF_XFR_IDLE_TIMEOUT  60
#define CONF_DEF_XFR_TIMEOUT       7200
#define CONF_DEF_VICI              "/var/run/charon.vici" /* = IPSEC_VICI_SOCKET */

/* Largest list lengths accepted (a config beyond these is a mistake). */
#define CONF_MAX_LISTEN    64
#define CONF_MAX_PRIMARIES 32
#define CONF_MAX_ACL       4096

/* TLS protocol versions, numerically equal to OpenSSL's TLS1_x_VERSION so
 * they go straight into SSL_CTX_set_min_proto_version(). */
#define CONF_TLS_V12 0x0303
#define CONF_TLS_V13 0x0304

/* A socket address with its port: listen, metrics, primary, source. */
typedef struct {
	struct sockaddr_storage ss; /* AF_INET or AF_INET6, port set */
	socklen_t len;              /* sizeof(sockaddr_in) or sizeof(sockaddr_in6) */
} conf_addr_t;

/* An address prefix: "192.0.2.0/24", "2001:db8::/32", "192.0.2.1" (= /32). */
typedef struct {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t bits;   /* prefix length, 0..32 or 0..128 */
	uint8_t addr[16];
} conf_prefix_t;

/* An address match list (empty: matches nothing). */
typedef struct {
	conf_prefix_t *v;
	size_t n;
} conf_acl_t;

typedef enum {
	CONF_LOG_DEBUG,
	CONF_LOG_INFO,
	CONF_LOG_NOTICE,
	CONF_LOG_WARNING,
	CONF_LOG_ERROR,
} conf_log_level_t;

typedef enum {
	CONF_TSIG_HMAC_MD5,    /* legacy: only with `legacy: true` */
	CONF_TSIG_HMAC_SHA1,   /* legacy: only with `legacy: true` */
	CONF_TSIG_HMAC_SHA256,
	CONF_TSIG_HMAC_SHA384,
	CONF_TSIG_HMAC_SHA512,
} conf_tsig_alg_t;

typedef enum {
	CONF_XPORT_TCP,   /* plain TCP (TSIG, if any, is the only protection) */
	CONF_XPORT_TLS,   /* XFR-over-TLS, RFC 9103, with a `tls` profile */
	CONF_XPORT_IPSEC, /* TCP inside an IPsec SA whose peer is `ipsec-id` */
} conf_transport_t;

/* Response rate limiting (server.rrl), in the manner of Knot's and NSD's
 * RRL: a token bucket per client prefix and answer class. */
typedef struct {
	uint32_t rate;        /* answers per second per prefix and class; 0: off (default) */
	unsigned slip;        /* every Nth limited answer goes out truncated; 0: none, 1: all */
	unsigned ipv4_prefix; /* client prefix length, default 24 */
	unsigned ipv6_prefix; /* default 56 */
	conf_acl_t exempt;    /* sources never limited (the whitelist) */
	unsigned table_size;  /* buckets (a power of two is used), default 65536 */
} conf_rrl_t;

#define CONF_NSID_MAX 128

typedef struct {
	conf_addr_t *listen;  /* default 0.0.0.0@53 and ::@53 (serve/ sets IPV6_V6ONLY) */
	size_t n_listen;
	unsigned workers;     /* default: online CPUs */
	char *user;           /* NULL: keep the starting user */
	char *group;          /* NULL: the user's primary group */
	char *state_dir;
	char *control;        /* unix socket path for rodnsctl */
	bool metrics_on;      /* false when `metrics: off` */
	conf_addr_t metrics;  /* Prometheus listener, valid when metrics_on */
	uint16_t max_udp_payload; /* 512..4096 */
	uint32_t tcp_idle_timeout;
	unsigned tcp_max_clients;
	unsigned answer_cache; /* MiB in all, 0..65536; 0: off */
	bool steer_by_name;    /* UDP questions to workers by name; default true */
	char *vici;           /* strongSwan's VICI socket, for transport ipsec */
	uint8_t *nsid;        /* RFC 5001 NSID payload; NULL: none */
	size_t nsid_len;
	bool cookies;         /* RFC 7873/9018 server cookies; default true */
	conf_rrl_t rrl;
} conf_server_t;

typedef struct {
	conf_log_level_t level; /* default info */
} conf_log_t;

typedef struct {
	char *file;            /* JSON-lines file, NULL: none */
	bool syslog;           /* default true */
	char *syslog_socket;   /* datagram socket syslog lines go to; NULL: syslog(3), /dev/log */
	char *hook;            /* command run per event, NULL: none */
	uint32_t hook_timeout; /* the hook is killed after this */
	uint32_t repeat;       /* re-raise a standing condition this often; 0: once */
} conf_events_t;

typedef struct {
	dns_name_t name;  /* the key name as it appears in the TSIG RR */
	char *name_text;  /* the same, presentation form with final dot */
	conf_tsig_alg_t alg;
	bool legacy;
	uint8_t *secret;  /* decoded; wiped by conf_free */
	size_t secret_len;
} conf_tsig_t;

typedef struct {
	char *name;
	char *cert;       /* our client certificate (PEM); NULL with key NULL: none */
	char *key;        /* its private key (PEM) */
	char *ca;         /* CA bundle that must have issued the primary's cert */
	char *hostname;   /* name the primary's certificate must carry */
	bool has_pin;
	uint8_t pin[32];  /* SHA-256 of the primary's SubjectPublicKeyInfo */
	int min_version;  /* CONF_TLS_V12 or CONF_TLS_V13 (default) */
} conf_tls_t;

typedef struct {
	conf_addr_t addr;           /* port default 53, 853 with transport tls */
	conf_transport_t transport; /* default tcp */
	const conf_tsig_t *tsig;    /* NULL: no TSIG */
	const conf_tls_t *tls;      /* set iff transport is tls */
	char *ipsec_id;             /* set iff transport is ipsec: peer identity */
	char *ipsec_initiate;       /* CHILD config charon brings up when no SA; NULL: none */
	bool has_source;
	conf_addr_t source;         /* local address to bind (port 0: any) */
} conf_primary_t;

/* Clamps applied to the zone's SOA timers (as NSD and Knot do). */
typedef struct {
	uint32_t refresh_min, refresh_max;
	uint32_t retry_min, retry_max;
	uint32_t expire_min, expire_max;
} conf_soa_bounds_t;

/* Limits on one incoming transfer. */
typedef struct {
	uint64_t max_rrs;      /* records in one AXFR or IXFR */
	uint64_t max_bytes;    /* wire octets of one transfer */
	uint32_t idle_timeout; /* longest wait for the next message */
	uint32_t timeout;      /* longest whole transfer */
} conf_xfr_limits_t;

typedef struct {
	dns_name_t name;
	char *name_text;            /* presentation form with final dot */
	conf_primary_t *primaries;  /* tried in this order; at least one */
	size_t n_primaries;
	char *store;                /* SQLite file; default STATE_DIR/rodns.sqlite (shared) */
	conf_acl_t notify_from;     /* default: the primaries' addresses */
	conf_acl_t allow_transfer;  /* downstream AXFR/IXFR clients; default none */
	conf_soa_bounds_t bounds;
	conf_xfr_limits_t limits;
	uint32_t force_axfr_interval; /* full transfer at least this often; 0: off */
	uint32_t expiry_warning;    /* xfr/ uses max(this, SOA refresh + retry) */
	bool validate;              /* check DNSSEC signatures of each transfer */
	char *trust_anchor;         /* DS/DNSKEY file; NULL: the zone's own DNSKEY set */
	bool require_zonemd;        /* reject transfers without a valid ZONEMD */
} conf_zone_t;

typedef struct {
	char *path;                 /* the file loaded, as given */
	conf_server_t server;
	conf_log_t log;
	conf_events_t events;
	conf_tsig_t *tsig;
	size_t n_tsig;
	conf_tls_t *tls;
	size_t n_tls;
	conf_zone_t *zones;         /* in file order */
	size_t n_zones;
	const conf_zone_t **zone_index; /* private to conf/: zones sorted by name */
} conf_t;

/* Loads and validates path. On success *out is a new conf_t (conf_free it)
 * and RODNS_OK is returned. On failure *out is NULL, err holds every problem
 * ("FILE:LINE:COLUMN: message\n" each, truncated at a line boundary to fit
 * errcap; err may be NULL), and the result is RODNS_E_SYNTAX for anything
 * wrong inside the file or a negative errno when the file cannot be read. */
int conf_load(const char *path, conf_t **out, char *err, size_t errcap);

/* The same from memory; name is used in messages and as the base for
 * relative paths (its directory). */
int conf_load_mem(const char *name, const char *text, size_t len, conf_t **out, char *err,
		  size_t errcap);

/* Frees everything, wiping TSIG secrets. conf_free(NULL) is fine. */
void conf_free(conf_t *c);

/* Lookups; NULL when absent. Zone and key names compare case-insensitively. */
const conf_zone_t *conf_zone_find(const conf_t *c, const dns_name_t *name);
const conf_tsig_t *conf_tsig_find(const conf_t *c, const dns_name_t *name);
const conf_tls_t *conf_tls_find(const conf_t *c, const char *name);

/* true when sa (AF_INET or AF_INET6; v4-mapped IPv6 counts as IPv4) lies in
 * one of acl's prefixes. */
bool conf_acl_match(const conf_acl_t *acl, const struct sockaddr *sa);

/* Static names for enums ("hmac-sha256", "tls", "warning"). */
const char *conf_tsig_alg_name(conf_tsig_alg_t alg);
const char *conf_transport_name(conf_transport_t t);
const char *conf_log_level_name(conf_log_level_t l);

/* Value parsers, shared with rodnsctl. Each returns RODNS_OK or
 * RODNS_E_SYNTAX (out untouched on error). */

/* "3600", "90s", "15m", "1h30m", "7d", "2w": seconds, at most UINT32_MAX. */
int conf_parse_duration(const char *s, uint32_t *out);
/* "4096", "64k", "512M", "4G", "1T" (binary multiples, optional "iB"). */
int conf_parse_size(const char *s, uint64_t *out);
/* yes/no, true/false, on/off (any case). */
int conf_parse_bool(const char *s, bool *out);
/* "192.0.2.1", "192.0.2.1@53", "192.0.2.1:53", "::1", "::1@53", "[::1]:53",
 * "[::1]@53". A missing port becomes def_port. Port 0 is an error unless
 * def_port is 0 too (a bind source). */
int conf_parse_addr(const char *s, uint16_t def_port, conf_addr_t *out);
/* "192.0.2.0/24", "2001:db8::/32", "192.0.2.1"; host bits must be zero. */
int conf_parse_prefix(const char *s, conf_prefix_t *out);

/* "192.0.2.1@53" or "2001:db8::1@53". Returns the length or RODNS_E_SPACE. */
int conf_addr_to_text(const conf_addr_t *a, char *buf, size_t cap);

#endif
