// TypeHash.cpp -- structural FNV-1a hashes of types and the merge of equal-hash types into one
// record.
#include "TypeTable.h"

#include <unordered_map>

namespace ttst
{

namespace
{

// FNV-1a 64 over a little-endian serialisation of fields.
struct Hasher {
	uint64_t H = TTST_FNV_OFFSET;

	void bytes(const void *P, size_t N)
	{
		H = ttst_fnv1a(H, P, N);
	}
	void u64(uint64_t V, unsigned N = 8)
	{
		unsigned char B[8];
		for (unsigned K = 0; K < N; K++)
			B[K] = (unsigned char)(V >> (8 * K));
		bytes(B, N);
	}
	void u32(uint32_t V)
	{
		u64(V, 4);
	}
	void u16(uint16_t V)
	{
		u64(V, 2);
	}
	void str(const std::string &S)
	{
		bytes(S.c_str(), S.size() + 1);
	}
};

} // namespace

uint64_t TypeTable::hashOf(uint32_t I)
{
	if (I == TTST_NO_TYPE)
		return ~0ull;
	if (Hashes.size() < Types.size()) {
		Hashes.resize(Types.size(), 0);
		HashState.resize(Types.size(), 0);
	}
	if (HashState[I] == 2)
		return Hashes[I];
	if (HashState[I] == 1) // by-value cycle: impossible in C, tolerate bad DI
		return 0;
	HashState[I] = 1;
	uint64_t H = computeHash(I);
	Hashes[I] = H;
	HashState[I] = 2;
	return H;
}

// What a pointer's hash says about its pointee: everything the pointee's
// own hash covers, except that below Depth levels the types it refers to
// count by name only.  The depth bound breaks pointer cycles; two same-named
// structs that differ up to PointerDepth pointer levels down (one per TU)
// still give different pointers.  Memoised per (type, depth): linear cost.
uint64_t TypeTable::shallowHash(uint32_t I, unsigned Depth)
{
	size_t Slot = (size_t)I * (PointerDepth + 1) + Depth;
	if (ShallowMemo.size() < Types.size() * (PointerDepth + 1))
		ShallowMemo.resize(Types.size() * (PointerDepth + 1), 0);
	if (ShallowMemo[Slot])
		return ShallowMemo[Slot];
	const TType &T = Types[I];
	Hasher H;
	auto Ref = [&](uint32_t R) {
		if (R == TTST_NO_TYPE)
			H.str("?");
		else if (Depth == 0)
			H.str(Types[R].Name);
		else
			H.u64(shallowHash(R, Depth - 1));
	};
	H.u16(T.Kind);
	H.u16(T.Flags);
	H.u64(T.Size);
	H.str(T.Name);
	for (const TMember &M : T.Members) {
		H.str(M.Name);
		H.u64(M.Offset);
		H.u16(M.BitOffset);
		H.u16(M.BitSize);
		H.u32(M.Flags);
		Ref(M.Type);
	}
	for (const TEnumerator &E : T.Enums) {
		H.str(E.Name);
		H.u64((uint64_t)E.Value);
	}
	if (T.Kind == TTST_K_ARRAY || T.Kind == TTST_K_POINTER || T.Kind == TTST_K_FUNCTION)
		Ref(T.Ref);
	for (uint32_t P : T.Params)
		Ref(P);
	H.u16(T.Variadic);
	H.u32(T.Count);
	ShallowMemo[Slot] = H.H | 1; // never 0: 0 marks "not computed"
	return ShallowMemo[Slot];
}

uint64_t TypeTable::computeHash(uint32_t I)
{
	const TType &T = Types[I];
	Hasher H;
	H.u16(T.Kind);
	H.u16(T.Flags);
	H.u64(T.Size);
	H.str(T.Name);
	switch (T.Kind) {
	case TTST_K_STRUCT:
	case TTST_K_UNION:
		for (const TMember &M : T.Members) {
			H.str(M.Name);
			H.u64(M.Offset);
			H.u16(M.BitOffset);
			H.u16(M.BitSize);
			H.u32(M.Flags);
			H.u64(hashOf(M.Type));
		}
		break;
	case TTST_K_ARRAY:
		H.u64(hashOf(T.Ref));
		H.u64(T.Count);
		break;
	case TTST_K_POINTER: // pointee by its shallow signature only: breaks cycles
		H.str("ptr");
		H.u64(T.Ref == TTST_NO_TYPE ? 0 : shallowHash(T.Ref, PointerDepth));
		break;
	case TTST_K_FUNCTION: // return and parameter types (names are in T.Name)
		H.u64(hashOf(T.Ref));
		for (uint32_t P : T.Params)
			H.u64(hashOf(P));
		H.u16(T.Variadic);
		break;
	case TTST_K_ENUM:
		for (const TEnumerator &E : T.Enums) {
			H.str(E.Name);
			H.u64((uint64_t)E.Value);
		}
		break;
	default:
		break;
	}
	return H.H;
}

void TypeTable::finalize()
{
	std::unordered_map<uint64_t, uint32_t> ByHash;
	Final.assign(Types.size(), TTST_NO_TYPE);
	Canon.clear();
	for (uint32_t I = 0; I < Types.size(); I++) {
		auto Ins = ByHash.emplace(hashOf(I), (uint32_t)Canon.size());
		if (Ins.second)
			Canon.push_back(I);
		Final[I] = Ins.first->second;
	}
}

uint32_t TypeTable::finalIndex(uint32_t I) const
{
	if (I == TTST_NO_TYPE || I >= Final.size())
		return TTST_NO_TYPE;
	return Final[I];
}

} // namespace ttst
