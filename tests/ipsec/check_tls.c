/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Tests for ipsec/tls.c: a PKI made with the OpenSSL API in a temporary
 * directory, an in-process TLS server (a thread, OpenSSL) that requires
 * client certificates and ALPN "dot", and the client against it: success,
 * resumption, every verification failure with its reason, the key-file
 * mode check, and servers that misbehave (close right after the handshake,
 * never answer, no ALPN, TLS 1.2 only). */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tests/check_bounds.h"
#include "dns/err.h"
#include "ipsec/tls.h"

Suite *tls_suite(void);

#define TMO 5000 /* ms: generous bound for anything that should succeed */

/* ---- the PKI ------------------------------------------------------------ */

static char dir[64];

static const char *path(const char *name)
{
	static char buf[8][320];
	static unsigned next;
	char *p = buf[next++ % 8];
	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

static void add_ext(X509 *x, X509V3_CTX *v, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, v, nid, value);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

/* A certificate for key, issued by (issuer, ikey) or self-signed, valid
 * from `from` to `to` seconds relative to now. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, const char *san, const char *eku,
		       X509 *issuer, EVP_PKEY *ikey, long from, long to)
{
	static long serial = 1;
	X509 *x = X509_new();
	ck_assert_ptr_nonnull(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), from);
	X509_gmtime_adj(X509_getm_notAfter(x), to);
	X509_set_pubkey(x, key);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509V3_CTX v;
	X509V3_set_ctx_nodb(&v);
	X509V3_set_ctx(&v, issuer ? issuer : x, x, NULL, NULL, 0);
	bool ca = eku == NULL;
	add_ext(x, &v, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	add_ext(x, &v, NID_key_usage,
		ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
	if (eku)
		add_ext(x, &v, NID_ext_key_usage, eku);
	if (san)
		add_ext(x, &v, NID_subject_alt_name, san);
	ck_assert_int_gt(X509_sign(x, ikey ? ikey : key, EVP_sha256()), 0);
	return x;
}

static void write_pem(const char *name, X509 *x, EVP_PKEY *k)
{
	char f[160];
	snprintf(f, sizeof(f), "%s.crt", name);
	FILE *fp = fopen(path(f), "w");
	ck_assert_ptr_nonnull(fp);
	PEM_write_X509(fp, x);
	fclose(fp);
	snprintf(f, sizeof(f), "%s.key", name);
	fp = fopen(path(f), "w");
	ck_assert_ptr_nonnull(fp);
	fchmod(fileno(fp), 0600);
	PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL);
	fclose(fp);
}

static uint8_t primary_pin[32];

/* One leaf: key, certificate, PEM files NAME.crt and NAME.key. */
static void leaf(const char *name, const char *cn, const char *san, const char *eku, X509 *ca,
		 EVP_PKEY *cakey, long from, long to, uint8_t *pin)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	ck_assert_ptr_nonnull(k);
	X509 *x = make_cert(k, cn, san, eku, ca, cakey, from, to);
	write_pem(name, x, k);
	if (pin) {
		unsigned char *der = NULL;
		int n = i2d_PUBKEY(k, &der);
		unsigned int len = 0;
		ck_assert_int_gt(n, 0);
		EVP_Digest(der, (size_t)n, pin, &len, EVP_sha256(), NULL);
		OPENSSL_free(der);
	}
	X509_free(x);
	EVP_PKEY_free(k);
}

