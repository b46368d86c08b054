/* alloc.c -- the allocator core's slow paths: block checks, large blocks, calloc, realloc,
 * over-aligned blocks, foreign pointers, unattached threads, the cache flush. */
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

/* Non-zero if size word w at p can be a small mmapped chunk of glibc's: the
 * mapping (chunk minus its alignment offset prev_size) starts and ends on a
 * page boundary, as glibc's munmap_chunk checks, and is small. */
static int mmapped_small(const void *p, uint64_t w)
{
	uint64_t size = w & ~(uint64_t)TTST_CHUNK_FLAGS;
	uint64_t off = ((const uint64_t *)p)[-2];
	uintptr_t start = (uintptr_t)p - 16 - off;
	return off < TTST_SMALL_MMAP_MAX && off + size <= TTST_SMALL_MMAP_MAX &&
	       !((start | (off + size)) & (TTST_PAGE_MIN - 1));
}

static int check_small(const void *p, uint64_t w, struct ttst_blk *b)
{
	uint64_t size = w & ~(uint64_t)TTST_CHUNK_FLAGS;
	if (size < TTST_CHUNK_MIN)
		return -1;
	if (w & TTST_CHUNK_MMAPPED ? !mmapped_small(p, w) : size > TTST_SMALL_CHUNK_MAX)
		return -1;
	size_t usable = ttst_chunk_usable(w);
	struct ttst_trailer tr = *ttst_trailer_at(p, usable);
	uint64_t *e = ttst_slot_entry_checked(tr.slot);
	if (!e || !ttst_entry_is(*e, p, 0))
		return -1;
	*b = (struct ttst_blk){.p = (void *)p,
			       .base = (void *)p,
			       .size = ttst_entry_size(*e, p, usable),
			       .usable = usable,
			       .site = tr.site,
			       .slot = tr.slot,
			       .typed = ttst_entry_typed(*e),
			       .entry = e};
	return 0;
}

static inline int check_large(const void *p, uint64_t w, struct ttst_blk *b)
{
	unsigned lg = (unsigned)(w >> 8) & 0xFF;
	if (lg < 4 || lg > 62 || ((uintptr_t)p & ((1ull << lg) - 1)))
		return -1;
	struct ttst_head h = *ttst_head_of(p);
	uint64_t *e = ttst_slot_entry_checked(h.slot);
	if (!e || !ttst_entry_is(*e, p, TTST_E_LARGE))
		return -1;
	*b = (struct ttst_blk){.p = (void *)p,
			       .base = (char *)p - (1ull << lg),
			       .size = (size_t)(w >> 16),
			       .site = h.site,
			       .slot = h.slot,
			       .typed = ttst_entry_typed(*e),
			       .lg = lg,
			       .entry = e};
	return 0;
}

int ttst_blk_check(const void *p, struct ttst_blk *b)
{
	if (!p || ((uintptr_t)p & 15))
		return -1;
	uint64_t w = ttst_chunk_word(p);
	if ((w & 0xFF) == TTST_HEAD_MAGIC)
		return check_large(p, w, b);
	return w & 8 ? -1 : check_small(p, w, b);
}

void ttst_blk_from_entry(uint64_t e, uint32_t slot, struct ttst_blk *b)
{
	void *p = ttst_entry_ptr(e);
	uint64_t w = ttst_chunk_word(p);
	*b = (struct ttst_blk){.p = p, .slot = slot, .typed = ttst_entry_typed(e)};
	b->entry = ttst_slot_entry(slot);
	if (e & TTST_E_LARGE) {
		b->lg = (unsigned)(w >> 8) & 0xFF;
		b->base = (char *)p - (1ull << b->lg);
		b->size = (size_t)(w >> 16);
		b->site = ttst_head_of(p)->site;
	} else {
		b->base = p;
		b->usable = ttst_chunk_usable(w);
		b->size = ttst_entry_size(e, p, b->usable);
		b->site = ttst_trailer_at(p, b->usable)->site;
	}
}

void ttst_count(unsigned typed, int64_t objs, int64_t bytes)
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

/* A slot holding entry e, from the thread's stack or (unattached thread) the
 * global list; 0 if the table is full. */
