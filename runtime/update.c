/* update.c -- the update transaction's state: ttst_is_updating() and the last update's record. */
#define _GNU_SOURCE
#include "update.h"

#include <pthread.h>
#include <string.h>

#include "alloc.h"

/* Set while this process is a new version re-initialising during an update
 * (written by the update transaction, issue 4). */
static int updating;

static pthread_mutex_t last_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ttst_last_update last = {0, 0, 0, "none", ""};

TTST_EXPORT int ttst_is_updating(void)
{
	return __atomic_load_n(&updating, __ATOMIC_ACQUIRE);
}

void ttst_update_last(struct ttst_last_update *out)
{
	pthread_mutex_lock(&last_lock);
	*out = last;
	pthread_mutex_unlock(&last_lock);
}
