/* chunk.h -- the two block layouts (8-byte trailer for small blocks, 16-byte header for large
 * ones) and the object-table entry that describes a block: layouts, checks, helpers. */
#ifndef TTST_RT_CHUNK_H
#define TTST_RT_CHUNK_H

#include <stddef.h>
#include <stdint.h>

/*
 * Every block handed out by libttst is a glibc chunk.
 *
 * SMALL blocks (n <= TTST_SMALL_MAX, the small-block cache's classes) are
 * allocated for n + 8 bytes; the last 8 bytes of glibc's usable area hold the
 * trailer.  glibc rounds chunks to 16 bytes, so the trailer usually lives in
 * slack the program could not use anyway (n = 32: chunk(40) == chunk(32) ==
 * 48 bytes).  The user pointer is glibc's.
 *
 *   c = chunk             user (16-aligned)                       c + size
 *   v                     v                                       v
 *   +----------+----------+-------------------+------+------+------+----------
 *   | prev_sz  | size|AMP | user data: n      | pad  | site | slot | next chunk
 *   +----------+----------+-------------------+------+------+------+----------
 *                                                    ^ trailer: u32 site, u32 slot
 *
 *   usable  = size - 8 (the next chunk's prev_size field is ours while the
 *             chunk is in use: glibc's malloc_usable_size); an mmapped chunk
 *             (M, only with a tiny mmap threshold) has size - 16
 *   trailer = user + usable - 8: the checks accept only size words of at
 *             most TTST_SMALL_CHUNK_MAX (or a small page-aligned mapping), so
 *             a stale or foreign size word cannot send the read far away
 *
 * LARGE blocks (everything else, and over-aligned blocks of that size) carry
 * a 16-byte header right before the user pointer, inside glibc's block base.
 * It costs at most 1.6% there, and a check reads only the 16 bytes before the
 * pointer: a large block freed twice after glibc merged it and returned the
 * heap's top to the kernel must not make us read where its old size pointed.
 *
 *   base (glibc's pointer)          user = base + 2^lg (lg = 4 unless over-aligned)
 *   v                               v
 *   +--- 2^lg - 16 bytes ---+-------+-------+--------------------------+-------
 *   |  (alignment padding)  | site  | slot  | size:48 | lg:8 | 0xB8:8  | data
 *   +-----------------------+-------+-------+--------------------------+-------
 *
 * The two are told apart by the word before the user pointer: glibc's size
 * words are multiples of 16 plus flag bits 0..2, so bit 3 is 0; the header's
 * magic byte 0xB8 has bit 3 set.
 *
 * The object-table entry of a live block (64 bits, slots.h):
 *
 *   63      56 55                                   4   3    2     1     0
 *   +---------+--------------------------------------+---+-----+-----+------+
 *   |   pad   |        user pointer, bits 55..4      | 0 |large|typed| free |
 *   +---------+--------------------------------------+---+-----+-----+------+
 *
 *   pad     small: usable - 8 - n (n = usable - 8 - pad); TTST_PAD_LARGE
 *           means n is stored in the 8 bytes before the trailer (mmapped
 *           chunks round to pages, leaving room); large: 0 (n is in the header)
 *   free    0 for a live block; free slots are odd (slots.h)
 *
 * A block is live and ours iff the slot named by its trailer/header has an
 * entry whose pointer, free and large bits match: stronger than a magic, and
 * a freed or foreign block fails it.
 */
struct ttst_trailer {
	uint32_t site;
	uint32_t slot;
};
_Static_assert(sizeof(struct ttst_trailer) == 8, "ttst heap trailer must be 8 bytes");

struct ttst_head {
	uint32_t site;
	uint32_t slot;
	uint64_t word; /* size:48 | lg:8 | TTST_HEAD_MAGIC:8 */
};
_Static_assert(sizeof(struct ttst_head) == 16, "ttst large-block header must be 16 bytes");

#define TTST_TRAILER_BYTES 8u
#define TTST_SMALL_MAX 1008u	       /* largest small block: class 64, chunk 1024 */
#define TTST_SMALL_CHUNK_MAX 2032u     /* small chunks are <= 1024 + glibc's sliver */
#define TTST_SMALL_MMAP_MAX (1u << 20) /* mapping of a small mmapped chunk */
#define TTST_SMALL_ALIGN_MAX 1024u     /* over-aligned small blocks up to this alignment */
#define TTST_CHUNK_MMAPPED 0x2u	       /* glibc's IS_MMAPPED flag in the size word */
#define TTST_CHUNK_FLAGS 0x7u	       /* PREV_INUSE | IS_MMAPPED | NON_MAIN_ARENA */
#define TTST_CHUNK_MIN 32u	       /* glibc's MINSIZE */
#define TTST_PAGE_MIN 4096u	       /* every page size is a multiple of this */

#define TTST_HEAD_MAGIC 0xB8u
#define TTST_SIZE_BITS 48
#define TTST_MAX_SIZE (((1ull << TTST_SIZE_BITS) - 1) >> 1) /* larger requests: ENOMEM */

