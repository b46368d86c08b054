/* test_threads.c -- 4 threads of random malloc/calloc/realloc/posix_memalign/free (with blocks
 * handed between threads); heap enumeration checked against a shadow at a park mid-way and at the
 * end. */
#define _GNU_SOURCE
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ttst.h>
#include <unistd.h>

#include "chunk.h"
#include "quiesce.h"
#include "registry.h"
#include "tests.h"
#include "threads.h"
#include "tls.h"
#include "ttst/interface.h"

#define NTHREADS 4
#define LIVE 512
#define OPS 60000
#define MAILBOX 64

struct shadow {
	unsigned char *p;
	size_t size;
	uint32_t site; /* global site number, 0 = plain malloc */
	unsigned char fill;
};

struct worker {
	struct shadow live[LIVE];
	unsigned long long rng;
	unsigned errors;
	unsigned done; /* ops completed, atomic */
};

static struct worker workers[NTHREADS];
static struct shadow mailbox[MAILBOX];
static pthread_mutex_t mailbox_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned rnd(struct worker *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return (unsigned)(w->rng >> 17);
}

static int typed_site(uint32_t s)
{
	for (int k = 0; k < 2; k++) {
		uint32_t b = fixture_tu(k)->rt_site_base;
		if (s == b + FX_SITE_NODE || s == b + FX_SITE_STR)
			return 1;
	}
	return 0;
}

/* Verifies a shadow block's contents (its first and last 16 bytes). */
static void verify(struct worker *w, const struct shadow *s)
{
	size_t n = s->size < 16 ? s->size : 16;
	for (size_t i = 0; i < n; i++)
		if (s->p[i] != s->fill || s->p[s->size - 1 - i] != s->fill)
			w->errors++;
	struct ttst_blk b = blk_of(s->p);
	if (!b.slot || b.size != s->size || b.site != s->site)
		w->errors++;
}

/* Allocates a block of a random kind into *s. */
static void alloc_one(struct worker *w, struct shadow *s)
{
	struct ttst_tu_hdr *tu = fixture_tu(rnd(w) & 1);
	static const uint32_t sites[] = {FX_SITE_NODE, FX_SITE_BUF, FX_SITE_STR};
	uint32_t site = sites[rnd(w) % 3];
	size_t size = rnd(w) % 8 ? rnd(w) % 300 : rnd(w) % 70000;
	unsigned kind = rnd(w) % 4;
	void *p = NULL;
	s->site = tu->rt_site_base + site;
	if (kind == 0) {
		p = malloc(size);
		s->site = 0;
	} else if (kind == 1) {
		p = __ttst_calloc(1, size, tu, site);
		for (size_t i = 0; i < size; i++)
			w->errors += ((unsigned char *)p)[i] != 0;
	} else if (kind == 2) {
		__ttst_posix_memalign(&p, (size_t)16 << (rnd(w) % 8), size, tu, site);
	} else {
		p = __ttst_malloc(size, tu, site);
	}
	s->p = p;
	s->size = size;
	s->fill = (unsigned char)rnd(w);
	if (!p)
		w->errors++;
	else
		memset(p, s->fill, size);
}

/* Swaps s with a mailbox entry: hands a block to whichever thread takes it. */
static void exchange(struct shadow *s)
{
	pthread_mutex_lock(&mailbox_lock);
	unsigned k = (unsigned)((uintptr_t)s->p >> 4) % MAILBOX;
	struct shadow t = mailbox[k];
	mailbox[k] = *s;
	*s = t;
	pthread_mutex_unlock(&mailbox_lock);
}

