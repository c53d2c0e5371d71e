/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* Signature checks on worker threads. The reader (the transfer thread,
 * which alone may use the SQLite connection) copies RRsets and their
 * RRSIGs into batches; the workers verify them. Memory is bounded: at most
 * QCAP + workers + 1 batches exist (queued, in a worker, being filled), each of
 * BATCH_JOBS RRsets or about BATCH_BYTES octets (more only for one RRset
 * larger than that). The first failure in canonical order wins whatever
 * the threads' timing (vrun_fail keeps the smallest position). */
#include <stdlib.h>
#include <string.h>

#include "dns/err.h"
#include "xfr/validate_int.h"

#define BATCH_JOBS  4096
#define BATCH_BYTES (1u << 20)
#define QCAP	    4 /* batches waiting, beyond one per worker */
#define MAX_WORKERS 16
/* Every batch there is may sit in the queue at once (the workers idle):
 * the ring holds them all. */
#define RING (QCAP + MAX_WORKERS + 1)

typedef struct {
	uint32_t off;
	uint16_t len;
} vitem_t;

typedef struct {
	uint64_t seq;
	uint32_t owner; /* arena offset: len, labels, data */
	uint16_t type;
	uint32_t first; /* items[first ..]: nrd RDATAs, then nsig RRSIGs */
	uint32_t nrd, nsig;
} vjob_t;

typedef struct vbatch {
	struct vbatch *next;
	vjob_t jobs[BATCH_JOBS];
	size_t njobs;
	vitem_t *items;
	size_t nitems, icap;
	uint8_t *arena;
	size_t used, acap;
} vbatch_t;

struct vpool {
	vrun_t *r;
	pthread_t th[MAX_WORKERS];
	unsigned nth;
	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_free;
	vbatch_t *q[RING];
	size_t qhead, qlen;
	vbatch_t *freel;
	size_t nalloc, maxalloc;
	vbatch_t *cur;
	size_t jobs; /* RRsets per batch */
	bool done;
	int err;
	vscratch_t sc; /* the reader's, with no workers */
};

static void batch_free(vbatch_t *b)
{
	if (!b)
		return;
	free(b->items);
	free(b->arena);
	free(b);
}

/* Verifies every job of b (skipping those after a known failure). */
static int batch_run(vrun_t *r, vbatch_t *b, vscratch_t *sc)
{
	vrd_t rd[64], *rdv = rd;
	size_t rdcap = 64;
	uint64_t nset = 0, nweak = 0, nsig = 0;
	int err = RODNS_OK;
	for (size_t i = 0; i < b->njobs && err == RODNS_OK; i++) {
		const vjob_t *j = &b->jobs[i];
		if (vrun_failed(r) && j->seq > atomic_load(&r->fail_seq))
			continue;
		size_t n = (size_t)j->nrd + j->nsig;
		if (n > rdcap) {
			vrd_t *g = realloc(rdv == rd ? NULL : rdv, n * sizeof(*g));
			if (!g) {
				err = -ENOMEM;
				break;
			}
			rdv = g;
			rdcap = n;
		}
		for (size_t k = 0; k < n; k++) {
			const vitem_t *it = &b->items[j->first + k];
			rdv[k] = (vrd_t){b->arena + it->off, it->len};
		}
		dns_name_t owner;
		const uint8_t *o = b->arena + j->owner;
		owner.len = o[0];
		owner.labels = o[1];
		memcpy(owner.data, o + 2, o[0]);
		char detail[256];
		unsigned nver = 0;
		bool weak = false;
		int vr = vverify(r, &owner, rdv, j->nrd, rdv + j->nrd, j->nsig, r->keys, r->nkeys,
				 NULL, sc, detail, sizeof(detail), &nver, &weak);
		nsig += nver;
		nset++;
		if (vr < 0)
			err = vr;
		else if (vr != VR_OK)
			vfail_rrset(r, j->seq, &owner, j->type, vr, detail);
		else
			nweak += weak;
	}
	if (rdv != rd)
		free(rdv);
	atomic_fetch_add(&r->rrsets, nset);
	atomic_fetch_add(&r->sigs, nsig);
	atomic_fetch_add(&r->weak, nweak);
	b->njobs = b->nitems = b->used = 0;
	return err;
}

static void *worker(void *arg)
{
	vpool_t *p = arg;
	vscratch_t sc = {0};
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->qlen == 0 && !p->done)
			pthread_cond_wait(&p->cv_work, &p->mu);
		if (p->qlen == 0) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		vbatch_t *b = p->q[p->qhead];
		p->qhead = (p->qhead + 1) % RING;
		p->qlen--;
		pthread_mutex_unlock(&p->mu);
		int err = batch_run(p->r, b, &sc);
		pthread_mutex_lock(&p->mu);
		if (err != RODNS_OK && p->err == RODNS_OK)
			p->err = err;
		b->next = p->freel;
		p->freel = b;
		pthread_cond_signal(&p->cv_free);
		pthread_mutex_unlock(&p->mu);
	}
	free(sc.rdp);
	free(sc.rdl);
	return NULL;
}

