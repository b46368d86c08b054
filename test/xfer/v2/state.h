/* v2/state.h -- new version of the xfer test state: the types after every supported change (v1/state.c has the old ones). */
#ifndef TTST_TEST_XFER_V2_STATE_H
#define TTST_TEST_XFER_V2_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <ttst.h>

enum color { BLUE = 5, RED = 7, GREEN = 9, PURPLE = 11 }; /* renumbered, YELLOW dropped */
typedef long count_t;					   /* was int */

struct inner {	    /* reordered, a widened, tag grown */
	char tag[8];
	long a;
};

struct rec {
	char name[16];	   /* moved, grown */
	long id;	   /* widened */
	unsigned flags : 5; /* wider bitfield */
	int big;	   /* narrowed: range checked */
	double ratio;	   /* int -> double */
	int exact;	   /* double -> int (exact values only) */
	enum color col;	   /* by enumerator name */
	struct inner in[3]; /* grown array of changed structs */
	short trunc[2];	   /* truncated: dropped elements must be zero */
	count_t cnt;	   /* typedef changed */
	int on;		   /* _Bool -> int */
	double f;	   /* float -> double */
	int added;	   /* new: zero on the heap, initial value in statics */
};			   /* "dropped" is gone */

struct node {
	long v;
	char pad[8];
	struct node *next;
};

struct tree {
	int key;
	struct tree *r, *l;
};

struct list_head {
	struct list_head *prev, *next;
};

struct entry { /* the list node moved to the front: container_of pointers follow it */
	struct list_head lru;
	long hits;
	char key[16];
	long value; /* renamed from val (TTST_RENAME_MEMBER) */
};

struct hent {
	struct hent *next;
	char *k;
};

struct msg {
	long len;
	int kind;
	char data[];
};

struct item {
	long b;
	long a;
	long c;
};

union val {
	long l;
	struct node *p;
};

struct holder {
	IXFER(union val) v;
	int kind;
};

struct conn {
	int fd;
	PXFER(uintptr_t) peer;
};

extern struct rec g_rec, g_recs[3], *g_heap_recs, *g_rp, *g_prec;
extern struct node *g_list;
extern struct tree *g_root;
extern struct list_head g_lru;
extern struct entry *g_entries[4];
extern struct hent *g_buckets[8];
extern int g_arr[12], *g_cursor;
extern char *g_kp, *g_pname, *g_asp, *g_map;
extern const char *g_greet, *g_v1only;
extern int op_inc(int), op_dec(int), op_neg(int);
extern int (*g_ops[3])(int);
extern int (*g_cmp)(const char *, const char *);
extern FILE *g_out;
extern struct msg *g_msg;
extern struct item *g_items;
extern size_t g_nitems;
extern struct holder g_hold;
extern struct conn g_conn;
extern void *g_raw, *g_keep, *g_lib, *g_blob;
extern int new_name, g_init_ran, g_v2_only, g_entry_cb_calls, g_obj_cb_calls, *g_dang;
extern long g_p2i;
extern union val g_uni;

int next_id(void);
int state_file_static(void);
int state2_file_static(void);
const char *v2_hello(void);

/* The CUnit driver (test_state.c); main's locals are passed to it. */
int xt_main(int argc, char **argv, int *counter, struct node **head);

#endif
