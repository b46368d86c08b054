// Sites.cpp -- finds allocation sites, names them "caller:target:ordinal" and infers their element
// types.
#include "Sites.h"

#include "SizeCheck.h"
#include "TypeInference.h"

#include <llvm/ADT/StringMap.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/Instructions.h>

using namespace llvm;

namespace ttst
{

namespace
{

// Destination and element type of one allocation / deallocation call.
Inference inferSite(TypeInference &TI, CallBase &CB, const AllocKind &K)
{
	const AllocFn *Fn = K.Fn;
	if (Fn && Fn->Free)
		return CB.arg_size() ? TI.ofPointer(CB.getArgOperand(0)) : Inference();
	if (Fn && Fn->DestArg >= 0 && (unsigned)Fn->DestArg < CB.arg_size())
		return TI.ofDestAddr(CB.getArgOperand(Fn->DestArg));
	Inference Inf = TI.ofResult(CB);
	bool Realloc =
	    Fn && (StringRef(Fn->Libc) == "realloc" || StringRef(Fn->Libc) == "reallocarray");
	if (Realloc && !Inf.Elem.isTyped() && CB.arg_size()) {
		// tmp = realloc(t->items, ...): the old pointer's type
		Inference Old = TI.ofPointer(CB.getArgOperand(0));
		Inf.Elem = Old.Elem;
	}
	if (!Inf.Elem.isTyped() && !Fn) {
		// set_begin(t, k)->val = v: no destination, but a wrapper defined
		// here says what it returns.
		const DISubprogram *SP = K.Callee->getSubprogram();
		DITypeRefArray TA =
		    SP && SP->getType() ? SP->getType()->getTypeArray() : DITypeRefArray();
		if (TA.size() && TA[0])
			Inf.Elem = pointeeOf(TRef::of(TA[0]));
	}
	if (Inf.Elem.isVoid())
		Inf.Elem = TRef::unknown();
	return Inf;
}

SiteEntry makeSite(const PassContext &C, TypeTable &TT, CallBase &CB, const AllocKind &K,
		   Inference &Inf)
{
	SiteEntry E;
	E.Allocator = K.Fn ? K.Fn->Libc : K.Callee->getName().str();
	if (K.Fn && K.Fn->Free)
		E.Flags |= TTST_XF_FREE;
	if (!K.Fn)
		E.Flags |= TTST_XF_WRAPPER;
	if (!(K.Fn && K.Fn->Free))
		checkSize(callSize(CB, K.Size), Inf.Elem, E.Flags, E.ConstSize);
	E.Type = TT.get(Inf.Elem, Inf.Target + "::anon");
	if (E.Type == TTST_NO_TYPE && K.Fn && K.Fn->String)
		E.Type = TT.charType();
	E.File = C.TuFile;
	if (const DILocation *L = CB.getDebugLoc().get()) {
		E.File = L->getFilename().str();
		E.Line = L->getLine();
	}
	return E;
}

} // namespace

void collectSites(const PassContext &C, TypeTable &TT, const Allocators &A,
		  std::vector<SiteEntry> &Out, std::vector<SiteCall> &Calls)
{
	TypeInference TI(C);
	for (Function &F : C.M) {
		if (F.isDeclaration() || isReserved(F.getName()))
			continue;
		std::string Caller = funcId(C, F);
		StringMap<unsigned> Ordinal;
		for (Instruction &I : instructions(F)) {
			auto *CB = dyn_cast<CallBase>(&I);
			AllocKind K;
			if (!CB || !A.classify(*CB, K))
				continue;
			Inference Inf = inferSite(TI, *CB, K);
			SiteEntry E = makeSite(C, TT, *CB, K, Inf);
			// A deallocation is named after its call ("free(e)") so that
			// adding or removing a free() never renumbers allocation sites.
			std::string Target = Inf.Target;
			if (K.Fn && K.Fn->Free)
				Target = std::string(K.Fn->Libc) + "(" + Target + ")";
			std::string Key = Caller + ":" + Target;
			E.Id = Key + ":" + std::to_string(Ordinal[Key]++);
			E.Func = Caller;
			Calls.push_back({CB, K.Fn, (uint32_t)Out.size()});
			Out.push_back(std::move(E));
		}
	}
}

} // namespace ttst
