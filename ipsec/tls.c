/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* XFR-over-TLS client (RFC 9103): see tls.h.
 *
 * One SSL_CTX per `tls:` profile holds our certificate and key, the CA
 * store, the expected name and ALPN "dot". Each connection is a
 * non-blocking socket driven by poll against a deadline, so no call blocks
 * longer than the caller allows.
 *
 * Two things are decided here rather than left to OpenSSL's defaults:
 *  - The verify callback records the first failure (which check, which
 *    certificate) so the reason names it, and checks the SPKI pin on the
 *    leaf before our own certificate is sent.
 *  - Under TLS 1.3 the server checks our certificate after the handshake
 *    has completed on our side; BIND then just closes the connection. So
 *    after the handshake we wait (briefly) for the server's first record:
 *    a session ticket confirms we were accepted, EOF or an alert means we
 *    were not. A server that sends no tickets costs TLS_CONFIRM_MS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "dns/err.h"
#include "ipsec/tls.h"

#define TLS_SLOTS	8	    /* primaries per profile whose last session is kept */
#define TLS_CONFIRM_MS	1500	    /* longest wait for the first record after a 1.3 handshake */
#define TLS_KEY_MAX	(64 * 1024) /* largest private key file read */
#define TLS_NO_DEADLINE INT64_MAX

typedef struct {
	conf_addr_t peer;
	SSL_SESSION *sess;
} tls_slot_t;

struct ipsec_tls {
	SSL_CTX *ctx;
	char *hostname; /* NULL: no name check (the pin decides) */
	bool host_is_ip;
	bool has_ca, has_cert, has_pin;
	uint8_t pin[32];
	pthread_mutex_t lock; /* slots */
	tls_slot_t slots[TLS_SLOTS];
	unsigned next_slot;
};

typedef struct {
	ipsec_tls_t *tls;
	SSL *ssl;
	int fd;
	conf_addr_t peer;
	bool fatal;	 /* after SSL_ERROR_SSL/SYSCALL: no SSL_shutdown */
	bool got_ticket; /* the server sent a session (ticket) */
	/* the first verification failure */
	int verr;
	int vdepth;
	bool pin_bad;
	char vcert[256]; /* what the failing certificate says (names, dates, issuer) */
	uint8_t seen_pin[32];
} tls_conn_t;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t deadline_in(int timeout_ms)
{
	return timeout_ms < 0 ? TLS_NO_DEADLINE : now_ms() + timeout_ms;
}

static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = {.fd = fd, .events = events};
	for (;;) {
		int64_t left = -1;
		if (deadline != TLS_NO_DEADLINE) {
			left = deadline - now_ms();
			if (left <= 0)
				return RODNS_E_TIMEOUT;
		}
		int n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n > 0)
			return RODNS_OK;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static bool addr_eq(const conf_addr_t *a, const conf_addr_t *b)
{
	if (a->ss.ss_family != b->ss.ss_family)
		return false;
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)&a->ss, *y = (const void *)&b->ss;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)&a->ss, *y = (const void *)&b->ss;
	return x->sin6_port == y->sin6_port &&
	       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
}

/* ------------------------------------------------------------ sessions */

/* Keeps sess (we own the reference) as the one to resume with at peer. */
static void session_keep(ipsec_tls_t *c, const conf_addr_t *peer, SSL_SESSION *sess)
{
	SSL_SESSION *old = NULL;
	pthread_mutex_lock(&c->lock);
	tls_slot_t *slot = NULL;
	for (unsigned i = 0; i < TLS_SLOTS && !slot; i++)
		if (c->slots[i].sess && addr_eq(&c->slots[i].peer, peer))
			slot = &c->slots[i];
	if (!slot)
		slot = &c->slots[c->next_slot++ % TLS_SLOTS];
	old = slot->sess;
	slot->peer = *peer;
	slot->sess = sess;
	pthread_mutex_unlock(&c->lock);
	SSL_SESSION_free(old);
}

/* The session to resume with at peer (a reference for the caller), or
 * NULL. TLS 1.3 tickets are used once (RFC 8446 C.4): the server sends
 * fresh ones on every connection. */
