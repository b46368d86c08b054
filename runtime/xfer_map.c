/* xfer_map.c -- maps every source object to its counterpart here (by state ID / site ID) and allocates it. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "grow.h"
#include "alloc.h"
#include "registry.h"
#include "sites.h"
#include "ttst/interface.h"
#include "xfer_int.h"

#define STR_KEY_LEN 21 /* ".str#" + 16 hex digits */

struct key_blk {
	struct key_blk *next;
	char s[];
};

/* A copy of s owned by x (freed with the maps). */
static const char *key_dup(struct xf *x, const char *s, size_t n)
{
	struct key_blk *b = xf_alloc(sizeof *b + n + 1);
	if (!b)
		return NULL;
	memcpy(b->s, s, n);
	b->s[n] = '\0';
	b->next = x->keys;
	x->keys = b;
	return b->s;
}

/* The content key of a string literal's state ID, or NULL. */
static const char *str_key(const char *id)
{
	const char *p = strstr(id, ".str#");
	return p && strlen(p) >= STR_KEY_LEN ? p : NULL;
}

static int add_here(struct xf *x, const struct ttst_tu_hdr *tu, uint32_t index, uint64_t addr)
{
	if (TTST_GROW(x->here, x->nhere, x->caphere, 256) < 0)
		return -1;
	x->here[x->nhere++] = (struct xf_here){tu, index, addr};
	return 0;
}

/* Statics, functions, string literals and sites of one blob of this process. */
static int here_tu(struct xf *x, const struct ttst_tu_hdr *tu, size_t ti)
{
	const struct ttst_static_rec *s = ttst_meta_statics(tu);
	void *const *addrs = ttst_meta_addrs(tu);
	for (uint32_t i = 0; i < tu->nstatics; i++) {
		if (s[i].kind == TTST_S_LOCAL || !addrs[i] || (s[i].flags & TTST_SF_TLS))
			continue;
		const char *id = xf_static_id(x, tu, i), *k;
		if (add_here(x, tu, i, (uint64_t)(uintptr_t)addrs[i]) < 0 ||
		    xf_smap_put(&x->ids, id, x->nhere - 1) < 0)
			return -1;
		if ((s[i].flags & TTST_SF_STRING) && (k = str_key(id))) {
			const char *key = key_dup(x, k, STR_KEY_LEN);
			if (!key || xf_smap_put(&x->strs, key, x->nhere - 1) < 0)
				return -1;
		}
		if (s[i].kind == TTST_S_FUNCTION) {
			const char *nm = ttst_meta_str(tu, s[i].name);
			uint64_t old;
			int dup = xf_smap_get(&x->fnames, nm, &old) && old != x->nhere - 1;
			if (xf_smap_put(&x->fnames, nm, dup ? UINT64_MAX : x->nhere - 1) < 0)
				return -1;
		}
	}
	const struct ttst_site_rec *st = ttst_meta_sites(tu);
	for (uint32_t k = 0; k < tu->nsites; k++)
		if (!(st[k].flags & TTST_XF_FREE) &&
		    xf_smap_put(&x->sites, xf_site_id(x, tu, k), (uint64_t)ti << 32 | k) < 0)
			return -1;
	return 0;
}

static int collect_local(const struct ttst_obj *o, void *arg)
{
	struct xf *x = arg;
	if (o->kind != TTST_OBJ_LOCAL || !o->tu)
		return 0;
	return add_here(x, o->tu, o->index, o->addr);
}

static int cmp_here_addr(const void *a, const void *b)
{
	uint64_t x = ((const struct xf_here *)a)->addr, y = ((const struct xf_here *)b)->addr;
	return x < y ? -1 : x > y;
}

/* Key "k:id" of the k-th activation (by address) of local id. */
static const char *local_key(struct xf *x, struct xf_smap *count, const char *id)
{
	uint64_t k = 0;
	xf_smap_get(count, id, &k);
	if (xf_smap_put(count, id, k + 1) < 0)
		return NULL;
	char buf[512];
	int n = snprintf(buf, sizeof buf, "%llu:%s", (unsigned long long)k, id);
	return n > 0 && (size_t)n < sizeof buf ? key_dup(x, buf, (size_t)n) : NULL;
}