static void pki_setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "/tmp/rodns-check-tls.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	const long day = 86400;
	EVP_PKEY *cak = EVP_EC_gen("P-256"), *rok = EVP_EC_gen("P-256");
	X509 *ca = make_cert(cak, "Test CA", NULL, NULL, NULL, NULL, -day, 7 * day);
	X509 *ro = make_cert(rok, "Rogue CA", NULL, NULL, NULL, NULL, -day, 7 * day);
	write_pem("ca", ca, cak);
	write_pem("rogueca", ro, rok);
	const char *psan = "DNS:primary.example.test,IP:127.0.0.1";
	leaf("primary", "primary.example.test", psan, "serverAuth", ca, cak, -day, 7 * day,
	     primary_pin);
	leaf("expired", "primary.example.test", psan, "serverAuth", ca, cak, -10 * day, -day, NULL);
	leaf("impostor", "primary.example.test", psan, "serverAuth", ro, rok, -day, 7 * day, NULL);
	leaf("replica", "replica.example.test", "DNS:replica.example.test", "clientAuth", ca, cak,
	     -day, 7 * day, NULL);
	leaf("rogue", "replica.example.test", "DNS:replica.example.test", "clientAuth", ro, rok,
	     -day, 7 * day, NULL);
	X509_free(ca);
	X509_free(ro);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(rok);
}

static void pki_teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "check_tls: could not remove %s\n", dir);
}

/* ---- the server ---------------------------------------------------------- */

typedef enum {
	SRV_ECHO,     /* handshake, then echo length-prefixed messages */
	SRV_CLOSE,    /* no tickets; close right after the handshake (BIND under 1.3) */
	SRV_SILENT,   /* accepts TCP, never speaks TLS */
	SRV_NO_ALPN,  /* no ALPN at all */
	SRV_TLS12,    /* TLS 1.2 at most */
	SRV_NO_REPLY, /* handshake, then reads and never answers */
} srv_mode_t;

typedef struct {
	srv_mode_t mode;
	const char *cert; /* basename of the server's certificate and key */
	int lfd;
	uint16_t port;
	SSL_CTX *ctx;
	pthread_t th;
	atomic_int stop;
	atomic_int handshakes, resumed, failed, version;
	char client_cn[128];
} srv_t;

static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		       const unsigned char *in, unsigned int inlen, void *arg)
{
	static const unsigned char dot[] = {3, 'd', 'o', 't'};
	(void)ssl;
	(void)arg;
	if (SSL_select_next_proto((unsigned char **)out, outlen, dot, sizeof(dot), in, inlen) !=
	    OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	return SSL_TLSEXT_ERR_OK;
}

static bool ssl_read_n(SSL *ssl, uint8_t *p, int n)
{
	while (n > 0) {
		int r = SSL_read(ssl, p, n);
		if (r <= 0)
			return false;
		p += r;
		n -= r;
	}
	return true;
}

static void echo(SSL *ssl, srv_mode_t mode)
{
	uint8_t buf[2 + 65535];
	while (ssl_read_n(ssl, buf, 2)) {
		int n = buf[0] << 8 | buf[1];
		if (!ssl_read_n(ssl, buf + 2, n))
			return;
		if (mode != SRV_NO_REPLY && SSL_write(ssl, buf, n + 2) != n + 2)
			return;
	}
}

static void serve_one(srv_t *s, int fd)
{
	struct timeval tv = {.tv_sec = 5};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (s->mode == SRV_SILENT) {
		char b[512];
		while (read(fd, b, sizeof(b)) > 0)
			;
		close(fd);
		return;
	}
	SSL *ssl = SSL_new(s->ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) != 1) {
		s->failed++;
		SSL_free(ssl);
		close(fd);
		return;
	}
	s->handshakes++;
	s->version = SSL_version(ssl);
	if (SSL_session_reused(ssl))
		s->resumed++;
	X509 *peer = SSL_get0_peer_certificate(ssl);
	if (peer)
		X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, s->client_cn,
					  sizeof(s->client_cn));
	if (s->mode == SRV_CLOSE) {
		close(fd); /* no alert, no close_notify: what BIND does */
		SSL_free(ssl);
		return;
	}
	echo(ssl, s->mode);
	SSL_shutdown(ssl);
	SSL_free(ssl);
	close(fd);
}

static void *srv_main(void *arg)
{
	srv_t *s = arg;
	while (!s->stop) {
		struct pollfd p = {.fd = s->lfd, .events = POLLIN};
		if (poll(&p, 1, 50) <= 0)
			continue;
		int fd = accept(s->lfd, NULL, NULL);
		if (fd >= 0)
			serve_one(s, fd);
	}
	return NULL;
}

