/* status.h -- the STATUS reply: the process's program, objects, threads and last update. */
#ifndef TTST_RT_STATUS_H
#define TTST_RT_STATUS_H

#include <stddef.h>

/* Counts of static objects in registered TUs. */
struct ttst_static_counts {
	size_t modules, tus, variables, functions;
};

/* Counts the static objects of every registered TU. */
void ttst_static_counts(struct ttst_static_counts *c);

/* Writes the STATUS text ("key=value\n" lines, see ttst/proto.h) into buf,
 * NUL-terminated.  parked: a park is currently held.  Returns the length
 * (truncated to n - 1; the buffer is sized by the caller). */
size_t ttst_status_text(char *buf, size_t n, int parked);

#endif /* TTST_RT_STATUS_H */
