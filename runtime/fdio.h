/* fdio.h -- whole reads and writes at an offset of a file (the runtime's memfds). */
#ifndef TTST_RT_FDIO_H
#define TTST_RT_FDIO_H

#include <stddef.h>
#include <sys/types.h>

/* Reads (write == 0) or writes n bytes at offset off of fd, all of them.
 * Returns 0, or -1 with errno (EIO for an early end of file). */
int ttst_fd_rw_all(int fd, void *buf, size_t n, off_t off, int write);

#endif /* TTST_RT_FDIO_H */
