/* xfer_index.c -- engine basics: memory, messages, string maps, and the source-object address index. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "grow.h"
#include "alloc.h"
#include "threads.h"
#include "xfer_int.h"

void *xf_alloc(size_t n)
{
	return __libc_malloc(n ? n : 1);
}

void *xf_calloc(size_t n, size_t size)
{
	return __libc_calloc(n ? n : 1, size ? size : 1);
}

void *xf_realloc(void *p, size_t n)
{
	return __libc_realloc(p, n ? n : 1);
}

void xf_free(void *p)
{
	__libc_free(p);
}

#define PREP_MIN 20000u /* objects: fewer are not worth a thread */
#define BIG_HDR 64u /* keeps the mapping's length; the array stays 64-aligned */

/* --- the per-object records, prepared ahead -------------------------------
 * v1' waits for its source through the whole forward transfer (~250 ms at
 * 1M keys), then its run's per-object records (x->o: 64 MB at 2M objects)
 * cost a page fault per 4 KiB when first touched, on the update's critical
 * path (~1.3 us each here).  ttst_xfer_prepare maps them
 * ahead and a thread at SCHED_IDLE priority faults them in: it runs only on
 * a CPU that has nothing else to do, so it never slows the transfer the
 * other process is running.  Each page is touched by an atomic add of 0,
 * which leaves the word as it is even when the run has taken the memory and
 * writes it at the same time; the thread stops at the next page once taken
 * and is joined before the memory is unmapped. */
static struct {
	char *base;
	size_t len;
	int taken;	/* a run took base (the thread stops) */
	int thread;	/* th runs (or ran: not joined yet) */
	pthread_t th;
} prep;

static void *prep_main(void *arg)
{
	struct sched_param sp = {0};
	(void)arg;
	pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
	for (size_t off = 0; off < prep.len && !__atomic_load_n(&prep.taken, __ATOMIC_RELAXED);
	     off += 4096)
		__atomic_fetch_add((uint64_t *)(prep.base + off), 0, __ATOMIC_RELAXED);
	return NULL;
}

void ttst_xfer_prepare(uint64_t nobjs)
{
	if (prep.base || nobjs < PREP_MIN || nobjs > SIZE_MAX / 4 / sizeof(struct xf_obj))
		return;
	size_t len = ((size_t)(nobjs + nobjs / 8 + 4096) * sizeof(struct xf_obj) + BIG_HDR +
		      4095) & ~(size_t)4095;
	char *a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return;
	prep.base = a;
	prep.len = len;
	prep.thread = ttst_runtime_thread(&prep.th, prep_main, NULL) == 0;
}

/* Stops the preparing thread (it stops at its next page: a moment) and
 * waits for it. */
static void prep_join(void)
{
	__atomic_store_n(&prep.taken, 1, __ATOMIC_RELAXED);
	if (prep.thread)
		pthread_join(prep.th, NULL);
	prep.thread = 0;
}

void *xf_big_alloc(size_t n)
{
	size_t len = n + BIG_HDR;
	char *a = NULL;
	if (prep.base && !prep.taken) { /* the first big array of the run: x->o */
		__atomic_store_n(&prep.taken, 1, __ATOMIC_RELAXED);
		if (len <= prep.len) {
			a = prep.base;
			len = prep.len;
		} else { /* the estimate was short: not worth keeping */
			prep_join();
			munmap(prep.base, prep.len);
			prep.base = NULL;
		}
	}
	if (!a) {
		a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (a == MAP_FAILED)
			return NULL;
	}
	memcpy(a, &len, sizeof len);
	return a + BIG_HDR;
}

void *xf_big_detach(void *p, size_t *len)
{
	char *a = (char *)p - BIG_HDR;
	memcpy(len, a, sizeof *len);
	if (a == prep.base) { /* the prepared memory: its thread may still touch it */
		prep_join();
		prep.base = NULL;
	}
	return a;
}

void xf_big_free(void *p)
{
	if (!p)
		return;
	size_t len;
	void *a = xf_big_detach(p, &len);
	munmap(a, len);
}

char *xf_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = xf_alloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

int xf_fail(struct xf *x, const char *fmt, ...)
{
	if (x->rep->error[0])
		return -1; /* keep the first error */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->rep->error, sizeof x->rep->error, fmt, ap);
	va_end(ap);
	return -1;
}

int xf_err(struct xf *x, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->etail, sizeof x->etail, fmt, ap);
	va_end(ap);
	return -1;
}

void xf_err_prefix(struct xf *x, const char *s)
{
	size_t ls = strlen(s), lt = strlen(x->etail), cap = sizeof x->etail - 1;
	if (ls >= cap)
		ls = cap;
	if (ls + lt > cap)
		lt = cap - ls;
	memmove(x->etail + ls, x->etail, lt);
	memcpy(x->etail, s, ls);
	x->etail[ls + lt] = '\0';
}

