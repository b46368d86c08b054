/* xfer_int.h -- the state-transfer engine's internal state, shared by the runtime/xfer_*.c files.
 *
 * One run (ttst_xfer_run) goes through these phases:
 *
 *   index    source objects sorted by address + a page hash for lookups
 *            (xfer_index.c); this process's statics/locals/functions/sites
 *            by ID (xfer_map.c)
 *   map      every source object gets its fate (xfer_map.c): transferred
 *            into a counterpart (statics/locals by state ID, heap/mmap by
 *            site ID: allocated here with the new type), a pointer target
 *            only (functions, read-only statics, string literals), lazy
 *            (uninstrumented heap blocks: copied when something points to
 *            them), or dropped (pointing to it fails)
 *   move     windows of source memory are read in large batches and each
 *            object is transformed by its plan (xfer_plan.c compiles one
 *            per old/new type pair, xfer_exec.c runs it); pointers are
 *            translated on the way (xfer_ptr.c, libraries: xfer_lib.c)
 *   finish   callbacks and init callbacks (xfer_ann.c), then re-init
 *            objects nothing references are freed (xfer_clean.c)
 *
 * All engine memory comes from glibc directly (__libc_malloc), never from
 * the program's heap, so it is neither enumerated nor transferred.
 */
#ifndef TTST_RT_XFER_INT_H
#define TTST_RT_XFER_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "registry.h"
#include "ttst.h"
#include "xfer.h"
#include "xfer_rules.h"

#define XF_NONE UINT32_MAX

struct xf;

/* --- plans -------------------------------------------------------------- */

enum xf_opcode {
	XO_COPY,  /* slen bytes */
	XO_PTR,	  /* one pointer (or PXFER integer) */
	XO_INT,	  /* integer / enum / bool, bitfields included: range checked */
	XO_FLT,	  /* numeric conversion involving a float: exact */
	XO_ENUM,  /* enum by enumerator name */
	XO_BYTES, /* IXFER: min(slen, dlen) bytes */
	XO_UNION, /* union: bytes; a pointer in it fails (or is translated if PXFER) */
	XO_ARR,	  /* count elements of sub, strides sstride/dstride */
	XO_ZCHK,  /* truncated array tail: slen bytes that must be zero */
};

/* Value kinds of XO_INT / XO_FLT operands. */
enum { XK_U = 0, XK_S = 1, XK_BOOL = 2, XK_F = 3 };

/* Enumerator mapping of one enum pair: old values sorted. */
struct xf_enum_ent {
	int64_t from, to;
	const char *name; /* old enumerator name */
	int found;	  /* the new enum has this name */
};
struct xf_enum_map {
	struct xf_enum_ent *v;
	size_t n;
	int numeric_ok; /* every shared name keeps its value: unnamed values pass unchanged */
	const char *sname, *dname;
};

struct xf_plan;

struct xf_op {
	uint8_t code, sk, dk; /* enum xf_opcode, value kinds */
	uint8_t pxfer;	      /* XO_UNION: translate pointer words instead of failing */
	uint8_t check;	      /* XO_UNION: the union has pointer members: look at its words */
	uint8_t sbit, sbits;  /* source bitfield: first bit, width (0 = not a bitfield) */
	uint8_t dbit, dbits;  /* destination bitfield */
	uint64_t soff, doff;
	uint64_t slen, dlen; /* bytes covered (XO_ARR: count * stride) */
	uint64_t count;	     /* XO_ARR: elements transferred */
	uint64_t sstride, dstride;
	struct xf_plan *sub;	      /* XO_ARR */
	const struct xf_enum_map *em; /* XO_ENUM */
	const char *path;	      /* member path relative to the plan, e.g. ".e.count" */
	uint64_t hint;		      /* XO_PTR: hash of the old pointee type, 0 if none */
};

struct xf_plan {
	struct xf_op *ops; /* sorted by soff */
	size_t nops;
	uint64_t ssize, dsize;
	int pure_copy;	  /* one COPY of the whole (equal-sized) element */
	int zero_dst;	  /* some destination bytes are written by no op */
	int has_ptr;	  /* some op translates pointers */
	int refused;	  /* compiling failed: error below */
	char *error;	  /* "<path>: <reason>" when refused */
	ttst_xfer_cb cb;  /* type callback of the new type, or NULL */
	const char *sname, *dname; /* type names (in their blobs) */
	struct xf_plan *next; /* cache chain */
	void *arena;	      /* paths and enum maps of the ops (freed with the plan) */
	uint64_t ha, hb;
	uint32_t fa, fb;
	struct ttst_tref tb; /* the destination type (validation names members by it) */
};

