/* The symbols of a binary's stored inputs (IR TUs and objects recorded at
 * link time), read once per TU id (inputs such as static library members
 * are shared by many binaries) and parsed confined as the sandbox's
 * unprivileged uid (confined.h).  The plan reads them twice: the symbols the
 * inputs define, to find code without IR (foreign_code.h), and those they
 * reference, which a library swap must still provide (swap_check.h). */
#ifndef CTR_TU_SYMBOLS_H
#define CTR_TU_SYMBOLS_H

#include "plan.h"
#include "runtime_symbols.h"

/* One input's symbols, each list sorted and unique. */
typedef struct ctr_tu_symbols {
    irs_strv defined;
    irs_strv referenced;
} ctr_tu_symbols;

typedef struct ctr_symbol_cache ctr_symbol_cache;

/* A cache sized for the TUs of fs's binaries, with the toolchain's runtime
 * symbols (runtime_symbols.h) loaded. */
int ctr_symbol_cache_new(const ctr_rootfs *fs, const ctr_sandbox *sb, ctr_symbol_cache **out,
                         ctr_error *err);
void ctr_symbol_cache_free(ctr_symbol_cache *c);
const ctr_runtime_symbols *ctr_symbol_cache_runtime(const ctr_symbol_cache *c);

/* The symbols of TU `id` (record r, of kind `kind`), after the stored-object
 * policy (object_policy.h); NULL with err when the blob cannot be read, is
 * refused, or its parse fails. */
const ctr_tu_symbols *ctr_tu_symbols_get(ctr_symbol_cache *c, irs_store *store, const char *id,
                                         const irs_record *r, ctr_ir_kind kind, ctr_error *err);

/* The symbols of each of e's inputs, in link order (NULL for a "link"
 * record, which holds no code): an array of e->bin->link->ntu to free, or
 * NULL with err as ctr_tu_symbols_get. */
const ctr_tu_symbols **ctr_tu_symbols_of(ctr_symbol_cache *c, irs_store *store,
                                         const ctr_plan_entry *e, ctr_error *err);

/* One of the n sets (NULL entries skipped) defines sym. */
bool ctr_tu_symbols_define(const ctr_tu_symbols *const *sets, size_t n, const char *sym);

/* Fill e->ir_refs from the symbols of its inputs (ctr_tu_symbols_of): what
 * they reference and none of them defines (sorted, unique).  -1 with err
 * when out of memory. */
int ctr_tu_references(ctr_plan_entry *e, const ctr_tu_symbols *const *sets, ctr_error *err);

#endif
