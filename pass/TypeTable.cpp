// TypeTable.cpp -- builds ttst type records from debug-info types
// (DIBasic/Derived/Composite/SubroutineType).
#include "TypeTable.h"

#include <llvm/BinaryFormat/Dwarf.h>

using namespace llvm;

namespace ttst
{

uint32_t TypeTable::add(TType T)
{
	Types.push_back(std::move(T));
	return (uint32_t)(Types.size() - 1);
}

uint32_t TypeTable::get(const DIType *T, const std::string &Hint)
{
	return get(TRef::of(T), Hint);
}

uint32_t TypeTable::get(TRef R, const std::string &Hint)
{
	if (!R.Known || !HasTypes)
		return TTST_NO_TYPE;
	std::string Typedef;
	if (R.Dim == 0)
		R.T = stripType(R.T, &Typedef);
	if (!R.T)
		return voidType();
	Key K{R.T, R.Dim};
	auto It = Memo.find(K);
	if (It != Memo.end())
		return It->second;
	if (Depth > 48) // absurdly deep nesting: give up on this type
		return TTST_NO_TYPE;
	Depth++;
	uint32_t I = dispatch(R, Typedef, Hint);
	Depth--;
	Memo.emplace(K, I); // records memoise themselves before their members
	return I;
}

uint32_t TypeTable::dispatch(TRef R, const std::string &Typedef, const std::string &Hint)
{
	if (const auto *B = dyn_cast<DIBasicType>(R.T))
		return getBasic(B);
	if (const auto *S = dyn_cast<DISubroutineType>(R.T))
		return getFunction(S);
	if (const auto *D = dyn_cast<DIDerivedType>(R.T)) {
		unsigned Tag = D->getTag();
		if (Tag == dwarf::DW_TAG_pointer_type || Tag == dwarf::DW_TAG_reference_type ||
		    Tag == dwarf::DW_TAG_rvalue_reference_type)
			return getPointer(D, Hint);
		return TTST_NO_TYPE;
	}
	const auto *C = dyn_cast<DICompositeType>(R.T);
	if (!C)
		return TTST_NO_TYPE;
	bool Anon = false;
	switch (C->getTag()) {
	case dwarf::DW_TAG_array_type:
		return getArray(C, R.Dim, Hint);
	case dwarf::DW_TAG_structure_type:
	case dwarf::DW_TAG_union_type: {
		std::string Name = aggregateName(C, Typedef, Hint, Anon);
		uint32_t I = getRecord(C, Name);
		if (Anon)
			Types[I].Flags |= TTST_TF_ANON;
		return I;
	}
	case dwarf::DW_TAG_enumeration_type: {
		std::string Name = aggregateName(C, Typedef, Hint, Anon);
		uint32_t I = getEnum(C, Name);
		if (Anon)
			Types[I].Flags |= TTST_TF_ANON;
		return I;
	}
	default:
		return TTST_NO_TYPE;
	}
}

uint32_t TypeTable::getBasic(const DIBasicType *B)
{
	if (B->getTag() != dwarf::DW_TAG_base_type)
		return TTST_NO_TYPE; // DW_TAG_unspecified_type and the like
	TType T;
	T.Name = B->getName().str();
	T.Size = B->getSizeInBits() / 8;
	T.Kind = TTST_K_INT;
	switch (B->getEncoding()) {
	case dwarf::DW_ATE_float:
	case dwarf::DW_ATE_complex_float:
	case dwarf::DW_ATE_decimal_float:
		T.Kind = TTST_K_FLOAT;
		break;
	case dwarf::DW_ATE_boolean:
		T.Flags = TTST_TF_BOOL;
		break;
	case dwarf::DW_ATE_signed:
		T.Flags = TTST_TF_SIGNED;
		break;
	case dwarf::DW_ATE_signed_char:
		T.Flags = TTST_TF_SIGNED | TTST_TF_CHAR;
		break;
	case dwarf::DW_ATE_unsigned_char:
		T.Flags = TTST_TF_CHAR;
		break;
	default:
		break;
	}
	return add(std::move(T));
}

uint32_t TypeTable::getPointer(const DIDerivedType *D, const std::string &Hint)
{
	uint32_t Pointee = TTST_NO_TYPE;
	if (stripType(D->getBaseType()))
		Pointee = get(D->getBaseType(), Hint);
	TType T;
	T.Kind = TTST_K_POINTER;
	T.Size = D->getSizeInBits() ? D->getSizeInBits() / 8 : sizeof(void *);
	T.Ref = Pointee;
	if (Pointee != TTST_NO_TYPE && Types[Pointee].Kind == TTST_K_FUNCTION)
		T.Flags |= TTST_TF_FUNCPTR;
	uint32_t I = add(std::move(T));
	Types[I].Name = render(I, "");
	return I;
}

uint32_t TypeTable::getArray(const DICompositeType *A, unsigned Dim, const std::string &Hint)
{
	uint32_t Elem;
	if (Dim + 1 < arrayDims(A))
		Elem = get(TRef::of(A, Dim + 1), Hint);
	else
		Elem = get(A->getBaseType(), Hint);
	return arrayOf(Elem, arrayCount(A, Dim));
}

uint32_t TypeTable::arrayOf(uint32_t Elem, uint64_t Count)
{
	if (Elem == TTST_NO_TYPE)
		return TTST_NO_TYPE;
	auto It = Arrays.find({Elem, Count});
	if (It != Arrays.end())
		return It->second;
	TType T;
	T.Kind = TTST_K_ARRAY;
	T.Ref = Elem;
	T.Count = (uint32_t)Count;
	T.Size = Count * Types[Elem].Size;
	uint32_t I = add(std::move(T));
	Types[I].Name = render(I, "");
	Arrays.emplace(std::make_pair(Elem, Count), I);
	return I;
}

uint32_t TypeTable::getRecord(const DICompositeType *C, const std::string &Name)
{
	TType T;
	T.Name = Name;
	T.Kind = C->getTag() == dwarf::DW_TAG_union_type ? TTST_K_UNION : TTST_K_STRUCT;
	bool Incomplete = C->isForwardDecl();
	T.Size = Incomplete ? 0 : C->getSizeInBits() / 8;
	if (Incomplete)
		T.Flags |= TTST_TF_INCOMPLETE;
	if (hasDeclTag(C->getAnnotations(), "ttst_ixfer"))
		T.Flags |= TTST_TF_IXFER;
	uint32_t I = add(std::move(T));
	Memo.emplace(Key{C, 0}, I); // members may point back at us
	if (!Incomplete)
		addMembers(I, C);
	return I;
}

void TypeTable::addMembers(uint32_t I, const DICompositeType *C)
{
	std::string Owner = Types[I].Name;
	unsigned AnonK = 0;
	std::vector<TMember> Ms;
	for (const DINode *E : C->getElements()) {
		const auto *M = dyn_cast_or_null<DIDerivedType>(E);
		if (!M || M->getTag() != dwarf::DW_TAG_member || M->isStaticMember())
			continue;
		TMember TM;
		TM.Name = M->getName().str();
		bool Anon = TM.Name.empty();
		std::string Hint =
		    Owner + "::" + (Anon ? "anon" + std::to_string(AnonK++) : TM.Name);
		TM.Type = get(M->getBaseType(), Hint);
		uint64_t Bits = M->getOffsetInBits();
		TM.Offset = Bits / 8;
		if (isBitfield(M)) {
			TM.BitOffset = (uint16_t)(Bits % 8);
			TM.BitSize = (uint16_t)M->getSizeInBits();
			TM.Flags |= TTST_MF_BITFIELD;
		}
		if (hasDeclTag(M->getAnnotations(), "ttst_ixfer"))
			TM.Flags |= TTST_MF_IXFER;
		if (hasDeclTag(M->getAnnotations(), "ttst_pxfer"))
			TM.Flags |= TTST_MF_PXFER;
		if (Anon && TM.Type != TTST_NO_TYPE &&
		    (Types[TM.Type].Kind == TTST_K_STRUCT || Types[TM.Type].Kind == TTST_K_UNION))
			TM.Flags |= TTST_MF_ANON;
		Ms.push_back(std::move(TM));
	}
	Types[I].Count = (uint32_t)Ms.size();
	Types[I].Members = std::move(Ms);
}

uint32_t TypeTable::getEnum(const DICompositeType *C, const std::string &Name)
{
	TType T;
	T.Name = Name;
	T.Kind = TTST_K_ENUM;
	T.Size = C->getSizeInBits() / 8;
	bool Signed = false;
	if (const auto *B = dyn_cast_or_null<DIBasicType>(stripType(C->getBaseType())))
		Signed = B->getEncoding() == dwarf::DW_ATE_signed ||
			 B->getEncoding() == dwarf::DW_ATE_signed_char;
	for (const DINode *E : C->getElements()) {
		const auto *En = dyn_cast_or_null<DIEnumerator>(E);
		if (!En)
			continue;
		const APInt &V = En->getValue();
		int64_t Val = En->isUnsigned() ? (int64_t)V.getZExtValue() : V.getSExtValue();
		if (!En->isUnsigned() && Val < 0)
			Signed = true;
		T.Enums.push_back({En->getName().str(), Val});
	}
	if (Signed)
		T.Flags |= TTST_TF_SIGNED;
	if (C->isForwardDecl())
		T.Flags |= TTST_TF_INCOMPLETE;
	T.Count = (uint32_t)T.Enums.size();
	return add(std::move(T));
}

uint32_t TypeTable::getFunction(const DISubroutineType *S)
{
	DITypeRefArray TA = S->getTypeArray();
	TType T;
	T.Kind = TTST_K_FUNCTION;
	T.Ref = TA.size() > 0 ? get(TA[0], "") : voidType();
	for (unsigned K = 1; K < TA.size(); K++) {
		if (!TA[K]) { // clang's marker for "..."
			T.Variadic = true;
			continue;
		}
		T.Params.push_back(get(TA[K], ""));
	}
	T.Count = (uint32_t)T.Params.size();
	uint32_t I = add(std::move(T));
	Types[I].Name = render(I, "");
	return I;
}

uint32_t TypeTable::voidType()
{
	if (!HasTypes)
		return TTST_NO_TYPE;
	if (Void == TTST_NO_TYPE) {
		TType T;
		T.Name = "void";
		T.Kind = TTST_K_VOID;
		Void = add(std::move(T));
	}
	return Void;
}

uint32_t TypeTable::charType()
{
	if (!HasTypes)
		return TTST_NO_TYPE;
	if (Char == TTST_NO_TYPE) {
		TType T; // identical (same hash) to clang's DI "char" on x86-64
		T.Name = "char";
		T.Kind = TTST_K_INT;
		T.Flags = TTST_TF_SIGNED | TTST_TF_CHAR;
		T.Size = 1;
		Char = add(std::move(T));
	}
	return Char;
}

} // namespace ttst
