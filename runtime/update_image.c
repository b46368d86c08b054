/* update_image.c -- a process's state image for its peer: TU blobs and the object list, streamed
 * with pwrite into a memfd whose pages another thread allocates meanwhile (the memfd and the
 * records' pool made ahead: update_image_ahead.c). */
#define _GNU_SOURCE
#include "grow.h"
#include "update_image.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "fdio.h"
#include "log.h"
#include "radix.h"
#include "registry.h"
#include "sites.h"
#include "slots.h"
#include "threads.h"
#include "update_image_int.h"

#define RADIX_BITS 12 /* widest digit: 16 KiB of counters */
#define BUF_RECS 4096 /* records per write (128 KiB) */
#define PAR_SLOTS 65536 /* fewer heap blocks are collected on one thread */

struct tu_info {
	const struct ttst_tu_hdr *tu;
	uint32_t base, nsites; /* global site numbers [base, base + nsites) */
	uint32_t idx;	       /* index in the image */
};

/* The image under construction.  The TU blobs go to the memfd first (after
 * the header's place; the header is written last), then the object list at
 * off_area.  Heap records come in allocation-table order, which is address
 * order in runs (one thread's allocations; several threads' interleave):
 * each goes to the pile whose last record is the highest one below it (or
 * an empty pile), so every pile stays sorted; a record no pile takes goes
 * to `side`, sorted at the end.  A pile is a chain of segments of SEG_RECS
 * records taken in turn from one pool (anonymous memory, usually populated
 * ahead: see ttst_image_open_ahead), each a sorted run.  The other objects
 * (statics, functions, locals, mmap regions) go to `small`.  The runs, side
 * and small are merged into the memfd at the end.  A large heap is collected
 * by two threads, each walking half of the object table into its own piles
 * (segments from the same pool), side and small: the second half's per-site
 * ordinals are then raised by the first half's counts. */
struct pool {
	struct ttst_image_obj *a; /* recs records, used of them handed out (atomic) */
	size_t recs, used;
	size_t len; /* bytes mapped at a */
};

struct run {
	struct ttst_image_obj *a;
	size_t n;
};

struct pile {
	size_t seg;   /* index of its current segment in segs */
	uint64_t top; /* address of its last record */
	int used;
};

struct build {
	struct tu_info *tus;   /* by base (the table's order) */
	struct tu_info *byptr; /* the same, sorted by blob address */
	size_t ntus;
	uint32_t *ordinals; /* per global site number */
	uint32_t *site_tu;  /* per global site number: index in tus, UINT32_MAX if none */
	uint32_t maxsite;   /* ordinals and site_tu have maxsite + 1 entries */
	int fd;		    /* the memfd */
	size_t off_area;    /* byte offset of the object list */
	struct pile pile[PILES];
	struct pool *pool;	      /* shared by the two halves' builds */
	struct run *segs;	      /* __libc array: every segment, in the order taken */
	size_t nsegs, segs_cap;
	struct ttst_image_obj *side;  /* __libc array */
	size_t nside, side_cap;
	struct ttst_image_obj *small; /* __libc array */
	size_t nsmall, small_cap;
	struct ttst_image_obj *out; /* __libc array of BUF_RECS: records to write */
	size_t nout, written;
	const struct tu_info *last_ptr;
};

static int add_tu(const struct ttst_tu_ent *e, void *arg)
{
	struct build *b = arg;
	if ((b->ntus & (b->ntus - 1)) == 0) { /* 0, 1, 2, 4, ...: grow */
		size_t cap = b->ntus ? b->ntus * 2 : 1;
		struct tu_info *t = __libc_realloc(b->tus, cap * sizeof *t);
		if (!t)
			return -1;
		b->tus = t;
	}
	b->tus[b->ntus] = (struct tu_info){e->tu, e->base, e->nsites, (uint32_t)b->ntus};
	b->ntus++;
	if (e->base + e->nsites > b->maxsite)
		b->maxsite = e->base + e->nsites;
	return 0;
}

static int cmp_ptr(const void *x, const void *y)
{
	uintptr_t a = (uintptr_t)((const struct tu_info *)x)->tu;
	uintptr_t c = (uintptr_t)((const struct tu_info *)y)->tu;
	return a < c ? -1 : a > c;
}

