/* xfer_diff.c -- validation: compares the objects a backward transfer wrote with the originals. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ttst/meta.h"
#include "xfer_int.h"

#define WIN_MAX (8u << 20) /* bytes of the original read at once */
#define WIN_GAP 4096u

#define NO_ELEM UINT64_MAX

struct dx {
	struct xf *x;
	const struct ttst_xfer_ref *ref;
	struct ttst_xfer_diff *d;
	size_t j;	  /* source object being compared */
	uint64_t elem;	  /* element of a heap array being compared, or NO_ELEM */
	int tail;	  /* elem is a flexible array element */
	char path[256];	  /* member path inside that element (nested arrays) */
	size_t rfinger;	  /* last reference object a pointer was found in */
	uint32_t *bucket; /* first reference object starting in each address bucket, + n */
	uint64_t base, nbuckets;
	int shift;    /* bucket = (addr - base) >> shift */
	int nobucket; /* bucket_ref failed or is not worth it: binary searches */
};

#define MAX_BUCKETS (1u << 21)

/* Buckets the reference objects by address (ref_find looks in one).
 * Returns 0, or -1 (reported). */
static int bucket_ref(struct dx *c)
{
	const struct ttst_xfer_ref *ref = c->ref;
	if (ref->n < 64) {
		c->nobucket = 1; /* a plain binary search is as fast */
		return 0;
	}
	c->base = ref->objs[0].addr;
	uint64_t span = ref->objs[ref->n - 1].addr - c->base + 1;
	while ((span >> c->shift) >= MAX_BUCKETS)
		c->shift++;
	c->nbuckets = (span >> c->shift) + 1;
	c->bucket = xf_alloc((c->nbuckets + 1) * sizeof *c->bucket);
	if (!c->bucket)
		return xf_fail(c->x, "out of memory indexing %zu objects", ref->n);
	size_t k = 0;
	for (uint64_t b = 0; b <= c->nbuckets; b++) {
		while (k < ref->n && ((ref->objs[k].addr - c->base) >> c->shift) < b)
			k++;
		c->bucket[b] = (uint32_t)k;
	}
	return 0;
}

/* Index of the first source object starting at a, searching from lo on (the
 * objects are sorted: a finger near the answer makes it cheap), or SIZE_MAX.
 * The addresses are read in x->o, whose lines the link writes anyway. */
static size_t src_at(const struct xf *x, uint64_t a, size_t lo)
{
	size_t n = x->src->nobjs, hi, step = 1;
	if (lo >= n || x->o[lo].addr > a)
		lo = 0;
	hi = lo;
	while (hi < n && x->o[hi].addr < a) { /* gallop */
		lo = hi;
		hi += step;
		step *= 2;
	}
	if (hi > n)
		hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x->o[mid].addr < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < x->src->nobjs && x->o[lo].addr == a ? lo : SIZE_MAX;
}

