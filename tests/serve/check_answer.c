/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for serve/answer.c, deny.c and encode.c: small hand-made zones in a
 * real store, one query at a time, and the sections of the response checked
 * as sets of "owner/TYPE" (RRSIGs as "owner/RRSIG:COVERED"). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check_bounds.h"
#include "dns/text.h"
#include "serve/answer_int.h"
#include "tests/serve/answer_zone.h"

Suite *answer_suite(void);

static char path_nsec[64], path_nsec3[64], path_plain[64];
static int64_t id_nsec, id_nsec3, id_plain;

/* The zone every test uses, signed three ways. */
static void base_zone(void)
{
	static const char *rrs[] = {
	    "@ 3600 SOA ns1 hostmaster 1 3600 900 1209600 300",
	    "@ 3600 NS ns1",
	    "@ 3600 NS ns2.example.net.",
	    "@ 3600 A 192.0.2.1",
	    "@ 3600 MX 10 mail",
	    "@ 3600 DNSKEY 257 3 13 00112233445566778899aabbccddeeff",
	    "ns1 3600 A 192.0.2.53",
	    "mail 3600 A 192.0.2.25",
	    "www 3600 A 192.0.2.80",
	    "www 3600 AAAA 2001:db8::80",
	    "alias 3600 CNAME www",
	    "chain1 3600 CNAME chain2",
	    "chain2 3600 CNAME www",
	    "loop1 3600 CNAME loop2",
	    "loop2 3600 CNAME loop1",
	    "ext 3600 CNAME www.example.net.",
	    "dangling 3600 CNAME nothere",
	    "todeleg 3600 CNAME host.sub",
	    "dn 600 DNAME target",
	    "x.target 3600 A 192.0.2.99",
	    "*.wild 3600 A 192.0.2.81",
	    "*.wild 3600 TXT wildcard",
	    "*.wc 3600 CNAME www",
	    "a.b.ent 3600 A 192.0.2.7",
	    "sub 3600 NS ns.sub",
	    "sub 3600 NS ns1",
	    "sub 3600 DS 12345 13 2 "
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
	    "ns.sub 3600 A 192.0.2.100",
	    "insec 3600 NS ns.insec",
	    "insec 3600 NS ns.example.net.",
	    "ns.insec 3600 A 192.0.2.101",
	    "big 3600 TXT "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1",
	    "big 3600 TXT "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2",
	    "big 3600 TXT "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa3",
	    "big 3600 TXT "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa4",
	    "big 3600 TXT "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa5",
	    "big 3600 TXT "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa6",
	    "big 3600 TXT "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa7",
	    "l1 3600 CNAME l2",
	    "l2 3600 CNAME l3",
	    "l3 3600 CNAME l4",
	    "l4 3600 CNAME l5",
	    "l5 3600 CNAME l6",
	    "l6 3600 CNAME l7",
	    "l7 3600 CNAME l8",
	    "l8 3600 CNAME l9",
	    "l9 3600 CNAME l10",
	    "l10 3600 CNAME l11",
	    "l11 3600 CNAME l12",
	    "l12 3600 CNAME l13",
	    "l13 3600 CNAME l14",
	    "l14 3600 CNAME l15",
	    "l15 3600 CNAME l16",
	    "l16 3600 CNAME l17",
	    "l17 3600 CNAME l18",
	    "l18 3600 CNAME www",
	    "long 3600 DNAME "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	    "many 3600 NS a-rather-long-name-server-ns0.many",
	    "many 3600 NS a-rather-long-name-server-ns1.many",
	    "many 3600 NS a-rather-long-name-server-ns2.many",
	    "many 3600 NS a-rather-long-name-server-ns3.many",
	    "many 3600 NS a-rather-long-name-server-ns4.many",
	    "many 3600 NS a-rather-long-name-server-ns5.many",
	    "a-rather-long-name-server-ns0.many 3600 AAAA 2001:db8::100",
	    "a-rather-long-name-server-ns1.many 3600 AAAA 2001:db8::101",
	    "a-rather-long-name-server-ns2.many 3600 AAAA 2001:db8::102",
	    "a-rather-long-name-server-ns3.many 3600 AAAA 2001:db8::103",
	    "a-rather-long-name-server-ns4.many 3600 AAAA 2001:db8::104",
	    "a-rather-long-name-server-ns5.many 3600 AAAA 2001:db8::105",
	    "a-rather-long-name-server-ns0.many 3600 A 192.0.2.200",
	    "a-rather-long-name-server-ns1.many 3600 A 192.0.2.201",
	    "a-rather-long-name-server-ns2.many 3600 A 192.0.2.202",
	    "a-rather-long-name-server-ns3.many 3600 A 192.0.2.203",
	    "a-rather-long-name-server-ns4.many 3600 A 192.0.2.204",
	    "a-rather-long-name-server-ns5.many 3600 A 192.0.2.205",
	};
	tz_begin("example.test.");
	for (size_t i = 0; i < sizeof(rrs) / sizeof(rrs[0]); i++)
		tz_rr(rrs[i]);
}

