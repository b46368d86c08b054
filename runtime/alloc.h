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

/* glibc's allocator, underneath the headers (exported by libc.so.6). */
extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

/*
 * Small-block cache.  A request of n bytes needs n + 16 bytes from glibc, whose
 * chunk for it is (n + 16 + 8) rounded up to 16 (the 8 being glibc's size
 * field).  Small blocks are allocated as exactly their chunk class minus 8, so
 * they use the same memory as an exact request, and every freed block of a
 * class fits every request of that class: free() keeps up to
 * TTST_BIN_MAX blocks per class (at most TTST_CACHE_BYTES per thread) and
 * malloc() reuses them without calling glibc.  Cached blocks have given their
 * slot back, so they are never enumerated.
 */
#define TTST_BIN_MAX 256
#define TTST_CACHE_BYTES (1u << 20)

/* Chunk class (chunk bytes / 16) of a block for n user bytes. */
static inline size_t ttst_class(size_t n)
{
	return (n + sizeof(struct ttst_hdr) + 8 + 15) >> 4;
}

/* Bytes to ask glibc for, for n user bytes (n <= TTST_MAX_SIZE). */
static inline size_t ttst_alloc_bytes(size_t n)
{
	size_t k = ttst_class(n);
	return k <= TTST_NCLASS ? k * 16 - 8 : n + sizeof(struct ttst_hdr);
}

/* Returns every cached block of t to glibc (thread exit). */
void ttst_cache_flush(struct ttst_tls *t);

/* Slow path of ttst_hdr_finish: the thread's TLS is not attached or has exited. */
void *ttst_hdr_finish_slow(struct ttst_hdr *h, size_t n, uint32_t site, unsigned magic);

/* Slow path of ttst_free_block: p is not a plain live block of ours (aligned,
 * foreign, double free, or the thread exited). */
void ttst_free_slow(void *p);

/* Reports (once per process) a pointer that libttst did not allocate and
 * will therefore leak rather than pass to glibc.  op is "free" / "realloc". */
void ttst_report_foreign(const char *op, const void *p);

/* Fills the header of a fresh block h (n user bytes, site number, typed) and
 * registers it in the object table.  Returns the user pointer. */
static inline void *ttst_hdr_finish(struct ttst_hdr *h, size_t n, uint32_t site, unsigned typed,
				    unsigned aligned)
{
	struct ttst_tls *t = &ttst_tls;
	if (ttst_unlikely(!typed && t->pending)) {
		site = t->pending >> 1;
		typed = t->pending & 1;
	}
	unsigned magic = TTST_MAGIC_BASE | typed | aligned;
	if (ttst_unlikely(t->state != TTST_TLS_LIVE))
		return ttst_hdr_finish_slow(h, n, site, magic);
	h->site = site;
	h->slot = ttst_slot_take(t, (uintptr_t)h);
	h->word = ttst_hdr_word(n, magic);
	t->objs[typed]++;
	t->bytes[typed] += (int64_t)n;
	return h + 1;
}

/* A cached block of class k for the calling thread, or NULL. */
static inline struct ttst_hdr *ttst_cache_pop(size_t k)
{
	struct ttst_tls *t = &ttst_tls;
	if (k > TTST_NCLASS || t->state != TTST_TLS_LIVE)
		return NULL;
	struct ttst_hdr *h = t->bin[k];
	if (h) {
		t->bin[k] = *(void **)h;
		t->bin_n[k]--;
		t->cached -= k * 16;
	}
	return h;
}

/* Keeps block h of class k in the thread's cache; 0 if it was not taken. */
static inline int ttst_cache_push(struct ttst_tls *t, struct ttst_hdr *h, size_t k)
{
	if (k > TTST_NCLASS || t->bin_n[k] >= TTST_BIN_MAX || t->cached + k * 16 > TTST_CACHE_BYTES)
		return 0;
	h->word = ttst_hdr_word(0, TTST_MAGIC_FREED);
	*(void **)h = t->bin[k];
	t->bin[k] = h;
	t->bin_n[k]++;
	t->cached += k * 16;
	return 1;
}

/* malloc with a site number (0 = unknown); typed: the site has a type. */
static inline void *ttst_alloc_block(size_t n, uint32_t site, unsigned typed)
{
	if (ttst_unlikely(n > TTST_MAX_SIZE)) {
		errno = ENOMEM;
		return NULL;
	}
	struct ttst_hdr *h = ttst_cache_pop(ttst_class(n));
	if (!h) {
		h = __libc_malloc(ttst_alloc_bytes(n));
		if (ttst_unlikely(!h))
			return NULL;
	}
	return ttst_hdr_finish(h, n, site, typed, 0);
}

/* free: any pointer (NULL is ignored; pointers we did not allocate are reported and leaked). */
static inline void ttst_free_block(void *p)
{
	if (!p)
		return;
	struct ttst_hdr *h = ttst_hdr_of(p);
	uint64_t w = h->word;
	unsigned magic = (unsigned)(w >> TTST_SIZE_BITS);
	struct ttst_tls *t = &ttst_tls;
	if (ttst_unlikely((magic & ~1u) != TTST_MAGIC_BASE || t->state != TTST_TLS_LIVE)) {
		ttst_free_slow(p);
		return;
	}
	uint32_t slot = h->slot;
	if (ttst_likely(slot)) {
		uintptr_t *e = ttst_slot_entry_checked(slot);
		if (ttst_unlikely(!e || *e != (uintptr_t)h)) {
			ttst_report_foreign("free", p);
			return;
		}
		ttst_slot_put(t, slot, e);
	}
	unsigned typed = magic & TTST_MAGIC_TYPED;
	size_t n = (size_t)(w & TTST_SIZE_MASK);
	t->objs[typed]--;
	t->bytes[typed] -= (int64_t)n;
	if (ttst_cache_push(t, h, ttst_class(n)))
		return;
	h->word = ttst_hdr_word(0, TTST_MAGIC_FREED);
	__libc_free(h);
}

/* calloc with a site number; checks n * size for overflow. */
void *ttst_calloc_block(size_t n, size_t size, uint32_t site, unsigned typed);

/* realloc keeping the block's slot (identity) and site; for p == NULL it
 * allocates with site/typed.  n == 0 frees p and returns NULL (as glibc). */
void *ttst_realloc_block(void *p, size_t n, uint32_t site, unsigned typed);

/* Allocation aligned to align (a power of two; <= 16 is a plain block). */
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