/* Links ref objects [lo, hi) with their source objects (xf_vspace_build). */
static int link_range(struct xf *x, void *ctx, size_t lo, size_t hi)
{
	const struct ttst_xfer_ref *ref = x->ref;
	size_t n = x->src->nobjs, finger = 0;
	(void)ctx;
	for (size_t k = lo; k < hi; k++) {
		uint64_t fwd = ttst_cp_addr(ref->cp[k]);
		size_t j =
		    ttst_cp_how(ref->cp[k]) == TTST_CP_NONE ? SIZE_MAX : src_at(x, fwd, finger);
		x->refsrc[k] = j == SIZE_MAX ? UINT32_MAX : (uint32_t)j;
		if (j == SIZE_MAX)
			continue;
		finger = j;
		/* objects sharing an address (merged string literals) are one
		 * memory: each gets the original; two originals with one copy
		 * (literals mapped by content): the first one linked */
		for (size_t e = j; e < n && x->o[e].addr == fwd; e++) {
			uint32_t none = 0;
			if (!__atomic_compare_exchange_n(&x->vref[e], &none, (uint32_t)k + 1, 0,
							 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
				continue;
			if (x->o[e].flags & XO_FRESH) { /* its reserved address is not needed */
				x->o[e].naddr = ref->objs[k].addr;
				x->o[e].flags |= XO_OLD;
			}
		}
	}
	return 0;
}

int xf_vspace_build(struct xf *x)
{
	const struct ttst_xfer_ref *ref = x->ref;
	if (ref->n >= UINT32_MAX)
		return xf_fail(x, "too many objects to compare (%zu)", ref->n);
	x->refsrc = xf_big_alloc((ref->n ? ref->n : 1) * sizeof *x->refsrc);
	x->vref = xf_big_alloc((x->src->nobjs ? x->src->nobjs : 1) * sizeof *x->vref);
	x->fzd = xf_calloc(2, sizeof *x->fzd);
	if (!x->refsrc || !x->vref || !x->fzd)
		return xf_fail(x, "out of memory linking %zu objects with their originals",
			       x->src->nobjs);
	if (xf_par_run(x, NULL, ref->n, link_range, NULL) < 0)
		return -1;
	return 0;
}

#define REF_SCAN_MAX 64 /* objects looked at below an address for the one holding it */

/* The original object containing p (or ending at p) that the source of the
 * backward run has, or NULL. */
static const struct ttst_src_obj *ref_find(struct dx *c, uint64_t p)
{
	const struct ttst_xfer_ref *ref = c->ref;
	if (c->rfinger < ref->n) { /* neighbours point to neighbours */
		const struct ttst_src_obj *r = &ref->objs[c->rfinger];
		if (p - r->addr < r->size && ttst_cp_how(ref->cp[c->rfinger]) != TTST_CP_NONE)
			return r;
	}
	size_t lo = 0, hi = ref->n;
	if (!c->bucket && !c->nobucket && bucket_ref(c) < 0)
		c->nobucket = 1; /* out of memory: plain binary searches */
	if (c->bucket && p >= c->base) { /* narrow by the address bucket */
		uint64_t b = (p - c->base) >> c->shift;
		if (b < c->nbuckets) {
			hi = c->bucket[b + 1];
			lo = c->bucket[b] ? c->bucket[b] - 1 : 0;
		} else {
			lo = c->bucket[c->nbuckets] ? c->bucket[c->nbuckets] - 1 : 0;
		}
	}
	while (lo < hi) { /* first object starting above p */
		size_t mid = lo + (hi - lo) / 2;
		if (ref->objs[mid].addr <= p)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* a few candidates (nested or empty), among the objects the source has:
	 * those it has not are not part of the state compared */
	for (size_t k = lo, seen = 0; k-- > 0 && seen < 4 && k + REF_SCAN_MAX > lo;) {
		const struct ttst_src_obj *r = &ref->objs[k];
		if (ttst_cp_how(ref->cp[k]) == TTST_CP_NONE)
			continue;
		seen++;
		if (p - r->addr < r->size || p == r->addr + r->size) {
			c->rfinger = k;
			return r;
		}
	}
	return NULL;
}

/* Records one difference (values a and b of len bytes) under the current path. */
static void differ(struct dx *c, const char *sub, const void *a, const void *b, size_t len,
		   const char *why)
{
	uint64_t k = c->d->differences++;
	if (k >= TTST_XFER_DIFF_SHOW)
		return;
	char nm[160], va[64] = "", vb[64] = "";
	uint64_t x = 0, y = 0;
	if (len <= 8) {
		memcpy(&x, a, len);
		memcpy(&y, b, len);
		snprintf(va, sizeof va, "%" PRIu64 " (0x%" PRIx64 ")", x, x);
		snprintf(vb, sizeof vb, "%" PRIu64 " (0x%" PRIx64 ")", y, y);
	} else {
		for (size_t i = 0; i < len && i < 12; i++) {
			snprintf(va + 2 * i, 3, "%02x", ((const unsigned char *)a)[i]);
			snprintf(vb + 2 * i, 3, "%02x", ((const unsigned char *)b)[i]);
		}
		if (len > 12) {
			strcat(va, "...");
			strcat(vb, "...");
		}
	}
	char el[40] = "";
	if (c->elem != NO_ELEM)
		snprintf(el, sizeof el, "[%s%" PRIu64 "]", c->tail ? "tail " : "", c->elem);
	snprintf(c->d->first[k], sizeof c->d->first[k],
		 "%s%s%s%s: old %s, after the round trip %s%s",
		 xf_obj_name(c->x, c->j, nm, sizeof nm), el, c->path, sub, va, vb, why);
}

/* Compares one pointer.  The round trip wrote it in old space (xfer_int.h),
 * so it must equal the original p, or point at the same offset of another
 * original with the same copy (two equal string literals share one). */
static void cmp_ptr(struct dx *c, const char *sub, const unsigned char *a, const unsigned char *b)
{
	uint64_t p, q;
	memcpy(&p, a, 8);
	memcpy(&q, b, 8);
	if (p == q)
		return;
	if (!p) {
		differ(c, sub, a, b, 8, " (was NULL)");
		return;
	}
	const struct ttst_src_obj *r = ref_find(c, p);
	if (!r) { /* a library address: translated by name, not comparable here */
		c->d->unchecked++;
		return;
	}
	if (!q) {
		differ(c, sub, a, b, 8, " (NULL after the round trip)");
		return;
	}
	if (q & XF_NO_ORIGINAL) {
		differ(c, sub, a, b, 8, " (points to an object the old version does not have)");
		return;
	}
	size_t kp = (size_t)(r - c->ref->objs);
	const struct ttst_src_obj *rq = ref_find(c, q);
	if (rq && c->x->refsrc[kp] != UINT32_MAX &&
	    c->x->refsrc[rq - c->ref->objs] == c->x->refsrc[kp] && q - rq->addr == p - r->addr)
		return;
	differ(c, sub, a, b, 8, " (points elsewhere)");
}

/* Word by word: equal, or a pointer that came back to its target. */
static void cmp_words(struct dx *c, const unsigned char *a, const unsigned char *b, uint64_t n,
		      uint64_t base)
{
	uint64_t off = 0;
	for (; off + 8 <= n; off += 8) {
		if (!memcmp(a + off, b + off, 8))
			continue;
		char sub[40];
		snprintf(sub, sizeof sub, "+%" PRIu64, base + off);
		uint64_t p;
		memcpy(&p, a + off, 8);
		if (ref_find(c, p))
			cmp_ptr(c, sub, a + off, b + off);
		else
			differ(c, sub, a + off, b + off, 8, "");
	}
	if (off < n && memcmp(a + off, b + off, n - off)) {
		char sub[40];
		snprintf(sub, sizeof sub, "+%" PRIu64, base + off);
		differ(c, sub, a + off, b + off, n - off, "");
	}
}

/* Compares bit field bits [bit, bit + bits) of the len bytes at a and b. */
static int bits_differ(const unsigned char *a, const unsigned char *b, uint64_t len, int bit,
		       int bits)
{
	uint64_t x = 0, y = 0, n = len < 8 ? len : 8;
	memcpy(&x, a, n);
	memcpy(&y, b, n);
	uint64_t m = bits >= 64 ? ~0ull : ((1ull << bits) - 1) << bit;
	return (x & m) != (y & m);
}

static void cmp_plan(struct dx *c, const struct xf_plan *p, const unsigned char *a,
		     const unsigned char *b);

/* The member of type t at byte off: appends its path to buf (at *len) and
 * returns its offset in *moff and size in *msize (t itself if no member
 * holds off). */
static void member_at(struct ttst_tref t, uint64_t off, char *buf, size_t n, uint64_t *moff,
		      uint64_t *msize)
{
	const struct ttst_type_rec *r = ttst_rule_type(t);
	*moff = 0;
	*msize = r ? r->size : 0;
	for (int depth = 0; r && depth < 16; depth++) {
		size_t len = strlen(buf);
		if (r->kind == TTST_K_ARRAY && r->count) {
			struct ttst_tref e = {t.tu, r->ref};
			const struct ttst_type_rec *er = ttst_rule_type(e);
			if (!er || !er->size)
				return;
			uint64_t k = off / er->size;
			snprintf(buf + len, n - len, "[%" PRIu64 "]", k);
			off -= k * er->size;
			*moff += k * er->size;
			*msize = er->size;
			t = e;
			r = er;
			continue;
		}
		if (r->kind != TTST_K_STRUCT)
			return;
		const struct ttst_member_rec *m = ttst_meta_members(t.tu) + r->ref, *hit = NULL;
		for (uint32_t i = 0; i < r->count; i++) {
			const struct ttst_type_rec *mr =
			    ttst_rule_type((struct ttst_tref){t.tu, m[i].type});
			if (mr && off >= m[i].offset &&
			    off - m[i].offset < (mr->size ? mr->size : 1))
				hit = &m[i];
		}
		if (!hit)
			return;
		snprintf(buf + len, n - len, ".%s", ttst_meta_str(t.tu, hit->name));
		t = (struct ttst_tref){t.tu, hit->type};
		r = ttst_rule_type(t);
		off -= hit->offset;
		*moff += hit->offset;
		*msize = r ? r->size : 0;
	}
}

/* A copied range differs: names the first member that differs (by the
 * destination type of plan p) and compares it alone. */
static void copy_differs(struct dx *c, const struct xf_plan *p, const struct xf_op *op,
			 const unsigned char *a, const unsigned char *b)
{
	uint64_t i = 0;
	while (i < op->dlen && a[op->doff + i] == b[op->doff + i])
		i++;
	char sub[200] = "";
	uint64_t moff = 0, msize = 0;
	member_at(p->tb, op->doff + i, sub, sizeof sub, &moff, &msize);
	if (!sub[0] || !msize || moff + msize > op->doff + op->dlen || moff < op->doff) {
		differ(c, op->path ? op->path : "", a + op->doff, b + op->doff, op->dlen, "");
		return;
	}
	differ(c, sub, a + moff, b + moff, msize, "");
}

/* One op of a plan, at destination offsets (both sides have the old layout). */
static void cmp_op(struct dx *c, const struct xf_plan *p, const struct xf_op *op,
		   const unsigned char *a, const unsigned char *b)
{
	const unsigned char *x = a + op->doff, *y = b + op->doff;
	const char *sub = op->path ? op->path : "";
	if (op->code == XO_ARR) {
		size_t keep = strlen(c->path);
		for (uint64_t e = 0; e < op->count; e++) {
			snprintf(c->path + keep, sizeof c->path - keep, "%s[%" PRIu64 "]", sub, e);
			cmp_plan(c, op->sub, x + e * op->dstride, y + e * op->dstride);
		}
		c->path[keep] = '\0';
	} else if (op->code == XO_PTR && op->dlen == 8) {
		cmp_ptr(c, sub, x, y);
	} else if (op->code == XO_UNION && (op->check || op->pxfer)) {
		size_t keep = strlen(c->path);
		snprintf(c->path + keep, sizeof c->path - keep, "%s", sub);
		cmp_words(c, x, y, op->dlen, 0);
		c->path[keep] = '\0';
	} else if (op->dbits) {
		if (bits_differ(x, y, op->dlen, op->dbit, op->dbits))
			differ(c, sub, x, y, op->dlen < 8 ? op->dlen : 8, " (bit field)");
	} else if (memcmp(x, y, op->dlen)) {
		if (op->code == XO_COPY)
			copy_differs(c, p, op, a, b);
		else
			differ(c, sub, x, y, op->dlen, "");
	}
}

static void cmp_plan(struct dx *c, const struct xf_plan *p, const unsigned char *a,
		     const unsigned char *b)
{
	for (size_t i = 0; i < p->nops; i++)
		cmp_op(c, p, &p->ops[i], a, b);
}

/* A typed heap / mmap object: its elements (as xfer_move.c wrote them). */
static void cmp_array(struct dx *c, const struct xf_shape *sh, const unsigned char *a,
		      const unsigned char *b, uint64_t size)
{
	const struct ttst_src_obj *so = &c->x->src->objs[c->j];
	const struct xf_plan *p = sh->elem;
	uint64_t n = p->ssize ? so->size / p->ssize : 0;
	if (sh->tail) {
		const struct xf_plan *t = sh->tail;
		cmp_plan(c, p, a, b);
		uint64_t k = so->size > sh->tail_soff ? (so->size - sh->tail_soff) / t->ssize : 0;
		c->tail = 1;
		for (uint64_t e = 0; e < k && sh->tail_doff + (e + 1) * t->dsize <= size; e++) {
			c->elem = e;
			uint64_t o = sh->tail_doff + e * t->dsize;
			cmp_plan(c, t, a + o, b + o);
		}
		c->tail = 0;
		c->elem = NO_ELEM;
		return;
	}
	uint64_t e = 0;
	for (; e < n && (e + 1) * p->dsize <= size; e++) {
		c->elem = e;
		cmp_plan(c, p, a + e * p->dsize, b + e * p->dsize);
	}
	c->elem = NO_ELEM;
	if (e * p->dsize < size)
		cmp_words(c, a + e * p->dsize, b + e * p->dsize, size - e * p->dsize, e * p->dsize);
}

/* Compares original r (bytes a) with its round-trip copy here (at b, or at
 * its counterpart's address if b is NULL). */
static void cmp_obj(struct dx *c, const struct ttst_src_obj *r, const unsigned char *a,
		    const unsigned char *b)
{
	char nm[160];
	uint32_t j = c->x->refsrc[r - c->ref->objs];
	const struct xf_obj *o = j == UINT32_MAX ? NULL : &c->x->o[j];
	c->d->compared++;
	c->path[0] = '\0';
	if (!o || o->state != XS_DONE) {
		uint64_t k = c->d->differences++;
		if (k < TTST_XFER_DIFF_SHOW)
			snprintf(c->d->first[k], sizeof c->d->first[k],
				 "%s (0x%" PRIx64
				 " in the old version): its copy in the new version "
				 "did not come back",
				 o ? xf_obj_name(c->x, j, nm, sizeof nm) : "object", r->addr);
		return;
	}
	c->j = j;
	if (!b)
		b = (const unsigned char *)(uintptr_t)o->naddr;
	uint64_t nsize = xf_nsize(c->x, j), size = r->size < nsize ? r->size : nsize;
	if (nsize < r->size) {
		uint64_t k = c->d->differences++;
		if (k < TTST_XFER_DIFF_SHOW)
			snprintf(c->d->first[k], sizeof c->d->first[k],
				 "%s: %" PRIu64 " bytes in the old version, %" PRIu64
				 " after the round trip",
				 xf_obj_name(c->x, j, nm, sizeof nm), r->size, nsize);
	}
	if (!memcmp(a, b, size))
		return; /* every byte equal (pointers are in old space) */
	if (o->mode != XM_TYPED) {
		cmp_words(c, a, b, size, 0);
	} else if (c->x->shapes[o->shape].single) {
		if (c->x->shapes[o->shape].elem->dsize <= size)
			cmp_plan(c, c->x->shapes[o->shape].elem, a, b);
	} else {
		cmp_array(c, &c->x->shapes[o->shape], a, b, size);
	}
}

/* Whether ref object k was compared while it moved (a fresh counterpart). */
static int fused(const struct xf *x, size_t k)
{
	uint32_t j = x->refsrc[k];
	return j != UINT32_MAX && (x->o[j].flags & XO_FRESH) &&
	       __atomic_load_n(&x->o[j].state, __ATOMIC_RELAXED) == XS_DONE;
}

/* Whether ref object k is still to compare here. */
static int pending(const struct xf *x, const struct ttst_xfer_ref *ref, size_t k)
{
	return ttst_cp_how(ref->cp[k]) == TTST_CP_XFER && !fused(x, k);
}

/* A window of originals to read at once from pending ref object k on: the
 * pending objects in [k, hi) that follow closely, at most max bytes.  Returns
 * the index past the window and its end address in *we. */
static size_t window(const struct xf *x, size_t k, size_t hi, uint64_t max, uint64_t *we)
{
	const struct ttst_xfer_ref *ref = x->ref;
	uint64_t ws = ref->objs[k].addr, end = ws + ref->objs[k].size;
	size_t e = k + 1;
	for (; e < hi; e++) {
		const struct ttst_src_obj *r = &ref->objs[e];
		if (r->addr > end + WIN_GAP)
			break; /* and so are all after it: the window ends here */
		if (!pending(x, ref, e))
			continue;
		uint64_t re = r->addr + r->size > end ? r->addr + r->size : end;
		if (re - ws > max)
			break;
		end = re;
	}
	*we = end;
	return e;
}

/* The comparison, in halves: each thread fills its own part. */
struct diff_job {
	const struct ttst_xfer_ref *ref;
	struct ttst_xfer_diff part[2];
};

/* Reads n bytes of the original at a (one reader at a time unless its
 * reader allows two). */
static int ref_read(struct xf *x, const struct ttst_xfer_ref *ref, uint64_t a, void *buf,
		    size_t n)
{
	if (ref->read_mt)
		return ref->read(ref->read_ctx, a, buf, n);
	xf_par_lock(x);
	int r = ref->read(ref->read_ctx, a, buf, n);
	xf_par_unlock(x);
	return r;
}

/* Compares ref objects [lo, hi), reading the originals in windows. */
static int diff_range(struct xf *x, void *ctx, size_t lo, size_t hi)
{
	struct diff_job *job = ctx;
	const struct ttst_xfer_ref *ref = job->ref;
	struct dx c = {x, ref, &job->part[lo ? 1 : 0], 0, NO_ELEM, 0, "", 0, NULL, 0, 0, 0, 0};
	unsigned char *buf = NULL;
	size_t cap = 0, k = lo;
	int rc = 0;
	while (k < hi && rc == 0) {
		if (!pending(x, ref, k)) {
			k++;
			continue;
		}
		uint64_t ws = ref->objs[k].addr, we;
		size_t e = window(x, k, hi, WIN_MAX, &we);
		if (we - ws > cap) {
			unsigned char *nb = xf_realloc(buf, we - ws);
			if (!nb) {
				rc = xf_fail(x, "out of memory comparing %" PRIu64 " bytes", we - ws);
				break;
			}
			buf = nb;
			cap = we - ws;
		}
		if (we > ws && ref_read(x, ref, ws, buf, we - ws) < 0) {
			rc = xf_fail(x,
				     "cannot read %" PRIu64 " bytes at 0x%" PRIx64
				     " of the old version to compare: %s",
				     we - ws, ws, strerror(errno));
			break;
		}
		for (; k < e; k++)
			if (pending(x, ref, k))
				cmp_obj(&c, &ref->objs[k], buf + (ref->objs[k].addr - ws), NULL);
	}
	xf_free(buf);
	xf_free(c.bucket);
	return rc;
}

int xf_diff_run(struct xf *x, const struct ttst_xfer_ref *ref, struct ttst_xfer_diff *d)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct diff_job *job = xf_calloc(1, sizeof *job);
	if (!job)
		return xf_fail(x, "out of memory comparing %zu objects", ref->n);
	job->ref = ref;
	int rc = xf_par_run(x, NULL, ref->n, diff_range, job);
	memset(d, 0, sizeof *d);
	for (int h = 0; h < 4; h++) { /* found while moving first, then lower addresses first */
		const struct ttst_xfer_diff *p = h < 2 ? &x->fzd[h] : &job->part[h - 2];
		for (uint64_t i = 0; i < p->differences && i < TTST_XFER_DIFF_SHOW; i++)
			if (d->differences + i < TTST_XFER_DIFF_SHOW)
				memcpy(d->first[d->differences + i], p->first[i], sizeof d->first[0]);
		d->compared += p->compared;
		d->differences += p->differences;
		d->unchecked += p->unchecked;
	}
	xf_free(job);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	d->ms = (uint32_t)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	return rc;
}

/* --- comparing while moving (fresh counterparts) ------------------------ */

#define FZ_WIN (1u << 20) /* bytes of originals read at once */

struct xf_fuse {
	unsigned char *scratch, *win;
	size_t scap, wcap;
	uint64_t wlo, whi; /* originals [wlo, whi) are in win */
	struct dx c;
};

/* This thread's fusion state, created on first use; NULL if out of memory. */
static struct xf_fuse *fuse_of(struct xf *x)
{
	if (x->fz)
		return x->fz;
	struct xf *m = x->main ? x->main : x;
	struct xf_fuse *f = xf_calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->c = (struct dx){x, x->ref, &m->fzd[x->main ? 1 : 0], 0, NO_ELEM, 0, "", 0, NULL, 0, 0, 0, 0};
	x->fz = f;
	return f;
}

/* Grows *buf to n bytes; 0 or -1. */
static int grow(unsigned char **buf, size_t *cap, size_t n)
{
	if (n <= *cap)
		return 0;
	unsigned char *nb = xf_realloc(*buf, n);
	if (!nb)
		return -1;
	*buf = nb;
	*cap = n;
	return 0;
}

unsigned char *xf_fuse_scratch(struct xf *x, uint64_t n)
{
	struct xf_fuse *f = fuse_of(x);
	if (!f || grow(&f->scratch, &f->scap, n ? n : 1) < 0) {
		xf_fail(x, "out of memory comparing an object of %llu bytes", (unsigned long long)n);
		return NULL;
	}
	memset(f->scratch, 0, n);
	return f->scratch;
}

/* The bytes of original k: from the window, or a new window read from it
 * on (one object alone if that fails).  NULL (reported). */
static const unsigned char *original(struct xf *x, struct xf_fuse *f, size_t k)
{
	const struct ttst_src_obj *r = &x->ref->objs[k];
	if (r->addr >= f->wlo && r->addr + r->size <= f->whi)
		return f->win + (r->addr - f->wlo);
	uint64_t we;
	window(x, k, x->ref->n, FZ_WIN, &we);
	size_t want = (size_t)(we - r->addr);
	if (grow(&f->win, &f->wcap, want ? want : 1) < 0) {
		xf_fail(x, "out of memory comparing %zu bytes", want);
		return NULL;
	}
	f->wlo = f->whi = 0;
	if (want > r->size && ref_read(x, x->ref, r->addr, f->win, want) < 0)
		want = r->size;
	if (want == r->size && want && ref_read(x, x->ref, r->addr, f->win, want) < 0) {
		xf_fail(x,
			"cannot read %" PRIu64 " bytes at 0x%" PRIx64
			" of the old version to compare: %s",
			r->size, r->addr, strerror(errno));
		return NULL;
	}
	f->wlo = r->addr;
	f->whi = r->addr + want;
	return f->win;
}

int xf_fuse_compare(struct xf *x, size_t j, const unsigned char *b)
{
	uint32_t k = x->vref[j];
	if (!k)
		return 0; /* no original (made by the new version): nothing to compare */
	const struct ttst_src_obj *r = &x->ref->objs[k - 1];
	struct xf_fuse *f = x->fz;
	if (ttst_cp_how(x->ref->cp[k - 1]) != TTST_CP_XFER || !f)
		return 0;
	const unsigned char *a = original(x, f, k - 1);
	if (!a)
		return -1;
	cmp_obj(&f->c, r, a, b);
	return 0;
}

void xf_fuse_end(struct xf *x)
{
	if (!x->fz)
		return;
	xf_free(x->fz->scratch);
	xf_free(x->fz->win);
	xf_free(x->fz->c.bucket);
	xf_free(x->fz);
	x->fz = NULL;
}