static void srv_start(srv_t *s, srv_mode_t mode, const char *cert)
{
	static const unsigned char sid[] = "rodns-check-tls";
	char f[64];
	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->ctx = SSL_CTX_new(TLS_server_method());
	ck_assert_ptr_nonnull(s->ctx);
	snprintf(f, sizeof(f), "%s.crt", cert);
	ck_assert_int_eq(SSL_CTX_use_certificate_chain_file(s->ctx, path(f)), 1);
	snprintf(f, sizeof(f), "%s.key", cert);
	ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(s->ctx, path(f), SSL_FILETYPE_PEM), 1);
	ck_assert_int_eq(SSL_CTX_load_verify_locations(s->ctx, path("ca.crt"), NULL), 1);
	SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_session_id_context(s->ctx, sid, sizeof(sid) - 1);
	if (mode != SRV_NO_ALPN)
		SSL_CTX_set_alpn_select_cb(s->ctx, alpn_select, NULL);
	if (mode == SRV_TLS12)
		SSL_CTX_set_max_proto_version(s->ctx, TLS1_2_VERSION);
	if (mode == SRV_CLOSE)
		SSL_CTX_set_num_tickets(s->ctx, 0);
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(s->lfd, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert_int_eq(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(s->lfd, 8), 0);
	socklen_t al = sizeof(a);
	getsockname(s->lfd, (struct sockaddr *)&a, &al);
	s->port = ntohs(a.sin_port);
	ck_assert_int_eq(pthread_create(&s->th, NULL, srv_main, s), 0);
}

static void srv_stop(srv_t *s)
{
	s->stop = 1;
	pthread_join(s->th, NULL);
	close(s->lfd);
	SSL_CTX_free(s->ctx);
}

/* ---- the client ---------------------------------------------------------- */

typedef struct {
	char cert[160], key[160], ca[160], host[64];
	conf_tls_t t;
} prof_t;

/* A profile: our certificate NAME (NULL: none), the CA file (NULL: none),
 * the expected name (NULL: none). */
static conf_tls_t *prof(prof_t *p, const char *name, const char *ca, const char *host)
{
	memset(p, 0, sizeof(*p));
	p->t.name = (char *)"test";
	p->t.min_version = CONF_TLS_V13;
	if (name) {
		snprintf(p->cert, sizeof(p->cert), "%s/%s.crt", dir, name);
		snprintf(p->key, sizeof(p->key), "%s/%s.key", dir, name);
		p->t.cert = p->cert;
		p->t.key = p->key;
	}
	if (ca) {
		snprintf(p->ca, sizeof(p->ca), "%s/%s", dir, ca);
		p->t.ca = p->ca;
	}
	if (host) {
		snprintf(p->host, sizeof(p->host), "%s", host);
		p->t.hostname = p->host;
	}
	return &p->t;
}

static conf_addr_t to_port(uint16_t port)
{
	conf_addr_t a;
	memset(&a, 0, sizeof(a));
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a.ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.len = sizeof(*s4);
	return a;
}

/* Connects with profile t to server s; on success exchanges one message
 * and closes. Returns the connect result, reason in `reason`. */
static int run(const conf_tls_t *t, srv_t *s, int timeout_ms, char *reason, size_t cap)
{
	ipsec_tls_t *c = NULL;
	char err[256] = "";
	ck_assert_msg(ipsec_tls_new(t, &c, err, sizeof(err)) == RODNS_OK, "new: %s", err);
	conf_addr_t to = to_port(s->port);
	xfr_stream_t st;
	int rc = ipsec_tls_connect(c, &st, &to, NULL, timeout_ms, reason, cap);
	if (rc == RODNS_OK) {
		ck_assert_str_eq(st.transport, "tls");
		uint8_t q[20] = {0x12, 0x34}, r[65535];
		size_t n = 0;
		ck_assert_int_eq(xfr_stream_send(&st, q, sizeof(q), TMO), RODNS_OK);
		ck_assert_int_eq(xfr_stream_recv(&st, r, sizeof(r), &n, TMO), RODNS_OK);
		ck_assert_uint_eq(n, sizeof(q));
		ck_assert_mem_eq(r, q, sizeof(q));
		xfr_stream_close(&st);
	}
	ipsec_tls_free(c);
	return rc;
}

