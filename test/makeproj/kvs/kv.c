/* kv.c -- kvs: chained hash table with LRU eviction. */
#include "kv.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define KV_MAX_LOAD 2 /* entries per bucket before the table doubles */

static const char *const s_type_names[] = {"none", "int", "str", "blob", "list"};
static unsigned long s_created;

const char *kv_type_name(enum kv_type type)
{
	return (unsigned)type < sizeof s_type_names / sizeof s_type_names[0] ? s_type_names[type]
									     : "?";
}

struct kv_table *kv_create(size_t nbuckets, size_t max_entries)
{
	struct kv_table *t = xcalloc(1, sizeof *t);
	t->nbuckets = nbuckets ? nbuckets : 8;
	t->buckets = xcalloc(t->nbuckets, sizeof *t->buckets);
	t->max_entries = max_entries;
	list_init(&t->lru);
	s_created++;
	return t;
}

static void value_free(struct kv_entry *e)
{
	switch ((enum kv_type)e->type) {
	case KV_STR:
		free(e->val.s);
		break;
	case KV_BLOB:
		free(e->val.blob);
		break;
	case KV_LIST:
		while (e->val.items) {
			struct kv_item *next = e->val.items->next;
			free(e->val.items);
			e->val.items = next;
		}
		break;
	case KV_NONE:
	case KV_INT:
		break;
	}
	e->type = KV_NONE;
	memset(&e->val, 0, sizeof e->val);
}

static void entry_free(struct kv_entry *e)
{
	value_free(e);
	free(e->key);
	free(e);
}

static struct kv_entry **find_slot(struct kv_table *t, const char *key, uint64_t h)
{
	struct kv_entry **pp = &t->buckets[h % t->nbuckets];
	while (*pp && ((*pp)->hash != h || strcmp((*pp)->key, key) != 0))
		pp = &(*pp)->hnext;
	return pp;
}

static void resize(struct kv_table *t, size_t nbuckets)
{
	struct kv_entry **nb = xcalloc(nbuckets, sizeof *nb);
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct kv_entry *e = t->buckets[i];
		while (e) {
			struct kv_entry *next = e->hnext;
			e->hnext = nb[e->hash % nbuckets];
			nb[e->hash % nbuckets] = e;
			e = next;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->nbuckets = nbuckets;
	t->stats.resizes++;
}

static void unlink_entry(struct kv_table *t, struct kv_entry *e)
{
	struct kv_entry **pp = find_slot(t, e->key, e->hash);
	*pp = e->hnext;
	list_del(&e->lru);
	t->count--;
}

/* Evicts least recently used unpinned entries while the table is full. */
static void evict(struct kv_table *t)
{
	struct list_node *n = t->lru.prev;
	while (t->max_entries && t->count >= t->max_entries && n != &t->lru) {
		struct kv_entry *e = container_of(n, struct kv_entry, lru);
		n = n->prev;
		if (e->pinned)
			continue;
		unlink_entry(t, e);
		entry_free(e);
		t->stats.evictions++;
	}
}

/* Returns the entry for key, created empty (KV_NONE) if missing. */
static struct kv_entry *upsert(struct kv_table *t, const char *key)
{
	uint64_t h = hash_str(key);
	struct kv_entry **pp = find_slot(t, key, h);
	if (*pp) {
		list_move_head(&t->lru, &(*pp)->lru);
		return *pp;
	}
	evict(t); /* may unlink *pp's neighbours: look the slot up again */
	if (t->count >= t->nbuckets * KV_MAX_LOAD)
		resize(t, t->nbuckets * 2);
	pp = find_slot(t, key, h);
	struct kv_entry *e = xmalloc(sizeof *e);
	memset(e, 0, sizeof *e);
	e->key = xstrdup(key);
	e->hash = h;
	e->hnext = *pp;
	*pp = e;
	list_add_head(&t->lru, &e->lru);
	t->count++;
	return e;
}

struct kv_entry *kv_get(struct kv_table *t, const char *key)
{
	uint64_t h = hash_str(key);
	struct kv_entry *e = *find_slot(t, key, h);
	t->stats.gets++;
	if (!e) {
		t->stats.misses++;
		return NULL;
	}
	t->stats.hits++;
	if (e->hits < 2047)
		e->hits++;
	list_move_head(&t->lru, &e->lru);
	return e;
}

static struct kv_entry *set_begin(struct kv_table *t, const char *key, enum kv_type type)
{
	struct kv_entry *e = upsert(t, key);
	value_free(e);
	e->type = type;
	e->dirty = 1;
	e->version++;
	t->stats.sets++;
	return e;
}

void kv_set_int(struct kv_table *t, const char *key, long long v)
{
	set_begin(t, key, KV_INT)->val.i = v;
}

void kv_set_str(struct kv_table *t, const char *key, const char *s)
{
	struct kv_entry *e = set_begin(t, key, KV_STR);
	e->val.s = xstrdup(s);
}

void kv_set_blob(struct kv_table *t, const char *key, const void *data, size_t len)
{
	struct kv_blob *b = xmalloc(sizeof *b + len);
	b->len = len;
	memcpy(b->data, data, len);
	set_begin(t, key, KV_BLOB)->val.blob = b;
}

size_t kv_push(struct kv_table *t, const char *key, long long v)
{
	struct kv_entry *e = upsert(t, key);
	if (e->type != KV_LIST) {
		value_free(e);
		e->type = KV_LIST;
	}
	struct kv_item *it = malloc(sizeof *it);
	if (!it)
		die("out of memory pushing to '%s'", key);
	it->v = v;
	it->next = e->val.items;
	e->val.items = it;
	e->dirty = 1;
	e->version++;
	t->stats.sets++;
	return kv_list_len(e);
}

size_t kv_list_len(const struct kv_entry *e)
{
	size_t n = 0;
	if (e->type == KV_LIST)
		for (const struct kv_item *it = e->val.items; it; it = it->next)
			n++;
	return n;
}

int kv_del(struct kv_table *t, const char *key)
{
	struct kv_entry *e = *find_slot(t, key, hash_str(key));
	if (!e)
		return -1;
	unlink_entry(t, e);
	entry_free(e);
	t->stats.dels++;
	return 0;
}

int kv_pin(struct kv_table *t, const char *key, int pinned)
{
	struct kv_entry *e = *find_slot(t, key, hash_str(key));
	if (!e)
		return -1;
	e->pinned = pinned != 0;
	return 0;
}

int kv_foreach(struct kv_table *t, int (*fn)(struct kv_entry *, void *), void *arg)
{
	for (struct list_node *n = t->lru.next; n != &t->lru;) {
		struct kv_entry *e = container_of(n, struct kv_entry, lru);
		n = n->next;
		int rc = fn(e, arg);
		if (rc)
			return rc;
	}
	return 0;
}

void kv_destroy(struct kv_table *t)
{
	while (!list_empty(&t->lru)) {
		struct kv_entry *e = container_of(t->lru.next, struct kv_entry, lru);
		unlink_entry(t, e);
		entry_free(e);
	}
	free(t->buckets);
	free(t);
}
