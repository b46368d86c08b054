/* slots.c -- the object table behind heap enumeration: chunks, free batches, per-thread lists. */
#define _GNU_SOURCE
#include "slots.h"

#include <pthread.h>
#include <sys/mman.h>

#include "log.h"

uint64_t *ttst_slot_dir[TTST_SLOT_CHUNKS];
uint32_t ttst_slot_bump;

static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t global_batches; /* first slot of the first free batch, 0 = none */

static inline uint32_t link_next(uint64_t e)
{
	return (uint32_t)e >> 1;
}

static inline uint32_t link_batch(uint64_t e)
{
	return (uint32_t)(e >> 32);
}

/* Makes sure the chunk holding slot i exists; returns 0 or -1 (mmap failed). */
static int ensure_chunk(uint32_t i)
{
	uint32_t c = i >> TTST_SLOT_CHUNK_BITS;
	if (__atomic_load_n(&ttst_slot_dir[c], __ATOMIC_ACQUIRE))
		return 0;
	size_t bytes = TTST_SLOT_CHUNK * sizeof(uint64_t);
	void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	uint64_t *expect = NULL;
	if (!__atomic_compare_exchange_n(&ttst_slot_dir[c], &expect, (uint64_t *)m, 0,
					 __ATOMIC_RELEASE, __ATOMIC_ACQUIRE))
		munmap(m, bytes);
	return 0;
}

