/* realloc/v1.c -- e2e case: a realloc-grown array of structs (grown 1 -> 2 -> 4 ... -> 256 while
 * 200 elements are appended), sized by its allocation, and a pointer to its last element. */
#include <stdlib.h>

#include "drv.h"

struct sample {
	short id;
	int value;
};

struct vec {
	struct sample *items;
	int len, cap;
	struct sample *last;
};

const char case_version[] = "v1";
static struct vec g_vec;

static void append(int id, int value)
{
	if (g_vec.len == g_vec.cap) {
		g_vec.cap = g_vec.cap ? g_vec.cap * 2 : 1;
		g_vec.items = realloc(g_vec.items, (size_t)g_vec.cap * sizeof *g_vec.items);
	}
	g_vec.items[g_vec.len].id = (short)id;
	g_vec.items[g_vec.len].value = value;
	g_vec.last = &g_vec.items[g_vec.len++];
}

void case_setup(void)
{
	for (int i = 0; i < 200; i++)
		append(i, i * 31 - 77);
}

void case_dump(FILE *out)
{
	long sum = 0;

	for (int i = 0; i < g_vec.len; i++) {
		fprintf(out, "%d %ld\n", (int)g_vec.items[i].id, (long)g_vec.items[i].value);
		sum += g_vec.items[i].value;
	}
	fprintf(out, "len=%d cap=%d sum=%ld last=%ld\n", (int)g_vec.len, (int)g_vec.cap, sum,
		(long)(g_vec.last - g_vec.items));
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
