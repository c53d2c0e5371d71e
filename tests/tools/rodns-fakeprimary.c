/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* rodns-fakeprimary: a scripted primary for transfer tests. It sits in front
 * of a real primary (BIND), forwards every query to it (UDP for ordinary
 * queries, TCP for AXFR/IXFR), parses each reply message, applies a
 * mutation, rebuilds the messages (fresh compression per message) and sends
 * them on. IPv4 only; one TCP client at a time; every wait is bounded.
 *
 *   rodns-fakeprimary -p PORT -u UPSTREAM_PORT [-a ADDR] [-U ADDR]
 *                     [-m MODE] [-n N] [-c CONTROL_FILE] [-t SECONDS]
 *
 * MODE: pass bad-id truncate flip ixfr-bad-delete ixfr-dup-add
 * ixfr-omit-rrsig-del serial-down serial-down-xfr ixfr-gap out-of-zone
 * rcode=N axfr-style-ixfr single-soa tsig-flip tamper-a drop-rrsig drop-nsec
 * no-edns (see modes[] below). In
 * tsig-flip mode every reply is passed on exactly as the upstream sent it
 * (so its TSIGs stay valid) except for one RDATA octet. -n N mutates
 * only the Nth transfer (AXFR or IXFR query) since the mode was set; 0, the
 * default, mutates every one. With -c, the first line of CONTROL_FILE
 * ("MODE [N]") is read before every query and overrides -m/-n; changing it
 * restarts the transfer count. One line per query goes to stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns/msg.h"

#define MAX_MSGS    4096
#define MAX_RRS     1000000
#define MAX_BYTES   (64u << 20)
#define MSG_MAX     65535
#define SERIAL_DOWN 100 /* how far serial-down moves the serial back */

enum mode {
	M_PASS, M_BAD_ID, M_TRUNCATE, M_FLIP, M_BAD_DELETE, M_DUP_ADD, M_OMIT_RRSIG_DEL,
	M_SERIAL_DOWN, M_SERIAL_DOWN_XFR, M_GAP, M_OUT_OF_ZONE, M_RCODE, M_AXFR_STYLE,
	M_SINGLE_SOA, M_TSIG_FLIP, M_TAMPER_A, M_DROP_RRSIG, M_DROP_NSEC, M_NO_EDNS,
};

static const struct {
	const char *name;
	enum mode m;
} modes[] = {
	{"pass", M_PASS},                       /* no change */
	{"bad-id", M_BAD_ID},                   /* wrong ID in the 2nd (or only) message */
	{"truncate", M_TRUNCATE},               /* close mid-stream, mid-message */
	{"flip", M_FLIP},                       /* break an RDLENGTH in the middle message */
	{"ixfr-bad-delete", M_BAD_DELETE},      /* delete a record that does not exist */
	{"ixfr-dup-add", M_DUP_ADD},            /* add the apex NS, already in the zone */
	{"ixfr-omit-rrsig-del", M_OMIT_RRSIG_DEL}, /* Windows 2012: RRSIG deletions dropped */
	{"serial-down", M_SERIAL_DOWN},         /* SOA answers and transfers go back */
	{"serial-down-xfr", M_SERIAL_DOWN_XFR}, /* only transfers go back */
	{"ixfr-gap", M_GAP},                    /* drop the 2nd diff (or bend the 1st) */
	{"out-of-zone", M_OUT_OF_ZONE},         /* one owner becomes www.evil.test. */
	{"axfr-style-ixfr", M_AXFR_STYLE},      /* IXFR answered with the full zone */
	{"single-soa", M_SINGLE_SOA},           /* IXFR answered with the current SOA only */
	/* upstream bytes unchanged but for the last RDATA octet of an A, AAAA,
	 * RRSIG or DNSKEY in the middle message: well formed, only a MAC
	 * (TSIG) or a signature check can notice */
	{"tsig-flip", M_TSIG_FLIP},
	/* DNSSEC tampering (AXFR and IXFR), from the middle of the stream on,
	 * at an owner with a signed A RRset: only a validator notices */
	{"tamper-a", M_TAMPER_A},     /* the A address changed, its RRSIG kept */
	{"drop-rrsig", M_DROP_RRSIG}, /* the RRSIGs over that A RRset dropped */
	{"drop-nsec", M_DROP_NSEC},   /* that owner's NSEC/NSEC3 and its RRSIGs dropped */
	/* an old server: a query with an OPT gets FORMERR without one
	 * (RFC 6891 §7), without asking upstream */
	{"no-edns", M_NO_EDNS},
};

struct fpmode {
	enum mode m;
	unsigned rcode, nth;
	char text[64];
};

struct cfg {
	struct sockaddr_in listen, up;
	const char *ctl;
	struct fpmode cmdline;
	int io_ms;
};

/* One record of a reply, owning its RDATA. */
typedef struct {
	dns_name_t owner;
	uint16_t type, rclass, rdlen;
	uint32_t ttl;
	uint8_t *rdata;
	uint16_t msg;  /* upstream message it came in */
	uint8_t sec;   /* DNS_SEC_AN ... */
	uint8_t part;  /* enum part */
	uint16_t diff; /* IXFR: index of the diff */
	bool drop;
} xrr_t;

enum part { P_AXFR, P_HEAD, P_DEL, P_ADD, P_TAIL };

