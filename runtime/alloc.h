/* alloc.h -- the allocator core shared by the libc-named and the site entry points (fast paths
 * inline). */
#ifndef TTST_RT_ALLOC_H
#define TTST_RT_ALLOC_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "chunk.h"
#include "slots.h"
#include "tls.h"

#define TTST_EXPORT __attribute__((visibility("default")))
#define ttst_likely(x) __builtin_expect(!!(x), 1)
#define ttst_unlikely(x) __builtin_expect(!!(x), 0)

/* glibc's allocator, underneath the trailers (exported by libc.so.6). */
extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern int __libc_mallopt(int, int);

/* glibc's top pad as the program has it (malloc.c): what it set with
 * mallopt(M_TOP_PAD), else what MALLOC_TOP_PAD_ or the glibc.malloc.top_pad
 * tunable asks for, else glibc's default.  The forward transfer raises the
 * pad for a moment and puts this back. */
long ttst_top_pad(void);

/*
 * Small-block cache.  A small request of n bytes needs n + 8 bytes from
 * glibc, whose chunk for it is (n + 8 + 8) rounded up to 16, at least 32 (the
 * second 8 being glibc's size field).  Small blocks are allocated as exactly
 * their chunk class minus 8, so they use the same memory as an exact request,
 * and every freed block of a class fits every request of that class: free()
 * keeps up to TTST_BIN_MAX blocks per class (at most TTST_CACHE_BYTES per
 * thread), filed by their real chunk size, and malloc() reuses them without
 * calling glibc.  Cached blocks have given their slot back, so they are never
 * enumerated.  Large blocks (chunk.h) are never cached.
 */
#define TTST_BIN_MAX 256
#define TTST_CACHE_BYTES (1u << 20)
_Static_assert(TTST_SMALL_MAX + TTST_TRAILER_BYTES + 8 == TTST_NCLASS * 16,
	       "small blocks are exactly the cache's classes");

/* Chunk class (chunk bytes / 16) of a small block for n user bytes; a class
 * above TTST_NCLASS means a large block. */
static inline size_t ttst_class(size_t n)
{
	if (n > TTST_SMALL_MAX)
		return TTST_NCLASS + 1;
	size_t k = (n + TTST_TRAILER_BYTES + 8 + 15) >> 4;
	return k < TTST_CHUNK_MIN / 16 ? TTST_CHUNK_MIN / 16 : k;
}

/* Returns every cached block of t to glibc (thread exit). */
void ttst_cache_flush(struct ttst_tls *t);

/* Slow path of ttst_blk_finish: the thread's TLS is not attached or has exited. */
void *ttst_blk_finish_slow(void *p, size_t usable, size_t n, uint32_t site, unsigned typed);

/* Gives fresh block base back to glibc when no slot could be had; sets errno
 * to ENOMEM and returns NULL. */
void *ttst_blk_noslot(void *base);

/* A large block (chunk.h) of n bytes, zeroed if zero; NULL with errno set on failure. */
void *ttst_alloc_large(size_t n, uint32_t site, unsigned typed, int zero);

/* Registers fresh glibc block base as a large block of n bytes whose user
 * pointer is base + 2^lg and writes its header.  Returns the user pointer, or
 * NULL with errno ENOMEM (base given back) if the object table cannot grow. */
void *ttst_head_finish(void *base, unsigned lg, size_t n, uint32_t site, unsigned typed);

/* Adds (objs, bytes) to the calling thread's heap counters, or to the global
 * ones if the thread has exited. */
void ttst_count(unsigned typed, int64_t objs, int64_t bytes);

/* Slow path of ttst_free_block: p is not a small, plain, live block of ours
 * (large, mmapped, foreign, double free, or the thread is not attached). */
void ttst_free_slow(void *p);

/* Reports (once per process) a pointer that libttst did not allocate and
 * will therefore leak rather than pass to glibc.  op is "free" / "realloc". */
void ttst_report_foreign(const char *op, const void *p);

/* The calling thread's pending wrapper site replaces an untyped site. */
static inline void ttst_site_pending(struct ttst_tls *t, uint32_t *site, unsigned *typed)
{
	if (ttst_unlikely(!*typed && t->pending)) {
		*site = t->pending >> 1;
		*typed = t->pending & 1;
	}
}

/* Registers fresh small block p (usable bytes from glibc, n requested, site
 * number, typed) in the object table and writes its trailer.  Returns p, or
 * NULL with errno ENOMEM (p given back) if the object table cannot grow. */
