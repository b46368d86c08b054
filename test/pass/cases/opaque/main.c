/* main.c -- opaque corpus case: allocates and holds struct handle without
 * seeing its definition. */
#include <stdlib.h>
#include "handle.h"

struct handle *g_handle;

int main(void)
{
	struct handle *h = malloc(handle_size()); /*@alloc*/
	if (!h)
		return 1;
	handle_init(h, 7);
	g_handle = h;
	int ok = handle_id(g_handle) == 7;
	free(h);
	return !ok;
}
