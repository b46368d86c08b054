/* util.h -- the helper module of the ttst-cc build test project. */
#ifndef CCPROJ_UTIL_H
#define CCPROJ_UTIL_H

#include <stddef.h>

/* A named counter kept in a singly linked list. */
struct counter {
	char *name;
	long value;
	struct counter *next;
};

/* Returns the counter called name in *list, creating it (heap) if needed;
 * NULL if out of memory. */
struct counter *counter_get(struct counter **list, const char *name);

/* Frees every counter of list. */
void counter_free_all(struct counter *list);

#endif
