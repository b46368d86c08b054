/* test_p2i.c -- CUnit: a pointer->integer change without PXFER is refused; the pure rules (xfer_rules.c) on real blobs. */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <string.h>

#include "sites.h"
#include "v2/p2i.h"
#include "xfer_rules.h"
#include "xt_src.h"

static const char *v1_prog;
static struct xt old;
static const struct ttst_tu_hdr *mine[64];
static size_t nmine;

static int collect(const struct ttst_tu_ent *e, void *arg)
{
	(void)arg;
	if (nmine < sizeof mine / sizeof mine[0])
		mine[nmine++] = e->tu;
	return 0;
}

/* The first type called name in the n blobs tus (idx TTST_NO_TYPE if none). */
static struct ttst_tref find(const struct ttst_tu_hdr *const *tus, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		for (uint32_t t = 0; t < tus[i]->ntypes; t++)
			if (!strcmp(ttst_meta_str(tus[i], ttst_meta_types(tus[i])[t].name), name))
				return (struct ttst_tref){tus[i], t};
	return (struct ttst_tref){tus[0], TTST_NO_TYPE};
}

static void classify(const char *a, const char *b, enum ttst_verdict want, const char *why)
{
	char got[512];
	struct ttst_tref ta = find(old.src.tus, old.src.ntus, a), tb = find(mine, nmine, b);
	CU_ASSERT_FATAL(ta.idx != TTST_NO_TYPE && tb.idx != TTST_NO_TYPE);
	enum ttst_verdict v = ttst_rules_classify(ta, tb, NULL, got, sizeof got);
	if (v != want || strcmp(got, why))
		fprintf(stderr, "\n%s -> %s: got %s '%s'\n", a, b, ttst_verdict_name(v), got);
	CU_ASSERT_EQUAL(v, want);
	CU_ASSERT_STRING_EQUAL(got, why);
}

static int setup(void)
{
	ttst_site_foreach_tu(collect, NULL);
	return nmine && xt_start(&old, v1_prog, "") == 0 ? 0 : -1;
}

static int teardown(void)
{
	xt_stop(&old);
	return 0;
}

static void test_refuse_p2i(void)
{
	struct ttst_xfer_report rep;
	CU_ASSERT_EQUAL(ttst_xfer_run(&old.src, &rep), -1);
	CU_ASSERT_STRING_EQUAL(rep.error, "g_p2i_bad: pointer became integer type; annotate it "
					  "PXFER to keep the pointer, or IXFER to copy the old "
					  "address");
}

static void test_rules(void)
{
	classify("struct rec", "struct rec", TTST_V_ANNOTATE,
		 "struct rec.peer: pointer became integer type; annotate it PXFER to keep the "
		 "pointer, or IXFER to copy the old address");
	classify("struct node", "struct node", TTST_V_AUTO, "struct node.v: widened from 4 to 8 bytes");
	classify("enum color", "enum color", TTST_V_AUTO,
		 "enum color: enum changed: values mapped by enumerator name");
	classify("union u", "union u", TTST_V_ANNOTATE,
		 "union u: union with pointer members changed; annotate it IXFER or PXFER");
	classify("struct node", "int", TTST_V_IMPOSSIBLE,
		 "struct node: type 'struct node' became 'int'");
	classify("int", "int", TTST_V_SAME, "int: identical layout");
	classify("short[4]", "short[2]", TTST_V_AUTO,
		 "short[4]: array truncated (dropped elements must be zero) from 4 to 2 elements");
	CU_ASSERT_STRING_EQUAL(ttst_verdict_name(TTST_V_ANNOTATE), "needs annotation");
}

static void test_match_renames(void)
{
	struct ttst_tref a = find(old.src.tus, old.src.ntus, "struct node");
	struct ttst_tref b = find(mine, nmine, "struct node");
	struct ttst_rule_rename r = {"struct node", "next", "v"};
	struct ttst_rule_renames rn = {&r, 1};
	CU_ASSERT_EQUAL(ttst_rule_match(a, 0, b, NULL), 0);  /* v */
	CU_ASSERT_EQUAL(ttst_rule_match(a, 1, b, NULL), 1);  /* next */
	CU_ASSERT_EQUAL(ttst_rule_match(a, 1, b, &rn), 0);   /* next renamed to v */
	CU_ASSERT_EQUAL(ttst_rule_match(a, 2, b, NULL), -1); /* no such member */
}

int xt_p2i_main(int argc, char **argv)
{
	static const struct xt_test t[] = {
	    {"rules: classification", test_rules},
	    {"rules: member matching and renames", test_match_renames},
	    {"refuse: pointer became integer without PXFER", test_refuse_p2i},
	};
	return xt_cunit_main(argc, argv, &v1_prog, "xfer-p2i", setup, teardown, t,
			     sizeof t / sizeof t[0]);
}
