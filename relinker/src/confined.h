/* Parsing an image's IR inside ctr-relink, confined.
 *
 * ctr-relink reads stored LLVM bitcode itself (LLVM-C: retargeting, and
 * the symbols a TU defines), and LLVM's bitcode reader is not hardened
 * against hostile input.  So that parse runs in a child process that can
 * do nothing but compute: forked with the bytes already in its memory, every
 * descriptor closed but one pipe, the sandbox's unprivileged uid and gid
 * (when we are root), no_new_privs, limits on CPU time and address space,
 * and a seccomp filter that allows only memory management, reading and
 * writing the pipe, and exiting (any other system call kills it).  Its
 * result comes back through the pipe, bounded in size. */
#ifndef CTR_CONFINED_H
#define CTR_CONFINED_H

#include <stddef.h>

#include "comtainer/irstore.h"
#include "sandbox.h"

/* The confined work: fill *out (malloc'ed) and *len, or fail with err.
 * Runs in the child only. */
typedef int (*ctr_confined_fn)(void *ctx, void **out, size_t *len, ctr_error *err);

/* Run fn(ctx) confined and hand back its result (at most max_out bytes) in
 * *out (malloc'ed, owned by the caller) and *len.  -1 with err on fn's own
 * error (its message), on a crash or kill of the child (named with `what`),
 * or when the result is larger than max_out. */
int ctr_confined_run(const ctr_sandbox *sb, const char *what, ctr_confined_fn fn, void *ctx,
                     size_t max_out, void **out, size_t *len, ctr_error *err);

#endif
