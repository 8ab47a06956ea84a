/* Confined parsing of image IR (see confined.h). */
#include "comtainer/files.h"
#include "confined.h"
#include "comtainer/oci.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* CPU seconds for one parse: minutes beyond the largest real TU. */
#define CONFINED_CPU_SECONDS 600
/* Address space of the child: what it inherited plus room for a parse of
 * a very large module. */
#define CONFINED_ADDRESS_SPACE (64ULL << 30)

/* What the child may do once the filter is on. */
static const char *const allowed_syscalls[] = {
    "brk", "clock_gettime", "close", "exit", "exit_group", "fstat", "futex", "getpid",
    "getrandom", "gettid", "lseek", "madvise", "mmap", "mprotect", "mremap", "munmap",
    "newfstatat", "read", "rt_sigprocmask", "rt_sigreturn", "sched_yield", "sigaltstack",
    "write",
};

/* The result on the pipe: a status (0, or -1 with the error's code and
 * message), the length, the bytes. */
struct reply {
    int32_t status, code;
    uint64_t len;
    char msg[sizeof ((ctr_error *)0)->msg];
};

static bool read_all(int fd, void *p, size_t n)
{
    char *c = p;
    while (n) {
        ssize_t r = read(fd, c, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        c += r;
        n -= (size_t)r;
    }
    return true;
}

static bool confine(const ctr_sandbox *sb, int keep)
{
    const struct rlimit cpu = {CONFINED_CPU_SECONDS, CONFINED_CPU_SECONDS}, core = {0, 0};
    /* every descriptor but stderr and the pipe */
    for (int fd = 3; fd < keep; fd++)
        close(fd);
    if (close_range((unsigned)keep + 1, ~0U, 0) < 0)
        return false;
    if (setrlimit(RLIMIT_CPU, &cpu) < 0 || setrlimit(RLIMIT_CORE, &core) < 0)
        return false;
#ifndef __SANITIZE_ADDRESS__ /* ASan's shadow memory is terabytes of address space */
    const struct rlimit as = {CONFINED_ADDRESS_SPACE, CONFINED_ADDRESS_SPACE};
    if (setrlimit(RLIMIT_AS, &as) < 0)
        return false;
#endif
    if (!ctr_sandbox_become(sb))
        return false;
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    bool ok = ctx != NULL;
    for (size_t i = 0; ok && i < sizeof allowed_syscalls / sizeof *allowed_syscalls; i++) {
        int nr = seccomp_syscall_resolve_name(allowed_syscalls[i]);
        ok = nr == __NR_SCMP_ERROR || seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) == 0;
    }
    ok = ok && seccomp_load(ctx) == 0;
    if (ctx)
        seccomp_release(ctx);
    return ok;
}

int ctr_confined_run(const ctr_sandbox *sb, const char *what, ctr_confined_fn fn, void *ctx,
                     size_t max_out, void **out, size_t *len, ctr_error *err)
{
    int p[2];
    *out = NULL;
    *len = 0;
    if (pipe2(p, O_CLOEXEC) < 0)
        return ctr_error_set(err, errno, "%s: pipe", what);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return ctr_error_set(err, errno, "%s: fork", what);
    }
    if (pid == 0) {
        close(p[0]);
        struct reply r = {0};
        void *data = NULL;
        size_t n = 0;
        ctr_error cerr = {0};
        if (!confine(sb, p[1])) {
            r.status = -1;
            snprintf(r.msg, sizeof r.msg, "cannot confine the parse: %s", strerror(errno));
        } else if (fn(ctx, &data, &n, &cerr) < 0) {
            r.status = -1;
            r.code = (int32_t)cerr.code;
            memcpy(r.msg, cerr.msg, sizeof r.msg);
        } else {
            r.len = n;
        }
        bool ok = ctr_write_all(p[1], &r, sizeof r) == 0 &&
                  (!r.len || ctr_write_all(p[1], data, n) == 0);
        _exit(ok ? 0 : 1);
    }
    close(p[1]);
    struct reply r;
    int rc = 0;
    if (!read_all(p[0], &r, sizeof r)) {
        rc = -2; /* the child died: its status says how */
    } else if (r.status < 0) {
        r.msg[sizeof r.msg - 1] = '\0';
        /* the child's code, when it is one: what the caller branches on */
        rc = r.code > CTR_OK && r.code <= CTR_E_SLOWER
                 ? ctr_error_code(err, (ctr_errc)r.code, "%s", r.msg)
                 : ctr_error_set(err, 0, "%s", r.msg);
    } else if (r.len > max_out) {
        rc = ctr_error_set(err, EFBIG, "%s: a result of %llu bytes", what,
                           (unsigned long long)r.len);
    } else if (!(*out = malloc(r.len ? r.len : 1))) {
        rc = ctr_error_set(err, ENOMEM, "%s", what);
    } else if (r.len && !read_all(p[0], *out, r.len)) {
        rc = -2;
    } else {
        *len = r.len;
    }
    close(p[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (rc == -2 || (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))) {
        rc = WIFSIGNALED(status)
                 ? ctr_error_set(err, 0, "%s: the confined parse was killed by signal %d%s", what,
                                 WTERMSIG(status),
                                 WTERMSIG(status) == SIGSYS ? " (a forbidden system call)" : "")
                 : ctr_error_set(err, 0, "%s: the confined parse failed", what);
    }
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *len = 0;
    }
    return rc;
}
