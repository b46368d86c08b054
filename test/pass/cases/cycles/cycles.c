/* cycles.c -- corpus: mutually recursive structs, a struct embedding
 * another that points back, a typedef used before its struct is complete,
 * pointers to arrays and to functions taking the type itself. */
#include <stddef.h>

struct b;
struct a {
	int x;          /* 0 */
	struct b *b;    /* 8 */
	struct a *self; /* 16 */
};                      /* size 24 */

struct b {
	struct a *a;      /* 0 */
	struct a arr[2];  /* 8 */
};                        /* size 56 */

typedef struct list list_t;
struct list {
	list_t *next;                                /* 0 */
	int (*cmp)(const list_t *, const list_t *);  /* 8 */
	int key;                                     /* 16 */
};                                                   /* size 24 */

struct matrix {
	double (*row)[3]; /* 0 */
	int n;            /* 8 */
};                        /* size 16 */

struct a g_a;
struct b g_b;
list_t g_list[2];
int (*g_rows)[4];
struct matrix g_m;

static int by_key(const list_t *x, const list_t *y)
{
	return x->key - y->key;
}

int main(void)
{
	static int rows[2][4] = {{1, 2, 3, 4}, {5, 6, 7, 8}};
	static double cells[2][3];
	g_a.b = &g_b;
	g_a.self = &g_a;
	g_b.a = &g_a;
	g_b.arr[1].x = 4;
	g_list[0] = (list_t){&g_list[1], by_key, 1};
	g_list[1] = (list_t){NULL, by_key, 3};
	g_rows = rows;
	g_m.row = cells;
	g_m.n = 2;
	g_m.row[1][2] = 0.5;
	return !(g_a.self->b->a->x == 0 && g_b.arr[1].x == 4 && g_list[0].cmp(&g_list[0], g_list[0].next) == -2 &&
		 g_rows[1][3] == 8 && cells[1][2] == 0.5);
}
