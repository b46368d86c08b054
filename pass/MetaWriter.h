// MetaWriter.h -- the TU blob: string table, static and site entries, serialisation (abi.h) and the
// __ttst_tu global.
#ifndef TTST_PASS_METAWRITER_H
#define TTST_PASS_METAWRITER_H

#include "TypeTable.h"

#include <llvm/ADT/StringMap.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/Module.h>

#include <string>
#include <vector>

namespace ttst
{

// NUL-terminated strings, deduplicated; offset 0 is always "".
class StringTable
{
      public:
	StringTable() : Data(1, '\0')
	{
	}
	// Offset of S in the table (added on first use).
	uint32_t add(llvm::StringRef S);
	const std::string &data() const
	{
		return Data;
	}

      private:
	std::string Data;
	llvm::StringMap<uint32_t> Offsets;
};

// One static object (ttst_static_rec) plus the address the runtime needs.
struct StaticEntry {
	std::string Id, Name, File;
	uint16_t Kind = TTST_S_VARIABLE;
	uint16_t Flags = 0;
	uint32_t Type = TTST_NO_TYPE; // provisional TypeTable index
	uint32_t Line = 0;
	llvm::Constant *Addr = nullptr; // nullptr: locals, TLS
};

// One allocation site (ttst_site_rec).
struct SiteEntry {
	std::string Id, Func, File, Allocator;
	uint32_t Line = 0;
	uint32_t Type = TTST_NO_TYPE; // provisional TypeTable index
	uint32_t Flags = 0;
	uint32_t ConstSize = 0;
};

// Serialises the blob exactly as abi.h draws it (Types must be finalized)
// and returns the bytes [0, off_addrs) with the header's checksum filled
// in.  Memory: the returned buffer is the caller's.
std::vector<uint64_t> serializeBlob(const std::string &TuFile, const TypeTable &Types,
				    const std::vector<StaticEntry> &Statics,
				    const std::vector<SiteEntry> &Sites, uint32_t &OffAddrs);

// Creates the internal global __ttst_tu = { [N x i8], [M x ptr] } in section
// ttst_meta (align 8, writable, in llvm.used).  Returns it; never fails.
llvm::GlobalVariable *emitBlob(llvm::Module &M, const std::string &TuFile, TypeTable &Types,
			       const std::vector<StaticEntry> &Statics,
			       const std::vector<SiteEntry> &Sites);

} // namespace ttst

#endif