static void setup(void)
{
	snprintf(path_nsec, sizeof(path_nsec), "/tmp/rodns-answer-nsec.%d", (int)getpid());
	snprintf(path_nsec3, sizeof(path_nsec3), "/tmp/rodns-answer-nsec3.%d", (int)getpid());
	snprintf(path_plain, sizeof(path_plain), "/tmp/rodns-answer-plain.%d", (int)getpid());
	base_zone();
	tz_sign(TZ_NSEC);
	id_nsec = tz_store(path_nsec);
	base_zone();
	tz_sign(TZ_NSEC3_OPTOUT);
	id_nsec3 = tz_store(path_nsec3);
	base_zone();
	id_plain = tz_store(path_plain);
}

static void teardown(void)
{
	const char *sfx[] = {"", "-wal", "-shm", "-journal"};
	const char *paths[] = {path_nsec, path_nsec3, path_plain};
	char p[96];
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 4; j++) {
			snprintf(p, sizeof(p), "%s%s", paths[i], sfx[j]);
			unlink(p);
		}
}

/* ---- asking ------------------------------------------------------------------ */

typedef struct {
	uint8_t wire[65535];
	int len;
	dns_msg_t m;
	int rcode; /* with the extended bits */
	char sec[4][4096];
	int count[4];
} resp_t;

typedef struct {
	bool edns, dnssec, tcp;
	uint16_t payload, version, max;
	uint16_t flags; /* header flags of the query (RD, CD) */
} qopt_t;

static const qopt_t PLAIN = {.edns = false};
static const qopt_t DO = {.edns = true, .dnssec = true, .payload = 4096};

/* "owner/TYPE" for an RR, RRSIGs as "owner/RRSIG:COVERED". */
static void rr_key(const dns_rr_t *rr, char *out, size_t cap)
{
	char owner[DNS_NAME_TEXT_MAX], t[16], c[16];
	dns_name_t o = rr->owner;
	dns_name_lower(&o);
	dns_name_to_text(&o, owner, sizeof(owner));
	dns_type_name(rr->type, t, sizeof(t));
	if (rr->type == DNS_T_RRSIG && rr->rdlen >= 2) {
		dns_type_name((uint16_t)((rr->rdata[0] << 8) | rr->rdata[1]), c, sizeof(c));
		snprintf(out, cap, "%s/RRSIG:%s", owner, c);
	} else {
		snprintf(out, cap, "%s/%s", owner, t);
	}
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The distinct keys of one section, sorted, space separated. */
static void section_text(resp_t *r, int sec)
{
	static uint8_t rd[DNS_RDATA_MAX];
	static char keys[512][DNS_NAME_TEXT_MAX + 40];
	char *ptr[512];
	int n = 0;
	dns_rrcur_t cur;
	dns_rr_t rr;

	dns_rrcur_init(&cur, &r->m, sec);
	while (dns_rrcur_next(&cur, &rr, rd, sizeof(rd)) == 1) {
		if (rr.type == DNS_T_OPT)
			continue;
		r->count[sec]++;
		rr_key(&rr, keys[n], sizeof(keys[n]));
		bool dup = false;
		for (int i = 0; i < n && !dup; i++)
			dup = strcmp(ptr[i], keys[n]) == 0;
		if (!dup && n < 511) {
			ptr[n] = keys[n];
			n++;
		}
	}
	qsort(ptr, (size_t)n, sizeof(ptr[0]), key_cmp);
	r->sec[sec][0] = 0;
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(r->sec[sec], " ");
		strcat(r->sec[sec], ptr[i]);
	}
}

static serve_ctx_t *ctx_for(const char *path)
{
	static serve_ctx_t *c[3];
	static const char *p[3];
	for (int i = 0; i < 3; i++)
		if (p[i] == path)
			return c[i];
	for (int i = 0; i < 3; i++)
		if (!p[i]) {
			ck_assert_int_eq(serve_ctx_new(path, &c[i]), RODNS_OK);
			p[i] = path;
			return c[i];
		}
	ck_abort_msg("too many stores");
	return NULL;
}

static resp_t *ask_in(const char *path, int64_t zid, const char *qname, uint16_t qtype,
		      const qopt_t *o)
{
	static resp_t r;
	uint8_t q[512];
	dns_mbuild_t b;
	dns_msg_t m;
	dns_name_t n;
	serve_zone_t z = {.zone_id = zid};

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(dns_name_from_text("example.test.", NULL, &z.apex), RODNS_OK);
	ck_assert_int_eq(dns_name_from_text(qname, NULL, &n), RODNS_OK);
	dns_mbuild_init(&b, q, sizeof(q), 0x1234, o->flags);
	ck_assert_int_eq(dns_mbuild_question(&b, &n, qtype, DNS_C_IN), RODNS_OK);
	if (o->edns)
		ck_assert_int_eq(dns_mbuild_opt(&b, o->payload, 0, (uint8_t)o->version,
						o->dnssec ? DNS_EDNS_DO : 0, NULL, 0),
				 RODNS_OK);
	int qlen = dns_mbuild_finish(&b);
	ck_assert_int_gt(qlen, 0);
	ck_assert_int_eq(dns_msg_parse(&m, q, (size_t)qlen), RODNS_OK);
	serve_opts_t so = {.max_udp_payload = o->max ? o->max : 1232, .tcp = o->tcp};
	r.len = serve_answer(ctx_for(path), &z, &m, &so, r.wire, sizeof(r.wire));
	ck_assert_int_gt(r.len, 0);
	ck_assert_int_eq(dns_msg_parse(&r.m, r.wire, (size_t)r.len), RODNS_OK);
	ck_assert_int_eq(r.m.id, 0x1234);
	r.rcode = DNS_RCODE(r.m.flags) | (r.m.edns.present ? r.m.edns.ext_rcode << 4 : 0);
	for (int s = DNS_SEC_AN; s <= DNS_SEC_AR; s++)
		section_text(&r, s);
	return &r;
}

