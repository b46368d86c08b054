// DIUtil.cpp -- helpers over LLVM debug-info types (see DIUtil.h).
#include "DIUtil.h"

#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/IR/Constants.h>

using namespace llvm;

namespace ttst
{

const DIType *stripType(const DIType *T, std::string *TypedefName)
{
	if (TypedefName)
		TypedefName->clear();
	for (unsigned Guard = 0; T && Guard < 64; Guard++) {
		const auto *D = dyn_cast<DIDerivedType>(T);
		if (!D)
			return T;
		switch (D->getTag()) {
		case dwarf::DW_TAG_typedef:
			if (TypedefName)
				*TypedefName = D->getName().str();
			[[fallthrough]];
		case dwarf::DW_TAG_const_type:
		case dwarf::DW_TAG_volatile_type:
		case dwarf::DW_TAG_restrict_type:
		case dwarf::DW_TAG_atomic_type:
			T = D->getBaseType();
			break;
		default:
			return T;
		}
	}
	return T;
}

TRef strip(TRef R)
{
	if (!R.Known || R.Dim != 0)
		return R;
	return TRef::of(stripType(R.T), 0);
}

unsigned tagOf(TRef R)
{
	R = strip(R);
	if (!R.T)
		return 0;
	return R.T->getTag();
}

bool isPointer(TRef R)
{
	return tagOf(R) == dwarf::DW_TAG_pointer_type;
}

bool isAggregate(TRef R)
{
	unsigned Tag = tagOf(R);
	return Tag == dwarf::DW_TAG_structure_type || Tag == dwarf::DW_TAG_union_type ||
	       Tag == dwarf::DW_TAG_array_type;
}

unsigned arrayDims(const DICompositeType *A)
{
	unsigned N = 0;
	for (const DINode *E : A->getElements())
		if (isa<DISubrange>(E))
			N++;
	return N ? N : 1;
}

uint64_t arrayCount(const DICompositeType *A, unsigned Dim)
{
	unsigned I = 0;
	for (const DINode *E : A->getElements()) {
		const auto *SR = dyn_cast<DISubrange>(E);
		if (!SR)
			continue;
		if (I++ != Dim)
			continue;
		auto *CI = SR->getCount().dyn_cast<ConstantInt *>();
		if (!CI || CI->isNegative())
			return 0;
		return CI->getZExtValue();
	}
	return 0;
}

TRef elementOf(TRef R)
{
	R = strip(R);
	const auto *A = dyn_cast_or_null<DICompositeType>(R.T);
	if (!A || A->getTag() != dwarf::DW_TAG_array_type)
		return TRef::unknown();
	if (R.Dim + 1 < arrayDims(A))
		return TRef::of(A, R.Dim + 1);
	return TRef::of(A->getBaseType(), 0);
}

TRef pointeeOf(TRef R)
{
	R = strip(R);
	if (!R.Known || !R.T)
		return TRef::unknown();
	if (R.T->getTag() == dwarf::DW_TAG_array_type)
		return elementOf(R);
	if (R.T->getTag() != dwarf::DW_TAG_pointer_type)
		return TRef::unknown();
	const DIType *Base = cast<DIDerivedType>(R.T)->getBaseType();
	return TRef::of(stripType(Base), 0);
}

uint64_t sizeOf(TRef R)
{
	R = strip(R);
	if (!R.Known || !R.T)
		return 0;
	const auto *A = dyn_cast<DICompositeType>(R.T);
	if (!A || A->getTag() != dwarf::DW_TAG_array_type || R.Dim == 0)
		return R.T->getSizeInBits() / 8;
	uint64_t N = 1;
	for (unsigned D = R.Dim; D < arrayDims(A); D++)
		N *= arrayCount(A, D);
	return N * sizeOf(TRef::of(A->getBaseType()));
}

bool isBitfield(const DIDerivedType *M)
{
	return M->getFlags() & DINode::FlagBitField;
}

const DIDerivedType *memberAt(TRef R, uint64_t Off)
{
	R = strip(R);
	const auto *C = dyn_cast_or_null<DICompositeType>(R.T);
	if (!C || (C->getTag() != dwarf::DW_TAG_structure_type &&
		   C->getTag() != dwarf::DW_TAG_union_type))
		return nullptr;
	const DIDerivedType *Found = nullptr;
	for (const DINode *E : C->getElements()) {
		const auto *M = dyn_cast<DIDerivedType>(E);
		if (!M || M->getTag() != dwarf::DW_TAG_member || isBitfield(M))
			continue;
		if (M->getOffsetInBits() != Off * 8)
			continue;
		if (sizeOf(TRef::of(M->getBaseType())) != 0)
			return M;
		if (!Found)
			Found = M;
	}
	return Found;
}

bool endsWithFlexibleArray(TRef R)
{
	R = strip(R);
	const auto *C = dyn_cast_or_null<DICompositeType>(R.T);
	if (!C || C->getTag() != dwarf::DW_TAG_structure_type || C->getElements().empty())
		return false;
	const auto *Last = dyn_cast<DIDerivedType>(C->getElements()[C->getElements().size() - 1]);
	if (!Last || Last->getTag() != dwarf::DW_TAG_member)
		return false;
	const auto *A = dyn_cast_or_null<DICompositeType>(stripType(Last->getBaseType()));
	return A && A->getTag() == dwarf::DW_TAG_array_type && arrayCount(A, 0) == 0;
}

bool hasDeclTag(DINodeArray Annotations, StringRef Tag)
{
	if (!Annotations)
		return false;
	for (const MDOperand &Op : Annotations->operands()) {
		const auto *T = dyn_cast_or_null<MDTuple>(Op.get());
		if (!T || T->getNumOperands() != 2)
			continue;
		const auto *K = dyn_cast<MDString>(T->getOperand(0));
		const auto *V = dyn_cast<MDString>(T->getOperand(1));
		if (K && V && K->getString() == "btf_decl_tag" && V->getString() == Tag)
			return true;
	}
	return false;
}

} // namespace ttst