/* Image index of blob tu, UINT32_MAX if it is not registered. */
static uint32_t tu_index(struct build *b, const struct ttst_tu_hdr *tu)
{
	if (b->last_ptr && b->last_ptr->tu == tu)
		return b->last_ptr->idx;
	size_t lo = 0, hi = b->ntus;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if ((uintptr_t)b->byptr[mid].tu < (uintptr_t)tu)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == b->ntus || b->byptr[lo].tu != tu)
		return UINT32_MAX;
	b->last_ptr = &b->byptr[lo];
	return b->last_ptr->idx;
}

/* Appends r to the __libc array *a of *n (capacity *cap) records; 0 or -1. */
static int push(struct ttst_image_obj **a, size_t *n, size_t *cap,
		const struct ttst_image_obj *r)
{
	if (TTST_GROW(*a, *n, *cap, 1024) < 0)
		return -1;
	(*a)[(*n)++] = *r;
	return 0;
}

/* Appends r to pile p, taking a new segment from the pool when its segment
 * is full.  Returns 0, 1 if the pool is exhausted, or -1. */
static int pile_add(struct build *b, struct pile *p, const struct ttst_image_obj *r)
{
	if (!p->used || b->segs[p->seg].n == SEG_RECS) {
		if (TTST_GROW(b->segs, b->nsegs, b->segs_cap, 64) < 0)
			return -1;
		size_t at = __atomic_fetch_add(&b->pool->used, SEG_RECS, __ATOMIC_RELAXED);
		if (at + SEG_RECS > b->pool->recs)
			return 1;
		b->segs[b->nsegs] = (struct run){b->pool->a + at, 0};
		p->seg = b->nsegs++;
		p->used = 1;
	}
	struct run *s = &b->segs[p->seg];
	s->a[s->n++] = *r;
	p->top = r->addr;
	return 0;
}

/* Adds heap record r to a pile, or to side (see struct build); 0 or -1. */
static int heap_add(struct build *b, const struct ttst_image_obj *r)
{
	int best = -1, empty = -1;
	for (int k = 0; k < PILES; k++) {
		const struct pile *p = &b->pile[k];
		if (!p->used)
			empty = empty < 0 ? k : empty;
		else if (p->top <= r->addr && (best < 0 || p->top > b->pile[best].top))
			best = k;
	}
	if (best < 0)
		best = empty;
	int rc = best < 0 ? 1 : pile_add(b, &b->pile[best], r);
	return rc > 0 ? push(&b->side, &b->nside, &b->side_cap, r) : rc;
}

static int add_obj(const struct ttst_obj *o, void *arg)
{
	struct build *b = arg;
	struct ttst_image_obj r = {.addr = o->addr, .size = o->size, .kind = o->kind};
	r.typed = o->type != TTST_NO_TYPE;
	if (o->kind == TTST_OBJ_HEAP || o->kind == TTST_OBJ_MMAP) {
		uint32_t s = o->index;
		uint32_t ti = s <= b->maxsite ? b->site_tu[s] : UINT32_MAX;
		r.tu = ti;
		r.index = ti != UINT32_MAX ? s - b->tus[ti].base : 0;
		r.ordinal = b->ordinals[ti != UINT32_MAX ? s : 0]++;
	} else {
		r.tu = tu_index(b, o->tu);
		r.index = o->index;
	}
	if (o->kind == TTST_OBJ_HEAP)
		return heap_add(b, &r);
	return push(&b->small, &b->nsmall, &b->small_cap, &r);
}

/* LSD radix sort of a (n records) by the address bits in vary, b as scratch;
 * returns a or b, whichever holds the result. */
#define IMAGE_KEY(r) ((r).addr)
TTST_RADIX_SORT_DEF(radix_sort, struct ttst_image_obj, IMAGE_KEY, RADIX_BITS)

/* Key bits that differ between the n records of a (0: all equal). */
static uint64_t varying_bits(const struct ttst_image_obj *a, size_t n)
{
	uint64_t all_or = 0, all_and = ~0ull;
	for (size_t i = 0; i < n; i++) {
		all_or |= a[i].addr;
		all_and &= a[i].addr;
	}
	return all_or ^ all_and;
}

struct ttst_image_obj *ttst_image_sort(struct ttst_image_obj *a, struct ttst_image_obj *b, size_t n)
{
	size_t i = 1;
	while (i < n && a[i - 1].addr <= a[i].addr)
		i++;
	return i >= n ? a : radix_sort(a, b, n, varying_bits(a, n));
}

