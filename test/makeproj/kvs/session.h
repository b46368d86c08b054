/* session.h -- kvs: client sessions (state, reply buffer, permissions). */
#ifndef KVS_SESSION_H
#define KVS_SESSION_H

#include <stdint.h>

#include "kv.h"
#include "list.h"
#include "sbuf.h"

enum sess_state { SESS_NEW, SESS_AUTH, SESS_ACTIVE, SESS_CLOSING, SESS_CLOSED };

struct session {
	uint32_t id;
	unsigned state : 3; /* enum sess_state */
	unsigned is_admin : 1;
	unsigned nreq : 20;    /* requests served (saturating) */
	struct sbuf out;       /* replies not yet consumed */
	struct list_node link; /* in the list of open sessions */
	char user[16];
	struct kv_table *store;
	struct session_limits {
		unsigned max_keys;
		unsigned max_reply;
	} limits;
};

/* Opens a session on store for user (admin if is_admin). */
struct session *session_open(struct kv_table *store, const char *user, int is_admin);
void session_close(struct session *s);
struct session *session_find(uint32_t id);
unsigned session_count(void);
/* Moves the session through NEW -> AUTH -> ACTIVE; returns the new state. */
enum sess_state session_advance(struct session *s);
const char *session_state_name(enum sess_state st);
/* Closes every session still open; returns how many. */
unsigned session_close_all(void);

#endif
