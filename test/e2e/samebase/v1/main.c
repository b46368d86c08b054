/* main.c -- e2e samebase case (v1): two TUs named util.c (net/, disk/) with the same file statics;
 * each must receive its own counterpart's values. */
#include "common.h"
#include "drv.h"

const char case_version[] = "v1";

void case_setup(void)
{
	for (int i = 1; i <= 10; i++) {
		net_add(i);
		disk_add(i * 100);
	}
}

void case_dump(FILE *out)
{
	fprintf(out, "%s=%ld\n", net_name(), net_count());
	fprintf(out, "%s=%ld\n", disk_name(), disk_count());
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
