/* test_alloc.c -- header integrity: sizes, alignment, realloc identity, foreign pointers, libc's
 * own blocks. */
#define _GNU_SOURCE
#include <CUnit/CUnit.h>
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "chunk.h"
#include "registry.h"
#include "sites.h"
#include "slots.h"
#include "tests.h"
#include "ttst/interface.h"

/* Checks that p is a live, well-formed block of n bytes at site s. */
static void check_block(void *p, size_t n, uint32_t s)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL((uintptr_t)p % 16, 0);
	struct ttst_hdr *h = HDR(p);
	CU_ASSERT(ttst_magic_live(ttst_hdr_magic(h)));
	CU_ASSERT_EQUAL(ttst_hdr_size(h), n);
	CU_ASSERT_EQUAL(h->site, s);
	CU_ASSERT_EQUAL(malloc_usable_size(p), n);
	CU_ASSERT(h->slot != 0);
	if (h->slot)
		CU_ASSERT_EQUAL(*ttst_slot_entry(h->slot), (uintptr_t)h);
}

static void test_sizes(void)
{
	static const size_t sizes[] = {0, 1, 15, 16, 17, 100, 4096, 1 << 20, 17 << 20};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char *p = malloc(sizes[i]);
		check_block(p, sizes[i], 0);
		memset(p, 0xab, sizes[i]);
		free(p);
		unsigned char *z = calloc(1, sizes[i]);
		check_block(z, sizes[i], 0);
		size_t nz = 0;
		for (size_t k = 0; k < sizes[i]; k++)
			nz += z[k] != 0;
		CU_ASSERT_EQUAL(nz, 0);
		free(z);
	}
	/* through volatile pointers: the compiler would reject the sizes */
	void *(*volatile xcalloc)(size_t, size_t) = calloc;
	void *(*volatile xmalloc)(size_t) = malloc;
	void *(*volatile xreallocarray)(void *, size_t, size_t) = reallocarray;
	errno = 0;
	CU_ASSERT_PTR_NULL(xcalloc(SIZE_MAX / 2, 3));
	CU_ASSERT_EQUAL(errno, ENOMEM);
	errno = 0;
	CU_ASSERT_PTR_NULL(xmalloc(SIZE_MAX - 8));
	CU_ASSERT_EQUAL(errno, ENOMEM);
	CU_ASSERT_PTR_NULL(xreallocarray(NULL, SIZE_MAX / 2, 3));
	CU_ASSERT_EQUAL(malloc_usable_size(NULL), 0);
}

static void test_alignment(void)
{
	static const size_t aligns[] = {8, 16, 32, 64, 256, 4096, 65536};
	for (size_t i = 0; i < sizeof aligns / sizeof aligns[0]; i++) {
		void *p = NULL;
		CU_ASSERT_EQUAL(posix_memalign(&p, aligns[i], 100), 0);
		CU_ASSERT_EQUAL((uintptr_t)p % aligns[i], 0);
		check_block(p, 100, 0);
		memset(p, 1, 100);
		free(p);
		char *q = aligned_alloc(aligns[i], 3 * aligns[i]);
		CU_ASSERT_EQUAL((uintptr_t)q % aligns[i], 0);
		check_block(q, 3 * aligns[i], 0);
		free(q);
	}
	void *p = NULL;
	CU_ASSERT_EQUAL(posix_memalign(&p, 24, 10), EINVAL);
	CU_ASSERT_EQUAL(posix_memalign(&p, 4, 10), EINVAL);
	char *m = memalign(48, 10); /* glibc rounds up to 64 */
	CU_ASSERT_EQUAL((uintptr_t)m % 64, 0);
	free(m);
	long page = sysconf(_SC_PAGESIZE);
	char *v = valloc(1), *pv = pvalloc(1);
	CU_ASSERT_EQUAL((uintptr_t)v % (uintptr_t)page, 0);
	CU_ASSERT_EQUAL((uintptr_t)pv % (uintptr_t)page, 0);
	CU_ASSERT_EQUAL(malloc_usable_size(pv), (size_t)page);
	free(v);
	free(pv);
}

/* realloc keeps the slot (identity), the site and the contents. */
static void test_realloc_identity(void)
{
	struct ttst_tu_hdr *tu = fixture_tu(0);
	uint32_t site = tu->rt_site_base + FX_SITE_NODE;
	unsigned char *p = __ttst_malloc(100, tu, FX_SITE_NODE);
	check_block(p, 100, site);
	uint32_t slot = HDR(p)->slot;
	for (int i = 0; i < 100; i++)
		p[i] = (unsigned char)i;
	static const size_t sizes[] = {1000, 50, 3 << 20, 20};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		p = __ttst_realloc(p, sizes[k], tu, FX_SITE_BUF);
		check_block(p, sizes[k], site);
		CU_ASSERT_EQUAL(HDR(p)->slot, slot);
		CU_ASSERT(ttst_hdr_magic(HDR(p)) & TTST_MAGIC_TYPED);
		int bad = 0;
		for (int i = 0; i < 20; i++)
			bad += p[i] != (unsigned char)i;
		CU_ASSERT_EQUAL(bad, 0);
	}
	/* an over-aligned block becomes a plain one, same slot */
	void *a = NULL;
	CU_ASSERT_EQUAL(__ttst_posix_memalign(&a, 256, 64, tu, FX_SITE_NODE), 0);
	memset(a, 7, 64);
	uint32_t aslot = HDR(a)->slot;
	char *b = realloc(a, 5000);
	check_block(b, 5000, site);
	CU_ASSERT_EQUAL(HDR(b)->slot, aslot);
	CU_ASSERT_EQUAL(b[63], 7);
	CU_ASSERT_FALSE(ttst_hdr_magic(HDR(b)) & TTST_MAGIC_ALIGNED);
	free(b);
	CU_ASSERT_PTR_NULL(realloc(p, 0)); /* frees, as glibc */
	char *q = realloc(NULL, 10);
	check_block(q, 10, 0);
	free(q);
}