static resp_t *ask(const char *qname, uint16_t qtype, const qopt_t *o)
{
	return ask_in(path_nsec, id_nsec, qname, qtype, o);
}

static resp_t *ask3(const char *qname, uint16_t qtype, const qopt_t *o)
{
	return ask_in(path_nsec3, id_nsec3, qname, qtype, o);
}

#define AA(r) (((r)->m.flags & DNS_F_AA) != 0)
#define TC(r) (((r)->m.flags & DNS_F_TC) != 0)
#define EXPECT(r, rc, aa, an, ns, ar)                                                              \
	do {                                                                                       \
		ck_assert_int_eq((r)->rcode, rc);                                                  \
		ck_assert_int_eq(AA(r), aa);                                                       \
		ck_assert_str_eq((r)->sec[DNS_SEC_AN], an);                                        \
		ck_assert_str_eq((r)->sec[DNS_SEC_NS], ns);                                        \
		ck_assert_str_eq((r)->sec[DNS_SEC_AR], ar);                                        \
	} while (0)

/* ---- positive answers ---------------------------------------------------------- */

START_TEST(t_positive)
{
	resp_t *r = ask("www.example.test.", DNS_T_A, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "www.example.test./A", "", "");
	ck_assert(!r->m.edns.present);
	ck_assert_int_eq(r->m.flags & DNS_F_QR, DNS_F_QR);
	r = ask("www.example.test.", DNS_T_A, &DO);
	EXPECT(r, DNS_RC_NOERROR, true, "www.example.test./A www.example.test./RRSIG:A", "", "");
	ck_assert(r->m.edns.present);
	ck_assert_int_eq(r->m.edns.flags & DNS_EDNS_DO, DNS_EDNS_DO);
	/* minimal responses: no NS in authority, no additional for MX */
	r = ask("example.test.", DNS_T_MX, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "example.test./MX", "", "");
	r = ask("example.test.", DNS_T_NS, &DO);
	EXPECT(r, DNS_RC_NOERROR, true, "example.test./NS example.test./RRSIG:NS", "", "");
}
END_TEST

START_TEST(t_case_echo)
{
	resp_t *r = ask("WwW.ExAmPlE.tEsT.", DNS_T_A, &PLAIN);
	dns_rrcur_t cur;
	dns_rr_t rr;
	uint8_t rd[64];
	char t[DNS_NAME_TEXT_MAX];

	ck_assert_str_eq(r->sec[DNS_SEC_AN], "www.example.test./A");
	dns_name_to_text(&r->m.qname, t, sizeof(t));
	ck_assert_str_eq(t, "WwW.ExAmPlE.tEsT.");
	dns_rrcur_init(&cur, &r->m, DNS_SEC_AN);
	ck_assert_int_eq(dns_rrcur_next(&cur, &rr, rd, sizeof(rd)), 1);
	dns_name_to_text(&rr.owner, t, sizeof(t));
	ck_assert_str_eq(t, "WwW.ExAmPlE.tEsT.");
	/* the owner is a pointer to the question */
	ck_assert_int_eq(r->wire[r->m.sec_off[DNS_SEC_AN]], 0xc0);
	ck_assert_int_eq(r->wire[r->m.sec_off[DNS_SEC_AN] + 1], DNS_HDR_LEN);
}
END_TEST

START_TEST(t_dnssec_types_plain)
{
	resp_t *r = ask("example.test.", DNS_T_DNSKEY, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "example.test./DNSKEY", "", "");
	r = ask("www.example.test.", DNS_T_RRSIG, &PLAIN);
	/* one RRset's signatures, those of the lowest type (as for ANY) */
	EXPECT(r, DNS_RC_NOERROR, true, "www.example.test./RRSIG:A", "", "");
	r = ask("www.example.test.", DNS_T_NSEC, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "www.example.test./NSEC", "", "");
	r = ask3("example.test.", DNS_T_NSEC3PARAM, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "example.test./NSEC3PARAM", "", "");
}
END_TEST

START_TEST(t_any)
{
	/* RFC 8482: one RRset, the lowest type at the name */
	resp_t *r = ask("www.example.test.", DNS_T_ANY, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "www.example.test./A", "", "");
	ck_assert_int_eq(r->count[DNS_SEC_AN], 1);
	r = ask("example.test.", DNS_T_ANY, &DO);
	EXPECT(r, DNS_RC_NOERROR, true, "example.test./A example.test./RRSIG:A", "", "");
	r = ask("alias.example.test.", DNS_T_ANY, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "alias.example.test./CNAME", "", "");
}
END_TEST

