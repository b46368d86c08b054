/* plain.c -- the <ttst.h> runtime symbols for the e2e server built WITHOUT ttst (the
 * "uninstrumented binary" refusal): no runtime, so never updating and no update pending. */
#include <ttst.h>

volatile int __ttst_update_pending;

/* Unreachable: nothing sets __ttst_update_pending without the runtime. */
void __ttst_update_point_slow(void)
{
}

/* A plain build never re-initialises for a live update. */
int ttst_is_updating(void)
{
	return 0;
}
