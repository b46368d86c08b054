/* alloc_args.c -- corpus: allocation size arguments in other shapes:
 * calloc with swapped arguments, sizeof(T) * n with a run-time n,
 * realloc(NULL, ...), strdup into a const char * member. */
#include <stdlib.h>
#include <string.h>

struct rec {
	long id;          /* 0 */
	const char *name; /* 8 */
};                        /* size 16 */

int main(int argc, char **argv)
{
	(void)argv;
	size_t n = (size_t)argc + 2; /* 3 */
	struct rec *a = calloc(sizeof(struct rec), 4); /*@swapped*/
	struct rec *b = malloc(sizeof(struct rec) * n); /*@scaled*/
	struct rec *c = realloc(NULL, sizeof *c); /*@null_realloc*/
	if (!a || !b || !c)
		return 1;
	a[3].name = strdup("three"); /*@const_member*/
	if (!a[3].name)
		return 1;
	b[2].id = 2;
	c->id = 1;
	int ok = strcmp(a[3].name, "three") == 0 && a[0].id == 0 && b[2].id + c->id == 3;
	free((void *)a[3].name);
	free(c);
	free(b);
	free(a);
	return !ok;
}
