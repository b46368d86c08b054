/* disk/util.c -- samebase corpus case: the other util.c, with the same
 * file-static names as net/util.c but other types. */
#include <stdlib.h>

struct blk {
	double when; /* 0 */
	char tag[8]; /* 8 */
};                   /* size 16 */

static long counter = 100;
static struct blk *pool;

static struct blk *make(void)
{
	struct blk *p = calloc(1, sizeof *p); /*@disk_make*/
	if (p)
		p->when = (double)counter++;
	return p;
}

long disk_use(void)
{
	pool = make();
	long when = pool ? (long)pool->when : -1;
	free(pool);
	return when;
}
