/* alloc_forms.c -- corpus: allocation expressions in other syntactic
 * forms: casts, conditional expressions, vectors of pointers, element
 * stores, chained and in-condition assignments, a void * buffer. */
#include <stdlib.h>
#include <string.h>

struct pt {
	int x, y; /* 0, 4 */
};                /* size 8 */

int main(int argc, char **argv)
{
	(void)argv;
	struct pt *a = (struct pt *)malloc(sizeof(struct pt)); /*@cast*/
	struct pt *b = argc > 5 ? malloc(sizeof *b) : calloc(1, sizeof *b); /*@ternary*/
	char **vec = malloc(4 * sizeof *vec); /*@vec*/
	if (!a || !b || !vec)
		return 1;
	for (int i = 0; i < 4; i++)
		vec[i] = malloc(8); /*@elem*/
	struct pt **grid = calloc(2, sizeof *grid); /*@grid*/
	if (!grid)
		return 1;
	grid[0] = malloc(3 * sizeof **grid); /*@row*/
	grid[1] = NULL;
	struct pt *c, *d;
	c = d = malloc(sizeof *c); /*@chain*/
	struct pt *e;
	if ((e = malloc(sizeof *e)) == NULL) /*@incond*/
		return 1;
	void *raw = malloc(32); /*@void*/
	if (!grid[0] || !c || !raw)
		return 1;
	a->x = 1;
	b->y = 2;
	strcpy(vec[3], "seven");
	grid[0][2].x = 3;
	d->y = 4;
	e->x = 5;
	memset(raw, 0, 32);
	int ok = a->x + b->y + grid[0][2].x + c->y + e->x == 15 && strcmp(vec[3], "seven") == 0;
	free(raw);
	free(e);
	free(c);
	free(grid[0]);
	free(grid);
	for (int i = 0; i < 4; i++)
		free(vec[i]);
	free(vec);
	free(b);
	free(a);
	return !ok;
}
