/* alloc_calloc.c -- corpus: calloc(n, sizeof(T)) with constant and runtime
 * counts, into locals and into a struct member. */
#include <stdlib.h>

struct cell {
	short row, col; /* 0, 2 */
	float weight;   /* 4 */
};                      /* size 8 */

struct grid {
	int ncells;          /* 0 */
	struct cell *cells;  /* 8 */
};                           /* size 16 */

int main(int argc, char **argv)
{
	(void)argv;
	size_t n = (size_t)argc + 9; /* 10 at run time */
	struct cell *cells = calloc(16, sizeof(struct cell)); /*@cells*/
	int *counts = calloc(n, sizeof *counts); /*@counts*/
	struct grid *g = calloc(1, sizeof *g); /*@g*/
	if (!cells || !counts || !g)
		return 1;
	g->cells = calloc(n, sizeof(struct cell)); /*@member*/
	if (!g->cells)
		return 1;
	g->ncells = (int)n;
	int sum = 0;
	for (size_t i = 0; i < n; i++) {
		g->cells[i].row = (short)i;
		counts[i] = cells[i].row + 1;
		sum += counts[i] + g->cells[i].row;
	}
	free(g->cells);
	free(g);
	free(counts);
	free(cells);
	return sum != 10 + 45;
}
