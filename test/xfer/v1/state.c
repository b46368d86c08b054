/* v1/state.c -- old version of the xfer test state: every kind of object and type change (see v2/state.h). */
#define _GNU_SOURCE
#include <time.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ttst.h>

#include "snap.h"

enum color { RED, GREEN, BLUE, YELLOW };
typedef int count_t;

struct inner {
	short a;
	char tag[4];
};

struct rec {
	int id;
	long big;
	unsigned flags : 3;
	int ratio;
	double exact;
	enum color col;
	int dropped;
	struct inner in[2];
	char name[8];
	short trunc[4];
	count_t cnt;
	_Bool on;
	float f;
};

struct node {
	int v;
	struct node *next;
};

struct tree {
	struct tree *l, *r;
	int key;
};

struct list_head {
	struct list_head *prev, *next;
};

struct entry {
	char key[8];
	int val;
	struct list_head lru;
};

struct hent {
	char *k;
	struct hent *next;
};

struct msg {
	int len;
	char data[];
};

struct item {
	int a;
	int b;
};

union val {
	long l;
	struct node *p;
};

struct holder {
	int kind;
	IXFER(union val) v;
};

struct conn {
	PXFER(uintptr_t) peer;
	int fd;
};

struct rec g_rec;
struct rec g_recs[3];
struct node *g_list;
struct tree *g_root;
struct list_head g_lru = {&g_lru, &g_lru};
struct entry *g_entries[4];
struct hent *g_buckets[8];
int g_arr[8];
int *g_cursor;
struct rec *g_heap_recs;
struct rec *g_rp;
char *g_kp;
char *g_pname;
struct rec *g_prec;
const char *g_greet;
const char *g_v1only;
int op_inc(int x);
int op_dec(int x);
int op_neg(int x);
int (*g_ops[3])(int) = {op_inc, op_dec, op_neg};
int (*g_cmp)(const char *, const char *);
FILE *g_out;
struct msg *g_msg;
struct item *g_items;
size_t g_nitems;
struct holder g_hold;
struct conn g_conn;
void *g_raw;
char *g_asp;
char *g_map;
int old_name = 77;
void *g_p2i;
union val g_uni;
int *g_dang;
void *g_lib;
static int file_static = 11;
struct pod {
	int a, b;
};
struct pod *g_blob;
struct node *g_orphan;

/* Sites the new version does not have: pointer-free objects are copied as
 * bytes, objects with pointers are refused. */
struct pod *mk_blob(void)
{
	struct pod *p = malloc(sizeof *p);
	p->a = 17;
	p->b = 19;
	return p;
}

struct node *mk_orphan(void)
{
	struct node *o = malloc(sizeof *o);
	o->v = 1;
	o->next = NULL;
	return o;
}

int op_inc(int x) { return x + 1; }
int op_dec(int x) { return x - 1; }
int op_neg(int x) { return -x; }

int next_id(void)
{
	static int n = 100;
	return n++;
}

void state2_setup(void);

void setup_recs(void)
{
	struct rec r = {.id = 42, .big = 123456, .flags = 5, .ratio = 3, .exact = 8.0, .col = BLUE,
			.dropped = 9, .in = {{1, "ab"}, {2, "cd"}}, .name = "alpha", .trunc = {1, 2},
			.cnt = 1000, .on = 1, .f = 1.5f};
	g_rec = r;
	for (int i = 0; i < 3; i++) {
		g_recs[i] = r;
		g_recs[i].id = i;
	}
	g_heap_recs = malloc(4 * sizeof *g_heap_recs);
	for (int i = 0; i < 4; i++) {
		g_heap_recs[i] = r;
		g_heap_recs[i].id = 10 + i;
	}
	g_rp = &g_heap_recs[2];
	g_pname = g_rec.name + 2;
	g_prec = &g_rec;
}

struct tree *tree_add(struct tree *t, int key)
{
	if (!t) {
		t = calloc(1, sizeof *t);
		t->key = key;
		return t;
	}
	if (key < t->key)
		t->l = tree_add(t->l, key);
	else
		t->r = tree_add(t->r, key);
	return t;
}

