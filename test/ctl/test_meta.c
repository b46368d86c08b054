/* test_meta.c -- CUnit tests of runtime/meta.c: validation of hostile TU blobs and section walking.
 */
#include <CUnit/Basic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_blob.h"
#include "ttst/meta.h"

#define CAP 16384

/* The fixture section: blob A, one zero padding word, blob B. */
static unsigned char sec[2 * CAP] __attribute__((aligned(8)));
static size_t len_a, len_b, sec_len;
static char err[256];

/* Rebuilds the pristine fixture section. */
static void build(void)
{
	memset(sec, 0, sizeof(sec));
	len_a = fixture_blob_build(FIXTURE_A, sec, CAP);
	len_b = fixture_blob_build(FIXTURE_B, sec + len_a + 8, CAP);
	sec_len = len_a + 8 + len_b;
}

static struct ttst_tu_hdr *hdr_a(void)
{
	return (struct ttst_tu_hdr *)sec;
}

/* Walk callback: counts blobs. */
static int count(const struct ttst_tu_hdr *h, void *arg)
{
	(void)h;
	++*(int *)arg;
	return 0;
}

/* Checks blob A after an edit (resealed so the structural checks run);
 * expects failure with `want` in the message. */
static void expect_fail(const char *want)
{
	fixture_blob_reseal(sec);
	memset(err, 0, sizeof(err));
	CU_ASSERT_EQUAL(ttst_meta_check(sec, len_a, 0, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "TU blob at offset 0: "));
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	if (!strstr(err, want))
		fprintf(stderr, "\n  wanted '%s', got '%s'\n", want, err);
	build();
}

