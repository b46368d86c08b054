// Locals.cpp -- records the locals of main / TTST_STATEFUL functions and instruments their entry
// and returns.
#include "Locals.h"

#include "DIUtil.h"
#include "Names.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/IntrinsicInst.h>

#include <set>

using namespace llvm;

namespace ttst
{

static bool isStateful(const Function &F)
{
	if (F.getName() == "main")
		return true;
	const DISubprogram *SP = F.getSubprogram();
	return SP && hasDeclTag(SP->getAnnotations(), "ttst_stateful");
}

static void collectFunction(const PassContext &C, TypeTable &TT, IdSet &Ids, Function &F,
			    std::vector<StaticEntry> &Out, StatefulFn &SF)
{
	std::set<AllocaInst *> Done;
	std::string Prefix = funcId(C, F) + ":";
	for (Instruction &I : instructions(F)) {
		auto *DDI = dyn_cast<DbgDeclareInst>(&I);
		if (!DDI)
			continue;
		auto *AI = dyn_cast_or_null<AllocaInst>(DDI->getAddress());
		const DILocalVariable *V = DDI->getVariable();
		if (!AI || !V || V->isArtificial() || !AI->isStaticAlloca() ||
		    !Done.insert(AI).second)
			continue;
		StaticEntry E;
		E.Kind = TTST_S_LOCAL;
		E.Name = V->getName().str();
		E.Id = Ids.unique(Prefix + E.Name);
		E.Type = TT.get(V->getType(), E.Name + "::anon");
		E.File = V->getFilename().str();
		E.Line = V->getLine();
		SF.Slots.push_back({AI, (uint32_t)Out.size()});
		Out.push_back(std::move(E));
	}
}

void collectLocals(const PassContext &C, TypeTable &TT, IdSet &Ids, std::vector<StaticEntry> &Out,
		   std::vector<StatefulFn> &Fns)
{
	for (Function &F : C.M) {
		if (F.isDeclaration() || !isStateful(F))
			continue;
		StatefulFn SF{&F, {}};
		collectFunction(C, TT, Ids, F, Out, SF);
		Fns.push_back(std::move(SF));
	}
}

// First instruction of the entry block after its allocas, debug intrinsics
// and the stores that spill parameters (or constants) into those allocas.
static Instruction *afterPrologue(Function &F)
{
	for (Instruction &I : F.getEntryBlock()) {
		if (isa<AllocaInst>(I) || isa<DbgInfoIntrinsic>(I))
			continue;
		if (auto *SI = dyn_cast<StoreInst>(&I)) {
			Value *V = SI->getValueOperand();
			if (isa<AllocaInst>(SI->getPointerOperand()->stripPointerCasts()) &&
			    (isa<Argument>(V) || isa<Constant>(V)))
				continue;
		}
		if (auto *II = dyn_cast<IntrinsicInst>(&I))
			if (II->getIntrinsicID() == Intrinsic::lifetime_start)
				continue;
		return &I;
	}
	return F.getEntryBlock().getTerminator();
}

void instrumentLocals(Module &M, GlobalVariable *TU, const std::vector<StatefulFn> &Fns)
{
	LLVMContext &Ctx = M.getContext();
	Type *VoidTy = Type::getVoidTy(Ctx);
	Type *PtrTy = PointerType::getUnqual(Ctx);
	Type *I32 = Type::getInt32Ty(Ctx);
	FunctionCallee Local = M.getOrInsertFunction(LocalName, VoidTy, PtrTy, I32, PtrTy);
	FunctionCallee Exit = M.getOrInsertFunction(LocalExitName, VoidTy, PtrTy);
	for (const StatefulFn &SF : Fns) {
		IRBuilder<> B(afterPrologue(*SF.F));
		if (DISubprogram *SP = SF.F->getSubprogram())
			B.SetCurrentDebugLocation(DILocation::get(Ctx, SP->getScopeLine(), 0, SP));
		for (const LocalSlot &S : SF.Slots)
			B.CreateCall(Local, {TU, ConstantInt::get(I32, S.Index), S.AI});
		for (BasicBlock &BB : *SF.F)
			if (auto *RI = dyn_cast<ReturnInst>(BB.getTerminator())) {
				IRBuilder<> RB(RI);
				RB.CreateCall(Exit, {TU});
			}
	}
}

} // namespace ttst
