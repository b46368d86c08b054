/* xfer_ptrarr.c -- a large array of pointers (a hash table's buckets) translated in the order of
 * the addresses it holds. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "radix.h"
#include "xfer_int.h"

/* One element at a time, each pointer's lookup lands anywhere in the index
 * and the object records (x->o: 64 MB at 2M objects): the buckets of
 * kvstore's 1M-key table took ~45 ns a pointer, 48 ms for the array, a
 * quarter of the whole move.  Sorted by the address they hold, the pointers
 * meet the objects in the records' own order: each lookup is a step or two
 * forward from the last one, over memory read front to back.  The sort keys
 * are the address less the lowest one, shifted past the element's position
 * (its low bits): one 64-bit word each, ordered on the address bits only. */

#define PTRARR_MIN 16384u /* fewer elements: the sort costs more than it saves */
#define RADIX_BITS 11u
#define FINGER_STEPS 8 /* records stepped over before a lookup through the index */

/* Whether the elements of p are single 8-byte pointers that this file
 * translates (no callback: those run per element, in order). */
int xf_ptrarr_fits(const struct xf_plan *p, uint64_t n)
{
	const struct xf_op *o = p->ops;
	return n >= PTRARR_MIN && p->nops == 1 && !p->cb && p->ssize == 8 && p->dsize == 8 &&
	       o->code == XO_PTR && o->slen == 8 && o->dlen == 8 && !o->soff && !o->doff;
}

/* LSD radix sort of n keys by their bits in vary (radix.h). */
#define PTRARR_KEY(k) (k)
TTST_RADIX_SORT_DEF(sort_keys, uint64_t, PTRARR_KEY, RADIX_BITS)

/* The record to try for v, from k (the previous answer, or SIZE_MAX before
 * the first) on: the last one starting at or before v if a few steps reach
 * it, else the index's answer (SIZE_MAX: v lies in no object). */
static size_t step_to(const struct xf *x, size_t k, uint64_t v)
{
	const struct xf_obj *e = x->o;
	size_t n = x->src->nobjs, i;
	uint64_t off;
	if (k != SIZE_MAX) {
		int s = 0;
		while (k + 1 < n && e[k + 1].addr <= v && s < FINGER_STEPS) {
			k++;
			s++;
		}
		if (s < FINGER_STEPS || k + 1 >= n || e[k + 1].addr > v)
			return k;
	}
	return xf_index_find(x, v, &i, &off) == 0 ? i : SIZE_MAX;
}

/* Translates one pointer v of element pos into *out; -1 (reported with the
 * element's position and member path, as the per-element path does). */
static int one(struct xf *x, const struct xf_op *o, size_t k, uint64_t v, uint64_t pos,
	       uint64_t *out)
{
	uint64_t off;
	int r = k != SIZE_MAX && xf_index_holds(x, k, v, &off)
		    ? xf_ptr_to(x, k, off, o->hint, out)
		    : xf_ptr(x, v, o->hint, out); /* in no object: a library's, or an error */
	if (r < 0) {
		char ix[40];
		xf_err_prefix(x, ": ");
		xf_err_prefix(x, o->path);
		snprintf(ix, sizeof ix, "[%llu]", (unsigned long long)pos);
		xf_err_prefix(x, ix);
	}
	return r;
}

int xf_ptrarr_exec(struct xf *x, const struct xf_plan *p, const unsigned char *s, uint64_t n,
		   unsigned char *d)
{
	const struct xf_op *o = p->ops;
	unsigned pbits = 64 - (unsigned)__builtin_clzll(n); /* n - 1 fits */
	uint64_t vmin = UINT64_MAX, vmax = 0, m = 0;
	for (uint64_t e = 0; e < n; e++) {
		uint64_t v;
		memcpy(&v, s + e * 8, 8);
		if (!v)
			continue;
		vmin = v < vmin ? v : vmin;
		vmax = v > vmax ? v : vmax;
		m++;
	}
	if (!m) {
		memset(d, 0, n * 8);
		return 0;
	}
	if (vmax - vmin > (UINT64_MAX >> pbits)) /* address and position do not fit a word */
		return 1;
	uint64_t *a = xf_alloc(2 * m * sizeof *a);
	if (!a)
		return 1; /* one at a time, as before */
	uint64_t *b = a + m, vary = 0; /* the address bits that differ (vmin's are 0) */
	size_t j = 0;
	for (uint64_t e = 0; e < n; e++) {
		uint64_t v;
		memcpy(&v, s + e * 8, 8);
		if (!v) {
			memcpy(d + e * 8, &v, 8); /* NULL stays NULL */
			continue;
		}
		vary |= v - vmin;
		a[j++] = (v - vmin) << pbits | e;
	}
	uint64_t *k = sort_keys(a, b, m, vary << pbits);
	size_t at = SIZE_MAX;
	int r = 0;
	for (size_t i = 0; i < m && r == 0; i++) {
		uint64_t v = (k[i] >> pbits) + vmin, pos = k[i] & (((uint64_t)1 << pbits) - 1), nv;
		size_t t = step_to(x, at, v);
		if (t != SIZE_MAX)
			at = t;
		r = one(x, o, t, v, pos, &nv);
		if (r == 0)
			memcpy(d + pos * 8, &nv, 8);
	}
	xf_free(a);
	return r;
}
