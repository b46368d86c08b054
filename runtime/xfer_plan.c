/* xfer_plan.c -- compiles a transfer plan (flat list of copy/convert/pointer ops) per old/new type pair. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xfer_int.h"

#define PCACHE_BUCKETS 1024
#define MAX_DEPTH 64

struct arena_blk {
	struct arena_blk *next;
	max_align_t data[];
};

/* n bytes owned by plan p. */
static void *arena_get(struct xf_plan *p, size_t n)
{
	struct arena_blk *b = xf_alloc(sizeof *b + n);
	if (!b)
		return NULL;
	b->next = p->arena;
	p->arena = b;
	return b->data;
}

/* Compile state of one plan. */
struct pc {
	struct xf *x;
	struct xf_plan *p;
	size_t cap;
	int oom;
	const struct ttst_tu_hdr *atu; /* the old types' blob */
};

/* Marks the plan refused with the message "<pre><path>: <why>" (path
 * relative to the plan, "" for the whole value).  Returns -1. */
static int refuse3(struct pc *c, const char *pre, const char *path, const char *why)
{
	if (!c->p->refused) {
		c->p->refused = 1;
		size_t n = strlen(pre) + strlen(path) + strlen(why) + 3;
		c->p->error = arena_get(c->p, n);
		if (c->p->error)
			snprintf(c->p->error, n, "%s%s%s%s", pre, path, why[0] ? ": " : "", why);
		else
			c->oom = 1;
	}
	return -1;
}

static int refuse(struct pc *c, const char *path, const char *why)
{
	return refuse3(c, "", path, why);
}

static struct xf_op *push(struct pc *c, enum xf_opcode code, uint64_t so, uint64_t dof,
			  const char *path)
{
	struct xf_plan *p = c->p;
	if (p->nops == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 8;
		struct xf_op *n = xf_realloc(p->ops, ncap * sizeof *n);
		if (!n) {
			c->oom = 1;
			return NULL;
		}
		p->ops = n;
		c->cap = ncap;
	}
	struct xf_op *o = &p->ops[p->nops++];
	memset(o, 0, sizeof *o);
	o->code = (uint8_t)code;
	o->soff = so;
	o->doff = dof;
	size_t n = strlen(path) + 1;
	char *s = arena_get(p, n);
	if (!s) {
		c->oom = 1;
		p->nops--;
		return NULL;
	}
	memcpy(s, path, n);
	o->path = s;
	return o;
}

static uint8_t vkind(const struct ttst_type_rec *r)
{
	if (r->kind == TTST_K_FLOAT)
		return XK_F;
	if (r->flags & TTST_TF_BOOL)
		return XK_BOOL;
	return (r->flags & TTST_TF_SIGNED) ? XK_S : XK_U;
}

static int cmp_enum(const void *a, const void *b)
{
	int64_t x = ((const struct xf_enum_ent *)a)->from, y = ((const struct xf_enum_ent *)b)->from;
	return x < y ? -1 : x > y;
}

static const struct xf_enum_map *enum_map(struct pc *c, struct ttst_tref a, struct ttst_tref b)
{
	const struct ttst_type_rec *ra = ttst_rule_type(a), *rb = ttst_rule_type(b);
	struct xf_enum_map *m = arena_get(c->p, sizeof *m);
	struct xf_enum_ent *v = ra->count ? arena_get(c->p, ra->count * sizeof *v) : NULL;
	if (!m || (ra->count && !v)) {
		c->oom = 1;
		return NULL;
	}
	const struct ttst_enum_rec *ea = ttst_meta_enums(a.tu) + ra->ref;
	const struct ttst_enum_rec *eb = ttst_meta_enums(b.tu) + rb->ref;
	*m = (struct xf_enum_map){v, ra->count, 1, ttst_rule_type_name(a), ttst_rule_type_name(b)};
	for (uint32_t i = 0; i < ra->count; i++) {
		const char *nm = ttst_meta_str(a.tu, ea[i].name);
		v[i] = (struct xf_enum_ent){ea[i].value, 0, nm, 0};
		for (uint32_t j = 0; j < rb->count; j++)
			if (!strcmp(ttst_meta_str(b.tu, eb[j].name), nm)) {
				v[i].to = eb[j].value;
				v[i].found = 1;
				if (eb[j].value != ea[i].value)
					m->numeric_ok = 0;
				break;
			}
	}
	qsort(v, ra->count, sizeof *v, cmp_enum);
	return m;
}

static int emit(struct pc *c, struct ttst_tref a, uint32_t fa, const struct ttst_member_rec *bfa,
		struct ttst_tref b, uint32_t fb, const struct ttst_member_rec *bfb, uint64_t so,
		uint64_t dof, const char *path, int depth);