static SSL_SESSION *session_take(ipsec_tls_t *c, const conf_addr_t *peer)
{
	SSL_SESSION *s = NULL;
	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < TLS_SLOTS; i++) {
		tls_slot_t *slot = &c->slots[i];
		if (!slot->sess || !addr_eq(&slot->peer, peer))
			continue;
		s = slot->sess;
		if (SSL_SESSION_get_protocol_version(s) >= TLS1_3_VERSION)
			slot->sess = NULL;
		else
			SSL_SESSION_up_ref(s);
		break;
	}
	pthread_mutex_unlock(&c->lock);
	if (s && !SSL_SESSION_is_resumable(s)) {
		SSL_SESSION_free(s);
		s = NULL;
	}
	return s;
}

/* Under TLS 1.3 tickets arrive after the handshake, on the first read. */
static int new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
	tls_conn_t *cn = SSL_get_app_data(ssl);
	if (!cn)
		return 0;
	cn->got_ticket = true;
	if (!SSL_SESSION_is_resumable(sess))
		return 0;
	session_keep(cn->tls, &cn->peer, sess);
	return 1; /* we keep the reference */
}

/* ------------------------------------------------------------ verification */

static int spki_sha256(X509 *x, uint8_t out[32])
{
	unsigned char *der = NULL;
	int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	if (n <= 0)
		return -1;
	unsigned int len = 0;
	int ok = EVP_Digest(der, (size_t)n, out, &len, EVP_sha256(), NULL);
	OPENSSL_free(der);
	return ok && len == 32 ? 0 : -1;
}

/* true when x's public key is the pinned one; remembers what it saw. */
static bool pin_ok(tls_conn_t *cn, X509 *x)
{
	if (!x || spki_sha256(x, cn->seen_pin) != 0)
		return false;
	return CRYPTO_memcmp(cn->seen_pin, cn->tls->pin, 32) == 0;
}

static void name_text(const X509_NAME *n, char *buf, size_t cap)
{
	if (!n || cap == 0) {
		if (cap)
			buf[0] = '\0';
		return;
	}
	X509_NAME_oneline(n, buf, (int)(cap > INT_MAX ? INT_MAX : cap));
}

/* "DNS:a, IP:192.0.2.1" from the subjectAltName of x. */
static void san_text(X509 *x, char *buf, size_t cap)
{
	size_t used = 0;
	buf[0] = '\0';
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		char one[INET6_ADDRSTRLEN + 8] = "";
		if (g->type == GEN_DNS) {
			snprintf(one, sizeof(one), "DNS:%.*s", ASN1_STRING_length(g->d.dNSName),
				 (const char *)ASN1_STRING_get0_data(g->d.dNSName));
		} else if (g->type == GEN_IPADD) {
			int len = ASN1_STRING_length(g->d.iPAddress);
			const unsigned char *a = ASN1_STRING_get0_data(g->d.iPAddress);
			char ip[INET6_ADDRSTRLEN] = "?";
			if (len == 4 || len == 16)
				inet_ntop(len == 4 ? AF_INET : AF_INET6, a, ip, sizeof(ip));
			snprintf(one, sizeof(one), "IP:%s", ip);
		}
		if (!one[0] || used >= cap)
			continue;
		int n = snprintf(buf + used, cap - used, "%s%s", used ? ", " : "", one);
		if (n > 0)
			used += (size_t)n;
	}
	GENERAL_NAMES_free(gens);
	if (!buf[0])
		snprintf(buf, cap, "no subjectAltName");
}

static void time_text(const ASN1_TIME *t, char *buf, size_t cap)
{
	struct tm tm;
	if (!t || !ASN1_TIME_to_tm(t, &tm) || !strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, cap, "?");
}

static bool unknown_ca_error(int err)
{
	switch (err) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_UNTRUSTED:
		return true;
	}
	return false;
}

