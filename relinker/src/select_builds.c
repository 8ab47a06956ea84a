/* --select on a relink (see select_builds.h). */
#include "select_builds.h"
#include "select.h"
#include "comtainer/files.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* With --bolt, the slot after the recipes': the configured build as linked
 * (choice 1 is it BOLTed, when BOLT laid it out). */
static int unbolted_slot(size_t nrecipes)
{
    return (int)nrecipes + 1 < CTR_SELECT_COMBINED ? (int)nrecipes + 1 : -1;
}

/* The choices' names for a binary relinked by tc (with BOLT: the configured
 * build BOLTed, and as linked). */
static void name_choices(const char *name[CTR_SELECT_MAX], const ctr_recipe *recipes,
                         size_t nrecipes, ctr_toolchain tc, bool bolt)
{
    name[0] = "original";
    for (size_t r = 0; r < nrecipes && r + 1 < CTR_SELECT_COMBINED; r++)
        name[r + 1] = ctr_recipe_label(&recipes[r], tc);
    int u = unbolted_slot(nrecipes);
    if (bolt && u > 0) {
        name[1] = "configured, BOLT";
        name[u] = "configured, no BOLT";
    }
}

/* A build with the same bytes as an earlier choice's is no choice of its
 * own (recipes often change nothing in a small program): choice k's file
 * is dropped and same[k] names the earlier one. */
static void drop_same(ctr_select_binary *b, int k)
{
    for (int j = 1; j < k && b->file[k]; j++)
        if (b->file[j] && ctr_file_same(b->file[j], b->file[k])) {
            free((char *)b->file[k]);
            b->file[k] = NULL;
            b->same[k] = j;
        }
}

/* The candidates: each relinked binary's original and its builds that pass
 * the checks (the configured recipe's passed them already).  index[j] is
 * candidate j's plan index. */
static size_t candidates(const ctr_plan *plan, const ctr_outcome *oc, const ctr_options *o,
                         const ctr_recipe *recipes, size_t nrecipes, ctr_lib_cache *libs,
                         ctr_select_binary *b, size_t *index)
{
    size_t n = 0;
    for (size_t i = 0; i < plan->n; i++) {
        if (!oc[i].relinked)
            continue;
        b[n].inner = plan->v[i].bin->inner;
        b[n].program = plan->v[i].bin->link->kind != CTR_ELF_SHARED;
        b[n].file[0] = plan->v[i].bin->host;
        name_choices(b[n].name, recipes, nrecipes, oc[i].toolchain, oc[i].bolt);
        for (size_t r = 0; r < nrecipes && r + 1 < CTR_SELECT_COMBINED; r++) {
            char path[PATH_MAX];
            ctr_error why;
            /* the configured build BOLTed (--bolt), if it was */
            snprintf(path, sizeof path, "%s/bin%s/%zu", o->work, r ? recipes[r].tag : oc[i].tag,
                     i);
            if (r > 0 && ((recipes[r].no_profile && !oc[i].pgo) ||
                          ctr_built_check(&plan->v[i], path, libs, &why) < 0))
                continue;
            b[n].file[r + 1] = strdup(path); /* freed by the caller; NULL: no candidate */
        }
        int u = unbolted_slot(nrecipes);
        if (oc[i].bolt && u > 0) { /* checked before BOLT ran */
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/bin/%zu", o->work, i);
            b[n].file[u] = strdup(path);
        }
        for (int k = 2; k < CTR_SELECT_COMBINED; k++)
            drop_same(&b[n], k);
        index[n++] = i;
    }
    return n;
}

static void say_result(const ctr_select_report *rep)
{
    if (rep->budget_spent)
        fprintf(stderr, "ctr-relink: --select: --select-budget spent: fewer rounds than asked "
                        "were timed (see select.log)\n");
    if (rep->original > 0)
        fprintf(stderr, "ctr-relink: --select: the command took %.3f s with the original "
                        "binaries, %.3f s with the builds chosen%s\n", rep->original,
                rep->chosen, rep->reverted ? ": the originals are kept" : "");
    else if (!rep->reverted)
        fprintf(stderr, "ctr-relink: --select: every program the command runs was fastest as "
                        "it was\n");
    else
        fprintf(stderr, "ctr-relink: --select: %s: the originals are kept\n",
                rep->note ? rep->note : "the relinked files were slower");
}

