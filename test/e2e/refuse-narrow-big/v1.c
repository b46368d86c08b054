/* refuse-narrow-big/v1.c -- e2e refusal on two threads: v2 narrows a long member to short while one object holds a
 * value that does not fit; the update must be rolled back, naming the member. */
#include <stdlib.h>

#include "drv.h"

struct account {
	long balance;
	int id;
};

const char case_version[] = "v1";
#define N 60000 /* enough objects for a two-thread move; the bad one is the last */
static struct account *g_acct[N];

void case_setup(void)
{
	for (int i = 0; i < N; i++) {
		g_acct[i] = malloc(sizeof *g_acct[i]);
		g_acct[i]->id = i;
		g_acct[i]->balance = i == N - 1 ? 100000 : i % 1000;
	}
}

void case_dump(FILE *out)
{
	long sum = 0;
	for (int i = 0; i < N; i++)
		sum += g_acct[i]->id + (long)g_acct[i]->balance;
	fprintf(out, "accounts %d sum %ld\n", N, sum);
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
