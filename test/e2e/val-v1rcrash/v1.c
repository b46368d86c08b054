/* val-v1rcrash/v1.c -- validation case: counters and a 50-item heap list; v1 crashes whenever it is
 * started by an update (as v1'), which must roll the update back. */
#include <stdlib.h>
#include <ttst.h>

#include "val_common.h"
#include "drv.h"

const char case_version[] = "v1";
struct stats g_stats;

int main(int argc, char **argv)
{
	if (ttst_is_updating()) /* only ever true in v1' */
		abort();
	return drv_main(argc, argv);
}
