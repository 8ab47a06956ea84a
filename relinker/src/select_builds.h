/* --select on a relink: time the user's command with each binary's builds
 * (the recipes) and its original, and ship what was fastest (select.h does
 * the timing).  The recipes' files that fail their checks are no
 * candidates.  Without a measured choice, every binary keeps the configured
 * recipe, with a warning. */
#ifndef CTR_SELECT_BUILDS_H
#define CTR_SELECT_BUILDS_H

#include "build.h"
#include "built_check.h"
#include "outcome.h"
#include "recipe.h"

/* What --select chooses among: the relink's plan and options, its recipes
 * (recipe.h), and for the second stage's builds the final pass (its
 * options, the profile's) and LLVM's target CPU. */
typedef struct ctr_select_setup {
    const ctr_plan *plan;
    const ctr_options *o;
    const ctr_recipe *recipes;
    size_t nrecipes;
    const ctr_pass *final;
    const char *cpu;
    ctr_lib_cache *libs;
} ctr_select_setup;

/* Choose among the builds of each relinked binary: its recipes', and where
 * two or more of them each beat the configured build, one that combines
 * their changes (built into bin-x/, cc-x/ and part-x/ from combine.ninja);
 * updates each outcome (its recipe and tag, or kept with the reason) and
 * fills rep. */
void ctr_select_builds(const ctr_select_setup *s, ctr_outcome *oc, ctr_select_report *rep);

#endif
