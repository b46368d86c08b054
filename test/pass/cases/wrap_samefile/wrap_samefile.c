/* wrap_samefile.c -- corpus: same-file allocator wrappers (xmalloc returning
 * void *, a typed constructor), their call sites typed from the caller's
 * destination; the allocation inside xmalloc is untyped by design. */
#include <stdlib.h>
#include <string.h>

struct foo {
	int a;      /* 0 */
	char b[20]; /* 4 */
};                  /* size 24 */

static void *xmalloc(size_t n)
{
	void *p = malloc(n); /*@inner*/
	if (!p)
		abort();
	return p;
}

static struct foo *foo_new(int a)
{
	struct foo *f = malloc(sizeof *f); /*@ctor_inner*/
	if (!f)
		abort();
	f->a = a;
	strcpy(f->b, "new");
	return f;
}

int main(void)
{
	struct foo *f = xmalloc(sizeof *f); /*@f*/
	char *s = xmalloc(10); /*@s*/
	struct foo *many = xmalloc(3 * sizeof(struct foo)); /*@many*/
	struct foo *x = foo_new(5); /*@x*/
	f->a = 1;
	strcpy(s, "wrapped");
	many[2].a = 2;
	int ok = f->a + many[2].a + x->a == 8 && strcmp(x->b, "new") == 0 && strcmp(s, "wrapped") == 0;
	free(x);
	free(many);
	free(s);
	free(f);
	return !ok;
}