#define ck_reason(reason, word)                                                                    \
	ck_assert_msg(strstr(reason, word) != NULL, "reason '%s' lacks '%s'", reason, word)

/* ---- tests --------------------------------------------------------------- */

START_TEST(test_success)
{
	srv_t s;
	prof_t p;
	char why[256] = "";
	srv_start(&s, SRV_ECHO, "primary");
	int rc =
	    run(prof(&p, "replica", "ca.crt", "primary.example.test"), &s, TMO, why, sizeof(why));
	ck_assert_msg(rc == RODNS_OK, "connect: %s", why);
	srv_stop(&s);
	ck_assert_int_eq(s.handshakes, 1);
	ck_assert_int_eq(s.version, TLS1_3_VERSION);
	ck_assert_str_eq(s.client_cn, "replica.example.test");
}
END_TEST

/* Two connections through one context: the second resumes the first's
 * session (a TLS 1.3 ticket that arrived after the handshake). */
START_TEST(test_resumption)
{
	srv_t s;
	prof_t p;
	char why[256] = "";
	srv_start(&s, SRV_ECHO, "primary");
	ipsec_tls_t *c = NULL;
	ck_assert_int_eq(ipsec_tls_new(prof(&p, "replica", "ca.crt", "primary.example.test"), &c,
				       why, sizeof(why)),
			 RODNS_OK);
	conf_addr_t to = to_port(s.port);
	for (int i = 0; i < 3; i++) {
		xfr_stream_t st;
		uint8_t q[16] = {0}, r[64];
		size_t n;
		ck_assert_msg(ipsec_tls_connect(c, &st, &to, NULL, TMO, why, sizeof(why)) ==
				  RODNS_OK,
			      "connect %d: %s", i, why);
		ck_assert_int_eq(xfr_stream_send(&st, q, sizeof(q), TMO), RODNS_OK);
		ck_assert_int_eq(xfr_stream_recv(&st, r, sizeof(r), &n, TMO), RODNS_OK);
		xfr_stream_close(&st);
	}
	ipsec_tls_free(c);
	srv_stop(&s);
	ck_assert_int_eq(s.handshakes, 3);
	ck_assert_int_eq(s.resumed, 2);
}
END_TEST

START_TEST(test_ip_name)
{
	srv_t s;
	prof_t p;
	char why[256] = "";
	srv_start(&s, SRV_ECHO, "primary");
	ck_assert_msg(run(prof(&p, "replica", "ca.crt", "127.0.0.1"), &s, TMO, why, sizeof(why)) ==
			  RODNS_OK,
		      "%s", why);
	ck_assert_int_eq(run(prof(&p, "replica", "ca.crt", "127.0.0.2"), &s, TMO, why, sizeof(why)),
			 RODNS_E_TLS);
	ck_reason(why, "name mismatch");
	srv_stop(&s);
}
END_TEST

START_TEST(test_wrong_ca)
{
	srv_t s;
	prof_t p;
	char why[256] = "";
	srv_start(&s, SRV_ECHO, "primary");
	int rc = run(prof(&p, "replica", "rogueca.crt", "primary.example.test"), &s, TMO, why,
		     sizeof(why));
	srv_stop(&s);
	ck_assert_int_eq(rc, RODNS_E_TLS);
	ck_reason(why, "unknown CA");
	ck_reason(why, "Test CA"); /* the issuer it does have */
	ck_assert_int_eq(s.handshakes, 0);
}
END_TEST

/* A primary whose certificate comes from another CA (an impostor with
 * the right name). */
