/* list.h -- kvs: intrusive doubly linked lists (nodes embedded in structs). */
#ifndef KVS_LIST_H
#define KVS_LIST_H

#include <stddef.h>

struct list_node {
	struct list_node *prev;
	struct list_node *next;
};

#define LIST_HEAD_INIT(name)                                                                       \
	{                                                                                          \
		&(name), &(name)                                                                   \
	}
#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

static inline void list_init(struct list_node *h)
{
	h->prev = h->next = h;
}

static inline int list_empty(const struct list_node *h)
{
	return h->next == h;
}

/* Inserts n right after h (at the head). */
static inline void list_add_head(struct list_node *h, struct list_node *n)
{
	n->next = h->next;
	n->prev = h;
	h->next->prev = n;
	h->next = n;
}

static inline void list_del(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

/* Moves n to the head of h. */
static inline void list_move_head(struct list_node *h, struct list_node *n)
{
	list_del(n);
	list_add_head(h, n);
}

#endif
