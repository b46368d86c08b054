/* alloc_return.c -- corpus: `return malloc(...)` typed from the function's
 * return type, an allocation passed directly as a call argument, and a
 * char * returning string builder. */
#include <stdlib.h>
#include <string.h>

struct x {
	int a;    /* 0 */
	int b[3]; /* 4 */
};                /* size 16 */

struct x *x_new(void)
{
	return malloc(sizeof(struct x)); /*@ret*/
}

char *str_repeat(const char *s, int n)
{
	size_t len = strlen(s);
	char *out = malloc(len * (size_t)n + 1); /*@repeat*/
	if (!out)
		return NULL;
	for (int i = 0; i < n; i++)
		memcpy(out + len * (size_t)i, s, len);
	out[len * (size_t)n] = 0;
	return out;
}

static int consume(struct x *p)
{
	if (!p)
		return -1;
	p->a = 1;
	p->b[2] = 2;
	int v = p->a + p->b[2];
	free(p);
	return v;
}

int main(void)
{
	int v = consume(malloc(sizeof(struct x))); /*@arg*/
	struct x *y = x_new(); /*@wrap*/
	char *s = str_repeat("ab", 3); /*@wrap_str*/
	if (!y || !s)
		return 1;
	y->b[0] = 4;
	int ok = v == 3 && y->b[0] == 4 && strcmp(s, "ababab") == 0;
	free(s);
	free(y);
	return !ok;
}
