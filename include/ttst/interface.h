/* interface.h -- every runtime entry point that instrumented code calls.
 *
 * The pass redirects allocation calls here and emits the calls below; the
 * runtime (libttst) defines them.  The pass keeps the same names in one table
 * at the top of pass/Names.h; this header is the C-side declaration.
 *
 * Site arguments: `tu` is the address of the calling TU's blob
 * (struct ttst_tu_hdr in section ttst_meta), `site` the index of the
 * allocation site in that blob's site array.  The runtime turns the pair into
 * a process-wide site number with tu->rt_site_base (attaching the TU on first
 * use, so allocations made by constructors before registration are typed).
 */
#ifndef TTST_INTERFACE_H
#define TTST_INTERFACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "abi.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ttst_tu_hdr;

/* Defined by the runtime; referenced by every instrumented TU (via its
 * blob's address array) so a pass/runtime ABI mismatch fails to link. */
extern char __ttst_abi_check_v1;

/* Allocation entry points: same contract as the libc function named after
 * them (NULL / errno on failure, caller owns the result), plus the site. */
void *__ttst_malloc(size_t size, struct ttst_tu_hdr *tu, uint32_t site);
void *__ttst_calloc(size_t n, size_t size, struct ttst_tu_hdr *tu, uint32_t site);
void *__ttst_realloc(void *p, size_t size, struct ttst_tu_hdr *tu, uint32_t site);
void *__ttst_reallocarray(void *p, size_t n, size_t size, struct ttst_tu_hdr *tu,
			  uint32_t site);
char *__ttst_strdup(const char *s, struct ttst_tu_hdr *tu, uint32_t site);
char *__ttst_strndup(const char *s, size_t n, struct ttst_tu_hdr *tu, uint32_t site);
int __ttst_posix_memalign(void **out, size_t align, size_t size, struct ttst_tu_hdr *tu,
			  uint32_t site);
void *__ttst_aligned_alloc(size_t align, size_t size, struct ttst_tu_hdr *tu,
			   uint32_t site);
void *__ttst_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off,
		  struct ttst_tu_hdr *tu, uint32_t site);
int __ttst_munmap(void *addr, size_t len, struct ttst_tu_hdr *tu, uint32_t site);
/* free: sites are recorded in metadata but the runtime needs no site. */
void __ttst_free(void *p);

/* Around a call to an allocator wrapper (a function with
 * __attribute__((malloc)) / alloc_size, a same-file function that returns
 * fresh memory, or one named in TTST_ALLOCATORS): an untyped allocation made
 * inside the call takes the wrapper call site's type.  Never fails. */
void __ttst_site_enter(struct ttst_tu_hdr *tu, uint32_t site);
void __ttst_site_leave(void);

/* Called at entry of main (and of TTST_STATEFUL functions) after its locals
 * are allocated: registers the address of local static-record `index` of
 * `tu` for the current activation.  Never fails. */
void __ttst_local(struct ttst_tu_hdr *tu, uint32_t index, void *addr);
/* Called before such a function returns: its locals are gone. */
void __ttst_local_exit(struct ttst_tu_hdr *tu);

/* Registers one module's (executable or shared library) ttst_meta section;
 * called by a constructor in the small object ttst-cc links into every
 * module.  Returns 0, or -1 if the section is malformed (reported). */
int __ttst_register_module(const char *start, const char *stop);

/* Fault injection (TTST_FAULT at compile time, eval/faults): returns 1 while
 * an injected fault fires -- while ttst_is_updating(), i.e. during a new
 * version's re-initialisation and transfer callbacks -- else 0.  Never fails. */
int __ttst_fault_active(void);

#ifdef __cplusplus
}
#endif

#endif /* TTST_INTERFACE_H */
