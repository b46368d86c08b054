/* ttst_module.c -- linked into every module (program or shared library) by ttst-cc: registers its
 * ttst_meta section. */
#include "ttst/interface.h"

/* Bounds of this module's ttst_meta section, defined by the linker.  Hidden
 * so that each module sees its own section; weak so that a module with no
 * instrumented translation unit still links (both are then NULL). */
extern const char __start_ttst_meta[] __attribute__((weak, visibility("hidden")));
extern const char __stop_ttst_meta[] __attribute__((weak, visibility("hidden")));

/* Runs before main (or at dlopen) and hands the section to the runtime,
 * which validates it and reports a malformed one itself. */
__attribute__((constructor)) static void ttst_module_register(void)
{
	if (__start_ttst_meta && __stop_ttst_meta)
		__ttst_register_module(__start_ttst_meta, __stop_ttst_meta);
}
