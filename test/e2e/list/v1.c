/* list/v1.c -- e2e case: a singly linked list of 200 heap nodes (v1: int value first). */
#include <stdlib.h>

#include "drv.h"

struct node {
	int val;
	struct node *next;
};

const char case_version[] = "v1";
static struct node *g_head;

void case_setup(void)
{
	for (int i = 0; i < 200; i++) {
		struct node *n = malloc(sizeof *n);

		n->val = i * 7 - 300;
		n->next = g_head;
		g_head = n;
	}
}

void case_dump(FILE *out)
{
	long sum = 0, len = 0;

	for (struct node *n = g_head; n; n = n->next, len++) {
		sum += n->val;
		fprintf(out, "%d\n", n->val);
	}
	fprintf(out, "len=%ld sum=%ld\n", len, sum);
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
