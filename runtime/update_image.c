/* update_image.c -- a process's state image for its peer: TU blobs and the object list, in a
 * memfd (built in anonymous memory, written with pwrite into pages allocated meanwhile). */
#define _GNU_SOURCE
#include "update_image.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "locals.h"
#include "regions.h"
#include "registry.h"
#include "sites.h"
#include "slots.h"
#include "threads.h"

#define RADIX_BITS 12 /* widest digit: 16 KiB of counters */
#define RADIX (1u << RADIX_BITS)

struct tu_info {
	const struct ttst_tu_hdr *tu;
	uint32_t base, nsites; /* global site numbers [base, base + nsites) */
	uint32_t idx;	       /* index in the image */
};

/* The image under construction, in anonymous memory: heap records go to
 * recs from index hbase on while they come in address order; a record
 * below the last one kept goes to `side` with that one (an ascending run is
 * kept, and the few records out of order are sorted and merged in at the
 * end).  The other objects (statics, functions, locals, mmap regions) go to
 * `small`, and are placed around the heap records at the end. */
struct build {
	struct tu_info *tus;   /* by base (the table's order) */
	struct tu_info *byptr; /* the same, sorted by blob address */
	size_t ntus;
	uint32_t *ordinals; /* per global site number */
	uint32_t *site_tu;  /* per global site number: index in tus, UINT32_MAX if none */
	uint32_t maxsite;   /* ordinals and site_tu have maxsite + 1 entries */
	size_t off_area;    /* byte offset of the object list in the image */
	struct ttst_image_obj *recs; /* anonymous mapping of cap records */
	size_t cap;
	size_t hbase; /* index of the first heap record */
	size_t nheap;
	uint64_t htop;		      /* address of the last heap record kept */
	struct ttst_image_obj *side;  /* __libc array */
	size_t nside, side_cap;
	struct ttst_image_obj *small; /* __libc array */
	size_t nsmall, small_cap;
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

/* Makes recs hold at least n records (pointers into it are invalid
 * afterwards).  Returns 0 or -1. */
static int reserve(struct build *b, size_t n)
{
	if (n <= b->cap)
		return 0;
	size_t ncap = b->cap * 2 > n ? b->cap * 2 : n, osz = b->cap * sizeof *b->recs;
	size_t size = ncap * sizeof *b->recs;
	void *p = b->recs ? mremap(b->recs, osz, size, MREMAP_MAYMOVE)
			  : mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				 -1, 0);
	if (p == MAP_FAILED)
		return -1;
	b->recs = p;
	b->cap = ncap;
	return 0;
}

/* Appends r to the __libc array *a of *n (capacity *cap) records; 0 or -1. */
static int push(struct ttst_image_obj **a, size_t *n, size_t *cap,
		const struct ttst_image_obj *r)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 1024;
		struct ttst_image_obj *p = __libc_realloc(*a, ncap * sizeof *p);
		if (!p)
			return -1;
		*a = p;
		*cap = ncap;
	}
	(*a)[(*n)++] = *r;
	return 0;
}