/* Notes what the failing certificate says, for the reason. */
static void note_failure(tls_conn_t *cn, X509_STORE_CTX *x, int err)
{
	X509 *cert = X509_STORE_CTX_get_current_cert(x);
	char a[96], b[96], when[32];
	cn->verr = err;
	cn->vdepth = X509_STORE_CTX_get_error_depth(x);
	if (!cert) {
		snprintf(cn->vcert, sizeof(cn->vcert), "no certificate");
		return;
	}
	switch (err) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		san_text(cert, cn->vcert, sizeof(cn->vcert));
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		name_text(X509_get_subject_name(cert), a, sizeof(a));
		time_text(err == X509_V_ERR_CERT_HAS_EXPIRED ? X509_get0_notAfter(cert)
							     : X509_get0_notBefore(cert),
			  when, sizeof(when));
		snprintf(cn->vcert, sizeof(cn->vcert), "%s, %s %s", a,
			 err == X509_V_ERR_CERT_HAS_EXPIRED ? "notAfter" : "notBefore", when);
		break;
	default:
		name_text(X509_get_subject_name(cert), a, sizeof(a));
		name_text(X509_get_issuer_name(cert), b, sizeof(b));
		snprintf(cn->vcert, sizeof(cn->vcert), "subject %s, issuer %s", a, b);
	}
}

static int verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	tls_conn_t *cn = ssl ? SSL_get_app_data(ssl) : NULL;
	if (!cn)
		return 0;
	int err = X509_STORE_CTX_get_error(x);
	/* a pin without a CA: the pin alone vouches for the chain */
	if (!ok && !cn->tls->has_ca && cn->tls->has_pin && unknown_ca_error(err))
		ok = 1;
	if (!ok) {
		if (!cn->verr && !cn->pin_bad)
			note_failure(cn, x, err);
		return 0;
	}
	if (cn->tls->has_pin && X509_STORE_CTX_get_error_depth(x) == 0 &&
	    !pin_ok(cn, X509_STORE_CTX_get_current_cert(x))) {
		cn->pin_bad = true;
		X509_STORE_CTX_set_error(x, X509_V_ERR_APPLICATION_VERIFICATION);
		return 0;
	}
	return 1;
}

/* ------------------------------------------------------------ reasons */

static void pin_reason(tls_conn_t *cn, char *reason, size_t cap)
{
	unsigned char seen[45], want[45];
	EVP_EncodeBlock(seen, cn->seen_pin, 32);
	EVP_EncodeBlock(want, cn->tls->pin, 32);
	snprintf(reason, cap,
		 "pin mismatch: the primary's public key has SPKI SHA-256 %s, the profile pins %s",
		 seen, want);
}

static void verify_reason(tls_conn_t *cn, char *reason, size_t cap)
{
	const char *what = X509_verify_cert_error_string(cn->verr);
	const char *whose = cn->vdepth == 0 ? "the primary's certificate"
					    : "a CA certificate in the primary's chain";
	if (cn->verr == X509_V_ERR_HOSTNAME_MISMATCH || cn->verr == X509_V_ERR_IP_ADDRESS_MISMATCH)
		snprintf(reason, cap, "name mismatch: the primary's certificate is not for %s (%s)",
			 cn->tls->hostname ? cn->tls->hostname : "?", cn->vcert);
	else if (cn->verr == X509_V_ERR_CERT_HAS_EXPIRED)
		snprintf(reason, cap, "expired certificate: %s has expired (%s)", whose, cn->vcert);
	else if (cn->verr == X509_V_ERR_CERT_NOT_YET_VALID)
		snprintf(reason, cap, "%s is not valid yet (%s)", whose, cn->vcert);
	else if (unknown_ca_error(cn->verr))
		snprintf(reason, cap,
			 "unknown CA: the primary's certificate is not from our CA (%s: %s)", what,
			 cn->vcert);
	else
		snprintf(reason, cap, "%s failed verification: %s (%s)", whose, what, cn->vcert);
}

