/* xfer_heap.c -- heap and mmap objects: the new site by site ID, the new size, allocation through the runtime. */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alloc.h"
#include "grow.h"
#include "log.h"
#include "sites.h"
#include "slots.h"
#include "threads.h"
#include "ttst/interface.h"
#include "xfer_int.h"

/* The flexible array member of struct type t (its last member, an array
 * of count 0), or NULL. */
static const struct ttst_member_rec *fam_of(struct ttst_tref t, uint32_t *index)
{
	const struct ttst_type_rec *r = ttst_rule_type(t);
	if (!r || r->kind != TTST_K_STRUCT || !r->count)
		return NULL;
	const struct ttst_member_rec *m = ttst_meta_members(t.tu) + r->ref + r->count - 1;
	const struct ttst_type_rec *mt = ttst_meta_type(t.tu, m->type);
	if (!mt || mt->kind != TTST_K_ARRAY || mt->count)
		return NULL;
	*index = r->count - 1;
	return m;
}

/* Typed elements: the element plan and, for a struct with a flexible array
 * member, the plan of its tail elements. */
static int typed_shape(struct xf *x, size_t i, struct ttst_tref a, struct ttst_tref b,
		       struct xf_site_memo *m)
{
	char nm[256];
	struct xf_shape sh = {xf_plan_get(x, a, 0, b, 0), NULL, 0, 0, 0};
	if (!sh.elem)
		goto oom;
	if (sh.elem->refused)
		return xf_fail(x, "%s%s", xf_obj_name(x, i, nm, sizeof nm), sh.elem->error);
	if (!sh.elem->ssize || !sh.elem->dsize)
		return xf_fail(x, "%s: type %s has no size", xf_obj_name(x, i, nm, sizeof nm),
			       sh.elem->sname);
	uint32_t fa, fb;
	const struct ttst_member_rec *ma = fam_of(a, &fa), *mb = fam_of(b, &fb);
	if (ma && mb) {
		const struct ttst_type_rec *ta = ttst_meta_type(a.tu, ma->type);
		const struct ttst_type_rec *tb = ttst_meta_type(b.tu, mb->type);
		sh.tail = xf_plan_get(x, (struct ttst_tref){a.tu, ta->ref}, ttst_rule_mflags(ma->flags),
				      (struct ttst_tref){b.tu, tb->ref}, ttst_rule_mflags(mb->flags));
		if (!sh.tail)
			goto oom;
		if (sh.tail->refused)
			return xf_fail(x, "%s.%s[]%s", xf_obj_name(x, i, nm, sizeof nm),
				       ttst_meta_str(a.tu, ma->name), sh.tail->error);
		if (!sh.tail->ssize || !sh.tail->dsize)
			return xf_fail(x, "%s.%s: flexible array of elements without a size",
				       xf_obj_name(x, i, nm, sizeof nm), ttst_meta_str(a.tu, ma->name));
		sh.tail_soff = ma->offset;
		sh.tail_doff = mb->offset;
	}
	m->mode = XM_TYPED;
	m->zero = sh.elem->zero_dst || (sh.tail && sh.tail->zero_dst);
	if ((m->shape = xf_shape_add(x, &sh)) == XF_NONE)
		goto oom;
	return 0;
oom:
	return xf_fail(x, "out of memory planning %s", xf_obj_name(x, i, nm, sizeof nm));
}

/* Decides, once per source site, what its objects become here. */
static int site_decide(struct xf *x, size_t i, struct xf_site_memo *m)
{
	const struct ttst_src_obj *so = &x->src->objs[i];
	const struct ttst_tu_hdr *tu = x->src->tus[so->tu];
	const struct ttst_site_rec *sr = ttst_meta_sites(tu) + so->index;
	const char *sid = xf_site_id(x, tu, so->index);
	struct ttst_tref a = {tu, sr->type};
	char nm[256];
	uint64_t v;
	m->done = 1;
	m->mmap = so->kind == TTST_OBJ_MMAP;
	if (!xf_smap_get(&x->sites, sid, &v)) {
		if (so->typed && sr->type != TTST_NO_TYPE && ttst_rule_has_ptr(a))
			return xf_fail(x,
				       "%s: allocation site %s (%s:%u) has no counterpart in the new "
				       "version and its objects (%s) hold pointers; keep the site or "
				       "transfer them in a callback",
				       xf_obj_name(x, i, nm, sizeof nm), sid,
				       ttst_meta_str(tu, sr->file), sr->line, ttst_rule_type_name(a));
		m->mode = so->typed && sr->type != TTST_NO_TYPE ? XM_PLAIN : XM_CONS;
		return 0;
	}
	const struct ttst_tu_hdr *tb = x->tus[v >> 32];
	uint32_t k = (uint32_t)v;
	const struct ttst_site_rec *br = ttst_meta_sites(tb) + k;
	unsigned typed = 0;
	m->tu = tb;
	m->index = k;
	m->site = ttst_site_number((struct ttst_tu_hdr *)tb, k, &typed);
	m->typed = (uint8_t)typed;
	m->cbid = xf_ann_obj_cb(xf_site_id(x, tb, k));
	if (so->typed && sr->type != TTST_NO_TYPE && br->type != TTST_NO_TYPE)
		return typed_shape(x, i, a, (struct ttst_tref){tb, br->type}, m);
	m->mode = XM_CONS;
	return 0;
}