/* ---- CNAME and DNAME --------------------------------------------------------------- */

START_TEST(t_cname)
{
	resp_t *r = ask("chain1.example.test.", DNS_T_A, &DO);
	EXPECT(r, DNS_RC_NOERROR, true,
	       "chain1.example.test./CNAME chain1.example.test./RRSIG:CNAME "
	       "chain2.example.test./CNAME chain2.example.test./RRSIG:CNAME "
	       "www.example.test./A www.example.test./RRSIG:A",
	       "", "");
	r = ask("alias.example.test.", DNS_T_CNAME, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "alias.example.test./CNAME", "", "");
	r = ask("loop1.example.test.", DNS_T_A, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "loop1.example.test./CNAME loop2.example.test./CNAME", "",
	       "");
	r = ask("ext.example.test.", DNS_T_A, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "ext.example.test./CNAME", "", "");
	/* RFC 6604: the RCODE is that of the last name */
	r = ask("dangling.example.test.", DNS_T_A, &DO);
	EXPECT(r, DNS_RC_NXDOMAIN, true,
	       "dangling.example.test./CNAME dangling.example.test./RRSIG:CNAME",
	       "example.test./NSEC example.test./RRSIG:NSEC example.test./RRSIG:SOA "
	       "example.test./SOA many.example.test./NSEC many.example.test./RRSIG:NSEC",
	       "");
	/* into a delegation: the referral goes to authority, AA stays */
	r = ask("todeleg.example.test.", DNS_T_A, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "todeleg.example.test./CNAME", "sub.example.test./NS",
	       "ns.sub.example.test./A ns1.example.test./A");
}
END_TEST

START_TEST(t_dname)
{
	resp_t *r = ask("x.dn.example.test.", DNS_T_A, &DO);
	EXPECT(r, DNS_RC_NOERROR, true,
	       "dn.example.test./DNAME dn.example.test./RRSIG:DNAME x.dn.example.test./CNAME "
	       "x.target.example.test./A x.target.example.test./RRSIG:A",
	       "", "");
	/* the synthesised CNAME: TTL of the DNAME, unsigned */
	dns_rrcur_t cur;
	dns_rr_t rr;
	uint8_t rd[512];
	bool seen = false;
	dns_rrcur_init(&cur, &r->m, DNS_SEC_AN);
	while (dns_rrcur_next(&cur, &rr, rd, sizeof(rd)) == 1)
		if (rr.type == DNS_T_CNAME) {
			ck_assert_int_eq(rr.ttl, 600);
			seen = true;
		}
	ck_assert(seen);
	r = ask("y.dn.example.test.", DNS_T_A, &PLAIN);
	EXPECT(r, DNS_RC_NXDOMAIN, true, "dn.example.test./DNAME y.dn.example.test./CNAME",
	       "example.test./SOA", "");
	r = ask("dn.example.test.", DNS_T_DNAME, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "dn.example.test./DNAME", "", "");
	r = ask("dn.example.test.", DNS_T_A, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "", "example.test./SOA", "");
}
END_TEST

/* ---- wildcards ------------------------------------------------------------------------ */

START_TEST(t_wildcard)
{
	resp_t *r = ask("foo.wild.example.test.", DNS_T_A, &DO);
	EXPECT(r, DNS_RC_NOERROR, true, "foo.wild.example.test./A foo.wild.example.test./RRSIG:A",
	       "*.wild.example.test./NSEC *.wild.example.test./RRSIG:NSEC", "");
	/* the RRSIG keeps the wildcard's label count */
	r = ask("a.b.wild.example.test.", DNS_T_TXT, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "a.b.wild.example.test./TXT", "", "");
	/* wildcard NODATA: the NSEC covering the name and the one at *.wild */
	r = ask("foo.wild.example.test.", DNS_T_MX, &DO);
	EXPECT(r, DNS_RC_NOERROR, true, "",
	       "*.wild.example.test./NSEC *.wild.example.test./RRSIG:NSEC "
	       "example.test./RRSIG:SOA example.test./SOA",
	       "");
	/* a wildcard CNAME is followed */
	r = ask("foo.wc.example.test.", DNS_T_A, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "foo.wc.example.test./CNAME www.example.test./A", "", "");
	/* no wildcard at the closest encloser (example.test.): NXDOMAIN */
	r = ask("foo.example.test.", DNS_T_A, &PLAIN);
	EXPECT(r, DNS_RC_NXDOMAIN, true, "", "example.test./SOA", "");
}
END_TEST

START_TEST(t_ent)
{
	resp_t *r = ask("b.ent.example.test.", DNS_T_A, &DO);
	EXPECT(r, DNS_RC_NOERROR, true, "",
	       "dn.example.test./NSEC dn.example.test./RRSIG:NSEC "
	       "example.test./RRSIG:SOA example.test./SOA",
	       "");
	r = ask("ent.example.test.", DNS_T_A, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "", "example.test./SOA", "");
	/* below an empty non-terminal, nothing: NXDOMAIN */
	r = ask("c.b.ent.example.test.", DNS_T_A, &PLAIN);
	EXPECT(r, DNS_RC_NXDOMAIN, true, "", "example.test./SOA", "");
}
END_TEST

