/* requests.h -- answers one control request (STATUS, PARK); the socket I/O is control.c's. */
#ifndef TTST_RT_REQUESTS_H
#define TTST_RT_REQUESTS_H

#include <stdint.h>

#include "ttst/proto.h"

#define TTST_REPLY_MAX 4096

struct ttst_reply {
	uint16_t type; /* TTST_MSG_OK or TTST_MSG_ERROR */
	uint32_t len;  /* bytes of text */
	char text[TTST_REPLY_MAX];
	int close;	  /* close the connection after sending */
	int parked;	  /* PARK succeeded: the threads are parked now ... */
	unsigned hold_ms; /* ... and stay parked this long */
};

/* Expected payload size of a request type, or -1 for an unknown type. */
long ttst_request_payload_size(uint16_t type);

/* Handles a complete, checked request.  parked: a park is currently held.
 * Always fills r (an ERROR reply on failure). */
void ttst_request_handle(const struct ttst_msg_hdr *h, const void *payload, int parked,
			 struct ttst_reply *r);

/* Fills r with an ERROR reply (closing the connection) from a format. */
void ttst_reply_error(struct ttst_reply *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* TTST_RT_REQUESTS_H */