/* Compiles (or finds in the cache) the plan for one element of type a in a
 * place with flags fa becoming type b with flags fb.  Returns NULL only when
 * out of memory; a refused pair comes back with refused set. */
struct xf_plan *xf_plan_get(struct xf *x, struct ttst_tref a, uint32_t fa, struct ttst_tref b,
			    uint32_t fb);

/* Frees every cached plan. */
void xf_plan_free_all(struct xf *x);

/* --- per-object state --------------------------------------------------- */

enum xf_state {
	XS_SKIP = 0, /* nothing to do (TLS, ...) */
	XS_XFER,     /* to transfer into naddr */
	XS_TARGET,   /* pointer target only (functions, read-only statics, literals) */
	XS_LAZY,     /* copied (into a new untyped block) when first pointed to */
	XS_QUEUED,   /* lazy object pointed to: counterpart allocated, to transfer */
	XS_DONE,     /* transferred */
	XS_DROPPED,  /* no counterpart: a pointer to it fails */
};

enum xf_mode {
	XM_TYPED = 0, /* shape */
	XM_CONS,      /* bytes with conservative pointer translation */
	XM_PLAIN,     /* bytes only */
};

/* How an object's bytes map: element plan (+ flexible array tail). */
struct xf_shape {
	struct xf_plan *elem;
	struct xf_plan *tail; /* flexible array member elements, or NULL */
	uint64_t tail_soff, tail_doff;
	int single; /* statics / locals: exactly one element */
};

/* One source object (x->o[i] for src->objs[i]): 32 bytes, so that the
 * address index's probe, which reads addr and size, finds the counterpart
 * and the state in the same cache line.  Sizes that do not fit 32 bits are
 * XF_SIZE_BIG: xf_size and xf_nsize find them elsewhere. */
struct xf_obj {
	uint64_t addr;	/* the source object's (src->objs[i].addr) */
	uint64_t naddr; /* counterpart here (0 = none yet); with XO_OLD: its original's
			   address (validation: pointers to it are written in old space) */
	uint32_t size;	/* the source object's size (src->objs[i].size), or XF_SIZE_BIG */
	uint32_t nsize; /* the counterpart's size, or XF_SIZE_BIG (see xf_nsize) */
	uint32_t shape; /* index into x->shapes (XM_TYPED) */
	uint8_t state, mode;
	uint8_t flags; /* XO_* */
	uint8_t unused;
};

_Static_assert(sizeof(struct xf_obj) == 32, "xf_obj: two per cache line");

#define XF_SIZE_BIG UINT32_MAX
/* validation: the counterpart is a reserved address; the object is written
 * to a scratch buffer and compared at once (xfer_diff.c) */
#define XO_FRESH 1u
/* validation: a fresh object's naddr was replaced by its original's address
 * (xf_vspace_build); its reserved address is no longer needed */
#define XO_OLD 2u
/* forward: the counterpart, carved from the room, has bytes that no op
 * writes (new members, padding): it is zeroed just before it is written
 * (its cache lines are then fetched once, not at the carving and again at
 * the move) */
#define XO_ZERO 4u

/* The size of object i's counterpart: stored when it fits, else derived
 * as it was set (xf_set_nsize callers follow the same rule). */
uint64_t xf_nsize(const struct xf *x, size_t i);
/* Sets object i's counterpart size. */
static inline void xf_set_nsize(struct xf_obj *o, uint64_t n)
{
	o->nsize = n < XF_SIZE_BIG ? (uint32_t)n : XF_SIZE_BIG;
}

/* --- lookups ------------------------------------------------------------ */

/* String -> value hash map (keys are not copied: they must outlive it). */
struct xf_smap {
	const char **keys;
	uint64_t *vals;
	size_t n, cap;
};

int xf_smap_put(struct xf_smap *m, const char *key, uint64_t val);
/* Returns 1 and *val if key is present, else 0. */
int xf_smap_get(const struct xf_smap *m, const char *key, uint64_t *val);
void xf_smap_free(struct xf_smap *m);

