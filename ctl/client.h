/* client.h -- ttst-ctl's side of the control socket: find a process's socket, send a request, read
 * the reply. */
#ifndef TTST_CTL_CLIENT_H
#define TTST_CTL_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One reply frame. */
struct ctl_reply {
	uint16_t type; /* TTST_MSG_OK or TTST_MSG_ERROR */
	uint32_t len;
	char *text; /* len bytes plus a NUL; owned by the caller (free) */
};

/* Finds the control socket of pid (from the process's own environment when
 * readable, else the usual run directories) and writes its path to buf.
 * Returns 0, or -1 with a message in err: "pid N: no such process", "pid N:
 * not instrumented by ttst (no control socket PATH)", or a permission message. */
int ctl_client_find(pid_t pid, char *buf, size_t n, char *err, size_t errlen);

/* Connects to the control socket of pid.  Returns the descriptor, or -1 with
 * a message in err (as ctl_client_find, plus stale socket / connect errors). */
int ctl_client_connect(pid_t pid, char *err, size_t errlen);

/* Sends one request frame and reads the reply, waiting at most timeout_ms in
 * total.  Returns 0 with *rep filled (the caller frees rep->text), or -1 with
 * a message in err (I/O error, timeout, malformed reply). */
int ctl_client_request(int fd, uint16_t type, const void *payload, uint32_t len, int timeout_ms,
		       struct ctl_reply *rep, char *err, size_t errlen);

/* Looks key up in a "key=value\n" reply text and writes the value, with \xNN
 * escapes decoded, to buf.  Returns buf, or NULL if the key is absent. */
const char *ctl_kv_get(const char *text, const char *key, char *buf, size_t n);

/* Parses a PID argument: returns it, or -1 if s is not a positive decimal pid. */
pid_t ctl_parse_pid(const char *s);

#endif /* TTST_CTL_CLIENT_H */
