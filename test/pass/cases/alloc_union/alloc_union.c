/* alloc_union.c -- corpus: allocations stored into union members through a
 * pointer; the member written (not the union's first member) states the
 * type. */
#include <stdlib.h>
#include <string.h>

struct item {
	struct item *next; /* 0 */
	long v;            /* 8 */
};                         /* size 16 */

union value {
	long i;             /* 0 */
	char *s;            /* 0 */
	struct item *items; /* 0 */
	double *vec;        /* 0 */
};                          /* size 8 */

struct slot {
	int kind;        /* 0 */
	union value val; /* 8 */
};                       /* size 16 */

int main(void)
{
	struct slot *a = calloc(3, sizeof *a); /*@slots*/
	if (!a)
		return 1;
	a[0].kind = 1;
	a[0].val.s = strdup("text"); /*@str*/
	a[1].kind = 2;
	a[1].val.items = malloc(sizeof(struct item)); /*@items*/
	a[2].kind = 3;
	a[2].val.vec = calloc(4, sizeof(double)); /*@vec*/
	if (!a[0].val.s || !a[1].val.items || !a[2].val.vec)
		return 1;
	a[1].val.items->next = NULL;
	a[1].val.items->v = 9;
	a[2].val.vec[3] = 0.25;
	int ok = strcmp(a[0].val.s, "text") == 0 && a[1].val.items->v == 9 && a[2].val.vec[3] == 0.25;
	free(a[2].val.vec);
	free(a[1].val.items);
	free(a[0].val.s);
	free(a);
	return !ok;
}