int ttst_slot_reserve(uint64_t n, void **lo, size_t *len)
{
	uint64_t first = __atomic_load_n(&ttst_slot_bump, __ATOMIC_RELAXED), last = first + n;
	*lo = NULL;
	*len = 0;
	if (last > TTST_SLOT_MAX)
		last = TTST_SLOT_MAX;
	uint32_t c0 = (uint32_t)(first >> TTST_SLOT_CHUNK_BITS);
	uint32_t c1 = (uint32_t)((last + TTST_SLOT_CHUNK - 1) >> TTST_SLOT_CHUNK_BITS);
	while (c0 < c1 && __atomic_load_n(&ttst_slot_dir[c0], __ATOMIC_ACQUIRE))
		c0++; /* chunks exist up to here */
	if (c0 >= c1)
		return 0;
	size_t bytes = TTST_SLOT_CHUNK * sizeof(uint64_t);
	char *m = mmap(NULL, (size_t)(c1 - c0) * bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	int lost = 0;
	for (uint32_t c = c0; c < c1; c++) {
		uint64_t *expect = NULL;
		char *part = m + (size_t)(c - c0) * bytes;
		if (!__atomic_compare_exchange_n(&ttst_slot_dir[c], &expect, (uint64_t *)part, 0,
						 __ATOMIC_RELEASE, __ATOMIC_ACQUIRE)) {
			munmap(part, bytes); /* another thread made this one meanwhile */
			lost = 1;
		}
	}
	if (!lost) { /* whole: the caller may populate it */
		*lo = m;
		*len = (size_t)(c1 - c0) * bytes;
	}
	return 0;
}

/* Links slots s[0..n) into one batch and pushes it on the global list (lock held). */
static void push_batch_locked(const uint32_t *s, uint32_t n)
{
	if (!n)
		return;
	for (uint32_t j = 0; j < n; j++)
		*ttst_slot_entry(s[j]) = ((uint64_t)(j + 1 < n ? s[j + 1] : 0) << 1) | 1;
	uint64_t *head = ttst_slot_entry(s[0]);
	*head |= (uint64_t)global_batches << 32;
	global_batches = s[0];
}

/* Pops one batch from the global list into t's stack (lock held); 0 or -1. */
static int pop_batch_locked(struct ttst_tls *t)
{
	uint32_t i = global_batches;
	if (!i)
		return -1;
	global_batches = link_batch(*ttst_slot_entry(i));
	while (i && t->nslots < TTST_SLOT_STACK) {
		uint32_t next = link_next(*ttst_slot_entry(i));
		t->slots[t->nslots++] = i;
		i = next;
	}
	return 0;
}

/* Puts TTST_SLOT_BATCH never-used slots on t's stack; -1 if the table is full. */
static int fresh_batch(struct ttst_tls *t)
{
	static int full_reported;
	uint32_t start = __atomic_fetch_add(&ttst_slot_bump, TTST_SLOT_BATCH, __ATOMIC_RELAXED);
	if (start >= TTST_SLOT_MAX || ensure_chunk(start) < 0) {
		if (!__atomic_exchange_n(&full_reported, 1, __ATOMIC_RELAXED))
			ttst_err("object table full or out of memory; allocations fail with ENOMEM "
				 "until blocks are freed");
		return -1;
	}
	/* batches are 64-aligned and never straddle a chunk; slot 0 is never used */
	for (uint32_t i = start + TTST_SLOT_BATCH; i-- > (start ? start : 1);)
		t->slots[t->nslots++] = i;
	return 0;
}

int ttst_slot_refill(struct ttst_tls *t)
{
	pthread_mutex_lock(&global_lock);
	int r = pop_batch_locked(t);
	pthread_mutex_unlock(&global_lock);
	return r == 0 ? 0 : fresh_batch(t);
}

void ttst_slot_overflow(struct ttst_tls *t)
{
	pthread_mutex_lock(&global_lock);
	push_batch_locked(t->slots + TTST_SLOT_BATCH, t->nslots - TTST_SLOT_BATCH);
	pthread_mutex_unlock(&global_lock);
	t->nslots = TTST_SLOT_BATCH;
}

uint32_t ttst_slot_take_global(uint64_t e)
{
	struct ttst_tls tmp;
	tmp.nslots = 0;
	pthread_mutex_lock(&global_lock);
	if (pop_batch_locked(&tmp) < 0 && fresh_batch(&tmp) < 0) {
		pthread_mutex_unlock(&global_lock);
		return 0;
	}
	uint32_t i = tmp.slots[--tmp.nslots];
	push_batch_locked(tmp.slots, tmp.nslots);
	pthread_mutex_unlock(&global_lock);
	*ttst_slot_entry(i) = e;
	return i;
}

void ttst_slot_put_global(uint32_t i)
{
	pthread_mutex_lock(&global_lock);
	push_batch_locked(&i, 1);
	pthread_mutex_unlock(&global_lock);
}

void ttst_slot_flush(struct ttst_tls *t)
{
	pthread_mutex_lock(&global_lock);
	push_batch_locked(t->slots, t->nslots);
	pthread_mutex_unlock(&global_lock);
	t->nslots = 0;
}

int ttst_slot_foreach_range(uint32_t lo, uint32_t hi,
			    int (*fn)(uint64_t entry, uint32_t slot, void *arg), void *arg)
{
	uint32_t used = ttst_slot_used();
	if (hi > used)
		hi = used;
	for (uint32_t c = lo >> TTST_SLOT_CHUNK_BITS; lo < hi && c <= (hi - 1) >> TTST_SLOT_CHUNK_BITS;
	     c++) {
		uint64_t *chunk = __atomic_load_n(&ttst_slot_dir[c], __ATOMIC_ACQUIRE);
		if (!chunk)
			continue;
		uint32_t base = c << TTST_SLOT_CHUNK_BITS;
		uint32_t k = lo > base ? lo - base : 0;
		uint32_t n = hi - base < TTST_SLOT_CHUNK ? hi - base : TTST_SLOT_CHUNK;
		for (; k < n; k++) {
			uint64_t e = chunk[k];
			if (e && !(e & 1)) {
				int r = fn(e, base + k, arg);
				if (r)
					return r;
			}
		}
	}
	return 0;
}

int ttst_slot_foreach(int (*fn)(uint64_t entry, uint32_t slot, void *arg), void *arg)
{
	return ttst_slot_foreach_range(0, UINT32_MAX, fn, arg);
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
