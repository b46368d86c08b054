/* xfer_index.c -- engine basics: memory, messages, string maps, and the source-object address index. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "xfer_int.h"

#define PAGE_SHIFT 12

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
 * src->objs is sorted by address.  start[] repeats the addresses densely;
 * the page hash maps a page to the first object starting in it, so a
 * lookup is one hash probe plus a binary search among the objects of one
 * page (a full binary search when no object starts in the page, i.e. the
 * address is inside a large object or outside every object). */

static size_t phash(uint64_t page, size_t cap)
{
	return (size_t)((page * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
}

int xf_index_build(struct xf *x)
{
	struct xf_index *ix = &x->ix;
	size_t n = x->src->nobjs;
	ix->start = xf_alloc(n * sizeof *ix->start);
	size_t pages = 0;
	for (size_t i = 0; i < n; i++)
		pages += i == 0 || (x->src->objs[i].addr >> PAGE_SHIFT) !=
					   (x->src->objs[i - 1].addr >> PAGE_SHIFT);
	ix->pcap = 64;
	while (ix->pcap < pages * 2)
		ix->pcap <<= 1;
	ix->pkeys = xf_calloc(ix->pcap, sizeof *ix->pkeys);
	ix->pvals = xf_alloc(ix->pcap * sizeof *ix->pvals);
	if (!ix->start || !ix->pkeys || !ix->pvals)
		return xf_fail(x, "out of memory indexing %zu objects of the old version", n);
	uint64_t last = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t a = x->src->objs[i].addr, pg = a >> PAGE_SHIFT;
		ix->start[i] = a;
		if (i && a < ix->start[i - 1])
			return xf_fail(x, "the old version's object list is not sorted by address "
					  "(object %zu)",
				       i);
		if (pg == last || pg == 0)
			continue;
		last = pg;
		size_t h = phash(pg, ix->pcap);
		while (ix->pkeys[h])
			h = (h + 1) & (ix->pcap - 1);
		ix->pkeys[h] = pg;
		ix->pvals[h] = (uint32_t)i;
	}
	return 0;
}

void xf_index_free(struct xf_index *ix)
{
	xf_free(ix->start);
	xf_free(ix->pkeys);
	xf_free(ix->pvals);
	memset(ix, 0, sizeof *ix);
}

/* Index of the first object starting in page pg, or -1. */
static long page_first(const struct xf_index *ix, uint64_t pg)
{
	size_t h = phash(pg, ix->pcap);
	while (ix->pkeys[h]) {
		if (ix->pkeys[h] == pg)
			return ix->pvals[h];
		h = (h + 1) & (ix->pcap - 1);
	}
	return -1;
}

/* Last index in [lo, hi) whose start <= a, or lo - 1. */
static long last_le(const uint64_t *s, long lo, long hi, uint64_t a)
{
	while (lo < hi) {
		long mid = lo + (hi - lo) / 2;
		if (s[mid] <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

int xf_index_find(const struct xf *x, uint64_t a, size_t *i, uint64_t *off)
{
	const struct xf_index *ix = &x->ix;
	long n = (long)x->src->nobjs, k;
	if (!n || a < ix->start[0])
		return -1;
	long lo = page_first(ix, a >> PAGE_SHIFT);
	if (lo >= 0 && ix->start[lo] <= a) {
		long step = 1, prev = lo; /* gallop forward within the page */
		while (prev + step < n && ix->start[prev + step] <= a) {
			prev += step;
			step *= 2;
		}
		long hi = prev + step < n ? prev + step : n;
		k = last_le(ix->start, prev, hi, a);
	} else if (lo > 0) {
		k = lo - 1; /* every object of a's page starts after a */
	} else {
		k = last_le(ix->start, 0, n, a);
	}
	if (k < 0)
		return -1;
	const struct ttst_src_obj *o = &x->src->objs[k];
	uint64_t sz = o->size ? o->size : 1;
	if (a - o->addr < sz || (o->size && a - o->addr == o->size)) {
		*i = (size_t)k;
		*off = a - o->addr;
		return 0;
	}
	return -1;
}
