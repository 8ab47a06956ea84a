/* Relinking, stage by stage: the work directory (work_dir.c), each binary's
 * toolchain and inputs (toolchain.c, inputs.c), the optional PGO training
 * build (pgo.c), the final build pass (ninja_file.c, link_argv.c, build.c),
 * the checks of what it built (built_check.c), the optional BOLT layout
 * (bolt.c), the optional --select timing
 * (select_builds.c), and the new root filesystem (output_tree.c). */
#include "relink.h"
#include "bolt.h"
#include "build.h"
#include "built_check.h"
#include "inputs.h"
#include "output_tree.h"
#include "pgo.h"
#include "select.h"
#include "select_builds.h"
#include "site_libs.h"
#include "work_dir.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* Each binary's toolchain and inputs: the binaries that can be relinked
 * get outcome "relinked" (for now) with the configured recipe. */
static int prepare_binaries(const ctr_plan *plan, irs_store *store, const ctr_options *o,
                            const ctr_target *target, const ctr_recipe *configured,
                            ctr_outcome *oc, ctr_error *err)
{
    ctr_inputs *inputs;
    if (ctr_inputs_new(plan, &inputs, err) < 0)
        return -1;
    ctr_target generic = *target, nofma = *target;
    generic.tune = "generic";
    nofma.fp_exact = true; /* --select's no-contraction recipe */
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < plan->n; i++) {
        const ctr_plan_entry *e = &plan->v[i];
        oc[i] = (ctr_outcome){.toolchain = CTR_TOOLCHAIN_NONE};
        if (e->problem.code) {
            ctr_outcome_keep(&oc[i], &e->problem);
            continue;
        }
        ctr_toolchain tc = ctr_toolchain_choose(e->ir, o->toolchain, &oc[i].why);
        if (tc == CTR_TOOLCHAIN_NONE ||
            ctr_inputs_prepare(inputs, e, store, target, o->select ? &generic : NULL,
                               o->select && !o->fp_exact ? &nofma : NULL, o,
                               &oc[i].why) < 0)
            continue;
        rc = ctr_link_files_write(e, i, o->work, err);
        oc[i].toolchain = tc;
        oc[i].relinked = true;
        oc[i].why = (ctr_error){0};
        oc[i].recipe = ctr_recipe_label(configured, tc);
        oc[i].tag = configured->tag;
    }
    ctr_inputs_free(inputs);
    return rc;
}

/* The files the final pass built that fail their checks are not used. */
static void check_builds(const ctr_plan *plan, ctr_outcome *oc, const char *work,
                         ctr_lib_cache *libs)
{
    for (size_t i = 0; i < plan->n; i++) {
        char path[PATH_MAX];
        if (!oc[i].relinked)
            continue;
        snprintf(path, sizeof path, "%s/bin/%zu", work, i);
        if (ctr_built_check(&plan->v[i], path, libs, &oc[i].why) < 0)
            oc[i].relinked = false;
    }
}

/* The final pass (with the profile when training gave one: its options
 * into use), its checks and --select's choice among its recipes. */
static int build_final(const ctr_plan *plan, const ctr_options *o, const ctr_target *target,
                       const ctr_recipe *recipes, size_t nrecipes, ctr_relink_result *res,
                       ctr_pass *final, char *use, size_t use_size, ctr_error *err)
{
    ctr_outcome *oc = res->oc;
    *final = (ctr_pass){recipes, nrecipes, "", "", "build.ninja", false, NULL};
    if (o->pgo && ctr_pgo_run(plan, oc, o, target->cpu, err) == 0) {
        snprintf(use, use_size, " -fprofile-use=%s/pgo.profdata -Wno-profile-instr-unprofiled"
                 " -Wno-profile-instr-out-of-date -Wno-backend-plugin", o->work);
        final->flags = use;
        final->deps = " | pgo.profdata";
        for (size_t i = 0; i < plan->n; i++)
            oc[i].pgo = oc[i].relinked && oc[i].toolchain == CTR_TOOLCHAIN_LLVM;
    }
    if (ctr_build_pass(plan, oc, o, target->cpu, final, true, err) < 0)
        return -1;
    ctr_lib_cache *libs = ctr_lib_cache_new(plan->fs->root);
    if (!libs)
        return ctr_error_set(err, ENOMEM, "relinking");
    check_builds(plan, oc, o->work, libs);
    if (o->bolt)
        ctr_bolt_run(plan, oc, o, libs);
    if (o->select) {
        ctr_select_setup s = {plan, o, recipes, nrecipes, final, target->cpu, libs};
        ctr_select_builds(&s, oc, &res->select);
    }
    ctr_lib_cache_free(libs);
    return 0;
}

int ctr_relink_run(const ctr_plan *plan, irs_store *store, const ctr_options *opts,
                   const ctr_site *site, ctr_relink_result *res, ctr_error *err)
{
    char work[PATH_MAX];
    *res = (ctr_relink_result){.n = plan->n};
    /* ninja runs in the work directory: every path it is given is absolute */
    if (ctr_work_dir_absolute(opts->work, work, sizeof work, err) < 0)
        return -1;
    ctr_options local = *opts;
    const ctr_options *o = &local;
    local.work = work;
    if (ctr_sandbox_available(err) < 0 || ctr_output_check(o, err) < 0 ||
        ctr_work_dir_prepare(o->work, err) < 0 || ctr_site_stage(site, o->work, err) < 0)
        return -1;
    /* a command that does not run with the originals: before any build */
    if (o->select && ctr_select_precheck(&o->sandbox, plan->fs->root, o->work, o->select, err) < 0)
        return -1;
    if (!(res->oc = calloc(plan->n + 1, sizeof *res->oc)))
        return ctr_error_set(err, ENOMEM, "relinking");
    ctr_recipe recipes[CTR_RECIPES_MAX];
    size_t nrecipes = ctr_recipes_of(o, recipes);
    ctr_target target;
    if (ctr_target_init(&target, o->march, err) < 0)
        return -1;
    target.fp_exact = o->fp_exact;
    ctr_pass final;
    char use[PATH_MAX + 160];
    int rc = prepare_binaries(plan, store, o, &target, &recipes[0], res->oc, err);
    if (rc == 0)
        rc = build_final(plan, o, &target, recipes, nrecipes, res, &final, use, sizeof use, err);
    ctr_target_clear(&target);
    if (rc == 0)
        rc = ctr_output_write(plan, res->oc, o, site, &final, &res->replaced, err);
    return rc;
}
