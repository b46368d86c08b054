/* b.c -- dups corpus case, TU 2: the same static names as a.c with other
 * types. */
#include "common.h"

static int helper(int x)
{
	static long calls = 10;
	calls++;
	return x + (int)calls;
}

int (*b_fn)(int) = helper;

static struct node *mk(void)
{
	struct node *p = node_new(2); /*@b_mk*/
	return p;
}

int b_run(void)
{
	struct node *n = mk();
	int r = n ? b_fn(n->v) : -1; /* 2 + 11 */
	free(n);
	return r + ticket() - 1;
}

int main(void)
{
	return !(a_run() == 2 && b_run() == 13);
}
