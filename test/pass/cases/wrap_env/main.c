/* main.c -- wrap_env corpus case: calls to allocators named only through
 * TTST_ALLOCATORS at compile time. */
#include <string.h>
#include "pool.h"

struct ent {
	char key[8];  /* 0 */
	long value;   /* 8 */
};                    /* size 16 */

int main(void)
{
	struct ent *e = pool_get(sizeof *e); /*@e*/
	struct ent *f = pool_take(sizeof(struct ent)); /*@f*/
	double *d = pool_get(4 * sizeof *d); /*@d*/
	if (!e || !f || !d)
		return 1;
	char *peek = pool_peek(1); /*@peek*/
	strcpy(e->key, "k1");
	e->value = 10;
	*f = *e;
	d[3] = 0.5;
	int ok = f->value == 10 && strcmp(f->key, "k1") == 0 && d[3] == 0.5 && peek != NULL;
	pool_reset();
	return !ok;
}
