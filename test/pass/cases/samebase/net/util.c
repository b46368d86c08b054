/* net/util.c -- samebase corpus case: one of two files named util.c (in
 * different directories), each with the same file-static names. */
#include <stdlib.h>

struct conn {
	int fd;     /* 0 */
	long bytes; /* 8 */
};                  /* size 16 */

static int counter = 1;
static struct conn *pool;

static struct conn *make(void)
{
	struct conn *p = malloc(sizeof *p); /*@net_make*/
	if (p)
		p->fd = counter++;
	return p;
}

int net_use(void)
{
	pool = make();
	int fd = pool ? pool->fd : -1;
	free(pool);
	return fd;
}
