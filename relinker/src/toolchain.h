/* The native toolchains the relinker drives, and how it chooses one. */
#ifndef CTR_TOOLCHAIN_H
#define CTR_TOOLCHAIN_H

#include <stddef.h>

/* the drivers' names and majors: CTR_CLANG, CTR_GCC, ... */
#include "comtainer/config.h"

enum ctr_toolchain_choice { CTR_TC_AUTO, CTR_TC_LLVM, CTR_TC_GCC };

/* Parse "auto", "llvm" or "gcc"; -1 for anything else. */
int ctr_toolchain_parse(const char *s, enum ctr_toolchain_choice *out);

/* The path of a file the native GCC driver links by itself (crt1.o,
 * libgcc.a, ...) into buf; -1 when the toolchain has no such file. */
int ctr_toolchain_file(const char *name, char *buf, size_t size);

#endif
