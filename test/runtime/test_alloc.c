/* test_alloc.c -- block integrity: sizes, trailers in glibc's slack, alignment, realloc identity,
 * the small-block cache, libc's own blocks. */
#define _GNU_SOURCE
#include <CUnit/CUnit.h>
#include <dlfcn.h>
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

/* glibc's own malloc_usable_size (ours returns the requested size). */
static size_t glibc_usable(void *p)
{
	static size_t (*real)(void *);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "malloc_usable_size");
	CU_ASSERT_PTR_NOT_NULL_FATAL(real);
	return real(p);
}

/* Checks that p is a live, well-formed block of n bytes at site s. */
static void check_block(void *p, size_t n, uint32_t s)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL((uintptr_t)p % 16, 0);
	struct ttst_blk b;
	CU_ASSERT_FATAL(ttst_blk_check(launder(p), &b) == 0);
	CU_ASSERT_EQUAL(b.size, n);
	CU_ASSERT_EQUAL(b.site, s);
	CU_ASSERT_EQUAL(malloc_usable_size(p), n);
	CU_ASSERT(b.slot != 0);
	CU_ASSERT_PTR_EQUAL(ttst_entry_ptr(*ttst_slot_entry(b.slot)), p);
	if (n <= TTST_SMALL_MAX && !b.lg) {
		/* small: the trailer is past the program's bytes, at the end of
		 * glibc's usable area */
		CU_ASSERT_EQUAL(b.usable, glibc_usable(p));
		CU_ASSERT(b.usable >= n + TTST_TRAILER_BYTES);
		CU_ASSERT_EQUAL(ttst_trailer_at(p, b.usable)->slot, b.slot);
	} else {
		/* large: the header is right before the user pointer, inside glibc's block */
		CU_ASSERT(b.lg >= 4);
		CU_ASSERT_PTR_EQUAL((char *)b.base + ((size_t)1 << b.lg), p);
		CU_ASSERT(glibc_usable(b.base) >= n + ((size_t)1 << b.lg));
		CU_ASSERT_EQUAL(ttst_head_of(p)->slot, b.slot);
	}
}

