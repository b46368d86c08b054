/* v2/p2i.h -- new-version types of the static refusals and rules tests (v1/p2i.c has the old ones). */
#ifndef TTST_TEST_XFER_V2_P2I_H
#define TTST_TEST_XFER_V2_P2I_H

struct node {
	long v;
	struct node *next;
};
enum color { BLUE, GREEN, RED };
union u {
	long l;
	struct node *p;
	int i;
};
struct rec {
	long id;
	long peer; /* pointer became integer: needs PXFER */
	char name[8];
	union u u;
	short tr[2];
	int added;
};

int xt_p2i_main(int argc, char **argv);

#endif
