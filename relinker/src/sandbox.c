/* The toolchain and command sandboxes (see sandbox.h). */
#include "sandbox.h"
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

/* Largest file a sandboxed process may write (RLIMIT_FSIZE): far beyond
 * any binary or object a toolchain writes, small enough that a runaway
 * command cannot fill the disk with one file. */
#define TOOL_MAX_FILE (32ULL << 30)
#define CMD_MAX_FILE (4ULL << 30)
/* Processes of the sandbox's uid (RLIMIT_NPROC): a fork bomb stops here. */
#define MAX_PROCS 4096
/* The size of /tmp (a tmpfs, in memory) in each sandbox; the toolchains'
 * large temporaries go to WORK/tmp on disk (TMPDIR). */
#define TOOL_TMP_SIZE "268435456"
#define CMD_TMP_SIZE "1073741824"
/* Seconds between the TERM and the KILL at a time limit. */
#define KILL_AFTER "5"
/* bwrap arguments: a few dozen fixed ones plus the bound directories. */
#define MAX_ARGS 192

#define HOST_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int ctr_sandbox_init(ctr_sandbox *sb, const char *user, unsigned build_timeout,
                     unsigned cmd_timeout, ctr_error *err)
{
    *sb = (ctr_sandbox){.drop = geteuid() == 0, .uid = CTR_SANDBOX_UID, .gid = CTR_SANDBOX_GID,
                        .build_timeout = build_timeout, .cmd_timeout = cmd_timeout};
    if (user) {
        char *end;
        errno = 0;
        unsigned long uid = strtoul(user, &end, 10), gid = uid;
        if (!errno && *end == ':')
            gid = strtoul(end + 1, &end, 10);
        if (errno || *end || end == user || uid == 0 || gid == 0 || uid > 0xfffffffeUL ||
            gid > 0xfffffffeUL)
            return ctr_error_set(err, 0, "--sandbox-user takes UID[:GID], neither 0, not '%s'",
                                 user);
        sb->uid = (uid_t)uid;
        sb->gid = (gid_t)gid;
    }
    return 0;
}

static bool on_path(const char *prog)
{
    const char *path = getenv("PATH");
    char cand[PATH_MAX];
    for (const char *p = path && *path ? path : "/usr/bin:/bin"; *p;) {
        size_t n = strcspn(p, ":");
        if (n && snprintf(cand, sizeof cand, "%.*s/%s", (int)n, p, prog) < (int)sizeof cand &&
            access(cand, X_OK) == 0)
            return true;
        p += n + (p[n] == ':');
    }
    return false;
}

int ctr_sandbox_available(ctr_error *err)
{
    if (!on_path("bwrap"))
        return ctr_error_set(err, 0, "bubblewrap ('bwrap') is not installed: toolchains and "
                                     "commands run in its sandbox (Debian: apt-get install "
                                     "bubblewrap)");
    if (!on_path("timeout"))
        return ctr_error_set(err, 0, "'timeout' (coreutils) is not installed");
    return 0;
}

/* ---- directories the sandbox writes ------------------------------------- */

static int open_dir(const char *dir, ctr_error *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        ctr_error_set(err, errno, "'%s'", dir);
    return fd;
}

int ctr_sandbox_give(const ctr_sandbox *sb, const char *dir, ctr_error *err)
{
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return ctr_error_set(err, errno, "'%s'", dir);
    if (!sb->drop)
        return 0;
    int fd = open_dir(dir, err);
    if (fd < 0)
        return -1;
    /* its files too: ninja appends to its log in place */
    DIR *d = fdopendir(dup(fd));
    for (struct dirent *de; d && (de = readdir(d));) {
        struct stat st;
        if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
            fchownat(fd, de->d_name, sb->uid, sb->gid, AT_SYMLINK_NOFOLLOW);
    }
    if (d)
        closedir(d);
    int rc = fchown(fd, sb->uid, sb->gid) < 0 ? ctr_error_set(err, errno, "'%s'", dir) : 0;
    close(fd);
    return rc;
}

