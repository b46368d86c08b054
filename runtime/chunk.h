/* chunk.h -- the 16-byte in-band header in front of every heap block (layout, magics, helpers). */
#ifndef TTST_RT_CHUNK_H
#define TTST_RT_CHUNK_H

#include <stddef.h>
#include <stdint.h>

/*
 * Every block handed out by libttst is preceded by this header; the user
 * pointer stays 16-byte aligned because glibc's blocks are.
 *
 *   header (16 bytes)                                   user pointer
 *   |                                                   |
 *   v                                                   v
 *   +-----------+-----------+---------------------------+-------------------
 *   | site: u32 | slot: u32 | size: 48 bits | magic: 16 | user data ...
 *   +-----------+-----------+---------------------------+-------------------
 *   0           4           8                           16
 *
 *   site   process-wide allocation site number (0 = uninstrumented/unknown)
 *   slot   index of this block in the object table (slots.h); 0 = none
 *   size   the size the program asked for (malloc_usable_size returns it)
 *   magic  TTST_MAGIC_BASE | TTST_MAGIC_ALIGNED? | TTST_MAGIC_TYPED?  (live)
 *          TTST_MAGIC_FREED once freed
 *
 * Normal block: one __libc_malloc(size + 16); the header is at its start.
 * Over-aligned block (alignment > 16): one __libc_malloc(size + align + 16):
 *
 *   base                                     header        user (aligned)
 *   v                                        v             v
 *   +--------- padding ---------+------------+-------------+---------------
 *   |                           | base ptr,0 |  header     | user data ...
 *   +---------------------------+------------+-------------+---------------
 *                                 16 bytes      16 bytes
 */
struct ttst_hdr {
	uint32_t site;
	uint32_t slot;
	uint64_t word; /* size:48 | magic:16 */
};
_Static_assert(sizeof(struct ttst_hdr) == 16, "ttst heap header must be 16 bytes");

#define TTST_MAGIC_BASE 0x7A10u /* low two bits: aligned, typed */
#define TTST_MAGIC_TYPED 0x1u	/* the block's site has a type */
#define TTST_MAGIC_ALIGNED 0x2u /* over-aligned: base pointer precedes the header */
#define TTST_MAGIC_FREED 0xDEADu
#define TTST_SIZE_BITS 48
#define TTST_SIZE_MASK ((1ull << TTST_SIZE_BITS) - 1)
#define TTST_MAX_SIZE (TTST_SIZE_MASK >> 1) /* larger requests fail with ENOMEM */

static inline struct ttst_hdr *ttst_hdr_of(const void *user)
{
	return (struct ttst_hdr *)user - 1;
}

static inline unsigned ttst_hdr_magic(const struct ttst_hdr *h)
{
	return (unsigned)(h->word >> TTST_SIZE_BITS);
}

static inline size_t ttst_hdr_size(const struct ttst_hdr *h)
{
	return (size_t)(h->word & TTST_SIZE_MASK);
}

/* Non-zero if the magic says "a live block of ours". */
static inline int ttst_magic_live(unsigned magic)
{
	return (magic & ~3u) == TTST_MAGIC_BASE;
}

static inline uint64_t ttst_hdr_word(size_t size, unsigned magic)
{
	return (uint64_t)size | ((uint64_t)magic << TTST_SIZE_BITS);
}

/* The pointer to pass to __libc_free for a live block. */
static inline void *ttst_hdr_base(struct ttst_hdr *h)
{
	if (ttst_hdr_magic(h) & TTST_MAGIC_ALIGNED)
		return ((void **)h)[-2];
	return h;
}

#endif /* TTST_RT_CHUNK_H */
