/* Retargeting LLVM bitcode to another CPU.
 *
 * Bitcode pins the CPU it was compiled for in every function's attributes
 * ("target-cpu", "target-features", "tune-cpu"); `clang -march=X` on such
 * bitcode changes nothing.  Retargeting rewrites the attributes of every
 * function that carries the TU's default target, and leaves functions with a
 * target of their own (__attribute__((target(...)))) alone. */
#ifndef CTR_RETARGET_H
#define CTR_RETARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "comtainer/irstore.h"

typedef struct ctr_target {
    char *cpu;      /* LLVM CPU name, e.g. "znver4" */
    char *features; /* full feature string for the CPU, "" to imply the CPU's */
    const char *tune; /* "tune-cpu": NULL for cpu itself, or e.g. "generic" */
    bool fp_exact;    /* --fp exact: the original's FP results kept (fp_exact.h) */
} ctr_target;

/* "native" = the CPU LLVM detects on this host (with its exact features);
 * any other name is taken as an LLVM CPU name.  Free with ctr_target_clear. */
int ctr_target_init(ctr_target *t, const char *march, ctr_error *err);
void ctr_target_clear(ctr_target *t);

/* Rewrite bitcode in memory (with t->fp_exact, also what ctr_fp_exact_module
 * does).  *out is malloc'ed; *nfuncs counts the functions retargeted.  `what`
 * names the input in messages. */
int ctr_retarget_bitcode(const void *bc, size_t len, const ctr_target *t, const char *what,
                         void **out, size_t *outlen, unsigned *nfuncs, ctr_error *err);

#endif