typedef struct {
	uint16_t id, flags;
	bool has_q;
} umeta_t;

/* A whole reply (one message for UDP, a stream for transfers). */
typedef struct {
	dns_name_t qname;
	uint16_t qtype, qclass;
	umeta_t meta[MAX_MSGS];
	size_t nmsg;
	xrr_t *rr;
	size_t nrr, caprr, bytes;
	uint8_t *out[MAX_MSGS + 1];
	size_t outlen[MAX_MSGS + 1], nout;
	/* end of the transfer: the SOA grammar of xfr/xfrin.c, coarsely */
	size_t seen, nan;
	uint32_t first;
	bool incr, in_add, done;
	bool raw; /* out[] holds the upstream messages as received */
} xfr_t;

static volatile sig_atomic_t stopping;
static uint8_t rdbuf[DNS_RDATA_MAX];

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* ---- small helpers ------------------------------------------------------ */

static uint32_t soa_serial(const xrr_t *r)
{
	const uint8_t *f = r->rdata + r->rdlen - 20;
	return ((uint32_t)f[0] << 24) | ((uint32_t)f[1] << 16) | ((uint32_t)f[2] << 8) | f[3];
}

static void soa_set_serial(xrr_t *r, uint32_t v)
{
	uint8_t *f = r->rdata + r->rdlen - 20;
	f[0] = (uint8_t)(v >> 24);
	f[1] = (uint8_t)(v >> 16);
	f[2] = (uint8_t)(v >> 8);
	f[3] = (uint8_t)v;
}

static bool is_soa(const xrr_t *r)
{
	return r->type == DNS_T_SOA && r->rdlen >= 22;
}

static void xfr_reset(xfr_t *x)
{
	for (size_t i = 0; i < x->nrr; i++)
		free(x->rr[i].rdata);
	for (size_t i = 0; i < x->nout; i++)
		free(x->out[i]);
	xrr_t *keep = x->rr;
	size_t cap = x->caprr;
	memset(x, 0, sizeof(*x));
	x->rr = keep;
	x->caprr = cap;
}

/* Waits for fd to be ready; -1 on timeout, error or SIGTERM. */
static int wait_fd(int fd, short ev, int ms)
{
	struct pollfd p = {.fd = fd, .events = ev};
	int n = poll(&p, 1, ms);
	return n == 1 && !stopping ? 0 : -1;
}

/* Reads (wr false) or writes exactly n octets, each wait bounded by ms. */
static int io_full(int fd, uint8_t *buf, size_t n, int ms, bool wr)
{
	for (size_t done = 0; done < n;) {
		if (wait_fd(fd, wr ? POLLOUT : POLLIN, ms) < 0)
			return -1;
		ssize_t r = wr ? write(fd, buf + done, n - done) : read(fd, buf + done, n - done);
		if (r <= 0 && !(r < 0 && errno == EINTR))
			return -1;
		done += r > 0 ? (size_t)r : 0;
	}
	return 0;
}

/* Reads one length-prefixed message; returns its length or -1. */
static int read_msg(int fd, uint8_t *buf, int ms)
{
	uint8_t p[2];
	if (io_full(fd, p, 2, ms, false) < 0)
		return -1;
	size_t n = ((size_t)p[0] << 8) | p[1];
	if (n < DNS_HDR_LEN || io_full(fd, buf, n, ms, false) < 0)
		return -1;
	return (int)n;
}

static int send_msg(int fd, const uint8_t *msg, size_t len, int ms)
{
	uint8_t p[2] = {(uint8_t)(len >> 8), (uint8_t)len};
	return io_full(fd, p, 2, ms, true) < 0 ? -1 : io_full(fd, (uint8_t *)msg, len, ms, true);
}

/* ---- the mode ----------------------------------------------------------- */

static int parse_mode(const char *s, struct fpmode *out)
{
	char name[48];
	unsigned nth = 0;
	if (sscanf(s, "%47s %u", name, &nth) < 1)
		return -1;
	*out = (struct fpmode){.nth = nth};
	if (nth)
		snprintf(out->text, sizeof(out->text), "%s %u", name, nth);
	else
		snprintf(out->text, sizeof(out->text), "%s", name);
	if (sscanf(name, "rcode=%u", &out->rcode) == 1 && out->rcode < 16) {
		out->m = M_RCODE;
		return 0;
	}
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(name, modes[i].name) == 0) {
			out->m = modes[i].m;
			return 0;
		}
	return -1;
}

static struct fpmode current_mode(const struct cfg *c)
{
	struct fpmode m = c->cmdline;
	char line[128];
	FILE *f = c->ctl ? fopen(c->ctl, "r") : NULL;
	if (f) {
		if (fgets(line, sizeof(line), f) && parse_mode(line, &m) < 0) {
			fprintf(stderr, "rodns-fakeprimary: bad mode in %s: %s", c->ctl, line);
			m = c->cmdline;
		}
		fclose(f);
	}
	return m;
}

/* Whether this transfer is the one to mutate (counts restart with the mode). */
static bool transfer_selected(const struct fpmode *m)
{
	static char last[64];
	static unsigned count;
	if (strcmp(last, m->text) != 0) {
		snprintf(last, sizeof(last), "%s", m->text);
		count = 0;
	}
	count++;
	return m->nth == 0 || count == m->nth;
}

