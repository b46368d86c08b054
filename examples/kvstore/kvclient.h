/* kvclient.h -- kvclient: the connection type, its I/O helpers and the subcommands. */
#ifndef KVCLIENT_H
#define KVCLIENT_H

#include <stddef.h>
#include <stdint.h>

#define KC_VALUE_MAX 128 /* longest deterministic value, bytes */

/* One TCP connection to the server on 127.0.0.1 with a receive buffer. */
struct kc {
	int fd;
	int port;
	int timeout_ms; /* per-operation deadline */
	char *buf;	/* received, not yet consumed bytes: buf[off, len) */
	size_t off, len, cap;
	char err[160]; /* what the last failed call did wrong */
};

/* Options shared by every subcommand. */
struct kc_opts {
	int port;
	int timeout_ms;
	uint64_t keys;	       /* keys loaded by `load` (hammer/v2check verify some) */
	double seconds;	       /* hammer */
	uint64_t max_requests; /* hammer */
	int version;	       /* proto */
};

/* kvclient_io.c */
int kc_connect(struct kc *k, int port, int timeout_ms);
void kc_close(struct kc *k);
int kc_send(struct kc *k, const void *p, size_t n);
long kc_line(struct kc *k, const char **line);
int kc_bytes(struct kc *k, size_t n, const char **p);
int kc_eof(struct kc *k);
int kc_get(struct kc *k, const char *key, char *val, size_t cap, long *vlen);
int kc_sendf(struct kc *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int kc_expect_line(struct kc *k, const char *want);
double kc_now(void);

/* kvclient.c */
size_t kc_key(uint64_t i, char *buf, size_t cap);
size_t kc_value(uint64_t i, char *buf);

/* Subcommands: each returns the process exit status (0 ok, 1 failed check, 2 usage). */
int kc_cmd_load(const struct kc_opts *o, uint64_t n);
int kc_cmd_check(const struct kc_opts *o, uint64_t n);
int kc_cmd_hammer(const struct kc_opts *o);
int kc_cmd_v2check(const struct kc_opts *o);
int kc_cmd_proto(const struct kc_opts *o);

#endif /* KVCLIENT_H */
