/* update_chan.h -- framed messages (ttst/proto.h) on the update channel and the ttst-ctl stream,
 * with deadlines and descriptor passing; raw system calls only (never the interposed ones). */
#ifndef TTST_RT_UPDATE_CHAN_H
#define TTST_RT_UPDATE_CHAN_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "ttst/proto.h"

/* One received frame.  payload is NUL-terminated (text payloads). */
struct ttst_chan_msg {
	struct ttst_msg_hdr h;
	int fd; /* descriptor that came with the frame (SCM_RIGHTS), -1 if none */
	char payload[TTST_PROTO_MAX_PAYLOAD + 1];
};

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t ttst_chan_now_ms(void);

/* Sends one frame (header + len bytes of p) on the blocking stream socket
 * fd, with descriptor pass_fd attached if >= 0.  Returns 0, or -1 (errno
 * set; EPIPE when the peer is gone -- no SIGPIPE is raised). */
int ttst_chan_send(int fd, uint16_t type, const void *p, uint32_t len, int pass_fd);

/* Sends a text frame formatted like printf (truncated at the frame limit).
 * Returns as ttst_chan_send. */
int ttst_chan_sendf(int fd, uint16_t type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Receives one frame before deadline (ttst_chan_now_ms() time).  Returns 1
 * with *m filled (the caller owns m->fd), 0 on EOF before the frame's first
 * byte, or -1 with a one-line reason in err: timeout, I/O error, bad magic,
 * version or length, EOF in the middle of a frame. */
int ttst_chan_recv(int fd, struct ttst_chan_msg *m, uint64_t deadline, char *err, size_t n);

/* Reads the payload of a frame whose header m->h was already read and
 * checked (m->fd must be -1 or owned by m).  Returns 1, or -1 with err. */
int ttst_chan_recv_payload(int fd, struct ttst_chan_msg *m, uint64_t deadline, char *err, size_t n);

/* poll(2) until deadline; returns the number of ready entries, 0 at the
 * deadline, -1 on error other than EINTR. */
int ttst_chan_poll(struct pollfd *p, unsigned n, uint64_t deadline);

#endif /* TTST_RT_UPDATE_CHAN_H */
