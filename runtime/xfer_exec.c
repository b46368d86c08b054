/* xfer_exec.c -- runs transfer plans: converts values, checks ranges, translates pointers per object. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "xfer_int.h"

typedef __int128 i128;

/* Reads an integer of len bytes (or a bitfield) at p as a signed 128-bit value. */
static i128 load_int(const unsigned char *p, uint64_t len, uint8_t kind, uint8_t bit, uint8_t bits)
{
	unsigned __int128 u = 0;
	uint64_t n = len > 16 ? 16 : len;
	for (uint64_t i = n; i-- > 0;)
		u = (u << 8) | p[i];
	unsigned width = bits ? bits : (unsigned)n * 8;
	if (bits) {
		u >>= bit;
		u &= ((unsigned __int128)1 << bits) - 1;
	}
	if (kind == XK_S && width < 128 && (u >> (width - 1)) & 1)
		u |= ~(unsigned __int128)0 << width; /* sign-extend */
	return (i128)u;
}

/* Writes v into len bytes (or a bitfield) at p. */
static void store_int(unsigned char *p, uint64_t len, uint8_t bit, uint8_t bits, i128 v)
{
	unsigned __int128 u = (unsigned __int128)v;
	uint64_t n = len > 16 ? 16 : len;
	if (bits) {
		unsigned __int128 cur = 0, mask = (((unsigned __int128)1 << bits) - 1) << bit;
		for (uint64_t i = n; i-- > 0;)
			cur = (cur << 8) | p[i];
		u = (cur & ~mask) | ((u << bit) & mask);
	}
	for (uint64_t i = 0; i < n; i++, u >>= 8)
		p[i] = (unsigned char)u;
}

/* Checks that v fits the destination of o; returns 0 or -1 (etail set). */
static int int_fits(struct xf *x, const struct xf_op *o, i128 v)
{
	unsigned width = o->dbits ? o->dbits : (unsigned)o->dlen * 8;
	i128 lo, hi;
	if (o->dk == XK_BOOL) {
		lo = 0;
		hi = 1;
	} else if (width >= 64) {
		lo = o->dk == XK_S ? (i128)INT64_MIN : 0;
		hi = o->dk == XK_S ? (i128)INT64_MAX : (i128)UINT64_MAX;
	} else if (o->dk == XK_S) {
		lo = -((i128)1 << (width - 1));
		hi = ((i128)1 << (width - 1)) - 1;
	} else {
		lo = 0;
		hi = ((i128)1 << width) - 1;
	}
	if (v >= lo && v <= hi)
		return 0;
	char vs[48];
	if (v < 0)
		snprintf(vs, sizeof vs, "-%llu", (unsigned long long)(-(v + 1)) + 1ull);
	else
		snprintf(vs, sizeof vs, "%llu", (unsigned long long)v);
	return xf_err(x, "value %s does not fit in the new type (%s%u bits, range %lld..%llu)", vs,
		      o->dk == XK_BOOL ? "bool, " : (o->dk == XK_S ? "signed " : "unsigned "),
		      width, (long long)lo, (unsigned long long)hi);
}

static long double load_flt(const unsigned char *p, uint64_t len)
{
	if (len == 4) {
		float f;
		memcpy(&f, p, 4);
		return f;
	}
	if (len == 8) {
		double d;
		memcpy(&d, p, 8);
		return d;
	}
	long double l;
	memcpy(&l, p, sizeof l);
	return l;
}

/* Numeric conversion involving a float; exact or fails. */
static int op_flt(struct xf *x, const struct xf_op *o, const unsigned char *s, unsigned char *d)
{
	long double v;
	if (o->sk == XK_F)
		v = load_flt(s + o->soff, o->slen);
	else
		v = (long double)load_int(s + o->soff, o->slen, o->sk, o->sbit, o->sbits);
	if (o->dk != XK_F) {
		if (isnan(v) || isinf(v) || v != truncl(v) || fabsl(v) > 0x1p100L)
			return xf_err(x, "value %Lg is not an integer the new type can hold exactly", v);
		i128 iv = (i128)v;
		if (int_fits(x, o, iv) < 0)
			return -1;
		store_int(d + o->doff, o->dlen, o->dbit, o->dbits, iv);
		return 0;
	}
	unsigned char *q = d + o->doff;
	long double back;
	if (o->dlen == 4) {
		float f = (float)v;
		memcpy(q, &f, 4);
		back = f;
	} else if (o->dlen == 8) {
		double f = (double)v;
		memcpy(q, &f, 8);
		back = f;
	} else {
		memcpy(q, &v, sizeof v);
		back = v;
	}
	if (back != v && !(isnan(back) && isnan(v)))
		return xf_err(x, "value %.21Lg changes when converted to the new floating type", v);
	if (o->sk != XK_F && (i128)back != load_int(s + o->soff, o->slen, o->sk, o->sbit, o->sbits))
		return xf_err(x, "integer value is not exactly representable in the new float type");
	return 0;
}

static int op_enum(struct xf *x, const struct xf_op *o, const unsigned char *s, unsigned char *d)
{
	i128 v = load_int(s + o->soff, o->slen, o->sk, o->sbit, o->sbits), nv = v;
	const struct xf_enum_map *m = o->em;
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->v[mid].from < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->n && m->v[lo].from == v) {
		if (!m->v[lo].found)
			return xf_err(x, "enumerator %s of %s does not exist in %s", m->v[lo].name,
				      m->sname, m->dname);
		nv = m->v[lo].to;
	} else if (!m->numeric_ok) {
		return xf_err(x, "value %lld of %s is no enumerator, and %s renumbers enumerators",
			      (long long)v, m->sname, m->dname);
	}
	if (int_fits(x, o, nv) < 0)
		return -1;
	store_int(d + o->doff, o->dlen, o->dbit, o->dbits, nv);
	return 0;
}

