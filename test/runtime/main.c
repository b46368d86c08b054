/* main.c -- runs the runtime's CUnit suites (splay tree, allocator, foreign pointers, registry,
 * threads, options). */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests.h"
#include "ttst/interface.h"

struct fx_node fx_g_node;
int fx_g_arr[4];

int fx_func(void)
{
	return 42;
}

static _Alignas(8) char fixture_section[2][4096];
static size_t fixture_len[2];

struct ttst_tu_hdr *fixture_tu(int which)
{
	return (struct ttst_tu_hdr *)(which ? fixture_section[0] + fixture_len[0]
					    : fixture_section[0]);
}

int fixture_register(void)
{
	static int done;
	if (done)
		return 0;
	void *addrs[FX_NSTATICS] = {&fx_g_node, fx_g_arr, NULL, NULL, (void *)fx_func};
	/* two TUs back to back in one "section" */
	fixture_len[0] =
	    fixture_build(fixture_section[0], sizeof fixture_section[0], "fx.c", addrs);
	fixture_len[1] = fixture_build(fixture_section[0] + fixture_len[0],
				       sizeof fixture_section - fixture_len[0], "fy.c", addrs);
	if (!fixture_len[0] || !fixture_len[1])
		return -1;
	const char *start = fixture_section[0];
	if (__ttst_register_module(start, start + fixture_len[0] + fixture_len[1]) < 0)
		return -1;
	done = 1;
	return 0;
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (fixture_register() < 0) {
		fprintf(stderr, "runtime tests: cannot register the fixture module\n");
		return 2;
	}
	if (add_splay_tests() || add_alloc_tests() || add_foreign_tests() || add_registry_tests() ||
	    add_threads_tests() || add_options_tests() || add_image_src_tests() ||
	    add_xfer_sizes_tests()) {
		fprintf(stderr, "runtime tests: cannot add the suites: %s\n", CU_get_error_msg());
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