int ctr_sandbox_take(const ctr_sandbox *sb, const char *dir, ctr_error *err)
{
    int fd = open_dir(dir, err);
    if (fd < 0)
        return -1;
    /* first the directory: from here on no one else can add entries */
    if (sb->drop && (fchown(fd, 0, 0) < 0 || fchmod(fd, 0755) < 0)) {
        close(fd);
        return ctr_error_set(err, errno, "'%s'", dir);
    }
    DIR *d = fdopendir(dup(fd));
    int rc = d ? 0 : ctr_error_set(err, errno, "'%s'", dir);
    for (struct dirent *de; d && (de = readdir(d));) {
        struct stat st;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
            fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
            /* dir is ours now, the name has no '/': the path cannot lead elsewhere */
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            if (ctr_tree_remove(path) < 0 && rc == 0)
                rc = ctr_error_set(err, errno, "removing '%s'", path);
            continue;
        }
        if (sb->drop && fchownat(fd, de->d_name, 0, 0, AT_SYMLINK_NOFOLLOW) < 0 && rc == 0)
            rc = ctr_error_set(err, errno, "'%s/%s'", dir, de->d_name);
        if ((st.st_mode & 07022) && fchmodat(fd, de->d_name, st.st_mode & 0755, 0) < 0 &&
            rc == 0)
            rc = ctr_error_set(err, errno, "'%s/%s'", dir, de->d_name);
    }
    if (d)
        closedir(d);
    close(fd);
    return rc;
}

/* ---- argument lists ------------------------------------------------------ */

struct args {
    char *v[MAX_ARGS + 1];
    size_t n;
    bool failed;
    int fds[40]; /* directories and the filter handed to bwrap by descriptor */
    size_t nfds;
};

static void arg(struct args *a, const char *s)
{
    if (a->n >= MAX_ARGS || !(a->v[a->n] = strdup(s))) {
        a->failed = true;
        return;
    }
    a->n++;
}

static void argf(struct args *a, const char *fmt, ...)
{
    char buf[PATH_MAX + 64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf)
        a->failed = true;
    else
        arg(a, buf);
}

static void args_free(struct args *a)
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
static void bind_fd(struct args *a, const char *how, const char *src, const char *dest)
{
    int fd = a->nfds < sizeof a->fds / sizeof *a->fds
                 ? open(src, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                 : -1;
    if (fd < 0) {
        a->failed = true;
        return;
    }
    a->fds[a->nfds++] = fd;
    arg(a, how);
    argf(a, "%d", fd);
    arg(a, dest);
}

/* timeout(1) in front: at the limit TERM, then KILL, to bwrap, whose death
 * ends its pid namespace and so every process in the sandbox. */
static void time_limit(struct args *a, unsigned seconds)
{
    if (!seconds)
        return;
    arg(a, "timeout");
    arg(a, "--kill-after=" KILL_AFTER);
    argf(a, "%u", seconds);
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
static void seccomp_filter(struct args *a)
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
    arg(a, "--seccomp");
    argf(a, "%d", fd);
}

static void bwrap_common(struct args *a)
{
    static const char *const opts[] = {"bwrap", "--unshare-all", "--unshare-user", "--die-with-parent",
                                       "--new-session", "--disable-userns", "--clearenv",
                                       "--setenv", "PATH", HOST_PATH, "--setenv", "LC_ALL", "C"};
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++)
        arg(a, opts[i]);
    seccomp_filter(a);
}

/* The host's programs, read-only: /usr and the top-level directories that
 * are (merged /usr) links into it or directories of their own. */
static void host_system(struct args *a)
{
    static const char *const top[] = {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};
    arg(a, "--ro-bind"), arg(a, "/usr"), arg(a, "/usr");
    for (size_t i = 0; i < sizeof top / sizeof *top; i++) {
        struct stat st;
        char target[PATH_MAX];
        ssize_t n;
        if (lstat(top[i], &st) < 0)
            continue;
        if (S_ISLNK(st.st_mode) && (n = readlink(top[i], target, sizeof target - 1)) > 0) {
            target[n] = '\0';
            arg(a, "--symlink"), arg(a, target), arg(a, top[i]);
        } else if (S_ISDIR(st.st_mode)) {
            arg(a, "--ro-bind"), arg(a, top[i]), arg(a, top[i]);
        }
    }
    static const char *const etc[] = {"/etc/ld.so.cache", "/etc/alternatives"};
    for (size_t i = 0; i < sizeof etc / sizeof *etc; i++)
        arg(a, "--ro-bind-try"), arg(a, etc[i]), arg(a, etc[i]);
}