static void test_valid(void)
{
	build();
	CU_ASSERT_EQUAL(ttst_meta_check(sec, len_a, 0, err, sizeof(err)), (long)len_a);
	CU_ASSERT_EQUAL(ttst_meta_check(sec + len_a + 8, len_b, 0, err, sizeof(err)), (long)len_b);
	int n = 0;
	CU_ASSERT_EQUAL(ttst_meta_walk(sec, sec_len, count, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(n, 2);
	const struct ttst_tu_hdr *h = hdr_a();
	CU_ASSERT_STRING_EQUAL(ttst_meta_str(h, h->file), "fixture_a.c");
	CU_ASSERT_STRING_EQUAL(ttst_meta_str(h, 0xFFFFFF), "");
	CU_ASSERT_STRING_EQUAL(ttst_meta_str(h, ttst_meta_types(h)[0].name), "int");
	CU_ASSERT_PTR_NULL(ttst_meta_type(h, TTST_NO_TYPE));
}

static void test_header_errors(void)
{
	build();
	hdr_a()->magic ^= 1;
	expect_fail("bad magic");
	hdr_a()->abi_version = 2;
	expect_fail("ABI version 2; this ttst understands 1");
	hdr_a()->hdr_size = 64;
	expect_fail("header size 64");
	hdr_a()->total_size -= 4;
	expect_fail("not a multiple of 8");
	hdr_a()->total_size += 8;
	expect_fail("exceeds the");
	hdr_a()->off_addrs += 8;
	expect_fail("address array");
	hdr_a()->nstatics = 0xFFFFFFFFu;
	expect_fail("address array");
	hdr_a()->ntypes = 0xFFFFFFFFu;
	expect_fail("type array");
	hdr_a()->nmembers = 0x10000000u;
	expect_fail("member array");
	hdr_a()->off_sites = 4;
	expect_fail("site array at 4 is not 8-byte aligned");
	hdr_a()->off_enums = 0;
	expect_fail("enumerator array");
	hdr_a()->strings_size = 0;
	expect_fail("empty string table");
	hdr_a()->strings_size = 0xFFFFFFF8u;
	expect_fail("string array");
	hdr_a()->file = 0xFFFF;
	expect_fail("header 0: file string offset");
	CU_ASSERT_EQUAL(ttst_meta_check(sec, 95, 0, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "truncated header"));
	CU_ASSERT_EQUAL(ttst_meta_check(sec + 4, 200, 0, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(ttst_meta_check(sec, len_a - 8, 0, err, sizeof(err)), -1);
}

static void test_record_errors(void)
{
	build();
	struct ttst_tu_hdr *h = hdr_a();
	char *base = (char *)sec;
	struct ttst_type_rec *t = (void *)(base + h->off_types);
	struct ttst_member_rec *m = (void *)(base + h->off_members);
	struct ttst_static_rec *s = (void *)(base + h->off_statics);
	struct ttst_site_rec *a = (void *)(base + h->off_sites);
	base[h->off_strings] = 'x';
	expect_fail("does not start with an empty string");
	base[h->off_strings + h->strings_size - 1] = 'x';
	expect_fail("does not end with a NUL");
	t[2].kind = TTST_K_MAX;
	expect_fail("type 2: unknown kind 9");
	t[1].name = h->strings_size;
	expect_fail("type 1: name string offset");
	t[3].ref = h->ntypes; /* "char *" */
	expect_fail("type 3: referenced type index");
	t[5].count = h->nmembers; /* "struct entry" */
	expect_fail("member range");
	t[7].count = 3; /* "enum color" has 2 */
	expect_fail("enumerator range");
	m[0].type = 1000;
	expect_fail("member 0: member type index 1000");
	m[5].bit_offset = 9;
	expect_fail("bit offset 9");
	s[0].kind = 3;
	expect_fail("static 0: unknown kind 3");
	s[1].file = 1u << 30;
	expect_fail("static 1: file string offset");
	s[2].type = h->ntypes;
	expect_fail("static 2: its type index");
	a[0].allocator = 0xFFFFFFFFu;
	expect_fail("site 0: allocator string offset");
	a[1].type = h->ntypes + 1;
	expect_fail("site 1: its type index");
	t[0].hash ^= 1; /* not resealed: caught by the checksum */
	CU_ASSERT_EQUAL(ttst_meta_check(sec, len_a, 0, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "checksum mismatch"));
}

/* Every single-bit flip anywhere in the section is either detected or lies
 * in bytes the readers ignore (address arrays, rt_site_base). */
static void test_every_bit_flip(void)
{
	build();
	size_t rsb = offsetof(struct ttst_tu_hdr, rt_site_base), b_at = len_a + 8;
	const struct ttst_tu_hdr *ha = hdr_a(), *hb = (const void *)(sec + b_at);
	size_t bad = 0;
	for (size_t bit = 0; bit < sec_len * 8; bit++) {
		size_t at = bit / 8;
		int benign = (at >= ha->off_addrs && at < len_a) || (at >= rsb && at < rsb + 4) ||
			     (at >= b_at + hb->off_addrs && at < sec_len) ||
			     (at >= b_at + rsb && at < b_at + rsb + 4);
		sec[at] ^= (unsigned char)(1u << (bit % 8));
		int n = 0;
		int rc = ttst_meta_walk(sec, sec_len, count, &n, err, sizeof(err));
		sec[at] ^= (unsigned char)(1u << (bit % 8));
		if (benign ? rc != 0 || n != 2 : rc != -1 || !strstr(err, "TU blob at offset")) {
			if (bad++ < 5)
				fprintf(stderr, "\n  bit %zu: rc %d, %d blobs, '%s'\n", bit, rc, n,
					err);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* Cutting the section anywhere either fails or (at a blob boundary or in
 * padding) walks fewer blobs. */
static void test_truncation(void)
{
	build();
	for (size_t len = 0; len < sec_len; len++) {
		int n = 0;
		int rc = ttst_meta_walk(sec, len, count, &n, err, sizeof(err));
		int boundary = len == 0 || (len >= len_a && len <= len_a + 8);
		CU_ASSERT_EQUAL(rc, boundary ? 0 : -1);
		CU_ASSERT_EQUAL(n, len < len_a ? 0 : 1);
	}
}

/* Callback that stops the walk at the second blob. */
static int stop_at_b(const struct ttst_tu_hdr *h, void *arg)
{
	(void)arg;
	return h->nsites == 1 ? 42 : 0;
}

static void test_walk(void)
{
	build();
	int n = 0;
	static unsigned char shifted[2 * CAP + 8] __attribute__((aligned(8)));
	memcpy(shifted + 3, sec, sec_len); /* misaligned: walk copies */
	CU_ASSERT_EQUAL(ttst_meta_walk(shifted + 3, sec_len, count, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(ttst_meta_walk(sec, sec_len, stop_at_b, NULL, err, sizeof(err)), 42);
	n = 0;
	CU_ASSERT_EQUAL(ttst_meta_walk(sec, 0, count, &n, NULL, 0), 0);
	CU_ASSERT_EQUAL(ttst_meta_walk(sec + 4096 * 3, 64, count, &n, NULL, 0), 0);
	CU_ASSERT_EQUAL(n, 0);
	sec[len_a + 3] = 1; /* non-zero junk in the padding word */
	CU_ASSERT_EQUAL(ttst_meta_walk(sec, sec_len, count, &n, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "TU blob at offset"));
	CU_ASSERT_EQUAL(ttst_meta_walk(sec, sec_len, count, &n, err, 10), -1); /* short err */
	CU_ASSERT_EQUAL(strlen(err), 9);
}

/* Program-level ID tags: basename unless another TU shares it, then the
 * shortest distinguishing path suffix; IDs qualified only when needed. */
static void test_tu_tags(void)
{
	const char *paths[] = {"net/util.c", "/src/disk/util.c", "main.c",
			       "a/b/x.c",    "c/b/x.c",          "/abs/dir/main2.c"};
	size_t n = sizeof(paths) / sizeof(paths[0]);
	CU_ASSERT_STRING_EQUAL(ttst_meta_tu_tag(paths, n, 0), "net/util.c");
	CU_ASSERT_STRING_EQUAL(ttst_meta_tu_tag(paths, n, 1), "disk/util.c");
	CU_ASSERT_STRING_EQUAL(ttst_meta_tu_tag(paths, n, 2), "main.c");
	CU_ASSERT_STRING_EQUAL(ttst_meta_tu_tag(paths, n, 3), "a/b/x.c");
	CU_ASSERT_STRING_EQUAL(ttst_meta_tu_tag(paths, n, 4), "c/b/x.c");
	CU_ASSERT_STRING_EQUAL(ttst_meta_tu_tag(paths, n, 5), "main2.c");
	char buf[64];
	const char *tag = ttst_meta_tu_tag(paths, n, 1);
	CU_ASSERT_EQUAL(ttst_meta_qualify_id("util.c:counter", paths[1], tag, buf, sizeof(buf)), 1);
	CU_ASSERT_STRING_EQUAL(buf, "disk/util.c:counter");
	CU_ASSERT_EQUAL(ttst_meta_qualify_id("util.c:make:p:0", paths[1], tag, buf, sizeof(buf)), 1);
	CU_ASSERT_STRING_EQUAL(buf, "disk/util.c:make:p:0");
	/* external names and IDs of a TU that needs no qualification stand */
	CU_ASSERT_EQUAL(ttst_meta_qualify_id("counter", paths[1], tag, buf, sizeof(buf)), 0);
	tag = ttst_meta_tu_tag(paths, n, 2);
	CU_ASSERT_EQUAL(ttst_meta_qualify_id("main.c:g", paths[2], tag, buf, sizeof(buf)), 0);
	CU_ASSERT_EQUAL(ttst_meta_qualify_id("util.c:x", paths[0], "net/util.c", buf, 8), -1);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("meta", NULL, NULL);
	CU_add_test(s, "valid fixture blobs", test_valid);
	CU_add_test(s, "header errors", test_header_errors);
	CU_add_test(s, "record errors", test_record_errors);
	CU_add_test(s, "every bit flip", test_every_bit_flip);
	CU_add_test(s, "truncation", test_truncation);
	CU_add_test(s, "section walk", test_walk);
	CU_add_test(s, "program-level ID tags", test_tu_tags);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
