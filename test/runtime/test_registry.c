/* test_registry.c -- module registration, statics, locals, wrapper sites, mmap regions, address
 * lookup. */
#define _GNU_SOURCE
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "chunk.h"
#include "regions.h"
#include "registry.h"
#include "sites.h"
#include "tests.h"
#include "ttst/interface.h"
#include "ttst/meta.h"

static void test_register(void)
{
	struct ttst_tu_hdr *a = fixture_tu(0), *b = fixture_tu(1);
	CU_ASSERT(a->rt_site_base != 0);
	CU_ASSERT_EQUAL(b->rt_site_base, a->rt_site_base + FX_NSITES);
	const struct ttst_tu_hdr *tu;
	uint32_t idx;
	CU_ASSERT_EQUAL(ttst_site_lookup(b->rt_site_base + FX_SITE_STR, &tu, &idx), 0);
	CU_ASSERT_PTR_EQUAL(tu, b);
	CU_ASSERT_EQUAL(idx, FX_SITE_STR);
	CU_ASSERT_EQUAL(ttst_site_lookup(0, &tu, &idx), -1);
	/* a corrupted copy is refused (checksum) */
	static _Alignas(8) char bad[4096];
	size_t len = a->total_size;
	memcpy(bad, a, len);
	((struct ttst_tu_hdr *)bad)->rt_site_base = 0;
	bad[len - 100] ^= 0x40;
	CU_ASSERT_EQUAL(__ttst_register_module(bad, bad + len), -1);
	CU_ASSERT_EQUAL(__ttst_register_module(NULL, NULL), 0);
}

struct collect {
	struct ttst_obj objs[64];
	int n;
	uintptr_t lo, hi; /* only objects in [lo, hi), or statics/locals/functions of the fixture */
};

static int collect_fixture(const struct ttst_obj *o, void *arg)
{
	struct collect *c = arg;
	int mine = (o->tu == fixture_tu(0) || o->tu == fixture_tu(1)) && o->kind != TTST_OBJ_HEAP &&
		   o->kind != TTST_OBJ_MMAP;
	if ((mine || (o->addr >= c->lo && o->addr < c->hi)) && c->n < 64)
		c->objs[c->n++] = *o;
	return 0;
}

/* The fixture object of kind k at addr, or NULL. */
static const struct ttst_obj *get(const struct collect *c, int kind, const void *addr,
				  const struct ttst_tu_hdr *tu)
{
	for (int i = 0; i < c->n; i++)
		if (c->objs[i].kind == kind && c->objs[i].addr == (uintptr_t)addr &&
		    (!tu || c->objs[i].tu == tu))
			return &c->objs[i];
	return NULL;
}

static void test_statics_locals(void)
{
	struct ttst_tu_hdr *tu = fixture_tu(0);
	int x = 1;
	struct fx_node y = {2, NULL};
	__ttst_local(tu, FX_S_LOCAL_X, &x);
	__ttst_local(tu, FX_S_LOCAL_Y, &y);
	struct collect c = {.n = 0};
	ttst_registry_foreach(collect_fixture, &c);
	const struct ttst_obj *o = get(&c, TTST_OBJ_STATIC, &fx_g_node, tu);
	CU_ASSERT_FATAL(o != NULL);
	CU_ASSERT_EQUAL(o->size, sizeof(struct fx_node));
	CU_ASSERT_EQUAL(o->type, FX_T_NODE);
	CU_ASSERT_EQUAL(o->index, FX_S_NODE);
	o = get(&c, TTST_OBJ_STATIC, fx_g_arr, tu);
	CU_ASSERT(o && o->size == sizeof fx_g_arr && o->type == FX_T_ARR);
	CU_ASSERT_PTR_NOT_NULL(get(&c, TTST_OBJ_FUNCTION, (void *)fx_func, tu));
	o = get(&c, TTST_OBJ_LOCAL, &y, tu);
	CU_ASSERT(o && o->size == sizeof y && o->type == FX_T_NODE);
	CU_ASSERT_PTR_NOT_NULL(get(&c, TTST_OBJ_LOCAL, &x, tu));
	/* a second (recursive) activation, then the exits pop one activation each */
	int x2 = 3;
	__ttst_local(tu, FX_S_LOCAL_X, &x2);
	__ttst_local_exit(tu);
	c.n = 0;
	ttst_registry_foreach(collect_fixture, &c);
	CU_ASSERT_PTR_NULL(get(&c, TTST_OBJ_LOCAL, &x2, tu));
	CU_ASSERT_PTR_NOT_NULL(get(&c, TTST_OBJ_LOCAL, &y, tu));
	__ttst_local_exit(tu);
	c.n = 0;
	ttst_registry_foreach(collect_fixture, &c);
	CU_ASSERT_PTR_NULL(get(&c, TTST_OBJ_LOCAL, &x, tu));
	CU_ASSERT_PTR_NULL(get(&c, TTST_OBJ_LOCAL, &y, tu));
}