/* ---- running ------------------------------------------------------------- */

bool ctr_sandbox_become(const ctr_sandbox *sb)
{
    if (sb->drop && (setgroups(0, NULL) < 0 || setresgid(sb->gid, sb->gid, sb->gid) < 0 ||
                     setresuid(sb->uid, sb->uid, sb->uid) < 0 || geteuid() != sb->uid ||
                     getegid() != sb->gid))
        return false;
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0;
}

/* In the child, before exec: limits, the unprivileged identity, no new
 * privileges, death with the parent.  False if any of it failed: then the
 * child must not exec (it may still be root). */
static bool enter(const ctr_sandbox *sb, unsigned long long max_file, pid_t parent,
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

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void describe(int status, double seconds, unsigned limit, char *why, size_t size)
{
    if (WIFSIGNALED(status))
        snprintf(why, size, "killed by signal %d", WTERMSIG(status));
    else if (limit && seconds >= limit && (WEXITSTATUS(status) == 124 ||
                                           WEXITSTATUS(status) == 137))
        snprintf(why, size, "timed out after %u s: stopped with its processes", limit);
    else
        snprintf(why, size, "exit status %d", WEXITSTATUS(status));
}

int ctr_sandbox_tool(const ctr_sandbox *sb, const char *work, const char *root,
                     const char *const *rw, char *const argv[], ctr_error *err)
{
    char path[PATH_MAX];
    for (size_t i = 0; rw[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", work, rw[i]);
        if (ctr_sandbox_give(sb, path, err) < 0)
            return -1;
    }
    struct args a = {0};
    time_limit(&a, sb->build_timeout);
    bwrap_common(&a);
    host_system(&a);
    arg(&a, "--dev"), arg(&a, "/dev"), arg(&a, "--proc"), arg(&a, "/proc");
    arg(&a, "--size"), arg(&a, TOOL_TMP_SIZE), arg(&a, "--tmpfs"), arg(&a, "/tmp");
    bind_fd(&a, "--ro-bind-fd", work, work);
    size_t wlen = strlen(work);
    if (root && !(strncmp(root, work, wlen) == 0 && root[wlen] == '/'))
        bind_fd(&a, "--ro-bind-fd", root, root);
    for (size_t i = 0; rw[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", work, rw[i]);
        bind_fd(&a, "--bind-fd", path, path);
    }
    arg(&a, "--chdir"), arg(&a, work);
    arg(&a, "--setenv"), arg(&a, "HOME"), arg(&a, "/nonexistent");
    arg(&a, "--setenv"), arg(&a, "TMPDIR"), argf(&a, "%s/tmp", work);
    const char *term = getenv("TERM");
    if (term && strlen(term) < 64 && strspn(term, "abcdefghijklmnopqrstuvwxyz0123456789-") ==
                                         strlen(term))
        arg(&a, "--setenv"), arg(&a, "TERM"), arg(&a, term); /* ninja's progress line */
    arg(&a, "--");
    for (size_t i = 0; argv[i]; i++)
        arg(&a, argv[i]);
    if (a.failed) {
        args_free(&a);
        return ctr_error_set(err, 0, "cannot set up the sandbox for '%s'", argv[0]);
    }
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        if (dup2(2, 1) >= 0 && enter(sb, TOOL_MAX_FILE, parent, &a))
            execvp(a.v[0], a.v);
        fprintf(stderr, "ctr-relink: cannot start the toolchain sandbox: %s\n", strerror(errno));
        _exit(127);
    }
    args_free(&a);
    int status = 0, rc = 0;
    double t0 = now();
    while (pid > 0 && waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            pid = -1;
            break;
        }
    char why[128];
    if (pid < 0)
        rc = ctr_error_set(err, errno, "cannot run '%s' in the toolchain sandbox", argv[0]);
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        describe(status, now() - t0, sb->build_timeout, why, sizeof why);
        rc = ctr_error_set(err, 0, "'%s' failed in the toolchain sandbox (%s)", argv[0], why);
    }
    for (size_t i = 0; rw[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", work, rw[i]);
        ctr_error terr;
        if (ctr_sandbox_take(sb, path, &terr) < 0 && rc == 0)
            rc = ctr_error_set(err, 0, "%s", terr.msg);
    }
    return rc;
}

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
    time_limit(a, sb->cmd_timeout);
    bwrap_common(a);
    /* root inside, as in a rootless container: uid 0 of the sandbox's own
     * user namespace, the unprivileged uid outside, no capabilities */
    arg(a, "--uid"), arg(a, "0"), arg(a, "--gid"), arg(a, "0");
    bind_fd(a, "--ro-bind-fd", root, "/");
    if (has_dir(root, "/dev"))
        arg(a, "--dev"), arg(a, "/dev");
    if (has_dir(root, "/proc"))
        arg(a, "--proc"), arg(a, "/proc");
    if (has_dir(root, "/tmp"))
        arg(a, "--size"), arg(a, CMD_TMP_SIZE), arg(a, "--tmpfs"), arg(a, "/tmp");
    if (bind)
        bind_fd(a, "--bind-fd", bind, bind_at);
    arg(a, "--chdir"), arg(a, "/");
    arg(a, "--setenv"), arg(a, "HOME"), arg(a, "/");
    for (size_t i = 0; env && env[i]; i++) {
        const char *eq = strchr(env[i], '=');
        if (!eq) {
            a->failed = true;
            continue;
        }
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(eq - env[i]), env[i]);
        arg(a, "--setenv"), arg(a, name), arg(a, eq + 1);
    }
    arg(a, "--");
    char host[PATH_MAX * 2], inner[PATH_MAX];
    if (ctr_rootfs_resolve(root, "/bin/sh", host, sizeof host, inner, sizeof inner, NULL) == 0 &&
        access(host, X_OK) == 0) {
        arg(a, "/bin/sh"), arg(a, "-c"), arg(a, cmd);
        return;
    }
    char *copy = strdup(cmd), *save = NULL;
    for (char *tok = copy ? strtok_r(copy, " \t", &save) : NULL; tok;
         tok = strtok_r(NULL, " \t", &save))
        arg(a, tok);
    if (!copy)
        a->failed = true;
    free(copy);
}

