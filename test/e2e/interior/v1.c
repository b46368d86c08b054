/* interior/v1.c -- e2e case: interior pointers into arrays: into a static array of structs (an
 * element and a member of an element), into a heap array of structs, and one past the end. */
#include <stdlib.h>

#include "drv.h"

struct cell {
	int x;
	int y;
};

struct cursor {
	struct cell *at;  /* an element of g_cells or of g_heap */
	int *member;      /* &element.y */
	struct cell *end; /* one past the end of g_heap */
};

const char case_version[] = "v1";
static struct cell g_cells[40];
static struct cell *g_heap;
static struct cursor g_cur[6];

void case_setup(void)
{
	g_heap = malloc(25 * sizeof *g_heap);
	for (int i = 0; i < 40; i++)
		g_cells[i] = (struct cell){i, 100 + i};
	for (int i = 0; i < 25; i++)
		g_heap[i] = (struct cell){-i, 200 + i};
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

		fprintf(out, "cursor %d: at=%s[%ld] x=%d y=%d member=%d end=%ld\n", k,
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
