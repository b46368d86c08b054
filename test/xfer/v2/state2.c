/* v2/state2.c -- the second translation unit: its file static has the same name as state.c's. */
#include "state.h"

static int file_static = 0;

int state2_file_static(void)
{
	return file_static;
}
