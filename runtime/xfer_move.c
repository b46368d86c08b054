/* xfer_move.c -- reads source memory in large windows and transforms each object in them. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xfer_int.h"

#define WINDOW_MAX (8u << 20) /* bytes read at once (larger objects: one read each) */
#define WINDOW_GAP 4096u      /* objects closer than this share a read */
#define PF_DIST 8	      /* elements ahead whose pointer lookups are prefetched */
#define PF_PTRS 8	      /* pointers per element prefetched */

/* Issues stage st (1 or 2, see xf_index_prefetch1) of the lookups the
 * pointers of one element of plan p (source bytes s) will need. */
static void prefetch_elem(const struct xf *x, const struct xf_plan *p, const unsigned char *s,
			  int st)
{
	for (size_t k = 0, n = 0; k < p->nops && n < PF_PTRS; k++) {
		const struct xf_op *op = &p->ops[k];
		if (op->code != XO_PTR || op->slen != 8)
			continue;
		uint64_t v;
		memcpy(&v, s + op->soff, 8);
		n++;
		if (!v)
			continue;
		if (st == 1)
			xf_index_prefetch1(x, v);
		else
			xf_index_prefetch2(x, v);
	}
}

/* Conservative copy tail: every aligned word that points into a source
 * object is translated (a guess that fails to translate is left as is). */
static int cons_scan(struct xf *x, const unsigned char *s, uint64_t sa, unsigned char *d,
		     uint64_t n)
{
	for (uint64_t off = (8 - sa % 8) % 8; off + 8 <= n; off += 8) {
		uint64_t v, nv;
		memcpy(&v, s + off, 8);
		int r = xf_ptr_guess(x, v, &nv);
		if (r < 0)
			return -1;
		if (r > 0) {
			memcpy(d + off, &nv, 8);
			x->rep->conservative++;
		}
	}
	return 0;
}

/* Elements of a typed heap / mmap object, then its remainder bytes. */
static int exec_array(struct xf *x, const struct xf_shape *sh, const struct ttst_src_obj *so,
		      const unsigned char *s, unsigned char *d)
{
	const struct xf_plan *p = sh->elem;
	uint64_t n = p->ssize ? so->size / p->ssize : 0, e;
	if (sh->tail) {
		const struct xf_plan *t = sh->tail;
		if (xf_exec(x, p, s, so->addr, d) < 0)
			return -1;
		uint64_t k = so->size > sh->tail_soff ? (so->size - sh->tail_soff) / t->ssize : 0;
		for (e = 0; e < k; e++) {
			uint64_t off = sh->tail_soff + e * t->ssize;
			if (xf_exec(x, t, s + off, so->addr + off, d + sh->tail_doff + e * t->dsize) <
			    0)
				goto elem_err;
		}
		return 0;
	}
	int r = 1;
	if (p->pure_copy) {
		memcpy(d, s, n * p->ssize);
		r = 0;
	} else if (xf_ptrarr_fits(p, n)) {
		r = xf_ptrarr_exec(x, p, s, n, d);
		if (r < 0)
			return -1; /* reported with the element */
	}
	if (r > 0) {
		for (e = 0; e < n; e++) {
			if (p->has_ptr && e + 2 * PF_DIST < n)
				prefetch_elem(x, p, s + (e + 2 * PF_DIST) * p->ssize, 1);
			if (p->has_ptr && e + PF_DIST < n)
				prefetch_elem(x, p, s + (e + PF_DIST) * p->ssize, 2);
			if (xf_exec(x, p, s + e * p->ssize, so->addr + e * p->ssize,
				    d + e * p->dsize) < 0)
				goto elem_err;
		}
	}
	uint64_t rem = so->size - n * p->ssize;
	if (rem) {
		memcpy(d + n * p->dsize, s + n * p->ssize, rem);
		return cons_scan(x, s + n * p->ssize, so->addr + n * p->ssize, d + n * p->dsize, rem);
	}
	return 0;
elem_err:;
	char ix[40];
	snprintf(ix, sizeof ix, "[%llu]", (unsigned long long)e);
	xf_err_prefix(x, ix);
	return -1;
}

