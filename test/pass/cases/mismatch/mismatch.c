/* mismatch.c -- corpus: constant sizes checked against the inferred type:
 * deliberate mismatches drop the type; exact sizes and multiples keep it. */
#include <stdlib.h>

struct s16 {
	long a; /* 0 */
	long b; /* 8 */
};              /* size 16 */

int main(int argc, char **argv)
{
	(void)argv;
	size_t n = (size_t)argc + 1;
	struct s16 *p = malloc(10); /*@short*/
	struct s16 *q = malloc(48); /*@multiple*/
	struct s16 *r = calloc(3, 10); /*@calloc_bad*/
	struct s16 *t = malloc(n * 12); /*@scaled_bad*/
	struct s16 *u = malloc(16); /*@exact*/
	struct s16 *w = malloc(n * sizeof *w); /*@scaled_ok*/
	if (!p || !q || !r || !t || !u || !w)
		return 1;
	p->a = 1; /* within the 10 bytes */
	q[2].b = 2;
	u->b = 3;
	w[1].a = 4;
	int ok = p->a + q[2].b + u->b + w[1].a == 10;
	free(w);
	free(u);
	free(t);
	free(r);
	free(q);
	free(p);
	return !ok;
}
