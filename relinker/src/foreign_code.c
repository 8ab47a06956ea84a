/* Code without IR (see foreign_code.h). */
#include "foreign_code.h"

#include <errno.h>
#include <stdlib.h>

/* Code without IR: global symbols the binary defines that none of its
 * stored inputs (IR TUs and objects recorded at link time) defines and the
 * toolchain's start files and runtime libraries do not provide either. */
int ctr_foreign_code(ctr_plan_entry *e, irs_store *store, ctr_symbol_cache *c, ctr_error *err)
{
    const ctr_elf_link *l = e->bin->link;
    const ctr_tu_symbols **sets = ctr_tu_symbols_of(c, store, e, err);
    if (!sets)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < l->defined.n && rc == 0; i++) {
        const char *sym = l->defined.v[i];
        bool known = ctr_runtime_symbols_has(ctr_symbol_cache_runtime(c), sym);
        for (size_t t = 0; t < l->ntu && !known; t++)
            known = sets[t] && irs_strv_sorted_has(&sets[t]->defined, sym);
        if (!known && irs_strv_push(&e->foreign, sym) < 0)
            rc = ctr_error_set(err, ENOMEM, "planning");
    }
    free(sets);
    return rc;
}
