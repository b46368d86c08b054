/* common.h -- dups corpus case: a static inline allocating function in a
 * header (a separate copy in each TU) and the cross-TU entry points. */
#ifndef DUPS_COMMON_H
#define DUPS_COMMON_H
#include <stdlib.h>

struct node {
	int v;             /* 0 */
	struct node *next; /* 8 */
};                         /* size 16 */

static inline struct node *node_new(int v)
{
	struct node *n = malloc(sizeof *n); /*@hdr_alloc*/
	if (n) {
		n->v = v;
		n->next = NULL;
	}
	return n;
}

static inline int ticket(void)
{
	static int next;
	return ++next;
}

int a_run(void);
int b_run(void);

#endif