/* Pointers we did not allocate are leaked, never passed to glibc. */
static void test_foreign(void)
{
	static _Alignas(16) unsigned char fake_buf[64];
	unsigned char *fake = launder(fake_buf);
	void (*volatile xfree)(void *) = free;
	memset(fake, 0x5a, sizeof fake_buf);
	xfree(fake + 16);			    /* garbage header */
	CU_ASSERT_PTR_NULL(realloc(fake + 32, 10)); /* refused, errno set */
	CU_ASSERT_EQUAL(malloc_usable_size(fake + 16), 0);
	/* a header with our magic but a slot that does not point back */
	struct ttst_hdr *h = (struct ttst_hdr *)fake;
	h->site = 0;
	h->slot = 1;
	h->word = ttst_hdr_word(8, TTST_MAGIC_BASE);
	xfree(fake + 16);
	CU_ASSERT_EQUAL(fake[40], 0x5a);
	char *p = malloc(32);
	uintptr_t again = (uintptr_t)launder(p);
	free(p);
	xfree((void *)again); /* double free: detected (the header is no longer live), leaked */
	char *q = malloc(32);
	CU_ASSERT_PTR_NOT_NULL(q);
	free(q);
}

struct find_ctx {
	uintptr_t addr;
	struct ttst_obj found;
	int n;
};

static int find_obj(const struct ttst_obj *o, void *arg)
{
	struct find_ctx *c = arg;
	if (o->addr == c->addr) {
		c->found = *o;
		c->n++;
	}
	return 0;
}

/* Enumerated heap object at address p (count in *n). */
static struct ttst_obj enum_find(const void *p, int *n)
{
	struct find_ctx c = {(uintptr_t)p, {{0, 0, 0, 0}, 0, 0, 0, 0, 0, 0, 0}, 0};
	ttst_registry_foreach(find_obj, &c);
	*n = c.n;
	return c.found;
}

/* libc's strdup, getline and fopen allocate through the interposed malloc:
 * their blocks are enumerated, untyped (site 0). */
static void test_libc_blocks(void)
{
	char *(*volatile dup)(const char *) = strdup;
	char *s = dup("hello");
	char path[] = "/tmp/ttst-rt-XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "a line\n", 7), 7);
	close(fd);
	FILE *f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	char *line = NULL;
	size_t cap = 0;
	CU_ASSERT_EQUAL(getline(&line, &cap, f), 7);
	void *blocks[] = {s, line, f};
	for (int i = 0; i < 3; i++) {
		int n;
		struct ttst_obj o = enum_find(blocks[i], &n);
		CU_ASSERT_EQUAL(n, 1);
		CU_ASSERT_EQUAL(o.kind, TTST_OBJ_HEAP);
		CU_ASSERT_EQUAL(o.index, 0);
		CU_ASSERT_EQUAL(o.type, TTST_NO_TYPE);
		CU_ASSERT(o.size >= (i == 0 ? 6u : 7u));
	}
	fclose(f);
	unlink(path);
	free(line);
	uintptr_t gone = (uintptr_t)launder(s);
	free(s);
	int n;
	enum_find((void *)gone, &n);
	CU_ASSERT_EQUAL(n, 0);
}

/* Freed small blocks are kept per thread and reused, never enumerated, bounded. */
static void test_cache(void)
{
	char *p = malloc(24);
	uintptr_t addr = (uintptr_t)launder(p);
	free(p);
	int n;
	enum_find((void *)addr, &n);
	CU_ASSERT_EQUAL(n, 0); /* cached, not live */
	char *q = malloc(20);  /* same chunk class: the cached block comes back */
	CU_ASSERT_EQUAL((uintptr_t)q, addr);
	check_block(q, 20, 0);
	free(q);
	static char *many[600];
	for (int i = 0; i < 600; i++)
		many[i] = malloc(100);
	for (int i = 0; i < 600; i++)
		free(many[i]);
	struct ttst_tls *t = &ttst_tls;
	size_t k = ttst_class(100);
	CU_ASSERT(t->bin_n[k] <= TTST_BIN_MAX && t->bin_n[k] > 0);
	CU_ASSERT(t->cached <= TTST_CACHE_BYTES);
	size_t sum = 0;
	for (size_t c = 0; c <= TTST_NCLASS; c++)
		sum += t->bin_n[c] * c * 16;
	CU_ASSERT_EQUAL(sum, t->cached);
}

int add_alloc_tests(void)
{
	CU_pSuite s = CU_add_suite("allocator", NULL, NULL);
	if (!s || !CU_add_test(s, "sizes and calloc", test_sizes) ||
	    !CU_add_test(s, "alignment", test_alignment) ||
	    !CU_add_test(s, "realloc identity", test_realloc_identity) ||
	    !CU_add_test(s, "foreign pointers", test_foreign) ||
	    !CU_add_test(s, "small-block cache", test_cache) ||
	    !CU_add_test(s, "libc blocks enumerated", test_libc_blocks))
		return -1;
	return 0;
}
