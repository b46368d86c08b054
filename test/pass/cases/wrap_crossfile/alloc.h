/* alloc.h -- wrap_crossfile corpus case: allocator wrappers declared with
 * malloc/alloc_size attributes, defined in another TU (alloc.c). */
#ifndef ALLOC_H
#define ALLOC_H
#include <stddef.h>

void *xalloc(size_t n) __attribute__((malloc, alloc_size(1)));
void *xcalloc(size_t n, size_t size) __attribute__((malloc, alloc_size(1, 2)));
void xfree(void *p);
size_t xalloc_count(void);

#endif
