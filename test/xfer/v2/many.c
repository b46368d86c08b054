/* v2/many.c -- new version for the xfer performance test: the entry widened, reordered and grown. */
#include <stdlib.h>
#include <string.h>

#include "many.h"

struct kv *g_table[NBUCKETS];
unsigned g_count;

/* Same site as v1 ("fill:e:0"); never called here. */
void fill(void)
{
	struct kv *e = malloc(sizeof *e);
	e->next = g_table[0];
	g_table[0] = e;
}

int main(int argc, char **argv)
{
	return xt_many_main(argc, argv);
}
