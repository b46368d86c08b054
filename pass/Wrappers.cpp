// Wrappers.cpp -- finds allocator wrappers: malloc/alloc_size attributes, same-file functions,
// TTST_ALLOCATORS.
#include "Wrappers.h"

#include "StateIds.h"

#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>

#include <cstdlib>

using namespace llvm;

namespace ttst
{

const AllocFn *libcAllocFn(StringRef Name)
{
	for (const AllocFn &F : AllocFns)
		if (Name == F.Libc)
			return &F;
	return nullptr;
}

static Function *directCallee(const CallBase &CB)
{
	return dyn_cast<Function>(CB.getCalledOperand()->stripPointerCasts());
}

Allocators::Allocators(Module &M)
{
	if (const char *Env = std::getenv("TTST_ALLOCATORS")) {
		SmallVector<StringRef, 8> Parts;
		StringRef(Env).split(Parts, ',', -1, false);
		for (StringRef P : Parts)
			if (!P.trim().empty())
				Named.insert(P.trim().str());
	}
	// Wrappers may call wrappers (xcalloc -> xmalloc): iterate to a fixpoint.
	for (bool Changed = true; Changed;) {
		Changed = false;
		for (Function &F : M) {
			if (F.isDeclaration() || !F.getReturnType()->isPointerTy() ||
			    SameFile.count(&F) || isReserved(F.getName()) ||
			    libcAllocFn(F.getName()) || F.getName() == "main")
				continue;
			const CallBase *Origin = nullptr;
			if (!returnsAllocation(F, Origin))
				continue;
			SameFile[&F] = wrapperSize(*Origin);
			Changed = true;
		}
	}
}

bool Allocators::classify(const CallBase &CB, AllocKind &K) const
{
	Function *F = directCallee(CB);
	if (!F || F->isIntrinsic() || isReserved(F->getName()) || F->getName() == "main")
		return false;
	K = AllocKind();
	K.Callee = F;
	if ((K.Fn = libcAllocFn(F->getName()))) {
		K.Size = {K.Fn->SizeA, K.Fn->SizeB};
		return true;
	}
	auto It = SameFile.find(F);
	bool Attr = F->returnDoesNotAlias() || CB.hasRetAttr(Attribute::NoAlias) ||
		    F->hasFnAttribute(Attribute::AllocSize) || CB.hasFnAttr(Attribute::AllocSize);
	if (It == SameFile.end() && !Attr && !Named.count(F->getName().str()))
		return false;
	if (It != SameFile.end())
		K.Size = It->second;
	Attribute AS = CB.getFnAttr(Attribute::AllocSize);
	if (!AS.isValid())
		AS = F->getFnAttribute(Attribute::AllocSize);
	if (AS.isValid()) {
		auto Args = AS.getAllocSizeArgs();
		K.Size.A = (int)Args.first;
		K.Size.B = Args.second ? (int)*Args.second : -1;
	}
	return true;
}

bool Allocators::returnsAllocation(Function &F, const CallBase *&Origin) const
{
	std::set<Value *> Seen;
	bool Returns = false;
	for (BasicBlock &BB : F) {
		auto *RI = dyn_cast<ReturnInst>(BB.getTerminator());
		if (!RI || !RI->getReturnValue())
			continue;
		Returns = true;
		if (!onlyAllocation(RI->getReturnValue(), Seen, Origin))
			return false;
	}
	return Returns && Origin;
}

// True when every value V can take is fresh memory from an allocation call
// (or a pointer into it) or NULL, through casts, phis, selects, GEPs and
// locals (clang's allocas before mem2reg).  A lookup-or-create function is
// thus not a wrapper: an untyped allocation inside it must not take the
// type of what it returns.  Origin receives the first allocation call seen.
bool Allocators::onlyAllocation(Value *V, std::set<Value *> &Seen, const CallBase *&Origin) const
{
	V = V->stripPointerCasts();
	if (isa<ConstantPointerNull>(V) || !Seen.insert(V).second) // NULL; loops
		return true;
	if (Seen.size() > 64)
		return false;
	if (auto *CB = dyn_cast<CallBase>(V)) {
		AllocKind K;
		if (!classify(*CB, K) || (K.Fn && (K.Fn->Free || K.Fn->DestArg >= 0)))
			return false;
		Origin = Origin ? Origin : CB;
		return true;
	}
	if (auto *PN = dyn_cast<PHINode>(V))
		return all_of(PN->incoming_values(),
			      [&](Value *In) { return onlyAllocation(In, Seen, Origin); });
	if (auto *SI = dyn_cast<SelectInst>(V))
		return onlyAllocation(SI->getTrueValue(), Seen, Origin) &&
		       onlyAllocation(SI->getFalseValue(), Seen, Origin);
	if (auto *GEP = dyn_cast<GetElementPtrInst>(V))
		return onlyAllocation(GEP->getPointerOperand(), Seen, Origin);
	auto *LI = dyn_cast<LoadInst>(V);
	auto *AI =
	    LI ? dyn_cast<AllocaInst>(LI->getPointerOperand()->stripPointerCasts()) : nullptr;
	return AI && localOnlyAllocation(AI, Seen, Origin);
}

// A local holds only allocations when every store into it does and its
// address escapes only into posix_memalign(&p, ...).
bool Allocators::localOnlyAllocation(AllocaInst *AI, std::set<Value *> &Seen,
				     const CallBase *&Origin) const
{
	bool Written = false;
	for (User *U : AI->users()) {
		if (isa<LoadInst>(U) || isa<DbgInfoIntrinsic>(U) || U->isDroppable())
			continue;
		if (auto *St = dyn_cast<StoreInst>(U)) {
			if (St->getPointerOperand()->stripPointerCasts() != AI)
				return false; // the local's address is stored away
			if (!onlyAllocation(St->getValueOperand(), Seen, Origin))
				return false;
			Written = true;
			continue;
		}
		auto *CB = dyn_cast<CallBase>(U);
		AllocKind K;
		if (auto *II = dyn_cast<IntrinsicInst>(U))
			if (II->isLifetimeStartOrEnd())
				continue;
		if (!CB || !classify(*CB, K) || !K.Fn || K.Fn->DestArg != 0 ||
		    CB->getArgOperand(0) != AI)
			return false;
		Origin = Origin ? Origin : CB;
		Written = true;
	}
	return Written;
}

// Index of the parameter whose value V is (through integer casts and the
// parameter's alloca), or -1.
static int paramIndex(Value *V)
{
	for (unsigned Guard = 0; Guard < 8; Guard++) {
		if (auto *A = dyn_cast<Argument>(V))
			return (int)A->getArgNo();
		if (auto *CI = dyn_cast<CastInst>(V)) {
			V = CI->getOperand(0);
			continue;
		}
		auto *LI = dyn_cast<LoadInst>(V);
		auto *AI = LI ? dyn_cast<AllocaInst>(LI->getPointerOperand()) : nullptr;
		if (!AI)
			return -1;
		Value *Stored = nullptr;
		for (User *U : AI->users())
			if (auto *St = dyn_cast<StoreInst>(U)) {
				if (Stored || St->getPointerOperand() != AI)
					return -1; // written more than once: not just the parameter
				Stored = St->getValueOperand();
			}
		if (!Stored)
			return -1;
		V = Stored;
	}
	return -1;
}

// The wrapper's size parameters: those that flow unchanged into the size
// argument(s) of the allocation whose result the wrapper returns.
SizeSpec Allocators::wrapperSize(const CallBase &Origin) const
{
	AllocKind K;
	SizeSpec S;
	if (!classify(Origin, K) || K.Size.A < 0 || (unsigned)K.Size.A >= Origin.arg_size())
		return S;
	Value *A = Origin.getArgOperand(K.Size.A);
	if (K.Size.B >= 0) {
		if ((unsigned)K.Size.B >= Origin.arg_size())
			return S;
		S.A = paramIndex(A);
		S.B = paramIndex(Origin.getArgOperand(K.Size.B));
		if (S.A < 0 || S.B < 0)
			S = SizeSpec();
		return S;
	}
	if (auto *Mul = dyn_cast<BinaryOperator>(A))
		if (Mul->getOpcode() == Instruction::Mul) {
			S.A = paramIndex(Mul->getOperand(0));
			S.B = paramIndex(Mul->getOperand(1));
			if (S.A < 0 || S.B < 0)
				S = SizeSpec();
			return S;
		}
	S.A = paramIndex(A);
	return S;
}

} // namespace ttst
