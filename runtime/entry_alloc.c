/* entry_alloc.c -- the __ttst_* allocation entry points the pass redirects calls to, and wrapper
 * sites. */
#define _GNU_SOURCE
#include <string.h>

#include "alloc.h"
#include "sites.h"
#include "ttst/interface.h"

TTST_EXPORT void *__ttst_malloc(size_t size, struct ttst_tu_hdr *tu, uint32_t site)
{
	unsigned typed;
	uint32_t s = ttst_site_number(tu, site, &typed);
	return ttst_alloc_block(size, s, typed);
}

TTST_EXPORT void *__ttst_calloc(size_t n, size_t size, struct ttst_tu_hdr *tu, uint32_t site)
{
	unsigned typed;
	uint32_t s = ttst_site_number(tu, site, &typed);
	return ttst_calloc_block(n, size, s, typed);
}

TTST_EXPORT void *__ttst_realloc(void *p, size_t size, struct ttst_tu_hdr *tu, uint32_t site)
{
	unsigned typed = 0;
	uint32_t s = p ? 0 : ttst_site_number(tu, site, &typed);
	return ttst_realloc_block(p, size, s, typed);
}

TTST_EXPORT void *__ttst_reallocarray(void *p, size_t n, size_t size, struct ttst_tu_hdr *tu,
				      uint32_t site)
{
	size_t total;
	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return __ttst_realloc(p, total, tu, site);
}

TTST_EXPORT char *__ttst_strdup(const char *str, struct ttst_tu_hdr *tu, uint32_t site)
{
	size_t n = strlen(str) + 1;
	char *p = __ttst_malloc(n, tu, site);
	if (p)
		memcpy(p, str, n);
	return p;
}

TTST_EXPORT char *__ttst_strndup(const char *str, size_t n, struct ttst_tu_hdr *tu, uint32_t site)
{
	size_t len = strnlen(str, n);
	char *p = __ttst_malloc(len + 1, tu, site);
	if (p) {
		memcpy(p, str, len);
		p[len] = 0;
	}
	return p;
}

TTST_EXPORT int __ttst_posix_memalign(void **out, size_t align, size_t size, struct ttst_tu_hdr *tu,
				      uint32_t site)
{
	if (align % sizeof(void *) || (align & (align - 1)) || !align)
		return EINVAL;
	unsigned typed;
	uint32_t s = ttst_site_number(tu, site, &typed);
	int saved = errno;
	void *p = ttst_memalign_block(align, size, s, typed);
	int err = errno;
	errno = saved;
	if (!p)
		return err ? err : ENOMEM;
	*out = p;
	return 0;
}

TTST_EXPORT void *__ttst_aligned_alloc(size_t align, size_t size, struct ttst_tu_hdr *tu,
				       uint32_t site)
{
	if (align > SIZE_MAX / 2) {
		errno = EINVAL;
		return NULL;
	}
	unsigned typed;
	uint32_t s = ttst_site_number(tu, site, &typed);
	return ttst_memalign_block(ttst_pow2_up(align), size, s, typed);
}

TTST_EXPORT void __ttst_free(void *p)
{
	ttst_free_block(p);
}

/* The pending site is the innermost typed wrapper site, else the innermost
 * wrapper site if no outer one is pending (its identity still helps). */
TTST_EXPORT void __ttst_site_enter(struct ttst_tu_hdr *tu, uint32_t site)
{
	struct ttst_tls *t = &ttst_tls;
	unsigned typed;
	uint32_t s = ttst_site_number(tu, site, &typed);
	uint32_t cur = t->pending;
	if (s && (typed || !cur))
		cur = (s << 1) | typed;
	if (t->pend_depth < TTST_PEND_DEPTH)
		t->pend[t->pend_depth] = t->pending;
	t->pend_depth++;
	t->pending = cur;
}

TTST_EXPORT void __ttst_site_leave(void)
{
	struct ttst_tls *t = &ttst_tls;
	if (!t->pend_depth)
		return;
	t->pend_depth--;
	if (t->pend_depth < TTST_PEND_DEPTH)
		t->pending = t->pend[t->pend_depth];
}
