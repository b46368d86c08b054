/* xfer_par.c -- the engine's bulk passes (index, move, links, comparison) on two threads. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "threads.h"
#include "xfer_int.h"

#define PAR_MIN_ITEMS 20000 /* below this a second thread costs more than it saves */
#define PAR_CHUNK 2048	    /* objects a thread of a moving pass takes at a time */

/* The objects of a moving pass that neither thread has taken yet: [lo, hi)
 * in one word (lo << 32 | hi).  The main thread takes chunks from the front,
 * the helper from the back, until they meet: however unequal the objects'
 * costs (an array of a million pointers costs as much as megabytes of
 * strings), neither thread idles while the other works.  The back is where
 * the large mmap'd objects lie, so the helper starts on them. */
struct par_queue {
	uint64_t span;
	int failed; /* a thread failed: the other stops at its next chunk */
};

/* Takes the next chunk from the front or the back into [*lo, *hi); 0 when
 * nothing is left (or a thread failed). */
static int take(struct par_queue *q, int back, size_t *lo, size_t *hi)
{
	uint64_t old = __atomic_load_n(&q->span, __ATOMIC_RELAXED), nw;
	do {
		uint64_t l = old >> 32, h = (uint32_t)old;
		if (l >= h || __atomic_load_n(&q->failed, __ATOMIC_RELAXED))
			return 0;
		uint64_t k = h - l < PAR_CHUNK ? h - l : PAR_CHUNK;
		*lo = (size_t)(back ? h - k : l);
		*hi = (size_t)(back ? h : l + k);
		nw = back ? (l << 32 | (h - k)) : ((l + k) << 32 | h);
	} while (!__atomic_compare_exchange_n(&q->span, &old, nw, 0, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return 1;
}

/* Runs fn on chunks of q until none is left; 0 or -1. */
static int drain(struct xf *x, struct par_queue *q, int back, xf_par_fn fn, void *ctx)
{
	size_t lo, hi;
	while (take(q, back, &lo, &hi))
		if (fn(x, ctx, lo, hi) < 0) {
			__atomic_store_n(&q->failed, 1, __ATOMIC_RELAXED);
			return -1;
		}
	return 0;
}

/* The helper thread's part: a copy of the engine with its own counters,
 * message buffer and offset memo (xfer_int.h: what is shared and how); a
 * half [lo, hi), or the back of q. */
struct par_job {
	struct xf w;
	struct ttst_xfer_report rep;
	xf_par_fn fn;
	void *ctx;
	size_t lo, hi;
	struct par_queue *q;
	int rc;
};

static void *job_main(void *arg)
{
	struct par_job *j = arg;
	j->rc = j->q ? drain(&j->w, j->q, 1, j->fn, j->ctx) : j->fn(&j->w, j->ctx, j->lo, j->hi);
	return NULL;
}

/* Whether a pass over n items may use a second thread: enough items, a
 * second CPU, and no program callbacks (they run program code, one at a time). */
static int par_ok(const struct xf *x, size_t n)
{
	static long ncpu;
	if (!ncpu)
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < PAR_MIN_ITEMS || ncpu < 2 || x->main || x->has_cb)
		return 0;
	return 1;
}

/* Adds the helper's counters and first error to x's report. */
static void merge(struct xf *x, struct par_job *j)
{
	struct ttst_xfer_report *r = x->rep;
	r->objects += j->rep.objects;
	r->bytes += j->rep.bytes;
	r->pointers += j->rep.pointers;
	r->transforms += j->rep.transforms;
	r->conservative += j->rep.conservative;
	r->freed += j->rep.freed;
	if (j->rc < 0 && !r->error[0]) {
		if (j->rep.error[0])
			memcpy(r->error, j->rep.error, sizeof r->error);
		else
			strcpy(r->error, "state transfer failed in its second thread (no reason "
					 "recorded)");
	}
	xf_free(j->w.memo_k);
	xf_free(j->w.memo_v);
	xf_free(j->w.wbuf);
	xf_arena_merge(x, &j->w);
	xf_fuse_end(&j->w);
}

int xf_par_run(struct xf *x, const uint32_t *idx, size_t n, xf_par_fn fn, void *ctx)
{
	if (!par_ok(x, n))
		return fn(x, ctx, 0, n);
	size_t mid = n / 2;
	struct par_queue q = {(uint64_t)n, 0}; /* [0, n) */
	struct par_job *j = xf_calloc(1, sizeof *j);
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_t th;
	if (!j)
		return fn(x, ctx, 0, n);
	j->w = *x;
	j->w.rep = &j->rep;
	j->w.memo_k = NULL;
	j->w.memo_v = NULL;
	j->w.memo_cap = j->w.memo_n = 0;
	j->w.wbuf = NULL;
	j->w.wcap = 0;
	j->w.arena = NULL; /* its own reserved addresses (xfer_heap.c) */
	j->w.main = x;
	j->w.lock = &lock;
	j->w.etail[0] = '\0';
	j->w.fz = NULL; /* its own scratch and window */
	j->fn = fn;
	j->ctx = ctx;
	j->lo = mid;
	j->hi = n;
	j->q = idx ? &q : NULL;
	x->lock = &lock;
	xf_room_hold(x, 1); /* a new thread's stack is mapped */
	int created = ttst_runtime_thread_beside(&th, job_main, j) == 0;
	xf_room_hold(x, 0);
	if (!created) {
		x->lock = NULL;
		xf_free(j);
		return fn(x, ctx, 0, n);
	}
	int rc = idx ? drain(x, &q, 0, fn, ctx) : fn(x, ctx, 0, mid);
	pthread_join(th, NULL);
	x->lock = NULL;
	merge(x, j);
	rc = rc < 0 || j->rc < 0 ? -1 : 0;
	xf_free(j);
	pthread_mutex_destroy(&lock);
	return rc;
}

void xf_par_lock(struct xf *x)
{
	if (x->lock)
		pthread_mutex_lock(x->lock);
}

void xf_par_unlock(struct xf *x)
{
	if (x->lock)
		pthread_mutex_unlock(x->lock);
}

/* The fields of the library-pointer translation (xfer_lib.c) that it fills
 * lazily: the helper works on the main copy's, under the lock. */
static void lib_fields(struct xf *to, const struct xf *from)
{
	to->smaps = from->smaps;
	to->hmaps = from->hmaps;
	to->arg_lo = from->arg_lo;
	to->arg_hi = from->arg_hi;
	to->args_loaded = from->args_loaded;
	to->argcopies = from->argcopies;
	to->nargcopies = from->nargcopies;
}

int xf_par_ptr_lib(struct xf *x, uint64_t v, uint64_t *out)
{
	if (!x->lock)
		return xf_ptr_lib(x, v, out);
	pthread_mutex_lock(x->lock);
	if (x->main)
		lib_fields(x, x->main);
	int r = xf_ptr_lib(x, v, out);
	if (x->main)
		lib_fields(x->main, x);
	pthread_mutex_unlock(x->lock);
	return r;
}
