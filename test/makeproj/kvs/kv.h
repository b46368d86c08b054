/* kv.h -- kvs: the key-value store: a chained hash table of typed values
 * with an LRU list (embedded nodes) that evicts unpinned entries. */
#ifndef KVS_KV_H
#define KVS_KV_H

#include <stddef.h>
#include <stdint.h>

#include "list.h"

enum kv_type { KV_NONE, KV_INT, KV_STR, KV_BLOB, KV_LIST };

struct kv_blob {
	size_t len;
	unsigned char data[]; /* len bytes */
};

struct kv_item {
	struct kv_item *next;
	long long v;
};

union kv_value {
	long long i;	       /* KV_INT */
	char *s;	       /* KV_STR */
	struct kv_blob *blob;  /* KV_BLOB */
	struct kv_item *items; /* KV_LIST, newest first */
};

struct kv_entry {
	struct kv_entry *hnext; /* bucket chain */
	struct list_node lru;	/* in kv_table.lru, most recent first */
	char *key;
	uint64_t hash;
	union kv_value val;
	unsigned type : 3; /* enum kv_type */
	unsigned dirty : 1;
	unsigned pinned : 1; /* never evicted */
	unsigned hits : 11;  /* saturating */
	unsigned short version;
	int64_t expires; /* 0 = never */
};

struct kv_stats {
	unsigned long gets, hits, misses, sets, dels, evictions, resizes;
};

struct kv_table {
	struct kv_entry **buckets;
	size_t nbuckets;
	size_t count;
	size_t max_entries; /* 0 = unlimited */
	struct list_node lru;
	struct kv_stats stats;
};

struct kv_table *kv_create(size_t nbuckets, size_t max_entries);
void kv_destroy(struct kv_table *t);
/* Returns the entry for key (and marks it recently used), or NULL. */
struct kv_entry *kv_get(struct kv_table *t, const char *key);
void kv_set_int(struct kv_table *t, const char *key, long long v);
void kv_set_str(struct kv_table *t, const char *key, const char *s);
void kv_set_blob(struct kv_table *t, const char *key, const void *data, size_t len);
/* Prepends v to the list at key (creating it); returns the new length. */
size_t kv_push(struct kv_table *t, const char *key, long long v);
int kv_del(struct kv_table *t, const char *key);
int kv_pin(struct kv_table *t, const char *key, int pinned);
/* Calls fn for every entry in LRU order (most recent first); stops when fn
 * returns non-zero and returns that. */
int kv_foreach(struct kv_table *t, int (*fn)(struct kv_entry *, void *), void *arg);
size_t kv_list_len(const struct kv_entry *e);
const char *kv_type_name(enum kv_type type);

#endif
