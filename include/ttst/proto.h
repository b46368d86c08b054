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
 *   TTST_MSG_UPDATE  payload: struct ttst_update_req, then NUL-terminated
 *                    strings: the new binary (absolute path), the pid file to
 *                    rewrite on commit (absolute path, "" for none), then argc
 *                    arguments (argv of the new version); the payload may
 *                    have any length up to TTST_PROTO_MAX_PAYLOAD.  Runs the
 *                    update transaction (DESIGN.md §5).  Refused with one
 *                    ERROR frame before anything starts (the process is
 *                    untouched): malformed request, binary not absolute /
 *                    missing / not a regular executable file / not
 *                    instrumented (no ttst_meta section) / another metadata
 *                    ABI version, pid file directory not writable, CHECK
 *                    without VALIDATE, an update or a held PARK in
 *                    progress, or this process being itself a new version that is re-initialising.
 *                    Otherwise the reply is a stream on the same connection:
 *                    one EVENT frame per completed phase, then one RESULT
 *                    frame, then the server closes the connection.
 * Replies
 *   TTST_MSG_OK      payload: text as described per request.
 *   TTST_MSG_ERROR   payload: one line of text (no newline), the reason.
 *   TTST_MSG_EVENT   (UPDATE stream) payload: text "key=value\n" lines:
 *                      phase (park, spawn, reinit, transfer, commit),
 *                      elapsed_ms (since the request), phase_ms (its
 *                      duration), detail (one line for humans).
 *   TTST_MSG_RESULT  (UPDATE stream, last frame) payload: text lines:
 *                      outcome ("committed" or "rolled back"), pid (the
 *                      process serving now), old_pid, new_pid (0 if v2 never
 *                      started), phase (the last phase entered), reason
 *                      (empty when committed), total_ms, and park_ms,
 *                      spawn_ms, reinit_ms, transfer_ms, commit_ms (0 for
 *                      phases not reached), the transfer counters objects,
 *                      bytes, pointers, transforms, conservative, freed, and
 *                      warning (non-fatal problem after commit, e.g. the pid
 *                      file could not be rewritten; usually empty).
 *                    Text values are escaped as in STATUS.
 *
 * The update channel (v1 = the running version, v2 = the new one)
 *   A SOCK_STREAM socketpair; v2 finds its end in $TTST_UPDATE_FD, v1's pid
 *   in $TTST_UPDATE_PARENT and the descriptors whose close-on-exec flag v1
 *   cleared in $TTST_CLOEXEC ("3,7,9-12"; the runtime restores the flag and
 *   removes the three variables before main()).  Same frames as above:
 *   v2 -> v1 TTST_CH_HELLO      struct ttst_ch_hello: v2's runtime is up
 *                               (sent by its constructor).
 *   v2 -> v1 TTST_CH_STATE_REQ  none: v2's main thread reached its first
 *                               update point and v2's threads are quiescent.
 *   v1 -> v2 TTST_CH_STATE      struct ttst_ch_state, with a memfd attached
 *                               (SCM_RIGHTS) that holds the state image
 *                               (struct ttst_image_hdr below).  v2 reads the
 *                               objects' bytes itself (process_vm_readv).
 *   v2 -> v1 TTST_CH_READ       struct ttst_ch_read: only if v2 may not read v1's
 *                               memory itself (process_vm_readv refused: a
 *                               seccomp filter, Yama): asks v1 to copy len bytes
 *                               at addr (len <= TTST_CH_WINDOW) into the window.
 *   v1 -> v2 TTST_CH_DATA       struct ttst_ch_data: the bytes are at the start of
 *                               the window (a memfd of TTST_CH_WINDOW bytes,
 *                               attached to the first DATA), or err is the errno
 *                               of the copy (EFAULT: some byte is not mapped).
 *   v2 -> v1 TTST_CH_READY      struct ttst_ch_report: the transfer succeeded;
 *                               v2 waits for the decision.  Attached: a memfd
 *                               with one ttst_xfer_cp (runtime/xfer.h, 8
 *                               bytes) per object of the image it received
 *                               (where each went).  While it waits, v2 answers:
 *   v1 -> v2 TTST_CH_IMAGE_REQ  struct ttst_ch_image_req (validation): v2 lets
 *                               reader read its memory (Yama's PR_SET_PTRACER,
 *                               revoked at COMMIT), builds its own state image
 *                               and answers TTST_CH_STATE (the memfd attached),
 *                               the payload followed by v2's renames
 *                               (ttst_xfer_renames_export format); READ frames
 *                               are served as v1 serves them.
 *   Validation: v1 then starts v1' (its own binary and arguments, the same
 *   descriptors) exactly like v2; v1' says HELLO and STATE_REQ, and gets:
 *   v1 -> v1' TTST_CH_REF       struct ttst_ch_ref + the new version's renames,
 *                               v1's state image attached (the memfd v2 got):
 *                               its objects are the reference; then
 *   v1 -> v1' TTST_CH_REF_MAP   struct ttst_ch_ref_map, v2's map of them
 *                               attached (the memfd of its READY): where each
 *                               went.  They make v1' run backward (xfer.h) and
 *                               compare.
 *   v1 -> v1' TTST_CH_STATE     v2's image: v1' reads v2 with process_vm_readv
 *                               and v1 with process_vm_readv or READ.
 *   v1' -> v1 TTST_CH_READY     the round trip is equal (or TTST_CH_DIFF, text:
 *                               "<count> differences: <first>; <second>...").
 *   v2 -> v1 TTST_CH_FAILED     text: why v2 cannot continue (transfer error,
 *                               its threads did not park, bad state image);
 *                               v2 exits after sending it.
 *   v1 -> v2 TTST_CH_COMMIT     struct ttst_ch_commit: v2 continues.
 *   v2 -> v1 TTST_CH_COMMITTED  none: v2 is on its own now; v1 exits.
 *   Any other frame, EOF, v2's death or the timeout rolls the update back.
 */