static int op_ptr(struct xf *x, const struct xf_op *o, const unsigned char *s, unsigned char *d)
{
	uint64_t v, nv;
	memcpy(&v, s + o->soff, 8);
	if (xf_ptr(x, v, o->hint, &nv) < 0)
		return -1;
	memcpy(d + o->doff, &nv, 8);
	return 0;
}

/* A union: bytes, and a look at every aligned word for a pointer into the old state. */
static int op_union(struct xf *x, const struct xf_op *o, const unsigned char *s, uint64_t sa,
		    unsigned char *d)
{
	uint64_t n = o->slen < o->dlen ? o->slen : o->dlen;
	memcpy(d + o->doff, s + o->soff, n);
	if (!o->check && !o->pxfer)
		return 0;
	uint64_t a = sa + o->soff;
	for (uint64_t off = (8 - a % 8) % 8; off + 8 <= o->slen; off += 8) {
		uint64_t v, nv;
		size_t i;
		memcpy(&v, s + o->soff + off, 8);
		if (!v || xf_index_find(x, v, &i, &nv) < 0)
			continue;
		if (!o->pxfer) {
			char nm[200];
			return xf_err(x,
				      "union holds a pointer (0x%llx, into %s); annotate it IXFER "
				      "or PXFER",
				      (unsigned long long)v, xf_obj_name(x, i, nm, sizeof nm));
		}
		if (xf_ptr(x, v, 0, &nv) < 0)
			return -1;
		if (off + 8 <= o->dlen)
			memcpy(d + o->doff + off, &nv, 8);
		x->rep->conservative++;
	}
	return 0;
}

static int op_zchk(struct xf *x, const struct xf_op *o, const unsigned char *s)
{
	for (uint64_t i = 0; i < o->slen; i++)
		if (s[o->soff + i])
			return xf_err(x,
				      "array shrinks from %llu to %llu elements but element %llu "
				      "is not zero",
				      (unsigned long long)o->dstride, (unsigned long long)o->count,
				      (unsigned long long)(o->count + i / o->sstride));
	return 0;
}

static int op_arr(struct xf *x, const struct xf_op *o, const unsigned char *s, uint64_t sa,
		  unsigned char *d)
{
	if (o->sstride == 8 && o->dstride == 8 && xf_ptrarr_fits(o->sub, o->count)) {
		int r = xf_ptrarr_exec(x, o->sub, s + o->soff, o->count, d + o->doff);
		if (r < 0)
			xf_err_prefix(x, o->path); /* the element is named already */
		if (r <= 0)
			return r;
	}
	for (uint64_t i = 0; i < o->count; i++) {
		uint64_t so = o->soff + i * o->sstride;
		if (xf_exec(x, o->sub, s + so, sa + so, d + o->doff + i * o->dstride) < 0) {
			char ix[40];
			snprintf(ix, sizeof ix, "[%llu]", (unsigned long long)i);
			xf_err_prefix(x, ix);
			xf_err_prefix(x, o->path);
			return -1;
		}
	}
	return 0;
}

static int op_leaf(struct xf *x, const struct xf_op *o, const unsigned char *s, uint64_t sa,
		   unsigned char *d)
{
	i128 v;
	switch (o->code) {
	case XO_PTR:
		return op_ptr(x, o, s, d);
	case XO_INT:
		v = load_int(s + o->soff, o->slen, o->sk, o->sbit, o->sbits);
		if (int_fits(x, o, v) < 0)
			return -1;
		store_int(d + o->doff, o->dlen, o->dbit, o->dbits, v);
		return 0;
	case XO_FLT:
		return op_flt(x, o, s, d);
	case XO_ENUM:
		return op_enum(x, o, s, d);
	case XO_BYTES:
		memcpy(d + o->doff, s + o->soff, o->slen < o->dlen ? o->slen : o->dlen);
		return 0;
	case XO_UNION:
		return op_union(x, o, s, sa, d);
	case XO_ZCHK:
		return op_zchk(x, o, s);
	default:
		return xf_err(x, "internal error: unknown transfer op %u", o->code);
	}
}

int xf_exec(struct xf *x, const struct xf_plan *p, const unsigned char *s, uint64_t sa,
	    unsigned char *d)
{
	for (size_t k = 0; k < p->nops; k++) {
		const struct xf_op *o = &p->ops[k];
		if (o->code == XO_COPY) {
			memcpy(d + o->doff, s + o->soff, o->slen);
			continue;
		}
		if (o->code == XO_ARR) {
			if (op_arr(x, o, s, sa, d) < 0)
				return -1;
			continue;
		}
		if (op_leaf(x, o, s, sa, d) < 0) {
			xf_err_prefix(x, ": ");
			xf_err_prefix(x, o->path);
			return -1;
		}
		if (o->code != XO_PTR && o->code != XO_BYTES && o->code != XO_ZCHK)
			x->rep->transforms++;
	}
	if (p->cb) {
		char nm[256];
		struct ttst_xfer_obj ob = {s, p->ssize, p->sname, d, p->dsize, p->dname,
					   xf_obj_name(x, x->cur, nm, sizeof nm)};
		if (xf_ann_call(x, p->cb, &ob, "type") < 0)
			return -1;
	}
	return 0;
}
