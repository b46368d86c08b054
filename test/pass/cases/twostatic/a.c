/* a.c -- twostatic corpus case, TU 1: a file static `counter` (int) and its
 * own `struct node` (16 bytes); also the definitions of the shared globals. */
#include "common.h"

struct node {
	int key;           /* 0 */
	struct node *next; /* 8 */
};                         /* size 16 */

static int counter = 1;
static struct node nodes[3];
static struct node *head;
int g_total;
struct shared g_shared = {1, 'a'};

int a_bump(void)
{
	counter++;
	g_total += counter;
	return counter;
}

int a_list_len(void)
{
	for (int i = 0; i < 3; i++) {
		nodes[i].key = i;
		nodes[i].next = i < 2 ? &nodes[i + 1] : 0;
	}
	head = &nodes[0];
	int n = 0;
	for (struct node *p = head; p; p = p->next)
		n++;
	return n;
}