int xf_here_build(struct xf *x)
{
	struct xf_smap count = {0};
	for (size_t i = 0; i < x->ntus; i++) /* x->tus: collected by xf_ids_init */
		if (here_tu(x, x->tus[i], i) < 0)
			goto oom;
	size_t first = x->nhere;
	if (ttst_registry_foreach(collect_local, x) < 0)
		goto oom;
	qsort(x->here + first, x->nhere - first, sizeof *x->here, cmp_here_addr);
	for (size_t i = first; i < x->nhere; i++) {
		const struct xf_here *h = &x->here[i];
		const char *id = xf_static_id(x, h->tu, h->index);
		const char *key = local_key(x, &count, id);
		if (!key || xf_smap_put(&x->locals, key, i) < 0)
			goto oom;
	}
	xf_smap_free(&count);
	return 0;
oom:
	xf_smap_free(&count);
	return xf_fail(x, "out of memory indexing this version's statics and sites");
}

void xf_here_free(struct xf *x)
{
	xf_smap_free(&x->ids);
	xf_smap_free(&x->fnames);
	xf_smap_free(&x->strs);
	xf_smap_free(&x->locals);
	xf_smap_free(&x->sites);
	for (struct key_blk *b = x->keys, *n; b; b = n) {
		n = b->next;
		xf_free(b);
	}
	x->keys = NULL;
	xf_free(x->here);
	xf_free(x->tus);
	x->here = NULL;
	x->tus = NULL;
}

#define SHAPE_REUSE 64 /* recent shapes an equal one may reuse */

uint32_t xf_shape_add(struct xf *x, const struct xf_shape *sh)
{
	/* the most recent ones (statics and sites repeat them); sharing is only a
	 * saving, so the search stays bounded however many shapes there are */
	for (size_t k = x->nshapes; k-- > 0 && x->nshapes - k <= SHAPE_REUSE;)
		if (!memcmp(&x->shapes[k], sh, sizeof *sh))
			return (uint32_t)k;
	if (TTST_GROW(x->shapes, x->nshapes, x->capshapes, 64) < 0)
		return XF_NONE;
	x->shapes[x->nshapes] = *sh;
	return (uint32_t)x->nshapes++;
}

static int push_xfer(struct xf *x, size_t i)
{
	x->xfer[x->nxfer++] = (uint32_t)i;
	x->o[i].state = XS_XFER;
	return 0;
}

/* A static or local: one element of its type, transferred into h. */
static int map_var(struct xf *x, size_t i, const struct ttst_static_rec *r, const struct xf_here *h)
{
	const struct ttst_src_obj *so = &x->src->objs[i];
	const struct ttst_static_rec *hr = ttst_meta_statics(h->tu) + h->index;
	struct xf_obj *o = &x->o[i];
	char nm[256];
	if (hr->kind == TTST_S_FUNCTION) {
		o->state = XS_DROPPED;
		return 0;
	}
	struct xf_plan *p = xf_plan_get(x, (struct ttst_tref){x->src->tus[so->tu], r->type},
					ttst_rule_sflags(r->flags), (struct ttst_tref){h->tu, hr->type},
					ttst_rule_sflags(hr->flags));
	struct xf_shape sh = {p, NULL, 0, 0, 1};
	if (!p || (o->shape = xf_shape_add(x, &sh)) == XF_NONE)
		return xf_fail(x, "out of memory planning the transfer of %s",
			       xf_obj_name(x, i, nm, sizeof nm));
	o->naddr = h->addr;
	xf_set_nsize(o, p->dsize);
	o->mode = XM_TYPED;
	if ((r->flags | hr->flags) & TTST_SF_CONST) {
		o->state = XS_TARGET; /* read-only: the new version's value stands */
		return 0;
	}
	if (p->refused)
		return xf_fail(x, "%s%s", xf_obj_name(x, i, nm, sizeof nm), p->error);
	if (x->cbid)
		x->cbid[i] = xf_ann_obj_cb(xf_static_id(x, h->tu, h->index));
	return push_xfer(x, i);
}

