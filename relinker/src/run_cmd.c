/* Processes and files for the relinker (see run_cmd.h). */
#include "run_cmd.h"
#include "exec_trace.h"
#include "rootfs_path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Our environment plus `extra` (NAME=VALUE, NULL-ended); free the array,
 * not the strings. */
static char **env_with(char *const *extra)
{
    size_t n = 0, k = 0;
    while (environ[n])
        n++;
    while (extra && extra[k])
        k++;
    char **envp = malloc((n + k + 1) * sizeof *envp);
    if (!envp)
        return NULL;
    memcpy(envp, environ, n * sizeof *envp);
    for (size_t i = 0; i < k; i++)
        envp[n + i] = extra[i];
    envp[n + k] = NULL;
    return envp;
}

/* posix_spawnp with our environment plus `extra`. */
static int run_with(char *const argv[], char *const *extra, irs_error *err)
{
    char **envp = env_with(extra);
    if (!envp)
        return irs_error_set(err, ENOMEM, "running '%s'", argv[0]);
    pid_t pid;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, 2, 1);
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    free(envp);
    if (rc != 0)
        return irs_error_set(err, rc, "cannot run '%s'", argv[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return irs_error_set(err, errno, "waiting for '%s'", argv[0]);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return irs_error_set(err, 0, "'%s' failed", argv[0]);
    return 0;
}

int ctr_run(char *const argv[], irs_error *err)
{
    return run_with(argv, NULL, err);
}

/* A minimal /dev on dir: a tmpfs holding the host's harmless devices. */
static int mount_dev(const char *dir)
{
    static const char *const devices[] = {"null", "zero", "full", "random", "urandom"};
    char path[PATH_MAX * 3], host[64];
    if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755") < 0)
        return -1;
    for (size_t i = 0; i < sizeof devices / sizeof *devices; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, devices[i]);
        snprintf(host, sizeof host, "/dev/%s", devices[i]);
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0)
            return -1;
        close(fd);
        if (mount(host, path, NULL, MS_BIND, NULL) < 0)
            return -1;
    }
    return 0;
}

/* In the child: private namespaces, the root read-only (its files may be
 * hard links to the input's: a command must not write through them), a
 * fresh /tmp, a minimal /dev, /proc of the new pid namespace, and `bind` (a host directory)
 * on `bind_at` (inside the new /tmp) when given.  Then chroot and exec. */
static void enter_root(const char *root, char *const argv[], char *const envp[],
                       const char *bind, const char *bind_at, int trace_fd)
{
    char path[PATH_MAX * 2];
    struct stat st;
    if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0 ||
        mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0 ||
        mount(NULL, root, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0) {
        perror("ctr-relink: setting up the command's namespaces");
        _exit(126);
    }
    snprintf(path, sizeof path, "%s/tmp", root);
    /* /tmp and /dev are conveniences: where they cannot be mounted (some
     * container sandboxes), the command runs without them, read-only */
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
        mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
        perror("ctr-relink: warning: mounting /tmp in the root");
    snprintf(path, sizeof path, "%s/dev", root);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && mount_dev(path) < 0)
        perror("ctr-relink: warning: mounting /dev in the root");
    if (bind) {
        snprintf(path, sizeof path, "%s%s", root, bind_at);
        if (mkdir(path, 0777) < 0 || mount(bind, path, NULL, MS_BIND, NULL) < 0) {
            perror("ctr-relink: binding the profile directory");
            _exit(126);
        }
    }
    pid_t pid = fork(); /* the first process of the new pid namespace */
    if (pid == 0) {
        snprintf(path, sizeof path, "%s/proc", root);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        if (chroot(root) < 0 || chdir("/") < 0) {
            perror("ctr-relink: chroot");
            _exit(126);
        }
        if (trace_fd >= 0)
            ctr_exec_trace_me();
        execve(argv[0], argv, envp);
        fprintf(stderr, "ctr-relink: cannot run '%s' in the root: %s\n", argv[0],
                strerror(errno));
        _exit(127);
    }
    int status = 0;
    if (pid > 0 && trace_fd >= 0)
        status = ctr_exec_trace(pid, trace_fd);
    else
        while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    _exit(pid < 0 ? 126 : WIFEXITED(status) ? WEXITSTATUS(status) : 128);
}

/* Run CMD in root (see ctr_run_in_root) with its standard output and error
 * on out_fd, or with standard output on our standard error when out_fd is
 * -1.  Its wall-clock time, namespaces and all, goes to *seconds.  NULL if
 * it succeeded, else why not. */
