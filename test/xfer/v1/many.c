/* v1/many.c -- old version for the xfer performance test: 1M small entries in a chained hash table. */
#include <stdlib.h>
#include <string.h>

#include "snap.h"

#define NKEYS (1u << 20)
#define NBUCKETS (1u << 16)

struct kv {
	char key[16];
	int val;
	struct kv *next;
};

struct kv *g_table[NBUCKETS];
unsigned g_count;

void fill(void)
{
	for (unsigned i = 0; i < NKEYS; i++) {
		struct kv *e = malloc(sizeof *e);
		memset(e->key, 0, sizeof e->key);
		memcpy(e->key, &i, sizeof i);
		e->val = (int)i;
		e->next = g_table[i % NBUCKETS];
		g_table[i % NBUCKETS] = e;
	}
	g_count = NKEYS;
}

int main(void)
{
	fill();
	xt_serve();
}