/* What the timing found for binary b into its outcome c; `combined` is
 * the recipe of its second stage's build (tag NULL: none). */
static void apply_choice(ctr_outcome *c, const ctr_select_binary *b, const ctr_recipe *recipes,
                         size_t nrecipes, const ctr_recipe *combined,
                         const ctr_select_report *rep)
{
    memcpy(c->select_seconds, b->median, sizeof c->select_seconds);
    memcpy(c->select_failed, b->failed, sizeof c->select_failed);
    memcpy(c->select_same, b->same, sizeof c->select_same);
    name_choices(c->choice, recipes, nrecipes, c->toolchain, c->bolt);
    c->choice[CTR_SELECT_COMBINED] = b->name[CTR_SELECT_COMBINED];
    int k = b->chosen, u = unbolted_slot(nrecipes);
    if (k == 1) /* as configured (BOLTed or not) */
        return;
    if (k == CTR_SELECT_COMBINED) {
        c->recipe = b->name[k];
        c->tag = combined->tag;
        c->bolt = false;
        c->pgo = c->pgo && !combined->no_profile;
        return;
    }
    if (k == u && c->bolt) { /* the configured build as linked */
        c->bolt = false;
        c->tag = "";
        return;
    }
    if (k > 1) {
        c->recipe = ctr_recipe_label(&recipes[k - 1], c->toolchain);
        c->tag = recipes[k - 1].tag;
        c->bolt = false;
        c->pgo = c->pgo && !recipes[k - 1].no_profile;
        return;
    }
    ctr_error why;
    if (rep->reverted)
        ctr_error_code(&why, CTR_E_SLOWER, "--select: %s",
                       rep->note ? rep->note
                                 : "the relinked files were not faster than the originals");
    else
        ctr_error_code(&why, CTR_E_SLOWER, "--select: the original was faster (%.3f s against "
                                          "%.3f s)", b->median[0], b->median[1]);
    ctr_outcome_keep(c, &why);
}

/* The second stage's state (ctr_select_combiner): each binary's
 * combination, by plan index (tag NULL: none). */
struct combining {
    const ctr_select_setup *s;
    ctr_outcome *oc;
    const size_t *index; /* candidate j's plan index */
    ctr_recipe *combined;
};

/* The recipes whose changes the choices in `faster` are (choice r + 1 is
 * recipe r; the original and the configured build, BOLTed or not, change
 * nothing) into with[]; generic tuning and no FP contraction together have
 * no bitcode where LLVM compiles, so the slower of the two is left out.
 * Returns how many. */
static size_t changes_of(const ctr_select_setup *s, const ctr_select_binary *b,
                         ctr_toolchain tc, const ctr_recipe *with[CTR_RECIPES_MAX])
{
    size_t n = 0;
    int tune = -1, nofma = -1;
    for (size_t r = 1; r < s->nrecipes && r + 1 < CTR_SELECT_COMBINED; r++) {
        if (!(b->faster & (1u << (r + 1))))
            continue;
        if (s->recipes[r].generic_tune)
            tune = (int)n;
        if (s->recipes[r].no_fp_contract)
            nofma = (int)n;
        with[n++] = &s->recipes[r];
    }
    if (tune >= 0 && nofma >= 0 && tc != CTR_TOOLCHAIN_GCC) {
        size_t kt = (size_t)(with[tune] - s->recipes) + 1;
        size_t kf = (size_t)(with[nofma] - s->recipes) + 1;
        int drop = b->median[kt] > b->median[kf] ? tune : nofma;
        for (size_t k = (size_t)drop; k + 1 < n; k++)
            with[k] = with[k + 1];
        n--;
    }
    return n;
}

