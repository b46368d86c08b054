/* xfer_run.c -- ttst_xfer_run: the phases of one state transfer (see xfer_int.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fdio.h"
#include "log.h"

#include "xfer_int.h"

static int cmp_u32_by_addr_ctx(const void *a, const void *b, void *ctx)
{
	const struct ttst_src_obj *o = ctx;
	uint64_t x = o[*(const uint32_t *)a].addr, y = o[*(const uint32_t *)b].addr;
	return x < y ? -1 : x > y;
}

/* Transfers the lazy objects something pointed to, until none is left. */
static int drain_queue(struct xf *x)
{
	while (x->nqueue) {
		uint32_t *q = x->queue;
		size_t n = x->nqueue;
		x->queue = NULL;
		x->nqueue = x->capqueue = 0;
		qsort_r(q, n, sizeof *q, cmp_u32_by_addr_ctx, x->src->objs);
		int r = xf_move(x, q, n);
		xf_free(q);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Frees the run's memory.  Reads nothing of the source's image: a kept run
 * is freed after v1 has reused the image's pages (update_validate.c). */
static void release(struct xf *x)
{
	xf_ids_free(x);
	xf_plan_free_all(x);
	xf_here_free(x);
	xf_index_free(&x->ix);
	xf_maps_free(&x->smaps);
	xf_maps_free(&x->hmaps);
	for (size_t i = 0; x->smemo && i < x->src->ntus; i++)
		xf_free(x->smemo[i]);
	xf_free(x->smemo);
	xf_free(x->shapes);
	xf_free(x->queue);
	xf_free(x->memo_k);
	xf_free(x->memo_v);
	xf_free(x->wbuf);
	xf_free(x->xfer);
	xf_free(x->argcopies);
	xf_big_free(x->o);
	xf_big_free(x->cbid);
	xf_big_free(x->vref);
	xf_free(x->inv);
	xf_free(x->inv_buf);
	xf_arena_free(x);
	xf_fuse_end(x);
	xf_free(x->fzd);
	xf_big_free(x->refsrc);
	xf_free(x);
}

/* Object i's entry of the exported map: its counterpart here. */
static ttst_xfer_cp map_entry(const struct xf *x, size_t i)
{
	const struct xf_obj *o = &x->o[i];
	uint32_t how = o->state == XS_DONE		   ? TTST_CP_XFER
		       : o->state == XS_TARGET && o->naddr ? TTST_CP_TARGET
							   : TTST_CP_NONE;
	return ttst_cp_make(o->naddr, how);
}

#define EXPORT_RECS 4096 /* map entries per write */

/* Writes the exported map into file fd from offset 0 with pwrite: into a
 * fresh memfd, half the cost of the page faults of writing it mapped.  0 or
 * -1 (reported). */
static int export_fd(struct xf *x, int fd)
{
	ttst_xfer_cp *buf = xf_alloc(EXPORT_RECS * sizeof *buf);
	if (!buf)
		return xf_fail(x, "out of memory writing the map of %zu objects", x->src->nobjs);
	int rc = 0;
	for (size_t i = 0; i < x->src->nobjs && rc == 0; i += EXPORT_RECS) {
		size_t k = x->src->nobjs - i < EXPORT_RECS ? x->src->nobjs - i : EXPORT_RECS;
		for (size_t j = 0; j < k; j++)
			buf[j] = map_entry(x, i + j);
		if (ttst_fd_rw_all(fd, buf, k * sizeof *buf, (off_t)(i * sizeof *buf), 1) < 0)
			rc = xf_fail(x, "cannot write the map of %zu objects: %s", x->src->nobjs,
				     strerror(errno));
	}
	xf_free(buf);
	return rc;
}

void ttst_xfer_free(void *kept)
{
	if (kept)
		release(kept);
}

void *ttst_xfer_take_records(void *kept, size_t *len)
{
	struct xf *x = kept;
	if (!x || !x->o)
		return NULL;
	void *m = xf_big_detach(x->o, len);
	x->o = NULL;
	return m;
}

int ttst_xfer_run(const struct ttst_src *src, struct ttst_xfer_report *rep)
{
	static const struct ttst_xfer_opts none;
	return ttst_xfer_run_opts(src, &none, rep);
}

/* Whether program callbacks run during the move (it then runs on one thread). */
static int any_callbacks(const struct xf *x)
{
	for (size_t b = 0; b < x->pcap; b++)
		for (const struct xf_plan *p = x->pcache[b]; p; p = p->next)
			if (p->cb)
				return 1;
	for (size_t k = 0; x->cbid && k < x->nxfer; k++)
		if (x->cbid[x->xfer[k]])
			return 1;
	return 0;
}

/* Milliseconds on the monotonic clock. */
static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int ttst_xfer_run_opts(const struct ttst_src *src, const struct ttst_xfer_opts *opt,
		       struct ttst_xfer_report *rep)
{
	memset(rep, 0, sizeof *rep);
	if (opt->keep)
		*opt->keep = NULL;
	struct xf *x = xf_calloc(1, sizeof *x);
	struct xf_cands *cands = NULL;
	double t[6] = {0, 0, 0, 0, 0, 0};
	int rc = -1, r;
	if (!x) {
		strcpy(rep->error, "out of memory starting the state transfer");
		return -1;
	}
	x->src = src;
	x->rep = rep;
	x->rn = *xf_ann_member_renames();
	x->backward = x->zero = opt->backward;
	x->ref = opt->backward ? opt->ref : NULL;
	if (opt->backward && xf_ann_inverse(x, opt->renames, opt->renames_len) < 0)
		goto out;
	x->o = xf_big_alloc((src->nobjs ? src->nobjs : 1) * sizeof *x->o);
	x->smemo = xf_calloc(src->ntus, sizeof *x->smemo);
	if (xf_ann_obj_cbs(x))
		x->cbid = xf_big_alloc((src->nobjs ? src->nobjs : 1) * sizeof *x->cbid);
	if (!x->o || !x->smemo || (xf_ann_obj_cbs(x) && !x->cbid)) {
		xf_fail(x, "out of memory for %zu objects of the old version", src->nobjs);
		goto out;
	}
	/* Validation writes old-space pointers into objects that only the
	 * comparison reads (this process exits afterwards): nothing to clean. */
	cands = x->ref ? NULL : xf_clean_snapshot(); /* before anything is allocated here */
	if (!cands && !x->ref) {
		xf_fail(x, "out of memory listing this version's own heap objects");
		goto out;
	}
	xf_ann_set_current(x);
	t[0] = now_ms();
	xf_room_begin(x); /* populated while the index is built */
	if (xf_ids_init(x) < 0 || xf_index_build(x) < 0 || xf_here_build(x) < 0)
		goto out;
	t[1] = now_ms();
	r = xf_map_all(x);
	xf_room_end(x); /* what was not used goes back to glibc */
	if (r < 0 || (x->ref && xf_vspace_build(x) < 0))
		goto out;
	t[2] = now_ms();
	x->has_cb = any_callbacks(x);
	if (xf_move(x, x->xfer, x->nxfer) < 0 || drain_queue(x) < 0)
		goto out;
	t[3] = now_ms();
	if (xf_ann_run_init(x) < 0 || drain_queue(x) < 0)
		goto out;
	if (cands && xf_clean_run(x, cands) < 0)
		goto out;
	if (opt->map_to_fd && export_fd(x, opt->map_fd) < 0)
		goto out;
	t[4] = now_ms();
	if (x->ref && xf_diff_run(x, x->ref, opt->diff) < 0)
		goto out;
	t[5] = now_ms();
	rc = 0;
	ttst_debug("transfer%s: index %.0f ms, map %.0f ms, move %.0f ms, finish %.0f ms, compare "
		   "%.0f ms",
		   x->backward ? " back" : "", t[1] - t[0], t[2] - t[1], t[3] - t[2], t[4] - t[3],
		   t[5] - t[4]);
	ttst_debug("transfer: %llu objects, %llu bytes, %llu pointers, %llu transforms, %llu "
		   "conservative, %llu freed",
		   (unsigned long long)rep->objects, (unsigned long long)rep->bytes,
		   (unsigned long long)rep->pointers, (unsigned long long)rep->transforms,
		   (unsigned long long)rep->conservative, (unsigned long long)rep->freed);
out:
	if (rc < 0 && !rep->error[0])
		strcpy(rep->error, "state transfer failed (no reason recorded)");
	xf_room_end(x);
	xf_clean_free(cands);
	xf_ann_set_current(NULL);
	if (opt->keep)
		*opt->keep = x;
	else
		release(x);
	return rc;
}