/* ---- collecting a reply ------------------------------------------------- */

static int push_rr(xfr_t *x, const dns_rr_t *rr, size_t at, uint16_t msg, int sec)
{
	if (x->nrr >= MAX_RRS)
		return -1;
	if (x->nrr == x->caprr) {
		size_t cap = x->caprr ? x->caprr * 2 : 1024;
		xrr_t *n = realloc(x->rr, cap * sizeof(*n));
		if (!n)
			return -1;
		x->rr = n;
		x->caprr = cap;
	}
	xrr_t r = {.owner = rr->owner, .type = rr->type, .rclass = rr->rclass, .ttl = rr->ttl,
		   .rdlen = rr->rdlen, .msg = msg, .sec = (uint8_t)sec};
	r.rdata = malloc(rr->rdlen ? rr->rdlen : 1);
	if (!r.rdata)
		return -1;
	memcpy(r.rdata, rr->rdata, rr->rdlen);
	memmove(&x->rr[at + 1], &x->rr[at], (x->nrr - at) * sizeof(*x->rr));
	x->rr[at] = r;
	x->nrr++;
	return 0;
}

/* Follows the SOA framing (answer section only) far enough to know when
 * the stream is complete. */
static void track(xfr_t *x)
{
	for (; x->seen < x->nrr; x->seen++) {
		const xrr_t *r = &x->rr[x->seen];
		if (r->sec != DNS_SEC_AN)
			continue;
		size_t k = x->nan++;
		if (k == 1 && is_soa(r) && soa_serial(r) != x->first)
			x->incr = true;
		if (!is_soa(r))
			continue;
		uint32_t s = soa_serial(r);
		if (k == 0)
			x->first = s;
		else if (!x->incr)
			x->done = s == x->first;
		else if (k > 1 && x->in_add && s == x->first)
			x->done = true;
		else if (k > 1)
			x->in_add = !x->in_add;
	}
}

/* Parses one message into x; -1 when it is malformed. */
static int add_msg(xfr_t *x, const uint8_t *wire, size_t len)
{
	dns_msg_t m;
	if (x->nmsg >= MAX_MSGS || dns_msg_parse(&m, wire, len) != RODNS_OK)
		return -1;
	uint16_t mi = (uint16_t)x->nmsg++;
	x->meta[mi] = (umeta_t){.id = m.id, .flags = m.flags, .has_q = m.count[DNS_SEC_QD] == 1};
	x->bytes += len;
	for (int sec = DNS_SEC_AN; sec <= DNS_SEC_AR; sec++) {
		dns_rrcur_t c;
		dns_rr_t rr;
		int rc;
		dns_rrcur_init(&c, &m, sec);
		while ((rc = dns_rrcur_next(&c, &rr, rdbuf, sizeof(rdbuf))) == 1)
			if (push_rr(x, &rr, x->nrr, mi, sec) < 0)
				return -1;
		if (rc < 0)
			return -1;
	}
	track(x);
	if (DNS_RCODE(m.flags) != DNS_RC_NOERROR || x->nan == 1)
		x->done = true;
	return 0;
}

/* ---- mutations ---------------------------------------------------------- */

/* Index of the last answer-section RR (nrr when there is none). */
static size_t last_an(const xfr_t *x)
{
	for (size_t i = x->nrr; i-- > 0;)
		if (x->rr[i].sec == DNS_SEC_AN)
			return i;
	return x->nrr;
}

/* Labels each answer RR with its part of an IXFR (head, deletions,
 * additions, tail). */
static void label_parts(xfr_t *x)
{
	size_t last = last_an(x), k = 0;
	enum part p = P_ADD;
	uint16_t diff = 0;
	if (!x->incr || last == x->nrr)
		return;
	for (size_t i = 0; i < last; i++) {
		xrr_t *r = &x->rr[i];
		if (r->sec != DNS_SEC_AN)
			continue;
		if (k++ == 0) {
			r->part = P_HEAD;
			continue;
		}
		if (is_soa(r)) {
			if (p == P_ADD && k > 2)
				diff++;
			p = p == P_ADD ? P_DEL : P_ADD;
		}
		r->part = (uint8_t)p;
		r->diff = diff;
	}
	x->rr[last].part = P_TAIL;
}

static xrr_t *find_rr(xfr_t *x, int part, uint16_t type)
{
	for (size_t i = 0; i < x->nrr; i++)
		if (x->rr[i].part == part && x->rr[i].type == type && x->rr[i].rdlen > 0)
			return &x->rr[i];
	return NULL;
}

static bool mut_bad_delete(xfr_t *x)
{
	static const uint16_t pref[] = {DNS_T_A, DNS_T_AAAA, DNS_T_RRSIG};
	for (size_t k = 0; k < sizeof(pref) / sizeof(pref[0]); k++) {
		xrr_t *r = find_rr(x, P_DEL, pref[k]);
		if (r) {
			r->rdata[r->rdlen - 1] ^= 0x5a;
			return true;
		}
	}
	return false;
}

static int udp_ask(const struct cfg *c, const uint8_t *q, size_t qlen, uint8_t *buf, size_t cap);

