/* Profile-guided code layout of the relinked files with BOLT (--bolt CMD),
 * for GCC's relinks as for LLVM's: the relinker owns the link, so it keeps
 * the relocations (--emit-relocs) that BOLT needs to move code.  Each
 * relinked file is instrumented with llvm-bolt, CMD runs with the
 * instrumented files in a copy of the root (as --pgo trains), and each file
 * CMD ran is laid out again from its profile into WORK/bin-bolt/INDEX.  A
 * file BOLT fails on, that CMD did not run, or whose BOLTed form fails the
 * checks of a built file ships as linked, with the reason. */
#ifndef CTR_BOLT_H
#define CTR_BOLT_H

#include "built_check.h"
#include "options.h"
#include "outcome.h"
#include "plan.h"

/* The options of every BOLT layout, for the docs and the tests: block and
 * function reordering, hot/cold splitting, identical code folding. */
extern const char *const ctr_bolt_layout[];

/* BOLT every binary relinked with the configured recipe (oc[i].relinked,
 * bin/INDEX) with the training command o->bolt.  A BOLTed binary's outcome
 * gets bolt = true and tag "-bolt"; one left as linked gets the reason in
 * bolt_why.  Failures are warnings, never errors: the relink goes on. */
void ctr_bolt_run(const ctr_plan *plan, ctr_outcome *oc, const ctr_options *o,
                  ctr_lib_cache *libs);

#endif
