/* staticlocals/v2.c -- e2e case: v1's static locals (by state ID func:name) with the counter
 * widened and declared in another order. */
#include <stdlib.h>

#include "drv.h"

const char case_version[] = "v2";

/* Records x (x >= 0) or, with -1, only reports; returns the number of calls that recorded. */
static int history(int x, FILE *out)
{
	static int *latest;
	static int *cache;
	static long calls;

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
	return (int)calls;
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