int xf_exec_obj(struct xf *x, size_t i, const unsigned char *s)
{
	struct xf_obj *o = &x->o[i];
	const struct ttst_src_obj *so = &x->src->objs[i];
	unsigned char *d = (unsigned char *)(uintptr_t)o->naddr;
	uint64_t nsize = xf_nsize(x, i), n = so->size < nsize ? so->size : nsize;
	uint32_t cbid = x->cbid ? x->cbid[i] : 0;
	int r = 0, fresh = o->flags & XO_FRESH;
	x->cur = i;
	x->etail[0] = '\0';
	if (fresh) { /* validation: written to zeroed scratch, compared below */
		if (!(d = xf_fuse_scratch(x, nsize)))
			return -1;
	} else if (x->zero || (o->flags & XO_ZERO)) {
		/* validation: a member nothing writes shows up as a difference;
		 * forward: the bytes no op writes start zeroed (XO_ZERO) */
		memset(d, 0, nsize);
	}
	if (o->mode == XM_PLAIN) {
		memcpy(d, s, n);
	} else if (o->mode == XM_CONS) {
		memcpy(d, s, n);
		r = cons_scan(x, s, so->addr, d, n);
	} else {
		const struct xf_shape *sh = &x->shapes[o->shape];
		if (sh->single)
			r = xf_exec(x, sh->elem, s, so->addr, d);
		else
			r = exec_array(x, sh, so, s, d);
	}
	if (r < 0) {
		char nm[256];
		return xf_fail(x, "%s%s", xf_obj_name(x, i, nm, sizeof nm), x->etail);
	}
	if (cbid) {
		char nm[256];
		const struct xf_shape *sh = o->mode == XM_TYPED ? &x->shapes[o->shape] : NULL;
		struct ttst_xfer_obj ob = {s,
					   so->size,
					   sh ? sh->elem->sname : "",
					   d,
					   nsize,
					   sh ? sh->elem->dname : "",
					   xf_obj_name(x, i, nm, sizeof nm)};
		if (xf_ann_call(x, xf_ann_obj_cb_fn(cbid), &ob, "object") < 0)
			return -1;
	}
	__atomic_store_n(&o->state, XS_DONE, __ATOMIC_RELEASE); /* read by the other thread */
	x->rep->objects++;
	return fresh ? xf_fuse_compare(x, i, d) : 0;
}

/* Reads n bytes of the source: both threads at once if its reader allows
 * (process_vm_readv does: a thread waiting for the other's 8 MB read was
 * idle), else one at a time. */
static int src_read(struct xf *x, uint64_t addr, void *buf, size_t n)
{
	if (x->src->read_mt)
		return x->src->read(x->src->read_ctx, addr, buf, n);
	xf_par_lock(x);
	int r = x->src->read(x->src->read_ctx, addr, buf, n);
	xf_par_unlock(x);
	return r;
}

/* Reads one object on its own (after a window read failed). */
static int move_one(struct xf *x, size_t i, unsigned char *buf)
{
	const struct ttst_src_obj *so = &x->src->objs[i];
	if (so->size && src_read(x, so->addr, buf, so->size) < 0) {
		char nm[256];
		return xf_fail(x, "%s: cannot read %llu bytes at 0x%llx of the old version: %s",
			       xf_obj_name(x, i, nm, sizeof nm), (unsigned long long)so->size,
			       (unsigned long long)so->addr, strerror(errno));
	}
	x->rep->bytes += so->size;
	return xf_exec_obj(x, i, buf);
}

/* Grows this thread's window buffer to n bytes (kept for the run: a fresh
 * one per chunk would be fresh pages per chunk). */
static int reserve(struct xf *x, size_t n)
{
	if (n <= x->wcap)
		return 0;
	unsigned char *b = xf_realloc(x->wbuf, n);
	if (!b)
		return xf_fail(x, "out of memory reading %zu bytes of the old version", n);
	x->wbuf = b;
	x->wcap = n;
	return 0;
}

/* Moves the objects idx[0..n) (sorted by address). */
static int move_list(struct xf *x, const uint32_t *idx, size_t n)
{
	const struct ttst_src_obj *objs = x->src->objs;
	size_t k = 0, e;
	while (k < n) {
		uint64_t ws = objs[idx[k]].addr, we = ws + objs[idx[k]].size;
		for (e = k + 1; e < n; e++) {
			const struct ttst_src_obj *so = &objs[idx[e]];
			uint64_t end = so->addr + so->size > we ? so->addr + so->size : we;
			if (so->addr > we + WINDOW_GAP || end - ws > WINDOW_MAX)
				break;
			we = end;
		}
		if (reserve(x, we - ws) < 0)
			return -1;
		if (we > ws && src_read(x, ws, x->wbuf, we - ws) < 0) {
			for (size_t j = k; j < e; j++)
				if (reserve(x, objs[idx[j]].size) < 0 ||
				    move_one(x, idx[j], x->wbuf) < 0)
					return -1;
			k = e;
			continue;
		}
		x->rep->bytes += we - ws;
		for (size_t j = k; j < e; j++)
			if (xf_exec_obj(x, idx[j], x->wbuf + (objs[idx[j]].addr - ws)) < 0)
				return -1;
		k = e;
	}
	return 0;
}

static int move_range(struct xf *x, void *ctx, size_t lo, size_t hi)
{
	return move_list(x, (const uint32_t *)ctx + lo, hi - lo);
}

int xf_move(struct xf *x, const uint32_t *idx, size_t n)
{
	return xf_par_run(x, idx, n, move_range, (void *)(uintptr_t)idx);
}
