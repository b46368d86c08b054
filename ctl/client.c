/* client.c -- ttst-ctl's control-socket client: socket discovery, framed request/reply with
 * timeouts. */
#define _GNU_SOURCE
#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ttst/proto.h"

pid_t ctl_parse_pid(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v <= 0 || v > INT_MAX)
		return -1;
	return (pid_t)v;
}

/* Value of NAME in the NUL-separated environment block env (len bytes), or NULL. */
static const char *env_get(const char *env, size_t len, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < len;) {
		const char *e = env + i;
		size_t el = strnlen(e, len - i);
		if (el > nl && !strncmp(e, name, nl) && e[nl] == '=')
			return e + nl + 1;
		i += el + 1;
	}
	return NULL;
}

/* Reads /proc/<pid>/environ into buf (NUL-terminated); returns its length or -1. */
static long read_environ(pid_t pid, char *buf, size_t n)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t got = 0;
	ssize_t r;
	while (got < n - 1 && (r = read(fd, buf + got, n - 1 - got)) > 0)
		got += (size_t)r;
	close(fd);
	buf[got] = 0;
	return (long)got;
}

/* Effective uid of pid from /proc/<pid>/status, or (uid_t)-1. */
static uid_t proc_euid(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return (uid_t)-1;
	unsigned r, e = (unsigned)-1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "Uid: %u %u", &r, &e) == 2)
			break;
	fclose(f);
	return (uid_t)e;
}

struct cands {
	char dir[8][512];
	int n;
};

/* Appends "<a><b>" as a candidate directory (dropped if it does not fit). */
static void add_cand(struct cands *c, const char *a, const char *b)
{
	if (c->n < 8 &&
	    snprintf(c->dir[c->n], sizeof c->dir[0], "%s%s", a, b) < (int)sizeof c->dir[0])
		c->n++;
}

/* Run directories where pid's socket may be, most likely first (the
 * runtime's rule applied to the target's environment and uid). */
static void candidates(pid_t pid, uid_t uid, struct cands *c)
{
	static char env[65536];
	char tmpdir[64], userdir[64];
	snprintf(tmpdir, sizeof tmpdir, "/tmp/ttst-%u", (unsigned)uid);
	snprintf(userdir, sizeof userdir, "/run/user/%u/ttst", (unsigned)uid);
	long len = read_environ(pid, env, sizeof env);
	c->n = 0;
	if (len >= 0) {
		const char *rd = env_get(env, (size_t)len, "TTST_RUNDIR");
		const char *xdg = env_get(env, (size_t)len, "XDG_RUNTIME_DIR");
		if (rd && *rd)
			add_cand(c, rd, "");
		else if (uid == 0)
			add_cand(c, "/run/ttst", "");
		else if (xdg && *xdg)
			add_cand(c, xdg, "/ttst");
		else
			add_cand(c, tmpdir, "");
	}
	const char *rd = getenv("TTST_RUNDIR");
	if (rd && *rd)
		add_cand(c, rd, "");
	add_cand(c, "/run/ttst", "");
	add_cand(c, userdir, "");
	add_cand(c, tmpdir, "");
}

