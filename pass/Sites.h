// Sites.h -- allocation sites: discovery, IDs, type inference per site, and their redirection.
#ifndef TTST_PASS_SITES_H
#define TTST_PASS_SITES_H

#include "MetaWriter.h"
#include "StateIds.h"
#include "TypeTable.h"
#include "Wrappers.h"

#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/InstrTypes.h>

#include <vector>

namespace ttst
{

// One call to rewrite: Fn set -> redirect to Fn->Ttst; nullptr -> wrapper.
struct SiteCall {
	llvm::CallBase *CB;
	const AllocFn *Fn;
	uint32_t Index; // site index in the blob
};

// Appends a SiteEntry (and the call to rewrite) for every direct call to
// an allocation function or allocator wrapper in the module's functions.
// Never fails: sites whose type cannot be inferred get TTST_NO_TYPE.
void collectSites(const PassContext &C, TypeTable &TT, const Allocators &A,
		  std::vector<SiteEntry> &Out, std::vector<SiteCall> &Calls);

// Redirects each libc allocation call to its __ttst_* replacement (passing
// TU and the site index) and brackets each wrapper call with
// __ttst_site_enter / __ttst_site_leave.  Debug locations are kept.
void redirectSites(llvm::Module &M, llvm::GlobalVariable *TU, const std::vector<SiteCall> &Calls);

} // namespace ttst

#endif
