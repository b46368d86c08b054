/* unit.c -- CUnit tests of the update transaction's pieces, linked from libttst's objects: the
 * state image's address sort and build, UPDATE request decoding and checks, bind()/listen() on
 * inherited sockets and the close-on-exec list.  usage: update-unit INSTRUMENTED_BINARY ABI99_BINARY */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "inherit.h"
#include "registry.h"
#include "threads.h"
#include "update.h"
#include "update_image.h"
#include "update_req.h"

static const char *good_bin, *abi_bin;

static int cmp(const void *x, const void *y)
{
	uint64_t a = ((const struct ttst_image_obj *)x)->addr;
	uint64_t b = ((const struct ttst_image_obj *)y)->addr;
	return a < b ? -1 : a > b;
}

/* Sorts n records made by gen(i) and compares with qsort (same records). */
static void check_sort(size_t n, uint64_t (*gen)(size_t))
{
	struct ttst_image_obj *a = calloc(n + 1, sizeof *a), *b = calloc(n + 1, sizeof *b);
	struct ttst_image_obj *ref = calloc(n + 1, sizeof *ref);
	for (size_t i = 0; i < n; i++) {
		a[i].addr = gen(i);
		a[i].size = i; /* identifies the record */
		a[i].ordinal = (uint32_t)i;
	}
	memcpy(ref, a, n * sizeof *a);
	qsort(ref, n, sizeof *ref, cmp);
	struct ttst_image_obj *r = ttst_image_sort(a, b, n);
	CU_ASSERT(r == a || r == b);
	size_t bad = 0;
	for (size_t i = 0; i < n; i++)
		bad += r[i].addr != ref[i].addr || r[i].ordinal != r[i].size; /* records intact */
	CU_ASSERT_EQUAL(bad, 0);
	uint64_t sum = 0, want = 0;
	for (size_t i = 0; i < n; i++) {
		sum += r[i].size;
		want += i;
	}
	CU_ASSERT_EQUAL(sum, want); /* every record once */
	free(a);
	free(b);
	free(ref);
}

static uint64_t g_seed = 88172645463325252ull;
static uint64_t rnd(void)
{
	g_seed ^= g_seed << 13;
	g_seed ^= g_seed >> 7;
	g_seed ^= g_seed << 17;
	return g_seed;
}
static uint64_t gen_random(size_t i)
{
	(void)i;
	return 0x555500000000ull + ((rnd() & 0xfffffff) << 4);
}
static uint64_t gen_batches(size_t i) /* runs of 128 in reverse, like slot stacks */
{
	return 0x555500000000ull + ((i / 128) * 128 + 127 - i % 128) * 48;
}
static uint64_t gen_mixed(size_t i) /* statics, heap, stack and odd addresses */
{
	uint64_t r = rnd();
	return i % 7 == 0   ? 0x7ffc00000000ull + (r & 0xffff)
	       : i % 5 == 0 ? 0x555400000000ull + (r & 0xfff)
			    : 0x7f0000000000ull + ((r & 0xffffffffff) << 4);
}
static uint64_t gen_sorted(size_t i)
{
	return 0x1000 + i * 16;
}
static uint64_t gen_nearly(size_t i) /* sorted but for high and low outliers */
{
	if (i % 997 == 5)
		return 0x7f0000000000ull + ((rnd() & 0xffffff) << 4);
	if (i % 1009 == 7)
		return 0x1000 + ((rnd() & 0xfff) << 4);
	return 0x555500000000ull + i * 48;
}
static uint64_t gen_swapped(size_t i) /* a pair in 16 swapped: the in-place path's limit */
{
	return 0x555500000000ull + (i ^ ((i & 15) < 2)) * 32;
}
static uint64_t gen_swapped8(size_t i) /* a pair in 8 swapped: past it (radix sort) */
{
	return 0x555500000000ull + (i ^ ((i & 7) < 2)) * 32;
}
static uint64_t gen_reversed(size_t i)
{
	return 0x555500000000ull - i * 32;
}
static uint64_t gen_equal(size_t i)
{
	(void)i;
	return 0x4242;
}
static uint64_t gen_full(size_t i) /* all 64 bits vary */
{
	(void)i;
	return rnd();
}