/* Alerts that a server sends when it does not accept our certificate. */
static bool cert_alert(int alert)
{
	switch (alert) {
	case SSL_AD_BAD_CERTIFICATE:
	case SSL_AD_UNSUPPORTED_CERTIFICATE:
	case SSL_AD_CERTIFICATE_REVOKED:
	case SSL_AD_CERTIFICATE_EXPIRED:
	case SSL_AD_CERTIFICATE_UNKNOWN:
	case SSL_AD_UNKNOWN_CA:
	case SSL_AD_ACCESS_DENIED:
	case SSL_AD_HANDSHAKE_FAILURE:
	case SSL_AD_CERTIFICATE_REQUIRED:
		return true;
	}
	return false;
}

/* OpenSSL 3.0 has no text for some TLS 1.3 alerts. */
static const char *alert_text(int alert)
{
	switch (alert) {
	case SSL_AD_CERTIFICATE_REQUIRED:
		return "certificate required";
	case SSL_AD_NO_APPLICATION_PROTOCOL:
		return "no application protocol";
	case SSL_AD_MISSING_EXTENSION:
		return "missing extension";
	}
	const char *t = SSL_alert_desc_string_long(alert);
	return t && strcmp(t, "unknown") != 0 ? t : "unknown alert";
}

/* The TLS alert the primary sent (from the error queue), or -1. */
static int received_alert(void)
{
	unsigned long e;
	while ((e = ERR_get_error()) != 0) {
		int r = ERR_GET_REASON(e);
		if (ERR_GET_LIB(e) == ERR_LIB_SSL && r >= SSL_AD_REASON_OFFSET &&
		    r < SSL_AD_REASON_OFFSET + 256)
			return r - SSL_AD_REASON_OFFSET;
	}
	return -1;
}

static const char *our_cert_note(const tls_conn_t *cn)
{
	return cn->tls->has_cert ? "" : " (this profile presents none)";
}

/* Why the handshake failed; returns the code for the caller. */
static int handshake_reason(tls_conn_t *cn, int rc, int timeout_ms, char *reason, size_t cap)
{
	if (rc == RODNS_E_TIMEOUT) {
		snprintf(reason, cap,
			 "handshake timeout: the TLS handshake did not complete within %d ms",
			 timeout_ms);
		return rc;
	}
	if (cn->pin_bad) {
		pin_reason(cn, reason, cap);
		return RODNS_E_TLS;
	}
	if (cn->verr) {
		verify_reason(cn, reason, cap);
		return RODNS_E_TLS;
	}
	if (rc == RODNS_E_CLOSED) {
		snprintf(reason, cap,
			 "the primary closed the connection during the TLS handshake "
			 "(not a TLS server, or it rejected our client certificate%s)",
			 our_cert_note(cn));
		return RODNS_E_TLS;
	}
	if (rc > RODNS_E_BASE) {
		snprintf(reason, cap, "TLS handshake: %s", strerror(-rc));
		return rc;
	}
	unsigned long e = ERR_peek_error();
	int alert = received_alert();
	if (alert == SSL_AD_NO_APPLICATION_PROTOCOL)
		snprintf(reason, cap, "the primary does not accept ALPN \"dot\" (TLS alert %s)",
			 alert_text(alert));
	else if (alert == SSL_AD_PROTOCOL_VERSION)
		snprintf(reason, cap, "no TLS version in common with the primary (TLS alert %s)",
			 alert_text(alert));
	else if (alert >= 0 && cert_alert(alert))
		snprintf(reason, cap,
			 "the primary rejected our client certificate%s (TLS alert %s)",
			 our_cert_note(cn), alert_text(alert));
	else if (alert >= 0)
		snprintf(reason, cap, "the primary aborted the TLS handshake (TLS alert %s)",
			 alert_text(alert));
	else {
		const char *r = e ? ERR_reason_error_string(e) : NULL;
		snprintf(reason, cap, "TLS handshake failed: %s", r ? r : "unknown error");
	}
	return RODNS_E_TLS;
}

/* ------------------------------------------------------------ I/O */

/* After an SSL call returned r <= 0: waits for the socket when OpenSSL asks
 * for it (RODNS_OK: call again), else says what ended the session. */
