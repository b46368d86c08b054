/* update_spawn.c -- v1 starts v2: channel, clone() (shared memory until execve, no exit signal),
 * descriptor inheritance, execve. */
#define _GNU_SOURCE
#include "update_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc.h"
#include "log.h"
#include "update_chan.h"

#define CLOEXEC_VAR "TTST_CLOEXEC="
#define CLOEXEC_MAX (120u * 1024) /* below the kernel's 128 KiB per string */
#define VALIDATE_VAR "TTST_UPDATE_VALIDATE=" /* v1 will ask v2 for its image */
#define OBJS_VAR "TTST_UPDATE_OBJS=" /* about how many objects v2 will receive */
#define VARS_MAX 160u /* the TTST_UPDATE_* strings built here */

extern char **environ;

/* What the child needs, prepared by the parent (the child must not allocate). */
struct child_ctx {
	const char *binary;
	char **argv, **envp;
	char *cloexec;	      /* buffer of CLOEXEC_MAX bytes, starts with CLOEXEC_VAR */
	const char *ctl_path; /* control socket path, may be NULL */
	int chan, other_end, err_w, err_r, trace_fd;
};

/* Non-zero if fd is a unix socket bound to path (the control socket and
 * its accepted connections). */
static int is_ctl_socket(int fd, const char *path)
{
	struct sockaddr_un a;
	socklen_t len = sizeof a;
	if (!path || getsockname(fd, (struct sockaddr *)&a, &len) < 0 || a.sun_family != AF_UNIX)
		return 0;
	size_t pl = strlen(path);
	return len > offsetof(struct sockaddr_un, sun_path) + pl && !memcmp(a.sun_path, path, pl) &&
	       a.sun_path[pl] == 0;
}

/* Appends fd to the range list at *pos ("3,7-9"); *last is the previous fd. */
static void list_add(char *buf, size_t *pos, int fd, int *last, int *run)
{
	char tmp[16];
	int n;
	if (*last >= 0 && fd == *last + 1) { /* extend a range: rewrite its end later */
		*last = fd;
		(*run)++;
		return;
	}
	if (*run) /* close the previous range */
		n = snprintf(tmp, sizeof tmp, "-%d,%d", *last, fd);
	else
		n = snprintf(tmp, sizeof tmp, "%s%d", *last >= 0 ? "," : "", fd);
	if (*pos + (size_t)n + 16 < CLOEXEC_MAX) {
		memcpy(buf + *pos, tmp, (size_t)n);
		*pos += (size_t)n;
	}
	*last = fd;
	*run = 0;
}

/* Child: every descriptor but the runtime's loses close-on-exec (recorded). */
static void child_fds(struct child_ctx *c)
{
	int dir =
	    (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t pos = sizeof CLOEXEC_VAR - 1;
	int last = -1, run = 0;
	char d[4096];
	long n;
	/* /proc/self/fd lists descriptors in increasing order */
	while (dir >= 0 && (n = syscall(SYS_getdents64, dir, d, sizeof d)) > 0) {
		for (long off = 0; off < n;) {
			struct {
				uint64_t ino;
				int64_t off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *e = (void *)(d + off);
			off += e->reclen;
			int fd = 0;
			for (const char *p = e->name; *p >= '0' && *p <= '9'; p++)
				fd = fd * 10 + (*p - '0');
			if (e->name[0] < '0' || e->name[0] > '9' || fd == dir || fd == c->err_w ||
			    fd == c->other_end)
				continue;
			int fl = fcntl(fd, F_GETFD);
			if (fl < 0 || !(fl & FD_CLOEXEC))
				continue;
			if (fd == c->trace_fd || fd == c->chan || fd == c->err_r ||
			    is_ctl_socket(fd, c->ctl_path)) {
				close(fd);
				continue;
			}
			fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
			list_add(c->cloexec, &pos, fd, &last, &run);
		}
	}
	if (run)
		pos += (size_t)snprintf(c->cloexec + pos, CLOEXEC_MAX - pos, "-%d", last);
	c->cloexec[pos] = 0;
	if (dir >= 0)
		close(dir);
}

/* Child after clone(): prepares the process and execs; never returns.  It
 * shares the parent's memory (CLONE_VM, the parent waits: CLONE_VFORK), so
 * it calls only system calls and allocation-free library functions: the
 * dispositions are reset with the raw system call, not through the
 * runtime's sigaction wrapper. */
static int child_main(void *arg)
{
	struct child_ctx *c = arg;
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		uint64_t mask;
	} dfl = {SIG_DFL, 0, NULL, 0};
	for (int sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask);
	uint64_t empty = 0;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, sizeof empty);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	child_fds(c);
	int fl = fcntl(c->other_end, F_GETFD);
	fcntl(c->other_end, F_SETFD, fl & ~FD_CLOEXEC);
	execve(c->binary, c->argv, c->envp);
	int e = errno;
	ssize_t w = write(c->err_w, &e, sizeof e);
	(void)w;
	_exit(127);
}

/* Builds the environment: environ without TTST_UPDATE_* / TTST_CLOEXEC,
 * plus the three variables (and TTST_UPDATE_VALIDATE=1 if validate,
 * TTST_UPDATE_OBJS if objs).  Returns the array (one __libc block holding
 * the strings too) or NULL. */
