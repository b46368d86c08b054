/* test_state.c -- CUnit: transfers v1/state into this (v2) process and checks every object, then the refusals. */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "v2/state.h"
#include "xt_src.h"

#define container_of(p, T, m) ((T *)((char *)(p) - offsetof(T, m)))

static const char *v1_prog;
static int *main_counter;
static struct node **main_head;
static struct ttst_xfer_report ok_rep;
static int ok_rc = -1;

static int run_ok(void)
{
	ok_rc = xt_transfer(v1_prog, "ok", &ok_rep);
	if (ok_rc < 0)
		fprintf(stderr, "transfer failed: %s\n", ok_rep.error);
	return 0;
}

static void test_ok_run(void)
{
	CU_ASSERT_EQUAL_FATAL(ok_rc, 0);
	CU_ASSERT(ok_rep.objects > 40);
	CU_ASSERT(ok_rep.pointers > 30);
	CU_ASSERT(ok_rep.transforms > 20);
	CU_ASSERT(ok_rep.conservative >= 1);
	CU_ASSERT_EQUAL(ok_rep.freed, 1); /* the re-init list node, not g_keep */
	CU_ASSERT_STRING_EQUAL((char *)g_keep, "kept");
}

static void check_rec(const struct rec *r, long id, int added)
{
	CU_ASSERT_STRING_EQUAL(r->name, "alpha");
	CU_ASSERT_EQUAL(r->id, id);
	CU_ASSERT_EQUAL(r->flags, 5);
	CU_ASSERT_EQUAL(r->big, 123456);
	CU_ASSERT_EQUAL(r->ratio, 3.0);
	CU_ASSERT_EQUAL(r->exact, 8);
	CU_ASSERT_EQUAL(r->col, BLUE);
	CU_ASSERT_EQUAL(r->in[0].a, 1);
	CU_ASSERT_STRING_EQUAL(r->in[0].tag, "ab");
	CU_ASSERT_EQUAL(r->in[1].a, 2);
	CU_ASSERT_STRING_EQUAL(r->in[1].tag, "cd");
	CU_ASSERT_EQUAL(r->in[2].a, 0);
	CU_ASSERT_EQUAL(r->trunc[0], 1);
	CU_ASSERT_EQUAL(r->trunc[1], 2);
	CU_ASSERT_EQUAL(r->cnt, 1000);
	CU_ASSERT_EQUAL(r->on, 1);
	CU_ASSERT_EQUAL(r->f, 1.5);
	CU_ASSERT_EQUAL(r->added, added);
}

static void test_types(void)
{
	CU_ASSERT_EQUAL_FATAL(ok_rc, 0);
	check_rec(&g_rec, 42, 43); /* static: initial 42 kept, object callback +1 */
	for (int i = 0; i < 3; i++)
		check_rec(&g_recs[i], i, 0);
	for (int i = 0; i < 4; i++)
		check_rec(&g_heap_recs[i], 10 + i, 0);
	CU_ASSERT_EQUAL(g_nitems, 10);
	for (long i = 0; i < 10; i++) {
		CU_ASSERT_EQUAL(g_items[i].a, i);
		CU_ASSERT_EQUAL(g_items[i].b, 2 * i);
		CU_ASSERT_EQUAL(g_items[i].c, 0);
	}
	CU_ASSERT_EQUAL(g_msg->len, 10);
	CU_ASSERT_EQUAL(g_msg->kind, 0);
	CU_ASSERT_EQUAL(memcmp(g_msg->data, "0123456789", 10), 0);
	for (int i = 0; i < 12; i++)
		CU_ASSERT_EQUAL(g_arr[i], i < 8 ? i * i : 0);
	CU_ASSERT_EQUAL(g_hold.kind, 1);
	CU_ASSERT_EQUAL(g_hold.v.l, 0x1234);
	CU_ASSERT_EQUAL(g_uni.l, 5);
	CU_ASSERT_EQUAL(new_name, 77);
	CU_ASSERT_EQUAL(next_id(), 102);
	CU_ASSERT_EQUAL(state_file_static(), 11);
	CU_ASSERT_EQUAL(state2_file_static(), 23);
	CU_ASSERT_EQUAL(g_v2_only, 31);
	CU_ASSERT_EQUAL(g_init_ran, 1);
	CU_ASSERT_EQUAL(g_obj_cb_calls, 1);
	CU_ASSERT_EQUAL(g_entry_cb_calls, 4);
	CU_ASSERT_EQUAL(*main_counter, 7);
}

