/* Processes and files for the relinker (see run_cmd.h). */
#include "run_cmd.h"
#include "comtainer/oci.h"
#include "exec_trace.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int ctr_run(char *const argv[], ctr_error *err)
{
    pid_t pid;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, 2, 1);
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return ctr_error_set(err, rc, "cannot run '%s'", argv[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return ctr_error_set(err, errno, "waiting for '%s'", argv[0]);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return ctr_error_set(err, 0, "'%s' failed", argv[0]);
    return 0;
}

bool ctr_run_in_root(const ctr_sandbox *sb, const char *root, const char *cmd, const char *what,
                     char *const *env, const char *bind, const char *bind_at)
{
    char why[160];
    fprintf(stderr, "ctr-relink: %s: %s\n", what, cmd);
    if (ctr_sandbox_cmd(sb, root, cmd, env, bind, bind_at, -1, NULL, NULL, why, sizeof why) == 0)
        return true;
    fprintf(stderr, "ctr-relink: the command failed (%s)\n", why);
    return false;
}

bool ctr_time_in_root(const ctr_sandbox *sb, const char *root, const char *cmd, int out_fd,
                      double *seconds, ctr_exec_times *programs)
{
    char why[160];
    if (ctr_sandbox_cmd(sb, root, cmd, NULL, NULL, NULL, out_fd, seconds, programs, why,
                        sizeof why) == 0)
        return true;
    dprintf(out_fd, "ctr-relink: the command failed (%s)\n", why);
    return false;
}

int ctr_file_copy(const char *from, const char *to, mode_t mode, ctr_error *err)
{
    if (ctr_file_copy(from, to, 0644, err) < 0)
        return -1;
    if (fchmodat(AT_FDCWD, to, mode & 07777, 0) < 0) {
        ctr_error_set(err, errno, "'%s'", to);
        unlink(to);
        return -1;
    }
    return 0;
}

int ctr_root_copy(const char *root, const char *dest, const char *const *inner,
                  const char *const *replacement, size_t n, ctr_error *err)
{
    ctr_tree_remove(dest);
    char *const cp[] = {"cp", "-a", "-l", "--", (char *)root, (char *)dest, NULL};
    if (ctr_run(cp, err) < 0)
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

int ctr_root_add_mount_points(const char *root, ctr_error *err)
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

int ctr_tree_remove(const char *path)
{
    return ctr_tree_remove(path);
}

bool ctr_file_same(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    bool same = fa && fb;
    char ba[1 << 15], bb[1 << 15];
    while (same) {
        size_t na = fread(ba, 1, sizeof ba, fa), nb = fread(bb, 1, sizeof bb, fb);
        same = na == nb && !memcmp(ba, bb, na);
        if (na < sizeof ba)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}
