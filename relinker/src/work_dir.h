/* The relinker's work directory, kept between runs for incremental builds:
 *   tu/ tu-generic/ tu-nofma/ obj/  stored inputs (retargeted bitcode, for
 *                          --select also tuned for no CPU and without FP
 *                          contraction; GIMPLE, objects)
 *   rec/ exp/              per-binary link files (TU records, exported symbols)
 *   cc*, part*, bin*       each recipe's compiles, partial links and binaries
 *   state/                 ninja's log and state; tmp/ the toolchains' TMPDIR
 *   build.ninja, train.ninja, pgo.profdata, output.id, select.log
 * The first group is ours; the build directories (ctr_built_dirs) are the
 * toolchain sandbox's while it runs. */
#ifndef CTR_WORK_DIR_H
#define CTR_WORK_DIR_H

#include <stddef.h>

#include "comtainer/error.h"

/* The directories the toolchain sandbox writes (NULL-terminated): each
 * recipe's outputs (cc<tag>/ compiles, part<tag>/ partial links, bin<tag>/
 * binaries; tags "", -r1, -r2, -r3 of --select, -train of PGO), ninja's state and
 * the toolchains' temporary files. */
extern const char *const ctr_built_dirs[];

/* work as an absolute path into buf (ninja runs in the work directory). */
int ctr_work_dir_absolute(const char *work, char *buf, size_t size, ctr_error *err);

/* Create the work directory's layout (existing parts are kept), passable
 * but not listable for the sandbox's uid. */
int ctr_work_dir_prepare(const char *work, ctr_error *err);

#endif
