/* The relink plan: for each covered binary, its TUs' records and what stands
 * in the way of relinking it. */
#ifndef CTR_PLAN_H
#define CTR_PLAN_H

#include <jansson.h>

#include "rootfs_scan.h"
#include "sandbox.h"
#include "toolchain.h"

typedef struct ctr_plan_entry {
    ctr_binary *bin;
    irs_record **recs;  /* bin->link->ntu entries; NULL where unusable */
    ctr_ir_kind *kinds; /* of each recs[t]; CTR_IR_UNKNOWN where it is NULL */
    size_t missing_tus; /* records absent or damaged */
    ctr_toolchain ir;   /* what the IR TUs need: LLVM, GCC, both (mixed), or none */
    size_t objects;     /* recs of kind "elf-object": native code recorded at link time */
    bool link_recorded; /* a "link" record names the link's command line */
    irs_strv foreign;   /* symbols the binary defines that no stored input does */
    irs_strv ir_refs;   /* symbols its stored inputs use and none defines, sorted */
    ctr_error problem;  /* why it cannot be relinked; code CTR_OK if it can */
    /* --redirect (site_libs.h): per DT_NEEDED entry, the SONAME of the site
     * library that replaces the image's (its name in the bundle), or NULL;
     * the first swap refused, and why */
    const char **site;
    size_t site_swaps;
    ctr_error site_refused;
} ctr_plan_entry;

typedef struct ctr_plan {
    ctr_rootfs *fs;
    ctr_plan_entry *v;
    size_t n;
    irs_strv stores; /* the stores read, in order, as reports name them */
} ctr_plan;

/* Build the plan for a scanned root filesystem (takes ownership of fs)
 * from store and the stores chained after it (irs_store_chain), whose
 * names (rootfs_stores.h) `stores` gives (copied; NULL: none named); the
 * stored IR is parsed confined, as sb's unprivileged uid. */
int ctr_plan_build(ctr_rootfs *fs, irs_store *store, const irs_strv *stores,
                   const ctr_sandbox *sb, ctr_plan **out, ctr_error *err);
void ctr_plan_free(ctr_plan *plan);
json_t *ctr_plan_json(const ctr_plan *plan);
/* An entry's site libraries: {"swapped": [{"needed", "library"}], "refused": why|null}. */
json_t *ctr_plan_site_json(const ctr_plan_entry *e);

#endif
