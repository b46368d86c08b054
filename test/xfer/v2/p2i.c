/* v2/p2i.c -- new version for the static refusals and the rules tests. */
#include "p2i.h"

long g_p2i_bad; /* was void *: refused without PXFER */
struct rec *g_recp;
union u g_u;
enum color g_col;
struct node g_node;

int main(int argc, char **argv)
{
	return xt_p2i_main(argc, argv);
}