/* Members of struct a into struct b. */
static int emit_struct(struct pc *c, struct ttst_tref a, struct ttst_tref b, uint64_t so,
		       uint64_t dof, const char *path, int depth)
{
	const struct ttst_type_rec *ra = ttst_rule_type(a), *rb = ttst_rule_type(b);
	const struct ttst_member_rec *ma = ttst_meta_members(a.tu) + ra->ref;
	const struct ttst_member_rec *mb = ttst_meta_members(b.tu) + rb->ref;
	char sub[512];
	for (uint32_t i = 0; i < ra->count; i++) {
		long j = ttst_rule_match(a, i, b, &c->x->rn);
		if (j < 0)
			continue; /* dropped */
		snprintf(sub, sizeof sub, "%s.%s", path, ttst_meta_str(a.tu, ma[i].name));
		const struct ttst_member_rec *x = &ma[i], *y = &mb[j];
		if (emit(c, (struct ttst_tref){a.tu, x->type}, ttst_rule_mflags(x->flags),
			 (x->flags & TTST_MF_BITFIELD) ? x : NULL, (struct ttst_tref){b.tu, y->type},
			 ttst_rule_mflags(y->flags), (y->flags & TTST_MF_BITFIELD) ? y : NULL,
			 so + x->offset, dof + y->offset, sub, depth + 1) < 0)
			return -1;
	}
	return 0;
}

/* A nested plan as one XO_ARR op of count elements (or a COPY if it is one). */
static int emit_sub(struct pc *c, struct ttst_tref a, uint32_t fa, struct ttst_tref b, uint32_t fb,
		    uint64_t so, uint64_t dof, uint64_t count, const char *path, const char *epath)
{
	struct xf_plan *sub = xf_plan_get(c->x, a, fa, b, fb);
	if (!sub) {
		c->oom = 1;
		return -1;
	}
	if (sub->refused)
		return refuse3(c, epath, sub->error, "");
	if (sub->pure_copy) {
		struct xf_op *o = push(c, XO_COPY, so, dof, path);
		if (!o)
			return -1;
		o->slen = o->dlen = count * sub->ssize;
		return 0;
	}
	struct xf_op *o = push(c, XO_ARR, so, dof, path);
	if (!o)
		return -1;
	o->sub = sub;
	o->count = count;
	o->sstride = sub->ssize;
	o->dstride = sub->dsize;
	o->slen = count * sub->ssize;
	o->dlen = count * sub->dsize;
	return 0;
}

static int emit_array(struct pc *c, struct ttst_tref a, uint32_t fa, struct ttst_tref b,
		      uint32_t fb, uint64_t so, uint64_t dof, const char *path)
{
	const struct ttst_type_rec *ra = ttst_rule_type(a), *rb = ttst_rule_type(b);
	struct ttst_tref ea = {a.tu, ra->ref}, eb = {b.tu, rb->ref};
	const struct ttst_type_rec *rea = ttst_rule_type(ea), *reb = ttst_rule_type(eb);
	if (!ra->count || !rb->count) {
		if (!ra->count && !rb->count)
			return 0; /* flexible array member: the object's shape moves its tail */
		return refuse(c, path, "a flexible array member became a fixed-size array (or back)");
	}
	if (!rea || !reb || !rea->size || !reb->size)
		return refuse(c, path, "array of elements without a size");
	uint64_t n = ra->count < rb->count ? ra->count : rb->count;
	char sub[512];
	snprintf(sub, sizeof sub, "%s[]", path);
	if (emit_sub(c, ea, fa, eb, fb, so, dof, n, path, sub) < 0)
		return -1;
	if (ra->count > rb->count) {
		struct xf_op *o = push(c, XO_ZCHK, so + n * rea->size, 0, path);
		if (!o)
			return -1;
		o->slen = (ra->count - n) * rea->size;
		o->count = n; /* first dropped index */
		o->sstride = rea->size;
		o->dstride = ra->count; /* old count, for the message */
	}
	return 0;
}

