// TypeTable.h -- C types of one TU from debug info: records, names, structural hashes,
// deduplication.
#ifndef TTST_PASS_TYPETABLE_H
#define TTST_PASS_TYPETABLE_H

#include "DIUtil.h"

#include "ttst/abi.h"

#include <llvm/ADT/DenseMap.h>
#include <llvm/IR/Module.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ttst
{

struct TMember {
	std::string Name;
	uint32_t Type = TTST_NO_TYPE;
	uint64_t Offset = 0;
	uint16_t BitOffset = 0, BitSize = 0;
	uint32_t Flags = 0; // TTST_MF_*
};

struct TEnumerator {
	std::string Name;
	int64_t Value = 0;
};

// One type under construction.  Indices handed out by TypeTable are
// provisional; finalize() maps equal-hash duplicates onto one index.
struct TType {
	std::string Name;
	uint16_t Kind = TTST_K_VOID;
	uint16_t Flags = 0; // TTST_TF_*
	uint64_t Size = 0;
	uint32_t Ref = TTST_NO_TYPE; // pointee / element / return type
	uint32_t Count = 0;	     // array count, #params of a function
	std::vector<TMember> Members;
	std::vector<TEnumerator> Enums;
	std::vector<uint32_t> Params;
	bool Variadic = false;
};

class TypeTable
{
      public:
	// Pre-scans the module's typedefs (to name anonymous aggregates).
	TypeTable(llvm::Module &M, bool HasTypes);

	// Index of the type R refers to; Hint names an anonymous aggregate
	// reached here ("struct outer::u", "g::anon").  Unknown references and
	// unexpected debug-info nodes give TTST_NO_TYPE; never fails otherwise.
	uint32_t get(TRef R, const std::string &Hint);
	// get() for a DI type node; nullptr means void.
	uint32_t get(const llvm::DIType *T, const std::string &Hint);
	uint32_t voidType();
	uint32_t charType();
	// Array of Count elements of type Elem (Count 0 = flexible).
	uint32_t arrayOf(uint32_t Elem, uint64_t Count);

	// Adds the types of every local and parameter and every struct, union
	// and enum described in the module's debug info (so that the blob
	// describes every aggregate DWARF does).  Call after the statics and
	// sites (their context names anonymous types first).
	void addRemaining(llvm::Module &M);

	size_t size() const
	{
		return Types.size();
	}
	const TType &at(uint32_t I) const
	{
		return Types[I];
	}
	// Computes structural hashes and merges equal-hash types; call once,
	// after the last get().
	void finalize();
	// After finalize(): the emitted index of provisional index I
	// (TTST_NO_TYPE stays TTST_NO_TYPE).
	uint32_t finalIndex(uint32_t I) const;
	// After finalize(): provisional indices of the emitted types, in order.
	const std::vector<uint32_t> &canonical() const
	{
		return Canon;
	}
	// Structural hash of provisional type I (computed on first use).
	uint64_t hashOf(uint32_t I);
	// After finalize(): the hash of provisional type I.
	uint64_t hashAt(uint32_t I) const
	{
		return Hashes[I];
	}

      private:
	// Key: stripped DI node plus the number of array dimensions peeled.
	using Key = std::pair<const llvm::DIType *, unsigned>;

	uint32_t add(TType T);
	uint32_t getBasic(const llvm::DIBasicType *B);
	uint32_t getPointer(const llvm::DIDerivedType *D, const std::string &Hint);
	uint32_t getArray(const llvm::DICompositeType *A, unsigned Dim, const std::string &Hint);
	uint32_t getRecord(const llvm::DICompositeType *C, const std::string &Name);
	void addMembers(uint32_t Idx, const llvm::DICompositeType *C);
	uint32_t getEnum(const llvm::DICompositeType *C, const std::string &Name);
	uint32_t getFunction(const llvm::DISubroutineType *S);
	uint32_t dispatch(TRef R, const std::string &Typedef, const std::string &Hint);
	std::string aggregateName(const llvm::DICompositeType *C, const std::string &Typedef,
				  const std::string &Hint, bool &Anon) const;
	void scanTypedefs(llvm::Module &M);
	uint64_t computeHash(uint32_t I);
	uint64_t shallowHash(uint32_t I, unsigned Depth);
	// How many pointer levels below a pointer its hash still sees.
	static constexpr unsigned PointerDepth = 24;
	// C declarator rendering: the name of type I around declarator Inner.
	std::string render(uint32_t I, const std::string &Inner) const;

	bool HasTypes;
	unsigned Depth = 0;
	std::vector<TType> Types;
	std::map<Key, uint32_t> Memo;
	llvm::DenseMap<const llvm::DIType *, std::string> TypedefOf;
	std::vector<const llvm::DICompositeType *> Composites; // from the typedef scan
	std::map<std::pair<uint32_t, uint64_t>, uint32_t> Arrays;
	uint32_t Void = TTST_NO_TYPE, Char = TTST_NO_TYPE;
	std::vector<uint64_t> Hashes;
	std::vector<uint64_t> ShallowMemo; // [type * (PointerDepth + 1) + depth]
	std::vector<char> HashState;	   // 0 not computed, 1 in progress, 2 done
	std::vector<uint32_t> Final, Canon;
};

} // namespace ttst

#endif
