/* Recipes (see recipe.h). */
#include "recipe.h"

/* Recipe names; outcomes and the --select report keep pointers to them. */
static const char *nofma_name(enum ctr_lto lto, bool gcc)
{
    if (gcc)
        return lto == CTR_LTO_NONE ? "no LTO, no FP contraction" : "LTO, no FP contraction";
    return lto == CTR_LTO_THIN   ? "thin LTO, no FP contraction"
           : lto == CTR_LTO_FULL ? "full LTO, no FP contraction"
                                 : "no LTO, no FP contraction";
}

static const char *o2_name(enum ctr_lto lto, bool gcc)
{
    if (gcc)
        return lto == CTR_LTO_NONE ? "no LTO, -O2" : "LTO, -O2";
    return lto == CTR_LTO_THIN   ? "thin LTO, -O2"
           : lto == CTR_LTO_FULL ? "full LTO, -O2"
                                 : "no LTO, -O2";
}

static const char *lto_name(enum ctr_lto lto, bool generic_tune, bool gcc)
{
    if (gcc)
        return lto == CTR_LTO_NONE ? (generic_tune ? "no LTO, generic tuning" : "no LTO")
                                   : (generic_tune ? "LTO, generic tuning" : "LTO");
    if (generic_tune)
        return lto == CTR_LTO_THIN   ? "thin LTO, generic tuning"
               : lto == CTR_LTO_FULL ? "full LTO, generic tuning"
                                     : "no LTO, generic tuning";
    return lto == CTR_LTO_THIN ? "thin LTO" : lto == CTR_LTO_FULL ? "full LTO" : "no LTO";
}

size_t ctr_recipes_of(const ctr_options *o, ctr_recipe out[CTR_RECIPES_MAX])
{
    enum ctr_lto other = o->lto == CTR_LTO_NONE ? CTR_LTO_THIN : CTR_LTO_NONE;
    size_t n = 0;
    out[n++] = (ctr_recipe){lto_name(o->lto, false, false), "", o->lto, false, false, 3};
    if (!o->select)
        return n;
    out[n++] = (ctr_recipe){lto_name(other, false, false), "-r1", other, false, false, 3};
    out[n++] = (ctr_recipe){lto_name(o->lto, true, false), "-r2", o->lto, true, false, 3};
    /* with --fp exact every build is without contraction already */
    if (!o->fp_exact)
        out[n++] = (ctr_recipe){nofma_name(o->lto, false), "-r3", o->lto, false, true, 3};
    out[n++] = (ctr_recipe){o2_name(o->lto, false), "-r4", o->lto, false, false, 2};
    return n;
}

ctr_recipe ctr_recipe_instrumented(const ctr_options *o)
{
    return (ctr_recipe){"instrumented", "-train", o->lto, false, false, 3};
}

const char *ctr_recipe_label(const ctr_recipe *rc, ctr_toolchain tc)
{
    bool gcc = tc == CTR_TOOLCHAIN_GCC;
    return rc->no_fp_contract ? nofma_name(rc->lto, gcc)
           : rc->opt == 2     ? o2_name(rc->lto, gcc)
                              : lto_name(rc->lto, rc->generic_tune, gcc);
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
