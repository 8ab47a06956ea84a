/* Inside the sandboxes (sandbox.h): bwrap's argument lists and the steps
 * every sandboxed run takes.  Private to sandbox*.c. */
#ifndef CTR_SANDBOX_PRIVATE_H
#define CTR_SANDBOX_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sandbox.h"

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

/* ---- argument lists ------------------------------------------------------ */

struct args {
    char *v[MAX_ARGS + 1];
    size_t n;
    bool failed;
    int fds[40]; /* directories and the filter handed to bwrap by descriptor */
    size_t nfds;
};

/* Append one argument (copied); a full list or a failed copy marks it failed. */
void sbx_arg(struct args *a, const char *s);
void sbx_argf(struct args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbx_args_free(struct args *a);
/* HOW FD DEST: the directory src handed to bwrap by descriptor (opened
 * O_PATH|O_NOFOLLOW here, so that no symlink in src is followed). */
void sbx_bind_fd(struct args *a, const char *how, const char *src, const char *dest);
/* timeout(1) in front of bwrap, when seconds > 0. */
void sbx_time_limit(struct args *a, unsigned seconds);
/* What both sandboxes share: namespaces, no network, the seccomp filter. */
void sbx_bwrap_common(struct args *a);
/* The host's /usr and the links into it, read-only (the toolchains). */
void sbx_host_system(struct args *a);

/* ---- running ------------------------------------------------------------- */

/* In the forked child, before exec: hand the descriptors to bwrap, set the
 * limits, drop privileges, die with the parent.  False on failure. */
bool sbx_enter(const ctr_sandbox *sb, unsigned long long max_file, pid_t parent,
               const struct args *a);
double sbx_now(void);
/* How a sandboxed run ended, into why; true when it ran out of time. */
bool sbx_describe(int status, double seconds, unsigned limit, char *why, size_t size);

#endif