START_TEST(test_impostor)
{
	srv_t s;
	prof_t p;
	char why[256] = "";
	srv_start(&s, SRV_ECHO, "impostor");
	int rc =
	    run(prof(&p, "replica", "ca.crt", "primary.example.test"), &s, TMO, why, sizeof(why));
	srv_stop(&s);
	ck_assert_int_eq(rc, RODNS_E_TLS);
	ck_reason(why, "unknown CA");
}
END_TEST

START_TEST(test_wrong_name)
{
	srv_t s;
	prof_t p;
	char why[256] = "";
	srv_start(&s, SRV_ECHO, "primary");
	int rc =
	    run(prof(&p, "replica", "ca.crt", "other.example.test"), &s, TMO, why, sizeof(why));
	srv_stop(&s);
	ck_assert_int_eq(rc, RODNS_E_TLS);
	ck_reason(why, "name mismatch");
	ck_reason(why, "other.example.test");
	ck_reason(why, "DNS:primary.example.test");
	/* the client certificate was never sent to the wrong server */
	ck_assert_int_eq(s.handshakes, 0);
}
END_TEST

START_TEST(test_pin)
{
	srv_t s;
	prof_t p;
	char why[256] = "";
	srv_start(&s, SRV_ECHO, "primary");
	/* the right pin, with the CA and without it */
	conf_tls_t *t = prof(&p, "replica", "ca.crt", "primary.example.test");
	t->has_pin = true;
	memcpy(t->pin, primary_pin, 32);
	ck_assert_msg(run(t, &s, TMO, why, sizeof(why)) == RODNS_OK, "%s", why);
	t = prof(&p, "replica", NULL, NULL);
	t->has_pin = true;
	memcpy(t->pin, primary_pin, 32);
	ck_assert_msg(run(t, &s, TMO, why, sizeof(why)) == RODNS_OK, "pin only: %s", why);
	/* a wrong pin, with and without the CA */
	t = prof(&p, "replica", "ca.crt", "primary.example.test");
	t->has_pin = true;
	memcpy(t->pin, primary_pin, 32);
	t->pin[0] ^= 1;
	ck_assert_int_eq(run(t, &s, TMO, why, sizeof(why)), RODNS_E_TLS);
	ck_reason(why, "pin mismatch");
	t = prof(&p, "replica", NULL, NULL);
	t->has_pin = true;
	t->pin[5] = 1;
	ck_assert_int_eq(run(t, &s, TMO, why, sizeof(why)), RODNS_E_TLS);
	ck_reason(why, "pin mismatch");
	srv_stop(&s);
	ck_assert_int_eq(s.handshakes, 2);
}
END_TEST

/* The pin shown in a mismatch is the one `kdig +tls-pin` takes. */
START_TEST(test_pin_text)
{
	srv_t s;
	prof_t p;
	char why[256] = "";
	unsigned char b64[45];
	srv_start(&s, SRV_ECHO, "primary");
	conf_tls_t *t = prof(&p, "replica", NULL, NULL);
	t->has_pin = true;
	ck_assert_int_eq(run(t, &s, TMO, why, sizeof(why)), RODNS_E_TLS);
	srv_stop(&s);
	EVP_EncodeBlock(b64, primary_pin, 32);
	ck_reason(why, (const char *)b64);
}
END_TEST

START_TEST(test_expired)
{
	srv_t s;
	prof_t p;
	char why[256] = "";
	srv_start(&s, SRV_ECHO, "expired");
	int rc =
	    run(prof(&p, "replica", "ca.crt", "primary.example.test"), &s, TMO, why, sizeof(why));
	srv_stop(&s);
	ck_assert_int_eq(rc, RODNS_E_TLS);
	ck_reason(why, "expired");
	ck_reason(why, "notAfter");
}
END_TEST

