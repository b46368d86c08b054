/* slots.h -- the object table: one slot per live heap block, so the heap can be enumerated. */
#ifndef TTST_RT_SLOTS_H
#define TTST_RT_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "tls.h"

/*
 * Slots live in chunks of 64Ki entries, mmapped on demand; the chunk
 * directory is a fixed array, so looking a slot up takes no lock.  An entry
 * is either a live block's entry (chunk.h: user pointer, pad, typed; low bit
 * 0), 0 (never used), or odd: a free slot.  Free slots on the global list are
 * linked through their entries:
 *
 *   bits 63..32: next batch (only in the first slot of a batch)
 *   bits 31..1 : next free slot of this batch (0 = end)
 *   bit  0     : 1
 *
 * Slot 0 is never used (its entry stays 0, so no block can claim it).  Each thread keeps its
 * free slots in a stack in TLS (no lock, no dependent loads); TTST_SLOT_BATCH
 * of them move between a thread and the mutex-protected global list at a time.
 */
#define TTST_SLOT_CHUNK_BITS 16
#define TTST_SLOT_CHUNK (1u << TTST_SLOT_CHUNK_BITS)
#define TTST_SLOT_CHUNKS 32768u
#define TTST_SLOT_MAX (TTST_SLOT_CHUNKS << TTST_SLOT_CHUNK_BITS) /* 2^31 */
#define TTST_SLOT_BATCH 64u
#define TTST_SLOT_STACK (sizeof(((struct ttst_tls *)0)->slots) / sizeof(uint32_t))
_Static_assert(TTST_SLOT_STACK == 2 * TTST_SLOT_BATCH, "TLS slot stack holds two batches");

extern uint64_t *ttst_slot_dir[TTST_SLOT_CHUNKS];
extern uint32_t ttst_slot_bump; /* slots below this were handed out at least once */

static inline uint64_t *ttst_slot_entry(uint32_t i)
{
	return &ttst_slot_dir[i >> TTST_SLOT_CHUNK_BITS][i & (TTST_SLOT_CHUNK - 1)];
}

/* Slot entry for i if i names an existing slot, else NULL (for checking
 * trailers that may not be ours). */
static inline uint64_t *ttst_slot_entry_checked(uint32_t i)
{
	if (i >= __atomic_load_n(&ttst_slot_bump, __ATOMIC_RELAXED) || i >= TTST_SLOT_MAX)
		return NULL;
	uint64_t *c = ttst_slot_dir[i >> TTST_SLOT_CHUNK_BITS];
	return c ? &c[i & (TTST_SLOT_CHUNK - 1)] : NULL;
}

/* Refills t's stack with a batch (from the global list or fresh slots).
 * Returns 0, or -1 when the table is full (reported once). */
int ttst_slot_refill(struct ttst_tls *t);

/* Moves the upper half of t's full stack to the global list. */
void ttst_slot_overflow(struct ttst_tls *t);

/* Takes a slot and stores entry e in it, bypassing TLS (exited threads).
 * Returns the slot, 0 if the table is full. */
uint32_t ttst_slot_take_global(uint64_t e);

/* Returns slot i to the global list (exited threads). */
void ttst_slot_put_global(uint32_t i);

/* Gives t's free slots back to the global list (thread exit). */
void ttst_slot_flush(struct ttst_tls *t);

/* Takes a free slot from t and stores entry e in it; 0 if the table is full. */
static inline uint32_t ttst_slot_take(struct ttst_tls *t, uint64_t e)
{
	if (__builtin_expect(!t->nslots, 0) && ttst_slot_refill(t) < 0)
		return 0;
	uint32_t i = t->slots[--t->nslots];
	*ttst_slot_entry(i) = e;
	return i;
}

/* Marks slot i (entry e) free and keeps it in t. */
static inline void ttst_slot_put(struct ttst_tls *t, uint32_t i, uint64_t *e)
{
	*e = 1;
	if (__builtin_expect(t->nslots == TTST_SLOT_STACK, 0))
		ttst_slot_overflow(t);
	t->slots[t->nslots++] = i;
}

/* Makes the table's chunks for the next n slots now, in one mapping (the
 * update's transfer makes millions of blocks at once: a mapping per 64K
 * slots then waits behind the thread populating the new heap).  Sets
 * [*lo, *lo + *len) to the new mapping (len 0: none, or not in one piece); 0, or
 * -1 if mmap failed (the chunks are then made as slots are taken). */
int ttst_slot_reserve(uint64_t n, void **lo, size_t *len);

/* Calls fn(entry, slot, arg) for every live block; stops when fn returns
 * non-zero and returns that value.  Only valid while every thread that
 * allocates is quiescent (or in a single-threaded program). */
int ttst_slot_foreach(int (*fn)(uint64_t entry, uint32_t slot, void *arg), void *arg);

/* ttst_slot_foreach for the slots in [lo, hi) only. */
int ttst_slot_foreach_range(uint32_t lo, uint32_t hi,
			    int (*fn)(uint64_t entry, uint32_t slot, void *arg), void *arg);

/* Number of slots ever handed out (upper bound of live blocks). */
uint32_t ttst_slot_used(void);

void ttst_slot_fork_prepare(void);
void ttst_slot_fork_parent(void);
void ttst_slot_fork_child(void);

#endif /* TTST_RT_SLOTS_H */