/* Adds the zone's apex NS (asked from upstream) to the first diff's additions. */
static bool mut_dup_add(const struct cfg *c, xfr_t *x)
{
	static uint8_t q[512], reply[MSG_MAX];
	dns_mbuild_t b;
	dns_msg_t m;
	dns_rrcur_t cur;
	dns_rr_t rr;
	dns_mbuild_init(&b, q, sizeof(q), 0x4e53, DNS_F_RD);
	if (dns_mbuild_question(&b, &x->qname, DNS_T_NS, DNS_C_IN) != RODNS_OK)
		return false;
	int n = udp_ask(c, q, (size_t)dns_mbuild_finish(&b), reply, sizeof(reply));
	if (n < 0 || dns_msg_parse(&m, reply, (size_t)n) != RODNS_OK)
		return false;
	dns_rrcur_init(&cur, &m, DNS_SEC_AN);
	if (dns_rrcur_next(&cur, &rr, rdbuf, sizeof(rdbuf)) != 1 || rr.type != DNS_T_NS)
		return false;
	for (size_t i = 0; i < x->nrr; i++)
		if (x->rr[i].part == P_ADD && is_soa(&x->rr[i])) {
			if (push_rr(x, &rr, i + 1, x->rr[i].msg, DNS_SEC_AN) < 0)
				return false;
			x->rr[i + 1].part = P_ADD;
			return true;
		}
	return false;
}

static bool mut_omit_rrsig_del(xfr_t *x)
{
	bool any = false;
	for (size_t i = 0; i < x->nrr; i++)
		if (x->rr[i].part == P_DEL && x->rr[i].type == DNS_T_RRSIG)
			any = x->rr[i].drop = true;
	return any;
}

/* Moves the framing SOAs (first and last RR) back by SERIAL_DOWN. */
static bool mut_serial_down(xfr_t *x)
{
	if (x->nrr == 0 || !is_soa(&x->rr[0]))
		return false;
	uint32_t s = soa_serial(&x->rr[0]);
	soa_set_serial(&x->rr[0], s - SERIAL_DOWN);
	size_t l = last_an(x);
	xrr_t *last = &x->rr[l < x->nrr ? l : 0];
	if (l > 0 && l < x->nrr && is_soa(last) && soa_serial(last) == s)
		soa_set_serial(last, s - SERIAL_DOWN);
	return true;
}

/* Two or more diffs: drops the second whole. One: bends its old serial. */
static bool mut_gap(xfr_t *x)
{
	bool two = false;
	for (size_t i = 0; i < x->nrr; i++)
		if ((x->rr[i].part == P_DEL || x->rr[i].part == P_ADD) && x->rr[i].diff == 1)
			two = x->rr[i].drop = true;
	for (size_t i = 0; !two && i < x->nrr; i++)
		if (x->rr[i].part == P_DEL) {
			soa_set_serial(&x->rr[i], soa_serial(&x->rr[i]) - 1);
			return true;
		}
	return two;
}

static bool mut_out_of_zone(xfr_t *x)
{
	for (size_t i = x->nrr / 2; i < x->nrr; i++)
		if (x->rr[i].type != DNS_T_SOA && x->rr[i].sec == DNS_SEC_AN)
			return dns_name_from_text("www.evil.test.", NULL, &x->rr[i].owner) ==
			       RODNS_OK;
	return false;
}

static bool mut_single_soa(xfr_t *x)
{
	for (size_t i = 1; i < x->nrr; i++)
		x->rr[i].drop = x->rr[i].sec == DNS_SEC_AN;
	return x->nrr > 0;
}

/* The covered type of an RRSIG record. */
static uint16_t rrsig_covered(const xrr_t *r)
{
	return r->type == DNS_T_RRSIG && r->rdlen >= 2 ? (uint16_t)(r->rdata[0] << 8 | r->rdata[1])
						       : 0;
}

/* An answer RR (AXFR: from the middle on; IXFR: an addition) that is an A
 * whose owner also has an RRSIG over A in the stream (so it is signed, not
 * glue); NULL when there is none. */
static xrr_t *signed_a(xfr_t *x)
{
	for (size_t i = x->incr ? 0 : x->nrr / 2; i < x->nrr; i++) {
		xrr_t *a = &x->rr[i];
		if (a->type != DNS_T_A || a->sec != DNS_SEC_AN || a->rdlen != 4 || a->part == P_DEL)
			continue;
		for (size_t k = 0; k < x->nrr; k++)
			if (rrsig_covered(&x->rr[k]) == DNS_T_A && x->rr[k].part == a->part &&
			    dns_name_eq(&x->rr[k].owner, &a->owner))
				return a;
	}
	return NULL;
}

