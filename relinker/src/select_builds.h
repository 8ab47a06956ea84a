/* --select on a relink: time the user's command with each binary's builds
 * (the recipes) and its original, and ship what was fastest (select.h does
 * the timing).  The recipes' files that fail their checks are no
 * candidates.  Without a measured choice, every binary keeps the configured
 * recipe, with a warning. */
#ifndef CTR_SELECT_BUILDS_H
#define CTR_SELECT_BUILDS_H

#include "built_check.h"
#include "outcome.h"
#include "recipe.h"

/* Choose among the nrecipes builds of each relinked binary; updates each
 * outcome (its recipe and tag, or kept with the reason) and fills rep. */
void ctr_select_builds(const ctr_plan *plan, ctr_outcome *oc, const ctr_options *o,
                       const ctr_recipe *recipes, size_t nrecipes, ctr_lib_cache *libs,
                       ctr_select_report *rep);

#endif
