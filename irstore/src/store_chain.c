/* Stores chained for reading (irs_store_chain): an entry absent from one
 * store is looked for in the next.  Content addressing is what makes the
 * union safe: an address names the same bytes in every store, so whichever
 * store holds an entry, a reader gets the same bytes or a hash mismatch. */
#include "irstore_private.h"

#include <errno.h>
#include <stdio.h>

/* next or one of its chain is already in store's chain (or store in
 * next's): chaining it would free a store twice or loop forever. */
static bool shares_a_store(const irs_store *store, const irs_store *next)
{
    for (const irs_store *a = store; a; a = a->next)
        for (const irs_store *b = next; b; b = b->next)
            if (a == b)
                return true;
    return false;
}

int irs_store_chain(irs_store *store, irs_store *next, ctr_error *err)
{
    if (!store || !next)
        return ctr_error_code(err, CTR_E_USAGE, "chaining stores: no store given");
    if (shares_a_store(store, next))
        return ctr_error_code(err, CTR_E_USAGE, "chaining store '%s' after '%s': it is "
                              "already in the chain", next->root, store->root);
    irs_store *last = store;
    while (last->next)
        last = last->next;
    last->next = next;
    return 0;
}

const irs_store *irs_store_next(const irs_store *store)
{
    return store ? store->next : NULL;
}

size_t irs_store_count(const irs_store *store)
{
    size_t n = 0;
    for (; store; store = store->next)
        n++;
    return n;
}

bool irs__absent(const ctr_error *err)
{
    /* irs__read_entry: openat2 found no file (or no fan-out directory);
     * ENOTDIR, ELOOP and the rest say that the store is damaged */
    return err->code == CTR_E_SYSTEM && err->errnum == ENOENT;
}

int irs__absent_error(const irs_store *store, const char *dir, const char *kind,
                      const char *hex, const ctr_error *first, ctr_error *err)
{
    size_t n = irs_store_count(store);
    if (n == 1)
        return ctr_error_copy(err, first);
    char path[4096];
    if (irs__entry_path(store, dir, hex, path, sizeof path) < 0)
        snprintf(path, sizeof path, "%s", store->root);
    return ctr_error_set(err, ENOENT, "%s %s: in none of the %zu stores (first '%s')", kind,
                         hex, n, path);
}
