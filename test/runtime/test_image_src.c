/* test_image_src.c -- ttst_update_src_open's checks of a state image's object list (on two
 * threads when it is long): the lowest bad object is named, and the heap chunk bytes are
 * counted over both halves. */
#define _GNU_SOURCE
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "registry.h"
#include "tests.h"
#include "ttst/interface.h"
#include "ttst/proto.h"
#include "update_src.h"

#define NOBJS 250000 /* above the two-thread threshold */

/* A memfd holding an image of NOBJS uninstrumented heap objects of 40 bytes,
 * 64 apart; bad1 / bad2 (if < NOBJS) get an unknown kind / go out of order. */
static int make_image(size_t bad1, size_t bad2, uint64_t *size)
{
	struct ttst_image_hdr h = {
	    TTST_IMAGE_MAGIC, TTST_IMAGE_VERSION, 0, (int32_t)getpid(), 0, sizeof h, NOBJS,
	    sizeof h};
	h.size = sizeof h + (uint64_t)NOBJS * sizeof(struct ttst_image_obj);
	struct ttst_image_obj *o = calloc(NOBJS, sizeof *o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	for (size_t i = 0; i < NOBJS; i++)
		o[i] = (struct ttst_image_obj){0x100000 + i * 64, 40, UINT32_MAX, 0,
					       TTST_OBJ_HEAP,	  0,  0,	  0};
	if (bad1 < NOBJS)
		o[bad1].kind = 99;
	if (bad2 < NOBJS)
		o[bad2].addr = 0x10; /* below its predecessor */
	int fd = memfd_create("test-image", MFD_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(pwrite(fd, &h, sizeof h, 0) == (ssize_t)sizeof h);
	ssize_t len = (ssize_t)(NOBJS * sizeof *o);
	CU_ASSERT_FATAL(pwrite(fd, o, (size_t)len, sizeof h) == len);
	free(o);
	*size = h.size;
	return fd;
}

/* Opens an image with the given bad objects; returns 0 or -1 and the error. */
static int open_image(size_t bad1, size_t bad2, struct ttst_update_src *s, char *err, size_t n)
{
	uint64_t size;
	int fd = make_image(bad1, bad2, &size);
	int r = ttst_update_src_open(fd, size, 0, -1, s, err, n);
	close(fd);
	return r;
}

static void test_good_image(void)
{
	struct ttst_update_src s;
	char err[512] = "";
	CU_ASSERT_EQUAL_FATAL(open_image(NOBJS, NOBJS, &s, err, sizeof err), 0);
	CU_ASSERT_EQUAL(s.src.nobjs, NOBJS);
	/* uninstrumented blocks (no site) take no room: nothing counted */
	CU_ASSERT_EQUAL(s.src.heap_chunks, 0);
	ttst_update_src_free(&s);
}

static void test_bad_objects(void)
{
	struct ttst_update_src s;
	char err[512];
	/* one bad object in the second half only */
	CU_ASSERT_EQUAL(open_image(NOBJS, 200000, &s, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "object 200000 at 0x10: not sorted by address"));
	/* one in each half: the first half's is named */
	CU_ASSERT_EQUAL(open_image(1000, 200000, &s, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "object 1000 at 0x10fa00: unknown kind"));
	/* two in the second half: the lower one */
	CU_ASSERT_EQUAL(open_image(240000, 130000, &s, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "object 130000 at 0x10: not sorted by address"));
	/* the very last object */
	CU_ASSERT_EQUAL(open_image(NOBJS - 1, NOBJS, &s, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "object 249999 at"));
}

int add_image_src_tests(void)
{
	CU_pSuite s = CU_add_suite("state image checks", NULL, NULL);
	if (!s || !CU_add_test(s, "a good image opens", test_good_image) ||
	    !CU_add_test(s, "the lowest bad object is named", test_bad_objects))
		return -1;
	return 0;
}