const char *xf_obj_name(const struct xf *x, size_t i, char *buf, size_t n)
{
	const struct ttst_src_obj *o = &x->src->objs[i];
	const struct ttst_tu_hdr *tu = o->tu < x->src->ntus ? x->src->tus[o->tu] : NULL;
	if (!tu) {
		snprintf(buf, n, "heap block 0x%llx (%llu bytes, uninstrumented allocation)",
			 (unsigned long long)o->addr, (unsigned long long)o->size);
	} else if (o->kind == TTST_OBJ_HEAP || o->kind == TTST_OBJ_MMAP) {
		const char *id = o->index < tu->nsites
					 ? xf_site_id(x, tu, o->index)
					 : "?";
		snprintf(buf, n, "%s#%u", id, o->ordinal);
	} else {
		snprintf(buf, n, "%s",
			 o->index < tu->nstatics
				 ? xf_static_id(x, tu, o->index)
				 : "?");
	}
	return buf;
}

/* --- string map: open addressing, FNV-1a ------------------------------- */

static size_t shash(const char *s)
{
	return (size_t)ttst_fnv1a(TTST_FNV_OFFSET, s, strlen(s));
}

static int smap_grow(struct xf_smap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 256;
	const char **k = xf_calloc(ncap, sizeof *k);
	uint64_t *v = xf_calloc(ncap, sizeof *v);
	if (!k || !v) {
		xf_free(k);
		xf_free(v);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t h = shash(m->keys[i]) & (ncap - 1);
		while (k[h])
			h = (h + 1) & (ncap - 1);
		k[h] = m->keys[i];
		v[h] = m->vals[i];
	}
	xf_free(m->keys);
	xf_free(m->vals);
	m->keys = k;
	m->vals = v;
	m->cap = ncap;
	return 0;
}

int xf_smap_put(struct xf_smap *m, const char *key, uint64_t val)
{
	if ((m->n + 1) * 2 > m->cap && smap_grow(m) < 0)
		return -1;
	size_t h = shash(key) & (m->cap - 1);
	while (m->keys[h]) {
		if (!strcmp(m->keys[h], key)) {
			m->vals[h] = val;
			return 0;
		}
		h = (h + 1) & (m->cap - 1);
	}
	m->keys[h] = key;
	m->vals[h] = val;
	m->n++;
	return 0;
}

int xf_smap_get(const struct xf_smap *m, const char *key, uint64_t *val)
{
	if (!m->cap)
		return 0;
	size_t h = shash(key) & (m->cap - 1);
	while (m->keys[h]) {
		if (!strcmp(m->keys[h], key)) {
			*val = m->vals[h];
			return 1;
		}
		h = (h + 1) & (m->cap - 1);
	}
	return 0;
}

void xf_smap_free(struct xf_smap *m)
{
	xf_free(m->keys);
	xf_free(m->vals);
	memset(m, 0, sizeof *m);
}

/* --- address index -------------------------------------------------------
 * src->objs is sorted by address; x->o[] repeats addresses and sizes densely.
 * Objects closer than REGION_GAP form a region (large objects included whole);
 * a region's directory has about one granule per GRAN_OBJS objects. */

#define REGION_GAP (1ull << 20)
#define GRAN_OBJS 4
#define SCAN_MAX 8
#define NEAR 16 /* objects either side of the current one tried first */

/* Picks the granule size of a region spanning span bytes with n objects. */
static uint32_t gran_shift(uint64_t span, size_t n)
{
	uint32_t s = 4;
	while (s < 40 && (span >> s) > n / GRAN_OBJS + 1)
		s++;
	return s;
}

/* Splits the sorted objects into regions (ix->reg); returns 0 or -1. */
static int make_regions(struct xf *x)
{
	struct xf_index *ix = &x->ix;
	const struct ttst_src_obj *o = x->src->objs;
	size_t n = x->src->nobjs, cap = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t end = o[i].addr + o[i].size + 1; /* past-the-end included */
		struct xf_region *r = ix->nreg ? &ix->reg[ix->nreg - 1] : NULL;
		if (r && o[i].addr <= r->hi + REGION_GAP) {
			if (end > r->hi)
				r->hi = end;
			continue;
		}
		if (TTST_GROW(ix->reg, ix->nreg, cap, 16) < 0)
			return -1;
		ix->reg[ix->nreg++] = (struct xf_region){o[i].addr, end, (uint32_t)i, 0, 0, 0};
	}
	return 0;
}

/* Fills region r's granules: the last object starting at or before each. */
static void fill_dir(struct xf *x, const struct xf_region *r, size_t end)
{
	uint32_t *d = x->ix.dir + r->dir;
	size_t k = r->first;
	for (size_t g = 0; g < r->ngran; g++) {
		uint64_t gs = r->lo + ((uint64_t)g << r->shift);
		while (k + 1 < end && x->o[k + 1].addr <= gs)
			k++;
		d[g] = (uint32_t)k;
	}
}

/* Copies the addresses and sizes of source objects [lo, hi) into x->o. */
static int copy_range(struct xf *x, void *ctx, size_t lo, size_t hi)
{
	const struct ttst_src_obj *so = x->src->objs;
	(void)ctx;
	for (size_t i = lo; i < hi; i++) {
		x->o[i].addr = so[i].addr;
		x->o[i].size = so[i].size < XF_SIZE_BIG ? (uint32_t)so[i].size : XF_SIZE_BIG;
		if (i && so[i].addr < so[i - 1].addr)
			return xf_fail(x, "the old version's object list is not sorted by address "
					  "(object %zu)",
				       i);
	}
	return 0;
}

