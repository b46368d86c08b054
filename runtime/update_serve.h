/* update_serve.h -- what a process serves to another one of an update: reads of its memory into a
 * window (READ/DATA) and its own state image (IMAGE_REQ/STATE); v1 serves v2 and v1', v2 serves
 * v1' (through v1). */
#ifndef TTST_RT_UPDATE_SERVE_H
#define TTST_RT_UPDATE_SERVE_H

#include <stddef.h>

#include "update_chan.h"

/* Answers the READ request in m (already received on chan): copies the
 * bytes of this process into the window *win with pwrite (unmapped bytes
 * give EFAULT in the answer, never a fault); *win is created on first use
 * (the caller closes it) and attached to that first DATA answer.  Returns
 * 0, or -1 with a one-line reason in err (bad request, channel error). */
int ttst_serve_read(int chan, const struct ttst_chan_msg *m, int *win, char *err, size_t n);

/* Builds this process's state image (its threads must be parked) and sends
 * it on chan as TTST_CH_STATE (struct ttst_ch_state + the registered
 * renames), the memfd attached.  Returns 0, or -1 with err. */
int ttst_serve_image(int chan, char *err, size_t n);

#endif /* TTST_RT_UPDATE_SERVE_H */
