/* v1/samebase.c -- old version: two TUs named util.c (net/, disk/) with same-named statics. */
#include <stdlib.h>

#include "snap.h"

void net_set_pool(long *p);
void disk_set_pool(long *p);

int main(void)
{
	long *a = malloc(sizeof *a), *b = malloc(sizeof *b);
	if (!a || !b)
		return 1;
	*a = 111;
	*b = 222;
	net_set_pool(a);
	disk_set_pool(b);
	xt_serve();
	return 0;
}
