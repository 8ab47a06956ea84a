/* The two sandboxes of ctr-relink, both bubblewrap (bwrap), never
 * hand-made namespace code:
 *
 *  - the toolchain sandbox (ctr_sandbox_tool): ninja, and through it clang,
 *    lld, gcc, lto1, as and ld, and llvm-profdata, llvm-bolt and
 *    merge-fdata, all of which parse IR, objects and profiles written by the
 *    image's author or its code.  The host's /usr
 *    (the toolchains) read-only, the work directory read-only but for the
 *    directories the build writes, the image root read-only; no network,
 *    private pid, IPC and UTS namespaces, no nested user namespaces.
 *  - the command sandbox (ctr_sandbox_cmd): --check, --pgo, --bolt and
 *    --select commands, which run the image's own programs.  The image root
 *    is the sandbox's / (bwrap's pivot_root), read-only; a size-bounded tmpfs on
 *    /tmp, a minimal /dev, its own /proc; no network; a clean environment.
 *
 * In both, when ctr-relink runs as root, the processes run as an
 * unprivileged uid and gid (setgroups, setresgid, setresuid before bwrap
 * starts: outside the sandbox too, that uid owns nothing of the host),
 * with no capabilities, no_new_privs, RLIMIT_NPROC, RLIMIT_FSIZE and
 * RLIMIT_CORE = 0, and a wall-clock limit after which the whole process tree
 * is killed (bwrap's pid namespace ends with its first process).  Every
 * sandboxed process is also killed when ctr-relink dies (the parent-death
 * signal, bwrap --die-with-parent). */
#ifndef CTR_SANDBOX_H
#define CTR_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

#include "comtainer/irstore.h"
#include "exec_trace.h"

typedef struct ctr_sandbox {
    bool drop;              /* we run as root: the sandbox runs as uid:gid */
    uid_t uid;
    gid_t gid;
    unsigned build_timeout; /* seconds for one toolchain run (0: none) */
    unsigned cmd_timeout;   /* seconds for one run of a command (0: none) */
} ctr_sandbox;

/* Default sandbox identity (nobody:nogroup) and limits. */
#define CTR_SANDBOX_UID 65534
#define CTR_SANDBOX_GID 65534
#define CTR_CMD_TIMEOUT 300
#define CTR_BUILD_TIMEOUT 14400

/* Fill sb: user is "UID[:GID]" (NULL: the default); refused: uid or gid 0.
 * Timeouts as given. */
int ctr_sandbox_init(ctr_sandbox *sb, const char *user, unsigned build_timeout,
                     unsigned cmd_timeout, ctr_error *err);

/* In a child about to run image-derived work: become sb's unprivileged
 * uid and gid (when sb->drop: no supplementary groups, real, effective and
 * saved ids, checked after the change) and set no_new_privs.  False if any
 * of it failed: the caller must then not go on. */
bool ctr_sandbox_become(const ctr_sandbox *sb);

/* 0 if the sandbox can be started here (bwrap and timeout on PATH); -1
 * with err saying what to install. */
int ctr_sandbox_available(ctr_error *err);

/* Make directory dir (created if missing) writable by the sandbox: owned by
 * its uid when sb->drop. */
int ctr_sandbox_give(const ctr_sandbox *sb, const char *dir, ctr_error *err);

/* Take dir back after a sandboxed run: every entry that is not a regular
 * file with a single link is removed (a symlink, a FIFO, a hard link to
 * some other file planted by sandboxed code), the rest and dir itself
 * become ours (root's) again, so nothing the sandbox left can redirect
 * what ctr-relink later reads or writes there. */
int ctr_sandbox_take(const ctr_sandbox *sb, const char *dir, ctr_error *err);

/* Run argv in the toolchain sandbox with its working directory `work`:
 * work read-only except its subdirectories rw[] (NULL-ended, names
 * relative to work, given to the sandbox first), `root` (the image's root,
 * may be inside work, or NULL) read-only.  Standard output and error go to
 * out_fd (-1: both to our standard error).  0 if it exited with status 0, else -1 with
 * CTR_E_TOOL (it failed), CTR_E_LIMIT (it ran out of time) or CTR_E_SYSTEM
 * (it could not run); afterwards every rw[] directory has been taken back
 * (ctr_sandbox_take). */
int ctr_sandbox_tool(const ctr_sandbox *sb, const char *work, const char *root,
                     const char *const *rw, char *const argv[], int out_fd, ctr_error *err);

/* ctr_sandbox_tool (no image root) of head (NULL-ended) followed by every
 * file the glob pattern matches (merging the profiles a training run
 * wrote).  1 when no file matches (nothing run, err untouched); else as
 * ctr_sandbox_tool. */
int ctr_sandbox_tool_glob(const ctr_sandbox *sb, const char *work, const char *const *rw,
                          const char *const *head, const char *pattern, int out_fd,
                          ctr_error *err);

/* How a command ran: its wall-clock time (sandbox set-up and all) and how it
 * ended: its exit status, 128 + N when killed by signal N; -1 when it did not
 * run to an end (not started, or stopped at its time limit).  (Each program's
 * CPU time comes from the tracer, exec_trace.h: the sandbox's layers of
 * processes do not pass their children's CPU time up to a wait4.) */
typedef struct ctr_cmd_run {
    double seconds;
    int exit_code;
} ctr_cmd_run;

/* Run CMD in the command sandbox with root as its /: the root's /bin/sh -c
 * CMD when it has one, else CMD split at spaces.  env: NULL-ended NAME=VALUE
 * strings added to the clean environment.  With bind, that host directory
 * is writable at bind_at (a directory under /tmp) inside.  Output and
 * errors go to out_fd (-1: standard output to our standard error).  How it
 * ran goes to *run when not NULL; with `programs`, each program's own time
 * (exec_trace.h).  0 if it succeeded, else -1 with why in err ("timed out
 * after 300 s" with CTR_E_LIMIT, "killed by signal 11" or "exit status 1"
 * with CTR_E_TOOL, ...). */
int ctr_sandbox_cmd(const ctr_sandbox *sb, const char *root, const char *cmd, char *const *env,
                    const char *bind, const char *bind_at, int out_fd, ctr_cmd_run *run,
                    ctr_exec_times *programs, ctr_error *err);

#endif
