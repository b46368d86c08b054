/* session.c -- kvs: the list of open sessions and their life cycle. */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static struct list_node s_open = LIST_HEAD_INIT(s_open);
static uint32_t s_next_id = 1;
static unsigned s_nopen;
static const char *const s_state_names[] = {"new", "auth", "active", "closing", "closed"};

struct session *session_open(struct kv_table *store, const char *user, int is_admin)
{
	struct session *s = xcalloc(1, sizeof *s);
	s->id = s_next_id++;
	s->state = SESS_NEW;
	s->is_admin = is_admin != 0;
	snprintf(s->user, sizeof s->user, "%s", user);
	s->store = store;
	s->limits.max_keys = is_admin ? 0 : 64;
	s->limits.max_reply = 4096;
	sbuf_init(&s->out);
	list_add_head(&s_open, &s->link);
	s_nopen++;
	return s;
}

void session_close(struct session *s)
{
	s->state = SESS_CLOSING;
	list_del(&s->link);
	sbuf_free(&s->out);
	s->state = SESS_CLOSED;
	s_nopen--;
	free(s);
}

struct session *session_find(uint32_t id)
{
	for (struct list_node *n = s_open.next; n != &s_open; n = n->next) {
		struct session *s = container_of(n, struct session, link);
		if (s->id == id)
			return s;
	}
	return NULL;
}

unsigned session_count(void)
{
	return s_nopen;
}

enum sess_state session_advance(struct session *s)
{
	if (s->state < SESS_ACTIVE)
		s->state++;
	return (enum sess_state)s->state;
}

const char *session_state_name(enum sess_state st)
{
	return (unsigned)st < 5 ? s_state_names[st] : "?";
}

unsigned session_close_all(void)
{
	unsigned n = 0;
	while (!list_empty(&s_open)) {
		session_close(container_of(s_open.next, struct session, link));
		n++;
	}
	return n;
}
