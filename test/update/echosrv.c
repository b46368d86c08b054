/* echosrv.c -- the live-update test server: a counter served over TCP on 127.0.0.1 to clients whose
 * connections stay open across updates.
 *
 * Built with ttst-cc in several variants of the same file (same state IDs):
 *   -DSRV_VERSION='"v1"'   the version string it reports
 *   -DSRV_REINIT=0         re-initialises normally during an update
 *                1         abort()s during re-initialisation (v2 crashes)
 *                2         exit(1)s during re-initialisation
 *                3         never reaches its update point (sleeps forever)
 *                4         g_mode is a pointer (an integer in the others): the
 *                          transfer must refuse it
 *                5         forks a helper (writes its pid to PORTFILE.helper,
 *                          sleeps), then abort()s
 *   -DSRV_SANDBOX=1        installs a seccomp filter that refuses
 *                          process_vm_readv (EPERM) at start-up: v2 inherits it
 *                          and must read v1's state through the update channel
 *   -DSRV_UNIX=1           listens on the unix socket PORTFILE.sock instead, after
 *                          unlink()ing that path (the usual pattern), and writes
 *                          "0" to PORTFILE
 *   -DSRV_THREADED=1       adds a ticker thread (its own update point) that main
 *                          waits for at start-up (a condition variable), after
 *                          the ticker's first blocking read
 * Protocol, one line each: "inc" -> "count=N", "get" -> "count=N",
 * "ver" -> "version=V pid=P mode=M", "ticks" -> "ticks=N" (ticker rounds),
 * "fill N" -> "items=T" (N more heap nodes on a list: state with many
 * objects), "sum" -> "items=T sum=S" (walks the list), "quit" closes.  usage: echosrv PORTFILE
 * (listens on an ephemeral port and writes it to PORTFILE; during an update
 * bind() returns the old version's socket, so the port stays the same).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <ttst.h>

#ifndef SRV_VERSION
#define SRV_VERSION "v1"
#endif
#ifndef SRV_REINIT
#define SRV_REINIT 0
#endif
#ifndef SRV_THREADED
#define SRV_THREADED 0
#endif
#ifndef SRV_SANDBOX
#define SRV_SANDBOX 0
#endif
#ifndef SRV_UNIX
#define SRV_UNIX 0
#endif

#define MAX_CONNS 32

static long g_count;		     /* the state every client sees */
static int g_listen = -1;	     /* listening socket */
static int g_conns[MAX_CONNS];	     /* connected clients, -1 = free */
static char g_inbuf[MAX_CONNS][128]; /* partial lines */
static int g_inlen[MAX_CONNS];
static long g_ticks; /* rounds of the ticker thread */
struct item {
	long v;
	struct item *next;
};
static struct item *g_items; /* "fill": the newest first */
static long g_nitems;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_started_cv = PTHREAD_COND_INITIALIZER;
static int g_started;
#if SRV_REINIT == 4
static const char *g_mode = "pointer"; /* long -> pointer: no transfer rule covers it */
#define MODE_FMT "%s"
#else
static long g_mode = 7;
#define MODE_FMT "%ld"
#endif

#if SRV_REINIT == 6
/* A transfer callback that writes a wrong value: the update itself succeeds,
 * only validation (v1 -> v2 -> v1' differs from v1) can catch it. */
static int count_cb(const struct ttst_xfer_obj *o)
{
	*(long *)o->new_obj += 1;
	return 0;
}
TTST_OBJECT_CALLBACK("echosrv.c:g_count", count_cb);
#endif

/* Listens on the unix socket <portfile>.sock; returns the socket or -1. */
static int listen_unix(const char *portfile)
{
	struct sockaddr_un u = {.sun_family = AF_UNIX};
	snprintf(u.sun_path, sizeof u.sun_path, "%s.sock", portfile);
	unlink(u.sun_path); /* a stale socket file of an earlier run */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&u, sizeof u) < 0 || listen(fd, 16) < 0)
		return -1;
	return fd;
}

static int listen_on(const char *portfile)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	socklen_t len = sizeof a;
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	int fd = SRV_UNIX ? listen_unix(portfile) : socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    (!SRV_UNIX && (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 16) < 0 ||
			   getsockname(fd, (struct sockaddr *)&a, &len) < 0))) {
		perror("echosrv: listen");
		return -1;
	}
	if (!ttst_is_updating()) { /* a new version keeps the old port file */
		FILE *f = fopen(portfile, "w");
		if (!f || fprintf(f, "%d\n", ntohs(a.sin_port)) < 0 || fclose(f) != 0) {
			perror(portfile);
			return -1;
		}
	}
	g_listen = fd;
	return 0;
}