/* Allocator wrappers: untyped allocations inside take the pending wrapper site. */
static void test_wrapper_sites(void)
{
	struct ttst_tu_hdr *tu = fixture_tu(0);
	uint32_t b = tu->rt_site_base;
	__ttst_site_enter(tu, FX_SITE_WRAP_NODE);
	void *p = malloc(16);			      /* uninstrumented: takes the wrapper site */
	void *q = __ttst_malloc(16, tu, FX_SITE_BUF); /* instrumented, untyped: too */
	void *r = __ttst_malloc(4, tu, FX_SITE_STR);  /* typed: keeps its own site */
	__ttst_site_enter(tu, FX_SITE_WRAP_UNTYPED);  /* nested untyped wrapper: outer stays */
	void *s = malloc(8);
	__ttst_site_leave();
	__ttst_site_leave();
	void *t = malloc(8);
	__ttst_site_enter(tu, FX_SITE_WRAP_UNTYPED); /* alone: its site, untyped */
	void *u = malloc(8);
	__ttst_site_leave();
	__ttst_site_leave(); /* unbalanced leave is ignored */
	CU_ASSERT_EQUAL(blk_of(p).site, b + FX_SITE_WRAP_NODE);
	CU_ASSERT(blk_of(p).typed);
	CU_ASSERT_EQUAL(blk_of(q).site, b + FX_SITE_WRAP_NODE);
	CU_ASSERT_EQUAL(blk_of(r).site, b + FX_SITE_STR);
	CU_ASSERT_EQUAL(blk_of(s).site, b + FX_SITE_WRAP_NODE);
	CU_ASSERT_EQUAL(blk_of(t).site, 0);
	CU_ASSERT(blk_of(t).slot != 0);
	CU_ASSERT_EQUAL(blk_of(u).site, b + FX_SITE_WRAP_UNTYPED);
	CU_ASSERT(blk_of(u).slot != 0);
	CU_ASSERT_FALSE(blk_of(u).typed);
	void *all[] = {p, q, r, s, t, u};
	for (int i = 0; i < 6; i++)
		free(all[i]);
}

static int count_region(const struct ttst_region *r, void *arg)
{
	struct collect *c = arg;
	if (r->start >= c->lo && r->start < c->hi && c->n < 64) {
		c->objs[c->n].addr = r->start;
		c->objs[c->n++].size = r->len;
	}
	return 0;
}