static int ssl_retry(tls_conn_t *cn, int r, int64_t deadline)
{
	int e = SSL_get_error(cn->ssl, r);
	switch (e) {
	case SSL_ERROR_WANT_READ:
		return wait_fd(cn->fd, POLLIN, deadline);
	case SSL_ERROR_WANT_WRITE:
		return wait_fd(cn->fd, POLLOUT, deadline);
	case SSL_ERROR_ZERO_RETURN:
		return RODNS_E_CLOSED;
	case SSL_ERROR_SYSCALL:
		cn->fatal = true;
		return errno ? -errno : RODNS_E_CLOSED;
	case SSL_ERROR_SSL: {
		cn->fatal = true;
		unsigned long last = ERR_peek_last_error();
		if (ERR_GET_LIB(last) == ERR_LIB_SSL &&
		    ERR_GET_REASON(last) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
			return RODNS_E_CLOSED;
		return RODNS_E_TLS;
	}
	default:
		cn->fatal = true;
		return RODNS_E_TLS;
	}
}

static int tls_read_full(xfr_stream_t *s, void *buf, size_t n, int timeout_ms)
{
	tls_conn_t *cn = s->ctx;
	int64_t deadline = deadline_in(timeout_ms);
	uint8_t *p = buf;
	while (n > 0) {
		if (cn->fatal)
			return RODNS_E_TLS;
		ERR_clear_error();
		errno = 0;
		int r = SSL_read(cn->ssl, p, n > INT_MAX ? INT_MAX : (int)n);
		if (r > 0) {
			p += r;
			n -= (size_t)r;
			continue;
		}
		int rc = ssl_retry(cn, r, deadline);
		if (rc != RODNS_OK) {
			ERR_clear_error();
			return rc;
		}
	}
	return RODNS_OK;
}

static int tls_write_full(xfr_stream_t *s, const void *buf, size_t n, int timeout_ms)
{
	tls_conn_t *cn = s->ctx;
	int64_t deadline = deadline_in(timeout_ms);
	const uint8_t *p = buf;
	while (n > 0) {
		if (cn->fatal)
			return RODNS_E_TLS;
		ERR_clear_error();
		errno = 0;
		int r = SSL_write(cn->ssl, p, n > INT_MAX ? INT_MAX : (int)n);
		if (r > 0) {
			p += r;
			n -= (size_t)r;
			continue;
		}
		int rc = ssl_retry(cn, r, deadline);
		if (rc != RODNS_OK) {
			ERR_clear_error();
			return rc;
		}
	}
	return RODNS_OK;
}

static void conn_free(tls_conn_t *cn)
{
	if (!cn)
		return;
	if (cn->ssl) {
		/* one non-blocking attempt at close_notify; we never wait for
		 * the reply */
		if (!cn->fatal && SSL_is_init_finished(cn->ssl))
			SSL_shutdown(cn->ssl);
		SSL_free(cn->ssl);
		ERR_clear_error();
	}
	if (cn->fd >= 0)
		close(cn->fd);
	free(cn);
}

static void tls_close(xfr_stream_t *s)
{
	conn_free(s->ctx);
	s->ctx = NULL;
	s->fd = -1;
}

static const xfr_stream_ops_t tls_ops = {
    .read_full = tls_read_full,
    .write_full = tls_write_full,
    .close = tls_close,
};

/* ------------------------------------------------------------ connect */

static int handshake(tls_conn_t *cn, int64_t deadline, int timeout_ms, char *reason, size_t cap)
{
	for (;;) {
		ERR_clear_error();
		errno = 0;
		int r = SSL_connect(cn->ssl);
		if (r == 1)
			return RODNS_OK;
		int rc = ssl_retry(cn, r, deadline);
		if (rc == RODNS_OK)
			continue;
		rc = handshake_reason(cn, rc, timeout_ms, reason, cap);
		ERR_clear_error();
		return rc;
	}
}

/* Why the session ended right after a handshake that looked fine. */
static int rejected_reason(tls_conn_t *cn, int rc, char *reason, size_t cap)
{
	int alert = rc == RODNS_E_TLS ? received_alert() : -1;
	if (alert >= 0 && cert_alert(alert))
		snprintf(reason, cap,
			 "the primary rejected our client certificate%s (TLS alert %s)",
			 our_cert_note(cn), alert_text(alert));
	else if (alert >= 0)
		snprintf(reason, cap,
			 "the primary ended the session right after the handshake (TLS alert %s)",
			 alert_text(alert));
	else if (rc == RODNS_E_CLOSED || rc == -ECONNRESET)
		snprintf(reason, cap,
			 "the primary closed the session right after the handshake: it "
			 "probably rejected our client certificate%s",
			 our_cert_note(cn));
	else if (rc > RODNS_E_BASE)
		snprintf(reason, cap, "right after the TLS handshake: %s", strerror(-rc));
	else
		snprintf(reason, cap, "the TLS session failed right after the handshake");
	ERR_clear_error();
	return rc > RODNS_E_BASE && rc != -ECONNRESET ? rc : RODNS_E_TLS;
}

/* TLS 1.3: waits for the server's first record (a ticket, normally) to
 * learn whether it accepted our certificate. */
static int await_acceptance(tls_conn_t *cn, int64_t deadline, char *reason, size_t cap)
{
	if (SSL_version(cn->ssl) < TLS1_3_VERSION)
		return RODNS_OK; /* 1.2: the server's Finished came after its check */
	int64_t end = now_ms() + TLS_CONFIRM_MS;
	if (end > deadline)
		end = deadline;
	while (!cn->got_ticket) {
		uint8_t b;
		ERR_clear_error();
		errno = 0;
		int r = SSL_peek(cn->ssl, &b, 1);
		if (r > 0 || cn->got_ticket)
			break;
		int rc = ssl_retry(cn, r, end);
		if (rc == RODNS_E_TIMEOUT)
			break; /* no ticket from this server: we cannot tell yet */
		if (rc != RODNS_OK)
			return rejected_reason(cn, rc, reason, cap);
	}
	return RODNS_OK;
}

/* What the finished handshake must have given us. */
static int check_session(tls_conn_t *cn, char *reason, size_t cap)
{
	const unsigned char *alpn = NULL;
	unsigned int alen = 0;
	SSL_get0_alpn_selected(cn->ssl, &alpn, &alen);
	if (alen != 3 || memcmp(alpn, "dot", 3) != 0) {
		snprintf(reason, cap,
			 "the primary did not agree to ALPN \"dot\" (RFC 9103 requires it)");
		return RODNS_E_TLS;
	}
	/* also holds for resumed sessions, where no callback ran */
	if (cn->tls->has_ca && SSL_get_verify_result(cn->ssl) != X509_V_OK) {
		snprintf(reason, cap, "the primary's certificate failed verification: %s",
			 X509_verify_cert_error_string(SSL_get_verify_result(cn->ssl)));
		return RODNS_E_TLS;
	}
	if (cn->tls->has_pin && !pin_ok(cn, SSL_get0_peer_certificate(cn->ssl))) {
		pin_reason(cn, reason, cap);
		return RODNS_E_TLS;
	}
	return RODNS_OK;
}

static int conn_setup(ipsec_tls_t *c, tls_conn_t *cn, char *reason, size_t cap)
{
	cn->ssl = SSL_new(c->ctx);
	if (!cn->ssl || !SSL_set_fd(cn->ssl, cn->fd)) {
		snprintf(reason, cap, "cannot set up a TLS session (out of memory?)");
		return -ENOMEM;
	}
	SSL_set_app_data(cn->ssl, cn);
	if (c->hostname && !c->host_is_ip && !SSL_set_tlsext_host_name(cn->ssl, c->hostname)) {
		snprintf(reason, cap, "cannot set the TLS server name %s", c->hostname);
		return RODNS_E_TLS;
	}
	SSL_SESSION *sess = session_take(c, &cn->peer);
	if (sess) {
		SSL_set_session(cn->ssl, sess);
		SSL_SESSION_free(sess);
	}
	return RODNS_OK;
}

int ipsec_tls_connect(ipsec_tls_t *c, xfr_stream_t *s, const conf_addr_t *to,
		      const conf_addr_t *source, int timeout_ms, char *reason, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	reason[0] = '\0';
	int64_t deadline = deadline_in(timeout_ms);
	int fd = xfr_sock_connect(to, source, timeout_ms);
	if (fd < 0) {
		snprintf(reason, cap, "TCP connect: %s", rodns_strerror(fd));
		return fd;
	}
	tls_conn_t *cn = calloc(1, sizeof(*cn));
	if (!cn) {
		close(fd);
		return -ENOMEM;
	}
	cn->tls = c;
	cn->fd = fd;
	cn->peer = *to;
	int rc = conn_setup(c, cn, reason, cap);
	if (rc == RODNS_OK)
		rc = handshake(cn, deadline, timeout_ms, reason, cap);
	if (rc == RODNS_OK)
		rc = check_session(cn, reason, cap);
	if (rc == RODNS_OK)
		rc = await_acceptance(cn, deadline, reason, cap);
	if (rc != RODNS_OK) {
		cn->fatal = true; /* no close_notify to a peer we refuse */
		conn_free(cn);
		return rc;
	}
	s->ops = &tls_ops;
	s->fd = fd;
	s->transport = "tls";
	s->ctx = cn;
	conf_addr_to_text(to, s->peer, sizeof(s->peer));
	return RODNS_OK;
}

/* ------------------------------------------------------------ context */

static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1; /* never prompt on a terminal */
}

