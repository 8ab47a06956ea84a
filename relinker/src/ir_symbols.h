/* The global symbols a TU input defines and those it references, read from
 * the input itself: LLVM bitcode, a GCC slim LTO object, or a plain ELF
 * object recorded at link time.  The relinker compares the defined ones with
 * the symbols a binary defines to find code that no stored input accounts
 * for, and checks the referenced ones before swapping a library the binary
 * calls (swap_check.h). */
#ifndef CTR_IR_SYMBOLS_H
#define CTR_IR_SYMBOLS_H

#include <stddef.h>

#include "comtainer/irstore.h"
#include "ir_kind.h"

/* Where the names go: either may be NULL (not wanted). */
typedef struct ctr_ir_symbols {
    irs_strv *defined;    /* non-local symbols the input defines */
    irs_strv *referenced; /* symbols it uses and does not define (LLVM intrinsics left out) */
} ctr_ir_symbols;

/* Append to out the names of the input of the given kind (LLVM bitcode, GCC
 * LTO, ELF object).  The data is untrusted: malformed input gives an error
 * naming `what`. */
int ctr_ir_symbols_read(ctr_ir_kind kind, const void *data, size_t len, const char *what,
                        ctr_ir_symbols *out, ctr_error *err);

#endif
