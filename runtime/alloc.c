/* alloc.c -- the allocator core's slow paths: calloc, realloc, aligned blocks, foreign pointers,
 * exited threads. */
#define _GNU_SOURCE
#include "alloc.h"

#include <string.h>

#include "log.h"

void ttst_report_foreign(const char *op, const void *p)
{
	static int reported;
	if (!__atomic_exchange_n(&reported, 1, __ATOMIC_RELAXED))
		ttst_warn("%s(%p): not a live block allocated through ttst (allocated before ttst "
			  "was loaded, already freed, or not from malloc); leaking it instead of "
			  "corrupting the heap (reported once)",
			  op, p);
	else
		ttst_debug("%s(%p): not a live ttst block; leaked", op, p);
}

/* Adds (objs, bytes) to the calling thread's counters, or the global ones. */
static void count(unsigned typed, int64_t objs, int64_t bytes)
{
	struct ttst_tls *t = &ttst_tls;
	if (t->state == TTST_TLS_NEW)
		ttst_tls_attach(t);
	if (t->state == TTST_TLS_LIVE) {
		t->objs[typed] += objs;
		t->bytes[typed] += bytes;
	} else {
		ttst_tls_count_global(typed, objs, bytes);
	}
}

void *ttst_hdr_finish_slow(struct ttst_hdr *h, size_t n, uint32_t site, unsigned magic)
{
	struct ttst_tls *t = &ttst_tls;
	if (t->state == TTST_TLS_NEW)
		ttst_tls_attach(t);
	h->site = site;
	if (t->state == TTST_TLS_LIVE)
		h->slot = ttst_slot_take(t, (uintptr_t)h);
	else
		h->slot = ttst_slot_take_global((uintptr_t)h);
	h->word = ttst_hdr_word(n, magic);
	count(magic & TTST_MAGIC_TYPED, 1, (int64_t)n);
	return h + 1;
}

/* Returns h's slot entry if h is a live block of ours (slot 0 allowed), else
 * sets *bad and returns NULL. */
static uintptr_t *check_live(struct ttst_hdr *h, int *bad)
{
	*bad = 0;
	if (!ttst_magic_live(ttst_hdr_magic(h))) {
		*bad = 1;
		return NULL;
	}
	if (!h->slot)
		return NULL;
	uintptr_t *e = ttst_slot_entry_checked(h->slot);
	if (!e || *e != (uintptr_t)h)
		*bad = 1;
	return e;
}

void ttst_free_slow(void *p)
{
	struct ttst_hdr *h = ttst_hdr_of(p);
	int bad;
	uintptr_t *e = check_live(h, &bad);
	if (bad) {
		ttst_report_foreign("free", p);
		return;
	}
	struct ttst_tls *t = &ttst_tls;
	if (t->state == TTST_TLS_NEW)
		ttst_tls_attach(t);
	if (e) {
		if (t->state == TTST_TLS_LIVE)
			ttst_slot_put(t, h->slot, e);
		else
			ttst_slot_put_global(h->slot);
	}
	unsigned magic = ttst_hdr_magic(h);
	count(magic & TTST_MAGIC_TYPED, -1, -(int64_t)ttst_hdr_size(h));
	void *base = ttst_hdr_base(h);
	h->word = ttst_hdr_word(0, TTST_MAGIC_FREED);
	__libc_free(base);
}

void ttst_cache_flush(struct ttst_tls *t)
{
	for (size_t k = 0; k <= TTST_NCLASS; k++) {
		void *h = t->bin[k], *next;
		for (; h; h = next) {
			next = *(void **)h;
			__libc_free(h);
		}
		t->bin[k] = NULL;
		t->bin_n[k] = 0;
	}
	t->cached = 0;
}

void *ttst_calloc_block(size_t n, size_t size, uint32_t site, unsigned typed)
{
	size_t total;
	if (__builtin_mul_overflow(n, size, &total) || total > TTST_MAX_SIZE) {
		errno = ENOMEM;
		return NULL;
	}
	struct ttst_hdr *h = ttst_cache_pop(ttst_class(total));
	if (h)
		memset(h + 1, 0, total);
	else if (!(h = __libc_calloc(1, ttst_alloc_bytes(total))))
		return NULL;
	return ttst_hdr_finish(h, total, site, typed, 0);
}

/* Moves an over-aligned block to a plain one of n bytes, keeping header fields. */
static struct ttst_hdr *unalign(struct ttst_hdr *h, size_t n)
{
	struct ttst_hdr *nh = __libc_malloc(ttst_alloc_bytes(n));
	if (!nh)
		return NULL;
	size_t old = ttst_hdr_size(h);
	*nh = *h;
	memcpy(nh + 1, h + 1, old < n ? old : n);
	__libc_free(ttst_hdr_base(h));
	return nh;
}

void *ttst_realloc_block(void *p, size_t n, uint32_t site, unsigned typed)
{
	if (!p)
		return ttst_alloc_block(n, site, typed);
	if (n == 0) {
		ttst_free_block(p);
		return NULL;
	}
	struct ttst_hdr *h = ttst_hdr_of(p);
	int bad;
	check_live(h, &bad);
	if (bad) {
		ttst_report_foreign("realloc", p);
		errno = EINVAL;
		return NULL;
	}
	if (n > TTST_MAX_SIZE) {
		errno = ENOMEM;
		return NULL;
	}
	unsigned magic = ttst_hdr_magic(h);
	size_t old = ttst_hdr_size(h);
	struct ttst_hdr *nh;
	if (magic & TTST_MAGIC_ALIGNED)
		nh = unalign(h, n);
	else
		nh = __libc_realloc(h, ttst_alloc_bytes(n));
	if (!nh)
		return NULL;
	magic &= ~TTST_MAGIC_ALIGNED;
	nh->word = ttst_hdr_word(n, magic);
	if (nh->slot)
		*ttst_slot_entry(nh->slot) = (uintptr_t)nh;
	count(magic & TTST_MAGIC_TYPED, 0, (int64_t)n - (int64_t)old);
	return nh + 1;
}

void *ttst_memalign_block(size_t align, size_t n, uint32_t site, unsigned typed)
{
	if (align <= 16)
		return ttst_alloc_block(n, site, typed);
	size_t total;
	if (n > TTST_MAX_SIZE ||
	    __builtin_add_overflow(n, align + 2 * sizeof(struct ttst_hdr), &total)) {
		errno = ENOMEM;
		return NULL;
	}
	char *base = __libc_malloc(total - sizeof(struct ttst_hdr));
	if (!base)
		return NULL;
	uintptr_t user = ((uintptr_t)base + 2 * sizeof(struct ttst_hdr) + align - 1) & ~(align - 1);
	struct ttst_hdr *h = (struct ttst_hdr *)user - 1;
	((void **)h)[-2] = base;
	((void **)h)[-1] = NULL;
	return ttst_hdr_finish(h, n, site, typed, TTST_MAGIC_ALIGNED);
}

size_t ttst_usable_size(const void *p)
{
	if (!p)
		return 0;
	struct ttst_hdr *h = ttst_hdr_of(p);
	int bad;
	check_live(h, &bad);
	return bad ? 0 : ttst_hdr_size(h);
}