/* ctr_select_combiner's build: each combination of two or more changes
 * built in one pass, and checked as the recipes' builds are. */
static void build_combinations(void *arg, ctr_select_binary *b, size_t n)
{
    struct combining *cb = arg;
    const ctr_select_setup *s = cb->s;
    size_t want = 0;
    for (size_t j = 0; j < n; j++) {
        size_t i = cb->index[j];
        const ctr_recipe *with[CTR_RECIPES_MAX];
        size_t k = changes_of(s, &b[j], cb->oc[i].toolchain, with);
        if (k >= 2) {
            cb->combined[i] = ctr_recipe_combined(&s->recipes[0], with, k);
            want++;
        }
    }
    if (!want)
        return;
    ctr_pass ps = *s->final;
    ps.manifest = "combine.ninja";
    ps.per_binary = cb->combined;
    ctr_error err;
    if (ctr_build_pass(s->plan, cb->oc, s->o, s->cpu, &ps, false, &err) < 0) {
        fprintf(stderr, "ctr-relink: warning: --select: no second stage: %s\n", err.msg);
        return;
    }
    for (size_t j = 0; j < n; j++) {
        size_t i = cb->index[j];
        char path[PATH_MAX];
        if (!cb->combined[i].tag)
            continue;
        snprintf(path, sizeof path, "%s/bin%s/%zu", s->o->work, cb->combined[i].tag, i);
        if (ctr_built_check(&s->plan->v[i], path, s->libs, &err) < 0)
            continue;
        b[j].file[CTR_SELECT_COMBINED] = strdup(path); /* NULL: no candidate */
        b[j].name[CTR_SELECT_COMBINED] = ctr_recipe_label(&cb->combined[i], cb->oc[i].toolchain);
        drop_same(&b[j], CTR_SELECT_COMBINED);
    }
}

void ctr_select_builds(const ctr_select_setup *s, ctr_outcome *oc, ctr_select_report *rep)
{
    const ctr_plan *plan = s->plan;
    const ctr_options *o = s->o;
    const ctr_recipe *recipes = s->recipes;
    size_t nrecipes = s->nrecipes;
    ctr_select_binary *b = calloc(plan->n + 1, sizeof *b);
    size_t *index = calloc(plan->n + 1, sizeof *index), n = 0;
    ctr_recipe *combined = calloc(plan->n + 1, sizeof *combined);
    rep->choice[0] = "original";
    for (size_t r = 0; r < nrecipes && r + 1 < CTR_SELECT_COMBINED; r++)
        rep->choice[r + 1] = recipes[r].name;
    if (o->bolt && unbolted_slot(nrecipes) > 0) {
        rep->choice[1] = "the configured build laid out by BOLT";
        rep->choice[unbolted_slot(nrecipes)] = "the configured build without BOLT";
    }
    rep->choice[CTR_SELECT_COMBINED] = "the changes that were each faster, together";
    struct combining cb = {s, oc, index, combined};
    ctr_select_combiner comb = {build_combinations, &cb};
    ctr_error err = {0};
    if (!b || !index || !combined) {
        fprintf(stderr, "ctr-relink: warning: --select: out of memory\n");
    } else if (n = candidates(plan, oc, o, recipes, nrecipes, s->libs, b, index),
               ctr_select_run(&o->sandbox, plan->fs->root, o->work, o->select, o->select_rounds,
                              o->select_budget, 1, &comb, b, n, rep, &err) < 0) {
        fprintf(stderr, "ctr-relink: warning: --select made no choice: %s; every binary is "
                        "built as configured\n", rep->note);
    } else {
        say_result(rep);
        for (size_t j = 0; j < n; j++)
            apply_choice(&oc[index[j]], &b[j], recipes, nrecipes, &combined[index[j]], rep);
    }
    for (size_t j = 0; b && j < n; j++)
        for (int k = 1; k < CTR_SELECT_MAX; k++)
            free((char *)b[j].file[k]);
    free(b);
    free(index);
    free(combined);
}
