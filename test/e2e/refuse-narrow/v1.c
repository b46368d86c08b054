/* refuse-narrow/v1.c -- e2e refusal: v2 narrows a long member to short while one object holds a
 * value that does not fit; the update must be rolled back, naming the member. */
#include <stdlib.h>

#include "drv.h"

struct account {
	long balance;
	int id;
};

const char case_version[] = "v1";
static struct account *g_acct[4];

void case_setup(void)
{
	for (int i = 0; i < 4; i++) {
		g_acct[i] = malloc(sizeof *g_acct[i]);
		g_acct[i]->id = i;
		g_acct[i]->balance = i == 2 ? 100000 : i * 10;
	}
}

void case_dump(FILE *out)
{
	for (int i = 0; i < 4; i++)
		fprintf(out, "account %d: %ld\n", g_acct[i]->id, (long)g_acct[i]->balance);
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
