/* main.c -- wrap_crossfile corpus case: calls to the cross-file wrappers,
 * typed from their destinations and checked against constant sizes. */
#include <string.h>
#include "alloc.h"

struct node {
	int key;           /* 0 */
	struct node *next; /* 8 */
};                         /* size 16 */

struct node *g_nodes;

int main(void)
{
	struct node *n = xalloc(sizeof *n); /*@n*/
	int *v = xalloc(10 * sizeof *v); /*@v*/
	g_nodes = xcalloc(4, sizeof(struct node)); /*@g_nodes*/
	char *name = xalloc(12); /*@name*/
	n->key = 1;
	n->next = &g_nodes[3];
	g_nodes[3].key = 2;
	v[9] = 3;
	strcpy(name, "crossfile");
	int ok = n->key + n->next->key + v[9] == 6 && xalloc_count() == 4 && g_nodes[0].key == 0;
	xfree(name);
	xfree(g_nodes);
	xfree(v);
	xfree(n);
	return !(ok && xalloc_count() == 0);
}
