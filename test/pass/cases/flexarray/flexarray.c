/* flexarray.c -- corpus: flexible array members, allocated with the header
 * size plus a payload (typed, not a size mismatch). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct msg {
	unsigned len;        /* 0 */
	unsigned short type; /* 4 */
	char data[];         /* 6 */
};                           /* size 8 */

struct vec {
	size_t n;    /* 0 */
	double v[];  /* 8 */
};                   /* size 8 */

struct point3 {
	float x, y, z; /* 0, 4, 8 */
};                     /* size 12 */

struct bag {
	unsigned short n;       /* 0 */
	struct point3 pts[];    /* 4 */
};                              /* size 4 */

_Static_assert(sizeof(struct bag) == 4 && offsetof(struct bag, pts) == 4, "bag");
_Static_assert(sizeof(struct msg) == 8 && offsetof(struct msg, data) == 6, "msg");

struct msg *g_last;

int main(void)
{
	struct msg *m = malloc(sizeof *m + 32); /*@msg*/
	struct vec *v = malloc(sizeof(struct vec) + 4 * sizeof(double)); /*@vec*/
	struct bag *b = malloc(sizeof *b + 3 * sizeof b->pts[0]); /*@bag*/
	if (!m || !v || !b)
		return 1;
	b->n = 3;
	b->pts[2].z = 1.0f;
	m->len = 5;
	m->type = 2;
	memcpy(m->data, "hello", 6);
	v->n = 4;
	for (size_t i = 0; i < v->n; i++)
		v->v[i] = (double)i / 2;
	g_last = m;
	int ok = strcmp(g_last->data, "hello") == 0 && v->v[3] == 1.5 && b->pts[2].z == 1.0f;
	free(b);
	free(v);
	free(m);
	return !ok;
}
