// Plugin.cpp -- registers the ttst metadata pass with clang's new pass manager (runs at pipeline
// start, -O0..-O3).
#include "FaultInject.h"
#include "Locals.h"
#include "MetaWriter.h"
#include "Names.h"
#include "Sites.h"
#include "StateIds.h"
#include "Statics.h"
#include "TypeTable.h"
#include "Wrappers.h"

#include <llvm/IR/PassManager.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Passes/PassPlugin.h>
#include <llvm/Support/raw_ostream.h>

using namespace llvm;

namespace ttst
{

namespace
{

struct TtstPass : PassInfoMixin<TtstPass> {
	// Describes the TU in __ttst_tu, redirects its allocation calls and
	// instruments main / TTST_STATEFUL functions.
	PreservedAnalyses run(Module &M, ModuleAnalysisManager &);
	// Runs even for optnone functions at -O0.
	static bool isRequired()
	{
		return true;
	}
};

PreservedAnalyses TtstPass::run(Module &M, ModuleAnalysisManager &)
{
	if (M.getNamedGlobal(TuGlobalName)) // already instrumented (e.g. LTO)
		return PreservedAnalyses::all();
	PassContext C(M);
	if (!C.HasTypes)
		errs() << "ttst: " << C.TuFile
		       << ": compiled without debug info; types unavailable\n";

	TypeTable TT(M, C.HasTypes);
	IdSet Ids;
	std::vector<StaticEntry> Statics;
	std::vector<StatefulFn> Stateful;
	collectStatics(C, TT, Ids, Statics);
	collectLocals(C, TT, Ids, Statics, Stateful);

	Allocators A(M);
	std::vector<SiteEntry> Sites;
	std::vector<SiteCall> Calls;
	collectSites(C, TT, A, Sites, Calls);

	TT.addRemaining(M);
	TT.finalize();
	GlobalVariable *TU = emitBlob(M, C.TuFile, TT, Statics, Sites);
	redirectSites(M, TU, Calls);
	instrumentLocals(M, TU, Stateful);
	injectFault(M); // no-op unless TTST_FAULT is set (eval/faults)
	return PreservedAnalyses::none();
}

} // namespace

} // namespace ttst

extern "C" LLVM_ATTRIBUTE_WEAK __attribute__((visibility("default"))) PassPluginLibraryInfo
llvmGetPassPluginInfo()
{
	return {LLVM_PLUGIN_API_VERSION, "ttst", "0.1", [](PassBuilder &PB) {
			PB.registerPipelineStartEPCallback(
			    [](ModulePassManager &MPM, OptimizationLevel) {
				    MPM.addPass(ttst::TtstPass());
			    });
		}};
}
