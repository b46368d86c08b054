// FaultInject.h -- compile-time fault injection into a module (TTST_FAULT="<class>:<n>"), for the
// fault-tolerance campaign (eval/faults); inert when TTST_FAULT is unset.
#ifndef TTST_PASS_FAULTINJECT_H
#define TTST_PASS_FAULTINJECT_H

#include <llvm/IR/Module.h>

namespace ttst
{

// Reads TTST_FAULT; when set, picks the n-th candidate instruction of the class in module order
// (n modulo the number of candidates), rewrites it so that the fault fires only while
// __ttst_fault_active() returns 1, and reports the choice on stderr.  Returns true if the module
// changed; false when TTST_FAULT is unset, has no candidate in this module, or is malformed
// (reported on stderr, nothing injected).
bool injectFault(llvm::Module &M);

} // namespace ttst

#endif
