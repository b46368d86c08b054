/* b.c -- twostatic corpus case, TU 2: a file static `counter` of another
 * type (long) and a different `struct node` (24 bytes) of the same name. */
#include "common.h"

struct node {
	double weight; /* 0 */
	int key;       /* 8 */
	int pad[3];    /* 12 */
};                     /* size 24 */

static long counter = 2;
static struct node *head;
static struct node one = {2.5, 1, {0, 0, 0}};
static struct shared mine = {2, 'b'};

long b_bump(void)
{
	counter += 10;
	g_total += (int)counter;
	return counter;
}

long b_weight(void)
{
	head = &one;
	return (long)(head->weight * 2) + mine.x + g_shared.x;
}

int main(void)
{
	int a = a_bump();   /* 2, g_total 2 */
	long b = b_bump();  /* 12, g_total 14 */
	int n = a_list_len();
	long w = b_weight(); /* 5 + 2 + 1 */
	return !(a == 2 && b == 12 && g_total == 14 && n == 3 && w == 8);
}