/* One dense stretch of source addresses: a directory of granules. */
struct xf_region {
	uint64_t lo, hi;  /* [lo, hi): its objects, past-the-end addresses included */
	uint32_t first;	  /* index of its first object */
	uint32_t shift;	  /* granule = (addr - lo) >> shift */
	size_t dir;	  /* offset of its granules in xf_index.dir */
	size_t ngran;
};

/* Source objects by address (xfer_index.c): sorted starts, and per region a
 * directory giving, for each granule, the last object starting at or before
 * the granule's start, so a lookup reads one directory entry and scans a few
 * neighbouring starts. */
struct xf_index {
	struct xf_region *reg;
	size_t nreg;
	uint32_t *dir;
};

int xf_index_build(struct xf *x);
void xf_index_free(struct xf_index *ix);
/* The object containing addr (or ending exactly at addr: past-the-end), its
 * index in *i and the offset in *off.  Returns 0, or -1 if there is none. */
int xf_index_find(const struct xf *x, uint64_t addr, size_t *i, uint64_t *off);
/* Whether object k (the last one starting at or before addr) holds addr or
 * ends exactly at it, as xf_index_find decides; sets *off. */
int xf_index_holds(const struct xf *x, size_t k, uint64_t addr, uint64_t *off);
/* Lookups issued ahead (xfer_move.c): stage 1 prefetches the directory entry
 * of addr, stage 2 (later) the start and object records it leads to. */
void xf_index_prefetch1(const struct xf *x, uint64_t addr);
void xf_index_prefetch2(const struct xf *x, uint64_t addr);

/* Memory maps of a process (xfer_lib.c). */
struct xf_mapent {
	uint64_t start, end, off;
	char perms[5];
	char *path; /* "" for anonymous */
};
struct xf_maps {
	struct xf_mapent *v;
	size_t n;
	int loaded; /* 1 loaded, -1 could not be read */
};
void xf_maps_free(struct xf_maps *m);

/* What a source allocation site maps to (xfer_map.c, one per site). */
struct xf_site_memo {
	uint8_t done, mode, typed, zero, mmap;
	uint32_t shape;	  /* XM_TYPED */
	uint32_t site;	  /* global site number here (0: untyped copy) */
	uint32_t cbid;	  /* object callback for the new site ID */
	const struct ttst_tu_hdr *tu; /* the new site's blob (mmap), or NULL */
	uint32_t index;	  /* the new site's index in tu */
};

/* This process's counterpart of a static record (xfer_map.c). */
struct xf_here {
	const struct ttst_tu_hdr *tu;
	uint32_t index;
	uint64_t addr;
};

/* --- the engine --------------------------------------------------------- */

