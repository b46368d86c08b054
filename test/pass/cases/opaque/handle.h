/* handle.h -- opaque corpus case: an opaque handle type, defined only in
 * handle.c. */
#ifndef HANDLE_H
#define HANDLE_H
#include <stddef.h>

struct handle;
size_t handle_size(void);
void handle_init(struct handle *h, int id);
int handle_id(const struct handle *h);

#endif
