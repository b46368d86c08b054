/* regions.h -- mmap regions made at instrumented sites, tracked as objects. */
#ifndef TTST_RT_REGIONS_H
#define TTST_RT_REGIONS_H

#include <stddef.h>
#include <stdint.h>

struct ttst_region {
	uintptr_t start;
	size_t len;	/* page-rounded */
	uint32_t site;	/* global site number */
	uint32_t typed; /* the site has a type */
	int prot, flags;
};

/* Calls fn for each region (sorted by address) with the list locked; stops
 * when fn returns non-zero and returns that. fn must not map or unmap. */
int ttst_regions_foreach(int (*fn)(const struct ttst_region *, void *), void *arg);

/* Number of regions and their total length. */
void ttst_regions_count(size_t *n, size_t *bytes);

void ttst_regions_fork_prepare(void);
void ttst_regions_fork_parent(void);
void ttst_regions_fork_child(void);

#endif /* TTST_RT_REGIONS_H */
