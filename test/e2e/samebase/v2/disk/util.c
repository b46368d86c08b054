/* disk/util.c -- e2e samebase case (v2): the same-named statics, g_count widened to long long and
 * declared after g_name. */
#include <stdlib.h>
#include <string.h>

#include "../common.h"

static char *g_name;
static long long g_count;

void disk_add(long n)
{
	g_count += n;
	if (!g_name)
		g_name = strdup("disk");
}

long disk_count(void)
{
	return (long)g_count;
}

const char *disk_name(void)
{
	return g_name ? g_name : "none";
}
