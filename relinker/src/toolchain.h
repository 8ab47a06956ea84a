/* The native toolchains the relinker drives, the kinds of IR they read, and
 * how a binary's toolchain is chosen. */
#ifndef CTR_TOOLCHAIN_H
#define CTR_TOOLCHAIN_H

#include <stdbool.h>
#include <stddef.h>

/* the drivers' names and majors: CTR_CLANG, CTR_GCC, ... */
#include "comtainer/config.h"
#include "comtainer/error.h"
#include "ir_kind.h"

/* Who relinks a binary: LLVM bitcode needs LLVM, GIMPLE needs GCC, and a
 * binary with both is mixed (LLVM's part is optimized and compiled into one
 * relocatable object, which GCC then links with its own). */
typedef enum ctr_toolchain {
    CTR_TOOLCHAIN_NONE,
    CTR_TOOLCHAIN_LLVM,
    CTR_TOOLCHAIN_GCC,
    CTR_TOOLCHAIN_MIXED,
} ctr_toolchain;

/* "-", "llvm", "gcc" or "mixed": the summary's TOOL column. */
const char *ctr_toolchain_name(ctr_toolchain tc);
/* "none", "llvm-bc", "gcc-lto" or "mixed": the IR a binary's TUs hold (the
 * plan's IR column). */
const char *ctr_toolchain_ir_name(ctr_toolchain tc);
/* The toolchain that the IR of one more TU of kind `kind` makes of `tc`. */
ctr_toolchain ctr_toolchain_add(ctr_toolchain tc, ctr_ir_kind kind);

enum ctr_toolchain_choice { CTR_TC_AUTO, CTR_TC_LLVM, CTR_TC_GCC };

/* Parse "auto", "llvm" or "gcc"; -1 for anything else. */
int ctr_toolchain_parse(const char *s, enum ctr_toolchain_choice *out);

/* The toolchain for a binary whose IR needs `natural`, under --toolchain
 * `choice`; CTR_TOOLCHAIN_NONE with the reason in err (CTR_E_USAGE when the
 * choice forbids it, CTR_E_UNSUPPORTED when no toolchain reads the IR). */
ctr_toolchain ctr_toolchain_choose(ctr_toolchain natural, enum ctr_toolchain_choice choice,
                                   ctr_error *err);

/* True when GIMPLE written by the GCC of version string `version` ("12.2.0")
 * is readable by this relinker's GCC: the same major. */
bool ctr_gcc_reads(const char *version);

/* The path of a file the native GCC driver links by itself (crt1.o,
 * libgcc.a, ...) into buf; -1 when the toolchain has no such file. */
int ctr_toolchain_file(const char *name, char *buf, size_t size);

#endif
