/* update.c -- the update transaction's shared state: ttst_is_updating(), v2's phase and the last
 * update's record. */
#define _GNU_SOURCE
#include "update.h"

#include <pthread.h>
#include <string.h>

#include "alloc.h"
#include "threads.h"

/* enum ttst_v2_phase of this process (written by update_v2.c). */
static int v2_phase;
/* v2's main thread: the one that runs the transfer at its update point. */
static const struct ttst_thread *v2_main;

static pthread_mutex_t last_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ttst_last_update last = {0, 0, 0, "none", ""};

TTST_EXPORT int ttst_is_updating(void)
{
	return __atomic_load_n(&v2_phase, __ATOMIC_ACQUIRE) != TTST_V2_NONE;
}

int ttst_update_v2_phase(void)
{
	return __atomic_load_n(&v2_phase, __ATOMIC_ACQUIRE);
}

void ttst_update_v2_set_phase(int phase, const struct ttst_thread *main_thread)
{
	v2_main = main_thread;
	__atomic_store_n(&v2_phase, phase, __ATOMIC_SEQ_CST);
}

int ttst_update_v2_no_park(const struct ttst_thread *t)
{
	int p = __atomic_load_n(&v2_phase, __ATOMIC_SEQ_CST);
	if (p == TTST_V2_REINIT)
		return 1;
	return p == TTST_V2_TRANSFER && t && t == v2_main;
}

int ttst_update_v2_is_main_reinit(const struct ttst_thread *t)
{
	return t && t == v2_main && __atomic_load_n(&v2_phase, __ATOMIC_SEQ_CST) == TTST_V2_REINIT;
}

void ttst_update_last(struct ttst_last_update *out)
{
	pthread_mutex_lock(&last_lock);
	*out = last;
	pthread_mutex_unlock(&last_lock);
}

void ttst_update_set_last(const struct ttst_last_update *u)
{
	pthread_mutex_lock(&last_lock);
	last = *u;
	last.outcome[sizeof last.outcome - 1] = 0;
	last.detail[sizeof last.detail - 1] = 0;
	pthread_mutex_unlock(&last_lock);
}