/* tamper-a, drop-rrsig, drop-nsec (see modes[]). */
static bool mut_dnssec(xfr_t *x, enum mode m)
{
	xrr_t *a = signed_a(x);
	if (!a)
		return false;
	if (m == M_TAMPER_A) {
		a->rdata[3] ^= 0x01;
		return true;
	}
	dns_name_t owner = a->owner;
	uint8_t part = a->part;
	bool any = false, nsec3 = false;
	dns_name_t hashed = {0};
	for (size_t k = 0; m == M_DROP_NSEC && k < x->nrr && !any; k++)
		any = x->rr[k].type == DNS_T_NSEC && dns_name_eq(&x->rr[k].owner, &owner);
	/* NSEC3: the owner's hash is not known here; take the NSEC3 nearest
	 * the middle of the stream instead */
	for (size_t k = x->nrr / 2; m == M_DROP_NSEC && !any && k < x->nrr && !nsec3; k++)
		if (x->rr[k].type == DNS_T_NSEC3 && x->rr[k].part == part) {
			hashed = x->rr[k].owner;
			nsec3 = true;
		}
	any = false;
	for (size_t k = 0; k < x->nrr; k++) {
		xrr_t *r = &x->rr[k];
		if (r->part != part)
			continue;
		bool drop = m == M_DROP_RRSIG ? rrsig_covered(r) == DNS_T_A &&
							dns_name_eq(&r->owner, &owner)
			    : nsec3 ? dns_name_eq(&r->owner, &hashed) &&
					      (r->type == DNS_T_NSEC3 || rrsig_covered(r) == DNS_T_NSEC3)
				    : dns_name_eq(&r->owner, &owner) &&
					      (r->type == DNS_T_NSEC || rrsig_covered(r) == DNS_T_NSEC);
		if (drop)
			any = r->drop = true;
	}
	return any;
}

/* Mutations of the records; the wire ones come after building. */
static bool mutate_rrs(const struct cfg *c, const struct fpmode *m, xfr_t *x)
{
	label_parts(x);
	switch (m->m) {
	case M_BAD_DELETE: return mut_bad_delete(x);
	case M_DUP_ADD: return mut_dup_add(c, x);
	case M_OMIT_RRSIG_DEL: return mut_omit_rrsig_del(x);
	case M_SERIAL_DOWN:
	case M_SERIAL_DOWN_XFR: return mut_serial_down(x);
	case M_GAP: return mut_gap(x);
	case M_OUT_OF_ZONE: return mut_out_of_zone(x);
	case M_SINGLE_SOA: return mut_single_soa(x);
	case M_TAMPER_A:
	case M_DROP_RRSIG:
	case M_DROP_NSEC: return mut_dnssec(x, m->m);
	default: return false;
	}
}

/* ---- rebuilding --------------------------------------------------------- */

static int keep_out(xfr_t *x, dns_mbuild_t *b, const uint8_t *buf)
{
	int n = dns_mbuild_finish(b);
	if (n < 0 || x->nout > MAX_MSGS)
		return -1;
	x->out[x->nout] = malloc((size_t)n);
	if (!x->out[x->nout])
		return -1;
	memcpy(x->out[x->nout], buf, (size_t)n);
	x->outlen[x->nout++] = (size_t)n;
	return 0;
}

/* Keeps an upstream message as it came (tsig-flip). */
static int keep_raw(xfr_t *x, const uint8_t *wire, size_t len)
{
	if (x->nout >= MAX_MSGS + 1)
		return -1;
	x->out[x->nout] = malloc(len);
	if (!x->out[x->nout])
		return -1;
	memcpy(x->out[x->nout], wire, len);
	x->outlen[x->nout++] = len;
	return 0;
}

/* Builds upstream message mi from *i on; splits it when it does not fit. */
static int build_one(xfr_t *x, uint16_t mi, size_t *i, uint8_t *buf)
{
	dns_mbuild_t b;
	const umeta_t *u = &x->meta[mi];
	size_t kept = 0;
	dns_mbuild_init(&b, buf, MSG_MAX, u->id, u->flags);
	if (u->has_q && dns_mbuild_question(&b, &x->qname, x->qtype, x->qclass) != RODNS_OK)
		return -1;
	for (; *i < x->nrr && x->rr[*i].msg == mi; (*i)++) {
		const xrr_t *r = &x->rr[*i];
		dns_rr_t rr = {.owner = r->owner, .type = r->type, .rclass = r->rclass,
			       .ttl = r->ttl, .rdlen = r->rdlen, .rdata = r->rdata};
		if (r->drop)
			continue;
		int rc = dns_mbuild_rr(&b, r->sec, &rr);
		if (rc == RODNS_E_SPACE && kept > 0) {
			if (keep_out(x, &b, buf) < 0)
				return -1;
			dns_mbuild_init(&b, buf, MSG_MAX, u->id, u->flags);
			kept = 0;
			rc = dns_mbuild_rr(&b, r->sec, &rr);
		}
		if (rc != RODNS_OK)
			return -1;
		kept++;
	}
	if (kept == 0 && mi > 0)
		return 0; /* everything in it was dropped */
	return keep_out(x, &b, buf);
}

static int build_all(xfr_t *x)
{
	static uint8_t buf[MSG_MAX];
	size_t i = 0;
	for (size_t mi = 0; mi < x->nmsg; mi++)
		if (build_one(x, (uint16_t)mi, &i, buf) < 0)
			return -1;
	return 0;
}

/* Offset just past the (possibly compressed) wire name at off. */
static size_t skip_name(const uint8_t *w, size_t len, size_t off)
{
	while (off < len && w[off] != 0 && (w[off] & 0xc0) != 0xc0)
		off += (size_t)w[off] + 1;
	return off < len && w[off] != 0 ? off + 2 : off + 1;
}

