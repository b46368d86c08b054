/* update_image.c -- v1's state image for v2: TU blobs and the object list, in a memfd. */
#define _GNU_SOURCE
#include "update_image.h"

#include <errno.h>
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

/* The image under construction.  Heap records go straight into the memfd's
 * object area from index hbase on (usually already sorted: no copy); the few
 * others (statics, functions, locals, mmap regions) into `small`, and are
 * placed around the heap records at the end. */
struct build {
	struct tu_info *tus;   /* by base (the table's order) */
	struct tu_info *byptr; /* the same, sorted by blob address */
	size_t ntus;
	uint32_t *ordinals; /* per global site number */
	uint32_t *site_tu;  /* per global site number: index in tus, UINT32_MAX if none */
	uint32_t maxsite;   /* ordinals and site_tu have maxsite + 1 entries */
	int fd;		    /* the memfd */
	char *img;	    /* its shared mapping, map_size bytes */
	size_t map_size;
	size_t off_area; /* byte offset of the object area (record 0) */
	size_t cap;	 /* records the area holds */
	size_t hbase;	 /* index of the first heap record */
	size_t nheap;
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

static struct ttst_image_obj *area(struct build *b)
{
	return (struct ttst_image_obj *)(b->img + b->off_area);
}

/* Makes the object area hold at least n records (grows the memfd and its
 * mapping; pointers into the area are invalid afterwards).  Returns 0 or -1. */
static int reserve(struct build *b, size_t n)
{
	if (n <= b->cap)
		return 0;
	size_t ncap = b->cap * 2 > n ? b->cap * 2 : n;
	size_t size = b->off_area + ncap * sizeof(struct ttst_image_obj);
	if (ftruncate(b->fd, (off_t)size) < 0)
		return -1;
	void *p = b->img ? mremap(b->img, b->map_size, size, MREMAP_MAYMOVE)
			 : mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, b->fd, 0);
	if (p == MAP_FAILED)
		return -1;
	b->img = p;
	b->map_size = size;
	b->cap = ncap;
	return 0;
}

/* Appends a non-heap record; returns it or NULL. */
static struct ttst_image_obj *small_add(struct build *b)
{
	if (b->nsmall == b->small_cap) {
		size_t ncap = b->small_cap ? b->small_cap * 2 : 1024;
		struct ttst_image_obj *n = __libc_realloc(b->small, ncap * sizeof *n);
		if (!n)
			return NULL;
		b->small = n;
		b->small_cap = ncap;
	}
	return &b->small[b->nsmall++];
}