/* Adds heap record r: kept in order in recs, or set aside (see struct build). */
static int heap_add(struct build *b, const struct ttst_image_obj *r)
{
	if (b->nheap && r->addr < b->htop) {
		b->nheap--;
		if (push(&b->side, &b->nside, &b->side_cap, &b->recs[b->hbase + b->nheap]) < 0 ||
		    push(&b->side, &b->nside, &b->side_cap, r) < 0)
			return -1;
		b->htop = b->nheap ? b->recs[b->hbase + b->nheap - 1].addr : 0;
		return 0;
	}
	if (reserve(b, b->hbase + b->nheap + 1) < 0)
		return -1;
	b->recs[b->hbase + b->nheap++] = *r;
	b->htop = r->addr;
	return 0;
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

/* LSD radix sort of a (n records) by the key bits in vary, b as scratch;
 * returns a or b, whichever holds the result. */
static struct ttst_image_obj *radix_sort(struct ttst_image_obj *a, struct ttst_image_obj *b,
					 size_t n, uint64_t vary)
{
	static uint32_t count[RADIX]; /* one sort at a time (the update thread) */
	if (!vary)
		return a;
	/* digits cover the varying bits only, in as few passes of <= RADIX_BITS as possible */
	unsigned lo = (unsigned)__builtin_ctzll(vary), hi = 63 - (unsigned)__builtin_clzll(vary);
	unsigned span = hi - lo + 1, passes = (span + RADIX_BITS - 1) / RADIX_BITS;
	unsigned width = (span + passes - 1) / passes;
	for (unsigned p = 0; p < passes; p++) {
		unsigned shift = lo + p * width;
		uint64_t mask = ((uint64_t)1 << width) - 1;
		memset(count, 0, sizeof count);
		for (size_t i = 0; i < n; i++)
			count[(a[i].addr >> shift) & mask]++;
		uint32_t sum = 0;
		for (unsigned d = 0; d <= mask; d++) {
			uint32_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			b[count[(a[i].addr >> shift) & mask]++] = a[i];
		struct ttst_image_obj *t = a;
		a = b;
		b = t;
	}
	return a;
}

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

void ttst_image_merge_back(struct ttst_image_obj *a, size_t na, const struct ttst_image_obj *c,
			   size_t nc)
{
	size_t k = na + nc;
	while (nc) /* writes never pass the records of a still to be read */
		a[--k] = na && a[na - 1].addr > c[nc - 1].addr ? a[--na] : c[--nc];
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

/* Sorts the heap records set aside and merges them into the heap run.
 * Returns 0 or -1. */
static int merge_side(struct build *b)
{
	if (!b->nside)
		return 0;
	struct ttst_image_obj *scratch = __libc_malloc(b->nside * sizeof *scratch);
	if (!scratch || reserve(b, b->hbase + b->nheap + b->nside) < 0) {
		__libc_free(scratch);
		return -1;
	}
	const struct ttst_image_obj *s = ttst_image_sort(b->side, scratch, b->nside);
	ttst_image_merge_back(b->recs + b->hbase, b->nheap, s, b->nside);
	b->nheap += b->nside;
	b->nside = 0;
	__libc_free(scratch);
	return 0;
}

/* Sorts everything into one run; returns the index of its first record in
 * recs, or -1.  The heap run stays in place when the other objects lie
 * around it (the usual case). */
static long arrange(struct build *b)
{
	size_t ns = b->nsmall, lo = 0;
	qsort(b->small, ns, sizeof *b->small, cmp_addr);
	if (merge_side(b) < 0)
		return -1;
	size_t nh = b->nheap;
	const struct ttst_image_obj *h = b->recs + b->hbase;
	while (lo < ns && nh && b->small[lo].addr < h[0].addr)
		lo++;
	if (!nh || ((lo == ns || b->small[lo].addr > h[nh - 1].addr) && lo <= b->hbase)) {
		if (reserve(b, b->hbase + nh + ns - lo) < 0)
			return -1;
		memcpy(b->recs + b->hbase - lo, b->small, lo * sizeof *b->small);
		memcpy(b->recs + b->hbase + nh, b->small + lo, (ns - lo) * sizeof *b->small);
		return (long)(b->hbase - lo);
	}
	if (reserve(b, b->hbase + nh + ns) < 0) /* they interleave: merge */
		return -1;
	ttst_image_merge_back(b->recs + b->hbase, nh, b->small, ns);
	return (long)b->hbase;
}

/* Collects the TU table and the per-site tables; sets off_area and hbase.
 * Returns 0 or -1. */
static int prepare(struct build *b)
{
	if (ttst_site_foreach_tu(add_tu, b) < 0)
		return -1;
	b->byptr = __libc_malloc((b->ntus ? b->ntus : 1) * sizeof *b->byptr);
	b->ordinals = __libc_calloc((size_t)b->maxsite + 1, sizeof *b->ordinals);
	b->site_tu = __libc_malloc(((size_t)b->maxsite + 1) * sizeof *b->site_tu);
	if (!b->byptr || !b->ordinals || !b->site_tu)
		return -1;
	memset(b->site_tu, 0xff, ((size_t)b->maxsite + 1) * sizeof *b->site_tu);
	for (size_t i = 0; i < b->ntus; i++)
		for (uint32_t s = 0; s < b->tus[i].nsites; s++)
			b->site_tu[b->tus[i].base + s] = (uint32_t)i;
	memcpy(b->byptr, b->tus, b->ntus * sizeof *b->byptr);
	qsort(b->byptr, b->ntus, sizeof *b->byptr, cmp_ptr);
	size_t nregions, rbytes;
	ttst_regions_count(&nregions, &rbytes);
	b->hbase = ttst_locals_count() + nregions; /* plus the statics: */
	for (size_t i = 0; i < b->ntus; i++)
		b->hbase += b->tus[i].tu->nstatics;
	size_t pos = align8(sizeof(struct ttst_image_hdr) + b->ntus * sizeof(struct ttst_image_tu));
	for (size_t i = 0; i < b->ntus; i++)
		pos += align8(b->tus[i].tu->total_size);
	b->off_area = pos;
	/* room for every heap block up front (the slot count bounds them) */
	return reserve(b, b->hbase + nregions + ttst_slot_used() + 1024);
}

/* The image's first off_area bytes: header, TU table, blob copies.  Returns
 * a __libc block, or NULL (out of memory). */
static char *image_head(struct build *b, size_t count)
{
	char *p = __libc_calloc(1, b->off_area);
	if (!p)
		return NULL;
	*(struct ttst_image_hdr *)p = (struct ttst_image_hdr){
	    TTST_IMAGE_MAGIC, TTST_IMAGE_VERSION, b->off_area + count * sizeof(struct ttst_image_obj),
	    (int32_t)getpid(), (uint32_t)b->ntus, sizeof(struct ttst_image_hdr),
	    count, b->off_area};
	struct ttst_image_tu *t = (struct ttst_image_tu *)(p + sizeof(struct ttst_image_hdr));
	size_t pos = align8(sizeof(struct ttst_image_hdr) + b->ntus * sizeof *t);
	for (size_t i = 0; i < b->ntus; i++) {
		const struct ttst_tu_hdr *tu = b->tus[i].tu;
		t[i] = (struct ttst_image_tu){pos, tu->total_size, (uint64_t)(uintptr_t)tu};
		memcpy(p + pos, tu, tu->total_size);
		pos += align8(tu->total_size);
	}
	return p;
}

int ttst_fd_rw_all(int fd, void *buf, size_t n, off_t off, int write)
{
	char *p = buf;
	while (n) {
		size_t k = n < (1u << 30) ? n : (1u << 30);
		ssize_t w = write ? pwrite(fd, p, k, off) : pread(fd, p, k, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			errno = w < 0 ? errno : EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

/* --- the memfd, allocated ahead ------------------------------------------- */

/* The memfd of the next image, whose pages are allocated (fallocate) by
 * another thread while the image is collected: PENDING from the promise
 * until READY.  One image at a time per process. */
enum { PRE_NONE, PRE_PENDING, PRE_READY };
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int state, fd;
	int helper; /* th runs (v2: allocates during the transfer) */
	pthread_t th;
} pre = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PRE_NONE, -1, 0, 0};

void ttst_image_promise(void)
{
	pthread_mutex_lock(&pre.lock);
	if (pre.state == PRE_NONE)
		pre.state = PRE_PENDING;
	pthread_mutex_unlock(&pre.lock);
}

uint64_t ttst_image_estimate(void)
{
	size_t nregions, rbytes;
	ttst_regions_count(&nregions, &rbytes);
	return (uint64_t)ttst_slot_used() + ttst_locals_count() + nregions + 4096;
}

void ttst_image_prealloc(uint64_t nobjs)
{
	pthread_mutex_lock(&pre.lock);
	int busy = pre.state == PRE_READY;
	pthread_mutex_unlock(&pre.lock);
	int fd = busy ? -1 : memfd_create("ttst-state", MFD_CLOEXEC);
	if (fd >= 0) /* on failure pwrite allocates the pages instead */
		(void)fallocate(fd, 0, 0, (off_t)(nobjs * sizeof(struct ttst_image_obj) + (1u << 20)));
	pthread_mutex_lock(&pre.lock);
	if (pre.state != PRE_READY) {
		pre.fd = fd;
		pre.state = fd >= 0 ? PRE_READY : PRE_NONE;
		fd = -1;
	}
	pthread_cond_broadcast(&pre.cond);
	pthread_mutex_unlock(&pre.lock);
	if (fd >= 0)
		close(fd);
}

static void *pre_main(void *arg)
{
	ttst_image_prealloc((uint64_t)(uintptr_t)arg);
	return NULL;
}

void ttst_image_prealloc_async(uint64_t nobjs)
{
	if (pre.helper)
		return;
	ttst_image_promise();
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pre.helper = ttst_real_pthread_create(&pre.th, NULL, pre_main, (void *)(uintptr_t)nobjs) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!pre.helper)
		ttst_image_prealloc(nobjs);
}

/* Joins the helper thread, if any (before the objects are collected: its
 * resources are freed now, not while the image describes them). */
static void join_helper(void)
{
	if (pre.helper)
		pthread_join(pre.th, NULL);
	pre.helper = 0;
}

/* The promised memfd once it is ready, else a new one; -1 on failure. */
static int take_fd(void)
{
	pthread_mutex_lock(&pre.lock);
	while (pre.state == PRE_PENDING)
		pthread_cond_wait(&pre.cond, &pre.lock);
	int fd = pre.state == PRE_READY ? pre.fd : -1;
	pre.state = PRE_NONE;
	pre.fd = -1;
	pthread_mutex_unlock(&pre.lock);
	return fd >= 0 ? fd : memfd_create("ttst-state", MFD_CLOEXEC);
}

void ttst_image_prealloc_drop(void)
{
	join_helper();
	pthread_mutex_lock(&pre.lock);
	int fd = pre.state == PRE_READY ? pre.fd : -1;
	if (pre.state == PRE_READY) {
		pre.state = PRE_NONE;
		pre.fd = -1;
	}
	pthread_mutex_unlock(&pre.lock);
	if (fd >= 0)
		close(fd);
}

/* Writes the image into a memfd (the preallocated one if any); returns it
 * with *size, or -1. */
static int write_image(struct build *b, long start, size_t count, uint64_t *size)
{
	char *head = image_head(b, count);
	int fd = take_fd();
	size_t total = b->off_area + count * sizeof *b->recs;
	if (!head || fd < 0 || ftruncate(fd, (off_t)total) < 0 ||
	    ttst_fd_rw_all(fd, head, b->off_area, 0, 1) < 0 ||
	    ttst_fd_rw_all(fd, b->recs + start, count * sizeof *b->recs, (off_t)b->off_area, 1) <
		0) {
		int e = head ? errno : ENOMEM;
		if (fd >= 0)
			close(fd);
		__libc_free(head);
		errno = e;
		return -1;
	}
	__libc_free(head);
	*size = total;
	return fd;
}

int ttst_image_build(uint64_t *size, uint64_t *nobjs, struct ttst_image_recs *keep, char *err,
		     size_t n)
{
	struct build b;
	memset(&b, 0, sizeof b);
	long start = -1;
	int fd = -1;
	errno = 0;
	join_helper();
	if (prepare(&b) == 0 && ttst_registry_foreach(add_obj, &b) == 0)
		start = arrange(&b);
	size_t count = b.nheap + b.nside + b.nsmall;
	if (start < 0 || (fd = write_image(&b, start, count, size)) < 0) {
		snprintf(err, n, "cannot build the state image (%zu objects): %s", count,
			 strerror(errno ? errno : ENOMEM));
		if (start < 0)
			close(take_fd()); /* the promised memfd (waits for it) */
	} else {
		*nobjs = count;
		if (keep) { /* handed over, not unmapped */
			*keep = (struct ttst_image_recs){b.recs, b.cap * sizeof *b.recs, b.recs + start};
			b.recs = NULL;
		}
	}
	if (b.recs)
		munmap(b.recs, b.cap * sizeof *b.recs);
	__libc_free(b.tus);
	__libc_free(b.byptr);
	__libc_free(b.ordinals);
	__libc_free(b.site_tu);
	__libc_free(b.side);
	__libc_free(b.small);
	return fd;
}

/* Builds j's image, timing it. */
static void build_job(struct ttst_image_job *j)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	j->fd = ttst_image_build(&j->size, &j->nobjs, &j->recs, j->err, sizeof j->err);
	clock_gettime(CLOCK_MONOTONIC, &b);
	j->ms = (unsigned)((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000);
}

static void *job_main(void *arg)
{
	build_job(arg);
	return NULL;
}

void ttst_image_start(struct ttst_image_job *j)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	j->state = ttst_real_pthread_create(&j->th, NULL, job_main, j) ? 0 : 1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void ttst_image_recs_free(struct ttst_image_recs *r)
{
	if (r->map)
		munmap(r->map, r->len);
	*r = (struct ttst_image_recs){NULL, 0, NULL};
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
