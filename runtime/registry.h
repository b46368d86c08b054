/* registry.h -- every object of the program's state (statics, locals, heap, mmap) with its type,
 * and the address lookup built on a splay tree.  Valid only while the program's threads are
 * quiescent. */
#ifndef TTST_RT_REGISTRY_H
#define TTST_RT_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "splay.h"

struct ttst_tu_hdr;

enum ttst_obj_kind {
	TTST_OBJ_STATIC = 0,   /* global, file static, static local, string literal */
	TTST_OBJ_FUNCTION = 1, /* address-taken function (range of one byte) */
	TTST_OBJ_LOCAL = 2,    /* automatic local of main / a TTST_STATEFUL function */
	TTST_OBJ_HEAP = 3,     /* heap block */
	TTST_OBJ_MMAP = 4,     /* mmap region from an instrumented site */
};

struct ttst_obj {
	struct ttst_splay_node node; /* [addr, addr + max(size, 1)) */
	uintptr_t addr;
	size_t size;
	const struct ttst_tu_hdr *tu; /* blob holding the type (and record), NULL if none */
	uint32_t type;		      /* type index in tu, TTST_NO_TYPE if untyped */
	uint32_t index;		      /* static record index, or global site number */
	uint32_t slot;		      /* heap: object-table slot */
	uint8_t kind;		      /* enum ttst_obj_kind */
};

/* Calls fn for every object; stops when fn returns non-zero and returns that.
 * fn must not allocate through the interposed allocator. */
int ttst_registry_foreach(int (*fn)(const struct ttst_obj *, void *), void *arg);

/* ttst_registry_foreach in two parts that two threads may walk at once:
 * part 0 the statics, the locals and the heap blocks of slots below mid,
 * part 1 the heap blocks of the slots from mid on and the mmap regions.
 * Part 0 then part 1 is ttst_registry_foreach's order. */
int ttst_registry_foreach_part(int part, uint32_t mid,
			       int (*fn)(const struct ttst_obj *, void *), void *arg);

/* All objects in an array plus a splay tree over their ranges. */
struct ttst_lookup {
	struct ttst_obj *objs;
	size_t n, cap;
	size_t aliases; /* objects whose range overlaps an earlier one (not in the tree) */
	struct ttst_splay tree;
};

/* Builds the lookup from the registry.  Returns NULL if out of memory.  The
 * caller owns the result (ttst_lookup_free). */
struct ttst_lookup *ttst_lookup_build(void);

/* The object containing addr (base or interior pointer) and the offset of
 * addr in it, or NULL. */
const struct ttst_obj *ttst_lookup_find(struct ttst_lookup *l, const void *addr, size_t *off);

void ttst_lookup_free(struct ttst_lookup *l);

#endif /* TTST_RT_REGISTRY_H */