static void one_op(struct worker *w)
{
	struct shadow *s = &w->live[rnd(w) % LIVE];
	unsigned op = rnd(w) % 8;
	if (!s->p) {
		alloc_one(w, s);
		return;
	}
	verify(w, s);
	if (op < 3) {
		free(s->p);
		s->p = NULL;
	} else if (op < 6) {
		size_t n = 1 + rnd(w) % 2000;
		unsigned char *q = realloc(s->p, n);
		if (!q) {
			w->errors++;
			return;
		}
		s->p = q;
		s->size = n;
		memset(q, s->fill, n);
	} else {
		exchange(s);
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	for (unsigned i = 0; i < OPS; i++) {
		one_op(w);
		__atomic_store_n(&w->done, i + 1, __ATOMIC_RELEASE);
		ttst_update_point();
	}
	return NULL;
}

/* Every shadow block (workers + mailbox) in one array. */
static size_t all_shadows(struct shadow *out)
{
	size_t n = 0;
	for (int t = 0; t < NTHREADS; t++)
		for (int i = 0; i < LIVE; i++)
			if (workers[t].live[i].p)
				out[n++] = workers[t].live[i];
	for (int i = 0; i < MAILBOX; i++)
		if (mailbox[i].p)
			out[n++] = mailbox[i];
	return n;
}

struct enum_ctx {
	struct shadow *found;
	size_t n, cap, fixture_blocks;
};

static int enum_heap(const struct ttst_obj *o, void *arg)
{
	struct enum_ctx *c = arg;
	if (o->kind != TTST_OBJ_HEAP)
		return 0;
	uint32_t b = fixture_tu(0)->rt_site_base;
	if (o->index >= b && o->index < b + 2 * FX_NSITES)
		c->fixture_blocks++;
	if (c->n < c->cap)
		c->found[c->n++] = (struct shadow){(unsigned char *)o->addr, o->size, o->index, 0};
	return 0;
}

static int by_addr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct shadow *)a)->p,
		  y = (uintptr_t)((const struct shadow *)b)->p;
	return x < y ? -1 : x > y;
}