/* ---- negative answers ------------------------------------------------------------------- */

START_TEST(t_negative_nsec)
{
	resp_t *r = ask("nope.example.test.", DNS_T_A, &DO);
	/* the NSEC covering nope (many -> ns1) and the one covering *.example.test. (apex) */
	EXPECT(r, DNS_RC_NXDOMAIN, true, "",
	       "example.test./NSEC example.test./RRSIG:NSEC example.test./RRSIG:SOA "
	       "example.test./SOA many.example.test./NSEC many.example.test./RRSIG:NSEC",
	       "");
	r = ask("www.example.test.", DNS_T_MX, &DO);
	EXPECT(r, DNS_RC_NOERROR, true, "",
	       "example.test./RRSIG:SOA example.test./SOA www.example.test./NSEC "
	       "www.example.test./RRSIG:NSEC",
	       "");
	/* SOA TTL: min(SOA TTL, MINIMUM) = 300 */
	dns_rrcur_t cur;
	dns_rr_t rr;
	uint8_t rd[512];
	dns_rrcur_init(&cur, &r->m, DNS_SEC_NS);
	while (dns_rrcur_next(&cur, &rr, rd, sizeof(rd)) == 1)
		if (rr.type == DNS_T_SOA)
			ck_assert_int_eq(rr.ttl, 300);
	r = ask("www.example.test.", DNS_T_MX, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "", "example.test./SOA", "");
	/* DS at the apex: this server has only the child side (RFC 4035 §3.1.4.1) */
	r = ask("example.test.", DNS_T_DS, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "", "example.test./SOA", "");
}
END_TEST

/* ---- delegations -------------------------------------------------------------------------- */

START_TEST(t_referral)
{
	resp_t *r = ask("host.sub.example.test.", DNS_T_A, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, false, "", "sub.example.test./NS",
	       "ns.sub.example.test./A ns1.example.test./A");
	r = ask("sub.example.test.", DNS_T_NS, &DO);
	EXPECT(r, DNS_RC_NOERROR, false, "",
	       "sub.example.test./DS sub.example.test./NS sub.example.test./RRSIG:DS",
	       "ns.sub.example.test./A ns1.example.test./A ns1.example.test./RRSIG:A");
	/* glue itself is below the cut: a referral too */
	r = ask("ns.sub.example.test.", DNS_T_A, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, false, "", "sub.example.test./NS",
	       "ns.sub.example.test./A ns1.example.test./A");
	/* insecure delegation: the NSEC at the cut proves there is no DS */
	r = ask("www.insec.example.test.", DNS_T_A, &DO);
	EXPECT(r, DNS_RC_NOERROR, false, "",
	       "insec.example.test./NS insec.example.test./NSEC insec.example.test./RRSIG:NSEC",
	       "ns.insec.example.test./A");
}
END_TEST

START_TEST(t_ds)
{
	resp_t *r = ask("sub.example.test.", DNS_T_DS, &DO);
	EXPECT(r, DNS_RC_NOERROR, true, "sub.example.test./DS sub.example.test./RRSIG:DS", "", "");
	r = ask("insec.example.test.", DNS_T_DS, &DO);
	EXPECT(r, DNS_RC_NOERROR, true, "",
	       "example.test./RRSIG:SOA example.test./SOA insec.example.test./NSEC "
	       "insec.example.test./RRSIG:NSEC",
	       "");
	/* DS below a cut: the referral */
	r = ask("x.sub.example.test.", DNS_T_DS, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, false, "", "sub.example.test./NS",
	       "ns.sub.example.test./A ns1.example.test./A");
}
END_TEST

/* ---- NSEC3 ------------------------------------------------------------------------------- */

/* The NSEC3 hashes (decoded owner label, next) found in authority. */
typedef struct {
	uint8_t own[20], next[20];
	bool optout;
} h3_t;

static int nsec3s(resp_t *r, h3_t *out, int max)
{
	dns_rrcur_t cur;
	dns_rr_t rr;
	uint8_t rd[1024];
	int n = 0;
	dns_rrcur_init(&cur, &r->m, DNS_SEC_NS);
	while (dns_rrcur_next(&cur, &rr, rd, sizeof(rd)) == 1 && n < max) {
		if (rr.type != DNS_T_NSEC3)
			continue;
		char lab[64];
		memcpy(lab, rr.owner.data + 1, rr.owner.data[0]);
		lab[rr.owner.data[0]] = 0;
		ck_assert_int_eq(dns_b32hex_decode(lab, out[n].own, 20), 20);
		size_t salt = rd[4];
		ck_assert_int_eq(rd[5 + salt], 20);
		memcpy(out[n].next, rd + 6 + salt, 20);
		out[n].optout = rd[1] & 1;
		n++;
	}
	return n;
}

