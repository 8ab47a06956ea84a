/* bwrap's argument lists and the steps of every sandboxed run (see
 * sandbox_private.h). */
#include "sandbox_private.h"
#include "comtainer/oci.h"
#include "rootfs_path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void sbx_arg(struct args *a, const char *s)
{
    if (a->n >= MAX_ARGS || !(a->v[a->n] = strdup(s))) {
        a->failed = true;
        return;
    }
    a->n++;
}

void sbx_argf(struct args *a, const char *fmt, ...)
{
    char buf[PATH_MAX + 64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf)
        a->failed = true;
    else
        sbx_arg(a, buf);
}

void sbx_args_free(struct args *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    for (size_t i = 0; i < a->nfds; i++)
        close(a->fds[i]);
    a->n = a->nfds = 0;
}

/* --bind-fd/--ro-bind-fd: the directory opened here, as root, so that the
 * unprivileged bwrap needs no search permission on its parents, and no one
 * can swap a path component between our check and its mount. */
void sbx_bind_fd(struct args *a, const char *how, const char *src, const char *dest)
{
    int fd = a->nfds < sizeof a->fds / sizeof *a->fds
                 ? open(src, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                 : -1;
    if (fd < 0) {
        a->failed = true;
        return;
    }
    a->fds[a->nfds++] = fd;
    sbx_arg(a, how);
    sbx_argf(a, "%d", fd);
    sbx_arg(a, dest);
}

/* timeout(1) in front: at the limit TERM, then KILL, to bwrap, whose death
 * ends its pid namespace and so every process in the sandbox. */
void sbx_time_limit(struct args *a, unsigned seconds)
{
    if (!seconds)
        return;
    sbx_arg(a, "timeout");
    sbx_arg(a, "--kill-after=" KILL_AFTER);
    sbx_argf(a, "%u", seconds);
}

/* System calls no toolchain and no HPC program needs, and that reach the
 * kernel's least-hardened code or the host's state: EPERM in both
 * sandboxes (mount and namespace calls too, once bwrap has set up).  Other
 * architectures' system calls (32-bit x86) are killed: libseccomp's default
 * for an architecture the filter does not name. */
static const char *const denied_syscalls[] = {
    "acct", "add_key", "bpf", "delete_module", "finit_module", "fsconfig", "fsmount", "fsopen",
    "fspick", "init_module", "io_uring_enter", "io_uring_register", "io_uring_setup", "ioperm",
    "iopl", "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "mount",
    "mount_setattr", "move_mount", "name_to_handle_at", "open_by_handle_at", "open_tree",
    "perf_event_open", "pivot_root", "quotactl", "reboot", "request_key", "setns", "swapoff",
    "swapon", "syslog", "umount2", "unshare", "userfaultfd", "vhangup",
};

/* --seccomp FD: the filter as BPF in a memory file. */
static void sbx_seccomp_filter(struct args *a)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    int fd = ctx && a->nfds < sizeof a->fds / sizeof *a->fds
                 ? memfd_create("ctr-seccomp", MFD_CLOEXEC)
                 : -1;
    bool ok = fd >= 0;
    for (size_t i = 0; ok && i < sizeof denied_syscalls / sizeof *denied_syscalls; i++) {
        int nr = seccomp_syscall_resolve_name(denied_syscalls[i]);
        ok = nr == __NR_SCMP_ERROR || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0) == 0;
    }
    ok = ok && seccomp_export_bpf(ctx, fd) == 0 && lseek(fd, 0, SEEK_SET) == 0;
    if (ctx)
        seccomp_release(ctx);
    if (!ok) {
        if (fd >= 0)
            close(fd);
        a->failed = true;
        return;
    }
    a->fds[a->nfds++] = fd;
    sbx_arg(a, "--seccomp");
    sbx_argf(a, "%d", fd);
}

void sbx_bwrap_common(struct args *a)
{
    static const char *const opts[] = {"bwrap", "--unshare-all", "--unshare-user", "--die-with-parent",
                                       "--new-session", "--disable-userns", "--clearenv",
                                       "--setenv", "PATH", HOST_PATH, "--setenv", "LC_ALL", "C"};
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++)
        sbx_arg(a, opts[i]);
    sbx_seccomp_filter(a);
}

/* The host's programs, read-only: /usr and the top-level directories that
 * are (merged /usr) links into it or directories of their own. */
void sbx_host_system(struct args *a)
{
    static const char *const top[] = {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};
    sbx_arg(a, "--ro-bind"), sbx_arg(a, "/usr"), sbx_arg(a, "/usr");
    for (size_t i = 0; i < sizeof top / sizeof *top; i++) {
        struct stat st;
        char target[PATH_MAX];
        ssize_t n;
        if (lstat(top[i], &st) < 0)
            continue;
        if (S_ISLNK(st.st_mode) && (n = readlink(top[i], target, sizeof target - 1)) > 0) {
            target[n] = '\0';
            sbx_arg(a, "--symlink"), sbx_arg(a, target), sbx_arg(a, top[i]);
        } else if (S_ISDIR(st.st_mode)) {
            sbx_arg(a, "--ro-bind"), sbx_arg(a, top[i]), sbx_arg(a, top[i]);
        }
    }
    static const char *const etc[] = {"/etc/ld.so.cache", "/etc/alternatives"};
    for (size_t i = 0; i < sizeof etc / sizeof *etc; i++)
        sbx_arg(a, "--ro-bind-try"), sbx_arg(a, etc[i]), sbx_arg(a, etc[i]);
}

bool sbx_enter(const ctr_sandbox *sb, unsigned long long max_file, pid_t parent,
                  const struct args *a)
{
    const struct rlimit core = {0, 0}, fsize = {max_file, max_file},
                        nproc = {MAX_PROCS, MAX_PROCS};
    for (size_t i = 0; i < a->nfds; i++)
        if (fcntl(a->fds[i], F_SETFD, 0) < 0) /* bwrap takes them */
            return false;
    if (setrlimit(RLIMIT_CORE, &core) < 0 || setrlimit(RLIMIT_FSIZE, &fsize) < 0 ||
        setrlimit(RLIMIT_NPROC, &nproc) < 0)
        return false;
    /* (the parent-death signal after the identity change, which clears it) */
    if (!ctr_sandbox_become(sb) || prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 ||
        getppid() != parent)
        return false;
    signal(SIGPIPE, SIG_DFL);
    return true;
}

double sbx_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* How a sandboxed run ended, into why; true when it ran out of time. */
bool sbx_describe(int status, double seconds, unsigned limit, char *why, size_t size)
{
    if (WIFSIGNALED(status)) {
        snprintf(why, size, "killed by signal %d", WTERMSIG(status));
    } else if (limit && seconds >= limit && (WEXITSTATUS(status) == 124 ||
                                             WEXITSTATUS(status) == 137)) {
        snprintf(why, size, "timed out after %u s: stopped with its processes", limit);
        return true;
    } else {
        snprintf(why, size, "exit status %d", WEXITSTATUS(status));
    }
    return false;
}
