/* The PGO training run (see pgo.h). */
#include "pgo.h"
#include "build.h"
#include "run_cmd.h"
#include "toolchain.h"
#include "comtainer/files.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Inside the training root: where the instrumented programs write. */
#define PROFILE_DIR "/tmp/ctr-profile"

static int merge(const ctr_sandbox *sb, const char *profiles, const char *work, ctr_error *err)
{
    char pattern[PATH_MAX * 3], out[PATH_MAX * 3], tmp[PATH_MAX * 3];
    snprintf(pattern, sizeof pattern, "%s/*.profraw", profiles);
    snprintf(out, sizeof out, "%s/pgo.profdata", work);
    snprintf(tmp, sizeof tmp, "%s/state/pgo.profdata.tmp", work);
    const char *const head[] = {CTR_LLVM_PROFDATA, "merge", "-o", tmp, NULL};
    static const char *const rw[] = {"state", "tmp", NULL};
    int rc = ctr_sandbox_tool_glob(sb, work, rw, head, pattern, -1, err);
    if (rc > 0)
        return ctr_error_set(err, 0, "the training command ran no relinked program to its end "
                                     "(no profile was written)");
    if (rc < 0)
        return ctr_error_wrap(err, "merging the profiles");
    /* unchanged: left as it was, nothing to rebuild */
    return ctr_file_publish(tmp, out, CTR_WRITE_KEEP_SAME, err);
}

int ctr_pgo_train(const ctr_sandbox *sb, const char *root, const char *const *inner, const char *const *built,
                  size_t n, const char *cmd, const char *work, ctr_error *err)
{
    char profiles[PATH_MAX * 2];
    if (!n)
        return ctr_error_code(err, CTR_E_USAGE, "no binary relinked by LLVM alone to train");
    snprintf(profiles, sizeof profiles, "%s/profiles", work);
    char *env[] = {"LLVM_PROFILE_FILE=" PROFILE_DIR "/%p-%m.profraw", NULL};
    const ctr_training t = {root, work, inner, built, n, cmd, "training run for PGO", env,
                            profiles, PROFILE_DIR};
    if (ctr_train_in_root(sb, &t, err) < 0)
        return -1;
    return merge(sb, profiles, work, err);
}

int ctr_pgo_run(const ctr_plan *plan, ctr_outcome *oc, const ctr_options *o, const char *cpu,
                ctr_error *err)
{
    const ctr_recipe instrumented = ctr_recipe_instrumented(o);
    const ctr_pass gen = {&instrumented, 1, " -fprofile-generate", "", "train.ninja", true, NULL};
    ctr_file_list fl = {0};
    int rc = ctr_build_pass(plan, oc, o, cpu, &gen, false, err);
    if (rc == 0)
        rc = ctr_build_files(plan, oc, o->work, &gen, false, &fl, err);
    if (rc == 0)
        rc = ctr_pgo_train(&o->sandbox, plan->fs->root, (const char *const *)fl.inner,
                           (const char *const *)fl.host, fl.n, o->pgo, o->work, err);
    if (rc < 0)
        fprintf(stderr, "ctr-relink: warning: no profile-guided optimization: %s\n", err->msg);
    ctr_file_list_clear(&fl);
    return rc;
}
