/* proto.h -- the control-socket protocol between ttst-ctl and libttst (version 1).
 *
 * Transport: a SOCK_STREAM UNIX socket <rundir>/<pid>.sock (DESIGN.md §4).
 * Every message, in both directions, is one frame:
 *
 *   +-----------+-------------+----------+-------------+------------------+
 *   | magic u32 | version u16 | type u16 | length u32  | payload[length]  |
 *   +-----------+-------------+----------+-------------+------------------+
 *   0           4             6          8             12
 *
 * in host byte order (both ends are on the same machine).  length is at most
 * TTST_PROTO_MAX_PAYLOAD.  A client sends a request frame and reads one reply
 * frame; it may send further requests on the same connection.
 *
 * The server answers every malformed request -- wrong magic, another protocol
 * version, an unknown type, a payload of the wrong size or above the limit, a
 * frame truncated by EOF, or a frame not complete within
 * TTST_PROTO_REQUEST_TIMEOUT_MS of its first byte -- with one
 * TTST_MSG_ERROR frame and closes that connection; other connections are
 * served concurrently and are not affected.  A peer whose uid (SO_PEERCRED)
 * is neither 0 nor the process's uid gets an ERROR frame and is closed.
 *
 * Requests
 *   TTST_MSG_STATUS  payload: none.
 *                    reply OK, payload: text, one "key=value\n" line per item:
 *                      pid, program (readlink /proc/self/exe), abi_version,
 *                      modules, tus (registered translation units),
 *                      static_objects (variables, string literals included),
 *                      functions (address-taken functions), locals (live locals
 *                      of main / TTST_STATEFUL functions),
 *                      heap_objects_typed, heap_bytes_typed,
 *                      heap_objects_untyped, heap_bytes_untyped,
 *                      mmap_regions, mmap_bytes, threads (registered),
 *                      update_points (parks at ttst_update_point()),
 *                      parked (1 while a park is held), last_update ("none" or
 *                      the outcome), last_update_time (unix seconds, 0 if none),
 *                      last_update_ms, last_update_detail,
 *                      timeout_ms, park_timeout_ms, validate (effective options).
 *                    Numbers are decimal; in text values, bytes below 0x20 and
 *                    '\' are written as \xNN.  Clients must ignore unknown keys.
 *   TTST_MSG_PARK    payload: struct ttst_park_req.  Parks every registered
 *                    thread (timeout_ms 0: the park_timeout_ms option).
 *                    reply OK "threads=N\nparked=P\nblocked=B\nwaited_ms=T\n",
 *                    sent as soon as all threads are quiescent; the process
 *                    then stays parked for hold_ms (at most
 *                    TTST_PROTO_MAX_HOLD_MS) and continues.  Other requests
 *                    are served meanwhile; a second PARK gets an ERROR.
 *                    reply ERROR "park timed out after ... : <tid> (<name>), ..."
 *                    when some thread did not park; every thread continues.
 * Replies
 *   TTST_MSG_OK      payload: text as described per request.
 *   TTST_MSG_ERROR   payload: one line of text (no newline), the reason.
 */
#ifndef TTST_PROTO_H
#define TTST_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TTST_PROTO_MAGIC 0x43545354u /* "TSTC" little-endian */
#define TTST_PROTO_VERSION 1
#define TTST_PROTO_MAX_PAYLOAD (64u * 1024)
#define TTST_PROTO_REQUEST_TIMEOUT_MS 2000
#define TTST_PROTO_MAX_HOLD_MS 600000u
#define TTST_PROTO_SOCK_SUFFIX ".sock"

enum ttst_msg_type {
	TTST_MSG_STATUS = 1,
	TTST_MSG_PARK = 2,
	TTST_MSG_OK = 0x8000,
	TTST_MSG_ERROR = 0x8001,
};

struct ttst_msg_hdr {
	uint32_t magic;	  /* TTST_PROTO_MAGIC */
	uint16_t version; /* TTST_PROTO_VERSION */
	uint16_t type;	  /* enum ttst_msg_type */
	uint32_t length;  /* payload bytes that follow */
};

struct ttst_park_req {
	uint32_t timeout_ms; /* 0: the process's park_timeout_ms option */
	uint32_t hold_ms;    /* how long to stay parked after success */
};

#if defined(__cplusplus)
static_assert(sizeof(struct ttst_msg_hdr) == 12, "ttst_msg_hdr layout");
static_assert(sizeof(struct ttst_park_req) == 8, "ttst_park_req layout");
#else
_Static_assert(sizeof(struct ttst_msg_hdr) == 12, "ttst_msg_hdr layout");
_Static_assert(sizeof(struct ttst_park_req) == 8, "ttst_park_req layout");
#endif

/* Fills a frame header for a payload of len bytes. */
static inline void ttst_msg_init(struct ttst_msg_hdr *h, uint16_t type, uint32_t len)
{
	h->magic = TTST_PROTO_MAGIC;
	h->version = TTST_PROTO_VERSION;
	h->type = type;
	h->length = len;
}

/* Checks magic, version and length of a received header.  Returns 0, or -1
 * with a one-line reason in err. */
static inline int ttst_msg_check(const struct ttst_msg_hdr *h, char *err, size_t n)
{
	const char *why = 0;
	char tmp[96];
	if (h->magic != TTST_PROTO_MAGIC)
		why = "bad magic: not a ttst control message";
	else if (h->version != TTST_PROTO_VERSION) {
		snprintf(tmp, sizeof tmp, "protocol version %u; this side speaks version %u",
			 (unsigned)h->version, (unsigned)TTST_PROTO_VERSION);
		why = tmp;
	} else if (h->length > TTST_PROTO_MAX_PAYLOAD) {
		snprintf(tmp, sizeof tmp, "payload of %u bytes exceeds the limit of %u",
			 (unsigned)h->length, (unsigned)TTST_PROTO_MAX_PAYLOAD);
		why = tmp;
	}
	if (!why)
		return 0;
	snprintf(err, n, "%s", why);
	return -1;
}

#endif /* TTST_PROTO_H */