static int add_obj(const struct ttst_obj *o, void *arg)
{
	struct build *b = arg;
	struct ttst_image_obj *r;
	if (o->kind == TTST_OBJ_HEAP) {
		if (reserve(b, b->hbase + b->nheap + 1) < 0)
			return -1;
		r = &area(b)[b->hbase + b->nheap++];
	} else if (!(r = small_add(b)))
		return -1;
	*r = (struct ttst_image_obj){.addr = o->addr, .size = o->size, .kind = o->kind};
	r->typed = o->type != TTST_NO_TYPE;
	if (o->kind == TTST_OBJ_HEAP || o->kind == TTST_OBJ_MMAP) {
		uint32_t s = o->index;
		uint32_t ti = s <= b->maxsite ? b->site_tu[s] : UINT32_MAX;
		r->tu = ti;
		r->index = ti != UINT32_MAX ? s - b->tus[ti].base : 0;
		r->ordinal = b->ordinals[ti != UINT32_MAX ? s : 0]++;
	} else {
		r->tu = tu_index(b, o->tu);
		r->index = o->index;
	}
	return 0;
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

/* Sorts a nearly sorted a (a few records out of place, the usual heap):
 * keeps an ascending subsequence in place and moves each record that breaks
 * it, with the one before it, to b; sorts those and merges them back from
 * the end.  Returns 0, or -1 (a unchanged as a set) when more than about an
 * eighth of the records would move. */
static int sort_nearly(struct ttst_image_obj *a, struct ttst_image_obj *b, size_t n)
{
	size_t limit = n / 8 + 16 < n / 2 ? n / 8 + 16 : n / 2, w = 0, ns = 0, i;
	for (i = 0; i < n; i++) {
		if (!w || a[i].addr >= a[w - 1].addr) {
			a[w++] = a[i];
			continue;
		}
		if (ns + 2 > limit)
			break;
		b[ns++] = a[--w];
		b[ns++] = a[i];
	}
	if (i < n) { /* too disordered: put the moved records back, unsorted */
		memcpy(a + w, b, ns * sizeof *a);
		return -1;
	}
	struct ttst_image_obj *side = radix_sort(b, b + ns, ns, varying_bits(b, ns));
	size_t k = n;
	while (ns) /* backward merge: writes never pass the kept records still to read */
		a[--k] = w && a[w - 1].addr > side[ns - 1].addr ? a[--w] : side[--ns];
	return 0;
}

struct ttst_image_obj *ttst_image_sort(struct ttst_image_obj *a, struct ttst_image_obj *b, size_t n)
{
	size_t i = 1;
	while (i < n && a[i - 1].addr <= a[i].addr)
		i++;
	if (i >= n || sort_nearly(a, b, n) == 0)
		return a;
	return radix_sort(a, b, n, varying_bits(a, n));
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

/* Writes the header's fixed part, the TU table and the blobs; sets
 * off_area.  Returns 0 or -1. */
static int write_tus(struct build *b, size_t first_cap)
{
	size_t pos = align8(sizeof(struct ttst_image_hdr) + b->ntus * sizeof(struct ttst_image_tu));
	for (size_t i = 0; i < b->ntus; i++)
		pos += align8(b->tus[i].tu->total_size);
	b->off_area = pos;
	if (reserve(b, first_cap) < 0)
		return -1;
	struct ttst_image_tu *t = (struct ttst_image_tu *)(b->img + sizeof(struct ttst_image_hdr));
	pos = align8(sizeof(struct ttst_image_hdr) + b->ntus * sizeof *t);
	for (size_t i = 0; i < b->ntus; i++) {
		const struct ttst_tu_hdr *tu = b->tus[i].tu;
		t[i] = (struct ttst_image_tu){pos, tu->total_size, (uint64_t)(uintptr_t)tu};
		memcpy(b->img + pos, tu, tu->total_size);
		pos += align8(tu->total_size);
	}
	return 0;
}

/* Merges the sorted runs a (na) and c (nc) into out. */
static void merge(struct ttst_image_obj *out, const struct ttst_image_obj *a, size_t na,
		  const struct ttst_image_obj *c, size_t nc)
{
	size_t i = 0, j = 0;
	while (i < na && j < nc)
		*out++ = c[j].addr < a[i].addr ? c[j++] : a[i++];
	memcpy(out, a + i, (na - i) * sizeof *out);
	memcpy(out + (na - i), c + j, (nc - j) * sizeof *out);
}

/* Sorts everything into one run; returns the index of its first record in
 * the area, or -1.  Heap records that were already sorted and lie between
 * the other objects (the usual case) are not moved. */
static long arrange(struct build *b)
{
	size_t nh = b->nheap, ns = b->nsmall, lo = 0;
	struct ttst_image_obj *scratch = NULL, *h = area(b) + b->hbase;
	size_t sbytes = nh * sizeof *h;
	qsort(b->small, ns, sizeof *b->small, cmp_addr);
	size_t k = 1;
	while (k < nh && h[k - 1].addr <= h[k].addr)
		k++;
	if (k < nh) { /* not sorted yet */
		scratch =
		    mmap(NULL, sbytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (scratch == MAP_FAILED)
			return -1;
		if (ttst_image_sort(h, scratch, nh) == scratch)
			memcpy(h, scratch, sbytes);
	}
	while (lo < ns && nh && b->small[lo].addr < h[0].addr)
		lo++;
	long start;
	if (!nh || ((lo == ns || b->small[lo].addr > h[nh - 1].addr) && lo <= b->hbase)) {
		if (reserve(b, b->hbase + nh + ns - lo) < 0)
			goto err;
		start = (long)(b->hbase - lo);
		memcpy(area(b) + start, b->small, lo * sizeof *b->small);
		memcpy(area(b) + b->hbase + nh, b->small + lo, (ns - lo) * sizeof *b->small);
	} else { /* heap and other objects interleave: merge */
		if (!scratch)
			scratch = mmap(NULL, sbytes, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (scratch == MAP_FAILED || reserve(b, ns + nh) < 0)
			goto err;
		memcpy(scratch, area(b) + b->hbase, sbytes);
		merge(area(b), b->small, ns, scratch, nh);
		start = 0;
	}
	if (scratch)
		munmap(scratch, sbytes);
	return start;
err:
	if (scratch && scratch != MAP_FAILED)
		munmap(scratch, sbytes);
	return -1;
}

/* Collects the TU table, then every object into the image.  Returns 0 or -1. */
static int collect(struct build *b)
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
	/* room for every heap block up front: one populated mapping, no faults */
	if (write_tus(b, b->hbase + nregions + ttst_slot_used() + 1024) < 0)
		return -1;
	return ttst_registry_foreach(add_obj, b) < 0 ? -1 : 0;
}

int ttst_image_build(uint64_t *size, uint64_t *nobjs, char *err, size_t n)
{
	struct build b;
	memset(&b, 0, sizeof b);
	long start = -1;
	b.fd = memfd_create("ttst-state", MFD_CLOEXEC);
	if (b.fd < 0 || collect(&b) < 0 || (start = arrange(&b)) < 0) {
		snprintf(err, n, "cannot build the state image (%zu objects so far): %s",
			 b.nheap + b.nsmall, strerror(errno ? errno : ENOMEM));
		goto out;
	}
	size_t count = b.nheap + b.nsmall;
	size_t off_objs = b.off_area + (size_t)start * sizeof(struct ttst_image_obj);
	size_t total = off_objs + count * sizeof(struct ttst_image_obj);
	*(struct ttst_image_hdr *)b.img = (struct ttst_image_hdr){TTST_IMAGE_MAGIC,
								  TTST_IMAGE_VERSION,
								  total,
								  (int32_t)getpid(),
								  (uint32_t)b.ntus,
								  sizeof(struct ttst_image_hdr),
								  count,
								  off_objs};
	if (ftruncate(b.fd, (off_t)total) < 0) {
		snprintf(err, n, "cannot size the state image: %s", strerror(errno));
		start = -1;
		goto out;
	}
	*size = total;
	*nobjs = count;
out:
	if (b.img)
		munmap(b.img, b.map_size);
	if (start < 0 && b.fd >= 0) {
		close(b.fd);
		b.fd = -1;
	}
	__libc_free(b.tus);
	__libc_free(b.byptr);
	__libc_free(b.ordinals);
	__libc_free(b.site_tu);
	__libc_free(b.small);
	return b.fd;
}

/* Builds j's image, timing it. */
static void build_job(struct ttst_image_job *j)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	j->fd = ttst_image_build(&j->size, &j->nobjs, j->err, sizeof j->err);
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

int ttst_image_wait(struct ttst_image_job *j)
{
	if (j->state == 1)
		pthread_join(j->th, NULL);
	else
		build_job(j);
	j->state = 0;
	return j->fd;
}
