/* splay.c -- top-down splay tree (Sleator & Tarjan) keyed by range start, with interior lookups. */
#include "splay.h"

void ttst_splay_init(struct ttst_splay *t)
{
	t->root = NULL;
	t->count = 0;
}

/* Top-down splay of the subtree r by key k: returns the new root, which is the
 * node with start k if present, else the last node on the search path.
 * Afterwards the root's left subtree holds every start < root's start. */
static struct ttst_splay_node *splay(struct ttst_splay_node *r, uintptr_t k)
{
	if (!r)
		return NULL;
	struct ttst_splay_node head = {0, 0, NULL, NULL};
	struct ttst_splay_node *l = &head, *g = &head, *y;
	for (;;) {
		if (k < r->start) {
			if (!r->left)
				break;
			if (k < r->left->start) { /* rotate right */
				y = r->left;
				r->left = y->right;
				y->right = r;
				r = y;
				if (!r->left)
					break;
			}
			g->left = r; /* link right */
			g = r;
			r = r->left;
		} else if (k > r->start) {
			if (!r->right)
				break;
			if (k > r->right->start) { /* rotate left */
				y = r->right;
				r->right = y->left;
				y->left = r;
				r = y;
				if (!r->right)
					break;
			}
			l->right = r; /* link left */
			l = r;
			r = r->right;
		} else {
			break;
		}
	}
	l->right = r->left;
	g->left = r->right;
	r->left = head.right;
	r->right = head.left;
	return r;
}

int ttst_splay_insert(struct ttst_splay *t, struct ttst_splay_node *n)
{
	if (n->end <= n->start)
		return -1;
	n->left = n->right = NULL;
	if (!t->root) {
		t->root = n;
		t->count = 1;
		return 0;
	}
	struct ttst_splay_node *r = splay(t->root, n->start);
	t->root = r;
	if (n->start < r->start) {
		/* r is the successor; the predecessor is the maximum of r->left */
		r->left = splay(r->left, n->start);
		if (n->end > r->start || (r->left && r->left->end > n->start))
			return -1;
		n->left = r->left;
		n->right = r;
		r->left = NULL;
	} else if (n->start > r->start) {
		/* r is the predecessor; the successor is the minimum of r->right */
		r->right = splay(r->right, n->start);
		if (r->end > n->start || (r->right && n->end > r->right->start))
			return -1;
		n->right = r->right;
		n->left = r;
		r->right = NULL;
	} else {
		return -1;
	}
	t->root = n;
	t->count++;
	return 0;
}

struct ttst_splay_node *ttst_splay_find(struct ttst_splay *t, uintptr_t addr)
{
	struct ttst_splay_node *r = splay(t->root, addr);
	t->root = r;
	if (!r)
		return NULL;
	if (r->start > addr) {
		r->left = splay(r->left, addr); /* its maximum, the predecessor */
		r = r->left;
	}
	return r && r->start <= addr && addr < r->end ? r : NULL;
}

struct ttst_splay_node *ttst_splay_next(struct ttst_splay *t, uintptr_t addr)
{
	struct ttst_splay_node *r = splay(t->root, addr);
	t->root = r;
	if (!r || r->start >= addr)
		return r;
	r->right = splay(r->right, addr); /* its minimum, the successor */
	return r->right;
}

int ttst_splay_remove(struct ttst_splay *t, struct ttst_splay_node *n)
{
	struct ttst_splay_node *r = splay(t->root, n->start);
	t->root = r;
	if (r != n)
		return -1;
	if (!r->left) {
		t->root = r->right;
	} else {
		struct ttst_splay_node *l = splay(r->left, n->start); /* max of the left part */
		l->right = r->right;
		t->root = l;
	}
	n->left = n->right = NULL;
	t->count--;
	return 0;
}
