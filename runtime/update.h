/* update.h -- the state of the live-update transaction: "re-initialising" flag and the last update.
 */
#ifndef TTST_RT_UPDATE_H
#define TTST_RT_UPDATE_H

#include <stdint.h>
#include <time.h>

/* The last update this process took part in (as the old version). */
struct ttst_last_update {
	int happened; /* 0: none yet (outcome "none") */
	time_t when;  /* wall-clock start */
	uint32_t duration_ms;
	char outcome[32]; /* "none", later "committed", "rolled back", ... */
	char detail[256]; /* reason of a rollback, empty otherwise */
};

/* Copies the last update's record into out. */
void ttst_update_last(struct ttst_last_update *out);

#endif /* TTST_RT_UPDATE_H */
