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
	/* Reads n bytes at source address addr into buf.  Returns 0, or -1
	 * (errno set) if any byte is unreadable. */
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t n);
	void *read_ctx;
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

#endif /* TTST_RT_XFER_H */
