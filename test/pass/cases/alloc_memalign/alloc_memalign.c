/* alloc_memalign.c -- corpus: posix_memalign (destination = first argument)
 * and aligned_alloc, typed and into void *. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct block {
	double d[8]; /* 0 */
};                   /* size 64 */

int main(void)
{
	struct block *p = NULL;
	void *raw = NULL;
	if (posix_memalign((void **)&p, 64, sizeof *p) != 0) /*@p*/
		return 1;
	if (posix_memalign(&raw, 16, 100) != 0) /*@raw*/
		return 1;
	struct block *q = aligned_alloc(64, sizeof *q); /*@q*/
	int *ints = aligned_alloc(32, 8 * sizeof(int)); /*@ints*/
	if (!q || !ints)
		return 1;
	p->d[7] = 1.0;
	memset(raw, 0, 100);
	q->d[0] = 2.0;
	ints[7] = 3;
	int ok = ((uintptr_t)p % 64) == 0 && ((uintptr_t)q % 64) == 0 && ((uintptr_t)ints % 32) == 0 &&
		 p->d[7] + q->d[0] + ints[7] == 6.0;
	free(ints);
	free(q);
	free(raw);
	free(p);
	return !ok;
}
