// Statics.h -- static objects of a TU: globals, file statics, static locals, string literals,
// address-taken functions.
#ifndef TTST_PASS_STATICS_H
#define TTST_PASS_STATICS_H

#include "MetaWriter.h"
#include "StateIds.h"
#include "TypeTable.h"

#include <vector>

namespace ttst
{

// Appends one StaticEntry per defined global variable (with debug info),
// static local, string literal / unnamed constant, and per defined function
// whose address is taken (and main).  Never fails: objects whose type cannot
// be described get TTST_NO_TYPE.
void collectStatics(const PassContext &C, TypeTable &TT, IdSet &Ids, std::vector<StaticEntry> &Out);

} // namespace ttst

#endif
