/* refuse-narrow/v2.c -- e2e refusal: balance is a short here; 100000 does not fit. */
#include <stdlib.h>

#include "drv.h"

struct account {
	short balance;
	int id;
};

const char case_version[] = "v2";
static struct account *g_acct[4];

void case_setup(void)
{
	for (int i = 0; i < 4; i++) {
		g_acct[i] = malloc(sizeof *g_acct[i]);
		g_acct[i]->id = i;
		g_acct[i]->balance = (short)(i * 10);
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
