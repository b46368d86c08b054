/* update_image.h -- v1 writes its state description (TU blobs + object list) into a memfd for v2
 * (layout: struct ttst_image_hdr in ttst/proto.h). */
#ifndef TTST_RT_UPDATE_IMAGE_H
#define TTST_RT_UPDATE_IMAGE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ttst/proto.h"

/* Builds the state image of this process (its threads must be parked):
 * every registered TU blob as in memory, and every object of the registry
 * (statics, functions, locals, heap, mmap) with its TU index, record or site
 * index and per-site ordinal, sorted by address.  The memfd is the one
 * ttst_image_open_ahead created, if any.  Returns a memfd (the caller
 * closes it) with *size, *nobjs set, or -1 with the reason in err.
 * Allocates nothing through the interposed allocator. */
int ttst_image_build(uint64_t *size, uint64_t *nobjs, char *err, size_t n);

/* The memfd of the next image and the memory its records are collected in
 * can be allocated ahead while the image is collected:
 * ttst_image_open_ahead creates both for about nobjs objects (the next
 * ttst_image_build takes them) and returns a second descriptor of the
 * memfd, or -1; pass that to ttst_image_prealloc, which allocates their
 * pages (MADV_POPULATE_WRITE, fallocate) and closes it -- it must be called,
 * the build waits for it before cutting the memfd to size.
 * ttst_image_prealloc_async does both, the allocation on a helper thread
 * (the pool's pages only if pool is set: see ttst_image_give).
 * Failures are not reported: the build then allocates as it goes.
 * ttst_image_estimate is an upper bound of this process's objects (the slot
 * count) to pass as nobjs. */
int ttst_image_open_ahead(uint64_t nobjs);
void ttst_image_prealloc(int fd, uint64_t nobjs);
void ttst_image_prealloc_async(uint64_t nobjs, int pool);
uint64_t ttst_image_estimate(void);
/* The build tells the allocation how far it has written the object list
 * (off: bytes from the memfd's start): the allocation stops short of it. */
void ttst_image_writing(uint64_t off);

/* Gives the next build the private anonymous mapping [m, m + len), whose
 * pages are already there, to collect its records in (taking fresh pages
 * costs a fault each): it takes it if it holds one record per heap block
 * and ttst_image_give_slack more, else unmaps it.  Either way the mapping
 * is the image's from now on. */
void ttst_image_give(void *m, size_t len);
/* Records a given mapping must hold beyond one per heap block. */
size_t ttst_image_give_slack(void);

/* Unmaps the record pool of the last image built.  A build keeps it mapped
 * (unmapping 70 MB at 1M keys takes ~4 ms): its caller hands the memfd
 * over first, then calls this. */
void ttst_image_release(void);

/* Frees a memfd and memory allocated ahead or given that no build took
 * (joins the helper), and the last build's pool (ttst_image_release). */
void ttst_image_prealloc_drop(void);

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

/* Sorts the n records of a by addr (stable LSD radix sort) using b, which
 * holds n records, as scratch space.  Returns a or b, whichever holds the
 * sorted records. */
struct ttst_image_obj *ttst_image_sort(struct ttst_image_obj *a, struct ttst_image_obj *b,
				       size_t n);


#endif /* TTST_RT_UPDATE_IMAGE_H */
