/* hash/v2.c -- e2e case: v1's hash table with the key array grown, the value widened to
 * int64_t, a hit counter added, and the table's counters widened and reordered. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drv.h"

#define NBUCKETS 64

struct hentry {
	char key[40];
	int64_t value;
	uint32_t hits;
	struct hentry *next;
};

struct htable {
	uint64_t count;
	uint64_t nbuckets;
	struct hentry **buckets;
};

const char case_version[] = "v2";
static struct htable g_table;

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

void case_setup(void)
{
	g_table.nbuckets = NBUCKETS;
	g_table.buckets = calloc(NBUCKETS, sizeof *g_table.buckets);
	for (int i = 0; i < 500; i++) {
		struct hentry *e = calloc(1, sizeof *e);
		unsigned b;

		snprintf(e->key, sizeof e->key, "k%d", i * 13);
		e->value = i * i - 1000;
		b = hash(e->key) & (g_table.nbuckets - 1);
		e->next = g_table.buckets[b];
		g_table.buckets[b] = e;
		g_table.count++;
	}
}

/* Looks every key up through its hash (so entries must sit in the right chain) and prints the
 * chain lengths. */
void case_dump(FILE *out)
{
	char key[16];
	long sum = 0;

	for (int i = 0; i < 500; i++) {
		struct hentry *e;

		snprintf(key, sizeof key, "k%d", i * 13);
		e = g_table.buckets[hash(key) & (g_table.nbuckets - 1)];
		while (e && strcmp(e->key, key))
			e = e->next;
		if (!e)
			fprintf(out, "FAIL %s missing\n", key);
		else
			sum += e->value;
		if (e && e->hits)
			fprintf(out, "FAIL %s hits not zero\n", key);
	}
	for (unsigned b = 0; b < g_table.nbuckets; b++) {
		int n = 0;

		for (struct hentry *e = g_table.buckets[b]; e; e = e->next)
			n++;
		fprintf(out, "bucket %u: %d\n", b, n);
	}
	fprintf(out, "count=%u sum=%ld\n", (unsigned)g_table.count, sum);
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
