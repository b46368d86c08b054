/* registry.c -- enumerates the program's objects from metadata, locals, the object table and mmap
 * list. */
#define _GNU_SOURCE
#include "grow.h"
#include "registry.h"

#include <string.h>

#include "alloc.h"
#include "locals.h"
#include "regions.h"
#include "sites.h"

#define SITE_CACHE 64 /* direct-mapped by site number: heaps interleave a few sites */

struct site_cache {
	uint32_t site; /* 0: empty */
	uint32_t type;
	const struct ttst_tu_hdr *tu;
};

struct walk {
	int (*fn)(const struct ttst_obj *, void *);
	void *arg;
	struct site_cache cache[SITE_CACHE]; /* for heap blocks and regions */
};

static size_t type_size(const struct ttst_tu_hdr *tu, uint32_t type)
{
	const struct ttst_type_rec *t = ttst_meta_type(tu, type);
	return t ? (size_t)t->size : 0;
}

static int walk_tu(const struct ttst_tu_ent *e, void *arg)
{
	struct walk *w = arg;
	const struct ttst_static_rec *s = ttst_meta_statics(e->tu);
	void *const *addrs = ttst_meta_addrs(e->tu);
	for (uint32_t i = 0; i < e->tu->nstatics; i++) {
		if (!addrs[i] || (s[i].flags & TTST_SF_TLS) || s[i].kind == TTST_S_LOCAL)
			continue;
		int fn = s[i].kind == TTST_S_FUNCTION;
		struct ttst_obj o = {.addr = (uintptr_t)addrs[i],
				     .size = fn ? 0 : type_size(e->tu, s[i].type),
				     .tu = e->tu,
				     .type = s[i].type,
				     .index = i,
				     .kind = fn ? TTST_OBJ_FUNCTION : TTST_OBJ_STATIC};
		int r = w->fn(&o, w->arg);
		if (r)
			return r;
	}
	return 0;
}

static int walk_local(const struct ttst_local *l, void *arg)
{
	struct walk *w = arg;
	uint32_t type = ttst_meta_statics(l->tu)[l->index].type;
	struct ttst_obj o = {.addr = (uintptr_t)l->addr,
			     .size = type_size(l->tu, type),
			     .tu = l->tu,
			     .type = type,
			     .index = l->index,
			     .kind = TTST_OBJ_LOCAL};
	return w->fn(&o, w->arg);
}

/* Type of global site s (not 0), cached: the site table's lookup takes a lock. */
static uint32_t site_type(struct walk *w, uint32_t s, const struct ttst_tu_hdr **tu)
{
	struct site_cache *c = &w->cache[s % SITE_CACHE];
	if (c->site != s) {
		c->type = ttst_site_type(s, &c->tu);
		c->site = s;
	}
	*tu = c->tu;
	return c->type;
}

static int walk_heap(uint64_t entry, uint32_t slot, void *arg)
{
	struct walk *w = arg;
	struct ttst_blk b;
	ttst_blk_from_entry(entry, slot, &b);
	struct ttst_obj o = {.addr = (uintptr_t)b.p,
			     .size = b.size,
			     .type = TTST_NO_TYPE,
			     .index = b.site,
			     .slot = slot,
			     .kind = TTST_OBJ_HEAP};
	if (b.site && b.typed)
		o.type = site_type(w, b.site, &o.tu);
	return w->fn(&o, w->arg);
}

static int walk_region(const struct ttst_region *r, void *arg)
{
	struct walk *w = arg;
	struct ttst_obj o = {.addr = r->start,
			     .size = r->len,
			     .type = TTST_NO_TYPE,
			     .index = r->site,
			     .kind = TTST_OBJ_MMAP};
	if (r->site && r->typed)
		o.type = site_type(w, r->site, &o.tu);
	return w->fn(&o, w->arg);
}

int ttst_registry_foreach_part(int part, uint32_t mid,
			       int (*fn)(const struct ttst_obj *, void *), void *arg)
{
	struct walk w;
	memset(&w, 0, sizeof w);
	w.fn = fn;
	w.arg = arg;
	int r;
	if (part == 0) {
		r = ttst_site_foreach_tu(walk_tu, &w);
		if (!r)
			r = ttst_locals_foreach(walk_local, &w);
		if (!r)
			r = ttst_slot_foreach_range(0, mid, walk_heap, &w);
	} else {
		r = ttst_slot_foreach_range(mid, UINT32_MAX, walk_heap, &w);
		if (!r)
			r = ttst_regions_foreach(walk_region, &w);
	}
	return r;
}

int ttst_registry_foreach(int (*fn)(const struct ttst_obj *, void *), void *arg)
{
	int r = ttst_registry_foreach_part(0, UINT32_MAX, fn, arg);
	return r ? r : ttst_registry_foreach_part(1, UINT32_MAX, fn, arg);
}

static int collect(const struct ttst_obj *o, void *arg)
{
	struct ttst_lookup *l = arg;
	if (TTST_GROW(l->objs, l->n, l->cap, 1024) < 0)
		return -1;
	l->objs[l->n++] = *o;
	return 0;
}

struct ttst_lookup *ttst_lookup_build(void)
{
	struct ttst_lookup *l = __libc_calloc(1, sizeof *l);
	if (!l)
		return NULL;
	if (ttst_registry_foreach(collect, l) < 0)
		goto err;
	ttst_splay_init(&l->tree);
	for (size_t i = 0; i < l->n; i++) {
		struct ttst_obj *o = &l->objs[i];
		o->node.start = o->addr;
		o->node.end = o->addr + (o->size ? o->size : 1);
		if (ttst_splay_insert(&l->tree, &o->node) < 0)
			l->aliases++;
	}
	return l;
err:
	ttst_lookup_free(l);
	return NULL;
}

const struct ttst_obj *ttst_lookup_find(struct ttst_lookup *l, const void *addr, size_t *off)
{
	struct ttst_splay_node *n = ttst_splay_find(&l->tree, (uintptr_t)addr);
	if (!n)
		return NULL;
	const struct ttst_obj *o = (const struct ttst_obj *)n;
	if (off)
		*off = (uintptr_t)addr - o->addr;
	return o;
}

void ttst_lookup_free(struct ttst_lookup *l)
{
	if (!l)
		return;
	__libc_free(l->objs);
	__libc_free(l);
}
