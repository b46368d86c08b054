/* snap.h -- the old-version side of the xfer tests: describe this process's state to the parent. */
#ifndef TTST_TEST_XFER_SNAP_H
#define TTST_TEST_XFER_SNAP_H

#define XT_MAGIC 0x53544658u /* "XFTS" */

/* Writes the state description (TU blobs as in memory, then the object
 * list sorted by address) to stdout, then blocks until stdin reaches EOF
 * and _exits(0).  On failure prints "snap: <what>" and _exits(1). */
void xt_serve(void) __attribute__((noreturn));

#endif
