// Redirect.cpp -- rewrites allocation calls to the runtime's __ttst_* entry points and brackets
// wrapper calls.
#include "Names.h"
#include "Sites.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>

using namespace llvm;

namespace ttst
{

namespace
{

// Parameter and return attributes worth keeping on the replacement call:
// noundef on the original arguments, noalias/noundef on the result.
AttributeList keptAttributes(LLVMContext &Ctx, const CallInst &CI, unsigned NArgs)
{
	AttributeList Old = CI.getAttributes();
	AttrBuilder Ret(Ctx);
	if (Old.hasRetAttr(Attribute::NoAlias))
		Ret.addAttribute(Attribute::NoAlias);
	if (Old.hasRetAttr(Attribute::NoUndef))
		Ret.addAttribute(Attribute::NoUndef);
	SmallVector<AttributeSet, 8> Params;
	for (unsigned K = 0; K < NArgs; K++) {
		AttrBuilder P(Ctx);
		if (K < CI.arg_size() && Old.hasParamAttr(K, Attribute::NoUndef))
			P.addAttribute(Attribute::NoUndef);
		Params.push_back(AttributeSet::get(Ctx, P));
	}
	return AttributeList::get(Ctx, AttributeSet(), AttributeSet::get(Ctx, Ret), Params);
}

void redirect(Module &M, GlobalVariable *TU, CallInst *CI, const AllocFn &Fn, uint32_t Index)
{
	LLVMContext &Ctx = M.getContext();
	SmallVector<Value *, 8> Args(CI->args());
	if (Fn.SiteArgs) {
		Args.push_back(TU);
		Args.push_back(ConstantInt::get(Type::getInt32Ty(Ctx), Index));
	}
	SmallVector<Type *, 8> Params;
	for (Value *A : Args)
		Params.push_back(A->getType());
	FunctionType *FTy = FunctionType::get(CI->getType(), Params, false);
	FunctionCallee Callee = M.getOrInsertFunction(Fn.Ttst, FTy);
	CallInst *New = CallInst::Create(FTy, Callee.getCallee(), Args, "", CI);
	New->setAttributes(keptAttributes(Ctx, *CI, Args.size()));
	New->setDebugLoc(CI->getDebugLoc());
	New->takeName(CI);
	CI->replaceAllUsesWith(New);
	CI->eraseFromParent();
}

void bracket(Module &M, GlobalVariable *TU, CallInst *CI, uint32_t Index)
{
	LLVMContext &Ctx = M.getContext();
	Type *VoidTy = Type::getVoidTy(Ctx);
	Type *PtrTy = PointerType::getUnqual(Ctx);
	Type *I32 = Type::getInt32Ty(Ctx);
	FunctionCallee Enter = M.getOrInsertFunction(SiteEnterName, VoidTy, PtrTy, I32);
	FunctionCallee Leave = M.getOrInsertFunction(SiteLeaveName, VoidTy);
	IRBuilder<> B(CI);
	B.CreateCall(Enter, {TU, ConstantInt::get(I32, Index)});
	B.SetInsertPoint(CI->getNextNode());
	B.SetCurrentDebugLocation(CI->getDebugLoc());
	B.CreateCall(Leave, {});
}

} // namespace

void redirectSites(Module &M, GlobalVariable *TU, const std::vector<SiteCall> &Calls)
{
	for (const SiteCall &S : Calls) {
		auto *CI = dyn_cast<CallInst>(S.CB);
		if (!CI) // invoke: not produced for C; leave it alone
			continue;
		if (S.Fn)
			redirect(M, TU, CI, *S.Fn, S.Index);
		else
			bracket(M, TU, CI, S.Index);
	}
}

} // namespace ttst