static int map_static(struct xf *x, size_t i)
{
	const struct ttst_src_obj *so = &x->src->objs[i];
	const struct ttst_tu_hdr *tu = x->src->tus[so->tu];
	const struct ttst_static_rec *r = ttst_meta_statics(tu) + so->index;
	const char *id = xf_static_id(x, tu, so->index), *k;
	struct xf_obj *o = &x->o[i];
	uint64_t h;
	if (r->flags & TTST_SF_TLS)
		return 0; /* XS_SKIP */
	if ((r->flags & TTST_SF_STRING) && (k = str_key(id))) {
		char key[STR_KEY_LEN + 1];
		memcpy(key, k, STR_KEY_LEN);
		key[STR_KEY_LEN] = '\0';
		o->mode = XM_PLAIN;
		if (xf_smap_get(&x->strs, key, &h)) {
			o->naddr = x->here[h].addr;
			xf_set_nsize(o, so->size);
			o->state = XS_TARGET;
		} else {
			o->state = XS_LAZY; /* copied if something points to it */
		}
		return 0;
	}
	if (!xf_smap_get(&x->ids, xf_ann_rename(id), &h)) {
		o->state = XS_DROPPED;
		return 0;
	}
	return map_var(x, i, r, &x->here[h]);
}

static int map_function(struct xf *x, size_t i)
{
	const struct ttst_src_obj *so = &x->src->objs[i];
	const struct ttst_tu_hdr *tu = x->src->tus[so->tu];
	const struct ttst_static_rec *r = ttst_meta_statics(tu) + so->index;
	struct xf_obj *o = &x->o[i];
	uint64_t h;
	int found = xf_smap_get(&x->ids, xf_ann_rename(xf_static_id(x, tu, so->index)), &h) &&
		    ttst_meta_statics(x->here[h].tu)[x->here[h].index].kind == TTST_S_FUNCTION;
	if (!found)
		found = xf_smap_get(&x->fnames, ttst_meta_str(tu, r->name), &h) && h != UINT64_MAX;
	if (!found) {
		o->state = XS_DROPPED;
		return 0;
	}
	o->naddr = x->here[h].addr;
	o->nsize = 0;
	o->mode = XM_PLAIN;
	o->state = XS_TARGET;
	return 0;
}

static int map_local(struct xf *x, size_t i, struct xf_smap *count)
{
	const struct ttst_src_obj *so = &x->src->objs[i];
	const struct ttst_tu_hdr *tu = x->src->tus[so->tu];
	const struct ttst_static_rec *r = ttst_meta_statics(tu) + so->index;
	const char *id = xf_static_id(x, tu, so->index);
	uint64_t h;
	if (!strcmp(id, "main:argc") || !strcmp(id, "main:argv") || !strcmp(id, "main:envp"))
		return 0; /* XS_SKIP: the new version has its own arguments */
	const char *key = local_key(x, count, xf_ann_rename(id));
	if (!key)
		return xf_fail(x, "out of memory mapping locals");
	if (!xf_smap_get(&x->locals, key, &h)) {
		x->o[i].state = XS_DROPPED;
		return 0;
	}
	return map_var(x, i, r, &x->here[h]);
}

/* The two halves' lists of objects to transfer (map_heap_par): half h
 * wrote n[h] indices to x->xfer from its first index at[h] on. */
struct heap_lists {
	size_t at[2], n[2];
};

/* Maps the heap objects among [lo, hi) whose sites are decided (validation:
 * counterparts are reserved addresses, taken from each thread's own arena),
 * and lists the objects of [lo, hi) to transfer in x->xfer from lo on
 * (there are at most hi - lo: the halves' lists do not overlap). */
