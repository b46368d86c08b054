/* update_req.h -- an UPDATE request (ttst/proto.h): decoding its payload and the checks made before
 * anything starts (binary, metadata, pid file). */
#ifndef TTST_RT_UPDATE_REQ_H
#define TTST_RT_UPDATE_REQ_H

#include <stddef.h>
#include <stdint.h>

/* A decoded request; the strings point into buf. */
struct ttst_update_args {
	uint32_t timeout_ms; /* 0: the timeout_ms option */
	int validate; /* 0 no, 1 validate, 2 validate and never commit (check) */
	const char *binary;  /* absolute path */
	const char *pidfile; /* absolute path, "" for none */
	uint32_t argc;
	char **argv; /* argc entries + NULL */
	char *buf;   /* copy of the payload's strings */
	uint64_t objs; /* not in the payload: about how many objects the started process will
			  receive (v1 sets it for v2 and v1'; 0 = unknown) */
};

/* Decodes a payload of len bytes into a (the caller frees it with
 * ttst_update_req_free).  Returns 0, or -1 with a one-line reason in err
 * (wrong size, missing NUL, argc mismatch, out of memory). */
int ttst_update_req_parse(const void *payload, uint32_t len, struct ttst_update_args *a, char *err,
			  size_t n);

/* Checks what can be checked before anything starts: the binary is an
 * absolute path to a regular executable ELF file whose ttst_meta section is
 * valid and of this runtime's ABI version; the pid file's directory is
 * writable.  Returns 0, or -1 with a message naming the file in err. */
int ttst_update_req_check(const struct ttst_update_args *a, char *err, size_t n);

/* Frees what ttst_update_req_parse allocated (a may be zeroed). */
void ttst_update_req_free(struct ttst_update_args *a);

#endif /* TTST_RT_UPDATE_REQ_H */