static void test_pointers(void)
{
	CU_ASSERT_EQUAL_FATAL(ok_rc, 0);
	long want = 40;
	int n = 0;
	for (struct node *p = g_list; p; p = p->next, want -= 10, n++) {
		CU_ASSERT_EQUAL(p->v, want);
		CU_ASSERT_EQUAL(p->pad[0], 0);
	}
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_PTR_EQUAL(*main_head, g_list->next->next);
	CU_ASSERT_EQUAL(g_conn.peer, (uintptr_t)g_list->next);
	CU_ASSERT_EQUAL(g_conn.fd, 5);
	CU_ASSERT_EQUAL(g_p2i, (long)g_list);
	CU_ASSERT_PTR_EQUAL(((void **)g_raw)[1], g_list);
	CU_ASSERT_EQUAL(((long *)g_raw)[2], 99);
	CU_ASSERT_EQUAL(g_root->key, 50);
	CU_ASSERT_EQUAL(g_root->l->key, 30);
	CU_ASSERT_EQUAL(g_root->l->r->key, 40);
	CU_ASSERT_EQUAL(g_root->r->l->key, 60);
	CU_ASSERT_EQUAL(g_root->r->r->key, 80);
	CU_ASSERT_PTR_EQUAL(g_rp, &g_heap_recs[2]);
	CU_ASSERT_PTR_EQUAL(g_pname, g_rec.name + 2);
	CU_ASSERT_PTR_EQUAL(g_prec, &g_rec);
	CU_ASSERT_PTR_EQUAL(g_cursor, &g_arr[5]);
	CU_ASSERT_PTR_EQUAL(g_kp, g_entries[1]->key + 3);
}

static void test_lists(void)
{
	CU_ASSERT_EQUAL_FATAL(ok_rc, 0);
	int k = 3;
	struct list_head *prev = &g_lru;
	for (struct list_head *l = g_lru.next; l != &g_lru && k >= -1; l = l->next, k--) {
		struct entry *e = container_of(l, struct entry, lru);
		char key[16];
		snprintf(key, sizeof key, "key%d", k);
		CU_ASSERT_STRING_EQUAL(e->key, key);
		CU_ASSERT_EQUAL(e->value, k * 100);
		CU_ASSERT_EQUAL(e->hits, 1000 + k * 100);
		CU_ASSERT_PTR_EQUAL(l->prev, prev);
		CU_ASSERT_PTR_EQUAL(e, g_entries[k]);
		prev = l;
	}
	CU_ASSERT_EQUAL(k, -1);
	CU_ASSERT_PTR_EQUAL(g_lru.prev, prev);
	int found = 0;
	for (int b = 0; b < 8; b++)
		for (struct hent *h = g_buckets[b]; h; h = h->next) {
			CU_ASSERT(b < 3 && h->k[0] == 'h' && h->k[1] == 'k');
			found |= 1 << (h->k[2] - '0');
		}
	CU_ASSERT_EQUAL(found, 0x3f);
}

static void test_targets(void)
{
	CU_ASSERT_EQUAL_FATAL(ok_rc, 0);
	CU_ASSERT_PTR_EQUAL(g_greet, v2_hello());
	CU_ASSERT_STRING_EQUAL(g_v1only, "only in v1");
	CU_ASSERT_PTR_EQUAL(g_ops[0], op_inc);
	CU_ASSERT_PTR_EQUAL(g_ops[1], op_dec);
	CU_ASSERT_PTR_EQUAL(g_ops[2], op_neg);
	CU_ASSERT_PTR_EQUAL(g_cmp, strcmp);
	CU_ASSERT_PTR_EQUAL(g_out, stdout);
	CU_ASSERT_STRING_EQUAL(g_asp, "asp=5");
	CU_ASSERT_EQUAL(((int *)g_blob)[0], 17); /* site without counterpart, no pointers */
	CU_ASSERT_EQUAL(((int *)g_blob)[1], 19);
	CU_ASSERT_STRING_EQUAL(g_map, "mapped region");
	CU_ASSERT_STRING_EQUAL(g_map + 5000, "second page");
}

