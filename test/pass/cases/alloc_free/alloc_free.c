/* alloc_free.c -- corpus: free sites (through members, in a loop, in a
 * static destructor, of NULL) and a linked list built and torn down. */
#include <stdlib.h>

struct lnode {
	int v;              /* 0 */
	struct lnode *next; /* 8 */
	char *label;        /* 16 */
};                          /* size 24 */

static void lnode_free(struct lnode *n)
{
	free(n->label); /*@free_label*/
	free(n); /*@free_node*/
}

static struct lnode *push(struct lnode *head, int v)
{
	struct lnode *n = malloc(sizeof *n); /*@push*/
	if (!n)
		abort();
	n->v = v;
	n->next = head;
	n->label = malloc(4); /*@label*/
	if (!n->label)
		abort();
	n->label[0] = (char)('0' + v);
	n->label[1] = 0;
	return n;
}

int main(void)
{
	struct lnode *head = NULL;
	for (int i = 0; i < 5; i++)
		head = push(head, i); /*@wrap_push*/
	int sum = 0;
	while (head) {
		struct lnode *next = head->next;
		sum += head->v + (head->label[0] - '0');
		lnode_free(head);
		head = next;
	}
	free(NULL); /*@free_null*/
	return sum != 20;
}
