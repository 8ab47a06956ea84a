/* The new root filesystem (see output_tree.h). */
#include "output_tree.h"
#include "build.h"
#include "site_libs.h"
#include "run_cmd.h"
#include "comtainer/files.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The line of WORK/output.id for a file: "DEV INO\n". */
static int output_id(const struct stat *st, char id[64])
{
    return snprintf(id, 64, "%llu %llu\n", (unsigned long long)st->st_dev,
                    (unsigned long long)st->st_ino);
}

int ctr_output_check(const ctr_options *o, ctr_error *err)
{
    struct stat st;
    char path[PATH_MAX], want[64] = "", have[64];
    if (lstat(o->out, &st) < 0)
        return errno == ENOENT ? 0 : ctr_error_set(err, errno, "'%s'", o->out);
    snprintf(path, sizeof path, "%s/output.id", o->work);
    FILE *f = fopen(path, "re");
    if (f) {
        if (!fgets(want, sizeof want, f))
            want[0] = '\0';
        fclose(f);
    }
    output_id(&st, have);
    if (S_ISDIR(st.st_mode) && !strcmp(want, have))
        return 0;
    return ctr_error_code(err, CTR_E_EXISTS,
                          "'%s' exists and is not the output of an earlier run with the work "
                          "directory '%s': not replaced", o->out, o->work);
}

/* After OUT is in place: a failure only costs the next run its right to
 * replace OUT, so it is a warning, not an error (OUT is written). */
static void remember_output(const ctr_options *o)
{
    struct stat st;
    char path[PATH_MAX], id[64];
    ctr_error err;
    snprintf(path, sizeof path, "%s/output.id", o->work);
    if (lstat(o->out, &st) < 0)
        ctr_error_set(&err, errno, "'%s'", o->out);
    else if (ctr_file_write(path, id, (size_t)output_id(&st, id), 0644, CTR_WRITE_KEEP_SAME,
                            &err) == 0)
        return;
    fprintf(stderr, "ctr-relink: warning: %s: a rerun will not replace '%s'\n", err.msg, o->out);
}

/* --check failed: put every original back into tmp, so that the new root
 * holds no relinked file. */
static int discard_relinks(const ctr_plan *plan, ctr_outcome *oc, const char *tmp,
                           ctr_error *err)
{
    char dst[PATH_MAX * 2];
    for (size_t i = 0; i < plan->n; i++) {
        if (!oc[i].relinked)
            continue;
        snprintf(dst, sizeof dst, "%s%s", tmp, plan->v[i].bin->inner);
        if (unlink(dst) < 0 || link(plan->v[i].bin->host, dst) < 0)
            return ctr_error_set(err, errno, "restoring '%s'", dst);
        ctr_error why;
        ctr_error_code(&why, CTR_E_TOOL, "--check failed: the relinked file was discarded");
        ctr_outcome_keep(&oc[i], &why);
    }
    return 0;
}

int ctr_output_write(const ctr_plan *plan, ctr_outcome *oc, const ctr_options *o,
                     const ctr_site *site, const ctr_pass *final, ctr_file_list *replaced,
                     ctr_error *err)
{
    char tmp[PATH_MAX];
    ctr_file_list fl;
    *replaced = (ctr_file_list){0};
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.ctr-tmp", o->out) >= sizeof tmp)
        return ctr_error_set(err, ENAMETOOLONG, "'%s'", o->out);
    if (ctr_build_files(plan, oc, o->work, final, true, &fl, err) < 0)
        return -1;
    int rc = ctr_root_copy(plan->fs->root, tmp, (const char *const *)fl.inner,
                           (const char *const *)fl.host, fl.n, err);
    ctr_file_list site_files = {0};
    if (rc == 0)
        rc = ctr_site_install(site, plan, oc, o->work, tmp, &site_files, err);
    ctr_error why;
    if (rc == 0 && o->check &&
        ctr_run_in_root(&o->sandbox, tmp, o->check, "checking the relinked root with", NULL,
                        NULL, NULL, &why) < 0) {
        fprintf(stderr, "ctr-relink: the command failed (%s)\n", why.msg);
        rc = discard_relinks(plan, oc, tmp, err);
        ctr_file_list_clear(&fl);
        /* no relinked file left: the bundle goes too (what was made, last first) */
        for (size_t i = site_files.n; rc == 0 && i-- > 0;)
            if (ctr_tree_remove(site_files.host[i]) < 0)
                rc = ctr_error_set(err, errno, "'%s'", site_files.host[i]);
        ctr_file_list_clear(&site_files);
    }
    struct stat st;
    if (rc == 0)
        rc = ctr_tree_publish(tmp, o->out, lstat(o->out, &st) == 0, err);
    else
        ctr_tree_remove(tmp);
    for (size_t i = 0; rc == 0 && i < fl.n + site_files.n; i++) {
        const char *inner = i < fl.n ? fl.inner[i] : site_files.inner[i - fl.n];
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s%s", o->out, inner);
        rc = ctr_file_list_add(replaced, inner, path, err);
    }
    ctr_file_list_clear(&fl);
    ctr_file_list_clear(&site_files);
    if (rc < 0) {
        ctr_file_list_clear(replaced);
        return -1;
    }
    remember_output(o);
    return 0;
}
