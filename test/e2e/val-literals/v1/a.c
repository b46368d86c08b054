/* val-literals/v1/a.c -- validation case: two files point at equal string literals, which the
 * linker may merge and which the new version maps by content to one literal: the round trip
 * brings both pointers back to one original, and validation must accept that. */
#include <stdio.h>

#include "drv.h"

const char case_version[] = "v1";
const char *g_a_name = "shared literal";
const char *g_a_own = "only in a.c";
extern const char *g_b_name;

void case_setup(void)
{
}

void case_dump(FILE *out)
{
	fprintf(out, "a=%s b=%s own=%s\n", g_a_name, g_b_name, g_a_own);
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
