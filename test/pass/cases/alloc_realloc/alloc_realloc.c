/* alloc_realloc.c -- corpus: realloc growth of an array of structs
 * (t->items = realloc(t->items, n * sizeof *t->items)), reallocarray, and
 * realloc of a char buffer in a local. */
#include <stdlib.h>
#include <string.h>

struct item {
	int key;       /* 0 */
	char name[12]; /* 4 */
};                     /* size 16 */

struct table {
	size_t n, cap;       /* 0, 8 */
	struct item *items;  /* 16 */
};                           /* size 24 */

int table_grow(struct table *t)
{
	size_t ncap = t->cap ? 2 * t->cap : 2;
	t->items = realloc(t->items, ncap * sizeof *t->items); /*@grow*/
	if (!t->items)
		return -1;
	t->cap = ncap;
	return 0;
}

int table_grow2(struct table *t)
{
	size_t ncap = t->cap + 3;
	t->items = reallocarray(t->items, ncap, sizeof *t->items); /*@grow2*/
	if (!t->items)
		return -1;
	t->cap = ncap;
	return 0;
}

static int table_add(struct table *t, int key)
{
	if (t->n == t->cap && table_grow(t) != 0)
		return -1;
	t->items[t->n].key = key;
	memcpy(t->items[t->n].name, "k", 2);
	t->n++;
	return 0;
}

int main(void)
{
	struct table t = {0, 0, NULL};
	for (int i = 0; i < 20; i++)
		if (table_add(&t, i) != 0)
			return 1;
	if (table_grow2(&t) != 0)
		return 1;
	char *buf = NULL;
	for (size_t len = 8; len <= 64; len *= 2) {
		buf = realloc(buf, len); /*@buf*/
		if (!buf)
			return 1;
		memset(buf, 'x', len - 1);
		buf[len - 1] = 0;
	}
	int sum = 0;
	for (size_t i = 0; i < t.n; i++)
		sum += t.items[i].key;
	int ok = sum == 190 && t.cap == 35 && strlen(buf) == 63;
	free(buf);
	free(t.items);
	return !ok;
}