static size_t align8(size_t v)
{
	return (v + 7) & ~(size_t)7;
}

static int cmp_addr(const void *x, const void *y)
{
	uint64_t a = ((const struct ttst_image_obj *)x)->addr;
	uint64_t c = ((const struct ttst_image_obj *)y)->addr;
	return a < c ? -1 : a > c;
}

/* Writes the buffered records; 0 or -1. */
static int flush(struct build *b)
{
	off_t off = (off_t)(b->off_area + b->written * sizeof *b->out);
	ttst_image_writing((uint64_t)off + b->nout * sizeof *b->out);
	if (b->nout && ttst_fd_rw_all(b->fd, b->out, b->nout * sizeof *b->out, off, 1) < 0)
		return -1;
	b->written += b->nout;
	b->nout = 0;
	return 0;
}

/* Appends n sorted records to the object list; 0 or -1. */
static int emit(struct build *b, const struct ttst_image_obj *r, size_t n)
{
	if (b->nout + n > BUF_RECS && flush(b) < 0)
		return -1;
	if (n < BUF_RECS) {
		memcpy(b->out + b->nout, r, n * sizeof *r);
		b->nout += n;
		return 0;
	}
	off_t off = (off_t)(b->off_area + b->written * sizeof *r); /* long run: directly */
	ttst_image_writing((uint64_t)off + n * sizeof *r);
	if (ttst_fd_rw_all(b->fd, (void *)r, n * sizeof *r, off, 1) < 0)
		return -1;
	b->written += n;
	return 0;
}

/* Merges the sorted runs in[0..nin) into the object list, taking from the
 * lowest run all records up to the next run's head at a time.  0 or -1. */
static int merge_out(struct build *b, struct run *in, size_t nin)
{
	for (;;) {
		long i = -1, j = -1; /* lowest and second lowest head */
		for (long k = 0; k < (long)nin; k++) {
			if (!in[k].n)
				continue;
			if (i < 0 || in[k].a->addr < in[i].a->addr) {
				j = i;
				i = k;
			} else if (j < 0 || in[k].a->addr < in[j].a->addr) {
				j = k;
			}
		}
		if (i < 0)
			return flush(b);
		size_t len = 1;
		while (len < in[i].n && (j < 0 || in[i].a[len].addr <= in[j].a->addr))
			len++;
		if (emit(b, in[i].a, len) < 0)
			return -1;
		in[i].a += len;
		in[i].n -= len;
	}
}

/* Sorts side and small of b and of h (the second half's build, or NULL)
 * and merges everything into b's memfd.  0 or -1. */
static int arrange(struct build *b, struct build *h)
{
	struct build *part[2] = {b, h};
	size_t nside = b->nside + (h ? h->nside : 0), nin = 0;
	struct ttst_image_obj *scratch = __libc_malloc((nside ? nside : 1) * sizeof *scratch);
	struct run *in = __libc_malloc((b->nsegs + (h ? h->nsegs : 0) + 4) * sizeof *in);
	int r = -1;
	if (scratch && in) {
		for (int k = 0; k < 2 && part[k]; k++) {
			struct build *p = part[k];
			qsort(p->small, p->nsmall, sizeof *p->small, cmp_addr);
			memcpy(in + nin, p->segs, p->nsegs * sizeof *in);
			nin += p->nsegs;
			in[nin++] = (struct run){ttst_image_sort(p->side, scratch, p->nside), p->nside};
			in[nin++] = (struct run){p->small, p->nsmall};
			scratch += p->nside;
		}
		scratch -= nside;
		r = merge_out(b, in, nin);
	}
	__libc_free(scratch);
	__libc_free(in);
	return r;
}

/* Collects the TU table and the per-site tables, sets off_area, takes the
 * pool (for `need` heap records).  Returns 0 or -1. */
