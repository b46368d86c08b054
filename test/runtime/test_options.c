/* test_options.c -- TTST_OPTIONS parsing: defaults, every kind of value, unknown keys, bad values.
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "options.h"
#include "tests.h"

static void test_defaults(void)
{
	struct ttst_options o;
	char err[512];
	CU_ASSERT_EQUAL(ttst_options_parse(NULL, &o, err, sizeof err), 0);
	CU_ASSERT_EQUAL(o.timeout_ms, 10000);
	CU_ASSERT_EQUAL(o.park_timeout_ms, 2000);
	CU_ASSERT_EQUAL(o.validate, 1);
	CU_ASSERT_EQUAL(o.log_level, TTST_LOG_WARN);
	CU_ASSERT_STRING_EQUAL(o.trace_file, "");
	CU_ASSERT_EQUAL(ttst_options_parse("", &o, err, sizeof err), 0);
}

static void test_values(void)
{
	struct ttst_options o;
	char err[512];
	CU_ASSERT_EQUAL(ttst_options_parse("timeout_ms=500:validate=0:log_level=debug:"
					   "trace_file=/tmp/t.log:park_timeout_ms=7",
					   &o, err, sizeof err),
			0);
	CU_ASSERT_EQUAL(o.timeout_ms, 500);
	CU_ASSERT_EQUAL(o.park_timeout_ms, 7);
	CU_ASSERT_EQUAL(o.validate, 0);
	CU_ASSERT_EQUAL(o.log_level, TTST_LOG_DEBUG);
	CU_ASSERT_STRING_EQUAL(o.trace_file, "/tmp/t.log");
}

static void test_errors(void)
{
	struct ttst_options o;
	char err[512];
	CU_ASSERT_EQUAL(ttst_options_parse("timeout_ms=5:bogus=1", &o, err, sizeof err), -1);
	CU_ASSERT_STRING_EQUAL(err, "TTST_OPTIONS: unknown key 'bogus'; valid keys: timeout_ms, "
				    "park_timeout_ms, validate, log_level, trace_file");
	static const char *bad[] = {"timeout_ms=abc",	   "timeout_ms=0", "timeout_ms=-5",
				    "timeout_ms=99999999", "validate=2",   "log_level=loud",
				    "trace_file=",	   "timeout_ms"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = 0;
		CU_ASSERT_EQUAL(ttst_options_parse(bad[i], &o, err, sizeof err), -1);
		CU_ASSERT(strstr(err, "TTST_OPTIONS: ") == err);
	}
	CU_ASSERT_EQUAL(ttst_options_parse("validate=2", &o, err, sizeof err), -1);
	CU_ASSERT_STRING_EQUAL(err, "TTST_OPTIONS: bad value '2' for validate (expected 0 or 1)");
}

int add_options_tests(void)
{
	CU_pSuite s = CU_add_suite("options", NULL, NULL);
	if (!s || !CU_add_test(s, "defaults", test_defaults) ||
	    !CU_add_test(s, "values", test_values) || !CU_add_test(s, "errors", test_errors))
		return -1;
	return 0;
}