START_TEST(test_key_mode)
{
	prof_t p;
	char err[512] = "";
	ipsec_tls_t *c = NULL;
	conf_tls_t *t = prof(&p, "replica", "ca.crt", "primary.example.test");
	/* a copy, so that the other tests keep a good key whatever happens */
	char cmd[512];
	snprintf(p.key, sizeof(p.key), "%s/mode.key", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s/replica.key' '%s'", dir, p.key);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(chmod(t->key, 0644), 0);
	ck_assert_int_eq(ipsec_tls_new(t, &c, err, sizeof(err)), RODNS_E_PERM);
	ck_assert_ptr_null(c);
	ck_reason(err, "0644");
	ck_reason(err, t->key);
	ck_assert_ptr_null(strstr(err, "PRIVATE"));
	ck_assert_int_eq(chmod(t->key, 0640), 0);
	ck_assert_int_eq(ipsec_tls_new(t, &c, err, sizeof(err)), RODNS_E_PERM);
	ck_assert_int_eq(chmod(t->key, 0600), 0);
	ck_assert_msg(ipsec_tls_new(t, &c, err, sizeof(err)) == RODNS_OK, "%s", err);
	ipsec_tls_free(c);
}
END_TEST

START_TEST(test_bad_profile)
{
	prof_t p;
	char err[512] = "";
	ipsec_tls_t *c = NULL;
	conf_tls_t *t = prof(&p, "replica", "missing.crt", "primary.example.test");
	ck_assert_int_ne(ipsec_tls_new(t, &c, err, sizeof(err)), RODNS_OK);
	ck_reason(err, "CA bundle");
	ck_reason(err, "No such file");
	t = prof(&p, "replica", "ca.crt", "primary.example.test");
	t->key = (char *)path("rogue.key"); /* another certificate's key */
	ck_assert_int_ne(ipsec_tls_new(t, &c, err, sizeof(err)), RODNS_OK);
	ck_reason(err, "does not belong");
	t = prof(&p, "replica", "ca.crt", "primary.example.test");
	t->key = (char *)path("nonexistent.key");
	ck_assert_int_eq(ipsec_tls_new(t, &c, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_null(c);
}
END_TEST

/* BIND under TLS 1.3: the handshake completes on our side, then the
 * server closes without an alert because it rejected our certificate. */
START_TEST(test_closed_after_handshake)
{
	srv_t s;
	prof_t p;
	char why[256] = "";
	srv_start(&s, SRV_CLOSE, "primary");
	int rc =
	    run(prof(&p, "replica", "ca.crt", "primary.example.test"), &s, TMO, why, sizeof(why));
	srv_stop(&s);
	ck_assert_int_eq(rc, RODNS_E_TLS);
	ck_reason(why, "the primary closed the session right after the handshake: it probably "
		       "rejected our client certificate");
}
END_TEST

/* An OpenSSL server says so with an alert instead. */
START_TEST(test_rejected_by_alert)
{
	srv_t s;
	prof_t p;
	char why[256] = "";
	srv_start(&s, SRV_ECHO, "primary");
	int rc =
	    run(prof(&p, "rogue", "ca.crt", "primary.example.test"), &s, TMO, why, sizeof(why));
	ck_assert_int_eq(rc, RODNS_E_TLS);
	ck_reason(why, "rejected our client certificate");
	rc = run(prof(&p, NULL, "ca.crt", "primary.example.test"), &s, TMO, why, sizeof(why));
	ck_assert_int_eq(rc, RODNS_E_TLS);
	ck_reason(why, "rejected our client certificate");
	ck_reason(why, "presents none");
	srv_stop(&s);
	ck_assert_int_eq(s.failed, 2);
}
END_TEST

START_TEST(test_handshake_timeout)
{
	srv_t s;
	prof_t p;
	char why[256] = "";
	srv_start(&s, SRV_SILENT, "primary");
	int rc =
	    run(prof(&p, "replica", "ca.crt", "primary.example.test"), &s, 300, why, sizeof(why));
	srv_stop(&s);
	ck_assert_int_eq(rc, RODNS_E_TIMEOUT);
	ck_reason(why, "handshake timeout");
}
END_TEST

START_TEST(test_no_alpn)
{
	srv_t s;
	prof_t p;
	char why[256] = "";
	srv_start(&s, SRV_NO_ALPN, "primary");
	int rc =
	    run(prof(&p, "replica", "ca.crt", "primary.example.test"), &s, TMO, why, sizeof(why));
	srv_stop(&s);
	ck_assert_int_eq(rc, RODNS_E_TLS);
	ck_reason(why, "ALPN");
}
END_TEST

START_TEST(test_tls12)
{
	srv_t s;
	prof_t p;
	char why[256] = "";
	srv_start(&s, SRV_TLS12, "primary");
	conf_tls_t *t = prof(&p, "replica", "ca.crt", "primary.example.test");
	ck_assert_int_eq(run(t, &s, TMO, why, sizeof(why)), RODNS_E_TLS);
	ck_reason(why, "TLS version");
	t->min_version = CONF_TLS_V12;
	ck_assert_msg(run(t, &s, TMO, why, sizeof(why)) == RODNS_OK, "%s", why);
	srv_stop(&s);
	ck_assert_int_eq(s.version, TLS1_2_VERSION);
	ck_assert_str_eq(s.client_cn, "replica.example.test");
}
END_TEST

/* Reads are bounded: a primary that accepts the query and never answers. */
START_TEST(test_read_timeout)
{
	srv_t s;
	prof_t p;
	char why[256] = "";
	srv_start(&s, SRV_NO_REPLY, "primary");
	ipsec_tls_t *c = NULL;
	ck_assert_int_eq(ipsec_tls_new(prof(&p, "replica", "ca.crt", "primary.example.test"), &c,
				       why, sizeof(why)),
			 RODNS_OK);
	conf_addr_t to = to_port(s.port);
	xfr_stream_t st;
	ck_assert_msg(ipsec_tls_connect(c, &st, &to, NULL, TMO, why, sizeof(why)) == RODNS_OK, "%s",
		      why);
	uint8_t q[16] = {0}, r[64];
	size_t n;
	ck_assert_int_eq(xfr_stream_send(&st, q, sizeof(q), TMO), RODNS_OK);
	ck_assert_int_eq(xfr_stream_recv(&st, r, sizeof(r), &n, 200), RODNS_E_TIMEOUT);
	xfr_stream_close(&st);
	ipsec_tls_free(c);
	srv_stop(&s);
}
END_TEST

START_TEST(test_refused)
{
	prof_t p;
	char why[256] = "";
	ipsec_tls_t *c = NULL;
	ck_assert_int_eq(ipsec_tls_new(prof(&p, "replica", "ca.crt", "primary.example.test"), &c,
				       why, sizeof(why)),
			 RODNS_OK);
	/* a port nobody listens on: bind one, learn it, close it */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	close(fd);
	conf_addr_t to = to_port(ntohs(a.sin_port));
	xfr_stream_t st;
	ck_assert_int_eq(ipsec_tls_connect(c, &st, &to, NULL, TMO, why, sizeof(why)),
			 -ECONNREFUSED);
	ck_reason(why, "TCP connect");
	ipsec_tls_free(c);
}
END_TEST

Suite *tls_suite(void)
{
	Suite *s = suite_create("tls");
	TCase *tc = t_case("xot", T_UNIT);
	tcase_add_unchecked_fixture(tc, pki_setup, pki_teardown);
	tcase_add_test(tc, test_success);
	tcase_add_test(tc, test_resumption);
	tcase_add_test(tc, test_ip_name);
	tcase_add_test(tc, test_wrong_ca);
	tcase_add_test(tc, test_impostor);
	tcase_add_test(tc, test_wrong_name);
	tcase_add_test(tc, test_pin);
	tcase_add_test(tc, test_pin_text);
	tcase_add_test(tc, test_expired);
	tcase_add_test(tc, test_key_mode);
	tcase_add_test(tc, test_bad_profile);
	tcase_add_test(tc, test_closed_after_handshake);
	tcase_add_test(tc, test_rejected_by_alert);
	tcase_add_test(tc, test_handshake_timeout);
	tcase_add_test(tc, test_no_alpn);
	tcase_add_test(tc, test_tls12);
	tcase_add_test(tc, test_read_timeout);
	tcase_add_test(tc, test_refused);
	suite_add_tcase(s, tc);
	return s;
}