/* Answers one complete line of client i; returns -1 to close it. */
static int answer(int i, const char *line)
{
	char out[128];
	int n;
	if (!strcmp(line, "inc"))
		n = snprintf(out, sizeof out, "count=%ld\n", ++g_count);
	else if (!strcmp(line, "get"))
		n = snprintf(out, sizeof out, "count=%ld\n", g_count);
	else if (!strcmp(line, "ver"))
		n = snprintf(out, sizeof out, "version=%s pid=%d mode=" MODE_FMT "\n", SRV_VERSION,
			     (int)getpid(), g_mode);
	else if (!strcmp(line, "ticks"))
		n = snprintf(out, sizeof out, "ticks=%ld\n",
			     __atomic_load_n(&g_ticks, __ATOMIC_RELAXED));
	else if (!strncmp(line, "fill ", 5)) {
		long k = atol(line + 5);
		for (long j = 0; j < k && j < 1000000; j++) {
			struct item *it = malloc(sizeof *it);
			if (!it)
				break;
			it->v = ++g_nitems;
			it->next = g_items;
			g_items = it;
		}
		n = snprintf(out, sizeof out, "items=%ld\n", g_nitems);
	} else if (!strcmp(line, "sum")) {
		long t = 0, sum = 0;
		for (const struct item *it = g_items; it; it = it->next, t++)
			sum += it->v;
		n = snprintf(out, sizeof out, "items=%ld sum=%ld\n", t, sum);
	} else if (!strcmp(line, "quit"))
		return -1;
	else
		n = snprintf(out, sizeof out, "error unknown command\n");
	return write(g_conns[i], out, (size_t)n) == n ? 0 : -1;
}

/* Reads what client i sent and answers every complete line. */
static void serve(int i)
{
	ssize_t r = read(g_conns[i], g_inbuf[i] + g_inlen[i], sizeof g_inbuf[i] - 1 - g_inlen[i]);
	int drop = r <= 0;
	if (r > 0)
		g_inlen[i] += (int)r;
	char *nl;
	while (!drop && (nl = memchr(g_inbuf[i], '\n', (size_t)g_inlen[i]))) {
		*nl = 0;
		drop = answer(i, g_inbuf[i]) < 0;
		int used = (int)(nl - g_inbuf[i]) + 1;
		memmove(g_inbuf[i], nl + 1, (size_t)(g_inlen[i] - used));
		g_inlen[i] -= used;
	}
	if (drop || g_inlen[i] == (int)sizeof g_inbuf[i] - 1) {
		close(g_conns[i]);
		g_conns[i] = -1;
		g_inlen[i] = 0;
	}
}

static void accept_one(void)
{
	int fd = accept4(g_listen, NULL, NULL, SOCK_CLOEXEC);
	for (int i = 0; fd >= 0 && i < MAX_CONNS; i++)
		if (g_conns[i] < 0) {
			g_conns[i] = fd;
			g_inlen[i] = 0;
			return;
		}
	if (fd >= 0)
		close(fd);
}

/* The ticker: a blocking read at start, then rounds of 5 ms with an update point. */
static void *ticker(void *arg)
{
	(void)arg;
	char b[16];
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, b, sizeof b) != (ssize_t)sizeof b)
		abort();
	close(fd);
	pthread_mutex_lock(&g_lock);
	g_started = 1;
	pthread_cond_signal(&g_started_cv);
	pthread_mutex_unlock(&g_lock);
	for (;;) {
		ttst_update_point();
		struct timespec ts = {0, 5000000};
		nanosleep(&ts, NULL);
		__atomic_add_fetch(&g_ticks, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* Starts the ticker and waits until it runs. */
static void start_ticker(void)
{
	pthread_t th;
	if (pthread_create(&th, NULL, ticker, NULL))
		abort();
	pthread_mutex_lock(&g_lock);
	while (!g_started)
		pthread_cond_wait(&g_started_cv, &g_lock);
	pthread_mutex_unlock(&g_lock);
}

/* A seccomp filter: process_vm_readv fails with EPERM, everything else is allowed. */
static void sandbox(void)
{
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_process_vm_readv, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof f / sizeof f[0], f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		abort();
}

static void reinit_fault(const char *helper)
{
	if (!ttst_is_updating() || SRV_REINIT == 0)
		return;
	if (SRV_REINIT == 1)
		abort();
	if (SRV_REINIT == 2)
		exit(1);
	while (SRV_REINIT == 3) /* never reaches the update point */
		sleep(1);
	if (SRV_REINIT == 5) {
		pid_t p = fork();
		if (p == 0) {
			for (;;)
				pause();
		}
		FILE *f = fopen(helper, "w");
		if (f) {
			fprintf(f, "%d\n", (int)p);
			fclose(f);
		}
		abort();
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: echosrv PORTFILE\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (SRV_SANDBOX)
		sandbox();
	for (int i = 0; i < MAX_CONNS; i++)
		g_conns[i] = -1;
	if (listen_on(argv[1]) < 0)
		return 1;
	char helper[4096];
	snprintf(helper, sizeof helper, "%s.helper", argv[1]);
	reinit_fault(helper);
	if (SRV_THREADED)
		start_ticker();
	printf("echosrv %s pid %d %s\n", SRV_VERSION, (int)getpid(),
	       ttst_is_updating() ? "re-initialising" : "started");
	fflush(stdout);
	for (;;) {
		ttst_update_point();
		struct pollfd p[MAX_CONNS + 1];
		int idx[MAX_CONNS + 1], n = 0;
		p[n] = (struct pollfd){g_listen, POLLIN, 0};
		idx[n++] = -1;
		for (int i = 0; i < MAX_CONNS; i++)
			if (g_conns[i] >= 0) {
				p[n] = (struct pollfd){g_conns[i], POLLIN, 0};
				idx[n++] = i;
			}
		if (poll(p, (nfds_t)n, 200) <= 0)
			continue;
		for (int k = 0; k < n; k++) {
			if (!p[k].revents)
				continue;
			if (idx[k] < 0)
				accept_one();
			else
				serve(idx[k]);
		}
	}
}
