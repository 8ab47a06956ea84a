/* Code without IR: global symbols a binary defines that none of its stored
 * inputs (IR TUs and objects recorded at link time) defines, and that the
 * toolchain's start files and runtime libraries do not provide either.  A
 * relink would lose that code, so such a binary is kept. */
#ifndef CTR_FOREIGN_CODE_H
#define CTR_FOREIGN_CODE_H

#include "plan.h"
#include "tu_symbols.h"

/* Fill e->foreign with the binary's code without IR (empty if none), from
 * the symbols of its inputs (ctr_tu_symbols_of) and the toolchain's
 * runtime symbols; -1 with err when out of memory. */
int ctr_foreign_code(ctr_plan_entry *e, const ctr_tu_symbols *const *sets,
                     const ctr_runtime_symbols *runtime, ctr_error *err);

#endif
