/* The relink plan: for each covered binary, its TUs' records and what stands
 * in the way of relinking it. */
#ifndef CTR_PLAN_H
#define CTR_PLAN_H

#include <jansson.h>

#include "rootfs_scan.h"
#include "sandbox.h"

typedef struct ctr_plan_entry {
    ctr_binary *bin;
    irs_record **recs;  /* bin->link->ntu entries; NULL where unusable */
    size_t missing_tus; /* records absent or damaged */
    char *ir_kind;      /* of the IR TUs: "llvm-bc", "gcc-lto", "mixed" or "none" */
    size_t objects;     /* recs of kind "elf-object": native code recorded at link time */
    bool link_recorded; /* a "link" record names the link's command line */
    irs_strv foreign;   /* symbols the binary defines that no stored input does */
    char *problem;      /* why it cannot be relinked, NULL if it can */
} ctr_plan_entry;

typedef struct ctr_plan {
    ctr_rootfs *fs;
    ctr_plan_entry *v;
    size_t n;
} ctr_plan;

/* Build the plan for a scanned root filesystem (takes ownership of fs);
 * the stored IR is parsed confined, as sb's unprivileged uid. */
int ctr_plan_build(ctr_rootfs *fs, irs_store *store, const ctr_sandbox *sb, ctr_plan **out,
                   ctr_error *err);
void ctr_plan_free(ctr_plan *plan);
json_t *ctr_plan_json(const ctr_plan *plan);

#endif
