/* grow.h -- the runtime's growable arrays: room for one more element, in glibc's own heap. */
#ifndef TTST_RT_GROW_H
#define TTST_RT_GROW_H

#include <stddef.h>

extern void *__libc_realloc(void *, size_t);

/* Makes the array *v (n elements of sz bytes, capacity *cap) hold n + 1:
 * doubles it, starting at first elements.  The memory is glibc's, never the
 * program's heap (so it is neither enumerated nor transferred).  Returns 0,
 * or -1 with *v unchanged if out of memory. */
static inline int ttst_grow(void **v, size_t *cap, size_t n, size_t sz, size_t first)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : first;
	void *p = __libc_realloc(*v, ncap * sz);
	if (!p)
		return -1;
	*v = p;
	*cap = ncap;
	return 0;
}

/* ttst_grow for a typed array pointer p with count n and capacity cap
 * (a size_t); evaluates to 0 or -1. */
#define TTST_GROW(p, n, cap, first)                                                          \
	__extension__({                                                                      \
		void *grow_v_ = (p);                                                         \
		int grow_r_ = ttst_grow(&grow_v_, &(cap), (n), sizeof *(p), (first));        \
		(p) = grow_v_;                                                               \
		grow_r_;                                                                     \
	})

#endif /* TTST_RT_GROW_H */
