/* How a binary is rebuilt.  The configured recipe (--lto, tuned for the
 * target CPU) builds into bin/, cc/ and part/; --select adds others, each
 * into directories of its own (bin<tag>/, ...), to be timed against it; PGO's
 * instrumented build is one more. */
#ifndef CTR_RECIPE_H
#define CTR_RECIPE_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"

typedef struct ctr_recipe {
    const char *name;  /* for reports: "thin LTO", "no LTO, generic tuning", ... */
    const char *tag;   /* its directories' suffix: "" for the configured recipe */
    enum ctr_lto lto;
    bool generic_tune; /* the target's instructions, tuned for no CPU in particular */
    bool no_fp_contract; /* no a*b+c fused that the original rounded twice, as --fp exact
                          * (LLVM's bitcode from tu-nofma/, GCC's -ffp-contract=off) */
    int opt;             /* the -O level of its compiles and link: 3, or 2 (-r4) */
    bool no_profile;     /* without the PGO training run's profile (-r5): built for the
                          * binaries that have one, that is relinked by LLVM alone */
    const char *unit;    /* its compiled TUs' suffix in cc<tag>/ ("": none): the
                          * combinations share one tag, "-x", and differ by it */
} ctr_recipe;

#define CTR_RECIPES_MAX 6

/* The recipes of a run into out: [0] the configured one; with --select also
 * the other side of LTO, generic tuning, no FP contraction (not under
 * --fp exact, where every build has none), -O2 and, with --pgo, the
 * configured one without the profile (always last).  Returns how many. */
size_t ctr_recipes_of(const ctr_options *o, ctr_recipe out[CTR_RECIPES_MAX]);

/* The configured recipe with the change of each recipe in with[0..n)
 * (each one of --select's: its one field that differs from the
 * configured's), for --select's second stage, which combines the changes
 * that each made a binary faster: tag "-x", unit "-" and a letter per
 * change (l: the other LTO, g: generic tuning, f: no FP contraction, o:
 * -O2, p: no profile).  Generic tuning and no FP contraction together have
 * no LLVM bitcode (two retargetings): the caller does not ask for both for
 * a binary with LLVM TUs. */
ctr_recipe ctr_recipe_combined(const ctr_recipe *configured, const ctr_recipe *const *with,
                               size_t n);

/* The instrumented build of a PGO training run (tag "-train"). */
ctr_recipe ctr_recipe_instrumented(const ctr_options *o);

/* The recipe's name for a binary relinked by tc (static storage): how it
 * links, then each change ("thin LTO, generic tuning, -O2"); GIMPLE has no
 * thin mode, so GCC's LTO is "LTO" whatever --lto says. */
const char *ctr_recipe_label(const ctr_recipe *rc, ctr_toolchain tc);

/* Where the recipe's LLVM bitcode is: tu/ (retargeted), tu-generic/ (tuned
 * for no CPU), tu-nofma/ (no contraction, fp_exact.h). */
const char *ctr_recipe_tu_dir(const ctr_recipe *rc);

/* Clang's LTO option for the recipe (" -flto=thin", " -flto" or ""). */
const char *ctr_recipe_lto_flag(const ctr_recipe *rc);

/* GCC's -mtune for the recipe (its -march is --march). */
const char *ctr_recipe_gcc_tune(const ctr_recipe *rc, const ctr_options *o);

#endif
