// DIUtil.h -- helpers over LLVM debug-info types: typedef/qualifier stripping, array dimensions,
// annotations.
#ifndef TTST_PASS_DIUTIL_H
#define TTST_PASS_DIUTIL_H

#include <llvm/IR/DebugInfoMetadata.h>

#include <cstdint>
#include <string>

namespace ttst
{

// A reference to a C type in debug info.  T == nullptr with Known set is
// void.  Dim counts the leading dimensions of a multi-dimensional
// DW_TAG_array_type already peeled off (int a[3][4] is one DI node).
struct TRef {
	const llvm::DIType *T = nullptr;
	unsigned Dim = 0;
	bool Known = false;

	static TRef unknown()
	{
		return TRef();
	}
	static TRef of(const llvm::DIType *Ty, unsigned D = 0)
	{
		return TRef{Ty, D, true};
	}
	bool isVoid() const
	{
		return Known && T == nullptr;
	}
	bool isTyped() const
	{
		return Known && T != nullptr;
	}
};

// Strips typedefs and const/volatile/restrict/atomic.  If TypedefName is
// given, it receives the name of the last typedef passed (empty if none).
const llvm::DIType *stripType(const llvm::DIType *T, std::string *TypedefName = nullptr);
// stripType applied to a reference (no-op inside an array's dimensions).
TRef strip(TRef R);

// DWARF tag of a stripped reference (0 for void/unknown); arrays whose
// dimensions are partly peeled still report DW_TAG_array_type.
unsigned tagOf(TRef R);
bool isPointer(TRef R);
bool isAggregate(TRef R); // struct, union or array
// Number of dimensions of an array node (1 for int a[4], 2 for int a[3][4]).
unsigned arrayDims(const llvm::DICompositeType *A);
// Element count of dimension Dim of array A: 0 for flexible/variable.
uint64_t arrayCount(const llvm::DICompositeType *A, unsigned Dim);
// Element of an array reference (next dimension, or the base type).
TRef elementOf(TRef R);
// What a pointer points to (void -> isVoid()); arrays decay to their element.
TRef pointeeOf(TRef R);
// Size in bytes of the referenced type (0 when unknown/incomplete/void).
uint64_t sizeOf(TRef R);
// The data member of a struct/union whose byte offset is Off and which is
// not a bitfield; prefers a member of non-zero size.  nullptr if none.
const llvm::DIDerivedType *memberAt(TRef R, uint64_t Off);
// True when the last member of struct R is a flexible array.
bool endsWithFlexibleArray(TRef R);
// True when annotations carry {"btf_decl_tag", Tag}.
bool hasDeclTag(llvm::DINodeArray Annotations, llvm::StringRef Tag);
// True when the member is a bitfield.
bool isBitfield(const llvm::DIDerivedType *M);

} // namespace ttst

#endif