static void test_mmap_regions(void)
{
	struct ttst_tu_hdr *tu = fixture_tu(0);
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	char *m = __ttst_mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			      0, tu, FX_SITE_MMAP);
	CU_ASSERT_FATAL(m != MAP_FAILED);
	struct collect c = {.n = 0, .lo = (uintptr_t)m, .hi = (uintptr_t)m + 4 * pg};
	ttst_regions_foreach(count_region, &c);
	CU_ASSERT(c.n == 1 && c.objs[0].size == 4 * pg);
	CU_ASSERT_EQUAL(__ttst_munmap(m + pg, pg, tu, FX_SITE_MMAP), 0);
	c.n = 0;
	ttst_regions_foreach(count_region, &c);
	CU_ASSERT_EQUAL(c.n, 2);
	CU_ASSERT(c.objs[0].addr == (uintptr_t)m && c.objs[0].size == pg);
	CU_ASSERT(c.objs[1].addr == (uintptr_t)m + 2 * pg && c.objs[1].size == 2 * pg);
	struct ttst_lookup *l = ttst_lookup_build();
	CU_ASSERT_FATAL(l != NULL);
	size_t off;
	const struct ttst_obj *o = ttst_lookup_find(l, m + 3 * pg + 5, &off);
	CU_ASSERT(o && o->kind == TTST_OBJ_MMAP && off == pg + 5 && o->type == FX_T_INT);
	CU_ASSERT_PTR_NULL(ttst_lookup_find(l, m + pg + 1, &off));
	ttst_lookup_free(l);
	__ttst_munmap(m, 4 * pg, tu, FX_SITE_MMAP);
	c.n = 0;
	ttst_regions_foreach(count_region, &c);
	CU_ASSERT_EQUAL(c.n, 0);
}

static int check_base(const struct ttst_obj *o, void *arg)
{
	struct ttst_lookup *l = ((void **)arg)[0];
	size_t *bad = ((void **)arg)[1];
	size_t off = 1;
	const struct ttst_obj *f = ttst_lookup_find(l, (void *)o->addr, &off);
	if (o->kind == TTST_OBJ_HEAP && (!f || f->addr != o->addr || off != 0))
		(*bad)++;
	return 0;
}

static void test_lookup(void)
{
	struct ttst_tu_hdr *tu = fixture_tu(0);
	struct fx_node *p = __ttst_malloc(sizeof *p, tu, FX_SITE_NODE);
	char *big = __ttst_malloc(1000, tu, FX_SITE_BUF);
	struct ttst_lookup *l = ttst_lookup_build();
	CU_ASSERT_FATAL(l != NULL);
	size_t off;
	const struct ttst_obj *o = ttst_lookup_find(l, &fx_g_node.next, &off);
	CU_ASSERT(o && o->kind == TTST_OBJ_STATIC && o->addr == (uintptr_t)&fx_g_node && off == 8);
	o = ttst_lookup_find(l, &p->next, &off);
	CU_ASSERT(o && o->kind == TTST_OBJ_HEAP && o->type == FX_T_NODE && o->tu == tu && off == 8);
	o = ttst_lookup_find(l, big + 999, &off);
	CU_ASSERT(o && o->addr == (uintptr_t)big && off == 999 && o->type == TTST_NO_TYPE);
	CU_ASSERT_PTR_NULL(ttst_lookup_find(l, big - 8, &off)); /* glibc's size word */
	/* the trailer, past the program's bytes, is no object either */
	CU_ASSERT_PTR_NULL(ttst_lookup_find(l, ttst_trailer_at(big, blk_of(big).usable), &off));
	o = ttst_lookup_find(l, (void *)fx_func, &off);
	CU_ASSERT(o && o->kind == TTST_OBJ_FUNCTION);
	size_t bad = 0;
	void *arg[2] = {l, &bad};
	ttst_registry_foreach(check_base, arg);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(l->n > 3);
	ttst_lookup_free(l);
	free(p);
	free(big);
}

int add_registry_tests(void)
{
	CU_pSuite s = CU_add_suite("registry", NULL, NULL);
	if (!s || !CU_add_test(s, "module registration", test_register) ||
	    !CU_add_test(s, "statics and locals", test_statics_locals) ||
	    !CU_add_test(s, "wrapper sites", test_wrapper_sites) ||
	    !CU_add_test(s, "mmap regions", test_mmap_regions) ||
	    !CU_add_test(s, "address lookup", test_lookup))
		return -1;
	return 0;
}
