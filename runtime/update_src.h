/* update_src.h -- v2 turns v1's state image into the struct ttst_src of xfer.h, with a
 * process_vm_readv reader. */
#ifndef TTST_RT_UPDATE_SRC_H
#define TTST_RT_UPDATE_SRC_H

#include <stddef.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "update_chan.h"
#include "xfer.h"

/* A source built from an image; src is what the engine gets. */
struct ttst_update_src {
	struct ttst_src src;
	void *map; /* private mapping of the image */
	size_t map_size;
	pid_t pid;	    /* process read by the reader */
	int chan;	    /* update channel to it (READ requests), -1 for none */
	int via_chan;	    /* process_vm_readv was refused: read through chan */
	pthread_mutex_t chan_lock; /* one READ request at a time on chan */
	const char *window; /* v1's read window (read-only shared mapping) */
	struct ttst_chan_msg *msg;
	uint64_t reads;	   /* read() calls (atomic: two threads read at once) */
	uint64_t syscalls; /* process_vm_readv calls or READ requests (atomic) */
};

/* Maps the image in memfd fd (size bytes, from process pid, reachable on
 * the update channel chan; pid 0: the pid the image names), checks its header, every TU blob
 * (ttst_meta_check) and every object record (TU and index in range,
 * sorted), and fills *s.  Returns 0, or -1 with the reason in err.  fd and
 * chan stay the caller's.  Free with ttst_update_src_free. */
int ttst_update_src_open(int fd, uint64_t size, pid_t pid, int chan, struct ttst_update_src *s,
			 char *err, size_t n);

/* Sets s up as a reader of process pid's memory only (no image: reads with
 * ttst_update_src_read, falling back to chan); free with ttst_update_src_free. */
void ttst_update_src_reader(struct ttst_update_src *s, pid_t pid, int chan);

/* Unmaps the image and frees the TU table. */
void ttst_update_src_free(struct ttst_update_src *s);

/* The reader installed in src: reads n bytes at addr of the source process
 * with process_vm_readv (as few calls as the kernel allows); if that is
 * refused (EPERM, ENOSYS: a seccomp filter, Yama), from then on asks the
 * source to copy them into its window (TTST_CH_READ).  Returns 0, or -1
 * with errno set (EFAULT if some byte is not mapped there). */
int ttst_update_src_read(void *ctx, uint64_t addr, void *buf, size_t n);

#endif /* TTST_RT_UPDATE_SRC_H */
