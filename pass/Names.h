// Names.h -- every runtime symbol the pass emits or calls, in one table (mirrors
// include/ttst/interface.h).
#ifndef TTST_PASS_NAMES_H
#define TTST_PASS_NAMES_H

#include "ttst/abi.h"

namespace ttst
{

// The per-TU blob global and the section it lives in.
constexpr const char *TuGlobalName = "__ttst_tu";
constexpr const char *MetaSection = TTST_META_SECTION;
// Referenced from every blob's address array; defined by the runtime.
constexpr const char *AbiCheckName = TTST_ABI_CHECK_SYMBOL;

// Instrumentation entry points (interface.h).
constexpr const char *SiteEnterName = "__ttst_site_enter";
constexpr const char *SiteLeaveName = "__ttst_site_leave";
constexpr const char *LocalName = "__ttst_local";
constexpr const char *LocalExitName = "__ttst_local_exit";
// Fault injection (TTST_FAULT, FaultInject.cpp): 1 while an injected fault fires.
constexpr const char *FaultActiveName = "__ttst_fault_active";
// Every symbol with this prefix belongs to ttst and is never a site/static.
constexpr const char *ReservedPrefix = "__ttst_";

// One allocation function the pass recognises and redirects.
struct AllocFn {
	const char *Libc; // callee name in the user's code
	const char *Ttst; // runtime replacement (interface.h)
	int SizeA, SizeB; // argument(s) whose product is the byte size; -1 none
	int DestArg;	  // argument holding the destination address; -1: result
	bool Free;	  // deallocation (free, munmap)
	bool SiteArgs;	  // replacement takes (tu, site) after the original args
	bool String;	  // result is a C string (element type char)
};

// The table: every allocation function of DESIGN.md section 3.
inline constexpr AllocFn AllocFns[] = {
    {"malloc", "__ttst_malloc", 0, -1, -1, false, true, false},
    {"calloc", "__ttst_calloc", 0, 1, -1, false, true, false},
    {"realloc", "__ttst_realloc", 1, -1, -1, false, true, false},
    {"reallocarray", "__ttst_reallocarray", 1, 2, -1, false, true, false},
    {"strdup", "__ttst_strdup", -1, -1, -1, false, true, true},
    {"strndup", "__ttst_strndup", -1, -1, -1, false, true, true},
    {"__strdup", "__ttst_strdup", -1, -1, -1, false, true, true},
    {"__strndup", "__ttst_strndup", -1, -1, -1, false, true, true},
    {"posix_memalign", "__ttst_posix_memalign", 2, -1, 0, false, true, false},
    {"aligned_alloc", "__ttst_aligned_alloc", 1, -1, -1, false, true, false},
    {"mmap", "__ttst_mmap", 1, -1, -1, false, true, false},
    {"mmap64", "__ttst_mmap", 1, -1, -1, false, true, false},
    {"munmap", "__ttst_munmap", -1, -1, -1, true, true, false},
    {"free", "__ttst_free", -1, -1, -1, true, false, false},
};

} // namespace ttst

#endif
