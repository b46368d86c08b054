/* mainlocals.c -- corpus: the automatic locals of main (parameters, a local
 * struct type, an array, same-named locals in nested scopes) and of a
 * function marked TTST_STATEFUL. */
#include <stdio.h>
#include <string.h>
#include <ttst.h>

TTST_STATEFUL static int worker(int rounds)
{
	int worker_sum = 0;
	for (int r = 0; r < rounds; r++)
		worker_sum += r;
	return worker_sum;
}

static int helper(int v)
{
	int helper_tmp = v * 2;
	return helper_tmp;
}

int main(int argc, char **argv)
{
	int total = 0;
	struct acc {
		int n;      /* 0 */
		double sum; /* 8 */
	} acc = {0, 0};
	char buf[32];
	for (int i = 0; i < 3; i++)
		total += i;
	{
		int i = 7;
		total += i;
	}
	acc.n = total;
	acc.sum = total * 0.5;
	snprintf(buf, sizeof buf, "%s:%d", argc > 0 ? "x" : "y", acc.n);
	total += worker(4) + helper(1);
	(void)argv;
	return !(total == 18 && strcmp(buf, "x:10") == 0 && acc.sum == 5.0);
}