/* Reads the private key after checking who may read the file; the file's
 * bytes are wiped once parsed. */
static int read_key(const char *path, EVP_PKEY **out, char *err, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int e = errno;
		snprintf(err, cap, "cannot open private key %s: %s", path, strerror(e));
		return -e;
	}
	struct stat st;
	int rc = RODNS_OK;
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		snprintf(err, cap, "cannot stat private key %s: %s", path, strerror(-rc));
	} else if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		snprintf(err, cap, "private key %s is not a regular file", path);
	} else if (st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) {
		rc = RODNS_E_PERM;
		snprintf(err, cap,
			 "private key %s has mode %04o: group or others may read or "
			 "write it (chmod 600 %s)",
			 path, (unsigned)(st.st_mode & 07777), path);
	} else if (st.st_size > TLS_KEY_MAX) {
		rc = -EFBIG;
		snprintf(err, cap, "private key %s is larger than %d octets", path, TLS_KEY_MAX);
	}
	if (rc != RODNS_OK) {
		close(fd);
		return rc;
	}
	uint8_t *buf = malloc(TLS_KEY_MAX);
	size_t n = 0;
	while (buf && n < TLS_KEY_MAX) {
		ssize_t r = read(fd, buf + n, TLS_KEY_MAX - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (!buf)
		return -ENOMEM;
	BIO *bio = BIO_new_mem_buf(buf, (int)n);
	*out = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL) : NULL;
	BIO_free(bio);
	OPENSSL_cleanse(buf, TLS_KEY_MAX);
	free(buf);
	ERR_clear_error(); /* parse errors say nothing we want to repeat */
	if (!*out) {
		snprintf(err, cap,
			 "cannot read private key %s: not a PEM private key, or an "
			 "encrypted one (not supported)",
			 path);
		return -EINVAL;
	}
	return RODNS_OK;
}