static char **build_env(int fd, int validate, uint64_t objs, char **cloexec_out)
{
	size_t n = 0;
	for (char **e = environ; e && *e; e++)
		n++;
	size_t head = (n + 6) * sizeof(char *);
	char **env = __libc_malloc(head + VARS_MAX + CLOEXEC_MAX);
	if (!env)
		return NULL;
	char *vars = (char *)env + head, *cl = vars + VARS_MAX;
	size_t k = 0, w = 0;
	for (char **e = environ; e && *e; e++)
		if (strncmp(*e, "TTST_UPDATE_", 12) && strncmp(*e, CLOEXEC_VAR, sizeof CLOEXEC_VAR - 1))
			env[k++] = *e;
	env[k++] = vars + w;
	w += (size_t)snprintf(vars + w, VARS_MAX - w, "TTST_UPDATE_FD=%d", fd) + 1;
	env[k++] = vars + w;
	w += (size_t)snprintf(vars + w, VARS_MAX - w, "TTST_UPDATE_PARENT=%d", (int)getpid()) + 1;
	if (validate)
		env[k++] = VALIDATE_VAR "1";
	if (objs) {
		env[k++] = vars + w;
		snprintf(vars + w, VARS_MAX - w, OBJS_VAR "%llu", (unsigned long long)objs);
	}
	memcpy(cl, CLOEXEC_VAR, sizeof CLOEXEC_VAR);
	env[k++] = cl;
	env[k] = NULL;
	*cloexec_out = cl;
	return env;
}

#define CHILD_STACK (256u << 10)

/* Starts child_main(c) in a new process with no exit signal and, if the
 * kernel has it, a pidfd.  The child shares our memory until it execs, and
 * this thread waits until then (as posix_spawn does): copying the page
 * tables of a server holding GBs (fork) took milliseconds and held the
 * memory map lock the image build's page faults wait for.  All signals are
 * blocked meanwhile, so no handler of the program runs on the child's stack. */
static pid_t clone_child(struct child_ctx *c, int *pidfd)
{
	*pidfd = -1;
	char *stack = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -1;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int flags = CLONE_VM | CLONE_VFORK;
	pid_t p = clone(child_main, stack + CHILD_STACK, flags | CLONE_PIDFD, c, pidfd);
	if (p < 0 && errno == EINVAL) {
		*pidfd = -1;
		p = clone(child_main, stack + CHILD_STACK, flags, c);
	}
	int e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	munmap(stack, CHILD_STACK);
	errno = e;
	return p;
}

/* Waits for the exec-error pipe: 0 when execve succeeded (EOF), else -1 with err. */
static int wait_exec(int err_r, const char *binary, uint64_t deadline, char *err, size_t n)
{
	struct pollfd p = {err_r, POLLIN, 0};
	int r = ttst_chan_poll(&p, 1, deadline);
	int e = 0;
	if (r > 0 && read(err_r, &e, sizeof e) == (ssize_t)sizeof e) {
		snprintf(err, n, "cannot execute %s: %s", binary, strerror(e));
		return -1;
	}
	if (r <= 0) {
		snprintf(err, n, "%s did not start (execve) before the timeout", binary);
		return -1;
	}
	return 0;
}

int ttst_spawn_v2(const struct ttst_update_args *a, const char *ctl_path, struct ttst_spawn *s,
		  uint64_t deadline, char *err, size_t n)
{
	int sv[2] = {-1, -1}, ep[2] = {-1, -1};
	char *cloexec = NULL;
	char **env = NULL;
	s->pid = -1;
	s->pidfd = s->chan = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(ep, O_CLOEXEC) < 0) {
		snprintf(err, n, "cannot create the update channel: %s", strerror(errno));
		goto err;
	}
	env = build_env(sv[1], a->validate != 0, a->objs, &cloexec);
	if (!env) {
		snprintf(err, n, "out of memory building v2's environment");
		goto err;
	}
	struct child_ctx c = {a->binary, a->argv, env,	 cloexec, ctl_path,
			      sv[0],	 sv[1],	  ep[1], ep[0],	  ttst_log_trace_fd()};
	s->pid = clone_child(&c, &s->pidfd);
	if (s->pid < 0) {
		snprintf(err, n, "cannot start v2: clone: %s", strerror(errno));
		goto err;
	}
	close(sv[1]);
	close(ep[1]);
	sv[1] = ep[1] = -1;
	s->chan = sv[0];
	sv[0] = -1;
	int r = wait_exec(ep[0], a->binary, deadline, err, n);
	close(ep[0]);
	ep[0] = -1;
	__libc_free(env);
	env = NULL;
	if (r < 0) {
		ttst_spawn_reap(s);
		return -1;
	}
	return 0;
err:
	for (int i = 0; i < 2; i++) {
		if (sv[i] >= 0)
			close(sv[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	__libc_free(env);
	return -1;
}

int ttst_spawn_exited(struct ttst_spawn *s, int *status)
{
	if (s->pid <= 0)
		return 0;
	pid_t r = (pid_t)syscall(SYS_wait4, s->pid, status, WNOHANG | __WALL, NULL);
	if (r == s->pid) {
		s->pid = -1;
		return 1;
	}
	return 0;
}

int ttst_spawn_reap(struct ttst_spawn *s)
{
	int status = -1;
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		uint64_t end = ttst_chan_now_ms() + 5000;
		while (!ttst_spawn_exited(s, &status) && ttst_chan_now_ms() < end) {
			if (s->pidfd >= 0) {
				struct pollfd p = {s->pidfd, POLLIN, 0};
				ttst_chan_poll(&p, 1, ttst_chan_now_ms() + 100);
			} else {
				struct timespec ts = {0, 2000000};
				syscall(SYS_nanosleep, &ts, NULL);
			}
		}
		if (s->pid > 0)
			ttst_err("v2 (pid %d) did not die after SIGKILL within 5 s; left unreaped",
				 (int)s->pid);
	}
	if (s->pidfd >= 0)
		close(s->pidfd);
	if (s->chan >= 0)
		close(s->chan);
	s->pidfd = s->chan = -1;
	return status;
}
