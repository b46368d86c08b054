/* rundir.h -- where control sockets live: <rundir>/<pid>.sock (DESIGN.md §4). */
#ifndef TTST_RT_RUNDIR_H
#define TTST_RT_RUNDIR_H

#include <stddef.h>

/* Writes the run directory into buf: $TTST_RUNDIR, else /run/ttst for root,
 * else $XDG_RUNTIME_DIR/ttst, else /tmp/ttst-<uid>.  Returns 0, or -1 if it
 * does not fit (message in err). */
int ttst_rundir_path(char *buf, size_t n, char *err, size_t errlen);

/* Creates dir with mode 0700 if missing; an existing one must be a real
 * directory owned by us and closed to group and others.  Returns 0 or -1
 * with the reason in err (naming the directory and the fix). */
int ttst_rundir_prepare(const char *dir, char *err, size_t errlen);

/* Removes <pid>.sock files of processes that no longer exist. */
void ttst_rundir_sweep(const char *dir);

#endif /* TTST_RT_RUNDIR_H */
