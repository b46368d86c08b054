// StateIds.h -- per-module context shared by the pass components, and the state-ID naming rules.
#ifndef TTST_PASS_STATEIDS_H
#define TTST_PASS_STATEIDS_H

#include <llvm/ADT/DenseMap.h>
#include <llvm/ADT/StringMap.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/Module.h>

#include <string>

namespace ttst
{

// What every component needs to know about the module being instrumented.
struct PassContext {
	llvm::Module &M;
	std::string TuFile; // DICompileUnit filename as given to the compiler
	// Basename of TuFile: the file part of state IDs, so that IDs do not
	// depend on the directory a version is built in (CMake passes absolute
	// paths; v1/ and v2/ trees must still match).
	std::string IdFile;
	bool HasTypes;	    // full debug info present (types can be described)
	llvm::DenseMap<const llvm::DISubprogram *, llvm::Function *> SPToFunc;

	// Builds the context; never fails (falls back to the module's source name).
	explicit PassContext(llvm::Module &Mod);
};

// "name" for external linkage, "<IdFile>:name" for internal linkage.
std::string linkageId(const PassContext &C, llvm::StringRef Name, bool Internal);
// State-ID form of a function: its source name, prefixed with the TU file when static.
std::string funcId(const PassContext &C, const llvm::Function &F);
// Same for a DISubprogram (static locals): uses the defining function when known.
std::string subprogramId(const PassContext &C, const llvm::DISubprogram *SP);
// True when Name is one of ttst's own symbols (prefix __ttst_).
bool isReserved(llvm::StringRef Name);

// Makes state IDs unique within one TU blob: the second "x" becomes "x#2".
class IdSet
{
      public:
	// Returns Id, or Id#k for the k-th repetition (k >= 2).
	std::string unique(const std::string &Id);

      private:
	llvm::StringMap<unsigned> Seen;
};

} // namespace ttst

#endif
