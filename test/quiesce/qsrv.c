/* qsrv.c -- a multi-threaded test server linked with libttst: one thread each blocked in accept,
 * poll, pthread_cond_wait and read on a socket, one looping with ttst_update_point(), and (with
 * argument "spin") one that spins without ever reaching an update point.
 *
 * Protocol (127.0.0.1, port printed on stdout as "port N"): the acceptor hands the 1st connection
 * to the reader (read), the 2nd to the poller (poll), the 3rd to the waiter (pthread_cond_wait);
 * each echoes "<thread number>\n" for every byte it receives.  The looper increments a counter in
 * the file named by $QSRV_COUNTER (first u64), the spinner the second.  The process ends itself
 * after 60 s (alarm). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <ttst.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int handed[4] = {-1, -1, -1, -1}; /* connection for thread k (1..3) */
static volatile uint64_t *counter;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Waits (pthread_cond_wait) for connection number k. */
static int wait_conn(int k)
{
	pthread_mutex_lock(&lock);
	while (handed[k] < 0)
		pthread_cond_wait(&cond, &lock);
	int fd = handed[k];
	pthread_mutex_unlock(&lock);
	return fd;
}

/* Echoes "<k>\n" for every byte read from fd (read blocks), until EOF. */
static void echo_loop(int fd, int k, int use_poll)
{
	char c, reply[2] = {(char)('0' + k), '\n'};
	for (;;) {
		if (use_poll) {
			struct pollfd p = {fd, POLLIN, 0};
			if (poll(&p, 1, -1) < 0)
				die("poll");
		}
		if (read(fd, &c, 1) != 1)
			break;
		if (write(fd, reply, 2) != 2)
			break;
	}
	close(fd);
}

static void *reader(void *arg)
{
	(void)arg;
	echo_loop(wait_conn(1), 1, 0);
	return NULL;
}

static void *poller(void *arg)
{
	(void)arg;
	echo_loop(wait_conn(2), 2, 1);
	return NULL;
}

static void *waiter(void *arg)
{
	(void)arg;
	echo_loop(wait_conn(3), 3, 0);
	return NULL;
}

static void *acceptor(void *arg)
{
	int lfd = *(int *)arg;
	for (int k = 1; k <= 3; k++) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			die("accept");
		pthread_mutex_lock(&lock);
		handed[k] = fd;
		pthread_cond_broadcast(&cond);
		pthread_mutex_unlock(&lock);
	}
	for (;;) { /* further connections are closed at once */
		int fd = accept(lfd, NULL, NULL);
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

static void *looper(void *arg)
{
	(void)arg;
	struct timespec ts = {0, 200000};
	for (;;) {
		(*counter)++;
		ttst_update_point();
		syscall(SYS_nanosleep, &ts, NULL); /* not an interposed (quiescent) call */
	}
	return NULL;
}

static void *spinner(void *arg)
{
	(void)arg;
	for (;;)
		counter[1]++;
	return NULL;
}

static int listen_local(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		die("listen");
	printf("port %d\n", ntohs(a.sin_port));
	fflush(stdout);
	return fd;
}

static void map_counter(void)
{
	const char *path = getenv("QSRV_COUNTER");
	int fd = path ? open(path, O_RDWR | O_CREAT, 0600) : -1;
	if (fd < 0 || ftruncate(fd, 16) < 0)
		die("QSRV_COUNTER");
	counter = mmap(NULL, 16, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (counter == MAP_FAILED)
		die("mmap");
	close(fd);
}

int main(int argc, char **argv)
{
	alarm(60);
	map_counter();
	static int lfd;
	lfd = listen_local();
	void *(*fns[])(void *) = {acceptor, reader, poller, waiter, looper, spinner};
	const char *names[] = {"acceptor", "reader", "poller", "waiter", "looper", "spinner"};
	int n = argc > 1 && !strcmp(argv[1], "spin") ? 6 : 5;
	pthread_t th[6];
	for (int i = 0; i < n; i++) {
		if (pthread_create(&th[i], NULL, fns[i], &lfd))
			die("pthread_create");
		pthread_setname_np(th[i], names[i]);
	}
	pthread_join(th[0], NULL); /* never returns: main is quiescent in pthread_join */
	return 0;
}
