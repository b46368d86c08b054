/* update_image.h -- v1 writes its state description (TU blobs + object list) into a memfd for v2
 * (layout: struct ttst_image_hdr in ttst/proto.h). */
#ifndef TTST_RT_UPDATE_IMAGE_H
#define TTST_RT_UPDATE_IMAGE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "ttst/proto.h"

/* Builds the state image of this process (its threads must be parked):
 * every registered TU blob as in memory, and every object of the registry
 * (statics, functions, locals, heap, mmap) with its TU index, record or site
 * index and per-site ordinal, sorted by address.  Returns a memfd (the
 * caller closes it) with *size, *nobjs set, or -1 with the reason in err.
 * Allocates nothing through the interposed allocator. */
int ttst_image_build(uint64_t *size, uint64_t *nobjs, char *err, size_t n);

/* An image built on a runtime thread while v2 starts (spawn, re-init). */
struct ttst_image_job {
	pthread_t th;
	int state; /* 0 idle, 1 running on th, 2 done */
	int fd;	   /* result of ttst_image_build */
	uint64_t size, nobjs;
	unsigned ms; /* build time */
	char err[512];
};

/* Starts building the image in the background (the threads stay parked
 * until ttst_image_wait).  If no thread can be started, ttst_image_wait
 * builds it.  Never fails. */
void ttst_image_start(struct ttst_image_job *j);

/* Waits for the job started by ttst_image_start (or builds the image now).
 * Returns the memfd (the caller closes it) with j's fields set, or -1 with
 * j->err.  Afterwards j is idle again. */
int ttst_image_wait(struct ttst_image_job *j);

/* Sorts the n records of a by addr using b, which holds n records, as
 * scratch space: in place if only a few records are out of order (the
 * usual heap), else by an LSD radix sort.  Records with equal addresses may
 * change their order.  Returns a or b, whichever holds the sorted records. */
struct ttst_image_obj *ttst_image_sort(struct ttst_image_obj *a, struct ttst_image_obj *b,
				       size_t n);

#endif /* TTST_RT_UPDATE_IMAGE_H */
