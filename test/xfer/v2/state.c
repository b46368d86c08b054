/* v2/state.c -- new version of the xfer test state: same sites as v1, changed types, annotations. */
#include "state.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct rec g_rec = {.added = 42};
struct rec g_recs[3];
struct node *g_list;
struct tree *g_root;
struct list_head g_lru = {&g_lru, &g_lru};
struct entry *g_entries[4];
struct hent *g_buckets[8];
int g_arr[12];
int *g_cursor;
struct rec *g_heap_recs;
struct rec *g_rp;
char *g_kp;
char *g_pname;
struct rec *g_prec;
const char *g_greet;
const char *g_v1only;
int (*g_ops[3])(int) = {op_neg, op_inc, op_dec};
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
int new_name;
PXFER(long) g_p2i;
union val g_uni;
int *g_dang;
void *g_lib;
static int file_static;
int g_init_ran;
int g_v2_only = 31;
void *g_keep;
void *g_blob;
int g_entry_cb_calls, g_obj_cb_calls;

TTST_RENAME("old_name", "new_name");
TTST_RENAME_MEMBER("struct entry", "val", "value");

static int entry_cb(const struct ttst_xfer_obj *o)
{
	struct entry *e = o->new_obj;
	e->hits = 1000 + e->value;
	g_entry_cb_calls++;
	return strcmp(o->old_type, "struct entry") != 0 || o->old_size != 32;
}
TTST_TYPE_CALLBACK("struct entry", entry_cb);

static int rec_cb(const struct ttst_xfer_obj *o)
{
	struct rec *r = o->new_obj;
	r->added += 1;
	g_obj_cb_calls++;
	return 0;
}
TTST_OBJECT_CALLBACK("g_rec", rec_cb);

static int init_cb(void)
{
	g_init_ran = 1;
	return 0;
}
TTST_INIT_CALLBACK(init_cb);

int op_inc(int x) { return x + 1; }
int op_dec(int x) { return x - 1; }
int op_neg(int x) { return -x; }

int next_id(void)
{
	static int n = 100;
	return n++;
}

int state_file_static(void) { return file_static; }
const char *v2_hello(void) { return "hello"; }

/* The same allocation statements as v1 (same site IDs); never called here. */
void setup_recs(void)
{
	g_heap_recs = malloc(4 * sizeof *g_heap_recs);
}

struct tree *tree_add(struct tree *t, int key)
{
	if (!t) {
		t = calloc(1, sizeof *t);
		t->key = key;
		return t;
	}
	return t;
}

void setup_links(void)
{
	struct node *n = malloc(sizeof *n);
	n->next = g_list;
	g_list = n;
	struct entry *e = calloc(1, sizeof *e);
	g_entries[0] = e;
	struct hent *h = malloc(sizeof *h);
	h->k = strdup("x");
	g_buckets[0] = h;
}

void setup_misc(void)
{
	g_greet = "hello";
	g_msg = malloc(sizeof *g_msg + 10);
	g_items = malloc(g_nitems * sizeof *g_items);
	g_items = realloc(g_items, g_nitems * sizeof *g_items);
	size_t rawn = 4 * sizeof(void *);
	g_raw = malloc(rawn);
	g_map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* Re-initialisation: a list node the transfer makes unreferenced (freed),
 * and a v2-only object that stays referenced. */
static struct node *mk_node(long v)
{
	struct node *n = calloc(1, sizeof *n);
	n->v = v;
	return n;
}

int main(int argc, char **argv)
{
	int counter = 0;
	struct node *head = NULL;
	g_list = mk_node(-1);
	g_keep = malloc(32);
	strcpy(g_keep, "kept");
	return xt_main(argc, argv, &counter, &head);
}
