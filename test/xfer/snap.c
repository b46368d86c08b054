/* snap.c -- linked into the old-version test programs: sends the registry (blobs + objects) and waits. */
#define _GNU_SOURCE
#include "snap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"
#include "sites.h"
#include "xfer.h"

struct coll {
	const struct ttst_tu_hdr *tus[4096];
	size_t ntus;
	struct ttst_src_obj *objs;
	size_t n, cap;
	uint32_t *sitecount; /* by global site number */
	size_t nsitecount;
};

static void die(const char *what)
{
	fprintf(stderr, "snap: %s\n", what);
	_exit(1);
}

static int tu_cb(const struct ttst_tu_ent *e, void *arg)
{
	struct coll *c = arg;
	if (c->ntus == sizeof c->tus / sizeof c->tus[0])
		return -1;
	c->tus[c->ntus++] = e->tu;
	return 0;
}

static uint32_t tu_index(struct coll *c, const struct ttst_tu_hdr *tu)
{
	for (size_t i = 0; i < c->ntus; i++)
		if (c->tus[i] == tu)
			return (uint32_t)i;
	return UINT32_MAX;
}

static int obj_cb(const struct ttst_obj *o, void *arg)
{
	struct coll *c = arg;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 4096;
		c->objs = realloc(c->objs, c->cap * sizeof *c->objs);
		if (!c->objs)
			return -1;
	}
	struct ttst_src_obj *s = &c->objs[c->n];
	memset(s, 0, sizeof *s);
	s->addr = o->addr;
	s->size = o->size;
	s->kind = o->kind;
	s->tu = UINT32_MAX;
	if (o->kind == TTST_OBJ_HEAP || o->kind == TTST_OBJ_MMAP) {
		const struct ttst_tu_hdr *tu;
		uint32_t idx;
		if (o->index && ttst_site_lookup(o->index, &tu, &idx) == 0) {
			s->tu = tu_index(c, tu);
			s->index = idx;
			s->typed = o->type != TTST_NO_TYPE;
			if (o->index >= c->nsitecount) {
				size_t nn = o->index * 2 + 16;
				c->sitecount = realloc(c->sitecount, nn * sizeof *c->sitecount);
				if (!c->sitecount)
					return -1;
				memset(c->sitecount + c->nsitecount, 0,
				       (nn - c->nsitecount) * sizeof *c->sitecount);
				c->nsitecount = nn;
			}
			s->ordinal = c->sitecount[o->index]++;
		}
	} else {
		s->tu = tu_index(c, o->tu);
		s->index = o->index;
	}
	c->n++;
	return 0;
}

static int cmp_obj(const void *a, const void *b)
{
	uint64_t x = ((const struct ttst_src_obj *)a)->addr, y = ((const struct ttst_src_obj *)b)->addr;
	return x < y ? -1 : x > y;
}

static void put(const void *p, size_t n)
{
	const char *b = p;
	while (n) {
		ssize_t w = write(1, b, n);
		if (w <= 0)
			die("write to the parent failed");
		b += w;
		n -= (size_t)w;
	}
}

void xt_serve(void)
{
	static struct coll c;
	if (ttst_site_foreach_tu(tu_cb, &c) < 0 || ttst_registry_foreach(obj_cb, &c) < 0)
		die("out of memory collecting the state");
	qsort(c.objs, c.n, sizeof *c.objs, cmp_obj);
	uint32_t hdr[2] = {XT_MAGIC, (uint32_t)c.ntus};
	put(hdr, sizeof hdr);
	for (size_t i = 0; i < c.ntus; i++) {
		uint32_t sz = c.tus[i]->total_size;
		put(&sz, sizeof sz);
		put(c.tus[i], sz);
	}
	uint64_t n = c.n;
	put(&n, sizeof n);
	put(c.objs, c.n * sizeof *c.objs);
	char b;
	while (read(0, &b, 1) > 0)
		;
	_exit(0);
}
