/* union-ixfer/v1.c -- e2e case: tagged values whose union member is annotated IXFER (copy the
 * bytes, never translate), in heap objects and in a static array. */
#include <stdlib.h>
#include <string.h>

#include <ttst.h>

#include "drv.h"

union val {
	long i;
	double d;
	char s[8];
};

struct var {
	int kind; /* 0 long, 1 double, 2 chars */
	IXFER(union val) v;
};

const char case_version[] = "v1";
static struct var *g_heap[30];
static struct var g_static[5];

static void set(struct var *x, int k)
{
	x->kind = k % 3;
	if (x->kind == 0)
		x->v.i = 1000003L * k;
	else if (x->kind == 1)
		x->v.d = k / 8.0;
	else
		snprintf(x->v.s, sizeof x->v.s, "s%d", k);
}

void case_setup(void)
{
	for (int k = 0; k < 30; k++) {
		g_heap[k] = malloc(sizeof *g_heap[k]);
		set(g_heap[k], k);
	}
	for (int k = 0; k < 5; k++)
		set(&g_static[k], k + 100);
}

static void show(FILE *out, const struct var *x)
{
	if (x->kind == 0)
		fprintf(out, "long %ld\n", x->v.i);
	else if (x->kind == 1)
		fprintf(out, "double %.6f\n", x->v.d);
	else
		fprintf(out, "chars %.8s\n", x->v.s);
}

void case_dump(FILE *out)
{
	for (int k = 0; k < 30; k++)
		show(out, g_heap[k]);
	for (int k = 0; k < 5; k++)
		show(out, &g_static[k]);
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
