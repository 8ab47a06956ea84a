/* Code without IR: global symbols a binary defines that none of its stored
 * inputs (IR TUs and objects recorded at link time) defines, and that the
 * toolchain's start files and runtime libraries do not provide either.  A
 * relink would lose that code, so such a binary is kept. */
#ifndef CTR_FOREIGN_CODE_H
#define CTR_FOREIGN_CODE_H

#include "plan.h"
#include "tu_symbols.h"

/* Fill e->foreign with the binary's code without IR (empty if none); -1
 * with err when a stored input cannot be read or is refused. */
int ctr_foreign_code(ctr_plan_entry *e, irs_store *store, ctr_symbol_cache *c, ctr_error *err);

#endif
