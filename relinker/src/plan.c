/* Building the relink plan from discovery results and the store. */
#include "plan.h"
#include "record_policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ctr_plan_free(ctr_plan *plan)
{
    if (!plan)
        return;
    for (size_t i = 0; i < plan->n; i++) {
        ctr_plan_entry *e = &plan->v[i];
        for (size_t t = 0; e->recs && t < e->bin->link->ntu; t++)
            irs_record_free(e->recs[t]);
        free(e->recs);
        free(e->ir_kind);
        free(e->problem);
    }
    free(plan->v);
    ctr_rootfs_free(plan->fs);
    free(plan);
}

static void plan_entry(ctr_plan_entry *e, irs_store *store)
{
    const ctr_elf_link *l = e->bin->link;
    char first_err[sizeof ((irs_error *)0)->msg] = "";
    for (size_t t = 0; t < l->ntu; t++) {
        irs_error err;
        if (irs_record_get(store, l->tu_ids[t], &e->recs[t], &err) < 0 ||
            ctr_record_check(e->recs[t], l->tu_ids[t], &err) < 0) {
            irs_record_free(e->recs[t]);
            e->recs[t] = NULL;
            if (!e->missing_tus++)
                snprintf(first_err, sizeof first_err, "%s", err.msg);
            continue;
        }
        const char *kind = e->recs[t]->ir_kind;
        if (!e->ir_kind)
            e->ir_kind = strdup(kind);
        else if (strcmp(e->ir_kind, kind) && strcmp(e->ir_kind, "mixed")) {
            free(e->ir_kind);
            e->ir_kind = strdup("mixed");
        }
    }
    if (!e->ir_kind)
        e->ir_kind = strdup("none");
    size_t unresolved = 0;
    for (size_t i = 0; i < l->needed.n; i++)
        unresolved += !e->bin->needed[i].found;
    if (e->missing_tus)
        asprintf(&e->problem, "%zu of %zu TUs unusable (first: %s)", e->missing_tus, l->ntu,
                 first_err);
    else if (unresolved)
        asprintf(&e->problem, "%zu needed libraries not found in the image", unresolved);
}

int ctr_plan_build(ctr_rootfs *fs, irs_store *store, ctr_plan **out, irs_error *err)
{
    ctr_plan *plan = calloc(1, sizeof *plan);
    if (!plan || !(plan->v = calloc(fs->n ? fs->n : 1, sizeof *plan->v))) {
        free(plan);
        ctr_rootfs_free(fs);
        return irs_error_set(err, ENOMEM, "planning");
    }
    plan->fs = fs;
    plan->n = fs->n;
    for (size_t i = 0; i < fs->n; i++) {
        ctr_plan_entry *e = &plan->v[i];
        e->bin = &fs->v[i];
        e->recs = calloc(e->bin->link->ntu, sizeof *e->recs);
        if (!e->recs) {
            ctr_plan_free(plan);
            return irs_error_set(err, ENOMEM, "planning");
        }
        plan_entry(e, store);
    }
    *out = plan;
    return 0;
}

static json_t *strv_json(const irs_strv *v)
{
    json_t *a = json_array();
    for (size_t i = 0; i < v->n; i++)
        json_array_append_new(a, json_string(v->v[i]));
    return a;
}

json_t *ctr_plan_json(const ctr_plan *plan)
{
    json_t *bins = json_array();
    for (size_t i = 0; i < plan->n; i++) {
        const ctr_plan_entry *e = &plan->v[i];
        const ctr_elf_link *l = e->bin->link;
        json_t *tus = json_array(), *needed = json_array();
        for (size_t t = 0; t < l->ntu; t++) {
            json_t *tu = json_pack("{s:s,s:b}", "id", l->tu_ids[t], "present", e->recs[t] != NULL);
            if (e->recs[t]) {
                json_object_set_new(tu, "source", json_string(e->recs[t]->source));
                json_object_set_new(tu, "language", json_string(e->recs[t]->language));
                json_object_set_new(tu, "ir_kind", json_string(e->recs[t]->ir_kind));
            }
            json_array_append_new(tus, tu);
        }
        for (size_t n = 0; n < l->needed.n; n++)
            json_array_append_new(needed, json_pack("{s:s,s:s?}", "name", e->bin->needed[n].name,
                                                    "found", e->bin->needed[n].found));
        json_array_append_new(
            bins, json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:b,s:o,s:I,s:o,s:s?}", "path",
                            e->bin->inner, "kind", ctr_elf_kind_name(l->kind), "interp",
                            l->interp, "soname", l->soname, "needed", needed, "runpath",
                            strv_json(&l->runpath), "rpath", l->rpath, "tus", tus, "exports",
                            (json_int_t)l->exports.n, "ir_kind", json_string(e->ir_kind),
                            "problem", e->problem));
    }
    return json_pack("{s:s,s:I,s:o}", "root", plan->fs->root, "elf_files",
                     (json_int_t)plan->fs->elf_files, "binaries", bins);
}
