/* fixture.h -- a hand-built, valid TU blob (types, statics, locals, sites) for runtime tests
 * without the pass. */
#ifndef TTST_TEST_FIXTURE_H
#define TTST_TEST_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "ttst/abi.h"

/* Types of the fixture TU. */
enum { FX_T_INT, FX_T_NODE, FX_T_NODEPTR, FX_T_CHAR, FX_T_ARR, FX_T_FN, FX_NTYPES };
/* Static records: two variables, two locals of main, one function. */
enum { FX_S_NODE, FX_S_ARR, FX_S_LOCAL_X, FX_S_LOCAL_Y, FX_S_FUNC, FX_NSTATICS };
/* Allocation sites. */
enum {
	FX_SITE_NODE,	      /* typed: struct node */
	FX_SITE_BUF,	      /* untyped */
	FX_SITE_STR,	      /* typed: char */
	FX_SITE_WRAP_NODE,    /* wrapper, typed: struct node */
	FX_SITE_WRAP_UNTYPED, /* wrapper, untyped */
	FX_SITE_MMAP,	      /* typed: int */
	FX_NSITES
};

/* struct node as described by FX_T_NODE. */
struct fx_node {
	int a;
	struct fx_node *next;
};

/* Builds the fixture blob for source file `file` into buf (8-aligned, cap
 * bytes) with the given static addresses (FX_NSTATICS entries; locals NULL).
 * Returns its total size, or 0 if it does not fit. */
size_t fixture_build(void *buf, size_t cap, const char *file, void *const addrs[FX_NSTATICS]);

#endif /* TTST_TEST_FIXTURE_H */
