// TypeNames.cpp -- C names of types: declarator rendering ("int (*)(int, char *)", "int[16]") and
// anonymous naming.
#include "TypeTable.h"

#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/IR/DebugInfo.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/IntrinsicInst.h>

using namespace llvm;

namespace ttst
{

TypeTable::TypeTable(Module &M, bool HasTypesIn) : HasTypes(HasTypesIn)
{
	if (HasTypes)
		scanTypedefs(M);
}

// Every "typedef struct { ... } name_t;" in the module: an anonymous
// aggregate is named by the typedef that names it, wherever it is reached.
void TypeTable::scanTypedefs(Module &M)
{
	DebugInfoFinder Finder;
	Finder.processModule(M);
	for (DIType *T : Finder.types()) {
		if (isa<DICompositeType>(T) && T->getTag() != dwarf::DW_TAG_array_type)
			Composites.push_back(cast<DICompositeType>(T));
		const auto *D = dyn_cast<DIDerivedType>(T);
		if (!D || D->getTag() != dwarf::DW_TAG_typedef)
			continue;
		const DIType *B = D->getBaseType();
		while (const auto *Q = dyn_cast_or_null<DIDerivedType>(B)) {
			unsigned Tag = Q->getTag();
			if (Tag != dwarf::DW_TAG_const_type && Tag != dwarf::DW_TAG_volatile_type &&
			    Tag != dwarf::DW_TAG_atomic_type)
				break;
			B = Q->getBaseType();
		}
		const auto *C = dyn_cast_or_null<DICompositeType>(B);
		if (C && C->getName().empty() && C->getTag() != dwarf::DW_TAG_array_type)
			TypedefOf.try_emplace(C, D->getName().str());
	}
}

std::string TypeTable::aggregateName(const DICompositeType *C, const std::string &Typedef,
				     const std::string &Hint, bool &Anon) const
{
	const char *Prefix = "struct ";
	if (C->getTag() == dwarf::DW_TAG_union_type)
		Prefix = "union ";
	else if (C->getTag() == dwarf::DW_TAG_enumeration_type)
		Prefix = "enum ";
	Anon = C->getName().empty();
	if (!Anon)
		return Prefix + C->getName().str();
	if (!Typedef.empty())
		return Typedef;
	auto It = TypedefOf.find(C);
	if (It != TypedefOf.end())
		return It->second;
	if (!Hint.empty())
		return Hint;
	// Reached with no context at all (e.g. only through a cast).
	return Prefix + std::string("anon@") + C->getFilename().str() + ":" +
	       std::to_string(C->getLine());
}

void TypeTable::addRemaining(Module &M)
{
	if (!HasTypes)
		return;
	// Locals and parameters of every function, named after their variable.
	for (Function &F : M)
		for (Instruction &I : instructions(F))
			if (auto *DVI = dyn_cast<DbgVariableIntrinsic>(&I))
				if (const DILocalVariable *V = DVI->getVariable())
					get(V->getType(), V->getName().str() + "::anon");
	// Then every other struct, union and enum: named ones first, so that
	// anonymous ones nested in them are named by their context.
	for (int Pass = 0; Pass < 2; Pass++)
		for (const DICompositeType *C : Composites) {
			bool Named = !C->getName().empty() || TypedefOf.count(C);
			if (Named == (Pass == 0))
				get(C, "");
		}
}

static std::string join(const std::string &Base, const std::string &Inner)
{
	if (Inner.empty())
		return Base;
	if (Inner[0] == '[')
		return Base + Inner;
	return Base + " " + Inner;
}

std::string TypeTable::render(uint32_t I, const std::string &Inner) const
{
	if (I == TTST_NO_TYPE)
		return join("?", Inner);
	const TType &T = Types[I];
	switch (T.Kind) {
	case TTST_K_POINTER: {
		std::string In = "*" + Inner;
		if (T.Ref == TTST_NO_TYPE)
			return join("void", In);
		uint16_t PK = Types[T.Ref].Kind;
		if (PK == TTST_K_ARRAY || PK == TTST_K_FUNCTION)
			In = "(" + In + ")";
		return render(T.Ref, In);
	}
	case TTST_K_ARRAY:
		return render(T.Ref, Inner + "[" + (T.Count ? std::to_string(T.Count) : "") + "]");
	case TTST_K_FUNCTION: {
		std::string P;
		for (uint32_t Param : T.Params)
			P += (P.empty() ? "" : ", ") + render(Param, "");
		if (T.Variadic)
			P += P.empty() ? "..." : ", ...";
		if (P.empty())
			P = "void";
		return render(T.Ref, Inner + "(" + P + ")");
	}
	default:
		return join(T.Name, Inner);
	}
}

} // namespace ttst