static int heap_range(struct xf *x, void *ctx, size_t lo, size_t hi)
{
	struct heap_lists *l = ctx;
	size_t n = 0;
	for (size_t i = lo; i < hi; i++) {
		uint8_t k = x->src->objs[i].kind;
		if ((k == TTST_OBJ_HEAP || k == TTST_OBJ_MMAP) && xf_map_heap(x, i) < 0)
			return -1;
		if (x->o[i].state == XS_XFER)
			x->xfer[lo + n++] = (uint32_t)i;
	}
	int h = lo != 0;
	l->at[h] = lo;
	l->n[h] = n;
	return 0;
}

/* Validation maps its heap objects on two threads: this thread first maps
 * the other objects and decides every site (the shared part: plans, shapes,
 * the locals' count), then both threads map the heap objects of one half
 * each and list that half's objects to transfer (in address order: the
 * second list then moves down to the end of the first). */
static int map_heap_par(struct xf *x)
{
	struct heap_lists l = {{0, 0}, {0, 0}};
	x->xfer_later = 1;
	int r = xf_par_run(x, NULL, x->src->nobjs, heap_range, &l);
	x->xfer_later = 0;
	if (r < 0)
		return -1;
	if (l.n[1])
		memmove(x->xfer + l.n[0], x->xfer + l.at[1], l.n[1] * sizeof *x->xfer);
	x->nxfer = l.n[0] + l.n[1];
	return 0;
}

int xf_map_all(struct xf *x)
{
	struct xf_smap count = {0};
	int rc = -1;
	int later = x->ref != NULL; /* validation: heap objects on two threads, below */
	x->xfer = xf_alloc(x->src->nobjs * sizeof *x->xfer);
	if (!x->xfer)
		return xf_fail(x, "out of memory mapping %zu objects", x->src->nobjs);
	for (size_t i = 0; i < x->src->nobjs; i++) {
		const struct ttst_src_obj *so = &x->src->objs[i];
		int r = 0;
		if ((so->kind == TTST_OBJ_STATIC || so->kind == TTST_OBJ_FUNCTION ||
		     so->kind == TTST_OBJ_LOCAL) &&
		    (so->tu >= x->src->ntus || so->index >= x->src->tus[so->tu]->nstatics)) {
			rc = xf_fail(x, "object %zu of the old version names no static record", i);
			goto out;
		}
		switch (so->kind) {
		case TTST_OBJ_STATIC:
			r = map_static(x, i);
			break;
		case TTST_OBJ_FUNCTION:
			r = map_function(x, i);
			break;
		case TTST_OBJ_LOCAL:
			r = map_local(x, i, &count);
			break;
		case TTST_OBJ_HEAP:
		case TTST_OBJ_MMAP:
			r = later ? xf_map_site(x, i) : xf_map_heap(x, i);
			break;
		default:
			break;
		}
		if (r < 0)
			goto out;
	}
	rc = later ? map_heap_par(x) : 0;
out:
	xf_room_hold(x, 1); /* freeing a large table may trim the heap */
	xf_smap_free(&count);
	xf_room_hold(x, 0);
	return rc;
}

int xf_materialize(struct xf *x, size_t i)
{
	const struct ttst_src_obj *so = &x->src->objs[i];
	struct xf_obj *o = &x->o[i];
	struct xf *q = x->main ? x->main : x; /* the queue is the main copy's */
	char nm[256];
	int rc = 0;
	xf_par_lock(x);
	if (o->state != XS_LAZY) /* the other thread got here first */
		goto out;
	if (TTST_GROW(q->queue, q->nqueue, q->capqueue, 256) < 0) {
		rc = xf_fail(x, "out of memory copying %s", xf_obj_name(x, i, nm, sizeof nm));
		goto out;
	}
	void *p = ttst_alloc_block(so->size, 0, 0);
	if (!p) {
		rc = xf_fail(x, "out of memory copying %s", xf_obj_name(x, i, nm, sizeof nm));
		goto out;
	}
	o->naddr = (uint64_t)(uintptr_t)p;
	xf_set_nsize(o, so->size);
	q->queue[q->nqueue++] = (uint32_t)i;
	__atomic_store_n(&o->state, XS_QUEUED, __ATOMIC_RELEASE); /* naddr first */
out:
	xf_par_unlock(x);
	return rc;
}
