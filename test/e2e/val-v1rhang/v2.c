/* val-v1rhang/v2.c -- validation case: a correct new version; the
 * update fails because v1' hangs. */
#include <stdlib.h>
#include <ttst.h>

#include "val_common.h"
#include "drv.h"

const char case_version[] = "v2";
struct stats g_stats;

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
