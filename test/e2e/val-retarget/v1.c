/* val-retarget/v1.c -- validation case: counters and a 50-item heap list; v2 relinks one item
 * wrongly, the backward transfer must show it and the update must roll back. */
#include <stdlib.h>

#include "val_common.h"
#include "drv.h"

const char case_version[] = "v1";
struct stats g_stats;

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