static const char *ssl_err(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	return r ? r : "unknown error";
}

static int load_identity(ipsec_tls_t *c, const conf_tls_t *t, char *err, size_t cap)
{
	if (!t->cert || !t->key)
		return RODNS_OK;
	EVP_PKEY *pkey = NULL;
	int rc = read_key(t->key, &pkey, err, cap);
	if (rc != RODNS_OK)
		return rc;
	ERR_clear_error();
	if (SSL_CTX_use_certificate_chain_file(c->ctx, t->cert) != 1) {
		snprintf(err, cap, "cannot load certificate %s: %s", t->cert, ssl_err());
		rc = -EINVAL;
	} else if (SSL_CTX_use_PrivateKey(c->ctx, pkey) != 1 ||
		   SSL_CTX_check_private_key(c->ctx) != 1) {
		snprintf(err, cap, "private key %s does not belong to certificate %s", t->key,
			 t->cert);
		rc = -EINVAL;
	}
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	c->has_cert = rc == RODNS_OK;
	return rc;
}

static int load_trust(ipsec_tls_t *c, const conf_tls_t *t, char *err, size_t cap)
{
	ERR_clear_error();
	if (t->ca && access(t->ca, R_OK) != 0) {
		int e = errno;
		snprintf(err, cap, "cannot read CA bundle %s: %s", t->ca, strerror(e));
		return -e;
	}
	if (t->ca && SSL_CTX_load_verify_locations(c->ctx, t->ca, NULL) != 1) {
		snprintf(err, cap, "cannot load CA bundle %s: %s", t->ca, ssl_err());
		ERR_clear_error();
		return -EINVAL;
	}
	c->has_ca = t->ca != NULL;
	c->has_pin = t->has_pin;
	memcpy(c->pin, t->pin, sizeof(c->pin));
	if (!c->has_ca && !c->has_pin) {
		snprintf(err, cap, "neither a CA nor a pin: the primary cannot be authenticated");
		return -EINVAL;
	}
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, verify_cb);
	if (!t->hostname)
		return RODNS_OK;
	c->hostname = strdup(t->hostname);
	if (!c->hostname)
		return -ENOMEM;
	unsigned char ip[16];
	c->host_is_ip =
	    inet_pton(AF_INET, t->hostname, ip) == 1 || inet_pton(AF_INET6, t->hostname, ip) == 1;
	/* subjectAltName only: the CN fallback is how names get mixed up */
	X509_VERIFY_PARAM *vp = SSL_CTX_get0_param(c->ctx);
	X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
						X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
	int ok = c->host_is_ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, t->hostname)
			       : X509_VERIFY_PARAM_set1_host(vp, t->hostname, 0);
	if (ok != 1) {
		snprintf(err, cap, "cannot use %s as the expected name", t->hostname);
		return -EINVAL;
	}
	return RODNS_OK;
}

