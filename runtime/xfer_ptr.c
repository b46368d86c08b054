/* xfer_ptr.c -- pointer translation: target object, counterpart, and the offset through both layouts. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "xfer_int.h"

#define MEMO_MISS INT64_MIN

static uint64_t memo_key(const struct xf_plan *p, uint64_t off, uint64_t hint)
{
	return ((uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull) ^ (off * 0xC2B2AE3D27D4EB4Full) ^
	       (hint * 0x165667B19E3779F9ull) ^ off;
}

static int64_t memo_get(const struct xf *x, uint64_t k)
{
	if (!x->memo_cap)
		return MEMO_MISS;
	size_t h = (size_t)(k >> 7) & (x->memo_cap - 1);
	while (x->memo_k[h]) {
		if (x->memo_k[h] == k)
			return x->memo_v[h];
		h = (h + 1) & (x->memo_cap - 1);
	}
	return MEMO_MISS;
}

/* Remembers k -> v (best effort: a full or unallocatable memo is just skipped). */
static void memo_put(struct xf *x, uint64_t k, int64_t v)
{
	if (!k)
		return;
	if ((x->memo_n + 1) * 2 > x->memo_cap) {
		size_t ncap = x->memo_cap ? x->memo_cap * 2 : 1024;
		uint64_t *nk = xf_calloc(ncap, sizeof *nk);
		int64_t *nv = xf_alloc(ncap * sizeof *nv);
		if (!nk || !nv) {
			xf_free(nk);
			xf_free(nv);
			return;
		}
		for (size_t i = 0; i < x->memo_cap; i++) {
			if (!x->memo_k[i])
				continue;
			size_t h = (size_t)(x->memo_k[i] >> 7) & (ncap - 1);
			while (nk[h])
				h = (h + 1) & (ncap - 1);
			nk[h] = x->memo_k[i];
			nv[h] = x->memo_v[i];
		}
		xf_free(x->memo_k);
		xf_free(x->memo_v);
		x->memo_k = nk;
		x->memo_v = nv;
		x->memo_cap = ncap;
	}
	size_t h = (size_t)(k >> 7) & (x->memo_cap - 1);
	while (x->memo_k[h] && x->memo_k[h] != k)
		h = (h + 1) & (x->memo_cap - 1);
	x->memo_n += !x->memo_k[h];
	x->memo_k[h] = k;
	x->memo_v[h] = v;
}

static int64_t plan_off(struct xf *x, const struct xf_plan *p, uint64_t r, uint64_t hint);

/* r inside op o (soff <= r < soff + slen). */
static int64_t op_off(struct xf *x, const struct xf_plan *p, const struct xf_op *o, uint64_t r,
		      uint64_t hint)
{
	uint64_t rr = r - o->soff;
	if (o->code == XO_ARR) {
		uint64_t k = rr / o->sstride;
		int64_t in = plan_off(x, o->sub, rr % o->sstride, hint);
		if (in < 0)
			return -1;
		return (int64_t)(o->doff + k * o->dstride) + in;
	}
	if (o->code == XO_ZCHK)
		return xf_err(x, "points into element %llu of %s%s, which the new version drops",
			      (unsigned long long)(o->count + rr / o->sstride), p->sname, o->path);
	if ((o->sbits || o->dbits) && rr)
		return xf_err(x, "points into the bitfield %s%s", p->sname, o->path);
	if (rr < o->dlen)
		return (int64_t)(o->doff + rr);
	return xf_err(x, "points to byte %llu of %s%s, which the new layout no longer has",
		      (unsigned long long)rr, p->sname, o->path);
}

/* The offset in the new element that offset r of the old element becomes.
 * hint is the structural hash of the pointer's old pointee type (0: void or
 * unknown): at offset 0 a pointer to the element itself stays at 0, while a
 * pointer to its first member follows that member to its new offset. */
static int64_t plan_off(struct xf *x, const struct xf_plan *p, uint64_t r, uint64_t hint)
{
	if (r == 0 && (!hint || hint == p->ha))
		return 0;
	if (p->refused)
		return xf_err(x, "points into %s, whose change has no rule: %s", p->sname, p->error);
	if (p == x->last_p && r == x->last_off && hint == x->last_hint)
		return x->last_res;
	uint64_t key = memo_key(p, r, hint);
	int64_t m = memo_get(x, key);
	if (m != MEMO_MISS) {
		x->last_p = p;
		x->last_off = r;
		x->last_hint = hint;
		x->last_res = m;
		return m;
	}
	int64_t res = MEMO_MISS;
	for (size_t k = 0; k < p->nops && res == MEMO_MISS; k++) {
		const struct xf_op *o = &p->ops[k];
		if (o->soff > r)
			break;
		if (r < o->soff + o->slen)
			res = op_off(x, p, o, r, hint);
	}
	for (size_t k = 0; k < p->nops && res == MEMO_MISS; k++) {
		const struct xf_op *o = &p->ops[k]; /* past the end of a member array */
		if (o->soff + o->slen == r && o->slen && (o->code == XO_ARR || o->code == XO_COPY))
			res = (int64_t)(o->doff + o->dlen);
	}
	if (res == MEMO_MISS && r == 0)
		res = 0; /* the first member was dropped: the element itself */
	if (res == MEMO_MISS && r == p->ssize)
		res = (int64_t)p->dsize;
	if (res == MEMO_MISS)
		return xf_err(x,
			      "points to offset %llu of %s: a member the new version drops, or "
			      "padding",
			      (unsigned long long)r, p->sname);
	if (res >= 0)
		memo_put(x, key, res);
	return res;
}

