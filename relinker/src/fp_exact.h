/* Exact floating-point results (ctr-relink --fp exact): a relinked binary
 * computes what the original computed, bit for bit.  Relinking for a CPU
 * with FMA would otherwise fuse a*b+c (Clang's llvm.fmuladd, which the
 * front end emits for -ffp-contract=on, its default, and the `contract` flag
 * of -ffp-contract=fast; GCC's own contraction, on by default in GNU C and
 * Fortran), which rounds once where the original rounded twice.  Without
 * fast-math nothing else a relink changes alters results: vectorizing keeps
 * the order of FP operations unless reassociation is allowed, and the math
 * library is the image's.  So:
 *
 *  - LLVM: where the original target had no FMA, each llvm.fmuladd becomes
 *    the fmul and fadd that the original's code generation made of it, and
 *    `contract` flags are cleared; where it had FMA, fusing is what the
 *    original did and stays.
 *  - GCC: -ffp-contract=off for the relink (link_argv.c), where the
 *    original's options enabled no FMA.
 *  - A TU built with fast-math (reassociation, reciprocals, approximate
 *    functions, no NaNs/infinities/signed zeros: LLVM's instruction flags and
 *    function attributes, GCC's -ffast-math family), or a GCC TU whose own
 *    options enabled FMA (GCC then fused by its own choices, which a
 *    different pipeline makes differently), has results that depend on the
 *    code generated: its binary is kept, with the reason. */
#ifndef CTR_FP_EXACT_H
#define CTR_FP_EXACT_H

#include <llvm-c/Core.h>
#include <stdbool.h>
#include <stddef.h>

#include "comtainer/error.h"

/* Make module m compute exactly what it computed for its default target
 * features `features` (the TU's own, as retarget.c found them); `what` names
 * the TU.  -1 with CTR_E_UNSUPPORTED when it cannot (fast-math). */
int ctr_fp_exact_module(LLVMModuleRef m, const char *features, const char *what,
                        ctr_error *err);

/* 0 when a GCC TU (its object, with .gnu.lto_.opts) compiled with
 * -ffp-contract=off computes what its original did; -1 with
 * CTR_E_UNSUPPORTED naming the option that stands in the way. */
int ctr_fp_exact_gcc(const void *obj, size_t len, const char *what, ctr_error *err);

/* True if an LLVM target-features string enables FMA (+fma, +fma4, or an
 * AVX-512 foundation, which implies it). */
bool ctr_features_have_fma(const char *features);

#endif
