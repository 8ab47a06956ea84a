/* The user's commands inside a root (--check, --pgo, --select, through the
 * command sandbox), and the copies of a root they run in. */
#ifndef CTR_RUN_CMD_H
#define CTR_RUN_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "comtainer/irstore.h"
#include "exec_trace.h"
#include "sandbox.h"

/* Run CMD inside root in the command sandbox (sandbox.h): the root
 * read-only as the sandbox's / (its files may be hard links to the
 * input's), a bounded tmpfs on /tmp, a minimal /dev and /proc (each where
 * the root has that directory), no network, an unprivileged uid, a time
 * limit.  `what` introduces the command on standard error ("checking the
 * relinked root with").  env, if not NULL, is a NULL-terminated list of
 * NAME=VALUE set for CMD.  With bind, that host directory is writable at
 * bind_at (a path under /tmp) inside the root.  0 if CMD succeeded, else -1
 * with how it ended in err (see ctr_sandbox_cmd). */
int ctr_run_in_root(const ctr_sandbox *sb, const char *root, const char *cmd, const char *what,
                    char *const *env, const char *bind, const char *bind_at, ctr_error *err);

/* Run CMD inside root as ctr_run_in_root does, silently: its standard
 * output and error go to out_fd, how it ran to *run (ctr_cmd_run) and how it
 * ended, in words, to why ("exit status 1", "timed out after 300 s"); with
 * `programs`, also the time of each program it executed (empty where ptrace
 * is not allowed; free with ctr_exec_times_free).  True if CMD ran to an end
 * (whatever its exit status), false if it could not start or was stopped at
 * its time limit. */
bool ctr_time_in_root(const ctr_sandbox *sb, const char *root, const char *cmd, int out_fd,
                      ctr_cmd_run *run, ctr_exec_times *programs, char *why, size_t why_size);

/* A copy of root at dest (whatever was at dest is removed first): hard
 * links to root's files (ctr_tree_link), except the n files at the inner paths
 * inner[i], which are copies of replacement[i] with the original's mode. */
int ctr_root_copy(const char *root, const char *dest, const char *const *inner,
                  const char *const *replacement, size_t n, ctr_error *err);

/* A copy of root for a command (--pgo and --bolt training, --select): as
 * ctr_root_copy makes it, with /tmp, /dev and /proc added where they are
 * missing, so that ctr_run_in_root mounts them as a container would have
 * them. */
int ctr_cmd_root(const char *root, const char *dest, const char *const *inner,
                 const char *const *replacement, size_t n, ctr_error *err);

/* A training run (--pgo, --bolt): CMD inside a copy of root (WORK/train-root,
 * removed afterwards) that holds the n built files at their inner paths, the
 * host directory `out` (emptied first) writable at out_at inside, env added
 * to the command's environment. */
typedef struct ctr_training {
    const char *root, *work;
    const char *const *inner, *const *built;
    size_t n;
    const char *cmd, *what; /* the command, and what it is for ("training run for PGO") */
    char *const *env;
    const char *out, *out_at;
} ctr_training;

/* Run training t; afterwards `out` holds what the command wrote there, taken
 * back (ctr_sandbox_take).  0, or -1 with "the training command failed
 * (exit status 1)" or why the root could not be made. */
int ctr_train_in_root(const ctr_sandbox *sb, const ctr_training *t, ctr_error *err);

#endif