/* The size of an object of shape sh (not single) for a source object of size n. */
static uint64_t shape_size(const struct xf_shape *sh, uint64_t n)
{
	const struct xf_plan *p = sh->elem;
	if (sh->tail) {
		uint64_t k = n > sh->tail_soff ? (n - sh->tail_soff) / sh->tail->ssize : 0;
		uint64_t t = sh->tail_doff + k * sh->tail->dsize;
		return t > p->dsize ? t : p->dsize;
	}
	uint64_t e = n / p->ssize;
	return e * p->dsize + (n - e * p->ssize);
}

/* The counterpart's size for a source object of size n. */
static uint64_t new_size(const struct xf *x, const struct xf_site_memo *m, uint64_t n)
{
	return m->mode == XM_TYPED ? shape_size(&x->shapes[m->shape], n) : n;
}

uint64_t xf_nsize(const struct xf *x, size_t i)
{
	const struct xf_obj *o = &x->o[i];
	if (o->nsize != XF_SIZE_BIG)
		return o->nsize;
	/* 4 GiB or more: derived as it was set (xf_map_heap, map_var, the
	 * lazy and literal objects: their sizes stay the source's) */
	if (o->mode != XM_TYPED)
		return xf_size(x, i);
	const struct xf_shape *sh = &x->shapes[o->shape];
	return sh->single ? sh->elem->dsize : shape_size(sh, xf_size(x, i));
}

/* A private anonymous region at the new site (the source's must be one too). */
static void *alloc_region(struct xf *x, size_t i, const struct xf_site_memo *m, uint64_t n)
{
	const struct ttst_src_obj *so = &x->src->objs[i];
	const struct xf_mapent *sm = xf_src_map(x, so->addr);
	char nm[256];
	if (sm && (sm->perms[3] == 's' || sm->path[0])) {
		xf_fail(x,
			"%s: mmap region 0x%llx is a shared or file mapping (%s %s); only private "
			"anonymous regions are transferred",
			xf_obj_name(x, i, nm, sizeof nm), (unsigned long long)so->addr, sm->perms,
			sm->path[0] ? sm->path : "anonymous");
		return NULL;
	}
	void *p = __ttst_mmap(NULL, n ? n : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			      -1, 0, (struct ttst_tu_hdr *)m->tu, m->index);
	if (p == MAP_FAILED) {
		xf_fail(x, "%s: cannot map %llu bytes for the new copy", xf_obj_name(x, i, nm, sizeof nm),
			(unsigned long long)n);
		return NULL;
	}
	return p;
}

#define ARENA_CHUNK (256ul << 20)

/* Address space reserved for validation's counterparts (PROT_NONE: they are
 * written to a scratch buffer and compared at once, xfer_diff.c; a stray
 * write to one faults instead of passing silently). */
struct xf_arena {
	struct xf_arena *next;
	char *base;
	size_t used, cap;
};

/* n bytes of reserved addresses, 16-aligned (a validation run).  NULL if out
 * of memory or address space. */
static void *arena_take(struct xf *x, uint64_t n)
{
	size_t need = ((size_t)(n ? n : 1) + 15) & ~(size_t)15;
	struct xf_arena *a = x->arena;
	if (!a || a->cap - a->used < need) {
		size_t cap = need > ARENA_CHUNK ? need : ARENA_CHUNK;
		a = xf_alloc(sizeof *a);
		char *m = a ? mmap(NULL, cap, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				   -1, 0)
			    : MAP_FAILED;
		if (m == MAP_FAILED) {
			xf_free(a);
			return NULL;
		}
		*a = (struct xf_arena){x->arena, m, 0, cap};
		x->arena = a;
	}
	void *p = a->base + a->used;
	a->used += need;
	return p;
}