int vpool_start(vrun_t *r, unsigned workers)
{
	vpool_t *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->r = r;
	p->maxalloc = QCAP + workers + 1;
	p->jobs = r->v->batch > 0 && r->v->batch < BATCH_JOBS ? r->v->batch : BATCH_JOBS;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv_work, NULL);
	pthread_cond_init(&p->cv_free, NULL);
	r->pool = p;
	for (unsigned i = 0; i < workers && i < MAX_WORKERS; i++) {
		if (pthread_create(&p->th[i], NULL, worker, p) != 0)
			break; /* fewer threads: still correct */
		p->nth++;
	}
	return RODNS_OK;
}

/* The batch being filled: a free one, a new one, or (all in use) the next
 * one a worker hands back. */
static vbatch_t *current(vpool_t *p)
{
	if (p->cur)
		return p->cur;
	pthread_mutex_lock(&p->mu);
	while (!p->freel && p->nalloc >= p->maxalloc && p->nth > 0)
		pthread_cond_wait(&p->cv_free, &p->mu);
	vbatch_t *b = p->freel;
	if (b)
		p->freel = b->next;
	else if ((b = calloc(1, sizeof(*b))) != NULL)
		p->nalloc++;
	pthread_mutex_unlock(&p->mu);
	p->cur = b;
	return b;
}

static int submit(vpool_t *p)
{
	vbatch_t *b = p->cur;
	p->cur = NULL;
	if (!b)
		return RODNS_OK;
	if (p->nth == 0) {
		int err = batch_run(p->r, b, &p->sc);
		p->cur = b;
		return err;
	}
	pthread_mutex_lock(&p->mu);
	p->q[(p->qhead + p->qlen) % RING] = b;
	p->qlen++;
	pthread_cond_signal(&p->cv_work);
	int err = p->err;
	pthread_mutex_unlock(&p->mu);
	return err;
}

static int grow(void **buf, size_t *cap, size_t need, size_t elem, size_t first)
{
	if (need <= *cap)
		return RODNS_OK;
	size_t c = *cap ? *cap : first;
	while (c < need)
		c *= 2;
	void *n = realloc(*buf, c * elem);
	if (!n)
		return -ENOMEM;
	*buf = n;
	*cap = c;
	return RODNS_OK;
}

int vpool_add(vrun_t *r, uint64_t seq, const dns_name_t *owner, uint16_t type, const vrd_t *rd,
	      size_t nrd, const vrd_t *sig, size_t nsig)
{
	vpool_t *p = r->pool;
	size_t bytes = 2u + owner->len;
	for (size_t i = 0; i < nrd; i++)
		bytes += rd[i].len;
	for (size_t i = 0; i < nsig; i++)
		bytes += sig[i].len;
	vbatch_t *b = current(p);
	if (b && b->njobs > 0 && (b->njobs >= p->jobs || b->used + bytes > BATCH_BYTES)) {
		int err = submit(p);
		if (err != RODNS_OK)
			return err;
		b = current(p);
	}
	if (!b || grow((void **)&b->arena, &b->acap, b->used + bytes, 1, BATCH_BYTES) ||
	    grow((void **)&b->items, &b->icap, b->nitems + nrd + nsig, sizeof(vitem_t), 8192))
		return -ENOMEM;
	vjob_t *j = &b->jobs[b->njobs++];
	*j = (vjob_t){.seq = seq,
		      .owner = (uint32_t)b->used,
		      .type = type,
		      .first = (uint32_t)b->nitems,
		      .nrd = (uint32_t)nrd,
		      .nsig = (uint32_t)nsig};
	b->arena[b->used] = owner->len;
	b->arena[b->used + 1] = owner->labels;
	memcpy(b->arena + b->used + 2, owner->data, owner->len);
	b->used += 2u + owner->len;
	for (size_t i = 0; i < nrd + nsig; i++) {
		const vrd_t *v = i < nrd ? &rd[i] : &sig[i - nrd];
		if (v->len)
			memcpy(b->arena + b->used, v->p, v->len);
		b->items[b->nitems++] = (vitem_t){(uint32_t)b->used, v->len};
		b->used += v->len;
	}
	return RODNS_OK;
}

int vpool_finish(vrun_t *r)
{
	vpool_t *p = r->pool;
	if (!p)
		return RODNS_OK;
	int err = submit(p);
	pthread_mutex_lock(&p->mu);
	p->done = true;
	pthread_cond_broadcast(&p->cv_work);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->nth; i++)
		pthread_join(p->th[i], NULL);
	if (err == RODNS_OK)
		err = p->err;
	batch_free(p->cur);
	while (p->freel) {
		vbatch_t *b = p->freel;
		p->freel = b->next;
		batch_free(b);
	}
	free(p->sc.rdp);
	free(p->sc.rdl);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv_work);
	pthread_cond_destroy(&p->cv_free);
	free(p);
	r->pool = NULL;
	return err;
}