#ifndef TTST_PROTO_H
#define TTST_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TTST_PROTO_MAGIC 0x43545354u /* "TSTC" little-endian */
#define TTST_PROTO_VERSION 2
#define TTST_PROTO_MAX_PAYLOAD (64u * 1024)
#define TTST_PROTO_REQUEST_TIMEOUT_MS 2000
#define TTST_PROTO_MAX_HOLD_MS 600000u
#define TTST_PROTO_SOCK_SUFFIX ".sock"

enum ttst_msg_type {
	TTST_MSG_STATUS = 1,
	TTST_MSG_PARK = 2,
	TTST_MSG_UPDATE = 3,
	TTST_MSG_OK = 0x8000,
	TTST_MSG_ERROR = 0x8001,
	TTST_MSG_EVENT = 0x8002,
	TTST_MSG_RESULT = 0x8003,
	/* update channel */
	TTST_CH_HELLO = 0x4001,
	TTST_CH_STATE_REQ = 0x4002,
	TTST_CH_STATE = 0x4003,
	TTST_CH_READY = 0x4004,
	TTST_CH_FAILED = 0x4005,
	TTST_CH_COMMIT = 0x4006,
	TTST_CH_COMMITTED = 0x4007,
	TTST_CH_READ = 0x4008,
	TTST_CH_DATA = 0x4009,
	TTST_CH_IMAGE_REQ = 0x400a,
	TTST_CH_REF = 0x400b,
	TTST_CH_DIFF = 0x400c,
	TTST_CH_REF_MAP = 0x400d,
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

/* TTST_MSG_UPDATE: fixed part of the payload (the strings follow). */
#define TTST_UPDATE_VALIDATE 0x1u /* validate by backward transfer */
#define TTST_UPDATE_CHECK 0x2u	  /* validate, never commit (ttst-ctl check) */
struct ttst_update_req {
	uint32_t timeout_ms; /* 0: the process's timeout_ms option */
	uint32_t flags;	     /* TTST_UPDATE_* */
	uint32_t argc;	     /* arguments after binary and pid file, >= 1 */
	uint32_t reserved;   /* 0 */
};

/* Update channel payloads. */
struct ttst_ch_hello {
	int32_t pid;	      /* v2's pid */
	uint32_t abi_version; /* TTST_ABI_VERSION of v2's runtime */
};

struct ttst_ch_state {
	uint64_t size; /* bytes of the state image in the attached memfd */
};

struct ttst_ch_report { /* struct ttst_xfer_report's counters (runtime/xfer.h) */
	uint64_t objects, bytes, pointers, transforms, conservative, freed;
	uint32_t quiesce_ms; /* v2: waiting for its own threads */
	uint32_t src_ms;     /* v2: mapping and checking the state image */
	uint32_t xfer_ms;    /* v2: ttst_xfer_run */
	uint32_t chan_reads; /* READ requests (process_vm_readv refused), 0 normally */
	uint32_t diff_ms;    /* v1': comparing with v1 (part of xfer_ms) */
	uint32_t reserved;
	uint64_t compared;  /* v1': objects compared with v1's */
	uint64_t unchecked; /* v1': pointers outside the state (libraries), not compared */
};

#define TTST_CH_WINDOW (4u << 20) /* bytes per READ */

struct ttst_ch_image_req {
	int32_t reader; /* v1': it reads v2's memory during the backward transfer */
	uint32_t reserved;
};

struct ttst_ch_ref {
	uint64_t size;	   /* bytes of the attached memfd (v1's state image) */
	uint64_t nobjs;	   /* its objects (struct ttst_image_hdr.nobjs) */
	uint64_t off_objs; /* their offset (struct ttst_image_hdr.off_objs) */
};

struct ttst_ch_ref_map {
	uint64_t size; /* bytes of the attached memfd: at least nobjs ttst_xfer_cp */
};

struct ttst_ch_read {
	uint64_t addr, len;
};

struct ttst_ch_data {
	uint64_t len; /* bytes copied (== the request's len unless err) */
	int32_t err;  /* 0, or the errno of the copy */
	uint32_t reserved;
};

struct ttst_ch_commit {
	int64_t started;     /* unix time the update began */
	uint32_t elapsed_ms; /* so far, as measured by v1 */
	uint32_t reserved;
};

/* The state image v1 writes into a memfd for v2 (all offsets from its start):
 *
 *   +-------------------------------+ 0
 *   | struct ttst_image_hdr          |
 *   +-------------------------------+ off_tus
 *   | struct ttst_image_tu[ntus]     |  where each TU blob is
 *   +-------------------------------+
 *   | TU blobs, 8-byte aligned, as   |  bytes as in v1's memory: their
 *   | in v1's memory                 |  addrs[] hold v1 addresses
 *   +-------------------------------+ off_objs
 *   | struct ttst_image_obj[nobjs]   |  sorted by addr
 *   +-------------------------------+ size
 */
#define TTST_IMAGE_MAGIC 0x49545354u /* "TSTI" little-endian */
#define TTST_IMAGE_VERSION 1

struct ttst_image_hdr {
	uint32_t magic;	  /* TTST_IMAGE_MAGIC */
	uint32_t version; /* TTST_IMAGE_VERSION */
	uint64_t size;	  /* bytes of the whole image */
	int32_t pid;	  /* v1's pid */
	uint32_t ntus;
	uint64_t off_tus;
	uint64_t nobjs;
	uint64_t off_objs;
};

struct ttst_image_tu {
	uint64_t off;  /* of the blob copy in the image */
	uint64_t size; /* its total_size */
	uint64_t addr; /* the blob's address in v1 */
};

/* One object of v1's state; same layout as struct ttst_src_obj (xfer.h). */
struct ttst_image_obj {
	uint64_t addr, size;
	uint32_t tu, index;
	uint8_t kind, typed;
	uint16_t reserved;
	uint32_t ordinal;
};

#if defined(__cplusplus)
#define TTST_PROTO_ASSERT static_assert
#else
#define TTST_PROTO_ASSERT _Static_assert
#endif
TTST_PROTO_ASSERT(sizeof(struct ttst_msg_hdr) == 12, "ttst_msg_hdr layout");
TTST_PROTO_ASSERT(sizeof(struct ttst_park_req) == 8, "ttst_park_req layout");
TTST_PROTO_ASSERT(sizeof(struct ttst_update_req) == 16, "ttst_update_req layout");
TTST_PROTO_ASSERT(sizeof(struct ttst_ch_hello) == 8, "ttst_ch_hello layout");
TTST_PROTO_ASSERT(sizeof(struct ttst_ch_report) == 88, "ttst_ch_report layout");
TTST_PROTO_ASSERT(sizeof(struct ttst_ch_commit) == 16, "ttst_ch_commit layout");
TTST_PROTO_ASSERT(sizeof(struct ttst_ch_read) == 16, "ttst_ch_read layout");
TTST_PROTO_ASSERT(sizeof(struct ttst_ch_ref) == 24, "ttst_ch_ref layout");
TTST_PROTO_ASSERT(sizeof(struct ttst_ch_ref_map) == 8, "ttst_ch_ref_map layout");
TTST_PROTO_ASSERT(sizeof(struct ttst_ch_image_req) == 8, "ttst_ch_image_req layout");
TTST_PROTO_ASSERT(sizeof(struct ttst_ch_data) == 16, "ttst_ch_data layout");
TTST_PROTO_ASSERT(sizeof(struct ttst_image_hdr) == 48, "ttst_image_hdr layout");
TTST_PROTO_ASSERT(sizeof(struct ttst_image_tu) == 24, "ttst_image_tu layout");
TTST_PROTO_ASSERT(sizeof(struct ttst_image_obj) == 32, "ttst_image_obj layout");

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
