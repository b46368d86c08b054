/* update_image.h -- v1 writes its state description (TU blobs + object list) into a memfd for v2
 * (layout: struct ttst_image_hdr in ttst/proto.h). */
#ifndef TTST_RT_UPDATE_IMAGE_H
#define TTST_RT_UPDATE_IMAGE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ttst/proto.h"

/* The object list of a built image in this process's memory. */
struct ttst_image_recs {
	void *map;			   /* anonymous mapping of len bytes, NULL if none */
	size_t len;
	const struct ttst_image_obj *objs; /* in it: the image's records */
};

/* Builds the state image of this process (its threads must be parked):
 * every registered TU blob as in memory, and every object of the registry
 * (statics, functions, locals, heap, mmap) with its TU index, record or site
 * index and per-site ordinal, sorted by address.  The memfd is the one
 * ttst_image_prealloc started, if any.  Returns a memfd (the caller closes
 * it) with *size, *nobjs set and, if keep is not NULL, the object list in
 * *keep (the caller frees it with ttst_image_recs_free); or -1 with the
 * reason in err.  Allocates nothing through the interposed allocator. */
int ttst_image_build(uint64_t *size, uint64_t *nobjs, struct ttst_image_recs *keep, char *err,
		     size_t n);

/* Unmaps an object list kept by ttst_image_build (if any); r is empty after. */
void ttst_image_recs_free(struct ttst_image_recs *r);

/* Reads (write == 0) or writes n bytes at offset off of fd, all of them.
 * Returns 0, or -1 with errno (EIO for an early end of file). */
int ttst_fd_rw_all(int fd, void *buf, size_t n, off_t off, int write);

/* The memfd of the next image can be allocated ahead by another thread
 * while the image is collected: ttst_image_promise says that some thread
 * will call ttst_image_prealloc (the build then waits for it; it must be
 * called, or the build waits forever), ttst_image_prealloc creates the
 * memfd with room for about nobjs objects (fallocate: its pages exist before
 * the image is written), and ttst_image_prealloc_async does both, the
 * second on a helper thread.  Failures are not reported: the build then
 * allocates as it writes.  ttst_image_estimate is an upper bound of this
 * process's objects (the slot count) to pass as nobjs. */
void ttst_image_promise(void);
void ttst_image_prealloc(uint64_t nobjs);
void ttst_image_prealloc_async(uint64_t nobjs);
uint64_t ttst_image_estimate(void);

/* Frees a memfd allocated ahead that no build took (joins the helper). */
void ttst_image_prealloc_drop(void);

/* An image built on a runtime thread while v2 starts (spawn, re-init). */
struct ttst_image_job {
	pthread_t th;
	int state; /* 0 idle, 1 running on th, 2 done */
	int fd;	   /* result of ttst_image_build */
	uint64_t size, nobjs;
	struct ttst_image_recs recs; /* the object list (the job's owner frees it) */
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

/* Sorts the n records of a by addr (stable LSD radix sort) using b, which
 * holds n records, as scratch space.  Returns a or b, whichever holds the
 * sorted records. */
struct ttst_image_obj *ttst_image_sort(struct ttst_image_obj *a, struct ttst_image_obj *b,
				       size_t n);

/* Merges the nc records of c (sorted by addr) into the na sorted records of
 * a, which has room for na + nc, from the end (no scratch space). */
void ttst_image_merge_back(struct ttst_image_obj *a, size_t na, const struct ttst_image_obj *c,
			   size_t nc);

#endif /* TTST_RT_UPDATE_IMAGE_H */