int ctl_client_find(pid_t pid, char *buf, size_t n, char *err, size_t errlen)
{
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/%d", (int)pid);
	struct stat st;
	if (stat(proc, &st) < 0) {
		snprintf(err, errlen, "pid %d: no such process", (int)pid);
		return -1;
	}
	uid_t uid = proc_euid(pid);
	struct cands c;
	candidates(pid, uid, &c);
	int denied = -1;
	for (int i = 0; i < c.n; i++) {
		snprintf(buf, n, "%s/%d%s", c.dir[i], (int)pid, TTST_PROTO_SOCK_SUFFIX);
		if (stat(buf, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
		if (errno == EACCES && denied < 0)
			denied = i;
	}
	if (denied >= 0) {
		snprintf(buf, n, "%s/%d%s", c.dir[denied], (int)pid, TTST_PROTO_SOCK_SUFFIX);
		snprintf(err, errlen,
			 "pid %d: permission denied reaching its control socket %s "
			 "(the process belongs to uid %u; run ttst-ctl as that user or as root)",
			 (int)pid, buf, (unsigned)uid);
		return -1;
	}
	snprintf(buf, n, "%s/%d%s", c.n ? c.dir[0] : "?", (int)pid, TTST_PROTO_SOCK_SUFFIX);
	snprintf(err, errlen, "pid %d: not instrumented by ttst (no control socket %s)", (int)pid,
		 buf);
	return -1;
}

int ctl_client_connect(pid_t pid, char *err, size_t errlen)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (ctl_client_find(pid, a.sun_path, sizeof a.sun_path, err, errlen) < 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
		return fd;
	int e = errno;
	close(fd);
	if (e == ECONNREFUSED)
		snprintf(err, errlen,
			 "pid %d: not instrumented by ttst (stale control socket %s: "
			 "nobody listens)",
			 (int)pid, a.sun_path);
	else if (e == EACCES || e == EPERM)
		snprintf(err, errlen,
			 "pid %d: permission denied connecting to %s (run ttst-ctl as "
			 "the process's user or as root)",
			 (int)pid, a.sun_path);
	else
		snprintf(err, errlen, "pid %d: cannot connect to %s: %s", (int)pid, a.sun_path,
			 strerror(e));
	return -1;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads exactly n bytes before the deadline; returns 0, or -1 with err. */
static int read_full(int fd, void *buf, size_t n, long long deadline, char *err, size_t errlen)
{
	size_t got = 0;
	while (got < n) {
		long long left = deadline - now_ms();
		struct pollfd p = {fd, POLLIN, 0};
		int r = left > 0 ? poll(&p, 1, (int)left) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "no reply from the process within the timeout");
			return -1;
		}
		ssize_t k = read(fd, (char *)buf + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			snprintf(err, errlen, "the process closed the connection%s%s",
				 k < 0 ? ": " : "", k < 0 ? strerror(errno) : "");
			return -1;
		}
		got += (size_t)k;
	}
	return 0;
}

int ctl_client_request(int fd, uint16_t type, const void *payload, uint32_t len, int timeout_ms,
		       struct ctl_reply *rep, char *err, size_t errlen)
{
	long long deadline = now_ms() + timeout_ms;
	struct ttst_msg_hdr h;
	ttst_msg_init(&h, type, len);
	char send_err[128] = "";
	if (send(fd, &h, sizeof h, MSG_NOSIGNAL) != (ssize_t)sizeof h ||
	    (len && send(fd, payload, len, MSG_NOSIGNAL) != (ssize_t)len))
		snprintf(send_err, sizeof send_err, "cannot send the request: %s", strerror(errno));
	/* a refusing server answers and closes at once: its reply may still be there */
	if (read_full(fd, &h, sizeof h, deadline, err, errlen) < 0) {
		if (send_err[0])
			snprintf(err, errlen, "%s", send_err);
		return -1;
	}
	char why[160];
	if (ttst_msg_check(&h, why, sizeof why) < 0) {
		snprintf(err, errlen, "malformed reply: %s", why);
		return -1;
	}
	rep->text = malloc((size_t)h.length + 1);
	if (!rep->text) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (read_full(fd, rep->text, h.length, deadline, err, errlen) < 0) {
		free(rep->text);
		rep->text = NULL;
		return -1;
	}
	rep->text[h.length] = 0;
	rep->type = h.type;
	rep->len = h.length;
	return 0;
}

/* Decodes \xNN escapes of src (up to end) into buf. */
static void unescape(const char *src, const char *end, char *buf, size_t n)
{
	size_t o = 0;
	while (src < end && o + 1 < n) {
		unsigned v;
		if (src[0] == '\\' && end - src >= 4 && src[1] == 'x' &&
		    sscanf(src + 2, "%2x", &v) == 1) {
			buf[o++] = (char)v;
			src += 4;
		} else {
			buf[o++] = *src++;
		}
	}
	buf[o] = 0;
}

const char *ctl_kv_get(const char *text, const char *key, char *buf, size_t n)
{
	size_t kl = strlen(key);
	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		const char *end = nl ? nl : l + strlen(l);
		if ((size_t)(end - l) > kl && !strncmp(l, key, kl) && l[kl] == '=') {
			unescape(l + kl + 1, end, buf, n);
			return buf;
		}
		l = nl ? nl + 1 : NULL;
	}
	return NULL;
}