/* The offset in object i's counterpart that offset off of the old object becomes. */
static int64_t map_off(struct xf *x, size_t i, uint64_t off, uint64_t hint)
{
	const struct xf_obj *o = &x->o[i];
	char nm[256];
	if (o->mode != XM_TYPED) {
		uint64_t nsize = xf_nsize(x, i);
		if (off <= nsize)
			return (int64_t)off;
		return xf_err(x, "points to byte %llu of %s, beyond its new size %llu",
			      (unsigned long long)off, xf_obj_name(x, i, nm, sizeof nm),
			      (unsigned long long)nsize);
	}
	const struct xf_shape *sh = &x->shapes[o->shape];
	const struct xf_plan *p = sh->elem;
	if (sh->single)
		return plan_off(x, p, off, hint);
	if (sh->tail && off >= sh->tail_soff) {
		const struct xf_plan *t = sh->tail;
		uint64_t k = (off - sh->tail_soff) / t->ssize;
		int64_t in = plan_off(x, t, (off - sh->tail_soff) % t->ssize, hint);
		return in < 0 ? -1 : (int64_t)(sh->tail_doff + k * t->dsize) + in;
	}
	if (sh->tail)
		return plan_off(x, p, off, hint);
	uint64_t e = off / p->ssize, r = off % p->ssize;
	uint64_t n = xf_size(x, i) / p->ssize;
	if (e >= n) /* remainder bytes after the last whole element: copied as they are */
		return (int64_t)(n * p->dsize + (off - n * p->ssize));
	int64_t in = plan_off(x, p, r, hint);
	return in < 0 ? -1 : (int64_t)(e * p->dsize) + in;
}

/* Pointer to offset off of source object i. */
static int ptr_obj(struct xf *x, size_t i, uint64_t off, uint64_t hint, uint64_t *out)
{
	struct xf_obj *o = &x->o[i];
	const struct ttst_src_obj *so = &x->src->objs[i];
	char nm[256];
	uint8_t st = __atomic_load_n(&o->state, __ATOMIC_ACQUIRE); /* see xf_materialize */
	if (st == XS_LAZY) {
		if (xf_materialize(x, i) < 0)
			return -1;
		st = __atomic_load_n(&o->state, __ATOMIC_ACQUIRE);
	}
	if (st == XS_DROPPED || st == XS_SKIP || !o->naddr)
		return xf_err(x, "points to %s of the old version, which has no counterpart in the "
				 "new version",
			      xf_obj_name(x, i, nm, sizeof nm));
	if (off && so->kind == TTST_OBJ_FUNCTION)
		return xf_err(x, "points inside function %s (offset %llu)",
			      xf_obj_name(x, i, nm, sizeof nm), (unsigned long long)off);
	int64_t noff = map_off(x, i, off, hint);
	if (noff < 0) {
		char pre[300];
		snprintf(pre, sizeof pre, "into %s: ", xf_obj_name(x, i, nm, sizeof nm));
		xf_err_prefix(x, pre);
		return -1;
	}
	if (x->ref && !(o->flags & XO_OLD)) /* validation: old space (see xfer_int.h) */
		*out = x->vref[i] ? x->ref->objs[x->vref[i] - 1].addr + (uint64_t)noff
				  : XF_NO_ORIGINAL | (o->naddr + (uint64_t)noff);
	else
		*out = o->naddr + (uint64_t)noff;
	x->rep->pointers++;
	return 0;
}

int xf_ptr_to(struct xf *x, size_t i, uint64_t off, uint64_t hint, uint64_t *out)
{
	return ptr_obj(x, i, off, hint, out);
}

int xf_ptr(struct xf *x, uint64_t v, uint64_t hint, uint64_t *out)
{
	size_t i;
	uint64_t off;
	if (!v) {
		*out = 0;
		return 0;
	}
	if (xf_index_find(x, v, &i, &off) == 0)
		return ptr_obj(x, i, off, hint, out);
	return xf_par_ptr_lib(x, v, out);
}

int xf_ptr_guess(struct xf *x, uint64_t v, uint64_t *out)
{
	size_t i;
	uint64_t off;
	if (!v || xf_index_find(x, v, &i, &off) < 0)
		return 0;
	if (x->src->objs[i].kind == TTST_OBJ_FUNCTION && off)
		return 0;
	char saved[sizeof x->etail];
	memcpy(saved, x->etail, sizeof saved);
	int r = ptr_obj(x, i, off, 0, out);
	memcpy(x->etail, saved, sizeof saved);
	if (r < 0)
		return x->rep->error[0] ? -1 : 0; /* out of memory is fatal, a bad guess is not */
	return 1;
}
