/* BOLT: profile-guided code layout of the relinked files (see bolt.h). */
#include "bolt.h"
#include "run_cmd.h"
#include "comtainer/files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Inside the training root: where the instrumented files write. */
#define PROFILE_DIR "/tmp/ctr-bolt"

/* Blocks laid out by the extended TSP model, functions ordered by the call
 * graph (cache-directed sort), cold blocks and landing pads split into a cold
 * section, identical functions folded; 4 KiB pages for the new code, not 2 MiB
 * huge-page alignment, which would pad every file by megabytes. */
const char *const ctr_bolt_layout[] = {
    "-reorder-blocks=ext-tsp", "-reorder-functions=cdsort", "-split-functions",
    "-split-all-cold",         "-split-eh",                 "-icf=1",
    "-use-gnu-stack",          "-no-huge-pages",            NULL,
};

/* Its directories in the work directory: what llvm-bolt writes (bolt/),
 * what the instrumented files write (bolt-profiles/), the BOLTed files
 * (bin-bolt/). */
static const char *const tool_dirs[] = {"bolt", "bin-bolt", NULL};

/* The last line of log that tells a BOLT error or starts with the tool's
 * name (its own error), into why; else `fallback`. */
/* How much of a tool's log is searched for its reason: the end of it. */
#define LOG_TAIL_BYTES (64 * 1024)

static void reason_from_log(const char *log, const char *tool, const char *fallback,
                            ctr_error *why)
{
    FILE *f = fopen(log, "re");
    char line[512], last[512] = "";
    size_t n = strlen(tool);
    /* the tool wrote the log from image input: only its tail is read (the
     * last error is the one wanted), however long it grew */
    struct stat st;
    if (f && fstat(fileno(f), &st) == 0 && st.st_size > LOG_TAIL_BYTES &&
        fseeko(f, st.st_size - LOG_TAIL_BYTES, SEEK_SET) == 0)
        (void)fgets(line, sizeof line, f); /* the partial line */
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        const char *p = strstr(line, "BOLT-ERROR: ");
        if (p)
            snprintf(last, sizeof last, "%s", p + 12);
        else if (!strncmp(line, tool, n) && !strncmp(line + n, ": ", 2))
            snprintf(last, sizeof last, "%s", line + n + 2);
    }
    if (f)
        fclose(f);
    ctr_error_code(why, CTR_E_TOOL, "%s (log: %s)", *last ? last : fallback, log);
}

/* argv (NULL-ended; with a pattern, followed by the files it matches) in the
 * toolchain sandbox, its messages into log: 0, 1 when the pattern matched no
 * file, or -1 with the reason in why. */
static int run_tool(const ctr_options *o, const char *const *argv, const char *pattern,
                    const char *log, ctr_error *why)
{
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return ctr_error_set(why, errno, "'%s'", log);
    ctr_error err;
    int rc = pattern ? ctr_sandbox_tool_glob(&o->sandbox, o->work, tool_dirs, argv, pattern, fd,
                                             &err)
                     : ctr_sandbox_tool(&o->sandbox, o->work, NULL, tool_dirs,
                                        (char *const *)argv, fd, &err);
    close(fd);
    if (rc < 0)
        reason_from_log(log, argv[0], err.msg, why);
    return rc;
}

static int instrument(const ctr_options *o, size_t i, char *out, size_t size, ctr_error *why)
{
    char in[PATH_MAX], file[PATH_MAX], log[PATH_MAX];
    snprintf(in, sizeof in, "%s/bin/%zu", o->work, i);
    snprintf(out, size, "%s/bolt/%zu.instrumented", o->work, i);
    snprintf(file, sizeof file, "--instrumentation-file=" PROFILE_DIR "/%zu.fdata", i);
    snprintf(log, sizeof log, "%s/bolt/%zu.instrument.log", o->work, i);
    const char *const argv[] = {CTR_LLVM_BOLT, in, "-instrument", "-o", out, file,
                                "--instrumentation-file-append-pid", NULL};
    return run_tool(o, argv, NULL, log, why);
}

/* The profiles binary i's processes wrote, merged into bolt/INDEX.fdata. */
static int merge(const ctr_options *o, const char *profiles, size_t i, char *out, size_t size,
                 ctr_error *why)
{
    char pattern[PATH_MAX * 2], log[PATH_MAX];
    snprintf(pattern, sizeof pattern, "%s/%zu.fdata.*.fdata", profiles, i);
    snprintf(out, size, "%s/bolt/%zu.fdata", o->work, i);
    snprintf(log, sizeof log, "%s/bolt/%zu.merge.log", o->work, i);
    const char *const head[] = {CTR_MERGE_FDATA, "-o", out, NULL};
    int rc = run_tool(o, head, pattern, log, why);
    if (rc > 0)
        return ctr_error_code(why, CTR_E_UNSUPPORTED,
                              "the training command did not run it (no profile)");
    return rc;
}

