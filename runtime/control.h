/* control.h -- the control thread serving <rundir>/<pid>.sock (protocol: ttst/proto.h). */
#ifndef TTST_RT_CONTROL_H
#define TTST_RT_CONTROL_H

#include <sys/types.h>

/* Creates the control socket (synchronously, so it exists when main() runs)
 * and starts the control thread with every signal blocked.  Failures are
 * reported once; the program keeps running without a control socket. */
void ttst_control_start(void);

/* Path of this process's control socket, NULL if it has none. */
const char *ttst_control_path(void);

/* Removes the socket file another process with pid left in our run
 * directory (a new version killed during a rolled-back update). */
void ttst_control_unlink_pid(pid_t pid);

/* Unlinks this process's socket (exit). */
void ttst_control_stop(void);

/* In a forked child: closes the parent's control descriptors and starts a
 * control thread for the child's own pid. */
void ttst_control_fork_child(void);

#endif /* TTST_RT_CONTROL_H */
