/* val-v1rhang/v1.c -- validation case: counters and a 50-item heap list; v1 hangs whenever it is
 * started by an update (as v1'), which must time out and roll back. */
#include <stdlib.h>
#include <ttst.h>
#include <unistd.h>

#include "val_common.h"
#include "drv.h"

const char case_version[] = "v1";
struct stats g_stats;

int main(int argc, char **argv)
{
	if (ttst_is_updating()) /* only ever true in v1' */
		for (;;)
			pause();
	return drv_main(argc, argv);
}
