/* wrap_nodest.c -- corpus: calls to a typed same-file wrapper whose result
 * is not stored in a variable (used as a base pointer, passed on, stored in
 * an array element): the wrapper's declared return type states the type. */
#include <stdlib.h>

struct ent {
	int k;  /* 0 */
	long v; /* 8 */
};              /* size 16 */

static struct ent *s_all[8];
static int s_n;

static struct ent *ent_new(int k)
{
	struct ent *e = malloc(sizeof *e); /*@inner*/
	if (!e)
		abort();
	e->k = k;
	e->v = 0;
	s_all[s_n++] = e;
	return e;
}

static long value_of(const struct ent *e)
{
	return e->v;
}

int main(void)
{
	ent_new(1)->v = 5; /*@base*/
	long v = value_of(ent_new(2)); /*@arg*/
	struct ent *keep[2];
	keep[0] = ent_new(3); /*@elem*/
	keep[1] = NULL;
	long sum = 0;
	for (int i = 0; i < s_n; i++)
		sum += s_all[i]->k + s_all[i]->v;
	for (int i = 0; i < s_n; i++)
		free(s_all[i]);
	return !(sum == 11 && v == 0 && keep[1] == NULL);
}
