/* val-wrongcb/v2.c -- validation case: an object callback that writes a wrong value into
 * g_stats.hits (off by one); the forward transfer succeeds, validation must catch it. */
#include <stdlib.h>
#include <ttst.h>

#include "val_common.h"
#include "drv.h"

const char case_version[] = "v2";
struct stats g_stats;

static int stats_cb(const struct ttst_xfer_obj *o)
{
	struct stats *s = o->new_obj;
	s->hits += 1; /* the bug: a "conversion" that is not one */
	return 0;
}
TTST_OBJECT_CALLBACK("g_stats", stats_cb)

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