/* A scalar leaf op. */
static int emit_leaf(struct pc *c, enum ttst_conv k, const struct ttst_type_rec *ra,
		     const struct ttst_member_rec *bfa, const struct ttst_type_rec *rb,
		     const struct ttst_member_rec *bfb, uint64_t so, uint64_t dof, const char *path)
{
	static const uint8_t codes[] = {[TTST_C_COPY] = XO_INT, [TTST_C_INT] = XO_INT,
					[TTST_C_ENUM] = XO_ENUM, [TTST_C_FLOAT] = XO_FLT,
					[TTST_C_PTR] = XO_PTR};
	if (k == TTST_C_COPY && !bfa && !bfb) {
		struct xf_op *o = push(c, XO_COPY, so, dof, path);
		if (o)
			o->slen = o->dlen = ra->size;
		return o ? 0 : -1;
	}
	if (k == TTST_C_PTR && (bfa || bfb))
		return refuse(c, path, "a PXFER bitfield cannot hold a pointer");
	struct xf_op *o = push(c, (enum xf_opcode)codes[k], so, dof, path);
	if (!o)
		return -1;
	o->sk = vkind(ra);
	o->dk = vkind(rb);
	if (k == TTST_C_PTR && ra->kind == TTST_K_POINTER) {
		const struct ttst_type_rec *pt = ttst_meta_type(c->atu, ra->ref);
		o->hint = pt && pt->kind != TTST_K_VOID ? pt->hash : 0;
	}
	o->slen = ra->size;
	o->dlen = rb->size;
	if (bfa) {
		o->sbit = (uint8_t)bfa->bit_offset;
		o->sbits = (uint8_t)bfa->bit_size;
		o->slen = (bfa->bit_offset + bfa->bit_size + 7u) / 8u;
	}
	if (bfb) {
		o->dbit = (uint8_t)bfb->bit_offset;
		o->dbits = (uint8_t)bfb->bit_size;
		o->dlen = (bfb->bit_offset + bfb->bit_size + 7u) / 8u;
	}
	return 0;
}

static int emit(struct pc *c, struct ttst_tref a, uint32_t fa, const struct ttst_member_rec *bfa,
		struct ttst_tref b, uint32_t fb, const struct ttst_member_rec *bfb, uint64_t so,
		uint64_t dof, const char *path, int depth)
{
	enum ttst_verdict v;
	char why[256];
	if (depth > MAX_DEPTH)
		return refuse(c, path, "types nested too deeply");
	enum ttst_conv k = ttst_rule_conv(a, fa, b, fb, &v, why, sizeof why);
	const struct ttst_type_rec *ra = ttst_rule_type(a), *rb = ttst_rule_type(b);
	struct xf_op *o;
	switch (k) {
	case TTST_C_REFUSE:
		return refuse(c, path, why);
	case TTST_C_STRUCT:
		if (depth > 0 && xf_ann_type_cb(ttst_rule_type_name(b)))
			return emit_sub(c, a, fa, b, fb, so, dof, 1, path, path);
		return emit_struct(c, a, b, so, dof, path, depth);
	case TTST_C_ARRAY:
		return emit_array(c, a, fa, b, fb, so, dof, path);
	case TTST_C_BYTES:
	case TTST_C_UNION:
		if (bfa || bfb)
			return refuse(c, path, "IXFER bitfields are not supported");
		o = push(c, k == TTST_C_BYTES ? XO_BYTES : XO_UNION, so, dof, path);
		if (!o)
			return -1;
		o->slen = ra->size;
		o->dlen = rb->size;
		o->pxfer = ((fa | fb) & TTST_RF_PXFER) != 0;
		o->check = k == TTST_C_UNION && (ttst_rule_has_ptr(a) || ttst_rule_has_ptr(b));
		return 0;
	case TTST_C_ENUM:
		if (emit_leaf(c, k, ra, bfa, rb, bfb, so, dof, path) < 0)
			return -1;
		c->p->ops[c->p->nops - 1].em = enum_map(c, a, b);
		return c->oom ? -1 : 0;
	default:
		return emit_leaf(c, k, ra, bfa, rb, bfb, so, dof, path);
	}
}

/* Stable insertion sort by soff (ops arrive nearly sorted: member order). */
static void sort_soff(struct xf_op *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct xf_op t = v[i];
		size_t j = i;
		while (j > 0 && v[j - 1].soff > t.soff) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = t;
	}
}

/* Bytes of the destination op o writes completely (0 if it may leave some unwritten). */
static uint64_t written(const struct xf_op *o)
{
	switch (o->code) {
	case XO_COPY:
		return o->slen;
	case XO_PTR:
	case XO_INT:
	case XO_FLT:
	case XO_ENUM:
		return o->dbits ? 0 : o->dlen;
	case XO_BYTES:
	case XO_UNION:
		return o->slen >= o->dlen ? o->dlen : 0;
	case XO_ARR:
		return o->sub->zero_dst ? 0 : o->dlen;
	default:
		return 0;
	}
}

static int cmp_doff(const void *a, const void *b)
{
	const struct xf_op *x = *(const struct xf_op *const *)a, *y = *(const struct xf_op *const *)b;
	return x->doff < y->doff ? -1 : x->doff > y->doff;
}

