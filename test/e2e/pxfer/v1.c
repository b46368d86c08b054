/* pxfer/v1.c -- e2e case: pointers kept in integers (PXFER(uintptr_t)), to heap objects and to an
 * element of a static array, next to a plain integer that must not be translated. */
#include <stdint.h>
#include <stdlib.h>

#include <ttst.h>

#include "drv.h"

struct target {
	int id;
	int value;
};

struct handle {
	PXFER(uintptr_t) obj; /* a struct target * */
	uintptr_t plain;      /* an integer that only looks like an address */
};

const char case_version[] = "v1";
static struct target *g_targets[10];
static struct target g_fixed[4];
static struct handle g_handles[14];

void case_setup(void)
{
	for (int i = 0; i < 10; i++) {
		g_targets[i] = malloc(sizeof *g_targets[i]);
		*g_targets[i] = (struct target){i, i * 11};
	}
	for (int i = 0; i < 10; i++) {
		g_handles[i].obj = (uintptr_t)g_targets[(i * 3) % 10];
		g_handles[i].plain = (uintptr_t)0x7fff0000 + (uintptr_t)i;
	}
	for (int i = 0; i < 4; i++) {
		g_fixed[i] = (struct target){100 + i, -i};
		g_handles[10 + i].obj = (uintptr_t)&g_fixed[3 - i];
	}
}

void case_dump(FILE *out)
{
	for (int i = 0; i < 14; i++) {
		const struct target *t = (const struct target *)g_handles[i].obj;

		fprintf(out, "handle %d -> id %d value %ld plain %#lx\n", i, (int)t->id, (long)t->value,
			(unsigned long)g_handles[i].plain);
		if (i < 10 && t != g_targets[(i * 3) % 10])
			fprintf(out, "FAIL handle %d does not point to its target\n", i);
		if (i >= 10 && t != &g_fixed[13 - i])
			fprintf(out, "FAIL handle %d does not point into g_fixed\n", i);
	}
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
