/* Profile-guided optimization of LLVM relinks: a training run of binaries
 * built with -fprofile-generate, inside a copy of the root, merged into
 * WORK/pgo.profdata for the final build's -fprofile-use. */
#ifndef CTR_PGO_H
#define CTR_PGO_H

#include <stddef.h>

#include "comtainer/irstore.h"
#include "outcome.h"
#include "options.h"
#include "plan.h"
#include "sandbox.h"

/* Copy root to WORK/train-root (hard links), put the n instrumented files
 * built[i] at their paths inner[i], run cmd inside it (see
 * ctr_run_in_root), and merge the profiles it wrote into WORK/pgo.profdata
 * (left untouched when the merge gives the same bytes, so that Ninja does not
 * rebuild).  -1 with the reason when the command fails or no profile came. */
int ctr_pgo_train(const ctr_sandbox *sb, const char *root, const char *const *inner, const char *const *built,
                  size_t n, const char *cmd, const char *work, ctr_error *err);

/* Profile-guided optimization of a relink (--pgo): build the binaries
 * relinked by LLVM alone instrumented (train.ninja, bin-train/), train
 * them with o->pgo, merge the profile.  0 when there is a profile to use;
 * otherwise a warning says why and -1 (the relink goes on without one). */
int ctr_pgo_run(const ctr_plan *plan, ctr_outcome *oc, const ctr_options *o, const char *cpu,
                ctr_error *err);

#endif
