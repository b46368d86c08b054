// UnionPick.cpp -- picks the union member an allocation is stored into, from how the same place is
// used elsewhere.
#include "TypeInference.h"

#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/InstIterator.h>

using namespace llvm;

namespace ttst
{

// A string equal for two address computations that denote the same place
// (same variable, same loads, same member/index steps); "" if unknown.
std::string TypeInference::addrKey(Value *V, unsigned Depth)
{
	if (Depth > 10)
		return "";
	V = V->stripPointerCasts();
	if (isa<AllocaInst>(V) || isa<GlobalValue>(V) || isa<Argument>(V))
		return "@" + std::to_string(reinterpret_cast<uintptr_t>(V));
	if (auto *CI = dyn_cast<ConstantInt>(V))
		return "#" + std::to_string(CI->getSExtValue());
	if (auto *LI = dyn_cast<LoadInst>(V)) {
		std::string K = addrKey(LI->getPointerOperand(), Depth + 1);
		return K.empty() ? "" : "L(" + K + ")";
	}
	if (auto *Cast = dyn_cast<CastInst>(V)) {
		std::string K = addrKey(Cast->getOperand(0), Depth + 1);
		return K.empty() ? "" : "C(" + K + ")";
	}
	auto *G = dyn_cast<GEPOperator>(V);
	if (!G)
		return "";
	std::string K = "G" +
			std::to_string(reinterpret_cast<uintptr_t>(G->getSourceElementType())) +
			"(" + addrKey(G->getPointerOperand(), Depth + 1);
	for (const Use &Idx : G->indices()) {
		std::string I = addrKey(Idx.get(), Depth + 1);
		if (I.empty())
			return "";
		K += "," + I;
	}
	return K + ")";
}

// True when an access of LLVM type Ty through the pointer fits element
// type Elem: same struct/union name, or same size and scalar class.
bool TypeInference::usedAs(Type *Ty, TRef Elem) const
{
	Elem = strip(Elem);
	if (!Elem.Known || !Elem.T)
		return false;
	if (auto *ST = dyn_cast<StructType>(Ty)) {
		if (!ST->hasName())
			return false;
		StringRef N = ST->getName();
		N.consume_front("struct.") || N.consume_front("union.");
		StringRef DN = Elem.T->getName();
		return !DN.empty() && (N == DN || N.startswith((DN + ".").str()));
	}
	if (!Ty->isSized() || Ctx.M.getDataLayout().getTypeAllocSize(Ty) != sizeOf(Elem))
		return false;
	const auto *B = dyn_cast<DIBasicType>(Elem.T);
	bool DIFloat = B && B->getEncoding() == dwarf::DW_ATE_float;
	return Ty->isFloatingPointTy() == DIFloat && Ty->isPointerTy() == isPointer(Elem);
}

const DIDerivedType *TypeInference::pickUnionMember(ArrayRef<const DIDerivedType *> Ptrs,
						    Value *Addr)
{
	auto *I = dyn_cast<Instruction>(Addr);
	std::string Key = addrKey(Addr, 0);
	if (!I || Key.empty())
		return Ptrs[0];
	const Function *F = I->getFunction();
	if (F != KeyedF) {
		LoadKeys.clear();
		for (const Instruction &J : instructions(F))
			if (auto *LI = dyn_cast<LoadInst>(const_cast<Instruction *>(&J)))
				if (LI->getType()->isPointerTy())
					LoadKeys.push_back(
					    {LI, addrKey(LI->getPointerOperand(), 0)});
		KeyedF = F;
	}
	std::vector<unsigned> Score(Ptrs.size(), 0);
	for (auto &LK : LoadKeys) {
		if (LK.second != Key)
			continue;
		for (User *U : LK.first->users()) {
			Type *Ty = nullptr;
			if (auto *G = dyn_cast<GEPOperator>(U))
				Ty = G->getSourceElementType();
			else if (auto *L = dyn_cast<LoadInst>(U))
				Ty = L->getType();
			else if (auto *S = dyn_cast<StoreInst>(U))
				Ty = S->getPointerOperand() == LK.first
					 ? S->getValueOperand()->getType()
					 : nullptr;
			for (size_t K = 0; Ty && K < Ptrs.size(); K++)
				Score[K] += usedAs(Ty, pointeeOf(TRef::of(Ptrs[K]->getBaseType())));
		}
	}
	size_t Best = 0;
	for (size_t K = 1; K < Ptrs.size(); K++)
		if (Score[K] > Score[Best])
			Best = K;
	return Ptrs[Best];
}

} // namespace ttst
