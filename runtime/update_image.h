/* update_image.h -- v1 writes its state description (TU blobs + object list) into a memfd for v2
 * (layout: struct ttst_image_hdr in ttst/proto.h). */
#ifndef TTST_RT_UPDATE_IMAGE_H
#define TTST_RT_UPDATE_IMAGE_H

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

/* Sorts the n records of a by addr (stable LSD radix sort) using b, which
 * holds n records, as scratch space.  Returns a or b, whichever holds the
 * sorted records. */
struct ttst_image_obj *ttst_image_sort(struct ttst_image_obj *a, struct ttst_image_obj *b,
				       size_t n);

#endif /* TTST_RT_UPDATE_IMAGE_H */
