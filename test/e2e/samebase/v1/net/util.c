/* net/util.c -- e2e samebase case: a file static with the same name as in the other util.c. */
#include <stdlib.h>
#include <string.h>

#include "../common.h"

static long g_count;
static char *g_name;

void net_add(long n)
{
	g_count += n;
	if (!g_name)
		g_name = strdup("net");
}

long net_count(void)
{
	return g_count;
}

const char *net_name(void)
{
	return g_name ? g_name : "none";
}
