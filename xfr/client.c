/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* SOA probe and transfers with fallbacks: see client.h. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "dns/msg.h"
#include "ipsec/tsig.h"
#include "xfr/client.h"

static uint16_t new_id(void)
{
	uint16_t id;
	if (getrandom(&id, sizeof(id), 0) != (ssize_t)sizeof(id))
		id = (uint16_t)(time(NULL) ^ getpid());
	return id;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Checks a reply to our SOA query and extracts the serial. */
/* The primary's EDNS EXPIRE (RFC 7314 §2: four octets of seconds) in m's
 * OPT; -1 when it sent none or one of another length. */
static int64_t expire_of(const dns_msg_t *m)
{
	const uint8_t *p;
	if (dns_edns_opt(m, DNS_OPT_EXPIRE, &p) != 4)
		return -1;
	return (int64_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

/* What one SOA reply said besides the serial. */
typedef struct {
	int64_t expire; /* its EDNS EXPIRE, -1: none */
	int rcode;      /* its RCODE (header bits) */
	bool opt;       /* it had an OPT */
} soa_extra_t;

static int soa_from_reply(const uint8_t *buf, size_t len, uint16_t id, const dns_name_t *zone,
			  uint32_t *serial, soa_extra_t *ex, bool *tc, char *reason, size_t cap)
{
	dns_msg_t m;
	int rc = dns_msg_parse(&m, buf, len);
	if (rc != RODNS_OK) {
		snprintf(reason, cap, "malformed SOA reply: %s", rodns_strerror(rc));
		return rc;
	}
	if (m.id != id || !(m.flags & DNS_F_QR) || m.count[DNS_SEC_QD] != 1 ||
	    m.qtype != DNS_T_SOA || !dns_name_eq(&m.qname, zone)) {
		snprintf(reason, cap, "SOA reply does not match our query");
		return RODNS_E_XFR_QUESTION;
	}
	ex->rcode = DNS_RCODE(m.flags);
	ex->opt = m.edns.present;
	*tc = (m.flags & DNS_F_TC) != 0;
	if (*tc)
		return RODNS_OK;
	ex->expire = expire_of(&m);
	if (DNS_RCODE(m.flags) != DNS_RC_NOERROR || !(m.flags & DNS_F_AA)) {
		snprintf(reason, cap, "primary is not authoritative for the zone (RCODE %u, AA %u)",
			 DNS_RCODE(m.flags), (m.flags & DNS_F_AA) ? 1u : 0u);
		return RODNS_E_XFR_RCODE;
	}
	dns_rrcur_t c;
	dns_rr_t rr;
	uint8_t rd[DNS_NAME_MAX * 2 + 32];
	dns_rrcur_init(&c, &m, DNS_SEC_AN);
	while ((rc = dns_rrcur_next(&c, &rr, rd, sizeof(rd))) == 1) {
		if (rr.type == DNS_T_SOA && dns_name_eq(&rr.owner, zone) && rr.rdlen >= 20) {
			const uint8_t *f = rr.rdata + rr.rdlen - 20;
			*serial = ((uint32_t)f[0] << 24) | ((uint32_t)f[1] << 16) |
				  ((uint32_t)f[2] << 8) | f[3];
			return RODNS_OK;
		}
	}
	snprintf(reason, cap, "SOA reply has no SOA for the zone");
	return RODNS_E_XFR_SOA;
}

/* The SOA query, with an EDNS EXPIRE option (RFC 7314 §3): a primary that
 * is itself a secondary tells how long its own copy has left, which may be
 * less than the SOA's EXPIRE field. */
static int build_soa_query(uint8_t *buf, size_t cap, uint16_t id, const dns_name_t *zone,
			   bool edns)
{
	static const uint8_t expire[4] = {0, DNS_OPT_EXPIRE, 0, 0};
	dns_mbuild_t b;
	dns_mbuild_init(&b, buf, cap, id, 0);
	int rc = dns_mbuild_question(&b, zone, DNS_T_SOA, DNS_C_IN);
	if (rc == RODNS_OK && edns)
		rc = dns_mbuild_opt(&b, 1232, 0, 0, 0, expire, sizeof(expire));
	return rc == RODNS_OK ? dns_mbuild_finish(&b) : rc;
}

/* One UDP exchange; returns the reply length or an error. */
static int udp_exchange(const xfr_primary_t *p, const uint8_t *q, size_t qlen, uint8_t *buf,
			size_t cap, int timeout_ms)
{
	int fd = socket(p->udp_to->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int rc = RODNS_OK;
	if (p->udp_from && bind(fd, (const struct sockaddr *)&p->udp_from->ss, p->udp_from->len))
		rc = -errno;
	if (rc == RODNS_OK &&
	    connect(fd, (const struct sockaddr *)&p->udp_to->ss, p->udp_to->len) < 0)
		rc = -errno;
	if (rc == RODNS_OK && send(fd, q, qlen, 0) < 0)
		rc = -errno;
	/* wait for a datagram with our ID until the deadline: a stray or
	 * spoofed reply must not end the probe */
	int64_t deadline = now_ms() + timeout_ms;
	while (rc == RODNS_OK) {
		int64_t left = deadline - now_ms();
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		int n = left > 0 ? poll(&pf, 1, (int)left) : 0;
		if (n == 0) {
			rc = RODNS_E_TIMEOUT;
			break;
		}
		if (n < 0) {
			rc = errno == EINTR ? RODNS_OK : -errno;
			continue;
		}
		ssize_t r = recv(fd, buf, cap, 0);
		if (r < 0) {
			rc = -errno;
			break;
		}
		if (r >= 2 && buf[0] == q[0] && buf[1] == q[1]) {
			rc = (int)r;
			break;
		}
	}
	close(fd);
	return rc;
}

static int stream_exchange(const xfr_primary_t *p, const uint8_t *q, size_t qlen, uint8_t *buf,
			   size_t cap, const xfr_limits_t *lim, char *reason, size_t rcap)
{
	xfr_stream_t st;
	char why[256] = "";
	int rc = p->connect(p->arg, &st, why, sizeof(why));
	if (rc != RODNS_OK) {
		snprintf(reason, rcap, "connect: %s", why[0] ? why : rodns_strerror(rc));
		return rc;
	}
	size_t len = 0;
	rc = xfr_stream_send(&st, q, qlen, lim->idle_ms);
	if (rc == RODNS_OK)
		rc = xfr_stream_recv(&st, buf, cap, &len, lim->idle_ms);
	xfr_stream_close(&st);
	if (rc != RODNS_OK) {
		snprintf(reason, rcap, "SOA query over %s: %s", p->transport, rodns_strerror(rc));
		return rc;
	}
	return (int)len;
}

static bool is_tsig_error(int rc)
{
	return rc <= RODNS_E_TSIG_MISSING && rc >= RODNS_E_TSIG_BADTIME;
}

/* Signs a query in place when the primary has a TSIG key (*t stays NULL
 * when it has none). */
static int sign_query(const xfr_primary_t *p, const char *what, uint8_t *q, size_t *qlen,
		      size_t cap, ipsec_tsig_t **t, char *reason, size_t rcap)
{
	*t = NULL;
	if (!p->tsig)
		return RODNS_OK;
	int rc = ipsec_tsig_sign(p->tsig, q, qlen, cap, (int64_t)time(NULL), t);
	if (rc != RODNS_OK)
		snprintf(reason, rcap, "signing the %s with TSIG key %s: %s", what,
			 p->tsig->name_text, rodns_strerror(rc));
	return rc;
}

/* Checks an SOA reply, its TSIG included. The TSIG is checked also when the
 * RCODE is an error: a primary that rejects our key answers NOTAUTH, and
 * the TSIG error says why better than the RCODE. A reply to another query,
 * or a malformed one, fails as such. A truncated reply is not checked for
 * TSIG: nothing in it is used, the retry over the stream is checked
 * instead. */
static int check_soa_reply(ipsec_tsig_t *t, const uint8_t *buf, size_t len, uint16_t id,
			   const dns_name_t *zone, uint32_t *serial, soa_extra_t *ex, bool *tc,
			   char *reason, size_t cap)
{
	int rc = soa_from_reply(buf, len, id, zone, serial, ex, tc, reason, cap);
	if (!t || (rc == RODNS_OK && *tc) || (rc != RODNS_OK && rc != RODNS_E_XFR_RCODE))
		return rc;
	char why[256];
	int v = ipsec_tsig_verify(t, buf, len, 1, (int64_t)time(NULL), why, sizeof(why));
	if (v != RODNS_OK) {
		snprintf(reason, cap, "SOA reply: TSIG: %s", why);
		return v;
	}
	return rc;
}

/* One SOA probe, with or without EDNS (and its EXPIRE option). */
static int soa_probe(const xfr_primary_t *p, const dns_name_t *zone, const xfr_limits_t *lim,
		     bool edns, uint32_t *serial, xfr_expire_t *expire, soa_extra_t *ex,
		     char *reason, size_t cap)
{
	uint8_t q[1024], buf[65535];
	uint16_t id = new_id();
	ipsec_tsig_t *t = NULL;
	reason[0] = '\0';
	*ex = (soa_extra_t){.expire = -1, .rcode = -1};
	int rc = build_soa_query(q, sizeof(q), id, zone, edns);
	if (rc < 0)
		return rc;
	size_t qlen = (size_t)rc;
	rc = sign_query(p, "SOA query", q, &qlen, sizeof(q), &t, reason, cap);
	if (rc != RODNS_OK)
		return rc;
	bool tc = false;
	if (p->udp_to) {
		rc = RODNS_E_TIMEOUT;
		/* three tries, as a resolver would, within the connect budget */
		for (int i = 0; i < 3 && rc == RODNS_E_TIMEOUT; i++)
			rc = udp_exchange(p, q, qlen, buf, sizeof(buf), lim->connect_ms / 3 + 1);
		if (rc < 0)
			snprintf(reason, cap, "SOA query over UDP: %s", rodns_strerror(rc));
		else
			rc = check_soa_reply(t, buf, (size_t)rc, id, zone, serial, ex, &tc,
					     reason, cap);
		if (rc != RODNS_OK || !tc) {
			/* plain UDP can be spoofed off-path: only a signed
			 * reply's EXPIRE counts as the primary's word */
			expire->authenticated = t != NULL;
			goto out;
		}
	}
	rc = stream_exchange(p, q, qlen, buf, sizeof(buf), lim, reason, cap);
	if (rc < 0)
		goto out;
	rc = check_soa_reply(t, buf, (size_t)rc, id, zone, serial, ex, &tc, reason, cap);
	expire->authenticated = true; /* a stream: TCP, TLS or through IPsec */
	if (rc == RODNS_OK && tc) {
		snprintf(reason, cap, "SOA reply truncated over %s", p->transport);
		rc = RODNS_E_MALFORMED;
	}
out:
	expire->seconds = rc == RODNS_OK ? ex->expire : -1;
	ipsec_tsig_free(t);
	return rc;
}

int xfr_soa_probe(const xfr_primary_t *p, const dns_name_t *zone, const xfr_limits_t *lim,
		  uint32_t *serial, xfr_expire_t *expire, char *reason, size_t cap)
{
	soa_extra_t ex;
	*expire = (xfr_expire_t){.seconds = -1};
	int rc = soa_probe(p, zone, lim, true, serial, expire, &ex, reason, cap);
	/* RFC 6891 §7: a primary that does not take EDNS (FORMERR or NOTIMP
	 * and no OPT back) is asked again without it */
	if (rc == RODNS_E_XFR_RCODE && !ex.opt &&
	    (ex.rcode == DNS_RC_FORMERR || ex.rcode == DNS_RC_NOTIMP))
		rc = soa_probe(p, zone, lim, false, serial, expire, &ex, reason, cap);
	return rc;
}

/* Copies the stored SOA RR (for the IXFR query's authority section). */
typedef struct {
	dns_rr_t rr;
	uint8_t rdata[DNS_NAME_MAX * 2 + 32];
	bool found;
} soa_copy_t;

static int copy_soa(void *arg, const dns_rr_t *rr)
{
	soa_copy_t *c = arg;
	if (rr->rdlen > sizeof(c->rdata))
		return 1;
	c->rr = *rr;
	memcpy(c->rdata, rr->rdata, rr->rdlen);
	c->rr.rdata = c->rdata;
	c->found = true;
	return 1;
}

/* Whether a message carries a TSIG (it parsed once already). */
static bool msg_signed(const uint8_t *buf, size_t len)
{
	dns_msg_t m;
	return dns_msg_parse(&m, buf, len) == RODNS_OK && m.has_tsig;
}

/* Receives, verifies and applies the transfer's messages until the last
 * one. Each message's TSIG is checked before xfrin sees it; only xfrin
 * knows which message is the last, so its being signed is checked after
 * (nothing is committed before that). */
static int receive(xfr_stream_t *st, xfr_in_t *x, ipsec_tsig_t *t, const xfr_limits_t *lim,
		   uint8_t *buf, size_t cap, char *why, size_t wcap)
{
	int64_t deadline = now_ms() + lim->total_ms;
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return RODNS_E_TIMEOUT;
		size_t len = 0;
		int rc = xfr_stream_recv(st, buf, cap, &len,
					 left < lim->idle_ms ? (int)left : lim->idle_ms);
		if (rc == RODNS_OK && t)
			rc = ipsec_tsig_verify(t, buf, len, 0, (int64_t)time(NULL), why, wcap);
		if (rc == RODNS_OK)
			rc = xfr_in_message(x, buf, len);
		if (rc == 1 && t && !msg_signed(buf, len)) {
			snprintf(why, wcap, "the last message of the answer is not signed "
					    "(TSIG missing)");
			return RODNS_E_TSIG_MISSING;
		}
		if (rc != RODNS_OK)
			return rc;
	}
}

/* Runs one transfer over a fresh connection. */
static int transfer(store_t *s, store_zone_t *meta, const xfr_primary_t *p,
		    const xfr_limits_t *lim, uint16_t qtype, const dns_rr_t *soa,
		    xfr_pull_result_t *out)
{
	static __thread uint8_t buf[65535];
	const char *kind = qtype == DNS_T_IXFR ? "IXFR" : "AXFR";
	xfr_in_params_t prm = {.zone = meta->name, .qtype = qtype, .id = new_id(),
			       .serial = meta->serial,
			       .have_serial = meta->state != STORE_ZONE_EMPTY,
			       .max_rrs = lim->max_rrs,
			       .max_bytes = lim->max_bytes,
			       .validate = lim->validate,
			       .validate_arg = lim->validate_arg,
			       .pre_commit = lim->pre_commit,
			       .pre_commit_arg = lim->pre_commit_arg};
	int qlen = xfr_in_query(buf, sizeof(buf), &prm, soa);
	if (qlen < 0)
		return qlen;
	size_t ql = (size_t)qlen;
	char why[256] = "";
	ipsec_tsig_t *t = NULL;
	int rc = sign_query(p, qtype == DNS_T_IXFR ? "IXFR query" : "AXFR query", buf, &ql,
			    sizeof(buf), &t, why, sizeof(why));
	if (rc != RODNS_OK) {
		snprintf(out->reason, sizeof(out->reason), "%s: %s", kind, why);
		return rc;
	}
	xfr_stream_t st;
	rc = p->connect(p->arg, &st, why, sizeof(why));
	if (rc != RODNS_OK) {
		snprintf(out->reason, sizeof(out->reason), "connect: %s",
			 why[0] ? why : rodns_strerror(rc));
		ipsec_tsig_free(t);
		return rc;
	}
	why[0] = '\0';
	xfr_in_t *x = NULL;
	rc = xfr_in_new(s, meta->id, &prm, &x);
	if (rc == RODNS_OK)
		rc = xfr_stream_send(&st, buf, ql, lim->idle_ms);
	if (rc == RODNS_OK)
		rc = receive(&st, x, t, lim, buf, sizeof(buf), why, sizeof(why));
	if (rc == 1)
		rc = xfr_in_commit(x, meta);
	xfr_stream_close(&st);
	ipsec_tsig_free(t);
	if (x) {
		out->res = *xfr_in_result(x);
		if (rc != RODNS_OK) {
			const char *r = xfr_in_reason(x);
			if (why[0])
				snprintf(out->reason, sizeof(out->reason), "%s: TSIG: %s", kind,
					 why);
			else
				snprintf(out->reason, sizeof(out->reason), "%s: %s", kind,
					 r[0] ? r : rodns_strerror(rc));
		}
	}
	xfr_in_free(x);
	return rc;
}

int xfr_pull(store_t *s, store_zone_t *meta, const xfr_primary_t *p, const xfr_limits_t *lim,
	     bool want_axfr, xfr_pull_result_t *out)
{
	memset(out, 0, sizeof(*out));
	soa_copy_t soa = {.found = false};
	if (!want_axfr && meta->state != STORE_ZONE_EMPTY)
		store_rrset(s, meta->id, &meta->name, DNS_T_SOA, 0, copy_soa, &soa);
	if (soa.found) {
		int rc = transfer(s, meta, p, lim, DNS_T_IXFR, &soa.rr, out);
		/* a TSIG failure is forgery or a wrong key: asking the same
		 * primary for more data will not help */
		if (rc == RODNS_OK || strncmp(out->reason, "connect:", 8) == 0 ||
		    is_tsig_error(rc))
			return rc;
		/* Whatever went wrong with the IXFR (refused, inexact, cut off),
		 * a full transfer is the way back to the primary's exact data. */
		snprintf(out->ixfr_reason, sizeof(out->ixfr_reason), "%s", out->reason);
		out->reason[0] = '\0';
		out->fell_back = true;
	}
	return transfer(s, meta, p, lim, DNS_T_AXFR, NULL, out);
}
