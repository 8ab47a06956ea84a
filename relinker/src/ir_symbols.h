/* The global symbols a TU input defines, read from the input itself: LLVM
 * bitcode, a GCC slim LTO object, or a plain ELF object recorded at link
 * time.  The relinker compares them with the symbols a binary defines to
 * find code that no stored input accounts for. */
#ifndef CTR_IR_SYMBOLS_H
#define CTR_IR_SYMBOLS_H

#include <stddef.h>

#include "comtainer/irstore.h"

/* Append to out the names of the non-local symbols that the input of the
 * given ir_kind ("llvm-bc", "gcc-lto", "elf-object") defines.  The data is
 * untrusted: malformed input gives an error naming `what`. */
int ctr_ir_defined_symbols(const char *ir_kind, const void *data, size_t len, const char *what,
                           irs_strv *out, ctr_error *err);

#endif
