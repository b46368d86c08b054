/* staticlocals/v1.c -- e2e case: static locals of two functions (a counter, a heap cache array and
 * a pointer into it), reached only through those functions. */
#include <stdlib.h>

#include "drv.h"

const char case_version[] = "v1";

/* Records x (x >= 0) or, with -1, only reports; returns the number of calls that recorded. */
static int history(int x, FILE *out)
{
	static int calls;
	static int *cache;
	static int *latest;

	if (x >= 0) {
		if (!cache)
			cache = calloc(64, sizeof *cache);
		cache[calls % 64] = x;
		latest = &cache[calls % 64];
		calls++;
	} else if (out) {
		for (int i = 0; i < calls && i < 64; i++)
			fprintf(out, "cache[%d]=%d\n", i, cache[i]);
		fprintf(out, "latest=%d at %ld\n", latest ? *latest : -1, latest ? (long)(latest - cache) : -1L);
	}
	return calls;
}

static long serial(int bump)
{
	static long next = 1000;

	if (bump)
		next += 17;
	return next;
}

void case_setup(void)
{
	for (int i = 0; i < 50; i++) {
		history(i * 3, NULL);
		serial(1);
	}
}

void case_dump(FILE *out)
{
	fprintf(out, "calls=%d serial=%ld\n", history(-1, out), serial(0));
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
