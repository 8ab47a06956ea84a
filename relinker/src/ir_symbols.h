/* The global symbols a TU input defines, read from the input itself: LLVM
 * bitcode, a GCC slim LTO object, or a plain ELF object recorded at link
 * time.  The relinker compares them with the symbols a binary defines to
 * find code that no stored input accounts for. */
#ifndef CTR_IR_SYMBOLS_H
#define CTR_IR_SYMBOLS_H

#include <stddef.h>

#include "comtainer/irstore.h"
#include "ir_kind.h"

/* Append to out the names of the non-local symbols that the input of the
 * given kind (LLVM bitcode, GCC LTO, ELF object) defines.  The data is
 * untrusted: malformed input gives an error naming `what`. */
int ctr_ir_defined_symbols(ctr_ir_kind kind, const void *data, size_t len, const char *what,
                           irs_strv *out, ctr_error *err);

#endif
