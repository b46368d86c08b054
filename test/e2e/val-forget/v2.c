/* val-forget/v2.c -- validation case: a type callback for struct item that takes over `weight`
 * (it clears it to recompute it) and never writes it; validation must name item.weight. */
#include <stdlib.h>
#include <string.h>
#include <ttst.h>

#include "val_common.h"
#include "drv.h"

const char case_version[] = "v2";
struct stats g_stats;

static int item_cb(const struct ttst_xfer_obj *o)
{
	struct item *it = o->new_obj;
	memset(&it->weight, 0, sizeof it->weight); /* claimed... and then forgotten */
	return 0;
}
TTST_TYPE_CALLBACK("struct item", item_cb)

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
