/* a.c -- dups corpus case, TU 1: a static function `helper` (address
 * taken) with a static local, and a static allocating function `mk`. */
#include "common.h"

static int helper(int x)
{
	static int calls;
	calls++;
	return x + calls;
}

int (*a_fn)(int) = helper;

static struct node *mk(void)
{
	struct node *p = node_new(1); /*@a_mk*/
	return p;
}

int a_run(void)
{
	struct node *n = mk();
	int r = n ? a_fn(n->v) : -1; /* 1 + 1 */
	free(n);
	return r + ticket() - 1;
}
