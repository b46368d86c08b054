/* hash/v1.c -- e2e case: a chained hash table (calloc'ed bucket array, 64 buckets) of 500 entries
 * with string keys in a fixed array and an int value. */
#include <stdlib.h>
#include <string.h>

#include "drv.h"

#define NBUCKETS 64

struct hentry {
	struct hentry *next;
	char key[16];
	int value;
};

struct htable {
	struct hentry **buckets;
	unsigned nbuckets;
	unsigned count;
};

const char case_version[] = "v1";
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
