/* tests.h -- the CUnit suites of the runtime tests and helpers they share. */
#ifndef TTST_TEST_RUNTIME_TESTS_H
#define TTST_TEST_RUNTIME_TESTS_H

#include <stdint.h>
#include <string.h>

#include "chunk.h"
#include "fixture.h"

/* Hides where p came from, so that the compiler's object-size analysis does
 * not flag the tests' deliberate look at the chunk around a block. */
static inline void *launder(void *p)
{
	__asm__("" : "+r"(p));
	return p;
}

/* The description of live block p (chunk.h), all zero (slot 0) if p is not a
 * live block of ours. */
static inline struct ttst_blk blk_of(void *p)
{
	struct ttst_blk b;
	if (ttst_blk_check(launder(p), &b) < 0)
		memset(&b, 0, sizeof b);
	return b;
}

/* Each adds one suite to the CUnit registry; returns 0 or -1. */
int add_splay_tests(void);
int add_alloc_tests(void);
int add_foreign_tests(void);
int add_registry_tests(void);
int add_threads_tests(void);
int add_image_src_tests(void);
int add_options_tests(void);
int add_xfer_sizes_tests(void);

/* The registered fixture module: two TU blobs in one section (fixture_module). */
struct ttst_tu_hdr *fixture_tu(int which);

/* Registers the fixture module once; returns 0 or -1. */
int fixture_register(void);

/* Statics the fixture's address arrays point at. */
extern struct fx_node fx_g_node;
extern int fx_g_arr[4];
int fx_func(void);

#endif /* TTST_TEST_RUNTIME_TESTS_H */
