/* malloc.c -- the interposed libc allocator functions (blocks from uninstrumented code: site 0). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"

TTST_EXPORT void *malloc(size_t n)
{
	return ttst_alloc_block(n, 0, 0);
}

TTST_EXPORT void free(void *p)
{
	ttst_free_block(p);
}

TTST_EXPORT void *calloc(size_t n, size_t size)
{
	return ttst_calloc_block(n, size, 0, 0);
}

TTST_EXPORT void *realloc(void *p, size_t n)
{
	return ttst_realloc_block(p, n, 0, 0);
}

TTST_EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
	size_t total;
	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return ttst_realloc_block(p, total, 0, 0);
}

TTST_EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	if (align % sizeof(void *) || (align & (align - 1)) || !align)
		return EINVAL;
	int saved = errno;
	void *p = ttst_memalign_block(align, n, 0, 0);
	int err = errno;
	errno = saved;
	if (!p)
		return err ? err : ENOMEM;
	*out = p;
	return 0;
}

/* memalign-family alignment: glibc rounds a non-power of two up. */
static void *memalign_any(size_t align, size_t n)
{
	if (align > SIZE_MAX / 2) {
		errno = EINVAL;
		return NULL;
	}
	return ttst_memalign_block(ttst_pow2_up(align), n, 0, 0);
}

TTST_EXPORT void *aligned_alloc(size_t align, size_t n)
{
	return memalign_any(align, n);
}

TTST_EXPORT void *memalign(size_t align, size_t n)
{
	return memalign_any(align, n);
}

TTST_EXPORT void *valloc(size_t n)
{
	return ttst_memalign_block((size_t)sysconf(_SC_PAGESIZE), n, 0, 0);
}

TTST_EXPORT void *pvalloc(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	if (n > SIZE_MAX - page) {
		errno = ENOMEM;
		return NULL;
	}
	size_t rounded = n ? (n + page - 1) & ~(page - 1) : page;
	return ttst_memalign_block(page, rounded, 0, 0);
}

#define GLIBC_TOP_PAD (128l * 1024) /* DEFAULT_TOP_PAD */

static long top_pad_set = -1; /* the program's mallopt(M_TOP_PAD), -1 if none */

TTST_EXPORT int mallopt(int param, int value)
{
	int r = __libc_mallopt(param, value);
	if (r == 1 && param == M_TOP_PAD)
		__atomic_store_n(&top_pad_set, (long)value, __ATOMIC_RELAXED);
	return r;
}

/* A non-negative decimal number at s (up to a ':' or the end), or -1. */
static long pad_num(const char *s)
{
	char *end;
	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	long v = strtol(s, &end, 0);
	return errno || (*end && *end != ':') || v < 0 || v > INT_MAX ? -1 : v;
}

long ttst_top_pad(void)
{
	long v = __atomic_load_n(&top_pad_set, __ATOMIC_RELAXED);
	if (v >= 0)
		return v;
	/* what glibc read at startup: the tunable wins over the variable */
	const char *t = getenv("GLIBC_TUNABLES"), *k = t ? strstr(t, "glibc.malloc.top_pad=") : NULL;
	if (k && (v = pad_num(k + sizeof "glibc.malloc.top_pad=" - 1)) >= 0)
		return v;
	if ((v = pad_num(getenv("MALLOC_TOP_PAD_"))) >= 0)
		return v;
	return GLIBC_TOP_PAD;
}

TTST_EXPORT size_t malloc_usable_size(void *p)
{
	return ttst_usable_size(p);
}
