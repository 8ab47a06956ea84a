/* Profile-guided optimization of LLVM relinks: a training run of binaries
 * built with -fprofile-generate, inside a copy of the root, merged into
 * WORK/pgo.profdata for the final build's -fprofile-use. */
#ifndef CTR_PGO_H
#define CTR_PGO_H

#include <stddef.h>

#include "comtainer/irstore.h"
#include "sandbox.h"

/* Copy root to WORK/train-root (hard links), put the n instrumented files
 * built[i] at their paths inner[i], run cmd inside it (see
 * ctr_run_in_root), and merge the profiles it wrote into WORK/pgo.profdata
 * (left untouched when the merge gives the same bytes, so that Ninja does not
 * rebuild).  -1 with the reason when the command fails or no profile came. */
int ctr_pgo_train(const ctr_sandbox *sb, const char *root, const char *const *inner, const char *const *built,
                  size_t n, const char *cmd, const char *work, ctr_error *err);

#endif
