/* Code without IR (see foreign_code.h). */
#include "foreign_code.h"

#include <errno.h>

/* Code without IR: global symbols the binary defines that none of its
 * stored inputs (IR TUs and objects recorded at link time) defines and the
 * toolchain's start files and runtime libraries do not provide either. */
int ctr_foreign_code(ctr_plan_entry *e, const ctr_tu_symbols *const *sets,
                     const ctr_runtime_symbols *runtime, ctr_error *err)
{
    const ctr_elf_link *l = e->bin->link;
    for (size_t i = 0; i < l->defined.n; i++) {
        const char *sym = l->defined.v[i];
        if (!ctr_runtime_symbols_has(runtime, sym) &&
            !ctr_tu_symbols_define(sets, l->ntu, sym) && irs_strv_push(&e->foreign, sym) < 0)
            return ctr_error_set(err, ENOMEM, "planning");
    }
    return 0;
}
