/* module.c -- __ttst_register_module: attaches every TU blob of a module's ttst_meta section. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

#include "alloc.h"
#include "log.h"
#include "sites.h"
#include "ttst/interface.h"

/* Defined here, referenced by every instrumented TU: a pass/runtime ABI
 * mismatch becomes a link error (see abi.h, TTST_ABI_CHECK_SYMBOL). */
TTST_EXPORT char __ttst_abi_check_v1;

struct reg_ctx {
	const char *module;
	size_t ntu;
};

static int register_tu(const struct ttst_tu_hdr *h, void *arg)
{
	struct reg_ctx *c = arg;
	/* the section is writable: the runtime owns rt_site_base */
	if (ttst_site_register((struct ttst_tu_hdr *)h, c->module) < 0)
		return -1;
	c->ntu++;
	return 0;
}

/* File name of the module holding addr (static storage of ld.so; "?" if unknown). */
static const char *module_name(const void *addr)
{
	Dl_info info;
	if (dladdr(addr, &info) && info.dli_fname && *info.dli_fname)
		return info.dli_fname;
	return "the main program";
}

TTST_EXPORT int __ttst_register_module(const char *start, const char *stop)
{
	if (!start || !stop || stop <= start)
		return 0;
	struct reg_ctx c = {module_name(start), 0};
	if ((uintptr_t)start % TTST_BLOB_ALIGN) {
		ttst_err("%s: ttst_meta section at %p is not 8-byte aligned; module not "
			 "registered (rebuild it with ttst-cc)",
			 c.module, (const void *)start);
		return -1;
	}
	char err[256];
	int r = ttst_meta_walk(start, (size_t)(stop - start), register_tu, &c, err, sizeof err);
	if (r != 0) {
		if (r < 0 && err[0])
			ttst_err("%s: ttst_meta: %s; the rest of this module's metadata is ignored "
				 "(rebuild it with ttst-cc)",
				 c.module, err);
		return -1;
	}
	ttst_debug("registered %s: %zu translation units", c.module, c.ntu);
	return 0;
}
