/* typedefs.c -- corpus: typedef chains (typedef of typedef of struct,
 * const/volatile-qualified typedefs), an anonymous struct named by its
 * typedef, pointer and function-pointer typedefs. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct base {
	int id;        /* 0 */
	char name[20]; /* 4 */
};                     /* size 24 */

typedef struct base base_t;
typedef base_t base2_t;
typedef const base2_t cbase_t;
typedef volatile unsigned long counter_t;
typedef struct {
	int x, y;
} pair_t;
typedef pair_t *pair_ptr;
typedef int (*cmp_fn)(const void *, const void *);

struct uses {
	base2_t b;     /* 0 */
	cbase_t *cb;   /* 24 */
	counter_t cnt; /* 32 */
	pair_t p;      /* 40 */
	pair_ptr pp;   /* 48 */
	cmp_fn cmp;    /* 56 */
};                     /* size 64 */

_Static_assert(sizeof(struct uses) == 64 && offsetof(struct uses, cmp) == 56, "uses");

cbase_t g_const_base = {1, "one"};
base2_t g_base2;
pair_t g_pairs[3];
static struct uses s_uses;

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int main(void)
{
	int v[4] = {3, 1, 2, 0};
	s_uses.b = g_const_base;
	s_uses.cb = &g_const_base;
	s_uses.cnt = 41;
	s_uses.cnt++;
	s_uses.p = (pair_t){5, 6};
	g_pairs[1] = s_uses.p;
	s_uses.pp = &g_pairs[1];
	s_uses.cmp = cmp_int;
	qsort(v, 4, sizeof v[0], s_uses.cmp);
	strcpy(g_base2.name, s_uses.cb->name);
	if (v[0] != 0 || v[3] != 3 || s_uses.cnt != 42)
		return 1;
	return !(s_uses.pp->y == 6 && strcmp(g_base2.name, "one") == 0 && s_uses.b.id == 1);
}
