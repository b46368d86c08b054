/* v2/ptrarr.c -- new version for the pointer-array test. */
#include <stdlib.h>

#include "ptrarr.h"

struct node **g_arr;
struct node *g_sarr[NSARR];
struct node g_static_node;

/* Same sites as v1's fill ("fill:n:0", "fill:g_arr:0"); never called here. */
static void fill(void)
{
	struct node *n = malloc(sizeof *n);
	n->self = n;
	g_arr = malloc(NARR * sizeof *g_arr);
	g_arr[0] = n;
}

int main(int argc, char **argv)
{
	if (argc < 0)
		fill();
	return xt_ptrarr_main(argc, argv);
}
