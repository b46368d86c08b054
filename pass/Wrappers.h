// Wrappers.h -- classifies direct calls: libc allocation functions and allocator wrappers
// (DESIGN.md section 3).
#ifndef TTST_PASS_WRAPPERS_H
#define TTST_PASS_WRAPPERS_H

#include "Names.h"

#include <llvm/ADT/DenseMap.h>
#include <llvm/IR/InstrTypes.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>

#include <set>
#include <string>

namespace ttst
{

// Which arguments of a call give the allocation's byte size: arg A, times
// arg B when B >= 0; A < 0 means unknown.
struct SizeSpec {
	int A = -1, B = -1;
};

// What a call allocates with.
struct AllocKind {
	const AllocFn *Fn = nullptr; // libc function, or nullptr for a wrapper
	llvm::Function *Callee = nullptr;
	SizeSpec Size;
};

// The libc allocation function called Name, or nullptr.
const AllocFn *libcAllocFn(llvm::StringRef Name);

class Allocators
{
      public:
	// Reads TTST_ALLOCATORS (comma-separated names) and finds the functions
	// of M that return memory coming from an allocation call.
	explicit Allocators(llvm::Module &M);
	// True when CB is a direct call to an allocation function or wrapper;
	// fills K.  ttst's own functions are never allocators.
	bool classify(const llvm::CallBase &CB, AllocKind &K) const;

      private:
	bool returnsAllocation(llvm::Function &F, const llvm::CallBase *&Origin) const;
	bool onlyAllocation(llvm::Value *V, std::set<llvm::Value *> &Seen,
			    const llvm::CallBase *&Origin) const;
	bool localOnlyAllocation(llvm::AllocaInst *AI, std::set<llvm::Value *> &Seen,
				 const llvm::CallBase *&Origin) const;
	SizeSpec wrapperSize(const llvm::CallBase &Origin) const;

	std::set<std::string> Named;
	llvm::DenseMap<const llvm::Function *, SizeSpec> SameFile;
};

} // namespace ttst

#endif