static void h3(const char *name, uint8_t out[20])
{
	dns_name_t n;
	uint8_t h[64];
	ck_assert_int_eq(dns_name_from_text(name, NULL, &n), RODNS_OK);
	ck_assert_int_eq(
	    serve_nsec3_hash(1, TZ_ITERATIONS, (const uint8_t *)TZ_SALT, TZ_SALT_LEN, &n, h), 20);
	memcpy(out, h, 20);
}

static bool h3_matches(const h3_t *v, int n, const char *name)
{
	uint8_t h[20];
	h3(name, h);
	for (int i = 0; i < n; i++)
		if (memcmp(v[i].own, h, 20) == 0)
			return true;
	return false;
}

/* Covered: strictly between owner and next (or after the last one). */
static bool h3_covers(const h3_t *v, int n, const char *name, bool need_optout)
{
	uint8_t h[20];
	h3(name, h);
	for (int i = 0; i < n; i++) {
		int a = memcmp(v[i].own, h, 20), b = memcmp(h, v[i].next, 20);
		bool wrap = memcmp(v[i].own, v[i].next, 20) >= 0;
		bool in = wrap ? (a < 0 || b < 0) : (a < 0 && b < 0);
		if (in && (!need_optout || v[i].optout))
			return true;
	}
	return false;
}

START_TEST(t_nsec3_hash)
{
	/* RFC 5155 Appendix A: H(example) with salt aabbccdd, 12 iterations */
	dns_name_t n;
	uint8_t h[64];
	char b32[64];
	ck_assert_int_eq(dns_name_from_text("example.", NULL, &n), RODNS_OK);
	ck_assert_int_eq(serve_nsec3_hash(1, 12, (const uint8_t *)"\xaa\xbb\xcc\xdd", 4, &n, h),
			 20);
	dns_b32hex_encode(h, 20, b32, sizeof(b32));
	ck_assert_str_eq(b32, "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom");
	ck_assert_int_eq(dns_name_from_text("a.example.", NULL, &n), RODNS_OK);
	serve_nsec3_hash(1, 12, (const uint8_t *)"\xaa\xbb\xcc\xdd", 4, &n, h);
	dns_b32hex_encode(h, 20, b32, sizeof(b32));
	ck_assert_str_eq(b32, "35mthgpgcu1qg68fab165klnsnk3dpvl");
	ck_assert_int_lt(serve_nsec3_hash(2, 0, NULL, 0, &n, h), 0);
}
END_TEST

START_TEST(t_nsec3_nxdomain)
{
	h3_t v[8];
	resp_t *r = ask3("nope.example.test.", DNS_T_A, &DO);
	ck_assert_int_eq(r->rcode, DNS_RC_NXDOMAIN);
	ck_assert(AA(r));
	int n = nsec3s(r, v, 8);
	ck_assert_int_ge(n, 1);
	ck_assert_int_le(n, 3);
	ck_assert(h3_matches(v, n, "example.test."));
	ck_assert(h3_covers(v, n, "nope.example.test.", false));
	ck_assert(h3_covers(v, n, "*.example.test.", false));
	/* deeper: the closest encloser is www, the next closer b.www */
	r = ask3("a.b.www.example.test.", DNS_T_A, &DO);
	n = nsec3s(r, v, 8);
	ck_assert(h3_matches(v, n, "www.example.test."));
	ck_assert(h3_covers(v, n, "b.www.example.test.", false));
	ck_assert(h3_covers(v, n, "*.www.example.test.", false));
	/* without DO: no proofs */
	r = ask3("nope.example.test.", DNS_T_A, &PLAIN);
	EXPECT(r, DNS_RC_NXDOMAIN, true, "", "example.test./SOA", "");
}
END_TEST

START_TEST(t_nsec3_nodata)
{
	h3_t v[8];
	resp_t *r = ask3("www.example.test.", DNS_T_MX, &DO);
	ck_assert_int_eq(r->rcode, DNS_RC_NOERROR);
	ck_assert_str_eq(r->sec[DNS_SEC_AN], "");
	int n = nsec3s(r, v, 8);
	ck_assert_int_eq(n, 1);
	ck_assert(h3_matches(v, n, "www.example.test."));
	/* an empty non-terminal has its own NSEC3 */
	r = ask3("b.ent.example.test.", DNS_T_A, &DO);
	n = nsec3s(r, v, 8);
	ck_assert_int_eq(n, 1);
	ck_assert(h3_matches(v, n, "b.ent.example.test."));
	/* DS at an Opt-Out insecure cut: closest provable encloser proof */
	r = ask3("insec.example.test.", DNS_T_DS, &DO);
	ck_assert(AA(r));
	ck_assert_int_eq(r->rcode, DNS_RC_NOERROR);
	n = nsec3s(r, v, 8);
	ck_assert(h3_matches(v, n, "example.test."));
	ck_assert(h3_covers(v, n, "insec.example.test.", true));
	/* DS at a secure cut: it matches */
	r = ask3("sub.example.test.", DNS_T_DS, &DO);
	ck_assert_str_eq(r->sec[DNS_SEC_AN], "sub.example.test./DS sub.example.test./RRSIG:DS");
}
END_TEST

