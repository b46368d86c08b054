/* xfer_clean.c -- frees the re-initialisation's heap/mmap objects that nothing references after the transfer. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "alloc.h"
#include "registry.h"
#include "ttst/interface.h"
#include "xfer_int.h"

#define MAX_DEPTH 64

struct xf_cand {
	uint64_t addr, size;
	const struct ttst_tu_hdr *tu;
	uint32_t type;
	uint8_t kind, marked;
};

struct xf_cands {
	struct xf_cand *v;
	size_t n, cap;
	uint32_t *stack; /* marked, not yet scanned */
	size_t nstack;
};

static int snap(const struct ttst_obj *o, void *arg)
{
	struct xf_cands *c = arg;
	if ((o->kind != TTST_OBJ_HEAP && o->kind != TTST_OBJ_MMAP) || !o->index)
		return 0; /* only objects of instrumented sites: libraries keep theirs */
	if (TTST_GROW(c->v, c->n, c->cap, 256) < 0)
		return -1;
	c->v[c->n++] = (struct xf_cand){o->addr, o->size, o->tu, o->type, o->kind, 0};
	return 0;
}

static int cmp_cand(const void *a, const void *b)
{
	uint64_t x = ((const struct xf_cand *)a)->addr, y = ((const struct xf_cand *)b)->addr;
	return x < y ? -1 : x > y;
}

struct xf_cands *xf_clean_snapshot(void)
{
	struct xf_cands *c = xf_calloc(1, sizeof *c);
	if (!c)
		return NULL;
	if (ttst_registry_foreach(snap, c) < 0) {
		xf_clean_free(c);
		return NULL;
	}
	qsort(c->v, c->n, sizeof *c->v, cmp_cand);
	c->stack = xf_alloc((c->n ? c->n : 1) * sizeof *c->stack);
	if (!c->stack) {
		xf_clean_free(c);
		return NULL;
	}
	return c;
}

void xf_clean_free(struct xf_cands *c)
{
	if (!c)
		return;
	xf_free(c->v);
	xf_free(c->stack);
	xf_free(c);
}

/* Marks the candidate v points into (base, interior or past-the-end). */
static void mark(struct xf_cands *c, uint64_t v)
{
	if (!c->n || v < c->v[0].addr)
		return;
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->v[mid].addr <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	struct xf_cand *k = &c->v[lo - 1];
	if (!k->marked && v - k->addr <= k->size) {
		k->marked = 1;
		c->stack[c->nstack++] = (uint32_t)(k - c->v);
	}
}

static void scan_words(struct xf_cands *c, uint64_t a, uint64_t n)
{
	for (uint64_t off = (8 - a % 8) % 8; off + 8 <= n; off += 8) {
		uint64_t v;
		memcpy(&v, (const void *)(uintptr_t)(a + off), 8);
		mark(c, v);
	}
}

/* Marks what a value of type t at address a points to. */
static void scan_typed(struct xf_cands *c, const struct ttst_tu_hdr *tu, uint32_t t, uint64_t a,
		       int depth)
{
	const struct ttst_type_rec *r = ttst_meta_type(tu, t);
	uint64_t v;
	if (!r || depth > MAX_DEPTH)
		return;
	switch (r->kind) {
	case TTST_K_POINTER:
		memcpy(&v, (const void *)(uintptr_t)a, 8);
		mark(c, v);
		return;
	case TTST_K_UNION:
		scan_words(c, a, r->size);
		return;
	case TTST_K_ARRAY: {
		const struct ttst_type_rec *e = ttst_meta_type(tu, r->ref);
		if (!e || !e->size || !ttst_rule_has_ptr((struct ttst_tref){tu, r->ref}))
			return;
		for (uint32_t i = 0; i < r->count; i++)
			scan_typed(c, tu, r->ref, a + i * e->size, depth + 1);
		return;
	}
	case TTST_K_STRUCT: {
		const struct ttst_member_rec *m = ttst_meta_members(tu) + r->ref;
		for (uint32_t i = 0; i < r->count; i++) {
			if (m[i].flags & (TTST_MF_IXFER | TTST_MF_BITFIELD))
				continue;
			if (m[i].flags & TTST_MF_PXFER) {
				memcpy(&v, (const void *)(uintptr_t)(a + m[i].offset), 8);
				mark(c, v);
			} else {
				scan_typed(c, tu, m[i].type, a + m[i].offset, depth + 1);
			}
		}
		return;
	}
	default:
		return;
	}
}

/* Marks from a heap object: its whole typed elements, then every word of
 * the rest (untyped objects, flexible array tails). */
static void scan_obj(struct xf_cands *c, const struct ttst_tu_hdr *tu, uint32_t type, uint64_t a,
		     uint64_t size)
{
	const struct ttst_type_rec *r = tu ? ttst_meta_type(tu, type) : NULL;
	uint64_t off = 0;
	if (r && r->size)
		for (; off + r->size <= size; off += r->size)
			scan_typed(c, tu, type, a + off, 0);
	if (off < size)
		scan_words(c, a + off, size - off);
}

/* Marks from a static or local.  The registry walk visits statics and locals
 * before the heap (registry.c): the first heap block ends it (returns 1). */
static int scan_root(const struct ttst_obj *o, void *arg)
{
	struct xf_cands *c = arg;
	if (o->kind == TTST_OBJ_HEAP || o->kind == TTST_OBJ_MMAP)
		return 1;
	if (o->kind == TTST_OBJ_STATIC || o->kind == TTST_OBJ_LOCAL) {
		const struct ttst_static_rec *s = ttst_meta_statics(o->tu) + o->index;
		if (s->flags & TTST_SF_STRING)
			return 0;
		if (s->flags & TTST_SF_PXFER) {
			uint64_t v;
			memcpy(&v, (const void *)o->addr, 8);
			mark(c, v);
		} else if (!(s->flags & TTST_SF_IXFER)) {
			scan_typed(c, o->tu, o->type, o->addr, 0);
		}
	}
	return 0;
}

int xf_clean_run(struct xf *x, struct xf_cands *c)
{
	if (!c || !c->n)
		return 0;
	ttst_registry_foreach(scan_root, c); /* 1: stopped at the heap */
	for (size_t i = 0; i < x->src->nobjs; i++) {
		const struct xf_obj *o = &x->o[i];
		uint8_t kind = x->src->objs[i].kind;
		if (x->dirty && o->state == XS_DONE && o->naddr &&
		    (kind == TTST_OBJ_HEAP || kind == TTST_OBJ_MMAP))
			scan_words(c, o->naddr, xf_nsize(x, i));
	}
	while (c->nstack) {
		const struct xf_cand *k = &c->v[c->stack[--c->nstack]];
		scan_obj(c, k->tu, k->type, k->addr, k->size);
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct xf_cand *k = &c->v[i];
		if (k->marked)
			continue;
		if (k->kind == TTST_OBJ_MMAP)
			__ttst_munmap((void *)(uintptr_t)k->addr, k->size, NULL, 0);
		else
			ttst_free_block((void *)(uintptr_t)k->addr);
		x->rep->freed++;
	}
	return 0;
}