/* Replaces every "0x<hex digits>" in s by "0x?" (addresses differ per run). */
static void mask_addrs(char *s)
{
	char *w = s;
	for (const char *r = s; *r;) {
		if (r[0] == '0' && r[1] == 'x' && isxdigit((unsigned char)r[2])) {
			for (r += 2; isxdigit((unsigned char)*r); r++)
				;
			memcpy(w, "0x?", 3); /* at least 3 characters were read */
			w += 3;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/* A refusal: the transfer fails and the message is exactly `want` (addresses masked). */
static void refused(const char *mode, const char *want)
{
	struct ttst_xfer_report rep;
	CU_ASSERT_EQUAL(xt_transfer(v1_prog, mode, &rep), -1);
	mask_addrs(rep.error);
	if (strcmp(rep.error, want))
		fprintf(stderr, "\n%s: got  '%s'\n%*s  want '%s'\n", mode, rep.error,
			(int)strlen(mode), "", want);
	CU_ASSERT_STRING_EQUAL(rep.error, want);
}

/* Value-dependent refusals: v1/state.c sets up one bad value per mode. */
static void test_refuse_overflow(void)
{
	refused("overflow",
		"g_rec.big: value 1099511627776 does not fit in the new type (signed 32 bits, range -2147483648..2147483647)");
}

static void test_refuse_lossy(void)
{
	refused("lossy",
		"g_rec.exact: value 2.5 is not an integer the new type can hold exactly");
}

static void test_refuse_enum(void)
{
	refused("enum",
		"g_recs[1].col: enumerator YELLOW of enum color does not exist in enum color");
}

static void test_refuse_trunc(void)
{
	refused("trunc",
		"setup_recs:g_heap_recs:0#0[3].trunc: array shrinks from 4 to 2 elements but element 3 is not zero");
}

static void test_refuse_union(void)
{
	refused("union",
		"g_uni: union holds a pointer (0x?, into setup_links:n:0#4); annotate it IXFER or PXFER");
}

static void test_refuse_dangling(void)
{
	refused("dangling",
		"g_dang: dangling pointer 0x?: it points into no live object of the old version (freed memory?)");
}

static void test_refuse_libdata(void)
{
	refused("libdata",
		"g_lib: points into /usr/lib/x86_64-linux-gnu/libc.so.6 (data of a library ttst does not describe); annotate the member IXFER to copy the address unchanged, or set it in a transfer callback");
}

static void test_refuse_stack(void)
{
	refused("stack",
		"g_dang: pointer 0x? points into the old version's stack, not into a local that is part of the state (mark its function TTST_STATEFUL)");
}

static void test_refuse_orphan(void)
{
	refused("orphan", "mk_orphan:o:0#0: allocation site mk_orphan:o:0 (state.c:142) has no "
			  "counterpart in the new version and its objects (struct node) hold "
			  "pointers; keep the site or transfer them in a callback");
}

static void add_refusals(CU_pSuite s)
{
	CU_add_test(s, "refuse: site without counterpart, with pointers", test_refuse_orphan);
	CU_add_test(s, "refuse: overflowing narrowing", test_refuse_overflow);
	CU_add_test(s, "refuse: lossy double -> int", test_refuse_lossy);
	CU_add_test(s, "refuse: dropped enumerator", test_refuse_enum);
	CU_add_test(s, "refuse: truncated array with data", test_refuse_trunc);
	CU_add_test(s, "refuse: unannotated union holding a pointer", test_refuse_union);
	CU_add_test(s, "refuse: dangling pointer", test_refuse_dangling);
	CU_add_test(s, "refuse: pointer into a library's data", test_refuse_libdata);
	CU_add_test(s, "refuse: pointer into the stack", test_refuse_stack);
}

int xt_main(int argc, char **argv, int *counter, struct node **head)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s V1_PROGRAM\n", argv[0]);
		return 2;
	}
	v1_prog = argv[1];
	main_counter = counter;
	main_head = head;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("xfer-state", run_ok, NULL);
	CU_add_test(s, "transfer ok", test_ok_run);
	CU_add_test(s, "type transformations", test_types);
	CU_add_test(s, "pointers", test_pointers);
	CU_add_test(s, "container_of lists and chains", test_lists);
	CU_add_test(s, "literals, functions, libraries, mmap", test_targets);
	add_refusals(s);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned fails = CU_get_number_of_failures();
	CU_cleanup_registry();
	return fails ? 1 : 0;
}
