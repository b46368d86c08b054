/* refuse-p2i/v2.c -- e2e refusal: struct peer's next is a uintptr_t here, without PXFER. */
#include <stdint.h>
#include <stdlib.h>

#include "drv.h"

struct peer {
	int id;
	uintptr_t next;
};

const char case_version[] = "v2";
static struct peer *g_peers;

void case_setup(void)
{
	for (int i = 0; i < 5; i++) {
		struct peer *p = malloc(sizeof *p);

		p->id = i;
		p->next = (uintptr_t)g_peers;
		g_peers = p;
	}
}

void case_dump(FILE *out)
{
	for (struct peer *p = g_peers; p; p = (struct peer *)p->next)
		fprintf(out, "peer %d\n", p->id);
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
