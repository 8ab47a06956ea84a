/* The Ninja file of a build pass: one link per binary and recipe, one
 * compile per TU and recipe (shared by the binaries that link it), so that
 * ninja runs them in parallel and reruns only what changed. */
#ifndef CTR_NINJA_FILE_H
#define CTR_NINJA_FILE_H

#include "comtainer/strbuf.h"
#include "outcome.h"
#include "plan.h"
#include "recipe.h"

/* A build of the relinked binaries: the final one, or the instrumented one
 * of a PGO training run.  Outputs of a recipe go to bin<tag>/, cc<tag>/ and
 * part<tag>/. */
typedef struct ctr_pass {
    const ctr_recipe *recipes; /* the builds of each binary; the first is the pass's own */
    size_t nrecipes;
    const char *flags;    /* extra options of LLVM compiles and links */
    const char *deps;     /* extra implicit inputs of the compiles (" | f") */
    const char *manifest; /* the Ninja file's name in the work directory */
    bool llvm_only;       /* only binaries relinked by LLVM alone */
    const ctr_recipe *per_binary; /* NULL, or [plan->n]: binary i's one recipe in place of
                                   * recipes[] (tag NULL: not built), --select's
                                   * combinations */
} ctr_pass;

/* Whether the pass builds the binary of outcome oc. */
bool ctr_pass_includes(const ctr_pass *ps, const ctr_outcome *oc);

/* The Ninja file of pass ps into b (paths relative to the work directory);
 * *links is the number of links it describes.  cpu is LLVM's target CPU. */
void ctr_ninja_file(ctr_strbuf *b, const ctr_plan *plan, const ctr_outcome *oc,
                    const ctr_options *o, const char *cpu, const ctr_pass *ps, size_t *links);

#endif
