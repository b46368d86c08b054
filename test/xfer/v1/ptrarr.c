/* v1/ptrarr.c -- old version for the pointer-array test: large arrays of pointers (a heap one and a
 * static one) whose elements point, in no address order, to node starts, into nodes, just past
 * nodes, to a static node, or nowhere.  Mode "bad": one heap element points into a member the new
 * version drops. */
#include <stdlib.h>
#include <string.h>

#include "snap.h"

#define NNODES 30000u
#define NARR 40000u  /* heap array: elements */
#define NSARR 20000u /* static array: elements */
#define BAD_IX 12345u

struct node {
	int id;
	int gone; /* dropped by v2 */
	char name[8];
	struct node *self;
};

struct node **g_arr;
struct node *g_sarr[NSARR];
struct node g_static_node = {-1, 0, "static", &g_static_node};

static struct node *g_nodes[NNODES];

/* Element i of either array (v2 checks it by the same rule). */
static struct node *elem(unsigned i)
{
	struct node *n = g_nodes[(i * 7919u) % NNODES];
	switch (i % 6) {
	case 0:
		return NULL;
	case 1:
	case 5:
		return n;
	case 2:
		return (struct node *)(void *)n->name; /* inside the node */
	case 3:
		return &g_static_node;
	default:
		return n + 1; /* just past it */
	}
}

static void fill(int bad)
{
	for (unsigned k = 0; k < NNODES; k++) {
		struct node *n = malloc(sizeof *n);
		n->id = (int)k;
		n->gone = 7;
		memcpy(n->name, "node", 5);
		n->self = n;
		g_nodes[k] = n;
	}
	g_arr = malloc(NARR * sizeof *g_arr);
	for (unsigned i = 0; i < NARR; i++)
		g_arr[i] = elem(i);
	for (unsigned i = 0; i < NSARR; i++)
		g_sarr[i] = elem(i);
	if (bad)
		g_arr[BAD_IX] = (struct node *)(void *)&g_nodes[3]->gone;
}

int main(int argc, char **argv)
{
	fill(argc > 1 && !strcmp(argv[1], "bad"));
	xt_serve();
}