static int prepare(struct build *b, size_t need)
{
	if (ttst_site_foreach_tu(add_tu, b) < 0)
		return -1;
	b->byptr = __libc_malloc((b->ntus ? b->ntus : 1) * sizeof *b->byptr);
	b->ordinals = __libc_calloc((size_t)b->maxsite + 1, sizeof *b->ordinals);
	b->site_tu = __libc_malloc(((size_t)b->maxsite + 1) * sizeof *b->site_tu);
	b->out = __libc_malloc(BUF_RECS * sizeof *b->out);
	if (!b->byptr || !b->ordinals || !b->site_tu || !b->out)
		return -1;
	memset(b->site_tu, 0xff, ((size_t)b->maxsite + 1) * sizeof *b->site_tu);
	for (size_t i = 0; i < b->ntus; i++)
		for (uint32_t s = 0; s < b->tus[i].nsites; s++)
			b->site_tu[b->tus[i].base + s] = (uint32_t)i;
	memcpy(b->byptr, b->tus, b->ntus * sizeof *b->byptr);
	qsort(b->byptr, b->ntus, sizeof *b->byptr, cmp_ptr);
	struct pool *p = b->pool;
	if (!(p->a = ttst_image_take_pool(need, &p->recs, &p->len)))
		return -1;
	size_t pos = align8(sizeof(struct ttst_image_hdr) + b->ntus * sizeof(struct ttst_image_tu));
	for (size_t i = 0; i < b->ntus; i++)
		pos += align8(b->tus[i].tu->total_size);
	b->off_area = pos;
	return 0;
}

/* Writes the TU table and the blob copies (after the header's place).
 * Returns 0 or -1. */
static int write_tus(struct build *b)
{
	size_t len = b->off_area - sizeof(struct ttst_image_hdr);
	char *p = __libc_calloc(1, len ? len : 1);
	if (!p)
		return -1;
	struct ttst_image_tu *t = (struct ttst_image_tu *)p;
	size_t pos = align8(sizeof(struct ttst_image_hdr) + b->ntus * sizeof *t);
	for (size_t i = 0; i < b->ntus; i++) {
		const struct ttst_tu_hdr *tu = b->tus[i].tu;
		t[i] = (struct ttst_image_tu){pos, tu->total_size, (uint64_t)(uintptr_t)tu};
		memcpy(p + pos - sizeof(struct ttst_image_hdr), tu, tu->total_size);
		pos += align8(tu->total_size);
	}
	int r = ttst_fd_rw_all(b->fd, p, len, sizeof(struct ttst_image_hdr), 1);
	__libc_free(p);
	return r;
}

/* Writes the header, cuts the memfd to the image; 0 or -1. */
static int finish(struct build *b, size_t count, uint64_t *size)
{
	size_t off_objs = b->off_area;
	size_t total = off_objs + count * sizeof(struct ttst_image_obj);
	struct ttst_image_hdr h = {TTST_IMAGE_MAGIC,	   TTST_IMAGE_VERSION,
				   total,		   (int32_t)getpid(),
				   (uint32_t)b->ntus,	   sizeof(struct ttst_image_hdr),
				   count,		   off_objs};
	ttst_image_wait_prealloc();
	if (ftruncate(b->fd, (off_t)total) < 0 || ttst_fd_rw_all(b->fd, &h, sizeof h, 0, 1) < 0)
		return -1;
	*size = total;
	return 0;
}

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* The second half's build: the first's tables, its own ordinals, the same pool. */
static int second_half(const struct build *b, struct build *h)
{
	memset(h, 0, sizeof *h);
	h->tus = b->tus;
	h->byptr = b->byptr;
	h->ntus = b->ntus;
	h->site_tu = b->site_tu;
	h->maxsite = b->maxsite;
	h->pool = b->pool;
	h->fd = -1;
	h->ordinals = __libc_calloc((size_t)b->maxsite + 1, sizeof *h->ordinals);
	return h->ordinals ? 0 : -1;
}

/* Raises the per-site ordinals of the second half's heap and mmap records
 * by the first half's counts. */
static void shift_ordinals(const struct build *b, struct build *h)
{
	struct run all[2] = {{h->side, h->nside}, {h->small, h->nsmall}};
	for (size_t k = 0; k < h->nsegs + 2; k++) {
		struct run *q = k < h->nsegs ? &h->segs[k] : &all[k - h->nsegs];
		for (size_t i = 0; i < q->n; i++) {
			struct ttst_image_obj *r = &q->a[i];
			if (r->kind == TTST_OBJ_HEAP || r->kind == TTST_OBJ_MMAP)
				r->ordinal += b->ordinals[r->tu != UINT32_MAX
								 ? b->tus[r->tu].base + r->index
								 : 0];
		}
	}
}

