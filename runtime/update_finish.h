/* update_finish.h -- what v1 tells the world when an update commits: the pid file and systemd. */
#ifndef TTST_RT_UPDATE_FINISH_H
#define TTST_RT_UPDATE_FINISH_H

#include <stddef.h>
#include <sys/types.h>

/* Rewrites pidfile with "<pid>\n" atomically (a temporary file in the same
 * directory, then rename).  Returns 0, or -1 with the reason in err. */
int ttst_finish_pidfile(const char *pidfile, pid_t pid, char *err, size_t n);

/* If $NOTIFY_SOCKET is set, sends "MAINPID=<pid>" to it (sd_notify
 * protocol: a unix datagram socket, '@' for an abstract name).  Returns 0
 * (also when the variable is unset), or -1 with the reason in err. */
int ttst_finish_notify(pid_t pid, char *err, size_t n);

#endif /* TTST_RT_UPDATE_FINISH_H */
