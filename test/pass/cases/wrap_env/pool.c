/* pool.c -- wrap_env corpus case: a bump allocator over malloc'd chunks. */
#include <stdlib.h>
#include "pool.h"

#define POOL_CHUNK 4096

static char *chunks[16];
static size_t nchunks, used;

void *pool_get(size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (n > POOL_CHUNK)
		return NULL;
	if (nchunks == 0 || used + n > POOL_CHUNK) {
		if (nchunks == 16)
			return NULL;
		chunks[nchunks] = malloc(POOL_CHUNK); /*@chunk*/
		if (!chunks[nchunks])
			return NULL;
		nchunks++;
		used = 0;
	}
	void *p = chunks[nchunks - 1] + used;
	used += n;
	return p;
}

void *pool_take(size_t n)
{
	return pool_get(n);
}

void *pool_peek(size_t n)
{
	return n <= used ? chunks[nchunks - 1] : NULL;
}

void pool_reset(void)
{
	for (size_t i = 0; i < nchunks; i++)
		free(chunks[i]);
	nchunks = used = 0;
}
