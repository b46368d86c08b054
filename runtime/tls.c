/* tls.c -- the list of per-thread runtime blocks, their exit destructor, and heap counter sums. */
#define _GNU_SOURCE
#include "tls.h"

#include <pthread.h>

#include "alloc.h"
#include "locals.h"
#include "slots.h"
#include "threads.h"

__thread struct ttst_tls ttst_tls __attribute__((tls_model("initial-exec")));

static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ttst_tls *list_head;
static pthread_key_t exit_key;
static int key_state; /* 0 none, 1 creating, 2 ready */

/* Counters of blocks counted by threads that exited (or never attached). */
static int64_t global_objs[2], global_bytes[2];

void ttst_tls_count_global(unsigned typed, int64_t objs, int64_t bytes)
{
	__atomic_add_fetch(&global_objs[typed], objs, __ATOMIC_RELAXED);
	__atomic_add_fetch(&global_bytes[typed], bytes, __ATOMIC_RELAXED);
}

/* Folds t's counters into the global ones (list lock held or t private). */
static void fold_counters(struct ttst_tls *t)
{
	for (unsigned k = 0; k < 2; k++) {
		ttst_tls_count_global(k, t->objs[k], t->bytes[k]);
		t->objs[k] = t->bytes[k] = 0;
	}
}

static void unlink_locked(struct ttst_tls *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		list_head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	t->next = t->prev = NULL;
}

/* pthread key destructor: the thread is exiting (return, pthread_exit or
 * cancellation).  Leaves the thread in the EXITED state, in which the
 * allocator uses global structures for any later call. */
static void tls_exit(void *arg)
{
	struct ttst_tls *t = arg;
	if (t->thread)
		ttst_thread_exit(t->thread);
	t->thread = NULL;
	ttst_locals_drop(t);
	ttst_slot_flush(t);
	ttst_cache_flush(t);
	pthread_mutex_lock(&list_lock);
	unlink_locked(t);
	fold_counters(t);
	t->state = TTST_TLS_EXITED;
	pthread_mutex_unlock(&list_lock);
}

/* Creates the exit key once, whichever thread gets here first. */
static void ensure_key(void)
{
	int s = __atomic_load_n(&key_state, __ATOMIC_ACQUIRE);
	if (s == 2)
		return;
	pthread_mutex_lock(&list_lock);
	if (key_state != 2) {
		pthread_key_create(&exit_key, tls_exit);
		__atomic_store_n(&key_state, 2, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&list_lock);
}

void ttst_tls_attach(struct ttst_tls *t)
{
	if (t->state != TTST_TLS_NEW)
		return;
	ensure_key();
	pthread_mutex_lock(&list_lock);
	t->next = list_head;
	t->prev = NULL;
	if (list_head)
		list_head->prev = t;
	list_head = t;
	t->state = TTST_TLS_LIVE;
	pthread_mutex_unlock(&list_lock);
	pthread_setspecific(exit_key, t);
}

void ttst_tls_counters(int64_t objs[2], int64_t bytes[2])
{
	pthread_mutex_lock(&list_lock);
	for (unsigned k = 0; k < 2; k++) {
		objs[k] = __atomic_load_n(&global_objs[k], __ATOMIC_RELAXED);
		bytes[k] = __atomic_load_n(&global_bytes[k], __ATOMIC_RELAXED);
	}
	for (struct ttst_tls *t = list_head; t; t = t->next)
		for (unsigned k = 0; k < 2; k++) {
			objs[k] += __atomic_load_n(&t->objs[k], __ATOMIC_RELAXED);
			bytes[k] += __atomic_load_n(&t->bytes[k], __ATOMIC_RELAXED);
		}
	pthread_mutex_unlock(&list_lock);
}

void ttst_tls_foreach(void (*fn)(struct ttst_tls *, void *), void *arg)
{
	pthread_mutex_lock(&list_lock);
	for (struct ttst_tls *t = list_head; t; t = t->next)
		fn(t, arg);
	pthread_mutex_unlock(&list_lock);
}

void ttst_tls_fork_prepare(void)
{
	pthread_mutex_lock(&list_lock);
}

void ttst_tls_fork_parent(void)
{
	pthread_mutex_unlock(&list_lock);
}

void ttst_tls_fork_child(void)
{
	/* Only the forking thread exists now; the others' blocks are still
	 * mapped (fork copied them) but will never run again. */
	struct ttst_tls *self = &ttst_tls, *next;
	for (struct ttst_tls *t = list_head; t; t = next) {
		next = t->next;
		if (t != self) {
			unlink_locked(t);
			fold_counters(t);
		}
	}
	pthread_mutex_init(&list_lock, NULL);
}
