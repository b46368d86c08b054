// TypeInference.cpp -- finds where an allocation's result goes (before mem2reg) and the DI type of
// that place.
#include "TypeInference.h"

#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/IR/DebugInfo.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/Operator.h>

#include <algorithm>

using namespace llvm;

namespace ttst
{

namespace
{

std::string paren(const std::string &B)
{
	return (!B.empty() && B[0] == '*') ? "(" + B + ")" : B;
}

LValue memberOf(const LValue &L, StringRef M)
{
	if (M.empty()) // anonymous struct/union member: C names its fields directly
		return L;
	if (L.Deref)
		return {paren(L.Base) + "->" + M.str(), false};
	return {L.Base + "." + M.str(), false};
}

LValue indexOf(const LValue &L)
{
	return {paren(L.Base) + "[]", false};
}

LValue derefOf(const LValue &L)
{
	return {L.str(), true};
}

const DILocalVariable *declaredVar(AllocaInst *AI)
{
	for (DbgDeclareInst *DDI : FindDbgDeclareUses(AI))
		if (DDI->getVariable())
			return DDI->getVariable();
	return nullptr;
}

// The DI return type of F, or an unknown reference.
TRef returnType(const Function *F)
{
	const DISubprogram *SP = F ? F->getSubprogram() : nullptr;
	if (!SP || !SP->getType())
		return TRef::unknown();
	DITypeRefArray TA = SP->getType()->getTypeArray();
	return TA.size() ? TRef::of(TA[0]) : TRef::unknown();
}

} // namespace

unsigned TypeInference::order(const Instruction *I)
{
	const Function *F = I->getFunction();
	if (F != OrderedF) {
		Order.clear();
		unsigned N = 0;
		for (const Instruction &J : instructions(F))
			Order[&J] = N++;
		OrderedF = F;
	}
	return Order.lookup(I);
}

bool TypeInference::objectAt(Value *V, Obj &O, unsigned Depth)
{
	if (Depth > 12)
		return false;
	V = V->stripPointerCasts();
	if (auto *AI = dyn_cast<AllocaInst>(V)) {
		O = Obj();
		if (const DILocalVariable *Var = declaredVar(AI)) {
			O.Ty = TRef::of(Var->getType());
			O.Name = {Var->getName().str(), false};
			O.Var = AI;
		} else {
			O.Temp = AI;
		}
		return true;
	}
	if (auto *G = dyn_cast<GlobalVariable>(V)) {
		SmallVector<DIGlobalVariableExpression *, 1> GVEs;
		G->getDebugInfo(GVEs);
		if (GVEs.empty() || !GVEs[0]->getVariable())
			return false;
		O = Obj();
		O.Ty = TRef::of(GVEs[0]->getVariable()->getType());
		O.Name = {GVEs[0]->getVariable()->getName().str(), false};
		return true;
	}
	if (auto *LI = dyn_cast<LoadInst>(V)) {
		Obj Slot;
		if (!objectAt(LI->getPointerOperand(), Slot, Depth + 1) || Slot.Temp)
			return false;
		descendToPointer(Slot, LI->getPointerOperand()); // loaded from a first member
		O = Obj();
		O.Ty = pointeeOf(Slot.Ty);
		O.Name = derefOf(Slot.Name);
		return O.Ty.Known;
	}
	if (auto *G = dyn_cast<GEPOperator>(V))
		return objectAt(G->getPointerOperand(), O, Depth + 1) && !O.Temp && applyGEP(G, O);
	if (auto *CB = dyn_cast<CallBase>(V))
		return callResultObject(CB, O);
	return false;
}

// The object a call's pointer result points to: `get()->field = ...`.
bool TypeInference::callResultObject(CallBase *CB, Obj &O)
{
	auto *F = dyn_cast<Function>(CB->getCalledOperand()->stripPointerCasts());
	TRef R = returnType(F);
	if (!R.Known)
		return false;
	O = Obj();
	O.Ty = pointeeOf(R);
	O.Name = derefOf({F->getName().str() + "()", false});
	return O.Ty.Known;
}

// Walks a GEP's indices through the DI type of its base object.
bool TypeInference::applyGEP(GEPOperator *G, Obj &O)
{
	const DataLayout &DL = Ctx.M.getDataLayout();
	Type *Cur = G->getSourceElementType();
	auto Idx = G->idx_begin(), End = G->idx_end();
	if (Idx == End)
		return true;
	auto *C0 = dyn_cast<ConstantInt>(Idx->get());
	if (!C0 || !C0->isZero()) { // p[i]: stepping over whole objects
		if (!Cur->isSized() || DL.getTypeAllocSize(Cur) != sizeOf(O.Ty))
			return false;
		O.Name = indexOf(O.Name);
	}
	for (++Idx; Idx != End; ++Idx) {
		if (auto *ST = dyn_cast<StructType>(Cur)) {
			auto *CI = dyn_cast<ConstantInt>(Idx->get());
			if (!CI)
				return false;
			unsigned K = (unsigned)CI->getZExtValue();
			uint64_t Off = DL.getStructLayout(ST)->getElementOffset(K);
			const DIDerivedType *M = memberAt(O.Ty, Off);
			if (!M)
				return false;
			O.Ty = TRef::of(M->getBaseType());
			O.Name = memberOf(O.Name, M->getName());
			Cur = ST->getElementType(K);
		} else if (auto *AT = dyn_cast<ArrayType>(Cur)) {
			O.Ty = elementOf(O.Ty);
			if (!O.Ty.Known)
				return false;
			O.Name = indexOf(O.Name);
			Cur = AT->getElementType();
		} else {
			return false;
		}
	}
	return true;
}

// A pointer stored into a union (or a struct/array starting with one) lands
// in a pointer member at offset 0; when the union has several, the uses of
// the same place (Addr) elsewhere in the function choose.
void TypeInference::descendToPointer(Obj &O, Value *Addr)
{
	for (unsigned Guard = 0; Guard < 8 && O.Ty.Known && !isPointer(O.Ty); Guard++) {
		unsigned Tag = tagOf(O.Ty);
		if (Tag == dwarf::DW_TAG_array_type) {
			O.Ty = elementOf(O.Ty);
			O.Name = indexOf(O.Name);
			continue;
		}
		if (Tag != dwarf::DW_TAG_structure_type && Tag != dwarf::DW_TAG_union_type)
			return;
		const auto *C = cast<DICompositeType>(strip(O.Ty).T);
		SmallVector<const DIDerivedType *, 4> Ptrs;
		const DIDerivedType *Agg = nullptr;
		for (const DINode *E : C->getElements()) {
			const auto *M = dyn_cast_or_null<DIDerivedType>(E);
			if (!M || M->getTag() != dwarf::DW_TAG_member ||
			    M->getOffsetInBits() != 0 || isBitfield(M))
				continue;
			TRef MT = TRef::of(M->getBaseType());
			if (isPointer(MT))
				Ptrs.push_back(M);
			else if (!Agg && isAggregate(MT))
				Agg = M;
		}
		const DIDerivedType *Pick = Agg;
		if (Ptrs.size() > 1 && Addr)
			Pick = pickUnionMember(Ptrs, Addr);
		else if (!Ptrs.empty())
			Pick = Ptrs[0];
		if (!Pick)
			return;
		O.Ty = TRef::of(Pick->getBaseType());
		O.Name = memberOf(O.Name, Pick->getName());
	}
}

void TypeInference::storeDest(StoreInst *S, std::vector<Dest> &Out, std::set<Value *> &Seen,
			      unsigned Depth)
{
	Obj O;
	if (!objectAt(S->getPointerOperand(), O, 0)) {
		Out.push_back({order(S), TRef::unknown(), {"?", false}, nullptr});
		return;
	}
	if (O.Temp) { // clang temporary (e.g. the return-value slot): follow its loads
		for (User *U : O.Temp->users())
			if (auto *LI = dyn_cast<LoadInst>(U))
				collectDests(LI, Out, Seen, Depth + 1);
		return;
	}
	descendToPointer(O, S->getPointerOperand());
	Out.push_back({order(S), O.Ty, O.Name, O.Var});
}

// R passed as an argument to a function defined here: its parameter type.
bool TypeInference::argDest(CallBase *CB, Value *R, Dest &D)
{
	auto *F = dyn_cast<Function>(CB->getCalledOperand()->stripPointerCasts());
	if (!F || F->isDeclaration() || !F->getSubprogram() || !F->getSubprogram()->getType())
		return false;
	DITypeRefArray TA = F->getSubprogram()->getType()->getTypeArray();
	for (unsigned K = 0; K < CB->arg_size(); K++) {
		if (CB->getArgOperand(K) != R)
			continue;
		if (K + 1 >= TA.size() || !TA[K + 1])
			return false;
		D = {order(CB), TRef::of(TA[K + 1]), {F->getName().str() + "()", false}, nullptr};
		return true;
	}
	return false;
}

void TypeInference::collectDests(Value *R, std::vector<Dest> &Out, std::set<Value *> &Seen,
				 unsigned Depth)
{
	if (Depth > 6 || !Seen.insert(R).second)
		return;
	for (User *U : R->users()) {
		auto *I = dyn_cast<Instruction>(U);
		if (!I)
			continue;
		if (auto *S = dyn_cast<StoreInst>(I)) {
			if (S->getValueOperand() == R)
				storeDest(S, Out, Seen, Depth);
		} else if (isa<CastInst>(I) || isa<PHINode>(I) || isa<SelectInst>(I)) {
			if (I->getType()->isPointerTy())
				collectDests(I, Out, Seen, Depth + 1);
		} else if (isa<ReturnInst>(I)) {
			Out.push_back(
			    {order(I), returnType(I->getFunction()), {"return", false}, nullptr});
		} else if (auto *CB = dyn_cast<CallBase>(I)) {
			Dest D;
			if (argDest(CB, R, D))
				Out.push_back(D);
		}
	}
}

// The first destination (in program order) with a known, non-void element
// type; void * locals are followed to where their value goes next.
TRef TypeInference::firstTyped(std::vector<Dest> &Ds)
{
	for (const Dest &D : Ds) {
		TRef E = pointeeOf(D.Slot);
		if (E.isTyped())
			return E;
	}
	std::vector<Dest> Next;
	std::set<Value *> Seen;
	for (const Dest &D : Ds) {
		if (!D.Var)
			continue;
		for (User *U : D.Var->users())
			if (auto *LI = dyn_cast<LoadInst>(U))
				collectDests(LI, Next, Seen, 4);
	}
	std::stable_sort(Next.begin(), Next.end(),
			 [](const Dest &A, const Dest &B) { return A.Order < B.Order; });
	for (const Dest &D : Next) {
		TRef E = pointeeOf(D.Slot);
		if (E.isTyped())
			return E;
	}
	return TRef::unknown();
}

Inference TypeInference::ofResult(CallBase &CB)
{
	Inference Inf;
	std::vector<Dest> Ds;
	std::set<Value *> Seen;
	collectDests(&CB, Ds, Seen, 0);
	std::stable_sort(Ds.begin(), Ds.end(),
			 [](const Dest &A, const Dest &B) { return A.Order < B.Order; });
	if (Ds.empty())
		return Inf;
	Inf.Target = Ds[0].Name.str();
	Inf.Elem = firstTyped(Ds);
	return Inf;
}

Inference TypeInference::ofDestAddr(Value *Addr)
{
	Inference Inf;
	Obj O;
	if (!objectAt(Addr, O, 0) || O.Temp)
		return Inf;
	descendToPointer(O, Addr);
	Inf.Target = O.Name.str();
	Inf.Elem = pointeeOf(O.Ty);
	if (Inf.Elem.isVoid())
		Inf.Elem = TRef::unknown();
	return Inf;
}

Inference TypeInference::ofPointer(Value *P)
{
	Inference Inf;
	auto *LI = dyn_cast<LoadInst>(P->stripPointerCasts());
	Obj O;
	if (!LI || !objectAt(LI->getPointerOperand(), O, 0) || O.Temp)
		return Inf;
	descendToPointer(O, LI->getPointerOperand());
	Inf.Target = O.Name.str();
	Inf.Elem = pointeeOf(O.Ty);
	if (Inf.Elem.isVoid())
		Inf.Elem = TRef::unknown();
	return Inf;
}

} // namespace ttst
