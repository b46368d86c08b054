/* xfer.h -- the contract between the update transaction (update_*.c) and the state-transfer engine (xfer_*.c).
 *
 * The transaction (in the new version, at its first update point) obtains a
 * description of the old version's state -- a *source* -- and hands it to the
 * engine, which re-creates that state in this process:
 *
 *   old process (v1)                      this process (v2)
 *   ---------------------------------     ----------------------------------------
 *   TU blobs (ttst_meta, as in memory:    ttst_src.tus[i]: a private copy of each
 *     addrs[] hold v1's addresses)   ──►    blob; addrs[] still hold v1 addresses
 *   registry: statics, locals, heap,      ttst_src.objs[]: one record per object
 *     mmap (addr, size, site/static)  ──►
 *   memory                            ◄── ttst_src.read(): bytes at v1 addresses
 *                                          (process_vm_readv, batched)
 *
 * The engine maps objects by state ID (statics, locals: the static record's id
 * string; heap and mmap: the allocation site's id string + the object's
 * ordinal among the objects of that site), allocates v2 heap objects with v2's
 * type for the same site, transforms each object's bytes from its v1 type to
 * its v2 type, and translates every pointer to the counterpart object.  The
 * same engine runs backward (v2 state into a fresh v1') for validation: it
 * never assumes which version is older.
 */
#ifndef TTST_RT_XFER_H
#define TTST_RT_XFER_H

#include <stddef.h>
#include <stdint.h>

#include <ttst/abi.h>

/* One object of the source process.  kind is enum ttst_obj_kind (registry.h). */
struct ttst_src_obj {
	uint64_t addr;	/* address in the source process */
	uint64_t size;	/* bytes (heap: the size the program asked for) */
	uint32_t tu;	/* index into ttst_src.tus of the blob describing it;
			   UINT32_MAX for an uninstrumented heap block (site 0) */
	uint32_t index; /* STATIC/FUNCTION/LOCAL: static record index in that
			   blob; HEAP/MMAP: site index in that blob */
	uint8_t kind;	/* enum ttst_obj_kind */
	uint8_t typed;	/* heap: the site had a type (wrapper-typed included) */
	uint16_t reserved;
	uint32_t ordinal; /* HEAP/MMAP: n-th live object of this site, in
			     allocation-table order; 0 otherwise */
};

/* The source process's state, as received by the transaction. */
struct ttst_src {
	int pid;			  /* source process */
	size_t ntus;
	const struct ttst_tu_hdr **tus;	  /* checked blobs (meta.h), owned by src */
	size_t nobjs;
	struct ttst_src_obj *objs;	  /* sorted by addr */
	uint64_t heap_chunks; /* glibc chunk bytes of its heap objects with a site (0: not
				 counted; the engine counts them) */
	/* Reads n bytes at source address addr into buf.  Returns 0, or -1
	 * (errno set) if any byte is unreadable. */
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t n);
	void *read_ctx;
	int read_mt; /* read may run on two threads at once (else one at a time) */
};

/* Per-run counters and the first error, filled by the engine. */
struct ttst_xfer_report {
	uint64_t objects;	  /* objects transferred */
	uint64_t bytes;		  /* source bytes read */
	uint64_t pointers;	  /* pointers translated */
	uint64_t transforms;	  /* members whose type changed */
	uint64_t conservative;	  /* words treated as pointers by guess */
	uint64_t freed;		  /* re-init objects freed as unreferenced */
	char error[512];	  /* "<object id>.<member path>: <what>" */
};

/* Transfers src into this process (see top of file).  Returns 0, or -1 with
 * rep->error naming the object, member and reason; on failure this process's
 * state is undefined and the caller must not continue it. */
int ttst_xfer_run(const struct ttst_src *src, struct ttst_xfer_report *rep);

/* --- validation (time-traveling state transfer) ---------------------------
 *
 *   v1 --forward run, map--> v2 --backward run--> v1' ; v1' diffs against v1
 *
 * The forward run exports, for every source object, its counterpart here
 * (ttst_xfer_cp: 8 bytes each, 16 MB at 2M objects).  The backward run (in a
 * fresh instance of the old version, v1') takes as its reference the old
 * version's own objects (its state image, which the forward run read) and
 * that map, index by index; it uses the source's renames inverted, none of
 * its own callbacks, zeroes every counterpart before writing it, and then
 * compares each object it received with the original old object: the bytes
 * the backward plans write (members the new version does not have are not
 * written and not compared), pointers by target object and offset. */

