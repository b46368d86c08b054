/* update_image_int.h -- what the image build (update_image.c) takes from the memfd and pool
 * made ahead (update_image_ahead.c). */
#ifndef TTST_RT_UPDATE_IMAGE_INT_H
#define TTST_RT_UPDATE_IMAGE_INT_H

#include <stddef.h>

#include "ttst/proto.h"

#define PILES 4
#define SEG_RECS 32768			  /* records per pile segment (1 MiB) */
#define SLACK_RECS (2 * PILES * SEG_RECS) /* a pool's room for partly used segments */

/* The memfd opened ahead, else a new one; -1 on failure. */
int ttst_image_take_fd(void);

/* The pool for `need` heap records: memory given for it if it holds them
 * (ttst_image_give), else the pool made ahead, else a new mapping; its
 * record count and mapped length in *recs, *len.  NULL on failure. */
struct ttst_image_obj *ttst_image_take_pool(size_t need, size_t *recs, size_t *len);

/* Keeps the pool [m, m + len) of the build that just ended until
 * ttst_image_release (unmapping a pool kept before). */
void ttst_image_spent(void *m, size_t len);

/* Waits until no allocation runs any more (it would grow the memfd again
 * after the image cut it to size, or populate an unmapped pool). */
void ttst_image_wait_prealloc(void);

/* Joins the helper thread, if any (before the objects are collected: its
 * resources are freed now, not while the image describes them). */
void ttst_image_join_helper(void);

#endif /* TTST_RT_UPDATE_IMAGE_INT_H */
