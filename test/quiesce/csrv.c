/* csrv.c -- a blocking thread-per-connection test server linked with libttst: an acceptor blocked
 * in accept() with every signal blocked, one thread per connection blocked in read(), and a
 * thread blocked in sigwaitinfo() for SIGUSR2; main waits in pthread_join.
 *
 * Each connection thread answers "<n>\n" for every read() that returned n bytes, and counts a
 * read() that failed with EINTR (SIGUSR1 has a handler without SA_RESTART).  Counters (u64) in
 * the file named by $QSRV_COUNTER: see enum slot.  Prints "port N guard G" (G = 1 if
 * sigaction refused to change the runtime's park signal).  Ends itself after 60 s. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

enum slot {
	ACCEPTED,  /* connections accept() returned */
	BYTES,	   /* bytes read() returned */
	EINTRS,	   /* read() calls that failed with EINTR */
	CONN_TID,  /* tid of the newest connection thread */
	SIGUSR2S,  /* SIGUSR2 taken by sigwaitinfo */
	OTHER_SIG, /* any other signal sigwaitinfo returned */
	NSLOTS
};

static volatile uint64_t *counter;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void *conn_main(void *arg)
{
	int fd = (int)(intptr_t)arg;
	sigset_t usr1; /* the acceptor's mask (everything blocked) is inherited */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
	__atomic_store_n(&counter[CONN_TID], (uint64_t)gettid(), __ATOMIC_SEQ_CST);
	char buf[64], reply[32];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR) {
			__atomic_add_fetch(&counter[EINTRS], 1, __ATOMIC_SEQ_CST);
			continue;
		}
		if (n <= 0)
			break;
		__atomic_add_fetch(&counter[BYTES], (uint64_t)n, __ATOMIC_SEQ_CST);
		int w = snprintf(reply, sizeof reply, "%zd\n", n);
		if (write(fd, reply, (size_t)w) != w)
			break;
	}
	close(fd);
	return NULL;
}

static void *acceptor(void *arg)
{
	int lfd = *(int *)arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL); /* the runtime keeps its park signal unblocked */
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			die("accept");
		__atomic_add_fetch(&counter[ACCEPTED], 1, __ATOMIC_SEQ_CST);
		pthread_t th;
		if (pthread_create(&th, NULL, conn_main, (void *)(intptr_t)fd))
			die("pthread_create");
		pthread_detach(th);
	}
	return NULL;
}

static void *sigwaiter(void *arg)
{
	(void)arg;
	sigset_t set; /* the park signal in the set must not be handed to the program */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGRTMAX - 1);
	for (;;) {
		int s = sigwaitinfo(&set, NULL);
		if (s == SIGUSR2)
			__atomic_add_fetch(&counter[SIGUSR2S], 1, __ATOMIC_SEQ_CST);
		else if (s > 0)
			__atomic_add_fetch(&counter[OTHER_SIG], 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

/* Listens on 127.0.0.1, any port; exits on failure. */
static int listen_local(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 16) < 0)
		die("listen");
	return fd;
}

static void map_counter(void)
{
	const char *path = getenv("QSRV_COUNTER");
	int fd = path ? open(path, O_RDWR | O_CREAT, 0600) : -1;
	if (fd < 0 || ftruncate(fd, NSLOTS * 8) < 0)
		die("QSRV_COUNTER");
	counter = mmap(NULL, NSLOTS * 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (counter == MAP_FAILED)
		die("mmap");
	close(fd);
}

int main(void)
{
	alarm(60);
	map_counter();
	struct sigaction sa = {.sa_handler = on_usr1}; /* no SA_RESTART: read() gets EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		die("sigaction");
	struct sigaction ign = {.sa_handler = SIG_IGN};
	int guard = sigaction(SIGRTMAX - 1, &ign, NULL) < 0 && errno == EINVAL;
	sigset_t usr2;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, NULL); /* every thread: only sigwaitinfo takes it */
	static int lfd;
	lfd = listen_local();
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	if (getsockname(lfd, (struct sockaddr *)&a, &len) < 0)
		die("getsockname");
	pthread_t th[2];
	if (pthread_create(&th[0], NULL, acceptor, &lfd) ||
	    pthread_create(&th[1], NULL, sigwaiter, NULL))
		die("pthread_create");
	pthread_setname_np(th[0], "acceptor");
	pthread_setname_np(th[1], "sigwaiter");
	printf("port %d guard %d\n", ntohs(a.sin_port), guard);
	fflush(stdout);
	pthread_join(th[0], NULL); /* never returns */
	return 0;
}