START_TEST(t_nsec3_wildcard)
{
	h3_t v[8];
	resp_t *r = ask3("foo.wild.example.test.", DNS_T_A, &DO);
	ck_assert_str_eq(r->sec[DNS_SEC_AN],
			 "foo.wild.example.test./A foo.wild.example.test./RRSIG:A");
	int n = nsec3s(r, v, 8);
	ck_assert_int_eq(n, 1);
	ck_assert(h3_covers(v, n, "foo.wild.example.test.", false));
	/* deeper: the next closer is b.wild */
	r = ask3("a.b.wild.example.test.", DNS_T_A, &DO);
	n = nsec3s(r, v, 8);
	ck_assert_int_eq(n, 1);
	ck_assert(h3_covers(v, n, "b.wild.example.test.", false));
	/* wildcard NODATA: closest encloser proof + the NSEC3 matching *.wild */
	r = ask3("foo.wild.example.test.", DNS_T_MX, &DO);
	ck_assert_int_eq(r->rcode, DNS_RC_NOERROR);
	n = nsec3s(r, v, 8);
	ck_assert(h3_matches(v, n, "wild.example.test."));
	ck_assert(h3_covers(v, n, "foo.wild.example.test.", false));
	ck_assert(h3_matches(v, n, "*.wild.example.test."));
}
END_TEST

START_TEST(t_nsec3_referral)
{
	h3_t v[8];
	resp_t *r = ask3("www.insec.example.test.", DNS_T_A, &DO);
	ck_assert(!AA(r));
	ck_assert_int_eq(r->rcode, DNS_RC_NOERROR);
	int n = nsec3s(r, v, 8);
	ck_assert(h3_matches(v, n, "example.test."));
	ck_assert(h3_covers(v, n, "insec.example.test.", true));
	r = ask3("www.sub.example.test.", DNS_T_A, &DO);
	ck_assert_str_eq(r->sec[DNS_SEC_NS],
			 "sub.example.test./DS sub.example.test./NS sub.example.test./RRSIG:DS");
	/* an NSEC3 owner name is no name of the zone (RFC 5155 §7.2.9) */
	uint8_t h[20];
	char b32[64], name[128];
	h3("www.example.test.", h);
	dns_b32hex_encode(h, 20, b32, sizeof(b32));
	snprintf(name, sizeof(name), "%s.example.test.", b32);
	r = ask3(name, DNS_T_NSEC3, &PLAIN);
	EXPECT(r, DNS_RC_NXDOMAIN, true, "", "example.test./SOA", "");
}
END_TEST

/* ---- EDNS0 and truncation ------------------------------------------------------------------ */

START_TEST(t_edns)
{
	qopt_t v1 = {.edns = true, .payload = 4096, .version = 1};
	resp_t *r = ask("www.example.test.", DNS_T_A, &v1);
	ck_assert_int_eq(r->rcode, DNS_RC_BADVERS);
	ck_assert(r->m.edns.present);
	ck_assert_int_eq(r->m.edns.version, 0);
	ck_assert_int_eq(r->count[DNS_SEC_AN], 0);
	qopt_t e = {.edns = true, .payload = 4096, .max = 1400};
	r = ask("www.example.test.", DNS_T_A, &e);
	ck_assert_int_eq(r->m.edns.udp_size, 1400);
	ck_assert_int_eq(r->m.edns.flags & DNS_EDNS_DO, 0);
	/* another class: not ours */
	r = ask_in(path_plain, id_plain, "www.example.test.", DNS_T_A, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "www.example.test./A", "", "");
}
END_TEST

START_TEST(t_truncation)
{
	/* seven 80-octet TXT RRs: over 512, under 1232 */
	resp_t *r = ask("big.example.test.", DNS_T_TXT, &PLAIN);
	ck_assert(TC(r));
	ck_assert_int_le(r->len, 512);
	ck_assert_int_eq(r->count[DNS_SEC_AN], 0);
	qopt_t e = {.edns = true, .payload = 1232};
	r = ask("big.example.test.", DNS_T_TXT, &e);
	ck_assert(!TC(r));
	ck_assert_int_eq(r->count[DNS_SEC_AN], 7);
	/* a requestor's payload below 512 counts as 512 */
	qopt_t small = {.edns = true, .payload = 100};
	r = ask("www.example.test.", DNS_T_A, &small);
	ck_assert(!TC(r));
	qopt_t tcp = {.tcp = true};
	r = ask("big.example.test.", DNS_T_TXT, &tcp);
	ck_assert(!TC(r));
	ck_assert_int_eq(r->count[DNS_SEC_AN], 7);
	/* a referral whose in-domain glue does not all fit: TC (RFC 9471) */
	r = ask("x.many.example.test.", DNS_T_A, &PLAIN);
	ck_assert(TC(r));
	ck_assert_int_eq(r->count[DNS_SEC_NS], 6);
	ck_assert_int_le(r->len, 512);
	r = ask("x.many.example.test.", DNS_T_A, &e);
	ck_assert(!TC(r));
	ck_assert_int_eq(r->count[DNS_SEC_AR], 12);
	/* optional additional data: RRSIGs go first, then whole RRsets,
	 * without TC (here ns1's A is zone data, not glue) */
	qopt_t d512 = {.edns = true, .payload = 512, .dnssec = true};
	r = ask("x.sub.example.test.", DNS_T_A, &d512);
	ck_assert(!TC(r));
	ck_assert_str_eq(r->sec[DNS_SEC_NS],
			 "sub.example.test./DS sub.example.test./NS sub.example.test./RRSIG:DS");
	ck_assert(strstr(r->sec[DNS_SEC_AR], "ns.sub.example.test./A") != NULL);
	/* with OPT, the OPT always fits */
	qopt_t e512 = {.edns = true, .payload = 512, .dnssec = true};
	r = ask("big.example.test.", DNS_T_TXT, &e512);
	ck_assert(TC(r));
	ck_assert(r->m.edns.present);
	ck_assert_int_le(r->len, 512);
}
END_TEST