/* Merges adjacent copies and computes pure_copy, zero_dst and has_ptr. */
static int finish(struct xf_plan *p)
{
	size_t w = 0;
	for (size_t r = 0; r < p->nops; r++) {
		struct xf_op *o = &p->ops[r], *l = w ? &p->ops[w - 1] : NULL;
		if (l && l->code == XO_COPY && o->code == XO_COPY && l->soff + l->slen == o->soff &&
		    l->doff + l->dlen == o->doff) {
			l->slen += o->slen;
			l->dlen += o->dlen;
			continue;
		}
		p->ops[w++] = *o;
	}
	p->nops = w;
	p->pure_copy = !p->cb && p->nops == 1 && p->ops[0].code == XO_COPY && !p->ops[0].soff &&
		       !p->ops[0].doff && p->ops[0].slen == p->ssize && p->ssize == p->dsize;
	struct xf_op **byd = xf_alloc((p->nops ? p->nops : 1) * sizeof *byd);
	if (!byd)
		return -1;
	for (size_t i = 0; i < p->nops; i++) {
		byd[i] = &p->ops[i];
		struct xf_op *o = &p->ops[i];
		if (o->code == XO_PTR || (o->code == XO_UNION && o->pxfer) ||
		    (o->code == XO_ARR && o->sub->has_ptr))
			p->has_ptr = 1;
	}
	qsort(byd, p->nops, sizeof *byd, cmp_doff);
	uint64_t covered = 0;
	for (size_t i = 0; i < p->nops; i++) {
		uint64_t wr = written(byd[i]);
		if (!wr)
			continue;
		if (byd[i]->doff > covered)
			break;
		if (byd[i]->doff + wr > covered)
			covered = byd[i]->doff + wr;
	}
	p->zero_dst = covered < p->dsize;
	xf_free(byd);
	return 0;
}

static struct xf_plan *compile(struct xf *x, struct ttst_tref a, uint32_t fa, struct ttst_tref b,
			       uint32_t fb)
{
	const struct ttst_type_rec *ra = ttst_rule_type(a), *rb = ttst_rule_type(b);
	struct xf_plan *p = xf_calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->ssize = ra ? ra->size : 0;
	p->dsize = rb ? rb->size : 0;
	p->sname = ttst_rule_type_name(a);
	p->dname = ttst_rule_type_name(b);
	p->cb = rb ? xf_ann_type_cb(p->dname) : NULL;
	struct pc c = {x, p, 0, 0, a.tu};
	if (emit(&c, a, fa, NULL, b, fb, NULL, 0, 0, "", 0) < 0 && c.oom)
		goto oom;
	if (!p->refused) {
		sort_soff(p->ops, p->nops);
		if (finish(p) < 0)
			goto oom;
	}
	return p;
oom:
	for (struct arena_blk *bl = p->arena, *n; bl; bl = n) {
		n = bl->next;
		xf_free(bl);
	}
	xf_free(p->ops);
	xf_free(p);
	return NULL;
}

struct xf_plan *xf_plan_get(struct xf *x, struct ttst_tref a, uint32_t fa, struct ttst_tref b,
			    uint32_t fb)
{
	const struct ttst_type_rec *ra = ttst_rule_type(a), *rb = ttst_rule_type(b);
	uint64_t ha = ra ? ra->hash : 0, hb = rb ? rb->hash : 0;
	if (!x->pcache) {
		x->pcache = xf_calloc(PCACHE_BUCKETS, sizeof *x->pcache);
		if (!x->pcache)
			return NULL;
		x->pcap = PCACHE_BUCKETS;
	}
	size_t h = (size_t)((ha * 31 + hb) ^ (fa * 7 + fb)) & (x->pcap - 1);
	for (struct xf_plan *p = x->pcache[h]; p; p = p->next)
		if (p->ha == ha && p->hb == hb && p->fa == fa && p->fb == fb)
			return p;
	struct xf_plan *p = compile(x, a, fa, b, fb);
	if (!p)
		return NULL;
	p->ha = ha;
	p->hb = hb;
	p->fa = fa;
	p->fb = fb;
	p->tb = b;
	p->next = x->pcache[h];
	x->pcache[h] = p;
	return p;
}

void xf_plan_free_all(struct xf *x)
{
	for (size_t i = 0; i < x->pcap; i++) {
		for (struct xf_plan *p = x->pcache[i], *n; p; p = n) {
			n = p->next;
			for (struct arena_blk *b = p->arena, *bn; b; b = bn) {
				bn = b->next;
				xf_free(b);
			}
			xf_free(p->ops);
			xf_free(p);
		}
	}
	xf_free(x->pcache);
	x->pcache = NULL;
	x->pcap = 0;
}
