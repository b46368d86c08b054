/* interior/v2.c -- e2e case: v1's arrays with a bigger element (a member added in front, y
 * widened): every interior pointer must land on the same element and member. */
#include <stdlib.h>

#include "drv.h"

struct cell {
	double w;
	int x;
	long y;
};

struct cursor {
	struct cell *at;  /* an element of g_cells or of g_heap */
	long *member;      /* &element.y */
	struct cell *end; /* one past the end of g_heap */
};

const char case_version[] = "v2";
static struct cell g_cells[40];
static struct cell *g_heap;
static struct cursor g_cur[6];

void case_setup(void)
{
	g_heap = malloc(25 * sizeof *g_heap);
	for (int i = 0; i < 40; i++)
		g_cells[i] = (struct cell){0, i, 100 + i};
	for (int i = 0; i < 25; i++)
		g_heap[i] = (struct cell){0, -i, 200 + i};
	for (int k = 0; k < 6; k++) {
		struct cell *base = k % 2 ? g_heap : g_cells;

		g_cur[k].at = &base[k * 4 + 1];
		g_cur[k].member = &base[k * 4 + 2].y;
		g_cur[k].end = g_heap + 25;
	}
}

void case_dump(FILE *out)
{
	for (int k = 0; k < 6; k++) {
		struct cell *base = k % 2 ? g_heap : g_cells;

		fprintf(out, "cursor %d: at=%s[%ld] x=%d y=%ld member=%ld end=%ld\n", k,
			k % 2 ? "heap" : "cells", (long)(g_cur[k].at - base), g_cur[k].at->x,
			g_cur[k].at->y, *g_cur[k].member, (long)(g_cur[k].end - g_heap));
		if (g_cur[k].member != &base[k * 4 + 2].y)
			fprintf(out, "FAIL member pointer of cursor %d\n", k);
	}
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
