/* update_serve.c -- reads of this process's memory and its state image, served to a peer of an
 * update (see update_serve.h). */
#define _GNU_SOURCE
#include "update_serve.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alloc.h"
#include "update_image.h"
#include "xfer.h"

int ttst_serve_read(int chan, const struct ttst_chan_msg *m, int *win, char *err, size_t n)
{
	struct ttst_ch_read r;
	if (m->h.length != sizeof r) {
		snprintf(err, n, "protocol error: READ of %u bytes", m->h.length);
		return -1;
	}
	memcpy(&r, m->payload, sizeof r);
	if (r.len > TTST_CH_WINDOW) {
		snprintf(err, n, "protocol error: asked to read %llu bytes at once",
			 (unsigned long long)r.len);
		return -1;
	}
	int pass = -1;
	if (*win < 0) {
		*win = memfd_create("ttst-window", MFD_CLOEXEC);
		if (*win < 0 || ftruncate(*win, TTST_CH_WINDOW) < 0) {
			snprintf(err, n, "cannot create the read window: %s", strerror(errno));
			return -1;
		}
		pass = *win;
	}
	struct ttst_ch_data d = {0, 0, 0};
	while (d.len < r.len) {
		ssize_t k = pwrite(*win, (const char *)(uintptr_t)r.addr + d.len, r.len - d.len,
				   (off_t)d.len);
		if (k <= 0) {
			d.err = k < 0 ? errno : EFAULT;
			break;
		}
		d.len += (uint64_t)k;
	}
	if (ttst_chan_send(chan, TTST_CH_DATA, &d, sizeof d, pass) < 0) {
		snprintf(err, n, "cannot answer a read: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int ttst_serve_image(int chan, char *err, size_t n)
{
	uint64_t size, nobjs;
	int fd = ttst_image_build(&size, &nobjs, err, n);
	if (fd < 0)
		return -1;
	size_t rl = ttst_xfer_renames_export(NULL, 0);
	size_t len = sizeof(struct ttst_ch_state) + rl;
	char *buf = __libc_malloc(len);
	int rc = -1;
	if (!buf || len > TTST_PROTO_MAX_PAYLOAD) {
		snprintf(err, n, "%zu bytes of renames do not fit in a frame", rl);
		goto out;
	}
	struct ttst_ch_state st = {size};
	memcpy(buf, &st, sizeof st);
	ttst_xfer_renames_export(buf + sizeof st, rl);
	if (ttst_chan_send(chan, TTST_CH_STATE, buf, (uint32_t)len, fd) < 0) {
		snprintf(err, n, "cannot send the state image: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	__libc_free(buf);
	close(fd);
	ttst_image_release();
	return rc;
}
