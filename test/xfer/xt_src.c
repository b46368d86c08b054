/* xt_src.c -- the new-version side of the xfer tests: old-version child + process_vm_readv reader. */
#define _GNU_SOURCE
#include "xt_src.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snap.h"
#include "ttst/meta.h"

static int get(int fd, void *p, size_t n)
{
	char *b = p;
	while (n) {
		ssize_t r = read(fd, b, n);
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static int rd(void *ctx, uint64_t addr, void *buf, size_t n)
{
	struct xt *t = ctx;
	struct iovec l = {buf, n}, r = {(void *)(uintptr_t)addr, n};
	ssize_t got = process_vm_readv(t->pid, &l, 1, &r, 1, 0);
	if (got == (ssize_t)n)
		return 0;
	if (got >= 0)
		errno = EFAULT;
	return -1;
}

static int read_desc(struct xt *t)
{
	uint32_t hdr[2];
	char err[256];
	if (get(t->from, hdr, sizeof hdr) < 0 || hdr[0] != XT_MAGIC)
		return -1;
	t->src.ntus = hdr[1];
	t->blobs = calloc(hdr[1] + 1, sizeof *t->blobs);
	if (!t->blobs)
		return -1;
	for (uint32_t i = 0; i < hdr[1]; i++) {
		uint32_t sz;
		if (get(t->from, &sz, sizeof sz) < 0 || !(t->blobs[i] = aligned_alloc(16, (sz + 15) & ~15u)) ||
		    get(t->from, t->blobs[i], sz) < 0)
			return -1;
		if (ttst_meta_check(t->blobs[i], sz, 0, err, sizeof err) < 0) {
			fprintf(stderr, "xt: blob %u: %s\n", i, err);
			return -1;
		}
	}
	t->src.tus = (const struct ttst_tu_hdr **)t->blobs;
	uint64_t n;
	if (get(t->from, &n, sizeof n) < 0)
		return -1;
	t->src.nobjs = n;
	t->src.objs = malloc((n ? n : 1) * sizeof *t->src.objs);
	return t->src.objs && get(t->from, t->src.objs, n * sizeof *t->src.objs) == 0 ? 0 : -1;
}

int xt_start(struct xt *t, const char *prog, const char *mode)
{
	int in[2], out[2];
	memset(t, 0, sizeof *t);
	t->pid = -1;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		return -1;
	t->pid = fork();
	if (t->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl(prog, prog, mode, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	t->to = in[1];
	t->from = out[0];
	if (t->pid < 0 || read_desc(t) < 0) {
		fprintf(stderr, "xt: cannot read the state of %s %s\n", prog, mode);
		xt_stop(t);
		return -1;
	}
	t->src.pid = t->pid;
	t->src.read = rd;
	t->src.read_ctx = t;
	return 0;
}

void xt_stop(struct xt *t)
{
	if (t->to > 0)
		close(t->to);
	if (t->from > 0)
		close(t->from);
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
	}
	for (size_t i = 0; t->blobs && i < t->src.ntus; i++)
		free(t->blobs[i]);
	free(t->blobs);
	free(t->src.objs);
	memset(t, 0, sizeof *t);
}

int xt_transfer(const char *prog, const char *mode, struct ttst_xfer_report *rep)
{
	struct xt t;
	memset(rep, 0, sizeof *rep);
	if (xt_start(&t, prog, mode) < 0) {
		snprintf(rep->error, sizeof rep->error, "xt: could not start %s", prog);
		return -1;
	}
	int r = ttst_xfer_run(&t.src, rep);
	xt_stop(&t);
	return r;
}

int xt_cunit_main(int argc, char **argv, const char **v1_prog, const char *suite,
		  int (*setup)(void), int (*teardown)(void), const struct xt_test *t, size_t n)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s V1_PROGRAM\n", argv[0]);
		return 2;
	}
	*v1_prog = argv[1];
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite(suite, setup, teardown);
	for (size_t i = 0; s && i < n; i++)
		CU_add_test(s, t[i].name, t[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned fails = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return !s || fails ? 1 : 0;
}
