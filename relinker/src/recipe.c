/* Recipes (see recipe.h). */
#include "recipe.h"

#include <stdio.h>

/* How a recipe links (full, thin or no LTO, and GCC's one LTO), and what
 * else it changes, in its name's order. */
static const char *const link_names[4] = {"full LTO", "thin LTO", "no LTO", "LTO"};
static const char *const change_names[4] = {"generic tuning", "no FP contraction", "-O2",
                                            "no PGO"};

/* Every name, built once: [the changes, one bit each][how it links].
 * Outcomes and the --select report keep pointers to them. */
static char names[16][4][80];

/* A recipe, named for LLVM (the report's names). */
static ctr_recipe recipe(const char *tag, enum ctr_lto lto, bool generic_tune,
                         bool no_fp_contract, int opt, bool no_profile)
{
    ctr_recipe rc = {NULL, tag, lto, generic_tune, no_fp_contract, opt, no_profile, ""};
    rc.name = ctr_recipe_label(&rc, CTR_TOOLCHAIN_LLVM);
    return rc;
}

size_t ctr_recipes_of(const ctr_options *o, ctr_recipe out[CTR_RECIPES_MAX])
{
    enum ctr_lto other = o->lto == CTR_LTO_NONE ? CTR_LTO_THIN : CTR_LTO_NONE;
    size_t n = 0;
    out[n++] = recipe("", o->lto, false, false, 3, false);
    if (!o->select)
        return n;
    out[n++] = recipe("-r1", other, false, false, 3, false);
    out[n++] = recipe("-r2", o->lto, true, false, 3, false);
    /* with --fp exact every build is without contraction already */
    if (!o->fp_exact)
        out[n++] = recipe("-r3", o->lto, false, true, 3, false);
    out[n++] = recipe("-r4", o->lto, false, false, 2, false);
    if (o->pgo)
        out[n++] = recipe("-r5", o->lto, false, false, 3, true);
    return n;
}

ctr_recipe ctr_recipe_instrumented(const ctr_options *o)
{
    return (ctr_recipe){"instrumented", "-train", o->lto, false, false, 3, false, ""};
}

ctr_recipe ctr_recipe_combined(const ctr_recipe *configured, const ctr_recipe *const *with,
                               size_t n)
{
    /* "-" and one letter per change, in a fixed order: 32 combinations */
    static char units[32][8];
    ctr_recipe rc = *configured;
    for (size_t k = 0; k < n; k++) {
        if (with[k]->lto != configured->lto)
            rc.lto = with[k]->lto;
        if (with[k]->opt != configured->opt)
            rc.opt = with[k]->opt;
        rc.generic_tune |= with[k]->generic_tune;
        rc.no_fp_contract |= with[k]->no_fp_contract;
        rc.no_profile |= with[k]->no_profile;
    }
    bool change[5] = {rc.lto != configured->lto, rc.generic_tune, rc.no_fp_contract,
                      rc.opt != configured->opt, rc.no_profile};
    unsigned mask = 0;
    for (int d = 0; d < 5; d++)
        mask |= (unsigned)change[d] << d;
    char *u = units[mask];
    if (!u[0]) {
        size_t len = 0;
        u[len++] = '-';
        for (int d = 0; d < 5; d++)
            if (change[d])
                u[len++] = "lgfop"[d];
        u[len] = 0;
    }
    rc.tag = "-x";
    rc.unit = u;
    rc.name = ctr_recipe_label(&rc, CTR_TOOLCHAIN_LLVM);
    return rc;
}

const char *ctr_recipe_label(const ctr_recipe *rc, ctr_toolchain tc)
{
    bool change[4] = {rc->generic_tune, rc->no_fp_contract, rc->opt == 2, rc->no_profile};
    unsigned mask = 0;
    for (int d = 0; d < 4; d++)
        mask |= (unsigned)change[d] << d;
    /* GIMPLE has no thin mode */
    int link = rc->lto == CTR_LTO_NONE     ? 2
               : tc == CTR_TOOLCHAIN_GCC   ? 3
               : rc->lto == CTR_LTO_THIN   ? 1
                                           : 0;
    char *name = names[mask][link];
    if (!name[0]) {
        int len = snprintf(name, sizeof names[0][0], "%s", link_names[link]);
        for (int d = 0; d < 4; d++)
            if (change[d])
                len += snprintf(name + len, sizeof names[0][0] - (size_t)len, ", %s",
                                change_names[d]);
    }
    return name;
}

const char *ctr_recipe_tu_dir(const ctr_recipe *rc)
{
    return rc->no_fp_contract ? "tu-nofma" : rc->generic_tune ? "tu-generic" : "tu";
}

const char *ctr_recipe_lto_flag(const ctr_recipe *rc)
{
    return rc->lto == CTR_LTO_THIN ? " -flto=thin" : rc->lto == CTR_LTO_FULL ? " -flto" : "";
}

const char *ctr_recipe_gcc_tune(const ctr_recipe *rc, const ctr_options *o)
{
    return rc->generic_tune ? "generic" : o->march;
}
