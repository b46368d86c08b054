/* fault.c -- a fault linked into a kvstore v2 build (eval/load) so that a live update to it must roll back. */
#include <stdint.h>
#include <stdlib.h>

#include <ttst.h>

#include "kvstore.h"

#if defined(LOAD_FAULT_CRASH)
/* Linked with -Wl,--wrap=table_init: main()'s call lands here. */
int __real_table_init(uint64_t nbuckets);
int __wrap_table_init(uint64_t nbuckets);

/* Aborts when re-initialising for a live update (the update must roll back after v2's
 * crash); a normal start runs the real table_init.  Returns its result. */
int __wrap_table_init(uint64_t nbuckets)
{
	if (ttst_is_updating())
		abort();
	return __real_table_init(nbuckets);
}
#elif defined(LOAD_FAULT_WRONGCB)
/* Transfer callback of g_server_stats that writes a wrong value: cmd_set one too high.  The
 * update itself succeeds, only validation (v1 -> v2 -> v1' and the diff) can catch it.
 * Returns 0. */
static int wrong_stats(const struct ttst_xfer_obj *o)
{
	struct stats *s = o->new_obj;

	s->cmd_set += 1;
	return 0;
}
TTST_OBJECT_CALLBACK("g_server_stats", wrong_stats)
#else
#error "fault.c: define LOAD_FAULT_CRASH or LOAD_FAULT_WRONGCB"
#endif
