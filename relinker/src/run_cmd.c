/* Processes and files for the relinker (see run_cmd.h). */
#include "comtainer/files.h"
#include "run_cmd.h"
#include "comtainer/oci.h"
#include "exec_trace.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int ctr_run_in_root(const ctr_sandbox *sb, const char *root, const char *cmd, const char *what,
                    char *const *env, const char *bind, const char *bind_at, ctr_error *err)
{
    fprintf(stderr, "ctr-relink: %s: %s\n", what, cmd);
    return ctr_sandbox_cmd(sb, root, cmd, env, bind, bind_at, -1, NULL, NULL, err);
}

bool ctr_time_in_root(const ctr_sandbox *sb, const char *root, const char *cmd, int out_fd,
                      ctr_cmd_run *run, ctr_exec_times *programs, char *why, size_t why_size)
{
    ctr_error err;
    if (ctr_sandbox_cmd(sb, root, cmd, NULL, NULL, NULL, out_fd, run, programs, &err) == 0)
        snprintf(why, why_size, "exit status 0");
    else
        snprintf(why, why_size, "%s", err.msg);
    return run->exit_code >= 0;
}

int ctr_root_copy(const char *root, const char *dest, const char *const *inner,
                  const char *const *replacement, size_t n, ctr_error *err)
{
    ctr_tree_remove(dest);
    if (ctr_tree_link(root, dest, err) < 0)
        return ctr_error_wrap(err, "copying '%s' to '%s'", root, dest);
    char path[PATH_MAX * 3];
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        snprintf(path, sizeof path, "%s%s", dest, inner[i]);
        if (lstat(path, &st) < 0 || unlink(path) < 0)
            return ctr_error_set(err, errno, "'%s'", path);
        if (ctr_file_copy(replacement[i], path, st.st_mode, err) < 0)
            return -1;
    }
    return 0;
}

static int add_mount_points(const char *root, ctr_error *err)
{
    static const char *const dirs[] = {"/tmp", "/dev", "/proc"};
    char path[PATH_MAX * 3];
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        snprintf(path, sizeof path, "%s%s", root, dirs[i]);
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            return ctr_error_set(err, errno, "'%s'", path);
    }
    return 0;
}

int ctr_cmd_root(const char *root, const char *dest, const char *const *inner,
                 const char *const *replacement, size_t n, ctr_error *err)
{
    if (ctr_root_copy(root, dest, inner, replacement, n, err) < 0)
        return -1;
    return add_mount_points(dest, err);
}

int ctr_train_in_root(const ctr_sandbox *sb, const ctr_training *t, ctr_error *err)
{
    char troot[PATH_MAX * 2];
    snprintf(troot, sizeof troot, "%s/train-root", t->work);
    ctr_tree_remove(t->out);
    if (ctr_sandbox_give(sb, t->out, err) < 0)
        return -1;
    int rc = ctr_cmd_root(t->root, troot, t->inner, t->built, t->n, err) < 0
                 ? ctr_error_wrap(err, "the training root")
                 : 0;
    ctr_error why;
    if (rc == 0 &&
        ctr_run_in_root(sb, troot, t->cmd, t->what, t->env, t->out, t->out_at, &why) < 0)
        rc = ctr_error_code(err, why.code, "the training command failed (%s)", why.msg);
    ctr_error terr; /* what the command left: regular files, ours */
    if (ctr_sandbox_take(sb, t->out, &terr) < 0 && rc == 0)
        rc = ctr_error_copy(err, &terr);
    ctr_tree_remove(troot);
    return rc;
}