static uint32_t take_slot(uint64_t e)
{
	struct ttst_tls *t = &ttst_tls;
	if (t->state == TTST_TLS_NEW)
		ttst_tls_attach(t);
	return t->state == TTST_TLS_LIVE ? ttst_slot_take(t, e) : ttst_slot_take_global(e);
}

void *ttst_blk_noslot(void *base)
{
	__libc_free(base);
	errno = ENOMEM;
	return NULL;
}

void *ttst_blk_finish_slow(void *p, size_t usable, size_t n, uint32_t site, unsigned typed)
{
	uint32_t slot = take_slot(ttst_entry_small(p, usable, n, typed));
	if (!slot)
		return ttst_blk_noslot(p);
	*ttst_trailer_at(p, usable) = (struct ttst_trailer){site, slot};
	ttst_count(typed, 1, (int64_t)n);
	return p;
}

void *ttst_head_finish(void *base, unsigned lg, size_t n, uint32_t site, unsigned typed)
{
	struct ttst_tls *t = &ttst_tls;
	ttst_site_pending(t, &site, &typed);
	void *p = (char *)base + (1ull << lg);
	uint64_t e = (uintptr_t)p | ((uint64_t)typed << 1) | TTST_E_LARGE;
	int live = t->state == TTST_TLS_LIVE;
	uint32_t slot = live ? ttst_slot_take(t, e) : take_slot(e);
	if (!slot)
		return ttst_blk_noslot(base);
	*ttst_head_of(p) = (struct ttst_head){site, slot, ttst_head_word(n, lg)};
	if (live) {
		t->objs[typed]++;
		t->bytes[typed] += (int64_t)n;
	} else {
		ttst_count(typed, 1, (int64_t)n);
	}
	return p;
}

void *ttst_alloc_large(size_t n, uint32_t site, unsigned typed, int zero)
{
	if (n > TTST_MAX_SIZE) {
		errno = ENOMEM;
		return NULL;
	}
	size_t bytes = n + sizeof(struct ttst_head);
	void *base = zero ? __libc_calloc(1, bytes) : __libc_malloc(bytes);
	if (!base)
		return NULL;
	return ttst_head_finish(base, 4, n, site, typed);
}

void ttst_free_slow(void *p)
{
	struct ttst_tls *t = &ttst_tls;
	struct ttst_blk b;
	uint64_t w = ((uintptr_t)p & 15) ? 0 : ttst_chunk_word(p);
	if ((w & 0xFF) == TTST_HEAD_MAGIC && t->state == TTST_TLS_LIVE) {
		/* the common case here: a large block freed by an attached thread */
		if (check_large(p, w, &b) < 0) {
			ttst_report_foreign("free", p);
			return;
		}
		ttst_slot_put(t, b.slot, b.entry);
		t->objs[b.typed]--;
		t->bytes[b.typed] -= (int64_t)b.size;
		__libc_free(b.base);
		return;
	}
	if (ttst_blk_check(p, &b) < 0) {
		ttst_report_foreign("free", p);
		return;
	}
	if (t->state == TTST_TLS_NEW)
		ttst_tls_attach(t);
	if (t->state == TTST_TLS_LIVE)
		ttst_slot_put(t, b.slot, b.entry);
	else
		ttst_slot_put_global(b.slot);
	ttst_count(b.typed, -1, -(int64_t)b.size);
	__libc_free(b.base);
}

