/* Running a build pass (see build.h). */
#include "build.h"
#include "work_dir.h"
#include "comtainer/files.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Per-output build times from ninja's log ("start end mtime output hash";
 * the last entry of an output wins). */
static void read_times(const char *work, const ctr_plan *plan, ctr_outcome *oc)
{
    char path[PATH_MAX], line[PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/state/.ninja_log", work);
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        long start, end;
        char mtime[64];
        size_t idx;
        if (sscanf(line, "%ld %ld %63s bin/%zu", &start, &end, mtime, &idx) == 4 &&
            idx < plan->n && oc[idx].rebuilt)
            oc[idx].seconds = (double)(end - start) / 1000.0;
    }
    fclose(f);
}

static struct timespec mtime_of(const char *work, const char *tag, size_t i)
{
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/bin%s/%zu", work, tag, i);
    return stat(path, &st) == 0 ? st.st_mtim : (struct timespec){0, 0};
}

/* True when ninja has nothing to do for the manifest: a dry run says so.
 * (ninja prints a bare "ninja: no work to do." for an up-to-date build,
 * whatever --quiet says; a rerun with nothing to do then skips ninja.) */
static bool up_to_date(const ctr_plan *plan, const ctr_options *o, const char *manifest)
{
    int fd = memfd_create("ninja-dry-run", MFD_CLOEXEC);
    char *ninja[] = {"ninja", "-f", (char *)manifest, "-n", "-k", "0", NULL};
    ctr_error err;
    char buf[256] = "";
    bool done = fd >= 0 &&
                ctr_sandbox_tool(&o->sandbox, o->work, plan->fs->root, ctr_built_dirs, ninja,
                                 fd, &err) == 0 &&
                pread(fd, buf, sizeof buf - 1, 0) > 0 && strstr(buf, "ninja: no work to do.");
    if (fd >= 0)
        close(fd);
    return done;
}

static void run_ninja(const ctr_plan *plan, const ctr_options *o, const char *manifest)
{
    char jobs[32];
    snprintf(jobs, sizeof jobs, "-j%d",
             o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN));
    /* On a terminal ninja shows one progress line ([3/5] LINK /usr/bin/x);
     * elsewhere it stays quiet but for failures.  (No -C: the sandbox starts
     * ninja in the work directory, and -C only adds an "Entering directory"
     * line.) */
    char *ninja[] = {"ninja", "-f", (char *)manifest, jobs, "-k", "0", NULL, NULL};
    if (o->verbose)
        ninja[6] = "-v";
    else if (!isatty(2))
        ninja[6] = "--quiet";
    ctr_error err;
    if (up_to_date(plan, o, manifest))
        return;
    if (ctr_sandbox_tool(&o->sandbox, o->work, plan->fs->root, ctr_built_dirs, ninja, -1,
                         &err) < 0)
        fprintf(stderr, "ctr-relink: warning: %s; each binary whose link did not finish is "
                        "kept\n", err.msg);
}

int ctr_build_pass(const ctr_plan *plan, ctr_outcome *oc, const ctr_options *o,
                   const char *cpu, const ctr_pass *ps, bool timed, ctr_error *err)
{
    ctr_strbuf nj = CTR_STRBUF_INIT;
    size_t links;
    char path[PATH_MAX];
    ctr_ninja_file(&nj, plan, oc, o, cpu, ps, &links);
    snprintf(path, sizeof path, "%s/%s", o->work, ps->manifest);
    int rc = ctr_sb_done(&nj, path, err) < 0
                 ? -1
                 : ctr_file_write(path, ctr_sb_str(&nj), nj.len, 0644, CTR_WRITE_KEEP_SAME, err);
    ctr_sb_release(&nj);
    if (rc < 0 || !links)
        return rc;
    const char *tag = ps->recipes[0].tag;
    struct timespec *before = calloc(plan->n + 1, sizeof *before);
    if (!before)
        return ctr_error_set(err, ENOMEM, "build times");
    for (size_t i = 0; timed && i < plan->n; i++)
        before[i] = mtime_of(o->work, tag, i);
    run_ninja(plan, o, ps->manifest);
    for (size_t i = 0; timed && i < plan->n; i++) {
        struct timespec now = mtime_of(o->work, tag, i);
        oc[i].rebuilt = (now.tv_sec || now.tv_nsec) &&
                        (now.tv_sec != before[i].tv_sec || now.tv_nsec != before[i].tv_nsec);
    }
    free(before);
    if (timed)
        read_times(o->work, plan, oc);
    return 0;
}

int ctr_build_files(const ctr_plan *plan, const ctr_outcome *oc, const char *work,
                    const ctr_pass *ps, bool shipped, ctr_file_list *fl, ctr_error *err)
{
    *fl = (ctr_file_list){0};
    for (size_t i = 0; i < plan->n; i++) {
        char path[PATH_MAX];
        if (!ctr_pass_includes(ps, &oc[i]))
            continue;
        snprintf(path, sizeof path, "%s/bin%s/%zu", work,
                 shipped ? oc[i].tag : ps->recipes[0].tag, i);
        if (access(path, F_OK) != 0)
            continue; /* its link failed */
        if (ctr_file_list_add(fl, plan->v[i].bin->inner, path, err) < 0) {
            ctr_file_list_clear(fl);
            return -1;
        }
    }
    return 0;
}
