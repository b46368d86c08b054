// MetaWriter.cpp -- serialises one TU blob (abi.h layout, checksum) and emits it as the __ttst_tu
// global.
#include "MetaWriter.h"

#include "Names.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/Transforms/Utils/ModuleUtils.h>

#include <cstring>

using namespace llvm;

namespace ttst
{

uint32_t StringTable::add(StringRef S)
{
	if (S.empty())
		return 0;
	auto It = Offsets.find(S);
	if (It != Offsets.end())
		return It->second;
	uint32_t Off = (uint32_t)Data.size();
	Data.append(S.data(), S.size());
	Data.push_back('\0');
	Offsets[S] = Off;
	return Off;
}

namespace
{

struct Records {
	std::vector<ttst_type_rec> Types;
	std::vector<ttst_member_rec> Members;
	std::vector<ttst_enum_rec> Enums;
	std::vector<ttst_static_rec> Statics;
	std::vector<ttst_site_rec> Sites;
};

void typeRecords(const TypeTable &TT, StringTable &Str, Records &R)
{
	for (uint32_t P : TT.canonical()) {
		const TType &T = TT.at(P);
		ttst_type_rec Rec{};
		Rec.name = Str.add(T.Name);
		Rec.kind = T.Kind;
		Rec.flags = T.Flags;
		Rec.size = T.Size;
		Rec.hash = TT.hashAt(P);
		Rec.ref = TTST_NO_TYPE;
		Rec.count = T.Count;
		if (T.Kind == TTST_K_STRUCT || T.Kind == TTST_K_UNION) {
			Rec.ref = T.Members.empty() ? 0 : (uint32_t)R.Members.size();
			for (const TMember &M : T.Members) {
				ttst_member_rec MR{};
				MR.name = Str.add(M.Name);
				MR.type = TT.finalIndex(M.Type);
				MR.offset = M.Offset;
				MR.bit_offset = M.BitOffset;
				MR.bit_size = M.BitSize;
				MR.flags = M.Flags;
				R.Members.push_back(MR);
			}
		} else if (T.Kind == TTST_K_ENUM) {
			Rec.ref = T.Enums.empty() ? 0 : (uint32_t)R.Enums.size();
			for (const TEnumerator &E : T.Enums) {
				ttst_enum_rec ER{};
				ER.name = Str.add(E.Name);
				ER.value = E.Value;
				R.Enums.push_back(ER);
			}
		} else if (T.Kind == TTST_K_POINTER || T.Kind == TTST_K_ARRAY ||
			   T.Kind == TTST_K_FUNCTION) {
			Rec.ref = TT.finalIndex(T.Ref);
		}
		R.Types.push_back(Rec);
	}
}

void objectRecords(const TypeTable &TT, const std::vector<StaticEntry> &Statics,
		   const std::vector<SiteEntry> &Sites, StringTable &Str, Records &R)
{
	for (const StaticEntry &S : Statics) {
		ttst_static_rec Rec{};
		Rec.id = Str.add(S.Id);
		Rec.name = Str.add(S.Name);
		Rec.kind = S.Kind;
		Rec.flags = S.Flags;
		Rec.type = TT.finalIndex(S.Type);
		Rec.file = Str.add(S.File);
		Rec.line = S.Line;
		R.Statics.push_back(Rec);
	}
	for (const SiteEntry &S : Sites) {
		ttst_site_rec Rec{};
		Rec.id = Str.add(S.Id);
		Rec.func = Str.add(S.Func);
		Rec.file = Str.add(S.File);
		Rec.line = S.Line;
		Rec.allocator = Str.add(S.Allocator);
		Rec.type = TT.finalIndex(S.Type);
		Rec.flags = S.Flags;
		Rec.const_size = S.ConstSize;
		R.Sites.push_back(Rec);
	}
}

uint32_t align8(uint64_t N)
{
	return (uint32_t)((N + 7) & ~(uint64_t)7);
}

template <typename T> void put(std::vector<uint64_t> &Buf, uint32_t Off, const std::vector<T> &V)
{
	if (!V.empty())
		std::memcpy((char *)Buf.data() + Off, V.data(), V.size() * sizeof(T));
}

} // namespace

std::vector<uint64_t> serializeBlob(const std::string &TuFile, const TypeTable &TT,
				    const std::vector<StaticEntry> &Statics,
				    const std::vector<SiteEntry> &Sites, uint32_t &OffAddrs)
{
	StringTable Str;
	Records R;
	ttst_tu_hdr H{};
	H.file = Str.add(TuFile);
	typeRecords(TT, Str, R);
	objectRecords(TT, Statics, Sites, Str, R);

	H.magic = TTST_META_MAGIC;
	H.abi_version = TTST_ABI_VERSION;
	H.hdr_size = sizeof(ttst_tu_hdr);
	H.ntypes = (uint32_t)R.Types.size();
	H.off_types = sizeof(ttst_tu_hdr);
	H.nmembers = (uint32_t)R.Members.size();
	H.off_members = align8(H.off_types + (uint64_t)H.ntypes * sizeof(ttst_type_rec));
	H.nenums = (uint32_t)R.Enums.size();
	H.off_enums = align8(H.off_members + (uint64_t)H.nmembers * sizeof(ttst_member_rec));
	H.nstatics = (uint32_t)R.Statics.size();
	H.off_statics = align8(H.off_enums + (uint64_t)H.nenums * sizeof(ttst_enum_rec));
	H.nsites = (uint32_t)R.Sites.size();
	H.off_sites = align8(H.off_statics + (uint64_t)H.nstatics * sizeof(ttst_static_rec));
	H.off_strings = align8(H.off_sites + (uint64_t)H.nsites * sizeof(ttst_site_rec));
	H.strings_size = align8(Str.data().size());
	H.off_addrs = H.off_strings + H.strings_size;
	H.total_size = H.off_addrs + (H.nstatics + 1) * (uint32_t)sizeof(void *);

	std::vector<uint64_t> Buf(H.off_addrs / 8, 0);
	put(Buf, H.off_types, R.Types);
	put(Buf, H.off_members, R.Members);
	put(Buf, H.off_enums, R.Enums);
	put(Buf, H.off_statics, R.Statics);
	put(Buf, H.off_sites, R.Sites);
	std::memcpy((char *)Buf.data() + H.off_strings, Str.data().data(), Str.data().size());
	std::memcpy(Buf.data(), &H, sizeof(H));
	H.checksum = ttst_blob_checksum(reinterpret_cast<const ttst_tu_hdr *>(Buf.data()));
	std::memcpy(Buf.data(), &H, sizeof(H));
	OffAddrs = H.off_addrs;
	return Buf;
}

GlobalVariable *emitBlob(Module &M, const std::string &TuFile, TypeTable &TT,
			 const std::vector<StaticEntry> &Statics,
			 const std::vector<SiteEntry> &Sites)
{
	LLVMContext &Ctx = M.getContext();
	uint32_t OffAddrs = 0;
	std::vector<uint64_t> Buf = serializeBlob(TuFile, TT, Statics, Sites, OffAddrs);
	ArrayRef<uint8_t> Bytes(reinterpret_cast<const uint8_t *>(Buf.data()), OffAddrs);
	Constant *ByteArr = ConstantDataArray::get(Ctx, Bytes);

	PointerType *PtrTy = PointerType::getUnqual(Ctx);
	std::vector<Constant *> Addrs;
	for (const StaticEntry &S : Statics)
		Addrs.push_back(S.Addr ? S.Addr : ConstantPointerNull::get(PtrTy));
	Addrs.push_back(M.getOrInsertGlobal(AbiCheckName, Type::getInt8Ty(Ctx)));
	Constant *AddrArr = ConstantArray::get(ArrayType::get(PtrTy, Addrs.size()), Addrs);

	Constant *Init = ConstantStruct::getAnon(Ctx, {ByteArr, AddrArr});
	auto *GV = new GlobalVariable(M, Init->getType(), /*isConstant=*/false,
				      GlobalValue::InternalLinkage, Init, TuGlobalName);
	GV->setSection(MetaSection);
	GV->setAlignment(Align(TTST_BLOB_ALIGN));
	appendToUsed(M, {GV});
	return GV;
}

} // namespace ttst
