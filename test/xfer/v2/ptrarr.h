/* v2/ptrarr.h -- new-version types of the pointer-array test (v1/ptrarr.c has the old ones). */
#ifndef TTST_TEST_XFER_V2_PTRARR_H
#define TTST_TEST_XFER_V2_PTRARR_H

#define NNODES 30000u
#define NARR 40000u
#define NSARR 20000u
#define BAD_IX 12345u

struct node {
	long added;   /* new */
	long id;      /* widened */
	char name[8]; /* moved from offset 8 to 16 */
	struct node *self;
};

extern struct node **g_arr;
extern struct node *g_sarr[NSARR];
extern struct node g_static_node;

int xt_ptrarr_main(int argc, char **argv);

#endif
