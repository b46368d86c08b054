/* fdio.c -- whole reads and writes at an offset of a file. */
#define _GNU_SOURCE
#include "fdio.h"

#include <errno.h>
#include <unistd.h>

int ttst_fd_rw_all(int fd, void *buf, size_t n, off_t off, int write)
{
	char *p = buf;
	while (n) {
		size_t k = n < (1u << 30) ? n : (1u << 30);
		ssize_t w = write ? pwrite(fd, p, k, off) : pread(fd, p, k, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			errno = w < 0 ? errno : EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}
