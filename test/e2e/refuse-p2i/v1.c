/* refuse-p2i/v1.c -- e2e refusal: v2 turns a pointer member into an integer without PXFER; the
 * update must be rolled back, naming the member, and v1 keep serving its state. */
#include <stdint.h>
#include <stdlib.h>

#include "drv.h"

struct peer {
	int id;
	struct peer *next;
};

const char case_version[] = "v1";
static struct peer *g_peers;

void case_setup(void)
{
	for (int i = 0; i < 5; i++) {
		struct peer *p = malloc(sizeof *p);

		p->id = i;
		p->next = g_peers;
		g_peers = p;
	}
}

void case_dump(FILE *out)
{
	for (struct peer *p = g_peers; p; p = p->next)
		fprintf(out, "peer %d\n", p->id);
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