/* Makes the RDLENGTH of the middle answer RR of message k overrun it. */
static bool wire_flip(xfr_t *x, size_t k)
{
	dns_msg_t m;
	dns_rrcur_t c;
	dns_rr_t rr;
	size_t start = 0;
	if (dns_msg_parse(&m, x->out[k], x->outlen[k]) != RODNS_OK || m.count[DNS_SEC_AN] == 0)
		return false;
	dns_rrcur_init(&c, &m, DNS_SEC_AN);
	for (unsigned n = 0; n <= m.count[DNS_SEC_AN] / 2u; n++) {
		start = dns_rd_off(&c.r);
		if (dns_rrcur_next(&c, &rr, rdbuf, sizeof(rdbuf)) != 1)
			return false;
	}
	size_t off = skip_name(x->out[k], x->outlen[k], start) + 8; /* type class ttl */
	if (off >= x->outlen[k])
		return false;
	x->out[k][off] ^= 0x80;
	return true;
}

/* Flips the last RDATA octet of an A, AAAA, RRSIG or DNSKEY record of
 * message k, from its middle answer RR on (wrapping round): addresses,
 * signatures and keys are opaque, so the message stays well formed. */
static bool rdata_flip(xfr_t *x, size_t k)
{
	dns_msg_t m;
	if (dns_msg_parse(&m, x->out[k], x->outlen[k]) != RODNS_OK)
		return false;
	unsigned n = m.count[DNS_SEC_AN];
	for (unsigned pass = 0; pass < 2; pass++) {
		dns_rrcur_t c;
		dns_rr_t rr;
		dns_rrcur_init(&c, &m, DNS_SEC_AN);
		for (unsigned i = 0; i < n && dns_rrcur_next(&c, &rr, rdbuf, sizeof(rdbuf)) == 1;
		     i++) {
			bool opaque = rr.type == DNS_T_A || rr.type == DNS_T_AAAA ||
				      rr.type == DNS_T_RRSIG || rr.type == DNS_T_DNSKEY;
			if (!opaque || rr.rdlen == 0 || (pass == 0 && i < n / 2))
				continue;
			x->out[k][dns_rd_off(&c.r) - 1] ^= 0x01; /* end of this RR */
			return true;
		}
	}
	return false;
}

/* ---- talking ------------------------------------------------------------ */

