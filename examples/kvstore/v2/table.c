/* table.c -- kvstore v2: chained hash table of entries with an embedded LRU list and eviction. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kvstore.h"

static struct table g_table;
/* v2 only: hits of every entry since v2 took over (a global v1 does not have). */
uint64_t g_hits_total;
/* LRU sentinel: g_lru.next is the most recently used entry, g_lru.prev the least. */
static struct list_node g_lru = {&g_lru, &g_lru};

/* FNV-1a over the key; v2 must hash the same way (buckets survive the update). */
static uint32_t hash_key(const char *key)
{
	uint32_t h = 2166136261u;

	for (; *key; key++) {
		h ^= (unsigned char)*key;
		h *= 16777619u;
	}
	return h;
}

static void lru_unlink(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

static void lru_push_front(struct list_node *n)
{
	n->next = g_lru.next;
	n->prev = &g_lru;
	g_lru.next->prev = n;
	g_lru.next = n;
}

static size_t entry_cost(const struct entry *e)
{
	return (size_t)e->vlen + sizeof(*e);
}

/* Creates the table with nbuckets (a power of two).  Returns 0, or -1 if out of memory. */
int table_init(uint64_t nbuckets)
{
	g_table.buckets = calloc(nbuckets, sizeof(*g_table.buckets));
	if (!g_table.buckets)
		return -1;
	g_table.nbuckets = nbuckets;
	g_table.count = 0;
	g_table.bytes = 0;
	return 0;
}

/* Doubles the bucket array and rehashes.  On allocation failure the table stays as it is. */
static void table_grow(void)
{
	uint64_t n = g_table.nbuckets * 2, i;
	struct entry **nb = calloc(n, sizeof(*nb));

	if (!nb)
		return;
	for (i = 0; i < g_table.nbuckets; i++) {
		struct entry *e = g_table.buckets[i], *next;

		for (; e; e = next) {
			uint32_t b = hash_key(e->key) & (n - 1);

			next = e->hnext;
			e->hnext = nb[b];
			nb[b] = e;
		}
	}
	free(g_table.buckets);
	g_table.buckets = nb;
	g_table.nbuckets = n;
	g_table.grows++;
}

/* Returns the address of the link that points at key's entry (or at the NULL ending the chain). */
static struct entry **table_slot(const char *key)
{
	struct entry **p = &g_table.buckets[hash_key(key) & (g_table.nbuckets - 1)];

	while (*p && strcmp((*p)->key, key) != 0)
		p = &(*p)->hnext;
	return p;
}

static void entry_remove(struct entry **slot)
{
	struct entry *e = *slot;

	*slot = e->hnext;
	lru_unlink(&e->lru);
	g_table.count--;
	g_table.bytes -= entry_cost(e);
	free(e->value);
	free(e);
}

/* Evicts least recently used entries (never keep) until the table fits in g_cfg.maxbytes. */
static void table_evict(const struct entry *keep)
{
	while (g_cfg.maxbytes && g_table.bytes > g_cfg.maxbytes && g_lru.prev != &g_lru) {
		struct entry *victim = container_of(g_lru.prev, struct entry, lru);

		if (victim == keep)
			break;
		entry_remove(table_slot(victim->key));
		g_server_stats.evictions++;
	}
}

/* Looks key up without counting an access; an expired entry is removed and reported
 * missing.  Returns the entry (owned by the table) or NULL. */
struct entry *table_peek(const char *key, int64_t now)
{
	struct entry **slot = table_slot(key), *e = *slot;

	if (e && e->expires && e->expires <= now) {
		entry_remove(slot);
		return NULL;
	}
	return e;
}

/* Looks key up as table_peek; a hit counts in the entry's hits and g_hits_total, sets its
 * atime and becomes the most recently used entry.  Returns the entry or NULL. */
struct entry *table_get(const char *key, int64_t now)
{
	struct entry *e = table_peek(key, now);

	if (!e)
		return NULL;
	e->hits++;
	e->atime = now;
	g_hits_total++;
	lru_unlink(&e->lru);
	lru_push_front(&e->lru);
	return e;
}

/* Replaces e's value with a copy of len bytes of data, without evicting.  Returns 0, or -1
 * if out of memory (e is unchanged). */
static int entry_store_value(struct entry *e, const char *data, int64_t len)
{
	char *v = malloc(len ? (size_t)len : 1);

	if (!v)
		return -1;
	memcpy(v, data, (size_t)len);
	free(e->value);
	g_table.bytes -= e->value ? entry_cost(e) : 0;
	e->value = v;
	e->vlen = len;
	g_table.bytes += entry_cost(e);
	return 0;
}

/* Replaces e's value with a copy of len bytes of data and evicts LRU entries (never e) above
 * g_cfg.maxbytes.  Returns 0, or -1 if out of memory (e is unchanged). */
int table_set_value(struct entry *e, const char *data, int64_t len)
{
	if (entry_store_value(e, data, len) < 0)
		return -1;
	table_evict(e);
	return 0;
}

/* Stores a copy of data under key (at most KV_KEY_MAX bytes), replacing any old entry, and
 * evicts LRU entries above g_cfg.maxbytes.  Returns 0, or -1 if out of memory. */
int table_set(const char *key, uint32_t flags, int64_t expires, const char *data, int64_t len)
{
	struct entry **slot = table_slot(key), *e = *slot;

	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return -1;
		strcpy(e->key, key);
		e->lru.prev = e->lru.next = &e->lru;
		if (entry_store_value(e, data, len) < 0) {
			free(e);
			return -1;
		}
		e->hnext = *slot;
		*slot = e;
		g_table.count++;
	} else if (entry_store_value(e, data, len) < 0) {
		return -1;
	}
	e->flags = flags;
	e->expires = expires;
	e->atime = (int64_t)time(NULL);
	lru_unlink(&e->lru);
	lru_push_front(&e->lru);
	table_evict(e);
	if (g_table.count > g_table.nbuckets + g_table.nbuckets / 2)
		table_grow();
	return 0;
}

/* Removes key.  Returns 1 if it was there, 0 if not. */
int table_delete(const char *key)
{
	struct entry **slot = table_slot(key);

	if (!*slot)
		return 0;
	entry_remove(slot);
	return 1;
}

/* Number of stored entries. */
uint64_t table_count(void)
{
	return g_table.count;
}

/* Bytes accounted to stored entries (values plus entry headers). */
uint64_t table_bytes(void)
{
	return g_table.bytes;
}

/* Times the bucket array doubled since v2 started or took over (v1 does not count them). */
uint64_t table_grows(void)
{
	return g_table.grows;
}

/* Frees every entry and the bucket array. */
void table_free(void)
{
	uint64_t i;

	for (i = 0; i < g_table.nbuckets; i++)
		while (g_table.buckets[i])
			entry_remove(&g_table.buckets[i]);
	free(g_table.buckets);
	g_table.buckets = NULL;
	g_table.nbuckets = 0;
}