void xf_arena_merge(struct xf *x, struct xf *from)
{
	while (from->arena) {
		struct xf_arena *n = from->arena->next;
		from->arena->next = x->arena;
		x->arena = from->arena;
		from->arena = n;
	}
}

void xf_arena_free(struct xf *x)
{
	while (x->arena) {
		struct xf_arena *n = x->arena->next;
		munmap(x->arena->base, x->arena->cap);
		xf_free(x->arena);
		x->arena = n;
	}
}

static void *room_alloc(struct xf_room *r, const struct xf_site_memo *m, uint64_t n);

/* A heap counterpart of n bytes for site mapping m. */
static void *alloc_block(const struct xf_site_memo *m, uint64_t n)
{
	return m->zero ? ttst_calloc_block(1, n, m->site, m->typed)
		       : ttst_alloc_block(n, m->site, m->typed);
}

int xf_map_site(struct xf *x, size_t i)
{
	const struct ttst_src_obj *so = &x->src->objs[i];
	char nm[256];
	if (so->tu >= x->src->ntus) /* uninstrumented block: no site */
		return 0;
	const struct ttst_tu_hdr *tu = x->src->tus[so->tu];
	if (so->index >= tu->nsites)
		return xf_fail(x, "%s: site index %u out of range", xf_obj_name(x, i, nm, sizeof nm),
			       so->index);
	if (!x->smemo[so->tu]) {
		x->smemo[so->tu] = xf_calloc(tu->nsites, sizeof **x->smemo);
		if (!x->smemo[so->tu])
			return xf_fail(x, "out of memory mapping allocation sites");
	}
	struct xf_site_memo *m = &x->smemo[so->tu][so->index];
	return m->done ? 0 : site_decide(x, i, m);
}

int xf_map_heap(struct xf *x, size_t i)
{
	const struct ttst_src_obj *so = &x->src->objs[i];
	struct xf_obj *o = &x->o[i];
	char nm[256];
	if (so->tu >= x->src->ntus) { /* uninstrumented block: copied if referenced */
		o->mode = XM_CONS;
		o->state = XS_LAZY;
		return 0;
	}
	if (xf_map_site(x, i) < 0)
		return -1;
	struct xf_site_memo *m = &x->smemo[so->tu][so->index];
	uint64_t n = new_size(x, m, so->size);
	void *p;
	int zero = 0; /* carved from the room: zeroed by the move (XO_ZERO) if need be */
	if (x->ref)
		p = arena_take(x, n);
	else if (m->mmap && m->tu) {
		xf_room_hold(x, 1);
		p = alloc_region(x, i, m, n);
		xf_room_hold(x, 0);
	} else if (x->room && (p = room_alloc(x->room, m, n))) {
		zero = m->zero;
	} else {
		xf_room_hold(x, 1); /* glibc may map or extend its heap */
		p = alloc_block(m, n); /* by this thread: the program's own arena */
		xf_room_hold(x, 0);
	}
	if (!p)
		return x->rep->error[0] ? -1
					: xf_fail(x, "out of memory allocating the new copy of %s",
						  xf_obj_name(x, i, nm, sizeof nm));
	o->naddr = (uint64_t)(uintptr_t)p;
	xf_set_nsize(o, n);
	o->flags = x->ref ? XO_FRESH : zero ? XO_ZERO : 0;
	o->mode = m->mode;
	o->shape = m->shape;
	if (x->cbid)
		x->cbid[i] = m->cbid;
	if (!x->xfer_later)
		x->xfer[x->nxfer++] = (uint32_t)i;
	o->state = XS_XFER;
	return 0;
}

/* --- v2's heap: counterparts carved from blocks populated ahead -----------
 * The counterparts are allocated one by one on the update thread: 2M of them
 * took ~120 ms at 1M keys, half of it glibc's malloc, a third page faults on
 * the fresh heap.  Instead, the update thread takes the room they need from
 * glibc up front, in blocks below its mmap threshold (one arena: this
 * thread's), and a second thread populates the blocks' pages front to back
 * with MADV_POPULATE_WRITE (which writes nothing) while the update thread
 * carves the counterparts from them.
 * Carving writes, inside an allocated chunk, the chunk headers glibc would
 * have written had it split the chunks off its top: size | PREV_INUSE (the
 * block's own PREV_INUSE for its first chunk) and the block's NON_MAIN_ARENA
 * bit; the runtime already reads these size words to find its trailers
 * (chunk.h).  Every carved chunk is a
 * valid in-use chunk that free() and realloc() accept like any other; the
 * rest of a block (at least MINSIZE: no 16-byte remainder is left) and the
 * blocks not used are given back with free() at the end.  Objects over
 * ROOM_CARVE_MAX, and everything once the blocks run out, are allocated as
 * before. */

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

