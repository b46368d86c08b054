/* inherit.h -- descriptors across a live update: close-on-exec flags, the sockets v2 inherits and
 * its bind()/listen() on their addresses, v1's file status flags. */
#ifndef TTST_RT_INHERIT_H
#define TTST_RT_INHERIT_H

#include <stddef.h>

/* v2, at start (before the program runs): sets FD_CLOEXEC on every
 * descriptor listed in spec ("3,7-9", from $TTST_CLOEXEC; NULL or "" for
 * none) and records the inherited sockets that are listening (stream) or
 * bound and unconnected (datagram), so that bind() to one of their
 * addresses returns them while ttst_is_updating().  Returns 0, or -1 with
 * the reason in err if spec is malformed (the flags set so far stay). */
int ttst_inherit_init(const char *spec, char *err, size_t n);

/* Number of inherited sockets that bind() has handed out so far. */
unsigned ttst_inherit_claimed(void);

/* v1, before starting v2: remembers the file status flags (O_NONBLOCK,
 * O_APPEND, ...) of every descriptor, which v2 shares.  Returns 0 or -1
 * (out of memory; nothing saved). */
int ttst_inherit_save_flags(void);

/* v1 after a rollback: restores the saved status flags of descriptors that
 * still refer to the same file and frees the record.  Returns the number of
 * descriptors whose flags v2 had changed. */
unsigned ttst_inherit_restore_flags(void);

/* Frees the record without restoring (commit). */
void ttst_inherit_drop_flags(void);

#endif /* TTST_RT_INHERIT_H */