struct xf {
	const struct ttst_src *src;
	struct ttst_xfer_report *rep;
	struct xf_obj *o; /* parallel to src->objs */
	uint32_t *cbid;	  /* per object: object callback index + 1, 0 = none (NULL: no object
			     callbacks are registered) */
	struct xf_index ix;
	struct xf_shape *shapes;
	size_t nshapes, capshapes;
	struct xf_plan **pcache; /* plan cache buckets */
	size_t pcap;
	struct xf_here *here; /* this process's statics / functions / locals */
	size_t nhere, caphere;
	struct xf_smap ids;	/* state ID -> here index (statics, functions) */
	struct xf_smap fnames;	/* function name -> here index (unique names only) */
	struct xf_smap strs;	/* ".str#<hash>" -> here index */
	struct xf_smap locals;	/* "k:id" -> here index (k-th activation) */
	struct xf_smap sites;	/* site ID -> (tu index << 32 | site index) */
	const struct ttst_tu_hdr **tus; /* this process's blobs */
	size_t ntus;
	struct xf_maps smaps, hmaps; /* source / this process */
	void *keys;		     /* owned key strings of the maps (linked blocks) */
	struct xf_site_memo **smemo; /* per source blob: per site, the mapping decided */
	uint32_t *xfer;		     /* indices of objects to transfer, by address */
	size_t nxfer;
	int xfer_later;		     /* xf_map_heap leaves xfer to xf_map_all (two threads) */
	uint32_t *queue;	     /* lazy objects pointed to, not yet transferred */
	size_t nqueue, capqueue;
	uint64_t *memo_k;	     /* interior offset memo: (plan, off) hash */
	int64_t *memo_v;
	size_t memo_cap, memo_n;
	/* the memo's last answer: linked structures point to the same member
	 * of the same type over and over (kvstore: every LRU link) */
	const struct xf_plan *last_p;
	uint64_t last_off, last_hint;
	int64_t last_res;
	struct ttst_rule_renames rn; /* member renames (from xfer_ann.c) */
	uint64_t arg_lo, arg_hi;     /* source argument + environment strings */
	int args_loaded;
	uint64_t (*argcopies)[2];    /* source string address -> copy here */
	size_t nargcopies;
	size_t cur;		     /* object being transferred (messages) */
	int dirty;		     /* a callback ran: re-init objects may be linked anywhere */
	struct xf_qtu *qtus;	     /* TUs whose IDs are qualified (xfer_ids.c) */
	size_t nq;
	char etail[384];	     /* message being built: "<path>: <what>" */
	int backward;		     /* validation run (xfer.h): no callbacks, inverse renames */
	int zero;		     /* zero each counterpart before writing it */
	struct ttst_rule_rename *inv; /* backward: the source's renames, inverted */
	char *inv_buf;		      /* their strings */
	/* Validation against ref (xfer_diff.c): pointers are written as the
	 * original process's addresses ("old space"), so that a round-tripped
	 * object equals its original byte for byte (vref[i]: the original
	 * source object i came from, whose address a fresh object's naddr then
	 * holds: XO_OLD); refsrc[k]: the source object ref object k went to
	 * (UINT32_MAX: none). */
	const struct ttst_xfer_ref *ref;
	uint32_t *refsrc;
	uint32_t *vref; /* per source object: index + 1 of its original in ref, 0 if none */
	/* Validation: heap counterparts are reserved addresses (xfer_heap.c);
	 * their bytes only pass through a scratch buffer (xfer_diff.c). */
	struct xf_arena *arena;
	struct xf_room *room; /* forward: blocks the counterparts are carved from (xfer_heap.c) */
	/* Two threads (xfer_par.c): the helper runs on a copy of this struct
	 * whose main points here; both share lock while the pass runs.  Shared
	 * and written during a pass: object states (atomics), the lazy queue
	 * and the library fields (under lock), the source reads (under lock).
	 * Own per thread: rep, etail, cur, the offset memo. */
	struct xf *main;
	pthread_mutex_t *lock;
	/* Validation: differences found while moving ([0] the main thread's,
	 * [1] the helper's; owned by the main copy), and this thread's scratch,
	 * window of originals and comparison state (xfer_diff.c). */
	struct ttst_xfer_diff *fzd;
	struct xf_fuse *fz;
	unsigned char *wbuf; /* this thread's window of source bytes (xfer_move.c) */
	size_t wcap;
	int has_cb; /* program callbacks run during the move: one thread */
};

/* Source object i's size. */
static inline uint64_t xf_size(const struct xf *x, size_t i)
{
	uint32_t s = x->o[i].size;
	return s != XF_SIZE_BIG ? s : x->src->objs[i].size;
}

/* A pointer to a counterpart that has no original (old space): bit 63 set,
 * which no user-space address has, so it never equals an original value. */
#define XF_NO_ORIGINAL (1ull << 63)

