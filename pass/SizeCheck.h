// SizeCheck.h -- constant allocation sizes and their check against the inferred element type.
#ifndef TTST_PASS_SIZECHECK_H
#define TTST_PASS_SIZECHECK_H

#include "DIUtil.h"
#include "Wrappers.h"

#include <llvm/IR/InstrTypes.h>

namespace ttst
{

// An allocation size as far as it is known at compile time.
struct SizeExpr {
	enum { Unknown, Const, Scaled } Kind = Unknown;
	uint64_t C = 0; // Const: the size; Scaled: the size is x * C
};

// The size of the allocation made by call CB whose size arguments are S.
SizeExpr callSize(const llvm::CallBase &CB, SizeSpec S);

// Checks size E against element type Elem: adds TTST_XF_CONST_SIZE (and
// sets ConstSize), TTST_XF_ARRAY for a multiple > 1, or
// TTST_XF_SIZE_MISMATCH and makes Elem unknown (the type is dropped).
void checkSize(const SizeExpr &E, TRef &Elem, uint32_t &Flags, uint32_t &ConstSize);

} // namespace ttst

#endif
