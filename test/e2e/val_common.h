/* val_common.h -- the state of the validation cases (val-*: global counters, a heap list), its
 * setup and dump; build.sh copies it next to every case's sources. */
#ifndef VAL_COMMON_H
#define VAL_COMMON_H
#include <stdio.h>
#include <stdlib.h>

struct stats {
	long hits;
	long misses;
};
struct item {
	struct item *next;
	int id;
	int weight;
};

extern struct stats g_stats;
static struct item *g_items;

/* Both versions: the same allocation site (case_setup:it) and the same dump. */
void case_setup(void)
{
	g_stats.hits = 42;
	g_stats.misses = 7;
	for (int i = 0; i < 50; i++) {
		struct item *it = malloc(sizeof *it);
		it->id = i;
		it->weight = 100 + i;
		it->next = g_items;
		g_items = it;
	}
}

void case_dump(FILE *out)
{
	long n = 0, w = 0;
	for (struct item *it = g_items; it; it = it->next, n++)
		w += it->weight;
	fprintf(out, "hits %ld misses %ld items %ld weight %ld\n", g_stats.hits, g_stats.misses, n,
		w);
}

#endif