static void test_sizes(void)
{
	/* 40 MiB is above glibc's largest mmap threshold: always an mmapped chunk */
	static const size_t sizes[] = {0, 1, 15, 16, 17, 100, 4096, 1 << 20, 17 << 20, 40 << 20};
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

/* glibc's chunk size for a request of n bytes (request2size, at least MINSIZE). */
static size_t glibc_chunk(size_t n)
{
	size_t c = (n + 8 + 15) & ~(size_t)15;
	return c < 32 ? 32 : c;
}

/* The trailer lives in glibc's rounding slack: a block of n bytes is glibc's
 * chunk for n + 8 bytes (glibc may hand out 16 more when splitting would leave
 * a sliver), which for 32- and 64-byte objects is the chunk glibc itself uses. */
static void test_slack(void)
{
	static void *blocks[TTST_SMALL_MAX + 1];
	size_t bad = 0, exact = 0;
	for (size_t n = 0; n <= TTST_SMALL_MAX; n++) {
		blocks[n] = malloc(n);
		size_t chunk = blk_of(blocks[n]).usable + 8, want = glibc_chunk(n + 8);
		bad += chunk != want && chunk != want + 16;
		exact += chunk == want;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(exact >= 900);
	for (size_t n = 0; n <= TTST_SMALL_MAX; n++)
		free(blocks[n]);
	CU_ASSERT_EQUAL(glibc_chunk(32 + TTST_TRAILER_BYTES), glibc_chunk(32));
	CU_ASSERT_EQUAL(glibc_chunk(64 + TTST_TRAILER_BYTES), glibc_chunk(64));
	for (int i = 0; i < 64; i++) {
		blocks[i] = malloc(i < 32 ? 32 : 64);
		exact += blk_of(blocks[i]).usable + 8 == glibc_chunk(i < 32 ? 32 : 64);
	}
	CU_ASSERT(exact >= 900 + 60);
	for (int i = 0; i < 64; i++)
		free(blocks[i]);
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
	uint32_t slot = blk_of(p).slot;
	for (int i = 0; i < 100; i++)
		p[i] = (unsigned char)i;
	int64_t objs0[2], bytes0[2], objs[2], bytes[2];
	ttst_tls_counters(objs0, bytes0);
	/* within small, small -> large (glibc's heap), large -> larger (mmapped), back */
	static const size_t sizes[] = {1000, 50, 1009, 8000, 3 << 20, 1008, 20};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		p = __ttst_realloc(p, sizes[k], tu, FX_SITE_BUF);
		check_block(p, sizes[k], site);
		CU_ASSERT_EQUAL(blk_of(p).slot, slot);
		CU_ASSERT(blk_of(p).typed);
		ttst_tls_counters(objs, bytes);
		CU_ASSERT_EQUAL(objs[1], objs0[1]);
		CU_ASSERT_EQUAL(bytes[1] - bytes0[1], (int64_t)sizes[k] - 100);
		int bad = 0;
		for (int i = 0; i < 20; i++)
			bad += p[i] != (unsigned char)i;
		CU_ASSERT_EQUAL(bad, 0);
	}
	/* an over-aligned block is resized by glibc, same slot, site and type */
	void *a = NULL;
	CU_ASSERT_EQUAL(__ttst_posix_memalign(&a, 256, 64, tu, FX_SITE_NODE), 0);
	check_block(a, 64, site);
	memset(a, 7, 64);
	uint32_t aslot = blk_of(a).slot;
	char *b = realloc(a, 5000);
	check_block(b, 5000, site);
	CU_ASSERT_EQUAL(blk_of(b).slot, aslot);
	CU_ASSERT(blk_of(b).typed);
	CU_ASSERT_EQUAL(b[63], 7);
	/* a large over-aligned block moves to a plain one either way */
	void *c = NULL;
	CU_ASSERT_EQUAL(__ttst_posix_memalign(&c, 4096, 5000, tu, FX_SITE_NODE), 0);
	check_block(c, 5000, site);
	CU_ASSERT_EQUAL(blk_of(c).lg, 12);
	memset(c, 5, 5000);
	uint32_t cslot = blk_of(c).slot;
	char *d = realloc(c, 9000);
	check_block(d, 9000, site);
	CU_ASSERT(blk_of(d).slot == cslot && blk_of(d).lg == 4 && d[4999] == 5);
	CU_ASSERT_EQUAL(__ttst_posix_memalign(&c, 4096, 5000, tu, FX_SITE_NODE), 0);
	memset(c, 6, 5000);
	cslot = blk_of(c).slot;
	char *e = realloc(c, 10);
	check_block(e, 10, site);
	CU_ASSERT(blk_of(e).slot == cslot && e[9] == 6);
	free(d);
	free(e);
	free(b);
	/* small -> large (an mmapped chunk) -> small -> small: one slot throughout */
	char *m = __ttst_malloc(24, tu, FX_SITE_NODE);
	memset(m, 9, 24);
	uint32_t mslot = blk_of(m).slot;
	m = realloc(m, 40 << 20);
	check_block(m, 40 << 20, site);
	CU_ASSERT(ttst_chunk_word(blk_of(m).base) & TTST_CHUNK_MMAPPED);
	CU_ASSERT(*ttst_slot_entry(mslot) & TTST_E_LARGE);
	m[(40 << 20) - 1] = 9;
	m = realloc(m, 100);
	check_block(m, 100, site);
	CU_ASSERT_FALSE(*ttst_slot_entry(mslot) & TTST_E_LARGE);
	m = realloc(m, 1000);
	check_block(m, 1000, site);
	CU_ASSERT_EQUAL(blk_of(m).slot, mslot);
	CU_ASSERT(m[0] == 9 && m[23] == 9);
	free(m);
	CU_ASSERT_PTR_NULL(realloc(p, 0)); /* frees, as glibc */
	char *q = realloc(NULL, 10);
	check_block(q, 10, 0);
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

/* With a zero mmap threshold glibc maps even small chunks once its top chunk
 * is used up: the trailer ends the mapping and, the pad being large, the exact
 * size sits right before it. */
static void test_small_mmapped(void)
{
	enum { MAX = 20000 };
	static char *blocks[MAX];
	ttst_cache_flush(&ttst_tls);
	CU_ASSERT_FATAL(mallopt(M_MMAP_THRESHOLD, 0) == 1);
	int n = 0;
	while (n < MAX) {
		blocks[n] = malloc(1000);
		if (!blocks[n] || ttst_chunk_word(launder(blocks[n++])) & TTST_CHUNK_MMAPPED)
			break;
	}
	char *p = blocks[n - 1];
	CU_ASSERT_FATAL(p && ttst_chunk_word(launder(p)) & TTST_CHUNK_MMAPPED);
	check_block(p, 1000, 0);
	CU_ASSERT_EQUAL(*blk_of(p).entry >> TTST_E_PAD_SHIFT, TTST_PAD_LARGE);
	memset(p, 3, 1000);
	char *q = realloc(p, 10);
	check_block(q, 10, 0);
	CU_ASSERT_EQUAL(q[9], 3);
	blocks[n - 1] = q;
	for (int i = 0; i < n; i++)
		free(blocks[i]);
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	ttst_cache_flush(&ttst_tls);
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

/* The top pad the forward transfer restores after raising it (xfer_heap.c):
 * the program's mallopt wins over the tunable, which wins over the variable,
 * which wins over glibc's default. */
static void test_top_pad(void)
{
	unsetenv("GLIBC_TUNABLES");
	unsetenv("MALLOC_TOP_PAD_");
	CU_ASSERT_EQUAL(ttst_top_pad(), 128 * 1024);
	setenv("MALLOC_TOP_PAD_", "65536", 1);
	CU_ASSERT_EQUAL(ttst_top_pad(), 65536);
	setenv("GLIBC_TUNABLES", "glibc.malloc.check=0:glibc.malloc.top_pad=12288:x=1", 1);
	CU_ASSERT_EQUAL(ttst_top_pad(), 12288);
	setenv("GLIBC_TUNABLES", "glibc.malloc.top_pad=bad", 1);
	CU_ASSERT_EQUAL(ttst_top_pad(), 65536);
	CU_ASSERT_EQUAL(mallopt(M_TOP_PAD, 8192), 1);
	CU_ASSERT_EQUAL(ttst_top_pad(), 8192);
	CU_ASSERT_EQUAL(mallopt(M_TOP_PAD, 128 * 1024), 1);
	CU_ASSERT_EQUAL(ttst_top_pad(), 128 * 1024);
	unsetenv("GLIBC_TUNABLES");
	unsetenv("MALLOC_TOP_PAD_");
}

/* ttst_slot_reserve makes the chunks for the next n slots in one mapping,
 * and blocks allocated afterwards take their slots there (no new chunk). */
static void test_slot_reserve(void)
{
	uint32_t first = ttst_slot_used();
	uint64_t n = 3 * TTST_SLOT_CHUNK;
	void *lo;
	size_t len;
	CU_ASSERT_EQUAL_FATAL(ttst_slot_reserve(n, &lo, &len), 0);
	uint32_t c0 = first >> TTST_SLOT_CHUNK_BITS, c1 = (uint32_t)((first + n - 1) >> TTST_SLOT_CHUNK_BITS);
	for (uint32_t c = c0; c <= c1; c++)
		CU_ASSERT_PTR_NOT_NULL(ttst_slot_dir[c]);
	/* the chunk holding the first slot existed already unless first sat
	 * on a chunk boundary; the rest are the new mapping, in order */
	CU_ASSERT(len >= (size_t)(c1 - c0) * TTST_SLOT_CHUNK * sizeof(uint64_t));
	CU_ASSERT_PTR_EQUAL(ttst_slot_dir[c1],
			    (char *)lo + len - TTST_SLOT_CHUNK * sizeof(uint64_t));
	/* nothing missing now: a second call maps nothing */
	CU_ASSERT_EQUAL(ttst_slot_reserve(n, &lo, &len), 0);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_PTR_NULL(lo);
	/* the reserved chunks take blocks: entries written, lookups find them */
	enum { K = 70000 };
	void **p = malloc(K * sizeof *p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (int i = 0; i < K; i++)
		p[i] = malloc(24);
	for (int i = 0; i < K; i += 997)
		check_block(p[i], 24, 0);
	for (int i = 0; i < K; i++)
		free(p[i]);
	free(p);
}

int add_alloc_tests(void)
{
	CU_pSuite s = CU_add_suite("allocator", NULL, NULL);
	if (!s || !CU_add_test(s, "sizes and calloc", test_sizes) ||
	    !CU_add_test(s, "alignment", test_alignment) ||
	    !CU_add_test(s, "realloc identity", test_realloc_identity) ||
	    !CU_add_test(s, "trailer in glibc's slack", test_slack) ||
	    !CU_add_test(s, "small-block cache", test_cache) ||
	    !CU_add_test(s, "small mmapped chunks", test_small_mmapped) ||
	    !CU_add_test(s, "libc blocks enumerated", test_libc_blocks) ||
	    !CU_add_test(s, "top pad as the program has it", test_top_pad) ||
	    !CU_add_test(s, "object table chunks made ahead", test_slot_reserve))
		return -1;
	return 0;
}
