/* Code without IR: global symbols a binary defines that none of its stored
 * inputs (IR TUs and objects recorded at link time) defines, and that the
 * toolchain's start files and runtime libraries do not provide either.  A
 * relink would lose that code, so such a binary is kept. */
#ifndef CTR_FOREIGN_CODE_H
#define CTR_FOREIGN_CODE_H

#include "plan.h"

/* The symbols each stored input defines, read once per TU id (inputs such
 * as static library members are shared by many binaries), parsed confined
 * as sb's unprivileged uid. */
typedef struct ctr_symbol_cache ctr_symbol_cache;

int ctr_symbol_cache_new(const ctr_rootfs *fs, const ctr_sandbox *sb, ctr_symbol_cache **out,
                         ctr_error *err);
void ctr_symbol_cache_free(ctr_symbol_cache *c);

/* Fill e->foreign with the binary's code without IR (empty if none); -1
 * with err when a stored input cannot be read or is refused. */
int ctr_foreign_code(ctr_plan_entry *e, irs_store *store, ctr_symbol_cache *c, ctr_error *err);

#endif
