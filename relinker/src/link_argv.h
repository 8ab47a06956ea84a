/* The command lines of a relink: each binary's link, the LLVM share of a
 * mixed binary, and the per-TU compiles, as Ninja variable values (each
 * argument quoted for /bin/sh, '$' escaped for Ninja).  Values from the
 * image passed the grammar of link_policy.h already, and reach the linker as
 * one argument each (-Xlinker pairs). */
#ifndef CTR_LINK_ARGV_H
#define CTR_LINK_ARGV_H

#include "comtainer/strbuf.h"
#include "plan.h"
#include "recipe.h"

typedef struct ctr_link_ctx {
    const ctr_options *o; /* --march, and o->work for the link files */
    const ctr_recipe *rc;
    const char *cpu;      /* LLVM's -march: the target's CPU name */
    const char *root;     /* the input root: the image's own libraries */
    const char *flags;    /* extra options of LLVM compiles and links (PGO), or "" */
} ctr_link_ctx;

/* Append s quoted for /bin/sh, with Ninja's '$' escaped, after a space. */
void ctr_argv_add(ctr_strbuf *b, const char *s);

/* The link of binary e (plan index `index`) by toolchain tc: the driver and
 * options before the inputs, then "\n  post = " and the libraries after
 * them. */
void ctr_link_command(ctr_strbuf *b, const ctr_plan_entry *e, size_t index, ctr_toolchain tc,
                      const ctr_link_ctx *c);

/* The LLVM share of a mixed binary, optimized together and compiled into
 * one relocatable object that the GCC link takes as input. */
void ctr_partial_command(ctr_strbuf *b, const ctr_link_ctx *c);

/* The compile of one TU (of kind LLVM bitcode, or GIMPLE without LTO) into
 * a native object (or, LLVM with LTO, optimized bitcode). */
void ctr_compile_command(ctr_strbuf *b, const irs_record *r, ctr_ir_kind kind,
                         const ctr_link_ctx *c);

#endif
