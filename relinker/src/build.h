/* Running a build pass: its Ninja file written (only when it changed, so
 * that ninja's state stays valid), ninja run in the toolchain sandbox, and
 * what it built read back.  Failed links are found afterwards, one by one,
 * by their missing outputs. */
#ifndef CTR_BUILD_H
#define CTR_BUILD_H

#include "ninja_file.h"

/* Build pass ps.  With `timed`, each binary's outcome says whether its
 * bin<tag>/ file (of the pass's own recipe) was rebuilt and how long its
 * link took.  A failed build is a warning: each binary whose link did not
 * finish is then kept.  -1 only when the Ninja file cannot be written. */
int ctr_build_pass(const ctr_plan *plan, ctr_outcome *oc, const ctr_options *o,
                   const char *cpu, const ctr_pass *ps, bool timed, ctr_error *err);

/* The binaries pass ps built, as image paths and files in the work
 * directory (bin<tag>/INDEX): of the pass's own recipe, or with `shipped`,
 * of the recipe each binary ships with (its outcome's tag). */
int ctr_build_files(const ctr_plan *plan, const ctr_outcome *oc, const char *work,
                    const ctr_pass *ps, bool shipped, ctr_file_list *fl, ctr_error *err);

#endif
