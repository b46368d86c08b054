/* v2/many.h -- new-version types of the xfer performance test (v1/many.c has the old ones). */
#ifndef TTST_TEST_XFER_V2_MANY_H
#define TTST_TEST_XFER_V2_MANY_H

#define NKEYS (1u << 20)
#define NBUCKETS (1u << 16)

struct kv {
	long val;	 /* widened, moved */
	long hits;	 /* added */
	struct kv *next;
	char key[24];	 /* grown */
};

extern struct kv *g_table[NBUCKETS];
extern unsigned g_count;

int xt_many_main(int argc, char **argv);

#endif