static int make_ctx(ipsec_tls_t *c, const conf_tls_t *t, char *err, size_t cap)
{
	static const unsigned char alpn[] = {3, 'd', 'o', 't'};
	c->ctx = SSL_CTX_new(TLS_client_method());
	if (!c->ctx) {
		snprintf(err, cap, "cannot create a TLS context: %s", ssl_err());
		return -ENOMEM;
	}
	int minv = t->min_version == CONF_TLS_V12 ? TLS1_2_VERSION : TLS1_3_VERSION;
	if (SSL_CTX_set_min_proto_version(c->ctx, minv) != 1 ||
	    SSL_CTX_set_max_proto_version(c->ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_alpn_protos(c->ctx, alpn, sizeof(alpn)) != 0) { /* 0 is success */
		snprintf(err, cap, "cannot configure the TLS context: %s", ssl_err());
		return RODNS_E_TLS;
	}
	SSL_CTX_set_options(c->ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(c->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE);
	SSL_CTX_set_session_cache_mode(c->ctx,
				       SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(c->ctx, new_session_cb);
	return RODNS_OK;
}

int ipsec_tls_new(const conf_tls_t *t, ipsec_tls_t **out, char *err, size_t cap)
{
	*out = NULL;
	if (cap)
		err[0] = '\0';
	ipsec_tls_t *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	int rc = make_ctx(c, t, err, cap);
	if (rc == RODNS_OK)
		rc = load_identity(c, t, err, cap);
	if (rc == RODNS_OK)
		rc = load_trust(c, t, err, cap);
	ERR_clear_error();
	if (rc != RODNS_OK) {
		ipsec_tls_free(c);
		return rc;
	}
	*out = c;
	return RODNS_OK;
}

void ipsec_tls_free(ipsec_tls_t *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < TLS_SLOTS; i++)
		SSL_SESSION_free(c->slots[i].sess);
	SSL_CTX_free(c->ctx);
	free(c->hostname);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
