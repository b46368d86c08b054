/* list/v2.c -- e2e case: the list of v1 with the members reordered, the value widened to long
 * and a member added (must be zero after the update). */
#include <stdlib.h>

#include "drv.h"

struct node {
	struct node *next;
	long added;
	long val;
};

const char case_version[] = "v2";
static struct node *g_head;

void case_setup(void)
{
	for (int i = 0; i < 200; i++) {
		struct node *n = malloc(sizeof *n);

		n->val = i * 7 - 300;
		n->added = 0;
		n->next = g_head;
		g_head = n;
	}
}

void case_dump(FILE *out)
{
	long sum = 0, len = 0;

	for (struct node *n = g_head; n; n = n->next, len++) {
		sum += n->val;
		fprintf(out, "%ld\n", n->val);
		if (n->added)
			fprintf(out, "FAIL added member not zero\n");
	}
	fprintf(out, "len=%ld sum=%ld\n", len, sum);
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
