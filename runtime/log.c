/* log.c -- the runtime's message sink: stderr with the "ttst: " prefix, plus an optional trace
 * file. */
#define _GNU_SOURCE
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int log_level = TTST_LOG_WARN;
static int trace_fd = -1;

int ttst_log_init(int level, const char *trace_path)
{
	log_level = level;
	if (!trace_path || !*trace_path)
		return 0;
	trace_fd = open(trace_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (trace_fd < 0) {
		ttst_err("TTST_OPTIONS: trace_file '%s': %s; fix the path or drop the option",
			 trace_path, strerror(errno));
		return -1;
	}
	return 0;
}

int ttst_log_trace_fd(void)
{
	return trace_fd;
}

void ttst_log_fini(void)
{
	if (trace_fd >= 0)
		close(trace_fd);
	trace_fd = -1;
}

/* write(2) the whole buffer, retrying on EINTR / short writes; errors are ignored. */
static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* Formats "ttst: <msg>\n" into buf; returns the length. */
static size_t format_msg(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t off = (size_t)snprintf(buf, size, "ttst: ");
	int n = vsnprintf(buf + off, size - off, fmt, ap);
	if (n < 0)
		n = 0;
	off += (size_t)n;
	if (off > size - 2)
		off = size - 2;
	buf[off++] = '\n';
	buf[off] = 0;
	return off;
}

/* Writes one trace line "<sec.usec> <tid> ttst: <msg>" to the trace file. */
static void trace_line(const char *msg, size_t len)
{
	char pre[64];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int n = snprintf(pre, sizeof pre, "%lld.%06ld %ld ", (long long)ts.tv_sec,
			 ts.tv_nsec / 1000, (long)syscall(SYS_gettid));
	char line[1100];
	if ((size_t)n + len >= sizeof line)
		len = sizeof line - (size_t)n - 1;
	memcpy(line, pre, (size_t)n);
	memcpy(line + n, msg, len);
	write_all(trace_fd, line, (size_t)n + len);
}

void ttst_log(int level, const char *fmt, ...)
{
	if (level > log_level && trace_fd < 0)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	size_t len = format_msg(buf, sizeof buf, fmt, ap);
	va_end(ap);
	int saved = errno;
	if (level <= log_level)
		write_all(2, buf, len);
	if (trace_fd >= 0)
		trace_line(buf, len);
	errno = saved;
}

void ttst_trace(const char *fmt, ...)
{
	if (trace_fd < 0)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	size_t len = format_msg(buf, sizeof buf, fmt, ap);
	va_end(ap);
	int saved = errno;
	trace_line(buf, len);
	errno = saved;
}