struct half {
	struct build *h;
	uint32_t mid;
	int rc;
};

static void *half_main(void *arg)
{
	struct half *w = arg;
	w->rc = ttst_registry_foreach_part(1, w->mid, add_obj, w->h);
	return NULL;
}

/* Collects every object into b, a large heap on two threads (the second
 * half into h, then *two is set).  0 or -1. */
static int collect(struct build *b, struct build *h, int *two)
{
	uint32_t used = ttst_slot_used();
	struct half w = {h, used / 2, 0};
	pthread_t th;
	*two = 0;
	if (used < PAR_SLOTS || sysconf(_SC_NPROCESSORS_ONLN) < 2 || second_half(b, h) < 0 ||
	    ttst_runtime_thread_beside(&th, half_main, &w) != 0)
		return ttst_registry_foreach(add_obj, b) == 0 ? 0 : -1;
	*two = 1;
	int r = ttst_registry_foreach_part(0, w.mid, add_obj, b);
	pthread_join(th, NULL);
	if (r || w.rc)
		return -1;
	shift_ordinals(b, h);
	return 0;
}

static size_t count_recs(const struct build *b)
{
	size_t count = b->nside + b->nsmall;
	for (size_t k = 0; k < b->nsegs; k++)
		count += b->segs[k].n;
	return count;
}

int ttst_image_build(uint64_t *size, uint64_t *nobjs, char *err, size_t n)
{
	struct build b, h;
	struct pool pool = {NULL, 0, 0, 0};
	memset(&b, 0, sizeof b);
	memset(&h, 0, sizeof h);
	b.pool = &pool;
	int r = -1, two = 0;
	errno = 0;
	ttst_image_join_helper();
	b.fd = ttst_image_take_fd();
	struct timespec t0, t1, t2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (b.fd >= 0 && prepare(&b, (size_t)ttst_slot_used() + ttst_image_give_slack()) == 0 &&
	    write_tus(&b) == 0 && collect(&b, &h, &two) == 0) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		r = arrange(&b, two ? &h : NULL);
		clock_gettime(CLOCK_MONOTONIC, &t2);
		ttst_debug("image: objects collected in %.1f ms on %d thread%s (%zu sorted runs, "
			   "%zu out of order, %zu not on the heap), sorted and written in %.1f ms",
			   ms_between(&t0, &t1), 1 + two, two ? "s" : "", b.nsegs + h.nsegs,
			   b.nside + h.nside, b.nsmall + h.nsmall, ms_between(&t1, &t2));
	}
	size_t count = count_recs(&b) + count_recs(&h);
	assert(r < 0 || b.written == count);
	if (r < 0 || finish(&b, count, size) < 0) {
		snprintf(err, n, "cannot build the state image (%zu objects): %s", count,
			 strerror(errno ? errno : ENOMEM));
		if (b.fd >= 0)
			close(b.fd);
		b.fd = -1;
	} else {
		*nobjs = count;
	}
	__libc_free(b.tus);
	__libc_free(b.byptr);
	__libc_free(b.ordinals);
	__libc_free(b.site_tu);
	ttst_image_wait_prealloc(); /* it may still populate the pool */
	if (pool.a)		    /* unmapped once the memfd is handed over */
		ttst_image_spent(pool.a, pool.len);
	__libc_free(b.segs);
	__libc_free(b.out);
	__libc_free(b.side);
	__libc_free(b.small);
	__libc_free(h.ordinals);
	__libc_free(h.segs);
	__libc_free(h.side);
	__libc_free(h.small);
	return b.fd;
}

/* Builds j's image, timing it. */
static void build_job(struct ttst_image_job *j)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	j->fd = ttst_image_build(&j->size, &j->nobjs, j->err, sizeof j->err);
	clock_gettime(CLOCK_MONOTONIC, &b);
	j->ms = (unsigned)ms_between(&a, &b);
}

static void *job_main(void *arg)
{
	build_job(arg);
	return NULL;
}

void ttst_image_start(struct ttst_image_job *j)
{
	j->state = ttst_runtime_thread(&j->th, job_main, j) ? 0 : 1;
}

int ttst_image_wait(struct ttst_image_job *j)
{
	if (j->state == 1)
		pthread_join(j->th, NULL);
	else
		build_job(j);
	j->state = 0;
	return j->fd;
}
