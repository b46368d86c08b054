/* alloc_local.c -- corpus: malloc(sizeof(T)) / malloc(sizeof *p) into
 * locals, a second allocation into the same local (ordinal 1), an array
 * allocation, a scalar, and a local in another (non-wrapper) function. */
#include <stdlib.h>
#include <string.h>

struct rec {
	int id;      /* 0 */
	double val;  /* 8 */
	char tag[8]; /* 16 */
};                   /* size 24 */

static int fill(int n)
{
	struct rec *tmp = malloc(sizeof(struct rec)); /*@fill_tmp*/
	if (!tmp)
		return -1;
	tmp->id = n;
	int id = tmp->id;
	free(tmp);
	return id;
}

int main(void)
{
	struct rec *r = malloc(sizeof(struct rec)); /*@r0*/
	struct rec *r2 = malloc(sizeof *r2); /*@r2*/
	long *n = malloc(sizeof(long)); /*@n*/
	struct rec *arr = malloc(4 * sizeof *arr); /*@arr*/
	if (!r || !r2 || !n || !arr)
		return 1;
	r->id = 1;
	r->val = 2.0;
	strcpy(r->tag, "first");
	*r2 = *r;
	free(r);
	r = malloc(sizeof *r); /*@r1*/
	if (!r)
		return 1;
	r->id = 3;
	*n = r->id + r2->id;
	for (int i = 0; i < 4; i++)
		arr[i].id = i;
	int ok = *n == 4 && arr[3].id == 3 && strcmp(r2->tag, "first") == 0 && fill(9) == 9;
	free(arr);
	free(n);
	free(r2);
	free(r);
	return !ok;
}
