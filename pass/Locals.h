// Locals.h -- automatic locals of main and of TTST_STATEFUL functions: static records and
// __ttst_local calls.
#ifndef TTST_PASS_LOCALS_H
#define TTST_PASS_LOCALS_H

#include "MetaWriter.h"
#include "StateIds.h"
#include "TypeTable.h"

#include <llvm/IR/Instructions.h>

#include <vector>

namespace ttst
{

struct LocalSlot {
	llvm::AllocaInst *AI;
	uint32_t Index; // index of its TTST_S_LOCAL record in the blob
};

// A function whose locals are state: main, or tagged TTST_STATEFUL.
struct StatefulFn {
	llvm::Function *F;
	std::vector<LocalSlot> Slots;
};

// Appends a TTST_S_LOCAL StaticEntry for every entry-block alloca described
// by a llvm.dbg.declare (parameters included) of each stateful function,
// and records which allocas they are.  Never fails.
void collectLocals(const PassContext &C, TypeTable &TT, IdSet &Ids, std::vector<StaticEntry> &Out,
		   std::vector<StatefulFn> &Fns);

// Inserts __ttst_local(tu, index, alloca) after the entry block's allocas
// and parameter stores, and __ttst_local_exit(tu) before every return.
void instrumentLocals(llvm::Module &M, llvm::GlobalVariable *TU,
		      const std::vector<StatefulFn> &Fns);

} // namespace ttst

#endif
