/* ttst_plain.c -- the <ttst.h> runtime symbols for a build WITHOUT ttst (plain cc/gcc/clang).
 *
 * A build with ttst-cc links libttst, which defines these; linking this file there as well
 * would shadow the runtime (update points would never park), so the Makefiles and CMake add
 * it only to plain builds.
 */
#include <ttst.h>

/* Never set: without the runtime there is no control thread to request an update. */
volatile int __ttst_update_pending;

/* Unreachable without the runtime (__ttst_update_pending stays 0). */
void __ttst_update_point_slow(void)
{
}

/* A plain build never runs as a new version during a live update. */
int ttst_is_updating(void)
{
	return 0;
}

/* Without the runtime there is no live update, so a rename annotation has nothing to do. */
void ttst_register_rename(const char *old_id, const char *new_id)
{
	(void)old_id;
	(void)new_id;
}