#define ROOM_BLOCK (127u << 10)	   /* below glibc's smallest mmap threshold (128 KiB) */
#define ROOM_CARVE_MAX (32u << 10) /* larger counterparts are malloc'ed */
#define ROOM_MIN (2ull << 20)	   /* less is not worth a thread */
#define ROOM_STEP (1u << 20)	   /* bytes populated per madvise */
#define ROOM_TOP_PAD (64 << 20)	   /* glibc's top pad while the blocks are taken */
#define CHUNK_PREV_INUSE 0x1u
#define CHUNK_NON_MAIN 0x4u

struct xf_room {
	uintptr_t slo, shi; /* first these: the object table's new chunks */
	uintptr_t lo, hi;   /* pages to populate */
	void **blk;	  /* the blocks (user pointers), carved in order */
	size_t nblk, next, cap;
	uintptr_t cur, end; /* the block being carved: next chunk, end of its chunk */
	uint64_t bits;	    /* flag bits of the next chunk's size word */
	pthread_t th;
	int stop, helper;
	int hold; /* > 0: the update thread is about to take the mmap lock for writing */
};

/* Populates [lo, hi) in steps until r->stop, pausing while the update
 * thread holds it (xf_room_hold); -1 if madvise failed. */
static int populate(struct xf_room *r, uintptr_t lo, uintptr_t hi)
{
	for (uintptr_t p = lo; p < hi && !__atomic_load_n(&r->stop, __ATOMIC_RELAXED);
	     p += ROOM_STEP) {
		size_t n = hi - p < ROOM_STEP ? hi - p : ROOM_STEP;
		while (__atomic_load_n(&r->hold, __ATOMIC_ACQUIRE) > 0 &&
		       !__atomic_load_n(&r->stop, __ATOMIC_RELAXED))
			sched_yield();
		if (madvise((void *)p, n, MADV_POPULATE_WRITE) < 0)
			return -1; /* an old kernel: the faults happen as before */
	}
	return 0;
}

static void *room_main(void *arg)
{
	struct xf_room *r = arg;
	if (populate(r, r->slo, r->shi) == 0)
		populate(r, r->lo, r->hi);
	return NULL;
}

/* Bytes of glibc chunks the heap counterparts will take, with a margin for
 * types that grow (kvstore: +39%, trailers and all); the source's count if
 * it has one (the image's reader counts them while it checks the objects). */
static uint64_t room_needed(const struct xf *x)
{
	uint64_t sum = x->src->heap_chunks;
	for (size_t i = 0; !sum && i < x->src->nobjs; i++) {
		const struct ttst_src_obj *so = &x->src->objs[i];
		if (so->kind == TTST_OBJ_HEAP && so->tu < x->src->ntus)
			sum += ttst_chunk_bytes(so->size);
	}
	return sum + sum / 2;
}

/* Writes the size word of a chunk at c (flags: r->bits) and gives it to glibc. */
static void room_give_back(struct xf_room *r, uintptr_t c, uint64_t size)
{
	((uint64_t *)c)[1] = size | r->bits;
	__libc_free((void *)(c + 16));
}

/* Ends the block being carved (its rest goes back to glibc) and starts the
 * next one; -1 when there is none. */
static int room_next(struct xf_room *r)
{
	if (r->cur < r->end)
		room_give_back(r, r->cur, r->end - r->cur);
	r->cur = r->end = 0;
	while (r->next < r->nblk) {
		uintptr_t c = (uintptr_t)r->blk[r->next++] - 16;
		uint64_t w = ((const uint64_t *)c)[1];
		if (w & TTST_CHUNK_MMAPPED) { /* cannot happen below the threshold */
			__libc_free((void *)(c + 16));
			continue;
		}
		r->cur = c;
		r->end = c + (w & ~(uint64_t)TTST_CHUNK_FLAGS);
		r->bits = w & (CHUNK_PREV_INUSE | CHUNK_NON_MAIN);
		return 0;
	}
	/* used up (the new types are larger than estimated): one more block */
	void *b = __libc_malloc(ROOM_BLOCK);
	if (!b || TTST_GROW(r->blk, r->nblk, r->cap, 256) < 0) {
		__libc_free(b);
		return -1;
	}
	r->blk[r->nblk++] = b;
	return room_next(r);
}

