/* tree/v1.c -- e2e case: a binary search tree of 300 heap nodes with parent pointers. */
#include <stdlib.h>

#include "drv.h"

struct tnode {
	int key;
	struct tnode *left, *right, *parent;
};

const char case_version[] = "v1";
static struct tnode *g_root;

static void insert(int key)
{
	struct tnode **at = &g_root, *parent = NULL;
	struct tnode *n;

	while (*at) {
		parent = *at;
		at = key < parent->key ? &parent->left : &parent->right;
	}
	n = calloc(1, sizeof *n);
	n->key = key;
	n->parent = parent;
	*at = n;
}

void case_setup(void)
{
	for (int i = 0; i < 300; i++)
		insert((i * 7919) % 1009);
}

/* In-order walk: keys, and the parent/child identity of every node. */
static void walk(FILE *out, struct tnode *n, int depth, long *count)
{
	if (!n)
		return;
	walk(out, n->left, depth + 1, count);
	fprintf(out, "%d depth=%d\n", n->key, depth);
	if ((n->left && n->left->parent != n) || (n->right && n->right->parent != n) ||
	    (n->parent && n->parent->left != n && n->parent->right != n))
		fprintf(out, "FAIL parent/child pointers of %d\n", n->key);
	++*count;
	walk(out, n->right, depth + 1, count);
}

void case_dump(FILE *out)
{
	long count = 0;

	walk(out, g_root, 0, &count);
	fprintf(out, "nodes=%ld root_parent=%s\n", count, g_root && !g_root->parent ? "null" : "?");
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