START_TEST(t_unsigned)
{
	resp_t *r = ask_in(path_plain, id_plain, "nope.example.test.", DNS_T_A, &DO);
	EXPECT(r, DNS_RC_NXDOMAIN, true, "", "example.test./SOA", "");
	r = ask_in(path_plain, id_plain, "www.insec.example.test.", DNS_T_A, &DO);
	EXPECT(r, DNS_RC_NOERROR, false, "", "insec.example.test./NS", "ns.insec.example.test./A");
	r = ask_in(path_plain, id_plain, "foo.wild.example.test.", DNS_T_A, &DO);
	EXPECT(r, DNS_RC_NOERROR, true, "foo.wild.example.test./A", "", "");
}
END_TEST

START_TEST(t_flags)
{
	/* RD and CD come back (RFC 1035 §4.1.1, RFC 4035 §3.1.6: the name
	 * server MUST copy CD), AD and RA do not; an unknown option is ignored */
	qopt_t rd = {.flags = DNS_F_RD | DNS_F_CD | DNS_F_AD};
	resp_t *r = ask("www.example.test.", DNS_T_A, &rd);
	ck_assert_int_eq(r->m.flags & (DNS_F_RD | DNS_F_CD | DNS_F_AD | DNS_F_RA),
			 DNS_F_RD | DNS_F_CD);
	ck_assert_int_eq(DNS_OPCODE(r->m.flags), DNS_OP_QUERY);
	EXPECT(r, DNS_RC_NOERROR, true, "www.example.test./A", "", "");
	r = ask("www.example.test.", DNS_T_A, &DO);
	ck_assert_int_eq(r->m.flags & DNS_F_RD, 0);
}
END_TEST

START_TEST(t_chain_limits)
{
	/* a chain of 18 links: 16 are followed, then it stops */
	resp_t *r = ask("l1.example.test.", DNS_T_A, &PLAIN);
	ck_assert_int_eq(r->rcode, DNS_RC_NOERROR);
	ck_assert_int_eq(r->count[DNS_SEC_AN], SERVE_CHAIN_MAX + 1);
	ck_assert(strstr(r->sec[DNS_SEC_AN], "www.example.test./A") == NULL);
	r = ask("l3.example.test.", DNS_T_A, &PLAIN);
	ck_assert_int_eq(r->count[DNS_SEC_AN], 17);
	ck_assert(strstr(r->sec[DNS_SEC_AN], "www.example.test./A") != NULL);
	/* asked for the CNAME: the synthesised one is the answer, not followed */
	r = ask("x.dn.example.test.", DNS_T_CNAME, &PLAIN);
	EXPECT(r, DNS_RC_NOERROR, true, "dn.example.test./DNAME x.dn.example.test./CNAME", "", "");
	/* a DNAME substitution longer than 255 octets: YXDOMAIN (RFC 6672 §2.2) */
	r = ask("ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc."
		"ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd."
		"long.example.test.",
		DNS_T_A, &PLAIN);
	EXPECT(r, 6, true, "long.example.test./DNAME", "", "");
}
END_TEST

Suite *answer_suite(void)
{
	Suite *s = suite_create("answer");
	TCase *tc = t_case("answer", T_UNIT);

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_positive);
	tcase_add_test(tc, t_case_echo);
	tcase_add_test(tc, t_dnssec_types_plain);
	tcase_add_test(tc, t_any);
	tcase_add_test(tc, t_cname);
	tcase_add_test(tc, t_dname);
	tcase_add_test(tc, t_wildcard);
	tcase_add_test(tc, t_ent);
	tcase_add_test(tc, t_negative_nsec);
	tcase_add_test(tc, t_referral);
	tcase_add_test(tc, t_ds);
	tcase_add_test(tc, t_nsec3_hash);
	tcase_add_test(tc, t_nsec3_nxdomain);
	tcase_add_test(tc, t_nsec3_nodata);
	tcase_add_test(tc, t_nsec3_wildcard);
	tcase_add_test(tc, t_nsec3_referral);
	tcase_add_test(tc, t_edns);
	tcase_add_test(tc, t_truncation);
	tcase_add_test(tc, t_unsigned);
	tcase_add_test(tc, t_flags);
	tcase_add_test(tc, t_chain_limits);
	suite_add_tcase(s, tc);
	return s;
}
