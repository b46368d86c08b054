// StateIds.cpp -- per-module context and the state-ID naming rules (DESIGN.md section 3).
#include "StateIds.h"

#include "Names.h"

using namespace llvm;

namespace ttst
{

PassContext::PassContext(Module &Mod) : M(Mod), HasTypes(false)
{
	TuFile = M.getSourceFileName();
	for (DICompileUnit *CU : M.debug_compile_units()) {
		if (!CU->getFilename().empty())
			TuFile = CU->getFilename().str();
		if (CU->getEmissionKind() == DICompileUnit::FullDebug)
			HasTypes = true;
		break;
	}
	size_t Slash = TuFile.find_last_of('/');
	IdFile = Slash == std::string::npos ? TuFile : TuFile.substr(Slash + 1);
	for (Function &F : M)
		if (DISubprogram *SP = F.getSubprogram())
			SPToFunc[SP] = &F;
}

std::string linkageId(const PassContext &C, StringRef Name, bool Internal)
{
	if (!Internal)
		return Name.str();
	return C.IdFile + ":" + Name.str();
}

std::string funcId(const PassContext &C, const Function &F)
{
	StringRef Name = F.getName();
	if (DISubprogram *SP = F.getSubprogram())
		if (!SP->getName().empty())
			Name = SP->getName();
	return linkageId(C, Name, F.hasLocalLinkage());
}

std::string subprogramId(const PassContext &C, const DISubprogram *SP)
{
	auto It = C.SPToFunc.find(SP);
	if (It != C.SPToFunc.end())
		return funcId(C, *It->second);
	return linkageId(C, SP->getName(), SP->isLocalToUnit());
}

bool isReserved(StringRef Name)
{
	return Name.startswith(ReservedPrefix);
}

std::string IdSet::unique(const std::string &Id)
{
	unsigned &N = Seen[Id];
	N++;
	if (N == 1)
		return Id;
	std::string Alt = Id + "#" + std::to_string(N);
	// A literal "x#2" elsewhere could collide: keep counting until free.
	while (Seen.count(Alt))
		Alt = Id + "#" + std::to_string(++N);
	Seen[Alt] = 1;
	return Alt;
}

} // namespace ttst
