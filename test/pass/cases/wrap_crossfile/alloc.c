/* alloc.c -- wrap_crossfile corpus case: the wrappers' definitions; the
 * allocations in here are untyped by design (void *). */
#include <stdlib.h>
#include "alloc.h"

static size_t count;

void *xalloc(size_t n)
{
	void *p = malloc(n); /*@xalloc_inner*/
	if (!p)
		abort();
	count++;
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size); /*@xcalloc_inner*/
	if (!p)
		abort();
	count++;
	return p;
}

void xfree(void *p)
{
	if (p)
		count--;
	free(p);
}

size_t xalloc_count(void)
{
	return count;
}
