/* kvstore.h -- kvstore v1: the types the live update transforms and the module interfaces. */
#ifndef KVSTORE_H
#define KVSTORE_H

#include <stddef.h>
#include <stdint.h>

#define KV_VERSION 1
#define KV_KEY_MAX 31		       /* longest key: sizeof(entry.key) - 1 */
#define KV_VALUE_MAX (1024 * 1024)     /* largest value, bytes */
#define KV_LINE_MAX 4096	       /* longest command line */
#define KV_MAX_TOKENS 128	       /* most words on one command line */
#define KV_WBUF_HIGH (4 * 1024 * 1024) /* stop reading while this much output is queued */
#define KV_POLL_MS 500 /* poll timeout: the loop passes its update point this often */

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/* A doubly linked list node embedded in the object it links. */
struct list_node {
	struct list_node *prev, *next;
};

/* One stored item.  Threaded on a hash chain and on the LRU list. */
struct entry {
	struct entry *hnext;  /* next entry in the same hash bucket */
	struct list_node lru; /* LRU list, most recently used first */
	char key[32];	      /* NUL-terminated, at most KV_KEY_MAX bytes */
	int vlen;	      /* value length in bytes */
	uint32_t flags;	      /* opaque client flags */
	int64_t expires;      /* absolute unix time, 0 = never */
	char *value;	      /* vlen bytes (malloc'ed, not NUL-terminated) */
};

/* The chained hash table.  nbuckets is a power of two. */
struct table {
	struct entry **buckets;
	unsigned nbuckets;
	unsigned count;
	uint64_t bytes; /* sum of vlen + sizeof(struct entry) */
};

/* Server-wide counters reported by `stats`. */
struct stats {
	int64_t started; /* unix time the server started */
	uint64_t total_conns;
	uint64_t cmd_get;
	uint64_t cmd_set;
	uint64_t cmd_delete;
	uint64_t cmd_incr;
	uint64_t get_hits;
	uint64_t get_misses;
	uint64_t evictions;
};
extern struct stats g_stats;

/* Command-line configuration. */
struct config {
	char bind[64]; /* IPv4 address to listen on */
	int port;      /* 0 = ephemeral */
	int maxconn;
	uint64_t maxbytes; /* evict LRU entries above this many bytes */
};
extern struct config g_cfg;

struct conn;
struct request;

/* A command handler: returns one of KV_DONE, KV_MORE, KV_CLOSE. */
typedef int (*handler_fn)(struct conn *c, struct request *r);

/* One row of the command table. */
struct cmd {
	const char *name;
	handler_fn fn;
};

enum { KV_DONE = 0, KV_MORE = 1, KV_CLOSE = 2 };

/* A parsed command line and the bytes that follow it (transient). */
struct request {
	int argc;
	char **argv;
	const char *data; /* bytes after the command line */
	size_t avail;	  /* how many of them are buffered */
	size_t used;	  /* set by the handler: data bytes consumed */
};

/* One client connection (heap-allocated; lives across updates). */
struct conn {
	int fd;
	int closing;	/* close once the output is flushed */
	int peer_done;	/* the peer sent end of stream: no more input */
	int need_input; /* the buffered input holds no complete command */
	char *rbuf;	/* input, realloc-grown */
	size_t rlen, rcap;
	char *wbuf; /* output, realloc-grown */
	size_t wlen, woff, wcap;
	uint64_t swallow;	    /* input bytes still to discard (oversized value) */
	const struct cmd *last_cmd; /* the command this connection ran last */
};

/* table.c */
int table_init(unsigned nbuckets);
struct entry *table_get(const char *key, int64_t now);
int table_set(const char *key, uint32_t flags, int64_t expires, const char *data, int len);
int table_set_value(struct entry *e, const char *data, int len);
int table_delete(const char *key);
unsigned table_count(void);
uint64_t table_bytes(void);
void table_free(void);

/* net.c */
int net_init(const char *addr, int port, int maxconn);
int net_run_once(int timeout_ms);
int net_conn_count(void);
void net_shutdown(void);
int conn_out(struct conn *c, const void *p, size_t n);
int conn_printf(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* proto.c */
void proto_process(struct conn *c);
const char *proto_cmd_name(const struct cmd *cmd);

#endif /* KVSTORE_H */