static void test_sort(void)
{
	check_sort(0, gen_random);
	check_sort(1, gen_random);
	check_sort(100000, gen_random);
	check_sort(100000, gen_batches);
	check_sort(50000, gen_mixed);
	check_sort(1000, gen_sorted);
	check_sort(200000, gen_nearly);
	check_sort(3, gen_nearly);
	check_sort(100000, gen_swapped);
	check_sort(100000, gen_swapped8);
	check_sort(100000, gen_reversed);
	check_sort(1000, gen_equal);
	check_sort(20000, gen_full);
}

#define IMG_BLOCKS 100000

static void *alloc_blocks(void *arg)
{
	void **b = arg;
	for (size_t i = 0; i < IMG_BLOCKS; i++)
		b[i] = malloc(16 + (i % 7) * 8);
	return NULL;
}

/* Non-zero if one of the n records of o (sorted) is at addr. */
static int in_image(const struct ttst_image_obj *o, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (o[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && o[lo].addr == addr;
}

static int count_heap(const struct ttst_obj *o, void *arg)
{
	*(size_t *)arg += o->kind == TTST_OBJ_HEAP;
	return 0;
}

/* Per-site ordinals as the registry's order gives them, checked against the
 * image's records (which a large heap collects on two threads). */
struct ord_check {
	const struct ttst_image_obj *o;
	size_t n, bad, seen;
	uint32_t count[65536]; /* by global site number */
};

static int check_ordinal(const struct ttst_obj *ob, void *arg)
{
	struct ord_check *c = arg;
	if (ob->kind != TTST_OBJ_HEAP || ob->index >= 65536)
		return 0;
	uint32_t want = c->count[ob->index]++;
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->o[mid].addr < ob->addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	c->seen++;
	c->bad += lo == c->n || c->o[lo].addr != ob->addr || c->o[lo].ordinal != want;
	return 0;
}

/* The image of this process, whose heap two threads filled at once (their
 * slots interleave, their blocks lie in different arenas) and some of whose
 * slots were reused by blocks elsewhere: sorted, complete, sized right. */
static void check_image(void **a, void **b);

static void test_image_build(void)
{
	void **a = calloc(IMG_BLOCKS, sizeof *a), **b = calloc(IMG_BLOCKS, sizeof *b);
	pthread_t th;
	CU_ASSERT_FATAL(a && b && pthread_create(&th, NULL, alloc_blocks, b) == 0);
	alloc_blocks(a);
	pthread_join(th, NULL);
	for (size_t i = 0; i < IMG_BLOCKS; i += 3) {
		free(a[i]);
		a[i] = malloc(200);
	}
	check_image(a, b);
	for (size_t i = 0; i < IMG_BLOCKS; i++) {
		free(a[i]);
		free(b[i]);
	}
	free(a);
	free(b);
}

/* Memory given for the records (ttst_image_give): garbage in it does not
 * matter when it is taken, one too small is not taken (unmapped at once);
 * either way the image is right, and a mapping taken stays until
 * ttst_image_release. */
static void test_image_give(void)
{
	void **a = calloc(IMG_BLOCKS, sizeof *a), **b = calloc(IMG_BLOCKS, sizeof *b);
	CU_ASSERT_FATAL(a && b);
	alloc_blocks(a);
	alloc_blocks(b);
	size_t lens[2] = {64u << 20, 4096};
	for (int k = 0; k < 2; k++) {
		unsigned char *m = mmap(NULL, lens[k], PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CU_ASSERT_FATAL(m != MAP_FAILED);
		memset(m, 0xab, lens[k]);
		ttst_image_give(m, lens[k]);
		check_image(a, b);
		unsigned char vec;
		if (k == 0)
			CU_ASSERT(mincore(m, 4096, &vec) == 0);
		ttst_image_release();
		CU_ASSERT(mincore(m, 4096, &vec) < 0 && errno == ENOMEM);
	}
	for (size_t i = 0; i < IMG_BLOCKS; i++) {
		free(a[i]);
		free(b[i]);
	}
	free(a);
	free(b);
}

/* Builds the image and checks it against the blocks of a and b and the
 * registry: sorted, complete, sized right. */
static void check_image(void **a, void **b)
{
	struct ord_check *oc = calloc(1, sizeof *oc); /* before the image: it is in it */
	CU_ASSERT_FATAL(oc != NULL);
	uint64_t size = 0, nobjs = 0;
	char err[512] = "";
	int fd = ttst_image_build(&size, &nobjs, err, sizeof err);
	CU_ASSERT_FATAL(fd >= 0);
	struct stat st;
	CU_ASSERT(fstat(fd, &st) == 0 && (uint64_t)st.st_size == size);
	const char *map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	CU_ASSERT_FATAL(map != MAP_FAILED);
	const struct ttst_image_hdr *h = (const void *)map;
	CU_ASSERT(h->magic == TTST_IMAGE_MAGIC && h->size == size && h->nobjs == nobjs);
	CU_ASSERT(h->off_objs + nobjs * sizeof(struct ttst_image_obj) == size);
	const struct ttst_image_obj *o = (const void *)(map + h->off_objs);
	size_t unsorted = 0, missing = 0, heap = 0, live = 0;
	for (size_t i = 0; i < nobjs; i++) {
		unsorted += i && o[i].addr < o[i - 1].addr;
		heap += o[i].kind == TTST_OBJ_HEAP;
	}
	for (size_t i = 0; i < IMG_BLOCKS; i++)
		missing += !in_image(o, nobjs, (uintptr_t)a[i]) + !in_image(o, nobjs, (uintptr_t)b[i]);
	ttst_registry_foreach(count_heap, &live);
	oc->o = o;
	oc->n = nobjs;
	ttst_registry_foreach(check_ordinal, oc);
	CU_ASSERT(oc->seen >= 2 * IMG_BLOCKS);
	CU_ASSERT_EQUAL(oc->bad, 0);
	free(oc);
	CU_ASSERT_EQUAL(unsorted, 0);
	CU_ASSERT_EQUAL(missing, 0);
	CU_ASSERT_EQUAL(heap, live);
	munmap((void *)map, size);
	close(fd);
}

/* Builds an UPDATE payload: header fields, then strings joined with \0. */
static size_t payload(char *buf, uint32_t argc, uint32_t flags, const char *strs, size_t slen)
{
	struct ttst_update_req q = {1500, flags, argc, 0};
	memcpy(buf, &q, sizeof q);
	memcpy(buf + sizeof q, strs, slen);
	return sizeof q + slen;
}

static void test_req_parse(void)
{
	char buf[512], err[256];
	struct ttst_update_args a;
	static const char ok[] = "/bin/x\0/tmp/p\0x\0--port\0"
				 "0";
	size_t n = payload(buf, 3, TTST_UPDATE_VALIDATE, ok, sizeof ok);
	CU_ASSERT_EQUAL_FATAL(ttst_update_req_parse(buf, (uint32_t)n, &a, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(a.binary, "/bin/x");
	CU_ASSERT_STRING_EQUAL(a.pidfile, "/tmp/p");
	CU_ASSERT_EQUAL(a.argc, 3);
	CU_ASSERT_STRING_EQUAL(a.argv[2], "0");
	CU_ASSERT_PTR_NULL(a.argv[3]);
	CU_ASSERT_EQUAL(a.timeout_ms, 1500);
	CU_ASSERT_EQUAL(a.validate, 1);
	ttst_update_req_free(&a);
	struct {
		uint32_t argc, flags;
		const char *s;
		size_t len;
		const char *why;
	} bad[] = {
	    {3, 0, ok, sizeof ok - 1, "got 24 bytes with 4 NULs"}, /* last string unterminated */
	    {2, 0, ok, sizeof ok, "expected 4 NUL-terminated strings"}, /* one string too many */
	    {4, 0, ok, sizeof ok, "expected 6 NUL-terminated strings"},
	    {0, 0, ok, sizeof ok, "argc 0"},
	    {3, 0x80, ok, sizeof ok, "flags 0x80"},
	    {1, 0, "", 0, "argc 1"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		n = payload(buf, bad[i].argc, bad[i].flags, bad[i].s, bad[i].len);
		CU_ASSERT_EQUAL(ttst_update_req_parse(buf, (uint32_t)n, &a, err, sizeof err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].why));
		if (!strstr(err, bad[i].why))
			fprintf(stderr, "case %zu: %s\n", i, err);
	}
	CU_ASSERT_EQUAL(ttst_update_req_parse(buf, 8, &a, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "8-byte payload"));
}

/* ttst_update_req_check on binary with pid file pidfile: 0, or -1 with err containing why. */
static void check_bin(const char *binary, const char *pidfile, const char *why)
{
	char *argv[] = {"x", NULL}, err[512] = "";
	struct ttst_update_args a = {0, 0, binary, pidfile, 1, argv, NULL, 0};
	int r = ttst_update_req_check(&a, err, sizeof err);
	CU_ASSERT_EQUAL(r, why ? -1 : 0);
	if (why && !strstr(err, why))
		fprintf(stderr, "%s: '%s' lacks '%s'\n", binary, err, why);
	CU_ASSERT(!why || strstr(err, why));
}

static void test_req_check(void)
{
	char text[] = "/tmp/ttst-unit-XXXXXX";
	int fd = mkstemp(text);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(write(fd, "#!/bin/sh\n", 10) == 10);
	close(fd);
	check_bin(good_bin, "", NULL);
	check_bin(good_bin, "/tmp/ttst.pid", NULL);
	check_bin("echosrv", "", "is not an absolute path");
	check_bin("/nonexistent/x", "", "No such file");
	check_bin("/tmp", "", "not a regular file");
	check_bin(text, "", "not executable");
	chmod(text, 0755);
	check_bin(text, "", "not an ELF file");
	check_bin("/bin/true", "", "not instrumented by ttst (no ttst_meta section");
	check_bin(abi_bin, "", "metadata ABI version 99");
	check_bin(good_bin, "relative.pid", "not an absolute path");
	check_bin(good_bin, "/nonexistent/dir/x.pid", "directory not writable");
	unlink(text);
}

/* A listening TCP socket on 127.0.0.1:port (0: ephemeral); returns it, *port set. */
static int tcp_listener(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)*port)};
	socklen_t len = sizeof a;
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

/* Non-zero if a and b are the same open socket (same inode). */
static int same_socket(int a, int b)
{
	char pa[64], pb[64], la[64] = "", lb[64] = "";
	snprintf(pa, sizeof pa, "/proc/self/fd/%d", a);
	snprintf(pb, sizeof pb, "/proc/self/fd/%d", b);
	return readlink(pa, la, sizeof la - 1) > 0 && readlink(pb, lb, sizeof lb - 1) > 0 &&
	       !strcmp(la, lb);
}

/* bind(fresh socket, 127.0.0.1:port) while updating; returns the fresh fd or -1. */
static int rebind(int type, int port, int *rc)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	*rc = bind(fd, (struct sockaddr *)&a, sizeof a);
	return fd;
}

static void test_inherit(void)
{
	char err[256];
	int p1 = 0, p2 = 0;
	int l1 = tcp_listener(&p1), l2 = tcp_listener(&p2);
	CU_ASSERT_FATAL(l1 >= 0 && l2 >= 0);
	int u = socket(AF_INET, SOCK_DGRAM, 0), rc;
	struct sockaddr_in ua = {.sin_family = AF_INET};
	socklen_t ul = sizeof ua;
	inet_pton(AF_INET, "127.0.0.1", &ua.sin_addr);
	CU_ASSERT(bind(u, (struct sockaddr *)&ua, sizeof ua) == 0);
	getsockname(u, (struct sockaddr *)&ua, &ul);
	char spec[32];
	snprintf(spec, sizeof spec, "%d-%d", l1, l2);
	CU_ASSERT_EQUAL(ttst_inherit_init("3-x", err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "TTST_CLOEXEC='3-x' is malformed"));
	CU_ASSERT_EQUAL(ttst_inherit_init("5-4", err, sizeof err), -1);
	CU_ASSERT_EQUAL(ttst_inherit_init(spec, err, sizeof err), 0);
	CU_ASSERT(fcntl(l1, F_GETFD) & FD_CLOEXEC);
	CU_ASSERT(fcntl(l2, F_GETFD) & FD_CLOEXEC);
	CU_ASSERT_FALSE(fcntl(u, F_GETFD) & FD_CLOEXEC);
	ttst_update_v2_set_phase(TTST_V2_REINIT, NULL);
	int f1 = rebind(SOCK_STREAM, p2, &rc); /* exact address */
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT(same_socket(f1, l2));
	CU_ASSERT(fcntl(f1, F_GETFD) & FD_CLOEXEC);
	CU_ASSERT_EQUAL(listen(f1, 1), 0);
	int f2 = rebind(SOCK_STREAM, 0, &rc); /* port 0: the one listener left */
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT(same_socket(f2, l1));
	int f3 = rebind(SOCK_STREAM, p1, &rc); /* already handed out: a real bind */
	CU_ASSERT(rc == -1 && !same_socket(f3, l1));
	int f4 = rebind(SOCK_DGRAM, ntohs(ua.sin_port), &rc); /* datagram, exact */
	CU_ASSERT(rc == 0 && same_socket(f4, u));
	CU_ASSERT_EQUAL(ttst_inherit_claimed(), 3);
	ttst_update_v2_set_phase(TTST_V2_NONE, NULL);
	int f5 = rebind(SOCK_STREAM, p2, &rc); /* not updating: the real bind fails */
	CU_ASSERT_EQUAL(rc, -1);
	int fds[] = {l1, l2, u, f1, f2, f3, f4, f5};
	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
		close(fds[i]);
}

static void test_flags(void)
{
	int p[2];
	CU_ASSERT_FATAL(pipe(p) == 0);
	CU_ASSERT_EQUAL(ttst_inherit_save_flags(), 0);
	fcntl(p[0], F_SETFL, O_NONBLOCK); /* what v2 may do to a shared description */
	CU_ASSERT_EQUAL(ttst_inherit_restore_flags(), 1);
	CU_ASSERT_FALSE(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	CU_ASSERT_EQUAL(ttst_inherit_restore_flags(), 0); /* the record is gone */
	close(p[0]);
	close(p[1]);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: update-unit INSTRUMENTED_BINARY ABI99_BINARY\n");
		return 2;
	}
	good_bin = argv[1];
	abi_bin = argv[2];
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_pSuite s = CU_add_suite("update", NULL, NULL);
	CU_add_test(s, "image sort", test_sort);
	CU_add_test(s, "image of two threads' heap", test_image_build);
	CU_add_test(s, "image records in given memory", test_image_give);
	CU_add_test(s, "request decoding", test_req_parse);
	CU_add_test(s, "request checks", test_req_check);
	CU_add_test(s, "bind/listen on inherited sockets", test_inherit);
	CU_add_test(s, "status flags restored", test_flags);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
