/* What a stored ELF input (a GIMPLE LTO object, an object recorded at link
 * time) may carry into a native link.
 *
 * Both are written by whoever built the image.  A GIMPLE object's
 * `.gnu.lto_.opts` sections hold compiler options that gcc's lto-wrapper
 * merges and passes on to the LTO compiles (every target option, -O, -g,
 * -fPIC and friends, and -Xassembler, which reaches the assembler
 * verbatim); `.gnu.offload_lto_*` sections make lto-wrapper run offload
 * compilers.  So:
 *
 *  - gcc-lto: every `.gnu.lto_.opts` section must be a list of
 *    single-quoted options ('-O2' '-fPIE' ...) with no quote, space, '/',
 *    ',' or control character inside, and every option must be allowed by
 *    ctr_gcc_lto_option_ok(); no offload section.
 *  - elf-object: no LTO or offload sections at all (a plain link would hand
 *    them to the LTO plugin), no embedded bitcode.
 *
 * An input that fails keeps its binary as it was, with the TU and the
 * option or section named.  (The native links also run with
 * --no-dependent-libraries and inside the toolchain sandbox.) */
#ifndef CTR_OBJECT_POLICY_H
#define CTR_OBJECT_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "comtainer/irstore.h"

/* True if lto-wrapper may be given this option from an image: -O levels,
 * -g levels, target (-m) options, -f and -W options other than those that
 * name files, load plugins, write dumps or steer LTO or offloading. */
bool ctr_gcc_lto_option_ok(const char *opt);

/* 0 if the stored input (ir_kind "gcc-lto", "elf-object"; others pass) may
 * be linked; -1 with err naming `what` and the option or section. */
int ctr_object_policy_check(const char *ir_kind, const void *data, size_t len,
                            const char *what, ctr_error *err);

#endif