/* A chunk of cs bytes (maybe 16 more) carved from the room: its address, or
 * 0 when the room is used up. */
static uintptr_t room_chunk(struct xf_room *r, uint64_t cs)
{
	while (r->cur + cs > r->end)
		if (room_next(r) < 0)
			return 0;
	uint64_t left = r->end - r->cur - cs;
	if (left && left < TTST_CHUNK_MIN)
		cs += left; /* too little for a chunk: this one takes it */
	uintptr_t c = r->cur;
	((uint64_t *)c)[1] = cs | r->bits;
	r->bits = CHUNK_PREV_INUSE | (r->bits & CHUNK_NON_MAIN);
	r->cur += cs;
	return c;
}

/* The counterpart of n bytes for site m carved from the room, or NULL (the
 * caller allocates it as usual).  Not zeroed even if the site's allocation
 * zeroes: the move does that (XO_ZERO). */
static void *room_alloc(struct xf_room *r, const struct xf_site_memo *m, uint64_t n)
{
	uint64_t cs = ttst_chunk_bytes(n);
	uintptr_t c = cs <= ROOM_CARVE_MAX ? room_chunk(r, cs) : 0;
	if (!c)
		return NULL;
	void *p = (void *)(c + 16); /* glibc's user pointer */
	if (ttst_class(n) <= TTST_NCLASS)
		return ttst_blk_finish(p, ttst_chunk_usable(ttst_chunk_word(p)), n, m->site,
				       m->typed);
	return ttst_head_finish(p, 4, n, m->site, m->typed);
}

void xf_room_hold(struct xf *x, int on)
{
	struct xf_room *r = x->main ? x->main->room : x->room;
	if (r && r->helper)
		__atomic_add_fetch(&r->hold, on ? 1 : -1, __ATOMIC_ACQ_REL);
}

void xf_room_begin(struct xf *x)
{
	if (x->ref) /* validation reserves address space instead (above) */
		return;
	uint64_t need = room_needed(x);
	if (need < ROOM_MIN || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	struct xf_room *r = xf_calloc(1, sizeof *r);
	size_t nb = (size_t)(need / ROOM_BLOCK) + 1;
	if (!r || !(r->blk = xf_alloc((r->cap = nb) * sizeof *r->blk))) {
		xf_free(r);
		return;
	}
	/* A thread's glibc arena grows in heaps of up to 64 MB, made writable
	 * request by request (an mprotect per block: ~14 us each here, 28 ms at
	 * 1M keys) beyond the top pad a new heap starts with: with the pad raised
	 * for this loop, each heap is made writable at once (~7 ms) */
	__libc_mallopt(M_TOP_PAD, ROOM_TOP_PAD);
	while (r->nblk < nb && (r->blk[r->nblk] = __libc_malloc(ROOM_BLOCK)))
		r->nblk++;
	__libc_mallopt(M_TOP_PAD, (int)ttst_top_pad());
	if (!r->nblk) {
		xf_free(r->blk);
		xf_free(r);
		return;
	}
	/* Each counterpart takes a slot of the object table; its chunks made
	 * now, not one mmap per 64K slots while the helper populates (an mmap
	 * waits for the mmap lock each populate step holds: ~40 ms of the map
	 * phase at 1M keys) */
	void *slo;
	size_t slen;
	if (ttst_slot_reserve(x->src->nobjs, &slo, &slen) == 0 && slen) {
		r->slo = (uintptr_t)slo;
		r->shi = r->slo + slen;
	}
	r->lo = ((uintptr_t)r->blk[0] + 4095) & ~(uintptr_t)4095;
	r->hi = ((uintptr_t)r->blk[r->nblk - 1] + ROOM_BLOCK) & ~(uintptr_t)4095;
	r->helper = r->hi > r->lo && ttst_runtime_thread_beside(&r->th, room_main, r) == 0;
	ttst_debug("transfer: counterparts carved from %zu blocks (%llu MB)%s", r->nblk,
		   (unsigned long long)(((uint64_t)r->nblk * ROOM_BLOCK) >> 20),
		   r->helper ? ", populated ahead" : "");
	x->room = r;
}

void xf_room_end(struct xf *x)
{
	struct xf_room *r = x->room;
	if (!r)
		return;
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELAXED);
	if (r->helper)
		pthread_join(r->th, NULL);
	if (r->cur < r->end)
		room_give_back(r, r->cur, r->end - r->cur);
	while (r->next < r->nblk)
		__libc_free(r->blk[r->next++]);
	xf_free(r->blk);
	xf_free(r);
	x->room = NULL;
}