static inline void *ttst_blk_finish(void *p, size_t usable, size_t n, uint32_t site, unsigned typed)
{
	struct ttst_tls *t = &ttst_tls;
	ttst_site_pending(t, &site, &typed);
	if (ttst_unlikely(t->state != TTST_TLS_LIVE))
		return ttst_blk_finish_slow(p, usable, n, site, typed);
	uint32_t slot = ttst_slot_take(t, ttst_entry_small(p, usable, n, typed));
	if (ttst_unlikely(!slot))
		return ttst_blk_noslot(p);
	*ttst_trailer_at(p, usable) = (struct ttst_trailer){site, slot};
	t->objs[typed]++;
	t->bytes[typed] += (int64_t)n;
	return p;
}

/* A cached block of class k <= TTST_NCLASS for the calling thread, or NULL. */
static inline void *ttst_cache_pop(size_t k)
{
	struct ttst_tls *t = &ttst_tls;
	if (t->state != TTST_TLS_LIVE)
		return NULL;
	void *p = t->bin[k];
	if (p) {
		t->bin[k] = *(void **)p;
		t->bin_n[k]--;
		t->cached -= k * 16;
	}
	return p;
}

/* Keeps block p of class k in the thread's cache; 0 if it was not taken. */
static inline int ttst_cache_push(struct ttst_tls *t, void *p, size_t k)
{
	if (k > TTST_NCLASS || t->bin_n[k] >= TTST_BIN_MAX || t->cached + k * 16 > TTST_CACHE_BYTES)
		return 0;
	*(void **)p = t->bin[k];
	t->bin[k] = p;
	t->bin_n[k]++;
	t->cached += k * 16;
	return 1;
}

/* Bytes of the glibc chunk a block of n bytes takes: what ttst_alloc_block
 * asks glibc for (a small class, or n plus the large header), rounded as
 * glibc rounds. */
static inline uint64_t ttst_chunk_bytes(uint64_t n)
{
	size_t k = ttst_class(n);
	return k <= TTST_NCLASS ? k * 16 : (n + sizeof(struct ttst_head) + 8 + 15) & ~15ull;
}

/* malloc with a site number (0 = unknown); typed: the site has a type.
 * NULL with errno set on failure. */
static inline void *ttst_alloc_block(size_t n, uint32_t site, unsigned typed)
{
	size_t k = ttst_class(n);
	if (ttst_unlikely(k > TTST_NCLASS))
		return ttst_alloc_large(n, site, typed, 0);
	size_t usable = k * 16 - 8;
	void *p = ttst_cache_pop(k);
	if (!p) {
		p = __libc_malloc(k * 16 - 8);
		if (ttst_unlikely(!p))
			return NULL;
		usable = ttst_chunk_usable(ttst_chunk_word(p));
	}
	return ttst_blk_finish(p, usable, n, site, typed);
}

/* free: any pointer (NULL is ignored; pointers we did not allocate are reported and leaked). */
static inline void ttst_free_block(void *p)
{
	if (!p)
		return;
	uint64_t w = ttst_chunk_word(p);
	struct ttst_tls *t = &ttst_tls;
	if (ttst_unlikely(!ttst_small_fast(p, w) || t->state != TTST_TLS_LIVE)) {
		ttst_free_slow(p);
		return;
	}
	size_t usable = ttst_chunk_usable(w);
	uint32_t slot = ttst_trailer_at(p, usable)->slot;
	uint64_t *e = ttst_slot_entry_checked(slot);
	uint64_t ev;
	if (ttst_unlikely(!e || !ttst_entry_is(ev = *e, p, 0))) {
		ttst_report_foreign("free", p);
		return;
	}
	unsigned typed = ttst_entry_typed(ev);
	size_t n = ttst_entry_size(ev, p, usable);
	ttst_slot_put(t, slot, e);
	t->objs[typed]--;
	t->bytes[typed] -= (int64_t)n;
	if (ttst_cache_push(t, p, (usable + 8) >> 4))
		return;
	__libc_free(p);
}

/* calloc with a site number; checks n * size for overflow. */
void *ttst_calloc_block(size_t n, size_t size, uint32_t site, unsigned typed);

/* realloc keeping the block's slot (identity) and site; for p == NULL it
 * allocates with site/typed.  n == 0 frees p and returns NULL (as glibc). */
void *ttst_realloc_block(void *p, size_t n, uint32_t site, unsigned typed);

/* Allocation aligned to align (a power of two; <= 16 is a plain block).  NULL
 * with errno set on failure. */
void *ttst_memalign_block(size_t align, size_t n, uint32_t site, unsigned typed);

/* The size the program asked for, 0 for NULL or a pointer we did not allocate. */
size_t ttst_usable_size(const void *p);

/* Smallest power of two >= a (a <= SIZE_MAX / 2). */
static inline size_t ttst_pow2_up(size_t a)
{
	size_t p = 1;
	while (p < a)
		p <<= 1;
	return p;
}

#endif /* TTST_RT_ALLOC_H */
