/* splay.h -- a generic top-down splay tree of disjoint address ranges [start, end). */
#ifndef TTST_RT_SPLAY_H
#define TTST_RT_SPLAY_H

#include <stddef.h>
#include <stdint.h>

/* Embed a node in the object it indexes; the tree never allocates. */
struct ttst_splay_node {
	uintptr_t start, end; /* the range [start, end), end > start */
	struct ttst_splay_node *left, *right;
};

struct ttst_splay {
	struct ttst_splay_node *root;
	size_t count;
};

/* An empty tree. */
void ttst_splay_init(struct ttst_splay *t);

/* Inserts n (start/end set by the caller).  Returns 0, or -1 (tree unchanged)
 * if the range is empty or overlaps a range already in the tree. */
int ttst_splay_insert(struct ttst_splay *t, struct ttst_splay_node *n);

/* The node whose range contains addr (a base or interior address), or NULL. */
struct ttst_splay_node *ttst_splay_find(struct ttst_splay *t, uintptr_t addr);

/* The node with the lowest start >= addr, or NULL (in-order iteration:
 * ttst_splay_next(t, 0), then ttst_splay_next(t, n->end) ...). */
struct ttst_splay_node *ttst_splay_next(struct ttst_splay *t, uintptr_t addr);

/* Removes n, which must be in the tree.  Returns 0, or -1 if it is not. */
int ttst_splay_remove(struct ttst_splay *t, struct ttst_splay_node *n);

#endif /* TTST_RT_SPLAY_H */
