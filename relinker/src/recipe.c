/* Recipes (see recipe.h). */
#include "recipe.h"

/* Recipe names, [what the recipe changes][how it links: full, thin or no
 * LTO, and GCC's one LTO]; outcomes and the --select report keep pointers
 * to them. */
static const char *const names[5][4] = {
    {"full LTO", "thin LTO", "no LTO", "LTO"},
    {"full LTO, generic tuning", "thin LTO, generic tuning", "no LTO, generic tuning",
     "LTO, generic tuning"},
    {"full LTO, no FP contraction", "thin LTO, no FP contraction", "no LTO, no FP contraction",
     "LTO, no FP contraction"},
    {"full LTO, -O2", "thin LTO, -O2", "no LTO, -O2", "LTO, -O2"},
    {"full LTO, no PGO", "thin LTO, no PGO", "no LTO, no PGO", "LTO, no PGO"},
};

/* A recipe, named for LLVM (the report's names). */
static ctr_recipe recipe(const char *tag, enum ctr_lto lto, bool generic_tune,
                         bool no_fp_contract, int opt, bool no_profile)
{
    ctr_recipe rc = {NULL, tag, lto, generic_tune, no_fp_contract, opt, no_profile};
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
    return (ctr_recipe){"instrumented", "-train", o->lto, false, false, 3, false};
}

const char *ctr_recipe_label(const ctr_recipe *rc, ctr_toolchain tc)
{
    int change = rc->no_profile       ? 4
                 : rc->no_fp_contract ? 2
                 : rc->opt == 2       ? 3
                 : rc->generic_tune   ? 1
                                      : 0;
    /* GIMPLE has no thin mode */
    int link = rc->lto == CTR_LTO_NONE     ? 2
               : tc == CTR_TOOLCHAIN_GCC   ? 3
               : rc->lto == CTR_LTO_THIN   ? 1
                                           : 0;
    return names[change][link];
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
