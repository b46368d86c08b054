/* v1/p2i.c -- old version for the static refusals and the rules tests (v2/p2i.c changes every type). */
#include "snap.h"

struct node {
	int v;
	struct node *next;
};
enum color { RED, GREEN, BLUE };
union u {
	long l;
	struct node *p;
};
struct rec {
	int id;
	struct node *peer;
	char name[8];
	union u u;
	short tr[4];
};

void *g_p2i_bad;
struct rec *g_recp;
union u g_u;
enum color g_col = GREEN;
struct node g_node;

int main(void)
{
	g_p2i_bad = &g_node;
	xt_serve();
}
