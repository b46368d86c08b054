/* test_splay.c -- the splay tree against a sorted-array reference: random inserts, removes,
 * lookups. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "splay.h"
#include "tests.h"

#define NODES 4096
#define SPACE (1u << 18)
#define OPS 200000

/* Reference: indices of the nodes in the tree, sorted by start. */
static struct ttst_splay_node pool[NODES];
static int in_tree[NODES];
static int ref[NODES];
static int nref;

static unsigned long long rng = 88172645463325252ull;

static unsigned next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 11);
}

/* Position of the first reference entry with start > addr. */
static int ref_upper(uintptr_t addr)
{
	int lo = 0, hi = nref;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (pool[ref[mid]].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Node containing addr per the reference, or -1. */
static int ref_find(uintptr_t addr)
{
	int i = ref_upper(addr) - 1;
	return i >= 0 && addr < pool[ref[i]].end ? ref[i] : -1;
}

static int ref_overlaps(uintptr_t s, uintptr_t e)
{
	int i = ref_upper(s);
	if (i > 0 && pool[ref[i - 1]].end > s)
		return 1;
	return i < nref && pool[ref[i]].start < e;
}

static void ref_insert(int k)
{
	int i = ref_upper(pool[k].start);
	memmove(&ref[i + 1], &ref[i], (size_t)(nref - i) * sizeof ref[0]);
	ref[i] = k;
	nref++;
}

static void ref_remove(int k)
{
	int i = ref_upper(pool[k].start) - 1;
	CU_ASSERT_FATAL(i >= 0 && ref[i] == k);
	memmove(&ref[i], &ref[i + 1], (size_t)(nref - i - 1) * sizeof ref[0]);
	nref--;
}

static void op_insert(struct ttst_splay *t, unsigned *mism)
{
	int k = (int)(next_rand() % NODES);
	if (in_tree[k])
		return;
	uintptr_t s = 1 + next_rand() % SPACE, len = 1 + next_rand() % 96;
	pool[k].start = s;
	pool[k].end = s + len;
	int expect_ok = !ref_overlaps(s, s + len);
	int ok = ttst_splay_insert(t, &pool[k]) == 0;
	*mism += ok != expect_ok;
	if (ok) {
		in_tree[k] = 1;
		ref_insert(k);
	}
}

static void op_remove(struct ttst_splay *t, unsigned *mism)
{
	if (!nref)
		return;
	int k = ref[next_rand() % (unsigned)nref];
	*mism += ttst_splay_remove(t, &pool[k]) != 0;
	in_tree[k] = 0;
	ref_remove(k);
}

static void op_lookup(struct ttst_splay *t, unsigned *mism)
{
	uintptr_t a = next_rand() % (SPACE + 128);
	struct ttst_splay_node *n = ttst_splay_find(t, a);
	int want = ref_find(a);
	*mism += want < 0 ? n != NULL : n != &pool[want];
	/* the next range at or after a */
	int i = a ? ref_upper(a - 1) : 0;
	struct ttst_splay_node *wn = i < nref ? &pool[ref[i]] : NULL;
	struct ttst_splay_node *nx = ttst_splay_next(t, a);
	*mism += nx != wn;
}

static void test_random(void)
{
	printf("\n  splay: seed %llu, %d operations\n", rng, OPS);
	struct ttst_splay t;
	ttst_splay_init(&t);
	unsigned mism = 0;
	for (int i = 0; i < OPS; i++) {
		unsigned r = next_rand() % 10;
		if (r < 4)
			op_insert(&t, &mism);
		else if (r < 6)
			op_remove(&t, &mism);
		else
			op_lookup(&t, &mism);
	}
	CU_ASSERT_EQUAL(mism, 0);
	CU_ASSERT_EQUAL(t.count, (size_t)nref);
	/* in-order iteration visits exactly the reference, in order */
	int k = 0;
	for (struct ttst_splay_node *n = ttst_splay_next(&t, 0); n; n = ttst_splay_next(&t, n->end))
		CU_ASSERT(k < nref && n == &pool[ref[k++]]);
	CU_ASSERT_EQUAL(k, nref);
}

/* Edge cases: empty tree, empty range, adjacent ranges, base and last byte. */
static void test_edges(void)
{
	struct ttst_splay t;
	ttst_splay_init(&t);
	struct ttst_splay_node a = {100, 200, 0, 0}, b = {200, 300, 0, 0}, c = {150, 250, 0, 0};
	struct ttst_splay_node e = {400, 400, 0, 0};
	CU_ASSERT_PTR_NULL(ttst_splay_find(&t, 100));
	CU_ASSERT_EQUAL(ttst_splay_insert(&t, &e), -1);
	CU_ASSERT_EQUAL(ttst_splay_insert(&t, &a), 0);
	CU_ASSERT_EQUAL(ttst_splay_insert(&t, &b), 0); /* adjacent is fine */
	CU_ASSERT_EQUAL(ttst_splay_insert(&t, &c), -1);
	CU_ASSERT_PTR_EQUAL(ttst_splay_find(&t, 100), &a);
	CU_ASSERT_PTR_EQUAL(ttst_splay_find(&t, 199), &a);
	CU_ASSERT_PTR_EQUAL(ttst_splay_find(&t, 200), &b);
	CU_ASSERT_PTR_NULL(ttst_splay_find(&t, 99));
	CU_ASSERT_PTR_NULL(ttst_splay_find(&t, 300));
	CU_ASSERT_EQUAL(ttst_splay_remove(&t, &c), -1);
	CU_ASSERT_EQUAL(ttst_splay_remove(&t, &a), 0);
	CU_ASSERT_PTR_NULL(ttst_splay_find(&t, 150));
	CU_ASSERT_EQUAL(t.count, 1);
}

int add_splay_tests(void)
{
	CU_pSuite s = CU_add_suite("splay", NULL, NULL);
	if (!s || !CU_add_test(s, "edges", test_edges) ||
	    !CU_add_test(s, "random vs reference", test_random))
		return -1;
	return 0;
}
