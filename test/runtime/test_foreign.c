/* test_foreign.c -- pointers libttst did not allocate (garbage, fake chunks, glibc's own blocks,
 * double frees) are leaked, never passed to glibc, and never read past what they map. */
#define _GNU_SOURCE
#include <CUnit/CUnit.h>
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alloc.h"
#include "tests.h"

static void (*volatile xfree)(void *) = free;
static void *(*volatile xrealloc)(void *, size_t) = realloc;

/* Hands p to free, realloc and malloc_usable_size: all must refuse it. */
static void refuse(void *p)
{
	xfree(p);
	errno = 0;
	CU_ASSERT_PTR_NULL(xrealloc(p, 10));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(malloc_usable_size(p), 0);
	struct ttst_blk b;
	CU_ASSERT_EQUAL(ttst_blk_check(p, &b), -1);
}

static int64_t heap_objects(void)
{
	int64_t objs[2], bytes[2];
	ttst_tls_counters(objs, bytes);
	return objs[0] + objs[1];
}

/* Garbage in front of a static buffer. */
static void test_garbage(void)
{
	static _Alignas(16) unsigned char fake_buf[64];
	unsigned char *fake = launder(fake_buf);
	memset(fake, 0x5a, sizeof fake_buf);
	refuse(fake + 16);
	refuse(fake + 32);
	int bad = 0;
	for (size_t i = 0; i < sizeof fake_buf; i++)
		bad += fake[i] != 0x5a;
	CU_ASSERT_EQUAL(bad, 0);
}

/* Size words that do not fit a chunk of ours make the allocator stop before
 * the trailer they point at: the fake block sits right before a PROT_NONE
 * page, so reading any "trailer" would crash the test. */
static void test_implausible_sizes(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *m =
	    mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(m != MAP_FAILED);
	CU_ASSERT_FATAL(mprotect(m + pg, (size_t)pg, PROT_NONE) == 0);
	uint64_t *p = (uint64_t *)(m + pg - 16);
	static const uint64_t words[] = {
	    (1ull << 46) | 1,		     /* larger than any chunk */
	    0x7ffd12345670ull | 1,	     /* a pointer */
	    0x2f62696c2f7273ull,	     /* text */
	    56 | 1,			     /* not a multiple of 16 */
	    16 | 1,			     /* below glibc's minimum */
	    0,				     /* nothing */
	    2048 | 1,			     /* larger than any small chunk */
	    (64 << 10) | 1,		     /* same */
	    4096 | TTST_CHUNK_MMAPPED,	     /* mmapped, but the mapping is not page-aligned */
	    (64 << 10) | TTST_CHUNK_MMAPPED, /* same, larger */
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		p[-1] = words[i];
		p[-2] = 0;
		refuse(p);
	}
	/* a misaligned pointer is refused before anything is read past it */
	p[-1] = 48 | 1;
	refuse((char *)p + 8);
	/* a large block's header is the 16 bytes before the user pointer: nothing
	 * after it is read, even when the pointer starts an unreadable page */
	uint64_t *q = (uint64_t *)(m + pg);
	char *live = malloc(5000);
	static const uint64_t heads[][2] = {
	    {0, 0},			/* slot 0, lg 0 */
	    {7, 4},			/* slot 0 */
	    {0x100000007ull, 4},	/* slot 1, not ours */
	    {0xffffffff00000000ull, 4}, /* slot beyond the table */
	    {0, 63},			/* absurd alignment */
	    {0, 12},			/* alignment the pointer does not have */
	};
	for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
		q[-2] = heads[i][0];
		q[-1] = ttst_head_word(5000, (unsigned)heads[i][1]);
		refuse(q);
	}
	/* the slot of a live large block, with another pointer */
	((struct ttst_head *)q)[-1] = *ttst_head_of(launder(live));
	refuse(q);
	CU_ASSERT_EQUAL(blk_of(live).size, 5000);
	free(live);
	munmap(m, 2 * (size_t)pg);
}

/* A plausible chunk whose trailer names a slot that is not its own. */
static void test_wrong_slots(void)
{
	static _Alignas(16) unsigned char buf[128];
	unsigned char *fake = launder(buf);
	memset(fake, 0x33, sizeof buf);
	uint64_t *w = (uint64_t *)fake;
	w[1] = 48 | 1; /* user at fake + 16, usable 40, trailer at fake + 48 */
	struct ttst_trailer *tr = ttst_trailer_at(fake + 16, 40);
	char *live = malloc(32);
	struct ttst_blk lb = blk_of(live);
	CU_ASSERT_FATAL(lb.slot != 0);
	uint64_t live_entry = *lb.entry;
	char *gone = malloc(32);
	uint32_t gone_slot = blk_of(gone).slot;
	free(gone);
	int64_t objs = heap_objects();
	const uint32_t slots[] = {0, lb.slot, gone_slot, UINT32_MAX, TTST_SLOT_MAX - 1};
	for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
		*tr = (struct ttst_trailer){7, slots[i]};
		refuse(fake + 16);
	}
	CU_ASSERT_EQUAL(heap_objects(), objs);
	CU_ASSERT_EQUAL(*lb.entry, live_entry); /* the real owner of the slot is untouched */
	CU_ASSERT_EQUAL(fake[20], 0x33);
	free(live);
}

/* glibc's own blocks (plain and mmapped) are leaked, not freed. */
static void test_glibc_blocks(void)
{
	char *live = malloc(32);
	unsigned char *g = __libc_malloc(40);
	CU_ASSERT_FATAL(g != NULL);
	memset(g, 0x44, 40);
	/* even with a trailer naming a live slot */
	*ttst_trailer_at(g, 40) = (struct ttst_trailer){0, blk_of(live).slot};
	refuse(g);
	CU_ASSERT_EQUAL(g[0], 0x44); /* not handed to glibc's free (which writes here) */
	__libc_free(g);
	unsigned char *big = __libc_malloc(40 << 20);
	CU_ASSERT_FATAL(big != NULL);
	CU_ASSERT(ttst_chunk_word(big) & TTST_CHUNK_MMAPPED);
	refuse(big);
	big[0] = 1; /* still mapped */
	__libc_free(big);
	free(live);
}

/* A block freed twice: the second free is detected, whether the block sits
 * in the thread's cache or went back to glibc. */
static void test_double_free(void)
{
	char *p = malloc(32);
	uintptr_t again = (uintptr_t)launder(p);
	free(p);
	int64_t objs = heap_objects();
	refuse((void *)again);
	/* a block too large for the cache, kept off glibc's top chunk by a neighbour */
	char *q = launder(malloc(5000)), *fence = launder(malloc(5000));
	uintptr_t q_again = (uintptr_t)launder(q);
	free(q);
	refuse((void *)q_again);
	CU_ASSERT_EQUAL(heap_objects(), objs + 1);
	char *r = launder(malloc(32));
	CU_ASSERT_PTR_NOT_NULL(r);
	free(r);
	free(fence);
}

int add_foreign_tests(void)
{
	CU_pSuite s = CU_add_suite("foreign pointers", NULL, NULL);
	if (!s || !CU_add_test(s, "garbage", test_garbage) ||
	    !CU_add_test(s, "implausible size words", test_implausible_sizes) ||
	    !CU_add_test(s, "trailer naming another slot", test_wrong_slots) ||
	    !CU_add_test(s, "glibc's own blocks", test_glibc_blocks) ||
	    !CU_add_test(s, "double free", test_double_free))
		return -1;
	return 0;
}