void ttst_cache_flush(struct ttst_tls *t)
{
	for (size_t k = 0; k <= TTST_NCLASS; k++) {
		void *p = t->bin[k], *next;
		for (; p; p = next) {
			next = *(void **)p;
			__libc_free(p);
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
	size_t k = ttst_class(total);
	if (k > TTST_NCLASS)
		return ttst_alloc_large(total, site, typed, 1);
	size_t usable = k * 16 - 8;
	void *p = ttst_cache_pop(k);
	if (p) {
		memset(p, 0, total);
	} else {
		p = __libc_calloc(1, k * 16 - 8);
		if (!p)
			return NULL;
		usable = ttst_chunk_usable(ttst_chunk_word(p));
	}
	return ttst_blk_finish(p, usable, total, site, typed);
}

/* Points b's slot at small block p of n bytes and writes its trailer. */
static void *small_place(void *p, size_t n, const struct ttst_blk *b)
{
	size_t usable = ttst_chunk_usable(ttst_chunk_word(p));
	*b->entry = ttst_entry_small(p, usable, n, b->typed);
	*ttst_trailer_at(p, usable) = (struct ttst_trailer){b->site, b->slot};
	return p;
}

/* Points b's slot at the plain large block at glibc pointer base, n bytes. */
static void *large_place(void *base, size_t n, const struct ttst_blk *b)
{
	void *p = (char *)base + sizeof(struct ttst_head);
	*ttst_head_of(p) = (struct ttst_head){b->site, b->slot, ttst_head_word(n, 4)};
	*b->entry = (uintptr_t)p | ((uint64_t)b->typed << 1) | TTST_E_LARGE;
	return p;
}

/* Resizes live block b to n bytes (0 < n <= TTST_MAX_SIZE): glibc resizes or
 * moves it when the layout stays, else it is copied to a fresh block.
 * Returns the new user pointer, or NULL (b untouched) if out of memory. */
static void *resize(const struct ttst_blk *b, size_t n)
{
	size_t k = ttst_class(n);
	int small = k <= TTST_NCLASS;
	void *nb;
	if (small && !b->lg) {
		nb = __libc_realloc(b->base, k * 16 - 8);
		return nb ? small_place(nb, n, b) : NULL;
	}
	if (!small && b->lg == 4) {
		nb = __libc_realloc(b->base, n + sizeof(struct ttst_head));
		return nb ? large_place(nb, n, b) : NULL;
	}
	/* small <-> large, or over-aligned: an over-aligned block may lose its
	 * alignment, as with glibc */
	nb = __libc_malloc(small ? k * 16 - 8 : n + sizeof(struct ttst_head));
	if (!nb)
		return NULL;
	void *np = small ? nb : (char *)nb + sizeof(struct ttst_head);
	memcpy(np, b->p, b->size < n ? b->size : n);
	__libc_free(b->base);
	return small ? small_place(nb, n, b) : large_place(nb, n, b);
}

void *ttst_realloc_block(void *p, size_t n, uint32_t site, unsigned typed)
{
	if (!p)
		return ttst_alloc_block(n, site, typed);
	if (n == 0) {
		ttst_free_block(p);
		return NULL;
	}
	struct ttst_blk b;
	if (ttst_blk_check(p, &b) < 0) {
		ttst_report_foreign("realloc", p);
		errno = EINVAL;
		return NULL;
	}
	if (n > TTST_MAX_SIZE) {
		errno = ENOMEM;
		return NULL;
	}
	void *np = resize(&b, n);
	if (np)
		ttst_count(b.typed, 0, (int64_t)n - (int64_t)b.size);
	return np;
}

void *ttst_memalign_block(size_t align, size_t n, uint32_t site, unsigned typed)
{
	if (align <= 16)
		return ttst_alloc_block(n, site, typed);
	if (n > TTST_MAX_SIZE || align > TTST_MAX_SIZE) {
		errno = ENOMEM;
		return NULL;
	}
	/* small and modestly aligned: glibc's aligned chunk with a trailer (if
	 * glibc left it no larger than the checks accept; else it goes back) */
	if (n <= TTST_SMALL_MAX && align <= TTST_SMALL_ALIGN_MAX) {
		void *p = __libc_memalign(align, n + TTST_TRAILER_BYTES);
		if (!p)
			return NULL;
		uint64_t w = ttst_chunk_word(p);
		if (w & TTST_CHUNK_MMAPPED
			? mmapped_small(p, w)
			: (w & ~(uint64_t)TTST_CHUNK_FLAGS) <= TTST_SMALL_CHUNK_MAX)
			return ttst_blk_finish(p, ttst_chunk_usable(w), n, site, typed);
		__libc_free(p);
	}
	/* the header fits in the alignment padding before the user pointer */
	void *base = __libc_memalign(align, align + n);
	if (!base)
		return NULL;
	return ttst_head_finish(base, (unsigned)__builtin_ctzll(align), n, site, typed);
}

size_t ttst_usable_size(const void *p)
{
	struct ttst_blk b;
	return ttst_blk_check(p, &b) < 0 ? 0 : b.size;
}
