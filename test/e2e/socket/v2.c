/* socket/v2.c -- e2e case: v2 finds v1's listening socket, client connection and socket pair
 * (inherited descriptors) and reports them the same way. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "drv.h"

const char case_version[] = "v2";
static int g_pair[2] = {-1, -1};

void case_setup(void)
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, g_pair) < 0 || write(g_pair[0], "queued", 6) != 6)
		abort();
}

static int port_of(int fd, int peer)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;

	if ((peer ? getpeername(fd, (struct sockaddr *)&a, &len)
		  : getsockname(fd, (struct sockaddr *)&a, &len)) < 0)
		return -1;
	return ntohs(a.sin_port);
}

void case_dump(FILE *out)
{
	int lfd, conns[8], n = drv_fds(&lfd, conns, 8);
	char buf[8];
	ssize_t got;

	fprintf(out, "listening on %d\n", port_of(lfd, 0));
	for (int i = 0; i < n; i++)
		fprintf(out, "client from port %d\n", port_of(conns[i], 1));
	/* peek the queued bytes without consuming them: the dump stays repeatable */
	got = recv(g_pair[1], buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
	fprintf(out, "pair holds %.*s\n", got > 0 ? (int)got : 0, buf);
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
