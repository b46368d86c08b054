/* test_ptrarr.c -- CUnit: large arrays of pointers (a heap array and a static one), which the
 * engine translates in the order of the addresses they hold (runtime/xfer_ptrarr.c), come out as
 * element-by-element translation would make them; a bad element is named by its index. */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "v2/ptrarr.h"
#include "xt_src.h"

static const char *v1_prog;

/* The node element i points to or into (v1's rule), checked through its
 * self pointer and id; 0 if it is right. */
static int check_elem(struct node *const *a, unsigned i, const char *which)
{
	long want = (long)((i * 7919u) % NNODES);
	const char *p = (const char *)a[i];
	const struct node *n = NULL;
	switch (i % 6) {
	case 0:
		if (!p)
			return 0;
		break;
	case 1:
	case 5:
		n = (const struct node *)p;
		break;
	case 2:
		n = p ? (const struct node *)(p - offsetof(struct node, name)) : NULL;
		break;
	case 3:
		if (p == (const char *)&g_static_node)
			return 0;
		break;
	default:
		n = p ? (const struct node *)p - 1 : NULL;
		break;
	}
	if (n && n->self == n && n->id == want && !strcmp(n->name, "node") && !n->added)
		return 0;
	fprintf(stderr, "xfer-ptrarr: %s[%u] = %p is wrong (rule %u, node %ld)\n", which, i,
		(const void *)p, i % 6, want);
	return -1;
}

static void test_translated(void)
{
	struct xt t;
	struct ttst_xfer_report rep;
	CU_ASSERT_FATAL(xt_start(&t, v1_prog, "") == 0);
	int r = ttst_xfer_run(&t.src, &rep);
	xt_stop(&t);
	if (r < 0)
		fprintf(stderr, "xfer-ptrarr: %s\n", rep.error);
	CU_ASSERT_EQUAL_FATAL(r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g_arr);
	unsigned bad = 0;
	for (unsigned i = 0; i < NARR; i++)
		bad += check_elem(g_arr, i, "g_arr") < 0;
	for (unsigned i = 0; i < NSARR; i++)
		bad += check_elem(g_sarr, i, "g_sarr") < 0;
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(g_static_node.self, &g_static_node);
	/* every non-NULL element (5 in 6), the nodes' self pointers, the static's and g_arr */
	unsigned long long want = NARR - (NARR + 5) / 6 + NSARR - (NSARR + 5) / 6 + NNODES + 2;
	if (rep.pointers != want)
		fprintf(stderr, "xfer-ptrarr: %llu pointers, want %llu\n",
			(unsigned long long)rep.pointers, want);
	CU_ASSERT_EQUAL(rep.pointers, want);
}

static void test_bad_element(void)
{
	struct ttst_xfer_report rep;
	CU_ASSERT_EQUAL(xt_transfer(v1_prog, "bad", &rep), -1);
	char want[64];
	snprintf(want, sizeof want, "[%u]: into ", BAD_IX);
	if (!strstr(rep.error, want) || !strstr(rep.error, "points to offset 4 of struct node"))
		fprintf(stderr, "xfer-ptrarr: error '%s'\n", rep.error);
	CU_ASSERT_PTR_NOT_NULL(strstr(rep.error, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(rep.error, "points to offset 4 of struct node"));
}

int xt_ptrarr_main(int argc, char **argv)
{
	static const struct xt_test t[] = {
	    {"pointer arrays: every element as its own translation", test_translated},
	    {"pointer arrays: a bad element named by its index", test_bad_element},
	};
	return xt_cunit_main(argc, argv, &v1_prog, "xfer-ptrarr", NULL, NULL, t,
			     sizeof t / sizeof t[0]);
}
