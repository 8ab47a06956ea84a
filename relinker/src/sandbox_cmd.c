/* The command sandbox (see sandbox.h). */
#include "sandbox_private.h"
#include "rootfs_path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Where the root has directory `dir` (not a link): mount there. */
static bool has_dir(const char *root, const char *dir)
{
    char path[PATH_MAX * 2];
    struct stat st;
    snprintf(path, sizeof path, "%s%s", root, dir);
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The bwrap command line of a command in root. */
static void cmd_args(struct args *a, const ctr_sandbox *sb, const char *root, const char *cmd,
                     char *const *env, const char *bind, const char *bind_at)
{
    sbx_time_limit(a, sb->cmd_timeout);
    sbx_bwrap_common(a);
    /* root inside, as in a rootless container: uid 0 of the sandbox's own
     * user namespace, the unprivileged uid outside, no capabilities */
    sbx_arg(a, "--uid"), sbx_arg(a, "0"), sbx_arg(a, "--gid"), sbx_arg(a, "0");
    sbx_bind_fd(a, "--ro-bind-fd", root, "/");
    if (has_dir(root, "/dev"))
        sbx_arg(a, "--dev"), sbx_arg(a, "/dev");
    if (has_dir(root, "/proc"))
        sbx_arg(a, "--proc"), sbx_arg(a, "/proc");
    if (has_dir(root, "/tmp"))
        sbx_arg(a, "--size"), sbx_arg(a, CMD_TMP_SIZE), sbx_arg(a, "--tmpfs"), sbx_arg(a, "/tmp");
    if (bind)
        sbx_bind_fd(a, "--bind-fd", bind, bind_at);
    sbx_arg(a, "--chdir"), sbx_arg(a, "/");
    sbx_arg(a, "--setenv"), sbx_arg(a, "HOME"), sbx_arg(a, "/");
    for (size_t i = 0; env && env[i]; i++) {
        const char *eq = strchr(env[i], '=');
        if (!eq) {
            a->failed = true;
            continue;
        }
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(eq - env[i]), env[i]);
        sbx_arg(a, "--setenv"), sbx_arg(a, name), sbx_arg(a, eq + 1);
    }
    sbx_arg(a, "--");
    char host[PATH_MAX * 2], inner[PATH_MAX];
    if (ctr_rootfs_resolve(root, "/bin/sh", host, sizeof host, inner, sizeof inner, NULL) == 0 &&
        access(host, X_OK) == 0) {
        sbx_arg(a, "/bin/sh"), sbx_arg(a, "-c"), sbx_arg(a, cmd);
        return;
    }
    char *copy = strdup(cmd), *save = NULL;
    for (char *tok = copy ? strtok_r(copy, " \t", &save) : NULL; tok;
         tok = strtok_r(NULL, " \t", &save))
        sbx_arg(a, tok);
    if (!copy)
        a->failed = true;
    free(copy);
}

/* The traced programs' times: the tracer's lines, written as it ends. */
static void read_trace(int fd, ctr_exec_times *programs)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    ssize_t got = 0;
    do {
        if (len == cap) {
            char *nb = cap < (1u << 24) ? realloc(buf, cap = cap ? 2 * cap : 4096) : NULL;
            if (!nb)
                break;
            buf = nb;
        }
        got = fd >= 0 ? read(fd, buf + len, cap - len) : 0;
        if (got > 0)
            len += (size_t)got;
    } while (got > 0 || (got < 0 && errno == EINTR));
    if (ctr_exec_times_parse(buf ? buf : "", len, programs) < 0)
        *programs = (ctr_exec_times){0};
    free(buf);
}

/* The forked child: the command's output where it goes, then the command
 * in its sandbox, traced by this process when trace_fd >= 0.  Never
 * returns. */
static void run_child(const ctr_sandbox *sb, const struct args *a, int out_fd, int trace_fd,
                      pid_t parent)
{
    /* only ctr-relink's report goes to standard output */
    if (out_fd >= 0 ? dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0 : dup2(2, 1) < 0)
        _exit(126);
    pid_t tracer = getpid(), child = trace_fd >= 0 ? fork() : 0;
    if (child == 0) {
        if (sbx_enter(sb, CMD_MAX_FILE, trace_fd >= 0 ? tracer : parent, a)) {
            if (trace_fd >= 0)
                ctr_exec_trace_me();
            execvp(a->v[0], a->v);
        }
        fprintf(stderr, "ctr-relink: cannot start the command sandbox: %s\n", strerror(errno));
        _exit(127);
    }
    /* the tracer: ours, privileged, it only follows the tree */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    int status = child > 0 ? ctr_exec_trace(child, trace_fd) : 0;
    _exit(child < 0 ? 126 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* How the command ended (status, after seconds), as an error; its exit
 * code into *code (see ctr_cmd_run). */
static int outcome(const ctr_sandbox *sb, int status, double seconds, bool traced, int *code,
                   ctr_error *err)
{
    char why[160];
    *code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    /* a traced command's signal death comes back as 128 + the signal */
    if (WIFEXITED(status) && WEXITSTATUS(status) > 128 && WEXITSTATUS(status) < 128 + 65 &&
        WEXITSTATUS(status) != 137 && traced) {
        snprintf(why, sizeof why, "killed by signal %d", WEXITSTATUS(status) - 128);
        return ctr_error_code(err, CTR_E_TOOL, "%s", why);
    }
    bool late = sbx_describe(status, seconds, sb->cmd_timeout, why, sizeof why);
    if (late)
        *code = -1;
    return ctr_error_code(err, late ? CTR_E_LIMIT : CTR_E_TOOL, "%s", why);
}

int ctr_sandbox_cmd(const ctr_sandbox *sb, const char *root, const char *cmd, char *const *env,
                    const char *bind, const char *bind_at, int out_fd, ctr_cmd_run *run,
                    ctr_exec_times *programs, ctr_error *err)
{
    ctr_cmd_run local;
    if (!run)
        run = &local;
    *run = (ctr_cmd_run){.exit_code = -1};
    struct args a = {0};
    cmd_args(&a, sb, root, cmd, env, bind, bind_at);
    if (a.failed) {
        sbx_args_free(&a);
        return ctr_error_code(err, CTR_E_NOMEM, "it could not be started (its sandbox "
                                                "arguments)");
    }
    int trace[2] = {-1, -1};
    if (programs && pipe2(trace, O_CLOEXEC) < 0)
        trace[0] = trace[1] = -1;
    double t0 = sbx_now();
    pid_t parent = getpid(), pid = fork();
    if (pid == 0)
        run_child(sb, &a, out_fd, trace[1], parent);
    sbx_args_free(&a);
    if (trace[1] >= 0)
        close(trace[1]);
    if (programs)
        read_trace(trace[0], programs);
    if (trace[0] >= 0)
        close(trace[0]);
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            pid = -1;
            break;
        }
    double t = sbx_now() - t0;
    run->seconds = t;
    if (pid <= 0)
        return ctr_error_set(err, errno, "it could not be started");
    return outcome(sb, status, t, programs != NULL, &run->exit_code, err);
}
