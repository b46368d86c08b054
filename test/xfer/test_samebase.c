/* test_samebase.c -- CUnit: statics of two TUs that share a basename (net/util.c, disk/util.c) transfer to their own counterparts. */
#include <CUnit/Basic.h>

#include "xt_src.h"

int net_counter(void);
int disk_counter(void);
long net_pool(void);
long disk_pool(void);

static const char *v1_prog;

static void test_samebase(void)
{
	struct ttst_xfer_report rep;
	CU_ASSERT_EQUAL_FATAL(net_counter(), 0);
	int rc = xt_transfer(v1_prog, "", &rep);
	if (rc)
		fprintf(stderr, "\nxfer-samebase: %s\n", rep.error);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(net_counter(), 11);
	CU_ASSERT_EQUAL(disk_counter(), 22);
	CU_ASSERT_EQUAL(net_pool(), 111);
	CU_ASSERT_EQUAL(disk_pool(), 222);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OLD_VERSION_PROGRAM\n", argv[0]);
		return 2;
	}
	v1_prog = argv[1];
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("xfer-samebase", NULL, NULL);
	CU_add_test(s, "same-basename TUs keep distinct state IDs", test_samebase);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