/* Enumerates the heap and compares it with the shadow; returns mismatches. */
static unsigned check_enumeration(const char *when)
{
	size_t cap = 1 << 20;
	struct shadow *sh = mmap(NULL, 2 * cap * sizeof *sh, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct enum_ctx c = {sh + cap, 0, cap, 0};
	size_t ns = all_shadows(sh);
	ttst_registry_foreach(enum_heap, &c);
	qsort(c.found, c.n, sizeof *c.found, by_addr);
	unsigned bad = 0;
	size_t fixture_shadow = 0;
	for (size_t i = 0; i < ns; i++) {
		struct shadow *f = bsearch(&sh[i], c.found, c.n, sizeof *c.found, by_addr);
		bad += !f || f->size != sh[i].size || f->site != sh[i].site;
		fixture_shadow += sh[i].site != 0;
	}
	bad += fixture_shadow != c.fixture_blocks;
	printf("\n  %s: %zu live test blocks, %zu enumerated heap objects, %u mismatches", when, ns,
	       c.n, bad);
	munmap(sh, 2 * cap * sizeof *sh);
	return bad;
}

static int64_t typed_now(void)
{
	int64_t objs[2], bytes[2];
	ttst_tls_counters(objs, bytes);
	return objs[1];
}

/* Parks the workers mid-way (from an unregistered thread) and checks. */
static void *midway(void *arg)
{
	unsigned *bad = arg;
	for (int t = 0; t < NTHREADS; t++)
		while (__atomic_load_n(&workers[t].done, __ATOMIC_ACQUIRE) < OPS / 2 &&
		       __atomic_load_n(&workers[t].done, __ATOMIC_ACQUIRE) < OPS)
			sched_yield();
	struct ttst_park_info info;
	char err[512];
	if (ttst_quiesce_park(10000, &info, err, sizeof err) < 0) {
		printf("\n  park failed: %s", err);
		*bad = 1000;
		return NULL;
	}
	*bad = check_enumeration("parked mid-way");
	ttst_quiesce_release();
	return NULL;
}

static void test_threads(void)
{
	int64_t typed0 = typed_now();
	pthread_t th[NTHREADS], ctl;
	unsigned mid_bad = 0;
	for (int t = 0; t < NTHREADS; t++) {
		memset(&workers[t], 0, sizeof workers[t]);
		workers[t].rng = 0x9E3779B97F4A7C15ull * (unsigned)(t + 1);
		CU_ASSERT_FATAL(pthread_create(&th[t], NULL, work, &workers[t]) == 0);
	}
	CU_ASSERT_FATAL(ttst_real_pthread_create(&ctl, NULL, midway, &mid_bad) == 0);
	for (int t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);
	pthread_join(ctl, NULL);
	CU_ASSERT_EQUAL(mid_bad, 0);
	unsigned errors = 0;
	for (int t = 0; t < NTHREADS; t++)
		errors += workers[t].errors;
	CU_ASSERT_EQUAL(errors, 0);
	CU_ASSERT_EQUAL(check_enumeration("after the threads exited"), 0);
	/* the typed-object counter moved by exactly the live typed test blocks */
	static struct shadow sh[NTHREADS * LIVE + MAILBOX];
	size_t ns = all_shadows(sh), typed = 0;
	for (size_t i = 0; i < ns; i++)
		typed += typed_site(sh[i].site);
	CU_ASSERT_EQUAL(typed_now() - typed0, (int64_t)typed);
	for (size_t i = 0; i < ns; i++)
		free(sh[i].p);
	CU_ASSERT_EQUAL(typed_now(), typed0);
	memset(mailbox, 0, sizeof mailbox);
}

static void *returns(void *arg)
{
	return arg;
}

static void *exits(void *arg)
{
	pthread_exit(arg);
}

static void *blocks(void *arg)
{
	char c;
	return read(*(int *)arg, &c, 1) < 0 ? NULL : arg; /* cancelled inside read */
}

/* Threads deregister however they end: return, pthread_exit, cancellation. */
static void test_thread_exit(void)
{
	size_t n0 = ttst_threads_count();
	int p[2];
	CU_ASSERT_FATAL(pipe(p) == 0);
	pthread_t a, b, c;
	CU_ASSERT_FATAL(pthread_create(&a, NULL, returns, NULL) == 0);
	CU_ASSERT_FATAL(pthread_create(&b, NULL, exits, NULL) == 0);
	CU_ASSERT_FATAL(pthread_create(&c, NULL, blocks, &p[0]) == 0);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	CU_ASSERT_EQUAL(ttst_threads_count(), n0 + 1); /* c, blocked in read */
	pthread_cancel(c);
	void *r;
	pthread_join(c, &r);
	CU_ASSERT_PTR_EQUAL(r, PTHREAD_CANCELED);
	CU_ASSERT_EQUAL(ttst_threads_count(), n0);
	close(p[0]);
	close(p[1]);
}

/* What a helper started beside its caller saw when it ran. */
struct beside_seen {
	int cpu;
	cpu_set_t mask;
};

static void *beside_fn(void *arg)
{
	struct beside_seen *b = arg;
	b->cpu = sched_getcpu();
	sched_getaffinity(0, sizeof b->mask, &b->mask);
	return NULL;
}

/* ttst_runtime_thread_beside starts the helper on another CPU than the
 * caller's and gives it the caller's affinity back once it runs (a trial
 * counts when the caller did not move while starting it). */
static void test_thread_beside(void)
{
	cpu_set_t all;
	CU_ASSERT_FATAL(sched_getaffinity(0, sizeof all, &all) == 0);
	if (CPU_COUNT(&all) < 2)
		return; /* one CPU: a plain runtime thread (nothing to check) */
	int valid = 0;
	for (int trial = 0; trial < 20 && valid < 5; trial++) {
		struct beside_seen b = {-1, {{0}}};
		pthread_t th;
		int before = sched_getcpu();
		CU_ASSERT_FATAL(ttst_runtime_thread_beside(&th, beside_fn, &b) == 0);
		int after = sched_getcpu();
		pthread_join(th, NULL);
		if (before != after)
			continue;
		valid++;
		CU_ASSERT(b.cpu >= 0 && b.cpu != before);
		CU_ASSERT(CPU_EQUAL(&b.mask, &all));
	}
	CU_ASSERT(valid > 0);
}

int add_threads_tests(void)
{
	CU_pSuite s = CU_add_suite("threads", NULL, NULL);
	if (!s || !CU_add_test(s, "4 threads vs shadow", test_threads) ||
	    !CU_add_test(s, "thread exit deregisters", test_thread_exit) ||
	    !CU_add_test(s, "helper started beside its caller", test_thread_beside))
		return -1;
	return 0;
}