/* A socket of the given type connected to the upstream, or -1. */
static int dial(const struct cfg *c, int type)
{
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (const struct sockaddr *)&c->up, sizeof(c->up)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int udp_ask(const struct cfg *c, const uint8_t *q, size_t qlen, uint8_t *buf, size_t cap)
{
	int fd = dial(c, SOCK_DGRAM), n = -1;
	if (fd < 0)
		return -1;
	if (send(fd, q, qlen, 0) == (ssize_t)qlen && wait_fd(fd, POLLIN, c->io_ms) == 0)
		n = (int)recv(fd, buf, cap, 0);
	close(fd);
	return n;
}

/* Forwards a transfer query and collects the whole reply stream into x. */
static int fetch(const struct cfg *c, const uint8_t *q, size_t qlen, xfr_t *x)
{
	static uint8_t buf[MSG_MAX];
	int fd = dial(c, SOCK_STREAM), rc = fd < 0 ? -1 : send_msg(fd, q, qlen, c->io_ms);
	while (rc == 0 && !x->done) {
		int n = read_msg(fd, buf, c->io_ms);
		rc = n < 0 || x->bytes + (size_t)n > MAX_BYTES ? -1 : add_msg(x, buf, (size_t)n);
		if (rc == 0 && x->raw)
			rc = keep_raw(x, buf, (size_t)n);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Sends the built messages; truncate stops halfway, inside a message. */
static int send_all(int fd, const xfr_t *x, bool truncate, int ms)
{
	size_t stop = truncate ? x->nout / 2 : x->nout;
	for (size_t k = 0; k < stop; k++)
		if (send_msg(fd, x->out[k], x->outlen[k], ms) < 0)
			return -1;
	if (!truncate || stop >= x->nout)
		return 0;
	size_t len = x->outlen[stop];
	uint8_t p[2] = {(uint8_t)(len >> 8), (uint8_t)len};
	if (io_full(fd, p, 2, ms, true) < 0)
		return -1;
	return io_full(fd, x->out[stop], len / 2, ms, true);
}

static int send_rcode(int fd, const dns_msg_t *q, unsigned rcode, int ms)
{
	uint16_t flags = (uint16_t)(DNS_F_QR | (q->flags & 0x7800u) | (q->flags & DNS_F_RD) | rcode);
	uint8_t h[DNS_HDR_LEN] = {(uint8_t)(q->id >> 8), (uint8_t)q->id, (uint8_t)(flags >> 8),
				  (uint8_t)flags};
	return send_msg(fd, h, sizeof(h), ms);
}

/* The upstream query: the client's, or an AXFR for an AXFR-style IXFR. */
static size_t upstream_query(const dns_msg_t *m, bool axfr, const uint8_t *q, size_t qlen,
			     uint8_t *buf)
{
	dns_mbuild_t b;
	if (!axfr) {
		memcpy(buf, q, qlen);
		return qlen;
	}
	dns_mbuild_init(&b, buf, 512, m->id, 0);
	dns_mbuild_question(&b, &m->qname, DNS_T_AXFR, DNS_C_IN);
	int n = dns_mbuild_finish(&b);
	return n < 0 ? 0 : (size_t)n;
}

/* Wire-level mutations and the send. Returns what to log. */
static const char *deliver(int fd, const struct cfg *c, enum mode md, xfr_t *x)
{
	if ((x->raw ? 0 : build_all(x)) < 0 || x->nout == 0)
		return "cannot rebuild the reply";
	if (md == M_TSIG_FLIP && !rdata_flip(x, x->nout / 2))
		return "nothing to flip";
	if (md == M_BAD_ID) {
		size_t k = x->nout > 1 ? 1 : 0;
		x->out[k][1] ^= 0x01;
	}
	if (md == M_FLIP && !wire_flip(x, x->nout / 2))
		return "nothing to flip";
	if (send_all(fd, x, md == M_TRUNCATE, c->io_ms) < 0)
		return "client write failed";
	return md == M_TRUNCATE ? "cut off" : "sent";
}

static const char *transfer(int fd, const struct cfg *c, const struct fpmode *mp,
			    const dns_msg_t *m, const uint8_t *q, size_t qlen, xfr_t *x,
			    bool *applied)
{
	static uint8_t uq[MSG_MAX];
	struct fpmode md = *mp;
	bool sel = transfer_selected(&md), ixfr = m->qtype == DNS_T_IXFR;
	bool ixfr_only = md.m == M_BAD_DELETE || md.m == M_DUP_ADD || md.m == M_OMIT_RRSIG_DEL ||
			 md.m == M_GAP || md.m == M_RCODE || md.m == M_AXFR_STYLE ||
			 md.m == M_SINGLE_SOA;
	enum mode eff = sel && (ixfr || !ixfr_only) ? md.m : M_PASS;
	*applied = eff != M_PASS;
	x->raw = md.m == M_TSIG_FLIP;
	if (eff == M_RCODE)
		return send_rcode(fd, m, md.rcode, c->io_ms) < 0 ? "client write failed" : "rcode";
	size_t ulen = upstream_query(m, eff == M_AXFR_STYLE, q, qlen, uq);
	if (ulen == 0 || fetch(c, uq, ulen, x) < 0)
		return "upstream transfer failed";
	if (eff != M_PASS && eff != M_BAD_ID && eff != M_TRUNCATE && eff != M_FLIP &&
	    eff != M_AXFR_STYLE && eff != M_TSIG_FLIP && !mutate_rrs(c, &md, x))
		*applied = false;
	return deliver(fd, c, *applied ? eff : M_PASS, x);
}

static void log_query(const char *proto, const xfr_t *x, const struct fpmode *m, bool applied,
		      const char *what)
{
	char n[DNS_NAME_TEXT_MAX], t[32];
	if (dns_name_to_text(&x->qname, n, sizeof(n)) < 0)
		strcpy(n, "?");
	fprintf(stderr, "rodns-fakeprimary: %s %s %s mode=%s%s: %zu msgs in, %zu out, %zu RRs: %s\n",
		proto, n, dns_type_name(x->qtype, t, sizeof(t)), m->text,
		applied ? " (applied)" : "", x->nmsg, x->nout, x->nrr, what);
}

/* Rebuilds one ordinary reply, mutated when the mode says so. */
static const char *plain_reply(const struct cfg *c, const struct fpmode *md, xfr_t *x,
			       const uint8_t *r, size_t rlen, bool *applied)
{
	*applied = false;
	if (add_msg(x, r, rlen) < 0)
		return "malformed upstream reply";
	x->raw = md->m == M_TSIG_FLIP;
	if (x->raw)
		return keep_raw(x, r, rlen) < 0 ? "out of memory" : "sent";
	if (md->m == M_SERIAL_DOWN && x->qtype == DNS_T_SOA)
		*applied = mutate_rrs(c, md, x);
	return build_all(x) < 0 || x->nout != 1 ? "cannot rebuild the reply" : "sent";
}

static int set_query(xfr_t *x, dns_msg_t *m, const uint8_t *q, size_t len)
{
	if (dns_msg_parse(m, q, len) != RODNS_OK || m->count[DNS_SEC_QD] != 1)
		return -1;
	x->qname = m->qname;
	x->qtype = m->qtype;
	x->qclass = m->qclass;
	return 0;
}

/* FORMERR to q as a server without EDNS answers it: the header with QR,
 * the opcode, RD and RCODE 1, the question, no OPT. Returns its length. */
static size_t formerr_reply(const dns_msg_t *m, const uint8_t *q, uint8_t *out)
{
	size_t qend = m->sec_off[DNS_SEC_AN];
	memcpy(out, q, qend);
	out[2] = (uint8_t)(0x80 | (q[2] & 0x79));
	out[3] = 1;
	memset(out + 6, 0, 6);
	return qend;
}

static void serve_tcp(const struct cfg *c, int fd, xfr_t *x)
{
	static uint8_t q[MSG_MAX], r[MSG_MAX];
	dns_msg_t m;
	bool applied = false;
	const char *what = "malformed query";
	struct fpmode md = current_mode(c);
	int n = read_msg(fd, q, c->io_ms);
	xfr_reset(x);
	if (n < 0 || set_query(x, &m, q, (size_t)n) < 0) {
		fprintf(stderr, "rodns-fakeprimary: tcp: no usable query\n");
		return;
	}
	if (md.m == M_NO_EDNS && m.edns.present) {
		size_t rl = formerr_reply(&m, q, r);
		what = send_msg(fd, r, rl, c->io_ms) < 0 ? "client write failed" : "FORMERR to EDNS";
		applied = true;
	} else if (m.qtype == DNS_T_AXFR || m.qtype == DNS_T_IXFR) {
		what = transfer(fd, c, &md, &m, q, (size_t)n, x, &applied);
	} else {
		int rl = udp_ask(c, q, (size_t)n, r, sizeof(r));
		what = rl < 0 ? "upstream timeout"
			      : plain_reply(c, &md, x, r, (size_t)rl, &applied);
		if (x->nout == 1 && send_msg(fd, x->out[0], x->outlen[0], c->io_ms) < 0)
			what = "client write failed";
	}
	log_query("tcp", x, &md, applied, what);
}

static void serve_udp(const struct cfg *c, int fd, xfr_t *x)
{
	static uint8_t q[MSG_MAX], r[MSG_MAX];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	dns_msg_t m;
	bool applied = false;
	ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
	xfr_reset(x);
	if (n < 0 || set_query(x, &m, q, (size_t)n) < 0)
		return;
	struct fpmode md = current_mode(c);
	if (md.m == M_NO_EDNS && m.edns.present) {
		size_t rl = formerr_reply(&m, q, r);
		const char *what = sendto(fd, r, rl, 0, (struct sockaddr *)&from, fl) < 0
					   ? "client write failed"
					   : "FORMERR to EDNS";
		log_query("udp", x, &md, true, what);
		return;
	}
	int rl = udp_ask(c, q, (size_t)n, r, sizeof(r));
	const char *what =
		rl < 0 ? "upstream timeout" : plain_reply(c, &md, x, r, (size_t)rl, &applied);
	if (x->nout == 1 &&
	    sendto(fd, x->out[0], x->outlen[0], 0, (struct sockaddr *)&from, fl) < 0)
		what = "client write failed";
	log_query("udp", x, &md, applied, what);
}

/* ---- main --------------------------------------------------------------- */

static int open_sockets(const struct cfg *c, int *udp, int *tcp)
{
	int one = 1;
	*udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	*tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*udp < 0 || *tcp < 0 ||
	    setsockopt(*tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(*udp, (const struct sockaddr *)&c->listen, sizeof(c->listen)) < 0 ||
	    bind(*tcp, (const struct sockaddr *)&c->listen, sizeof(c->listen)) < 0 ||
	    listen(*tcp, 16) < 0) {
		perror("rodns-fakeprimary: listen");
		return -1;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: rodns-fakeprimary -p PORT -u UPSTREAM_PORT [-a ADDR] [-U ADDR]\n"
			"                         [-m MODE] [-n N] [-c CONTROL_FILE] [-t SECONDS]\n");
	exit(2);
}

static int set_addr(struct sockaddr_in *sa, const char *addr, const char *port)
{
	long p = port ? strtol(port, NULL, 10) : 0;
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)p);
	return p > 0 && p < 65536 && inet_pton(AF_INET, addr, &sa->sin_addr) == 1 ? 0 : -1;
}

static void parse_args(int argc, char **argv, struct cfg *c)
{
	const char *addr = "127.0.0.1", *uaddr = "127.0.0.1", *port = NULL, *uport = NULL;
	char mode[64] = "pass";
	unsigned nth = 0;
	int o;
	c->io_ms = 10000;
	while ((o = getopt(argc, argv, "p:u:a:U:m:n:c:t:")) != -1) {
		switch (o) {
		case 'p': port = optarg; break;
		case 'u': uport = optarg; break;
		case 'a': addr = optarg; break;
		case 'U': uaddr = optarg; break;
		case 'm': snprintf(mode, sizeof(mode), "%s", optarg); break;
		case 'n': nth = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'c': c->ctl = optarg; break;
		case 't': c->io_ms = atoi(optarg) * 1000; break;
		default: usage();
		}
	}
	char text[96];
	snprintf(text, sizeof(text), "%s %u", mode, nth);
	if (optind != argc || c->io_ms <= 0 || set_addr(&c->listen, addr, port) < 0 ||
	    set_addr(&c->up, uaddr, uport) < 0 || parse_mode(text, &c->cmdline) < 0)
		usage();
}

int main(int argc, char **argv)
{
	static struct cfg c;
	static xfr_t x;
	int udp, tcp;
	parse_args(argc, argv, &c);
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (open_sockets(&c, &udp, &tcp) < 0)
		return 1;
	fprintf(stderr, "rodns-fakeprimary: listening on port %u, upstream port %u\n",
		ntohs(c.listen.sin_port), ntohs(c.up.sin_port));
	while (!stopping) {
		struct pollfd p[2] = {{.fd = udp, .events = POLLIN}, {.fd = tcp, .events = POLLIN}};
		if (poll(p, 2, 1000) <= 0)
			continue;
		if (p[0].revents & POLLIN)
			serve_udp(&c, udp, &x);
		int fd = (p[1].revents & POLLIN) ? accept4(tcp, NULL, NULL, SOCK_CLOEXEC) : -1;
		if (fd >= 0) {
			serve_tcp(&c, fd, &x);
			close(fd);
		}
	}
	xfr_reset(&x);
	free(x.rr);
	close(udp);
	close(tcp);
	fprintf(stderr, "rodns-fakeprimary: stopped\n");
	return 0;
}