#define TTST_E_FREE 0x1ull
#define TTST_E_TYPED 0x2ull
#define TTST_E_LARGE 0x4ull
#define TTST_E_PTR 0x00FFFFFFFFFFFFF0ull
#define TTST_E_PAD_SHIFT 56
#define TTST_PAD_LARGE 255u

/* The word before user pointer p: glibc's size word (small) or the header's (large). */
static inline uint64_t ttst_chunk_word(const void *p)
{
	return ((const uint64_t *)p)[-1];
}

/* Usable bytes of a chunk from its size word (as glibc's malloc_usable_size). */
static inline size_t ttst_chunk_usable(uint64_t w)
{
	return (size_t)((w & ~(uint64_t)TTST_CHUNK_FLAGS) - 8 - ((w & TTST_CHUNK_MMAPPED) << 2));
}

/* Non-zero if p and the word w before it look like a small, not mmapped
 * block of ours, so that the trailer may be read on the fast path.
 * Everything else takes ttst_blk_check. */
static inline int ttst_small_fast(const void *p, uint64_t w)
{
	return !(((uintptr_t)p & 15) | (w & (8 | TTST_CHUNK_MMAPPED))) &&
	       w - TTST_CHUNK_MIN <= TTST_SMALL_CHUNK_MAX + 7 - TTST_CHUNK_MIN;
}

static inline struct ttst_trailer *ttst_trailer_at(const void *p, size_t usable)
{
	return (struct ttst_trailer *)((char *)p + usable - TTST_TRAILER_BYTES);
}

/* Where a large pad's exact size is kept: the 8 bytes before the trailer. */
static inline uint64_t *ttst_large_size_at(const void *p, size_t usable)
{
	return (uint64_t *)((char *)p + usable - 2 * TTST_TRAILER_BYTES);
}

static inline struct ttst_head *ttst_head_of(const void *p)
{
	return (struct ttst_head *)p - 1;
}

static inline uint64_t ttst_head_word(size_t n, unsigned lg)
{
	return ((uint64_t)n << 16) | ((uint64_t)lg << 8) | TTST_HEAD_MAGIC;
}

/* The entry of small block p (usable bytes, n requested, typed 0/1); stores
 * n in the block when the pad is large. */
static inline uint64_t ttst_entry_small(void *p, size_t usable, size_t n, unsigned typed)
{
	uint64_t pad = usable - TTST_TRAILER_BYTES - n;
	if (__builtin_expect(pad >= TTST_PAD_LARGE, 0)) {
		*ttst_large_size_at(p, usable) = n;
		pad = TTST_PAD_LARGE;
	}
	return (uintptr_t)p | ((uint64_t)typed << 1) | (pad << TTST_E_PAD_SHIFT);
}

static inline void *ttst_entry_ptr(uint64_t e)
{
	return (void *)(uintptr_t)(e & TTST_E_PTR);
}

static inline unsigned ttst_entry_typed(uint64_t e)
{
	return (unsigned)(e >> 1) & 1;
}

/* Non-zero if entry e describes the live block at user pointer p of the given
 * layout (0 or TTST_E_LARGE). */
static inline int ttst_entry_is(uint64_t e, const void *p, uint64_t large)
{
	return (e & (TTST_E_PTR | TTST_E_FREE | TTST_E_LARGE)) == ((uintptr_t)p | large);
}

/* The requested size of small block p with entry e and usable bytes. */
static inline size_t ttst_entry_size(uint64_t e, const void *p, size_t usable)
{
	size_t pad = (size_t)(e >> TTST_E_PAD_SHIFT);
	if (__builtin_expect(pad == TTST_PAD_LARGE, 0))
		return (size_t)*ttst_large_size_at(p, usable);
	return usable - TTST_TRAILER_BYTES - pad;
}

/* Everything about one live block of ours (ttst_blk_check). */
struct ttst_blk {
	void *p;	 /* user pointer */
	void *base;	 /* glibc's pointer (to pass to __libc_free) */
	size_t size;	 /* the size the program asked for */
	size_t usable;	 /* small: glibc's usable bytes (trailer included); large: 0 */
	uint32_t site;	 /* global site number, 0 = unknown */
	uint32_t slot;	 /* object-table slot */
	unsigned typed;	 /* the site has a type */
	unsigned lg;	 /* large: log2 of user - base (4, or the alignment); small: 0 */
	uint64_t *entry; /* the slot's entry */
};

/* Fills *b if p is a live block allocated through ttst.  Reads the 16 bytes
 * before p, and for a small block the trailer (at most ~1 KiB on, bounded by
 * the size word, or the end of an mmapped page).  Returns 0, or -1 if p is
 * not ours (foreign, freed). */
int ttst_blk_check(const void *p, struct ttst_blk *b);

/* Describes the live block of entry e (slot) for enumeration (all threads quiescent). */
void ttst_blk_from_entry(uint64_t e, uint32_t slot, struct ttst_blk *b);

#endif /* TTST_RT_CHUNK_H */