static int optimize(const ctr_options *o, size_t i, const char *fdata, ctr_error *why)
{
    char in[PATH_MAX], out[PATH_MAX], data[PATH_MAX + 8], log[PATH_MAX];
    snprintf(in, sizeof in, "%s/bin/%zu", o->work, i);
    snprintf(out, sizeof out, "%s/bin-bolt/%zu", o->work, i);
    snprintf(data, sizeof data, "-data=%s", fdata);
    snprintf(log, sizeof log, "%s/bolt/%zu.log", o->work, i);
    const char *argv[16] = {CTR_LLVM_BOLT, in, "-o", out, data};
    size_t k = 5;
    for (size_t j = 0; ctr_bolt_layout[j]; j++)
        argv[k++] = ctr_bolt_layout[j];
    unlink(out);
    return run_tool(o, argv, NULL, log, why);
}

/* The binaries to BOLT: relinked with the configured recipe. */
static bool wanted(const ctr_outcome *c)
{
    return c->relinked && !*c->tag;
}

/* Instrument each wanted binary into fl (index[j]: fl's j-th binary); a
 * binary that fails gets its reason. */
static int instrument_all(const ctr_plan *plan, ctr_outcome *oc, const ctr_options *o,
                          ctr_file_list *fl, size_t *index, ctr_error *err)
{
    for (size_t i = 0; i < plan->n; i++) {
        char out[PATH_MAX];
        if (!wanted(&oc[i]) || instrument(o, i, out, sizeof out, &oc[i].bolt_why) < 0)
            continue;
        index[fl->n] = i;
        if (ctr_file_list_add(fl, plan->v[i].bin->inner, out, err) < 0)
            return -1;
    }
    return 0;
}

/* Lay out binary i from its profile, check what BOLT wrote, and ship it. */
static void layout(const ctr_plan *plan, ctr_outcome *c, size_t i, const ctr_options *o,
                   const char *profiles, ctr_lib_cache *libs)
{
    char fdata[PATH_MAX], out[PATH_MAX];
    if (merge(o, profiles, i, fdata, sizeof fdata, &c->bolt_why) < 0 ||
        optimize(o, i, fdata, &c->bolt_why) < 0)
        return;
    snprintf(out, sizeof out, "%s/bin-bolt/%zu", o->work, i);
    ctr_error why;
    if (ctr_built_check(&plan->v[i], out, libs, &why) < 0) {
        ctr_error_code(&c->bolt_why, why.code, "the BOLTed file fails its checks: %s", why.msg);
        return;
    }
    c->bolt = true;
    c->rebuilt = true; /* a new layout each run: its profile is new */
    c->tag = "-bolt";
}

void ctr_bolt_run(const ctr_plan *plan, ctr_outcome *oc, const ctr_options *o,
                  ctr_lib_cache *libs)
{
    char dir[PATH_MAX], profiles[PATH_MAX];
    snprintf(profiles, sizeof profiles, "%s/bolt-profiles", o->work);
    ctr_file_list fl = {0};
    size_t *index = calloc(plan->n + 1, sizeof *index);
    ctr_error err = {0};
    int rc = -1;
    for (size_t d = 0; tool_dirs[d]; d++) { /* nothing of an earlier run's */
        snprintf(dir, sizeof dir, "%s/%s", o->work, tool_dirs[d]);
        ctr_tree_remove(dir);
        if (mkdir(dir, 0755) < 0 && err.code == CTR_OK)
            ctr_error_set(&err, errno, "'%s'", dir);
    }
    if (!index && err.code == CTR_OK)
        ctr_error_set(&err, ENOMEM, "BOLT");
    if (err.code == CTR_OK && instrument_all(plan, oc, o, &fl, index, &err) == 0 && fl.n == 0)
        ctr_error_code(&err, CTR_E_USAGE, "llvm-bolt instrumented no relinked file");
    if (err.code == CTR_OK) {
        const ctr_training t = {plan->fs->root, o->work, (const char *const *)fl.inner,
                                (const char *const *)fl.host, fl.n, o->bolt,
                                "training run for BOLT", NULL, profiles, PROFILE_DIR};
        rc = ctr_train_in_root(&o->sandbox, &t, &err);
    }
    for (size_t j = 0; j < fl.n; j++) {
        if (rc == 0)
            layout(plan, &oc[index[j]], index[j], o, profiles, libs);
        unlink(fl.host[j]); /* the instrumented file: its profile is all that is kept */
    }
    if (rc < 0)
        fprintf(stderr, "ctr-relink: warning: no BOLT layout: %s\n", err.msg);
    for (size_t i = 0; i < plan->n; i++)
        if (wanted(&oc[i]) && rc < 0 && !oc[i].bolt_why.code)
            ctr_error_copy(&oc[i].bolt_why, &err);
    ctr_file_list_clear(&fl);
    free(index);
}