void setup_links(void)
{
	for (int i = 0; i < 5; i++) {
		struct node *n = malloc(sizeof *n);
		n->v = i * 10;
		n->next = g_list;
		g_list = n;
	}
	static const int keys[] = {50, 30, 70, 20, 40, 60, 80};
	for (int i = 0; i < 7; i++)
		g_root = tree_add(g_root, keys[i]);
	for (int i = 0; i < 4; i++) {
		struct entry *e = calloc(1, sizeof *e);
		snprintf(e->key, sizeof e->key, "key%d", i);
		e->val = i * 100;
		e->lru.next = g_lru.next; /* push front */
		e->lru.prev = &g_lru;
		g_lru.next->prev = &e->lru;
		g_lru.next = &e->lru;
		g_entries[i] = e;
	}
	g_kp = g_entries[1]->key + 3;
	for (int i = 0; i < 6; i++) {
		struct hent *h = malloc(sizeof *h);
		char k[16];
		snprintf(k, sizeof k, "hk%d", i);
		h->k = strdup(k);
		h->next = g_buckets[i % 3];
		g_buckets[i % 3] = h;
	}
	for (int i = 0; i < 8; i++)
		g_arr[i] = i * i;
	g_cursor = &g_arr[5];
}

void setup_misc(void)
{
	g_greet = "hello";
	g_v1only = "only in v1";
	g_cmp = strcmp;
	g_out = stdout;
	g_msg = malloc(sizeof *g_msg + 10);
	g_msg->len = 10;
	memcpy(g_msg->data, "0123456789", 10);
	g_nitems = 2;
	g_items = malloc(g_nitems * sizeof *g_items);
	for (size_t i = 0; i < 10; i++) {
		if (i == g_nitems) {
			g_nitems *= 2;
			g_items = realloc(g_items, g_nitems * sizeof *g_items);
		}
		g_items[i] = (struct item){(int)i, (int)(i * 2)};
	}
	g_nitems = 10;
	g_hold.kind = 1;
	g_hold.v.l = 0x1234;
	g_conn.peer = (uintptr_t)g_list->next;
	g_conn.fd = 5;
	size_t rawn = 4 * sizeof(void *);
	g_raw = malloc(rawn);
	memset(g_raw, 0, rawn);
	((void **)g_raw)[1] = g_list;
	((long *)g_raw)[2] = 99;
	if (asprintf(&g_asp, "asp=%d", 5) < 0)
		g_asp = NULL;
	g_map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strcpy(g_map, "mapped region");
	strcpy(g_map + 5000, "second page");
	g_p2i = g_list;
	g_blob = mk_blob();
	g_uni.l = 5;
	next_id();
	next_id(); /* static local is 102 now */
	(void)file_static;
}

/* Value-dependent refusals: one per mode. */
static void setup_mode(const char *mode)
{
	if (!strcmp(mode, "overflow"))
		g_rec.big = 1L << 40;
	else if (!strcmp(mode, "lossy"))
		g_rec.exact = 2.5;
	else if (!strcmp(mode, "enum"))
		g_recs[1].col = YELLOW;
	else if (!strcmp(mode, "trunc"))
		g_heap_recs[3].trunc[3] = 9;
	else if (!strcmp(mode, "union"))
		g_uni.p = g_list;
	else if (!strcmp(mode, "dangling")) {
		g_dang = malloc(64);
		free(g_dang);
	} else if (!strcmp(mode, "orphan")) {
		g_orphan = mk_orphan();
	} else if (!strcmp(mode, "libdata"))
		g_lib = (void *)tzname;
	else if (!strcmp(mode, "stack")) {
		static int *volatile keep;
		int on_stack = 3;
		keep = &on_stack;
		g_dang = keep;
		xt_serve(); /* the frame must stay alive */
	}
}

int main(int argc, char **argv)
{
	int counter = 7;
	struct node *head;
	setup_recs();
	setup_links();
	setup_misc();
	state2_setup();
	head = g_list->next->next;
	(void)counter;
	(void)head;
	setup_mode(argc > 1 ? argv[1] : "ok");
	xt_serve();
}
