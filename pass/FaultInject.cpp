// FaultInject.cpp -- injects one fault (branch, uninit, pointer, overflow, leak) chosen by
// TTST_FAULT into a module, guarded by the runtime's __ttst_fault_active().
#include "FaultInject.h"
#include "Names.h"

#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Transforms/Utils/BasicBlockUtils.h>

#include <cstdlib>
#include <vector>

using namespace llvm;

namespace ttst
{

namespace
{

enum class FaultClass { Branch, Uninit, Pointer, Overflow, Leak };

struct FaultClassName {
	const char *Name;
	FaultClass Class;
};

constexpr FaultClassName FaultClasses[] = {
    {"branch", FaultClass::Branch},   {"uninit", FaultClass::Uninit},
    {"pointer", FaultClass::Pointer}, {"overflow", FaultClass::Overflow},
    {"leak", FaultClass::Leak},
};

// Parses "<class>:<n>".  Returns false (with a message) when malformed.
bool parseSpec(StringRef Spec, FaultClass &Class, uint64_t &N)
{
	auto [Name, Num] = Spec.split(':');
	for (const FaultClassName &F : FaultClasses)
		if (Name == F.Name && !Num.empty() && !Num.getAsInteger(10, N)) {
			Class = F.Class;
			return true;
		}
	errs() << "ttst: TTST_FAULT='" << Spec
	       << "' is not <class>:<n> with class branch, uninit, pointer, overflow or leak; "
		  "no fault injected\n";
	return false;
}

bool isFreeCall(const Instruction &I)
{
	const auto *CI = dyn_cast<CallInst>(&I);
	const Function *F = CI ? CI->getCalledFunction() : nullptr;
	return F && (F->getName() == "free" || F->getName() == "__ttst_free");
}

const GetElementPtrInst *storeGep(const Instruction &I)
{
	const auto *SI = dyn_cast<StoreInst>(&I);
	return SI ? dyn_cast<GetElementPtrInst>(SI->getPointerOperand()) : nullptr;
}

// A store through a GEP whose last index is not constant (an array element).
bool isIndexedStore(const Instruction &I)
{
	const GetElementPtrInst *G = storeGep(I);
	return G && G->getNumIndices() >= 1 &&
	       !isa<Constant>(G->getOperand(G->getNumOperands() - 1));
}

// A store into a member of a struct.
bool isMemberStore(const Instruction &I)
{
	const GetElementPtrInst *G = storeGep(I);
	return G && G->getSourceElementType()->isStructTy() && G->getNumIndices() >= 2;
}

// memcpy/memmove/memset, not their *.inline forms (whose length must stay a constant).
bool isVariableLengthMemOp(const Instruction &I)
{
	const auto *MI = dyn_cast<MemIntrinsic>(&I);
	return MI && MI->getIntrinsicID() != Intrinsic::memcpy_inline &&
	       MI->getIntrinsicID() != Intrinsic::memset_inline;
}

bool isCandidate(FaultClass Class, const Instruction &I)
{
	const auto *SI = dyn_cast<StoreInst>(&I);
	switch (Class) {
	case FaultClass::Branch:
		return isa<BranchInst>(I) && cast<BranchInst>(I).isConditional();
	case FaultClass::Uninit:
		return SI && isa<AllocaInst>(SI->getPointerOperand()->stripPointerCasts());
	case FaultClass::Pointer:
		return SI && SI->getValueOperand()->getType()->isPointerTy();
	case FaultClass::Overflow:
		return isVariableLengthMemOp(I) || isIndexedStore(I);
	case FaultClass::Leak:
		return isFreeCall(I) || isMemberStore(I);
	}
	return false;
}

// i1 "the fault fires now", computed right before I.
Value *activeFlag(Instruction *I)
{
	Module &M = *I->getModule();
	IRBuilder<> B(I);
	FunctionCallee Fn = M.getOrInsertFunction(FaultActiveName, B.getInt32Ty());
	return B.CreateICmpNE(B.CreateCall(Fn), B.getInt32(0), "ttst.fault.on");
}

// Moves I into a block that runs only when the fault is not active.
void skipWhenActive(Instruction *I)
{
	Value *On = activeFlag(I);
	IRBuilder<> B(I);
	Instruction *Term = SplitBlockAndInsertIfThen(B.CreateNot(On), I, false);
	I->moveBefore(Term);
}

// uninit: the local keeps whatever was in it; its accesses become volatile so that the
// optimiser cannot fold the missing store away.
void injectUninit(StoreInst *SI)
{
	Value *Slot = SI->getPointerOperand()->stripPointerCasts();
	for (User *U : Slot->users()) {
		if (auto *L = dyn_cast<LoadInst>(U))
			L->setVolatile(true);
		else if (auto *S = dyn_cast<StoreInst>(U); S && S->getPointerOperand() == Slot)
			S->setVolatile(true);
	}
	skipWhenActive(SI);
}

// pointer: the stored pointer gets bit 12 flipped.
void injectPointer(StoreInst *SI)
{
	Value *On = activeFlag(SI);
	IRBuilder<> B(SI);
	Value *V = SI->getValueOperand();
	Type *IntPtr =
	    B.getIntPtrTy(SI->getModule()->getDataLayout(), V->getType()->getPointerAddressSpace());
	Value *Bad = B.CreateIntToPtr(
	    B.CreateXor(B.CreatePtrToInt(V, IntPtr), ConstantInt::get(IntPtr, 0x1000)),
	    V->getType());
	SI->setOperand(0, B.CreateSelect(On, Bad, V));
}

// overflow: a memory intrinsic's length grows by one byte, or a store through an indexed GEP
// lands one element further.
void injectOverflow(Instruction *I)
{
	Value *On = activeFlag(I);
	IRBuilder<> B(I);
	if (auto *MI = dyn_cast<MemIntrinsic>(I)) {
		Value *Len = MI->getLength();
		MI->setLength(B.CreateAdd(Len, B.CreateZExt(On, Len->getType())));
		return;
	}
	auto *SI = cast<StoreInst>(I);
	auto *G = cast<GetElementPtrInst>(SI->getPointerOperand());
	auto *NG = cast<GetElementPtrInst>(G->clone());
	unsigned Last = NG->getNumOperands() - 1;
	Value *Idx = NG->getOperand(Last);
	Value *NewIdx = B.CreateAdd(Idx, B.CreateZExt(On, Idx->getType()));
	NG->insertBefore(SI); // after NewIdx
	NG->setOperand(Last, NewIdx);
	NG->setIsInBounds(false);
	SI->setOperand(1, NG);
}

void inject(FaultClass Class, Instruction *I)
{
	switch (Class) {
	case FaultClass::Branch: {
		auto *Br = cast<BranchInst>(I);
		Value *On = activeFlag(Br);
		IRBuilder<> B(Br);
		Br->setCondition(B.CreateXor(Br->getCondition(), On));
		return;
	}
	case FaultClass::Uninit:
		return injectUninit(cast<StoreInst>(I));
	case FaultClass::Pointer:
		return injectPointer(cast<StoreInst>(I));
	case FaultClass::Overflow:
		return injectOverflow(I);
	case FaultClass::Leak:
		return skipWhenActive(I);
	}
}

// Prints "ttst: fault <class>#<n> at <func> (<file>:<line>)"; an instruction without a location
// (a parameter spill) is reported at its function's line.
void report(StringRef Class, uint64_t N, const Instruction &I)
{
	const Function &F = *I.getFunction();
	StringRef File = F.getParent()->getSourceFileName();
	unsigned Line = 0;
	if (const DebugLoc &DL = I.getDebugLoc()) {
		File = DL->getFilename();
		Line = DL.getLine();
	} else if (const DISubprogram *SP = F.getSubprogram()) {
		File = SP->getFilename();
		Line = SP->getLine();
	}
	errs() << "ttst: fault " << Class << "#" << N << " at " << F.getName() << " (" << File
	       << ":" << Line << ")\n";
}

} // namespace

bool injectFault(Module &M)
{
	const char *Spec = std::getenv("TTST_FAULT");
	FaultClass Class;
	uint64_t N;
	if (!Spec || !*Spec || !parseSpec(Spec, Class, N))
		return false;
	std::vector<Instruction *> Cands;
	for (Function &F : M) {
		if (F.isDeclaration() || F.getName().startswith(ReservedPrefix))
			continue;
		for (Instruction &I : instructions(F))
			if (isCandidate(Class, I))
				Cands.push_back(&I);
	}
	if (Cands.empty()) {
		errs() << "ttst: fault " << Spec << ": no candidate in " << M.getSourceFileName()
		       << "\n";
		return false;
	}
	Instruction *I = Cands[N % Cands.size()];
	report(StringRef(Spec).split(':').first, N, *I);
	inject(Class, I);
	return true;
}

} // namespace ttst