static const char *run_in_root(const char *root, const char *cmd, char *const *env,
                               const char *bind, const char *bind_at, int out_fd,
                               double *seconds, ctr_exec_times *programs)
{
    char host[PATH_MAX * 2], inner[PATH_MAX];
    char *argv[64];
    size_t n = 0;
    char *copy = strdup(cmd);
    char **envp = env_with(env);
    if (!copy || !envp) {
        free(copy);
        free(envp);
        return "out of memory";
    }
    if (ctr_rootfs_resolve(root, "/bin/sh", host, sizeof host, inner, sizeof inner, NULL) == 0 &&
        access(host, X_OK) == 0) {
        argv[n++] = "/bin/sh";
        argv[n++] = "-c";
        argv[n++] = copy;
    } else {
        for (char *tok = strtok(copy, " \t"); tok && n < 63; tok = strtok(NULL, " \t"))
            argv[n++] = tok;
    }
    argv[n] = NULL;
    int trace[2] = {-1, -1};
    if (programs && pipe2(trace, O_CLOEXEC) < 0)
        trace[0] = trace[1] = -1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = n ? fork() : -1;
    if (pid == 0) {
        /* only ctr-relink's report goes to standard output */
        if (out_fd >= 0 ? dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0 : dup2(2, 1) < 0)
            _exit(126);
        enter_root(root, argv, envp, bind, bind_at, trace[1]);
    }
    if (trace[1] >= 0)
        close(trace[1]);
    if (programs) { /* the tracer's lines, written as it ends */
        char *buf = NULL;
        size_t len = 0, cap = 0;
        ssize_t got = 0;
        do {
            if (len == cap) {
                char *nb = realloc(buf, cap = cap ? 2 * cap : 4096);
                if (!nb)
                    break;
                buf = nb;
            }
            got = trace[0] >= 0 ? read(trace[0], buf + len, cap - len) : 0;
            if (got > 0)
                len += (size_t)got;
        } while (got > 0 || (got < 0 && errno == EINTR));
        if (ctr_exec_times_parse(buf ? buf : "", len, programs) < 0)
            *programs = (ctr_exec_times){0};
        free(buf);
    }
    if (trace[0] >= 0)
        close(trace[0]);
    int status;
    while (pid > 0 && waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            pid = -1;
            break;
        }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (seconds)
        *seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    free(copy);
    free(envp);
    return pid <= 0                                        ? "it could not be started"
           : !WIFEXITED(status)                            ? "killed by a signal"
           : WEXITSTATUS(status) != 0                      ? "non-zero exit status"
                                                           : NULL;
}

bool ctr_run_in_root(const char *root, const char *cmd, const char *what, char *const *env,
                     const char *bind, const char *bind_at)
{
    fprintf(stderr, "ctr-relink: %s: %s\n", what, cmd);
    const char *why = run_in_root(root, cmd, env, bind, bind_at, -1, NULL, NULL);
    if (why)
        fprintf(stderr, "ctr-relink: the command failed (%s)\n", why);
    return !why;
}

bool ctr_time_in_root(const char *root, const char *cmd, int out_fd, double *seconds,
                      ctr_exec_times *programs)
{
    const char *why = run_in_root(root, cmd, NULL, NULL, NULL, out_fd, seconds, programs);
    if (why)
        dprintf(out_fd, "ctr-relink: the command failed (%s)\n", why);
    return !why;
}

int ctr_copy_file(const char *from, const char *to, mode_t mode, irs_error *err)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return irs_error_set(err, errno, "'%s'", from);
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
    if (out < 0) {
        close(in);
        return irs_error_set(err, errno, "'%s'", to);
    }
    char buf[1 << 16];
    ssize_t n;
    int rc = 0;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n) {
            rc = irs_error_set(err, errno, "writing '%s'", to);
            break;
        }
    if (n < 0)
        rc = irs_error_set(err, errno, "reading '%s'", from);
    close(in);
    if (close(out) < 0 && rc == 0)
        rc = irs_error_set(err, errno, "writing '%s'", to);
    if (fchmodat(AT_FDCWD, to, mode & 07777, 0) < 0 && rc == 0)
        rc = irs_error_set(err, errno, "'%s'", to);
    return rc;
}

int ctr_root_copy(const char *root, const char *dest, const char *const *inner,
                  const char *const *replacement, size_t n, irs_error *err)
{
    ctr_remove_tree(dest);
    char *const cp[] = {"cp", "-a", "-l", "--", (char *)root, (char *)dest, NULL};
    if (ctr_run(cp, err) < 0)
        return irs_error_wrap(err, "copying '%s' to '%s'", root, dest);
    char path[PATH_MAX * 3];
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        snprintf(path, sizeof path, "%s%s", dest, inner[i]);
        if (lstat(path, &st) < 0 || unlink(path) < 0)
            return irs_error_set(err, errno, "'%s'", path);
        if (ctr_copy_file(replacement[i], path, st.st_mode, err) < 0)
            return -1;
    }
    return 0;
}

int ctr_root_add_mount_points(const char *root, irs_error *err)
{
    static const char *const dirs[] = {"/tmp", "/dev", "/proc"};
    char path[PATH_MAX * 3];
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        snprintf(path, sizeof path, "%s%s", root, dirs[i]);
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            return irs_error_set(err, errno, "'%s'", path);
    }
    return 0;
}

int ctr_remove_tree(const char *path)
{
    char *const argv[] = {"rm", "-rf", "--one-file-system", (char *)path, NULL};
    return ctr_run(argv, NULL);
}

bool ctr_same_file(const char *a, const char *b)
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
