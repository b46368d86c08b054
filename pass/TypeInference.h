// TypeInference.h -- destination analysis: which object an allocation's result is stored into, and
// its DI type.
#ifndef TTST_PASS_TYPEINFERENCE_H
#define TTST_PASS_TYPEINFERENCE_H

#include "DIUtil.h"
#include "StateIds.h"

#include <llvm/ADT/DenseMap.h>
#include <llvm/IR/InstrTypes.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Operator.h>

#include <set>
#include <string>
#include <vector>

namespace ttst
{

// An lvalue as C source would spell it: Base, or *Base when Deref.
struct LValue {
	std::string Base;
	bool Deref = false;
	std::string str() const
	{
		return Deref ? "*" + Base : Base;
	}
};

// What inference found for one site.
struct Inference {
	TRef Elem;		  // element type (not Known: untyped)
	std::string Target = "?"; // "e", "t->items", "g_table", "*out", "return", "?"
};

class TypeInference
{
      public:
	explicit TypeInference(const PassContext &C) : Ctx(C)
	{
	}
	// The destination of CB's result (stores, return, call arguments).
	Inference ofResult(llvm::CallBase &CB);
	// The object at address Addr (posix_memalign's first argument).
	Inference ofDestAddr(llvm::Value *Addr);
	// What pointer P points to and how P is spelt (free(p), realloc(p, n)).
	Inference ofPointer(llvm::Value *P);

      private:
	// The object designated by an address value.
	struct Obj {
		TRef Ty;
		LValue Name;
		llvm::AllocaInst *Temp = nullptr; // compiler temporary (no dbg.declare)
		llvm::AllocaInst *Var = nullptr;  // named local variable
	};
	struct Dest {
		unsigned Order;
		TRef Slot;
		LValue Name;
		llvm::AllocaInst *Var;
	};

	bool objectAt(llvm::Value *V, Obj &O, unsigned Depth);
	bool applyGEP(llvm::GEPOperator *G, Obj &O);
	bool callResultObject(llvm::CallBase *CB, Obj &O);
	void descendToPointer(Obj &O, llvm::Value *Addr);
	// UnionPick.cpp: which of a union's pointer members the place Addr
	// holds, judged by how pointers loaded from the same place are used.
	const llvm::DIDerivedType *pickUnionMember(llvm::ArrayRef<const llvm::DIDerivedType *> Ptrs,
						   llvm::Value *Addr);
	std::string addrKey(llvm::Value *V, unsigned Depth);
	bool usedAs(llvm::Type *Ty, TRef Elem) const;
	void collectDests(llvm::Value *R, std::vector<Dest> &Out, std::set<llvm::Value *> &Seen,
			  unsigned Depth);
	void storeDest(llvm::StoreInst *S, std::vector<Dest> &Out, std::set<llvm::Value *> &Seen,
		       unsigned Depth);
	bool argDest(llvm::CallBase *CB, llvm::Value *R, Dest &D);
	TRef firstTyped(std::vector<Dest> &Ds);
	unsigned order(const llvm::Instruction *I);

	const PassContext &Ctx;
	const llvm::Function *OrderedF = nullptr;
	const llvm::Function *KeyedF = nullptr;
	std::vector<std::pair<llvm::LoadInst *, std::string>> LoadKeys; // of KeyedF
	llvm::DenseMap<const llvm::Instruction *, unsigned> Order;
};

} // namespace ttst

#endif
