/* mmap/v2.c -- e2e case: v1's mmap'ed region (transferred as bytes, same size), pointers into it
 * from statics and from heap objects whose type gained a member. */
#include <stdlib.h>
#include <sys/mman.h>

#include "drv.h"

#define REGION (64 * 1024)

struct slot {
	int seq;
	int payload;
};

struct ref {
	long uses;
	struct slot *slot; /* inside the region */
};

const char case_version[] = "v2";
static char *g_region;
static struct slot *g_mid;
static struct ref *g_refs[8];

void case_setup(void)
{
	struct slot *s;

	g_region = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g_region == MAP_FAILED)
		abort();
	s = (struct slot *)g_region;
	for (int i = 0; i < 1000; i++)
		s[i] = (struct slot){i, i * 9 + 4};
	g_mid = &s[500];
	for (int i = 0; i < 8; i++) {
		g_refs[i] = malloc(sizeof *g_refs[i]);
		g_refs[i]->slot = &s[i * 111];
		g_refs[i]->uses = 0;
	}
}

void case_dump(FILE *out)
{
	const struct slot *s = (const struct slot *)g_region;
	long sum = 0;

	for (int i = 0; i < 1000; i++)
		sum += s[i].seq + s[i].payload;
	fprintf(out, "sum=%ld mid=%ld:%d\n", sum, (long)(g_mid - s), g_mid->payload);
	for (int i = 0; i < 8; i++)
		fprintf(out, "ref %d -> slot %ld payload %d\n", i, (long)(g_refs[i]->slot - s),
			g_refs[i]->slot->payload);
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
