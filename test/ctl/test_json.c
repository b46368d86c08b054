/* test_json.c -- CUnit tests of ctl/json.c: structure, commas and escaping of every byte. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* Returns (heap) the JSON string literal that ctl_json_quote makes of s. */
static char *quote(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ctl_json_quote(f, s);
	fclose(f);
	return buf;
}

/* Asserts that quoting in gives want. */
static void expect(const char *in, const char *want)
{
	char *got = quote(in);
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want))
		fprintf(stderr, "\n  got %s want %s\n", got, want);
	free(got);
}

static void test_escapes(void)
{
	expect("", "\"\"");
	expect("plain text", "\"plain text\"");
	expect("q\"b\\s/", "\"q\\\"b\\\\s/\"");
	expect("\n\t\r\b\f", "\"\\n\\t\\u000d\\u0008\\u000c\"");
	expect("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	expect("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	       "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	expect("\xc3", "\"\\u00c3\"");					/* truncated sequence */
	expect("\xc3(", "\"\\u00c3(\"");				/* bad continuation */
	expect("\xc0\x80", "\"\\u00c0\\u0080\"");			/* overlong NUL */
	expect("\xe0\x80\xaf", "\"\\u00e0\\u0080\\u00af\"");		/* overlong '/' */
	expect("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");		/* surrogate */
	expect("\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\""); /* > U+10FFFF */
	expect("\xff\xfe", "\"\\u00ff\\u00fe\"");
}

/* Every byte 1..255 alone: the output is quoted, printable ASCII only or
 * passed-through valid UTF-8, and contains no raw control character. */
static void test_every_byte(void)
{
	for (int c = 1; c < 256; c++) {
		char in[2] = {(char)c, 0};
		char *got = quote(in);
		size_t n = strlen(got);
		CU_ASSERT(n >= 3 && got[0] == '"' && got[n - 1] == '"');
		for (size_t i = 0; i < n; i++)
			CU_ASSERT((unsigned char)got[i] >= 0x20 && (unsigned char)got[i] < 0x7f);
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			CU_ASSERT_EQUAL(n, 3);
		free(got);
	}
}

static void test_structure(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct ctl_json j;
	ctl_json_init(&j, f);
	ctl_json_obj(&j, NULL);
	ctl_json_str(&j, "s", "x");
	ctl_json_str(&j, "n", NULL);
	ctl_json_int(&j, "i", -42);
	ctl_json_uint(&j, "u", 18446744073709551615ull);
	ctl_json_bool(&j, "t", 1);
	ctl_json_bool(&j, "f", 0);
	ctl_json_null(&j, "z");
	ctl_json_arr(&j, "a");
	ctl_json_obj(&j, NULL);
	ctl_json_obj_end(&j);
	ctl_json_arr(&j, NULL);
	ctl_json_arr_end(&j);
	ctl_json_int(&j, NULL, 1);
	ctl_json_arr_end(&j);
	ctl_json_obj(&j, "o\"k");
	ctl_json_obj_end(&j);
	ctl_json_obj_end(&j);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(buf,
			       "{\"s\":\"x\",\"n\":null,\"i\":-42,\"u\":18446744073709551615,"
			       "\"t\":true,\"f\":false,\"z\":null,\"a\":[{},[],1],\"o\\\"k\":{}}");
	free(buf);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("json", NULL, NULL);
	CU_add_test(s, "escapes", test_escapes);
	CU_add_test(s, "every byte", test_every_byte);
	CU_add_test(s, "structure", test_structure);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
