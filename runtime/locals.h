/* locals.h -- automatic locals of main and TTST_STATEFUL functions, per thread and activation. */
#ifndef TTST_RT_LOCALS_H
#define TTST_RT_LOCALS_H

#include <stddef.h>
#include <stdint.h>

#include "tls.h"

struct ttst_tu_hdr;

struct ttst_local {
	const struct ttst_tu_hdr *tu;
	uint32_t index; /* static-record index (kind TTST_S_LOCAL) */
	uint32_t first; /* first local of its activation */
	void *addr;
	struct ttst_local *next; /* older */
};

/* Frees every local entry of t (thread exit). */
void ttst_locals_drop(struct ttst_tls *t);

/* Calls fn for every registered local of every live thread; stops when fn
 * returns non-zero and returns that.  Only while the threads are quiescent. */
int ttst_locals_foreach(int (*fn)(const struct ttst_local *, void *), void *arg);

/* Number of registered locals of every live thread (safe at any time). */
size_t ttst_locals_count(void);

#endif /* TTST_RT_LOCALS_H */
