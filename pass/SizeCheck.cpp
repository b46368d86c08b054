// SizeCheck.cpp -- recognises constant and constant-scaled allocation sizes and checks them against
// types.
#include "SizeCheck.h"

#include "ttst/abi.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/Instructions.h>

#include <cstdint>

using namespace llvm;

namespace ttst
{

static SizeExpr sizeOf(const Value *V, unsigned Depth = 0)
{
	SizeExpr E;
	if (Depth > 8)
		return E;
	if (const auto *CI = dyn_cast<ConstantInt>(V)) {
		if (CI->getValue().getActiveBits() <= 63) {
			E.Kind = SizeExpr::Const;
			E.C = CI->getZExtValue();
		}
		return E;
	}
	if (const auto *Cast = dyn_cast<CastInst>(V))
		if (Cast->getOpcode() == Instruction::ZExt ||
		    Cast->getOpcode() == Instruction::SExt ||
		    Cast->getOpcode() == Instruction::Trunc)
			return sizeOf(Cast->getOperand(0), Depth + 1);
	const auto *BO = dyn_cast<BinaryOperator>(V);
	if (!BO)
		return E;
	SizeExpr L = sizeOf(BO->getOperand(0), Depth + 1);
	SizeExpr R = sizeOf(BO->getOperand(1), Depth + 1);
	if (BO->getOpcode() == Instruction::Shl && R.Kind == SizeExpr::Const && R.C < 32) {
		// x << k is x * 2^k
		E.Kind = L.Kind == SizeExpr::Const ? SizeExpr::Const : SizeExpr::Scaled;
		E.C = (L.Kind == SizeExpr::Unknown ? 1 : L.C) << R.C;
		return E;
	}
	if (BO->getOpcode() != Instruction::Mul)
		return E;
	if (L.Kind == SizeExpr::Const && R.Kind == SizeExpr::Const) {
		E.Kind = SizeExpr::Const;
		E.C = L.C * R.C;
	} else if (L.Kind != SizeExpr::Unknown || R.Kind != SizeExpr::Unknown) {
		E.Kind = SizeExpr::Scaled;
		E.C = (L.Kind != SizeExpr::Unknown ? L.C : 1) *
		      (R.Kind != SizeExpr::Unknown ? R.C : 1);
	}
	return E;
}

SizeExpr callSize(const CallBase &CB, SizeSpec S)
{
	SizeExpr E;
	if (S.A < 0 || (unsigned)S.A >= CB.arg_size())
		return E;
	SizeExpr A = sizeOf(CB.getArgOperand(S.A));
	if (S.B < 0)
		return A;
	if ((unsigned)S.B >= CB.arg_size())
		return E;
	SizeExpr B = sizeOf(CB.getArgOperand(S.B));
	if (A.Kind == SizeExpr::Const && B.Kind == SizeExpr::Const) {
		E.Kind = SizeExpr::Const;
		E.C = A.C * B.C;
	} else if (A.Kind != SizeExpr::Unknown || B.Kind != SizeExpr::Unknown) {
		E.Kind = SizeExpr::Scaled;
		E.C = (A.Kind != SizeExpr::Unknown ? A.C : 1) *
		      (B.Kind != SizeExpr::Unknown ? B.C : 1);
	}
	return E;
}

void checkSize(const SizeExpr &E, TRef &Elem, uint32_t &Flags, uint32_t &ConstSize)
{
	if (E.Kind == SizeExpr::Const) {
		Flags |= TTST_XF_CONST_SIZE;
		ConstSize = E.C > UINT32_MAX ? UINT32_MAX : (uint32_t)E.C;
	}
	uint64_t S = Elem.Known ? ttst::sizeOf(Elem) : 0;
	if (S == 0 || E.Kind == SizeExpr::Unknown)
		return;
	bool Ok;
	if (E.Kind == SizeExpr::Const)
		Ok = E.C == S || (E.C != 0 && E.C % S == 0) ||
		     (E.C > S && endsWithFlexibleArray(Elem));
	else
		Ok = E.C % S == 0;
	if (!Ok) {
		Flags |= TTST_XF_SIZE_MISMATCH;
		Elem = TRef::unknown();
		return;
	}
	if (E.C / S > 1 && E.C % S == 0)
		Flags |= TTST_XF_ARRAY;
}

} // namespace ttst
