/* val-retarget/v2.c -- validation case: an object callback of the item site points item 10's
 * next at item 10 itself, a valid object but the wrong one; the forward transfer succeeds,
 * validation must name the pointer ("points elsewhere"). */
#include <stdlib.h>
#include <ttst.h>

#include "val_common.h"
#include "drv.h"

const char case_version[] = "v2";
struct stats g_stats;

static int item_cb(const struct ttst_xfer_obj *o)
{
	struct item *it = o->new_obj;
	if (it->id == 10)
		it->next = it; /* the bug: a "relink" that loses the rest of the list */
	return 0;
}
TTST_OBJECT_CALLBACK("case_setup:it:0", item_cb)

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