int xf_index_build(struct xf *x)
{
	struct xf_index *ix = &x->ix;
	size_t n = x->src->nobjs;
	if (n >= UINT32_MAX)
		return xf_fail(x, "too many objects in the old version (%zu)", n);
	if (make_regions(x) < 0)
		return xf_fail(x, "out of memory indexing %zu objects of the old version", n);
	if (xf_par_run(x, NULL, n, copy_range, NULL) < 0)
		return -1;
	size_t total = 0;
	for (size_t k = 0; k < ix->nreg; k++) {
		struct xf_region *r = &ix->reg[k];
		size_t objs = (k + 1 < ix->nreg ? ix->reg[k + 1].first : n) - r->first;
		r->shift = gran_shift(r->hi - r->lo, objs);
		r->ngran = (size_t)((r->hi - r->lo - 1) >> r->shift) + 1;
		r->dir = total;
		total += r->ngran;
	}
	xf_room_hold(x, 1);
	ix->dir = xf_big_alloc((total ? total : 1) * sizeof *ix->dir);
	xf_room_hold(x, 0);
	if (!ix->dir)
		return xf_fail(x, "out of memory indexing %zu objects of the old version", n);
	for (size_t k = 0; k < ix->nreg; k++)
		fill_dir(x, &ix->reg[k], k + 1 < ix->nreg ? ix->reg[k + 1].first : n);
	return 0;
}

void xf_index_free(struct xf_index *ix)
{
	xf_free(ix->reg);
	xf_big_free(ix->dir);
	memset(ix, 0, sizeof *ix);
}

/* The region holding a, or NULL. */
static const struct xf_region *region_of(const struct xf_index *ix, uint64_t a)
{
	size_t lo = 0, hi = ix->nreg;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->reg[mid].hi <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->nreg && ix->reg[lo].lo <= a ? &ix->reg[lo] : NULL;
}

/* Last index in [lo, hi) whose start <= a, or lo - 1. */
static long last_le(const struct xf_obj *e, long lo, long hi, uint64_t a)
{
	while (lo < hi) {
		long mid = lo + (hi - lo) / 2;
		if (e[mid].addr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

/* Whether a lies among the neighbours of the object being transferred
 * (x->cur): linked structures mostly point there.  Sets *k. */
static int near_cur(const struct xf *x, uint64_t a, long *k)
{
	const struct xf_obj *e = x->o;
	size_t n = x->src->nobjs, c = x->cur;
	if (c >= n)
		return 0;
	size_t lo = c > NEAR ? c - NEAR : 0, hi = c + NEAR < n ? c + NEAR : n - 1;
	if (a < e[lo].addr || a >= e[hi].addr)
		return 0;
	*k = last_le(e, (long)lo, (long)hi, a);
	return 1;
}

int xf_index_find(const struct xf *x, uint64_t a, size_t *i, uint64_t *off)
{
	const struct xf_index *ix = &x->ix;
	long k;
	if (!near_cur(x, a, &k)) {
		const struct xf_region *r = region_of(ix, a);
		if (!r)
			return -1;
		size_t end = r + 1 < ix->reg + ix->nreg ? r[1].first : x->src->nobjs;
		size_t g = (size_t)((a - r->lo) >> r->shift);
		int steps = 0;
		k = ix->dir[r->dir + g];
		while ((size_t)k + 1 < end && x->o[k + 1].addr <= a) {
			if (++steps == SCAN_MAX) { /* a crowded granule: search the rest */
				long hi = g + 1 < r->ngran ? (long)ix->dir[r->dir + g + 1] + 1
							   : (long)end;
				k = last_le(x->o, k, hi, a);
				break;
			}
			k++;
		}
	}
	if (!xf_index_holds(x, (size_t)k, a, off))
		return -1;
	*i = (size_t)k;
	return 0;
}

int xf_index_holds(const struct xf *x, size_t k, uint64_t a, uint64_t *off)
{
	const struct xf_obj *o = &x->o[k];
	uint64_t size = o->size != XF_SIZE_BIG ? o->size : x->src->objs[k].size;
	*off = a - o->addr;
	return *off < (size ? size : 1) || (size && *off == size);
}

void xf_index_prefetch1(const struct xf *x, uint64_t a)
{
	const struct xf_region *r = region_of(&x->ix, a);
	if (r)
		__builtin_prefetch(&x->ix.dir[r->dir + ((a - r->lo) >> r->shift)]);
}

void xf_index_prefetch2(const struct xf *x, uint64_t a)
{
	const struct xf_region *r = region_of(&x->ix, a);
	if (!r)
		return;
	uint32_t k = x->ix.dir[r->dir + ((a - r->lo) >> r->shift)];
	__builtin_prefetch(&x->o[k]);
	__builtin_prefetch(&x->o[k + 2]); /* the answer may be a neighbour */
}
