/* The toolchain sandbox (see sandbox.h). */
#include "sandbox_private.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int ctr_sandbox_tool(const ctr_sandbox *sb, const char *work, const char *root,
                     const char *const *rw, char *const argv[], int out_fd, ctr_error *err)
{
    char path[PATH_MAX];
    for (size_t i = 0; rw[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", work, rw[i]);
        if (ctr_sandbox_give(sb, path, err) < 0)
            return -1;
    }
    struct args a = {0};
    sbx_time_limit(&a, sb->build_timeout);
    sbx_bwrap_common(&a);
    sbx_host_system(&a);
    sbx_arg(&a, "--dev"), sbx_arg(&a, "/dev"), sbx_arg(&a, "--proc"), sbx_arg(&a, "/proc");
    sbx_arg(&a, "--size"), sbx_arg(&a, TOOL_TMP_SIZE), sbx_arg(&a, "--tmpfs"), sbx_arg(&a, "/tmp");
    sbx_bind_fd(&a, "--ro-bind-fd", work, work);
    size_t wlen = strlen(work);
    if (root && !(strncmp(root, work, wlen) == 0 && root[wlen] == '/'))
        sbx_bind_fd(&a, "--ro-bind-fd", root, root);
    for (size_t i = 0; rw[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", work, rw[i]);
        sbx_bind_fd(&a, "--bind-fd", path, path);
    }
    sbx_arg(&a, "--chdir"), sbx_arg(&a, work);
    sbx_arg(&a, "--setenv"), sbx_arg(&a, "HOME"), sbx_arg(&a, "/nonexistent");
    sbx_arg(&a, "--setenv"), sbx_arg(&a, "TMPDIR"), sbx_argf(&a, "%s/tmp", work);
    const char *term = getenv("TERM");
    if (term && strlen(term) < 64 && strspn(term, "abcdefghijklmnopqrstuvwxyz0123456789-") ==
                                         strlen(term))
        sbx_arg(&a, "--setenv"), sbx_arg(&a, "TERM"), sbx_arg(&a, term); /* ninja's progress line */
    sbx_arg(&a, "--");
    for (size_t i = 0; argv[i]; i++)
        sbx_arg(&a, argv[i]);
    if (a.failed) {
        sbx_args_free(&a);
        return ctr_error_set(err, 0, "cannot set up the sandbox for '%s'", argv[0]);
    }
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        if (dup2(out_fd >= 0 ? out_fd : 2, 1) >= 0 && (out_fd < 0 || dup2(out_fd, 2) >= 0) &&
            sbx_enter(sb, TOOL_MAX_FILE, parent, &a))
            execvp(a.v[0], a.v);
        fprintf(stderr, "ctr-relink: cannot start the toolchain sandbox: %s\n", strerror(errno));
        _exit(127);
    }
    sbx_args_free(&a);
    int status = 0, rc = 0;
    double t0 = sbx_now();
    while (pid > 0 && waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            pid = -1;
            break;
        }
    char why[128];
    if (pid < 0)
        rc = ctr_error_set(err, errno, "cannot run '%s' in the toolchain sandbox", argv[0]);
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        bool late = sbx_describe(status, sbx_now() - t0, sb->build_timeout, why, sizeof why);
        rc = ctr_error_code(err, late ? CTR_E_LIMIT : CTR_E_TOOL,
                            "'%s' failed in the toolchain sandbox (%s)", argv[0], why);
    }
    for (size_t i = 0; rw[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", work, rw[i]);
        ctr_error terr;
        if (ctr_sandbox_take(sb, path, &terr) < 0 && rc == 0)
            rc = ctr_error_set(err, 0, "%s", terr.msg);
    }
    return rc;
}

int ctr_sandbox_tool_glob(const ctr_sandbox *sb, const char *work, const char *const *rw,
                          const char *const *head, const char *pattern, int out_fd,
                          ctr_error *err)
{
    glob_t g;
    if (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
        globfree(&g);
        return 1;
    }
    size_t nhead = 0;
    while (head[nhead])
        nhead++;
    char **argv = calloc(nhead + g.gl_pathc + 1, sizeof *argv);
    int rc = -1;
    if (argv) {
        memcpy(argv, head, nhead * sizeof *argv);
        memcpy(argv + nhead, g.gl_pathv, g.gl_pathc * sizeof *argv);
        rc = ctr_sandbox_tool(sb, work, NULL, rw, argv, out_fd, err);
        free(argv);
    } else {
        ctr_error_set(err, ENOMEM, "running '%s'", head[0]);
    }
    globfree(&g);
    return rc;
}
