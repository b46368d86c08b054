/* pool.h -- wrap_env corpus case: a pool allocator with no attributes; the
 * build names pool_get and pool_take in TTST_ALLOCATORS. */
#ifndef POOL_H
#define POOL_H
#include <stddef.h>

void *pool_get(size_t n);
void *pool_take(size_t n);
void *pool_peek(size_t n); /* returns memory too, but is not named */
void pool_reset(void);

#endif