int ctr_sandbox_cmd(const ctr_sandbox *sb, const char *root, const char *cmd, char *const *env,
                    const char *bind, const char *bind_at, int out_fd, double *seconds,
                    ctr_exec_times *programs, char *why, size_t size)
{
    struct args a = {0};
    cmd_args(&a, sb, root, cmd, env, bind, bind_at);
    if (a.failed) {
        args_free(&a);
        snprintf(why, size, "it could not be started (its sandbox arguments)");
        return -1;
    }
    int trace[2] = {-1, -1};
    if (programs && pipe2(trace, O_CLOEXEC) < 0)
        trace[0] = trace[1] = -1;
    double t0 = now();
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        /* only ctr-relink's report goes to standard output */
        if (out_fd >= 0 ? dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0 : dup2(2, 1) < 0)
            _exit(126);
        pid_t tracer = getpid(), child = trace[1] >= 0 ? fork() : 0;
        if (child == 0) {
            if (enter(sb, CMD_MAX_FILE, trace[1] >= 0 ? tracer : parent, &a)) {
                if (trace[1] >= 0)
                    ctr_exec_trace_me();
                execvp(a.v[0], a.v);
            }
            fprintf(stderr, "ctr-relink: cannot start the command sandbox: %s\n",
                    strerror(errno));
            _exit(127);
        }
        /* the tracer: ours, privileged, it only follows the tree */
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        int status = child > 0 ? ctr_exec_trace(child, trace[1]) : 0;
        _exit(child < 0 ? 126 : WIFEXITED(status) ? WEXITSTATUS(status)
                                                  : 128 + WTERMSIG(status));
    }
    args_free(&a);
    if (trace[1] >= 0)
        close(trace[1]);
    if (programs) { /* the tracer's lines, written as it ends */
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
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            pid = -1;
            break;
        }
    double t = now() - t0;
    if (seconds)
        *seconds = t;
    if (pid <= 0) {
        snprintf(why, size, "it could not be started");
        return -1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    /* a traced command's signal death comes back as 128 + the signal */
    if (WIFEXITED(status) && WEXITSTATUS(status) > 128 && WEXITSTATUS(status) < 128 + 65 &&
        WEXITSTATUS(status) != 137 && programs)
        snprintf(why, size, "killed by signal %d", WEXITSTATUS(status) - 128);
    else
        describe(status, t, sb->cmd_timeout, why, size);
    return -1;
}
