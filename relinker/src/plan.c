/* Building the relink plan from discovery results and the store. */
#include "plan.h"
#include "foreign_code.h"
#include "link_policy.h"
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
        free(e->kinds);
        free(e->site);
        irs_strv_clear(&e->foreign);
        irs_strv_clear(&e->ir_refs);
    }
    free(plan->v);
    irs_strv_clear(&plan->stores);
    ctr_rootfs_free(plan->fs);
    free(plan);
}

/* Read the records of e's TUs: their kinds, and the toolchain their IR
 * needs.  The first unusable record's reason into first. */
static void read_records(ctr_plan_entry *e, irs_store *store, ctr_error *first)
{
    const ctr_elf_link *l = e->bin->link;
    for (size_t t = 0; t < l->ntu; t++) {
        ctr_error err;
        if (irs_record_get(store, l->tu_ids[t], &e->recs[t], &err) < 0 ||
            ctr_record_check(e->recs[t], l->tu_ids[t], &err) < 0) {
            irs_record_free(e->recs[t]);
            e->recs[t] = NULL;
            if (!e->missing_tus++)
                ctr_error_copy(first, &err);
            continue;
        }
        e->kinds[t] = ctr_ir_kind_of(e->recs[t]->ir_kind);
        e->objects += e->kinds[t] == CTR_IR_ELF_OBJECT;
        e->link_recorded |= e->kinds[t] == CTR_IR_LINK;
        e->ir = ctr_toolchain_add(e->ir, e->kinds[t]);
    }
}

/* Code without IR in e, into e->problem; else what its inputs reference,
 * into e->ir_refs.  Both from one read of its inputs' symbols. */
static void code_and_references(ctr_plan_entry *e, irs_store *store, ctr_symbol_cache *cache)
{
    ctr_error *p = &e->problem;
    const ctr_tu_symbols **sets = ctr_tu_symbols_of(cache, store, e, p);
    if (!sets)
        return;
    if (ctr_foreign_code(e, sets, ctr_symbol_cache_runtime(cache), p) == 0) {
        if (e->foreign.n)
            ctr_error_code(p, CTR_E_UNSUPPORTED,
                           "code without IR: %zu symbol%s defined by no stored input (%s%s); "
                           "record the link with the comtainer-ld plugin to relink it",
                           e->foreign.n, e->foreign.n == 1 ? "" : "s", e->foreign.v[0],
                           e->foreign.n > 1 ? ", ..." : "");
        else
            ctr_tu_references(e, sets, p);
    }
    free(sets);
}

/* What stands in the way of relinking e, into e->problem (left CTR_OK when
 * nothing does). */
static void plan_entry(ctr_plan_entry *e, irs_store *store, ctr_symbol_cache *cache)
{
    const ctr_elf_link *l = e->bin->link;
    ctr_error first = {0};
    read_records(e, store, &first);
    size_t unresolved = 0;
    for (size_t i = 0; i < l->needed.n; i++)
        unresolved += !e->bin->needed[i].found;
    ctr_error *p = &e->problem;
    if (ctr_link_strings_check(e->bin, p) < 0)
        return;
    if (e->missing_tus)
        /* absent, not damaged: built under a compile cache, not harvested? */
        ctr_error_code(p, first.code, "%zu of %zu TUs unusable (first: %s)%s", e->missing_tus,
                       l->ntu, first.msg,
                       first.errnum == ENOENT ? "; if its objects were built under a compile "
                                                "cache, 'ctr-store harvest BUILD_DIR' stores "
                                                "what they carry"
                                              : "");
    else if (unresolved)
        ctr_error_code(p, CTR_E_INPUT, "%zu needed libraries not found in the image",
                       unresolved);
    else if (e->ir == CTR_TOOLCHAIN_NONE)
        ctr_error_code(p, CTR_E_UNSUPPORTED, "no TU with IR: nothing to relink");
    else
        code_and_references(e, store, cache);
}

int ctr_plan_build(ctr_rootfs *fs, irs_store *store, const irs_strv *stores,
                   const ctr_sandbox *sb, ctr_plan **out, ctr_error *err)
{
    ctr_plan *plan = calloc(1, sizeof *plan);
    if (!plan || !(plan->v = calloc(fs->n ? fs->n : 1, sizeof *plan->v))) {
        free(plan);
        ctr_rootfs_free(fs);
        return ctr_error_set(err, ENOMEM, "planning");
    }
    plan->fs = fs;
    plan->n = fs->n;
    for (size_t i = 0; stores && i < stores->n; i++)
        if (irs_strv_push(&plan->stores, stores->v[i]) < 0) {
            ctr_plan_free(plan);
            return ctr_error_set(err, ENOMEM, "planning");
        }
    ctr_symbol_cache *cache;
    if (ctr_symbol_cache_new(fs, sb, &cache, err) < 0) {
        ctr_plan_free(plan);
        return -1;
    }
    for (size_t i = 0; i < fs->n; i++) {
        ctr_plan_entry *e = &plan->v[i];
        e->bin = &fs->v[i];
        e->recs = calloc(e->bin->link->ntu + 1, sizeof *e->recs);
        e->kinds = calloc(e->bin->link->ntu + 1, sizeof *e->kinds);
        if (!e->recs || !e->kinds) {
            ctr_symbol_cache_free(cache);
            ctr_plan_free(plan);
            return ctr_error_set(err, ENOMEM, "planning");
        }
        plan_entry(e, store, cache);
    }
    ctr_symbol_cache_free(cache);
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

json_t *ctr_plan_site_json(const ctr_plan_entry *e)
{
    json_t *swaps = json_array();
    for (size_t i = 0; e->site && i < e->bin->link->needed.n; i++)
        if (e->site[i])
            json_array_append_new(swaps, json_pack("{s:s,s:s}", "needed",
                                                   e->bin->link->needed.v[i], "library",
                                                   e->site[i]));
    return json_pack("{s:o,s:s?}", "swapped", swaps, "refused",
                     e->site_refused.code ? e->site_refused.msg : NULL);
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
                json_object_set_new(tu, "undef_target_macros",
                                    strv_json(&e->recs[t]->undef_target_macros));
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
                            (json_int_t)l->exports.n, "ir_kind",
                            json_string(ctr_toolchain_ir_name(e->ir)), "problem",
                            e->problem.code ? e->problem.msg : NULL));
        json_t *b = json_array_get(bins, json_array_size(bins) - 1);
        json_object_set_new(b, "objects", json_integer((json_int_t)e->objects));
        json_object_set_new(b, "link_recorded", json_boolean(e->link_recorded));
        json_object_set_new(b, "symbols_checked", json_string(l->stripped ? "dynsym" : "symtab"));
        json_object_set_new(b, "code_without_ir", strv_json(&e->foreign));
        json_object_set_new(b, "site", ctr_plan_site_json(e));
    }
    return json_pack("{s:s,s:I,s:o,s:o}", "root", plan->fs->root, "elf_files",
                     (json_int_t)plan->fs->elf_files, "stores", strv_json(&plan->stores),
                     "binaries", bins);
}