/* Sets rep->error to "<prefix><etail>" style text; returns -1. */
int xf_fail(struct xf *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes "<what>" into etail (path prefixes are added by the callers); returns -1. */
int xf_err(struct xf *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prepends s to etail. */
void xf_err_prefix(struct xf *x, const char *s);
/* The name of source object i for messages: state ID, or "<site id>#<ordinal>", or
 * "heap block 0x..." (written into buf). */
const char *xf_obj_name(const struct xf *x, size_t i, char *buf, size_t n);

/* xfer_ids.c: program-level IDs (meta.h: TUs sharing a basename are
 * qualified by a path suffix).  xf_ids_init collects this process's TUs into
 * x->tus and must run before any ID is read; returns 0 or -1 (reported). */
int xf_ids_init(struct xf *x);
/* The state ID of static record i / site ID of site i of blob tu (either
 * process); the string lives as long as x. */
const char *xf_static_id(const struct xf *x, const struct ttst_tu_hdr *tu, uint32_t i);
const char *xf_site_id(const struct xf *x, const struct ttst_tu_hdr *tu, uint32_t i);
void xf_ids_free(struct xf *x);

/* Engine memory (glibc, not enumerated). */
void *xf_alloc(size_t n);
void *xf_calloc(size_t n, size_t size);
void *xf_realloc(void *p, size_t n);
void xf_free(void *p);
char *xf_strdup(const char *s);
/* Large zeroed engine arrays (their own mappings: given back to the system
 * when freed, never part of the program's heap).  NULL if out of memory. */
void *xf_big_alloc(size_t n);
void xf_big_free(void *p);
/* Detaches array p of xf_big_alloc: returns its mapping and *len (the
 * caller unmaps it). */
void *xf_big_detach(void *p, size_t *len);

/* xfer_map.c */
int xf_here_build(struct xf *x);
void xf_here_free(struct xf *x);
int xf_map_all(struct xf *x);
/* The index of shape sh in x->shapes (added if new), or XF_NONE if out of memory. */
uint32_t xf_shape_add(struct xf *x, const struct xf_shape *sh);
/* xfer_heap.c: a heap / mmap object (allocates its counterpart). */
int xf_map_heap(struct xf *x, size_t i);
/* Decides what heap object i's allocation site maps to, once per site (what
 * xf_map_heap does first): 0, or -1 (reported). */
int xf_map_site(struct xf *x, size_t i);
/* Frees the arenas of a validation run. */
void xf_arena_free(struct xf *x);
/* Hands the arenas of from (a helper's copy) over to x. */
void xf_arena_merge(struct xf *x, struct xf *from);
/* Around the forward run's heap allocation: takes blocks from glibc for the
 * counterparts to be carved from and populates them on a second thread
 * (xf_room_begin; does nothing if that fails or is not worth it), then gives
 * back what was not used (xf_room_end). */
void xf_room_begin(struct xf *x);
void xf_room_end(struct xf *x);
/* Pauses the room's populating thread (on: 1) while this thread maps memory
 * (its madvise steps hold the mmap lock for reading: a mapping waits for them
 * ~4 ms, until the kernel hands the lock over), and lets it go on (on: 0). */
void xf_room_hold(struct xf *x, int on);
/* Allocates the counterpart of lazy object i and queues it.  Returns 0 or -1. */
int xf_materialize(struct xf *x, size_t i);

/* xfer_exec.c: transforms source object i whose bytes are at s. */
int xf_exec_obj(struct xf *x, size_t i, const unsigned char *s);
/* Runs plan p on one element (source bytes s at source address sa). */
int xf_exec(struct xf *x, const struct xf_plan *p, const unsigned char *s, uint64_t sa,
	    unsigned char *d);

/* xfer_ptr.c: translates source pointer value v (0 stays 0); hint is the
 * structural hash of its old pointee type (0: void / unknown), which decides
 * between "the object" and "its first member" at equal addresses.  On
 * failure etail says why (the caller prefixes the path). */
int xf_ptr(struct xf *x, uint64_t v, uint64_t hint, uint64_t *out);
/* The same for a pointer already found at offset off of source object i. */
int xf_ptr_to(struct xf *x, size_t i, uint64_t off, uint64_t hint, uint64_t *out);
/* Whether n elements of plan p are single pointers that xf_ptrarr_exec takes. */
int xf_ptrarr_fits(const struct xf_plan *p, uint64_t n);
/* Translates the n pointers at s into d in the order of the addresses they
 * hold (xfer_ptrarr.c); 0, -1 (reported, with the element), or 1: not done
 * (nothing written), to be done one element at a time. */
int xf_ptrarr_exec(struct xf *x, const struct xf_plan *p, const unsigned char *s, uint64_t n,
		   unsigned char *d);
/* Conservative: if v points into a source object, translates it into *out
 * and returns 1; returns 0 if v is no source address, -1 on failure. */
int xf_ptr_guess(struct xf *x, uint64_t v, uint64_t *out);

/* xfer_lib.c: a pointer into no source object: stdio streams and library
 * functions are translated, anything else fails with a message in etail. */
int xf_ptr_lib(struct xf *x, uint64_t v, uint64_t *out);
/* The source process's mapping holding a, or NULL (no pid, unreadable maps, unmapped). */
const struct xf_mapent *xf_src_map(struct xf *x, uint64_t a);

/* xfer_move.c: reads and transforms the objects listed (indices sorted by address). */
int xf_move(struct xf *x, const uint32_t *idx, size_t n);

/* xfer_ann.c: annotations registered by the program (ttst.h). */
const struct ttst_rule_renames *xf_ann_member_renames(void);
/* The new state ID for old state ID id (itself if not renamed). */
const char *xf_ann_rename(const char *id);
ttst_xfer_cb xf_ann_type_cb(const char *type);
/* Object callbacks: index + 1 of the callback for state / site ID id, or 0. */
uint32_t xf_ann_obj_cb(const char *id);
/* Whether x may find object callbacks (some are registered and it runs forward). */
int xf_ann_obj_cbs(const struct xf *x);
ttst_xfer_cb xf_ann_obj_cb_fn(uint32_t k);
/* Runs every init callback in registration order.  Returns 0 or -1 (rep->error set). */
int xf_ann_run_init(struct xf *x);
/* Calls cb for one object; returns 0 or -1 with rep->error naming it. */
int xf_ann_call(struct xf *x, ttst_xfer_cb cb, const struct ttst_xfer_obj *o, const char *what);
/* Installs the inverse of the source's renames (ttst_xfer_renames_export
 * format) as x's renames.  Returns 0 or -1 (reported). */
int xf_ann_inverse(struct xf *x, const char *buf, size_t len);
/* xfer_diff.c: links every source object with its original in x->ref
 * (x->vref, x->refsrc, XO_OLD) before the move, so that pointers are written in
 * old space.  Returns 0 or -1 (reported). */
int xf_vspace_build(struct xf *x);
/* Validation: a zeroed scratch buffer of n bytes for a fresh object (this
 * thread's; valid until the next call), or NULL (reported). */
unsigned char *xf_fuse_scratch(struct xf *x, uint64_t n);
/* Compares fresh object j, just written to b, with its original.  Returns 0
 * (differences are recorded in x->fzd), or -1 (reported) if the original
 * cannot be read. */
int xf_fuse_compare(struct xf *x, size_t j, const unsigned char *b);
/* Frees this thread's scratch and window. */
void xf_fuse_end(struct xf *x);
/* Compares every object received with its original (x->ref, after
 * xf_vspace_build and the move); fills d.  Returns 0, or -1 (reported) if the
 * original cannot be read. */
int xf_diff_run(struct xf *x, const struct ttst_xfer_ref *ref, struct ttst_xfer_diff *d);
/* The engine callbacks may use (ttst_xfer_translate), or NULL. */
void xf_ann_set_current(struct xf *x);

/* xfer_par.c: one pass over the items idx[0..n) (source object indices,
 * sorted; NULL: n items of equal weight): fn(x, ctx, lo, hi) runs on ranges
 * covering [0, n) once.  Large passes run on this thread and a helper (on a
 * copy of x, see struct xf): halves of n items of equal weight, or chunks of
 * idx taken from both ends until they meet.
 * Returns 0, or -1 with x->rep->error set (the first error of either half). */
typedef int (*xf_par_fn)(struct xf *x, void *ctx, size_t lo, size_t hi);
int xf_par_run(struct xf *x, const uint32_t *idx, size_t n, xf_par_fn fn, void *ctx);
/* Takes / releases the pass's lock (no-ops outside a parallel pass). */
void xf_par_lock(struct xf *x);
void xf_par_unlock(struct xf *x);
/* xf_ptr_lib, safe inside a parallel pass. */
int xf_par_ptr_lib(struct xf *x, uint64_t v, uint64_t *out);

/* xfer_clean.c */
struct xf_cands;
/* Snapshot of this process's heap/mmap objects from instrumented sites
 * before the transfer.  Returns NULL if out of memory. */
struct xf_cands *xf_clean_snapshot(void);
/* Frees the snapshot's objects that nothing references after the transfer. */
int xf_clean_run(struct xf *x, struct xf_cands *c);
void xf_clean_free(struct xf_cands *c);

#endif /* TTST_RT_XFER_INT_H */
