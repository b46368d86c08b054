/* tls.h -- the runtime's per-thread state (one initial-exec TLS block per thread). */
#ifndef TTST_RT_TLS_H
#define TTST_RT_TLS_H

#include <stdint.h>

#define TTST_PEND_DEPTH 8 /* nested allocator-wrapper calls remembered */
#define TTST_NCLASS 64	  /* small-block cache: chunk classes of 16 bytes up to 1 KiB */

enum ttst_tls_state {
	TTST_TLS_NEW = 0,    /* not yet seen by the runtime */
	TTST_TLS_LIVE = 1,   /* on the thread list, owns slot lists and counters */
	TTST_TLS_EXITED = 2, /* thread-exit destructor ran: use the global paths */
};

struct ttst_thread;
struct ttst_local;

struct ttst_tls {
	/* free object-table slots of this thread (slots.h): a stack */
	uint32_t nslots, state;
	uint32_t slots[128];
	/* heap counters by typed-ness [0] untyped [1] typed (summed by stats) */
	int64_t objs[2];
	int64_t bytes[2];
	/* pending allocator-wrapper site: (site << 1) | typed, 0 = none */
	uint32_t pending;
	uint32_t pend_depth;
	uint32_t pend[TTST_PEND_DEPTH];
	/* registered application thread (threads.c), NULL otherwise */
	struct ttst_thread *thread;
	/* locals of main / TTST_STATEFUL activations (locals.c), newest first */
	struct ttst_local *locals;
	uint32_t nlocals; /* entries in locals (read by status without the owner) */
	uint32_t reserved;
	/* small-block cache (alloc.h): freed blocks by chunk class, linked
	 * through their first 8 bytes; cached bytes of all classes */
	void *bin[TTST_NCLASS + 1];
	uint16_t bin_n[TTST_NCLASS + 1];
	uint64_t cached;
	/* list of live TLS blocks (tls.c) */
	struct ttst_tls *next, *prev;
};

extern __thread struct ttst_tls ttst_tls __attribute__((tls_model("initial-exec")));

/* Puts the calling thread's block on the list and arms its exit destructor.
 * Called on first use from the allocator (must not allocate). */
void ttst_tls_attach(struct ttst_tls *t);

/* Sum of every live thread's and every exited thread's heap counters. */
void ttst_tls_counters(int64_t objs[2], int64_t bytes[2]);

/* Adds to the global counters of exited / unattached threads (atomic). */
void ttst_tls_count_global(unsigned typed, int64_t objs, int64_t bytes);

/* Calls fn for every live TLS block with the list locked (fn must not
 * allocate through the interposed allocator or take the list lock). */
void ttst_tls_foreach(void (*fn)(struct ttst_tls *, void *), void *arg);

/* Lock/unlock the list around fork; in the child, fold the blocks of threads
 * that do not exist any more into the global counters. */
void ttst_tls_fork_prepare(void);
void ttst_tls_fork_parent(void);
void ttst_tls_fork_child(void);

#endif /* TTST_RT_TLS_H */
