/* slots.c -- the object table behind heap enumeration: chunks, free batches, per-thread lists. */
#define _GNU_SOURCE
#include "slots.h"

#include <pthread.h>
#include <sys/mman.h>

#include "log.h"

uintptr_t *ttst_slot_dir[TTST_SLOT_CHUNKS];
uint32_t ttst_slot_bump;

static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t global_batches; /* first slot of the first free batch, 0 = none */

static inline uint32_t link_next(uintptr_t e)
{
	return (uint32_t)e >> 1;
}

static inline uint32_t link_batch(uintptr_t e)
{
	return (uint32_t)(e >> 32);
}

/* Makes sure the chunk holding slot i exists; returns 0 or -1 (mmap failed). */
static int ensure_chunk(uint32_t i)
{
	uint32_t c = i >> TTST_SLOT_CHUNK_BITS;
	if (__atomic_load_n(&ttst_slot_dir[c], __ATOMIC_ACQUIRE))
		return 0;
	size_t bytes = TTST_SLOT_CHUNK * sizeof(uintptr_t);
	void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	uintptr_t *expect = NULL;
	if (!__atomic_compare_exchange_n(&ttst_slot_dir[c], &expect, (uintptr_t *)m, 0,
					 __ATOMIC_RELEASE, __ATOMIC_ACQUIRE))
		munmap(m, bytes);
	return 0;
}

/* Pushes the list starting at head onto the global batch list (lock held). */
static void push_batch_locked(uint32_t head)
{
	uintptr_t *e = ttst_slot_entry(head);
	*e = (uintptr_t)(uint32_t)*e | ((uintptr_t)global_batches << 32);
	global_batches = head;
}

/* Hands out TTST_SLOT_BATCH never-used slots as t's list; -1 if the table is full. */
static int fresh_batch(struct ttst_tls *t)
{
	static int full_reported;
	uint32_t start = __atomic_fetch_add(&ttst_slot_bump, TTST_SLOT_BATCH, __ATOMIC_RELAXED);
	if (start >= TTST_SLOT_MAX || ensure_chunk(start) < 0) {
		if (!__atomic_exchange_n(&full_reported, 1, __ATOMIC_RELAXED))
			ttst_err("object table full or out of memory; blocks allocated from now on "
				 "are not enumerated and cannot be transferred by an update");
		return -1;
	}
	/* batches are 64-aligned and never straddle a chunk */
	uint32_t first = start ? start : 1;
	uint32_t end = start + TTST_SLOT_BATCH;
	for (uint32_t i = first; i < end; i++)
		*ttst_slot_entry(i) = ((uintptr_t)(i + 1 < end ? i + 1 : 0) << 1) | 1;
	t->free_head = first;
	t->free_count = end - first;
	return 0;
}

int ttst_slot_refill(struct ttst_tls *t)
{
	if (t->spare_head) {
		t->free_head = t->spare_head;
		t->free_count = TTST_SLOT_BATCH;
		t->spare_head = 0;
		return 0;
	}
	pthread_mutex_lock(&global_lock);
	uint32_t b = global_batches;
	if (b)
		global_batches = link_batch(*ttst_slot_entry(b));
	pthread_mutex_unlock(&global_lock);
	if (b) {
		t->free_head = b;
		t->free_count = TTST_SLOT_BATCH; /* approximate: batches may be shorter */
		return 0;
	}
	return fresh_batch(t);
}

void ttst_slot_overflow(struct ttst_tls *t)
{
	if (t->spare_head) {
		pthread_mutex_lock(&global_lock);
		push_batch_locked(t->spare_head);
		pthread_mutex_unlock(&global_lock);
	}
	t->spare_head = t->free_head;
	t->free_head = 0;
	t->free_count = 0;
}

uint32_t ttst_slot_take_global(uintptr_t h)
{
	uint32_t i = 0;
	pthread_mutex_lock(&global_lock);
	if (!global_batches) {
		struct ttst_tls tmp = {0};
		if (fresh_batch(&tmp) == 0)
			push_batch_locked(tmp.free_head);
	}
	if (global_batches) {
		i = global_batches;
		uintptr_t e = *ttst_slot_entry(i);
		uint32_t next = link_next(e);
		if (next) {
			uintptr_t *ne = ttst_slot_entry(next);
			*ne = (uintptr_t)(uint32_t)*ne | ((uintptr_t)link_batch(e) << 32);
			global_batches = next;
		} else {
			global_batches = link_batch(e);
		}
		*ttst_slot_entry(i) = h;
	}
	pthread_mutex_unlock(&global_lock);
	return i;
}

void ttst_slot_put_global(uint32_t i)
{
	pthread_mutex_lock(&global_lock);
	*ttst_slot_entry(i) = 1; /* a one-slot list */
	push_batch_locked(i);
	pthread_mutex_unlock(&global_lock);
}

void ttst_slot_flush(struct ttst_tls *t)
{
	pthread_mutex_lock(&global_lock);
	if (t->free_head)
		push_batch_locked(t->free_head);
	if (t->spare_head)
		push_batch_locked(t->spare_head);
	pthread_mutex_unlock(&global_lock);
	t->free_head = t->spare_head = 0;
	t->free_count = 0;
}

int ttst_slot_foreach(int (*fn)(uintptr_t hdr, uint32_t slot, void *arg), void *arg)
{
	uint32_t used = ttst_slot_used();
	for (uint32_t c = 0; c <= (used - 1) >> TTST_SLOT_CHUNK_BITS && used; c++) {
		uintptr_t *chunk = __atomic_load_n(&ttst_slot_dir[c], __ATOMIC_ACQUIRE);
		if (!chunk)
			continue;
		uint32_t base = c << TTST_SLOT_CHUNK_BITS;
		uint32_t n = used - base < TTST_SLOT_CHUNK ? used - base : TTST_SLOT_CHUNK;
		for (uint32_t k = 0; k < n; k++) {
			uintptr_t e = chunk[k];
			if (e && !(e & 1)) {
				int r = fn(e, base + k, arg);
				if (r)
					return r;
			}
		}
	}
	return 0;
}

uint32_t ttst_slot_used(void)
{
	uint32_t b = __atomic_load_n(&ttst_slot_bump, __ATOMIC_RELAXED);
	return b < TTST_SLOT_MAX ? b : TTST_SLOT_MAX;
}

void ttst_slot_fork_prepare(void)
{
	pthread_mutex_lock(&global_lock);
}

void ttst_slot_fork_parent(void)
{
	pthread_mutex_unlock(&global_lock);
}

void ttst_slot_fork_child(void)
{
	pthread_mutex_init(&global_lock, NULL);
}
