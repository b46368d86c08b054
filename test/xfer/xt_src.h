/* xt_src.h -- the new-version side of the xfer tests: start an old-version program, build a ttst_src. */
#ifndef TTST_TEST_XFER_SRC_H
#define TTST_TEST_XFER_SRC_H

#include <sys/types.h>

#include "xfer.h"

struct xt {
	pid_t pid;
	int to, from; /* pipe to the child's stdin, from its stdout */
	struct ttst_src src;
	struct ttst_tu_hdr **blobs;
};

/* Starts `prog mode`, reads its state description and fills t->src (reader:
 * process_vm_readv on the child).  Returns 0, or -1 with a message on
 * stderr (the child is then already stopped). */
int xt_start(struct xt *t, const char *prog, const char *mode);

/* Kills and reaps the child (by pid), frees the description. */
void xt_stop(struct xt *t);

/* Starts prog in mode, runs ttst_xfer_run, stops prog.  Returns the run's
 * result; rep receives the report. */
int xt_transfer(const char *prog, const char *mode, struct ttst_xfer_report *rep);

/* One CUnit test of a suite. */
struct xt_test {
	const char *name;
	void (*fn)(void);
};

/* The CUnit main of a v2 test program `argv[0] V1_PROGRAM`: sets *v1_prog,
 * runs the n tests of suite `suite` (setup and teardown may be NULL) and
 * returns the exit status (2: usage, 1: a failure, 0). */
int xt_cunit_main(int argc, char **argv, const char **v1_prog, const char *suite,
		  int (*setup)(void), int (*teardown)(void), const struct xt_test *t, size_t n);

#endif