enum ttst_xfer_cp_how {
	TTST_CP_NONE = 0,   /* no counterpart (skipped, dropped, never pointed to) */
	TTST_CP_XFER = 1,   /* transferred */
	TTST_CP_TARGET = 2, /* pointer target only (function, read-only, literal) */
};

/* Counterpart of one source object (one per src->objs entry): its address
 * here, with its enum ttst_xfer_cp_how in the top two bits (no user-space
 * address reaches them); 0 for TTST_CP_NONE. */
typedef uint64_t ttst_xfer_cp;
#define TTST_CP_HOW_SHIFT 62
#define TTST_CP_ADDR_MASK ((1ull << TTST_CP_HOW_SHIFT) - 1)

static inline ttst_xfer_cp ttst_cp_make(uint64_t addr, uint32_t how)
{
	return how == TTST_CP_NONE
		   ? 0
		   : (addr & TTST_CP_ADDR_MASK) | (uint64_t)how << TTST_CP_HOW_SHIFT;
}

static inline uint32_t ttst_cp_how(ttst_xfer_cp e)
{
	return (uint32_t)(e >> TTST_CP_HOW_SHIFT);
}

static inline uint64_t ttst_cp_addr(ttst_xfer_cp e)
{
	return e & TTST_CP_ADDR_MASK;
}

/* The original (old) process's objects and where each went in the source of
 * the backward run. */
struct ttst_xfer_ref {
	size_t n;
	const struct ttst_src_obj *objs; /* sorted by addr (addr and size are read) */
	const ttst_xfer_cp *cp;		 /* n: the counterpart of objs[k] in the source */
	/* Reads n bytes at addr of the original process; 0 or -1 (errno). */
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t n);
	void *read_ctx;
	int read_mt; /* read may run on two threads at once (else one at a time) */
};

#define TTST_XFER_DIFF_SHOW 5 /* differences described in full */

/* Result of the comparison. */
struct ttst_xfer_diff {
	uint64_t compared;    /* objects compared */
	uint64_t differences; /* members (or words) that differ */
	uint64_t unchecked;   /* pointers outside the state (libraries): not compared */
	uint32_t ms;	      /* time the comparison took */
	char first[TTST_XFER_DIFF_SHOW][400]; /* "<object>.<member>: <v1> vs <v1'>" */
};

/* Options of one run; all zero gives ttst_xfer_run. */
struct ttst_xfer_opts {
	int backward;		  /* validation run: see above */
	const char *renames;	  /* backward: the source's renames (ttst_xfer_renames_export) */
	size_t renames_len;
	const struct ttst_xfer_ref *ref; /* backward: compare with it (NULL: no comparison) */
	struct ttst_xfer_diff *diff;	 /* out, with ref */
	void **keep; /* out (may be NULL): the run's memory, for ttst_xfer_free later (the
			caller replies first, or exits and never frees it) */
	int map_to_fd; /* the map (src->nobjs ttst_xfer_cp, each object's
			  counterpart) is written into file map_fd from offset 0 */
	int map_fd;
};

/* ttst_xfer_run with options.  Returns 0 (differences are not failures: see
 * o->diff), or -1 as ttst_xfer_run. */
int ttst_xfer_run_opts(const struct ttst_src *src, const struct ttst_xfer_opts *o,
		       struct ttst_xfer_report *rep);

/* Maps the per-object records of a coming run over about nobjs source
 * objects and faults them in on a thread that runs only on an idle CPU:
 * for a process that waits for its source.  The next run takes them if they
 * fit, else unmaps them. */
void ttst_xfer_prepare(uint64_t nobjs);

/* Frees the memory of a run that was kept (ttst_xfer_opts.keep); NULL is ignored. */
void ttst_xfer_free(void *kept);

/* Detaches the per-object records of a kept run (a private anonymous
 * mapping, every page of it touched) and returns its start and *len, or
 * NULL: the caller owns the mapping from then on (munmap), for instance to
 * reuse its pages.  The run may then only be freed. */
void *ttst_xfer_take_records(void *kept, size_t *len);

/* Writes this process's registered renames into buf (n bytes) as
 * "<type or empty>\0<from>\0<to>\0" triples.  Returns the length needed
 * (nothing is written beyond n; the caller retries with a bigger buffer). */
size_t ttst_xfer_renames_export(char *buf, size_t n);

#endif /* TTST_RT_XFER_H */
