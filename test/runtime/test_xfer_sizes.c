/* test_xfer_sizes.c -- the engine's per-object records keep sizes in 32 bits: objects of 4 GiB
 * and more are found by the address index and get their sizes, source and counterpart, from
 * where they were set (xfer_int.h: XF_SIZE_BIG). */
#define _GNU_SOURCE
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "xfer_int.h"

#define GIB (1ull << 30)
#define BASE 0x100000000ull

/* Three source objects: 64 bytes, 6 GiB, 64 bytes, one after the other. */
static const struct ttst_src_obj objs[3] = {
    {BASE, 64, UINT32_MAX, 0, TTST_OBJ_HEAP, 0, 0, 0},
    {BASE + 64, 6 * GIB, UINT32_MAX, 0, TTST_OBJ_HEAP, 0, 0, 0},
    {BASE + 64 + 6 * GIB, 64, UINT32_MAX, 0, TTST_OBJ_HEAP, 0, 0, 0},
};

static void test_big_objects(void)
{
	struct ttst_src src;
	struct ttst_xfer_report rep;
	struct xf *x = calloc(1, sizeof *x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	memset(&src, 0, sizeof src);
	memset(&rep, 0, sizeof rep);
	src.nobjs = 3;
	src.objs = (struct ttst_src_obj *)objs;
	x->src = &src;
	x->rep = &rep;
	x->o = calloc(3, sizeof *x->o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x->o);
	CU_ASSERT_EQUAL_FATAL(xf_index_build(x), 0);

	/* the source sizes */
	CU_ASSERT_EQUAL(x->o[1].size, XF_SIZE_BIG);
	CU_ASSERT_EQUAL(xf_size(x, 0), 64);
	CU_ASSERT_EQUAL(xf_size(x, 1), 6 * GIB);

	/* the index: inside the big object beyond 4 GiB, its end, the next one */
	size_t i = 9;
	uint64_t off = 0;
	CU_ASSERT_EQUAL(xf_index_find(x, BASE + 64 + 5 * GIB + 8, &i, &off), 0);
	CU_ASSERT_EQUAL(i, 1);
	CU_ASSERT_EQUAL(off, 5 * GIB + 8);
	CU_ASSERT_EQUAL(xf_index_find(x, BASE + 64 + 6 * GIB, &i, &off), 0);
	CU_ASSERT(i == 1 || i == 2); /* past the end of one, or the start of the next */
	CU_ASSERT_EQUAL(xf_index_find(x, BASE + 64 + 6 * GIB + 8, &i, &off), 0);
	CU_ASSERT_EQUAL(i, 2);
	CU_ASSERT_EQUAL(off, 8);
	CU_ASSERT_EQUAL(xf_index_find(x, BASE + 64 + 6 * GIB + 65, &i, &off), -1);

	/* counterpart sizes: bytes as they are, an array of 16-byte elements
	 * that become 24 bytes, one static element of 5 GiB */
	struct xf_plan elem, var;
	memset(&elem, 0, sizeof elem);
	memset(&var, 0, sizeof var);
	elem.ssize = 16;
	elem.dsize = 24;
	var.ssize = 4 * GIB;
	var.dsize = 5 * GIB;
	struct xf_shape shapes[2] = {{&elem, NULL, 0, 0, 0}, {&var, NULL, 0, 0, 1}};
	x->shapes = shapes;
	x->nshapes = 2;
	x->o[1].mode = XM_PLAIN;
	xf_set_nsize(&x->o[1], 6 * GIB);
	CU_ASSERT_EQUAL(x->o[1].nsize, XF_SIZE_BIG);
	CU_ASSERT_EQUAL(xf_nsize(x, 1), 6 * GIB);
	x->o[1].mode = XM_TYPED;
	x->o[1].shape = 0;
	xf_set_nsize(&x->o[1], 9 * GIB);
	CU_ASSERT_EQUAL(xf_nsize(x, 1), 9 * GIB);
	x->o[1].shape = 1;
	xf_set_nsize(&x->o[1], 5 * GIB);
	CU_ASSERT_EQUAL(xf_nsize(x, 1), 5 * GIB);
	xf_set_nsize(&x->o[0], 96); /* small: stored as it is */
	CU_ASSERT_EQUAL(x->o[0].nsize, 96);
	CU_ASSERT_EQUAL(xf_nsize(x, 0), 96);

	xf_index_free(&x->ix);
	free(x->o);
	free(x);
}

int add_xfer_sizes_tests(void)
{
	CU_pSuite s = CU_add_suite("engine object records", NULL, NULL);
	if (!s || !CU_add_test(s, "objects of 4 GiB and more", test_big_objects))
		return -1;
	return 0;
}
