// Statics.cpp -- collects the static objects of a TU (DESIGN.md section 3) as StaticEntry records.
#include "Statics.h"

#include "DIUtil.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/DebugInfo.h>
#include <llvm/Support/Format.h>
#include <llvm/Support/raw_ostream.h>

using namespace llvm;

namespace ttst
{

namespace
{

bool skipGlobal(const GlobalVariable &G)
{
	StringRef N = G.getName();
	return N.startswith("llvm.") || isReserved(N) || G.getSection() == "llvm.metadata" ||
	       G.isDeclarationForLinker();
}

uint16_t storageFlags(const GlobalVariable &G)
{
	uint16_t F = 0;
	if (G.hasLocalLinkage())
		F |= TTST_SF_INTERNAL;
	if (G.isConstant())
		F |= TTST_SF_CONST;
	if (G.isThreadLocal())
		F |= TTST_SF_TLS;
	return F;
}

// A global variable with debug info: file static, global or static local.
StaticEntry variableEntry(const PassContext &C, TypeTable &TT, IdSet &Ids, GlobalVariable &G,
			  const DIGlobalVariable *V)
{
	StaticEntry E;
	E.Name = V->getName().str();
	if (const auto *LS = dyn_cast_or_null<DILocalScope>(V->getScope())) {
		const DISubprogram *SP = LS->getSubprogram();
		E.Id = Ids.unique((SP ? subprogramId(C, SP) : C.IdFile) + ":" + E.Name);
	} else {
		E.Id = Ids.unique(linkageId(C, E.Name, G.hasLocalLinkage()));
	}
	E.Kind = TTST_S_VARIABLE;
	E.Flags = storageFlags(G);
	if (hasDeclTag(V->getAnnotations(), "ttst_ixfer"))
		E.Flags |= TTST_SF_IXFER;
	if (hasDeclTag(V->getAnnotations(), "ttst_pxfer"))
		E.Flags |= TTST_SF_PXFER;
	E.Type = TT.get(V->getType(), E.Name + "::anon");
	E.File = V->getFilename().str();
	E.Line = V->getLine();
	E.Addr = G.isThreadLocal() ? nullptr : &G;
	return E;
}

std::string hex16(uint64_t V)
{
	std::string S;
	raw_string_ostream OS(S);
	OS << format_hex_no_prefix(V, 16);
	return OS.str();
}

// The bytes of a constant data array (strings), or false.
bool constantBytes(const GlobalVariable &G, std::string &Bytes, uint64_t &Count, bool &IsChar)
{
	const Constant *Init = G.getInitializer();
	auto *AT = dyn_cast<ArrayType>(Init->getType());
	if (!G.isConstant() || !AT || !AT->getElementType()->isIntegerTy())
		return false;
	Count = AT->getNumElements();
	IsChar = AT->getElementType()->isIntegerTy(8);
	if (const auto *CDS = dyn_cast<ConstantDataSequential>(Init)) {
		Bytes = CDS->getRawDataValues().str();
		return true;
	}
	if (isa<ConstantAggregateZero>(Init)) {
		uint64_t Elt = AT->getElementType()->getIntegerBitWidth() / 8;
		Bytes.assign(Count * Elt, '\0');
		return true;
	}
	return false;
}

// A file-scope compound literal has no debug info: its type is what the
// global initialised with its address points to (an array when it is larger:
// `static int *p = (int[]){1, 2, 3}`).  TTST_NO_TYPE when nothing says.
uint32_t compoundLiteralType(const PassContext &C, TypeTable &TT, GlobalVariable &G)
{
	uint64_t Size = C.M.getDataLayout().getTypeAllocSize(G.getValueType());
	for (User *U : G.users()) {
		auto *Owner = dyn_cast<GlobalVariable>(U);
		if (!Owner)
			if (auto *CE = dyn_cast<ConstantExpr>(U))
				if (CE->hasOneUse())
					Owner = dyn_cast<GlobalVariable>(CE->user_back());
		SmallVector<DIGlobalVariableExpression *, 1> GVEs;
		if (Owner)
			Owner->getDebugInfo(GVEs);
		if (GVEs.empty() || !GVEs[0]->getVariable())
			continue;
		TRef Elem = pointeeOf(TRef::of(GVEs[0]->getVariable()->getType()));
		uint64_t ES = Elem.Known ? sizeOf(Elem) : 0;
		if (ES == 0 || Size % ES != 0)
			continue;
		uint32_t T = TT.get(Elem, "");
		return Size == ES ? T : TT.arrayOf(T, Size / ES);
	}
	return TTST_NO_TYPE;
}

// A global without debug info: a string literal, an unnamed constant or,
// in a TU compiled without debug info, any user global.
bool unnamedEntry(const PassContext &C, TypeTable &TT, IdSet &Ids, GlobalVariable &G,
		  const DIGlobalVariable *V, StaticEntry &E)
{
	std::string Bytes;
	uint64_t Count = 0;
	bool IsChar = false;
	E.Kind = TTST_S_VARIABLE;
	E.Flags = storageFlags(G);
	E.Name = G.getName().str();
	E.File = V ? V->getFilename().str() : C.TuFile;
	E.Line = V ? V->getLine() : 0;
	E.Addr = G.isThreadLocal() ? nullptr : &G;
	if (G.getName().startswith("__const."))
		return false; // clang's initializer image of a local: never escapes
	if (G.hasLocalLinkage() && G.hasInitializer() && constantBytes(G, Bytes, Count, IsChar)) {
		uint64_t H = ttst_fnv1a(TTST_FNV_OFFSET, Bytes.data(), Bytes.size());
		E.Id = Ids.unique(C.IdFile + ":.str#" + hex16(H));
		E.Flags |= TTST_SF_STRING | TTST_SF_CONST;
		if (V)
			E.Type = TT.get(V->getType(), "");
		else if (IsChar)
			E.Type = TT.arrayOf(TT.charType(), Count);
		return true;
	}
	if (G.getName().startswith(".compoundliteral")) {
		E.Id = Ids.unique(C.IdFile + ":" + E.Name);
		E.Type = compoundLiteralType(C, TT, G);
		return true;
	}
	if (!C.HasTypes && !G.hasPrivateLinkage()) {
		E.Id = Ids.unique(linkageId(C, E.Name, G.hasLocalLinkage()));
		return true;
	}
	return false; // clang's __const.f.x initializer copies and the like
}

StaticEntry functionEntry(const PassContext &C, TypeTable &TT, IdSet &Ids, Function &F)
{
	StaticEntry E;
	E.Kind = TTST_S_FUNCTION;
	E.Name = F.getName().str();
	E.File = C.TuFile;
	if (F.hasLocalLinkage())
		E.Flags |= TTST_SF_INTERNAL;
	if (DISubprogram *SP = F.getSubprogram()) {
		if (!SP->getName().empty())
			E.Name = SP->getName().str();
		E.Type = TT.get(SP->getType(), "");
		E.File = SP->getFilename().str();
		E.Line = SP->getLine();
	}
	E.Id = Ids.unique(funcId(C, F));
	E.Addr = &F;
	return E;
}

} // namespace

void collectStatics(const PassContext &C, TypeTable &TT, IdSet &Ids, std::vector<StaticEntry> &Out)
{
	for (GlobalVariable &G : C.M.globals()) {
		if (skipGlobal(G))
			continue;
		SmallVector<DIGlobalVariableExpression *, 1> GVEs;
		G.getDebugInfo(GVEs);
		const DIGlobalVariable *V = GVEs.empty() ? nullptr : GVEs[0]->getVariable();
		if (V && !V->getName().empty()) {
			Out.push_back(variableEntry(C, TT, Ids, G, V));
			continue;
		}
		// clang 16 describes string literals by a nameless DIGlobalVariable
		StaticEntry E;
		if (unnamedEntry(C, TT, Ids, G, V, E))
			Out.push_back(std::move(E));
	}
	for (Function &F : C.M) {
		if (F.isDeclarationForLinker() || F.isIntrinsic() || isReserved(F.getName()))
			continue;
		if (F.hasAddressTaken() || F.getName() == "main")
			Out.push_back(functionEntry(C, TT, Ids, F));
	}
}

} // namespace ttst
