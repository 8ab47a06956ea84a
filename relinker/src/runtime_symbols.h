/* Symbols that the toolchain's own start files and static runtime libraries
 * (crt*.o, libgcc, libc_nonshared) put into every link.  A relink gets them
 * again from the native driver, so they are not code the store must hold. */
#ifndef CTR_RUNTIME_SYMBOLS_H
#define CTR_RUNTIME_SYMBOLS_H

#include <stdbool.h>

#include "comtainer/irstore.h"

typedef struct ctr_runtime_symbols {
    irs_strv names; /* sorted, unique */
} ctr_runtime_symbols;

/* Collect the global symbols defined by the start files and static runtime
 * libraries that the native GCC driver links (asked with -print-file-name).
 * Files that are absent are skipped. */
int ctr_runtime_symbols_load(ctr_runtime_symbols *rs, ctr_error *err);
/* True for those symbols, the linkers' own (_end, ...) and the helpers code
 * generation adds (DW.ref.*, __x86.get_pc_thunk.*). */
bool ctr_runtime_symbols_has(const ctr_runtime_symbols *rs, const char *name);
void ctr_runtime_symbols_clear(ctr_runtime_symbols *rs);

#endif
