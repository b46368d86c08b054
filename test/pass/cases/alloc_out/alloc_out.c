/* alloc_out.c -- corpus: allocations stored through an out parameter
 * (*out = malloc(...)), typed from the parameter's pointee's pointee. */
#include <stdlib.h>
#include <string.h>

struct obj {
	int a; /* 0 */
	int b; /* 4 */
};             /* size 8 */

int obj_new(struct obj **out)
{
	*out = malloc(sizeof **out); /*@obj*/
	return *out ? 0 : -1;
}

int buf_new(char **out, size_t n)
{
	*out = malloc(n); /*@buf*/
	return *out ? 0 : -1;
}

int objs_new(struct obj **out, size_t n)
{
	*out = calloc(n, sizeof(struct obj)); /*@objs*/
	return *out ? 0 : -1;
}

int main(void)
{
	struct obj *o = NULL, *many = NULL;
	char *b = NULL;
	if (obj_new(&o) || buf_new(&b, 16) || objs_new(&many, 5))
		return 1;
	o->a = 1;
	o->b = 2;
	strcpy(b, "out");
	many[4].b = 7;
	int ok = o->a + o->b == 3 && strcmp(b, "out") == 0 && many[4].b == 7 && many[0].a == 0;
	free(many);
	free(b);
	free(o);
	return !ok;
}
