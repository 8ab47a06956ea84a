/* The kinds of stored input (see ir_kind.h). */
#include "ir_kind.h"

#include <string.h>

static const char *const ir_names[] = {
    [CTR_IR_UNKNOWN] = "unknown",       [CTR_IR_LLVM_BC] = "llvm-bc",
    [CTR_IR_GCC_LTO] = "gcc-lto",       [CTR_IR_ELF_OBJECT] = "elf-object",
    [CTR_IR_LINK] = "link",
};

ctr_ir_kind ctr_ir_kind_of(const char *name)
{
    for (int k = CTR_IR_LLVM_BC; k <= CTR_IR_LINK; k++)
        if (!strcmp(name, ir_names[k]))
            return (ctr_ir_kind)k;
    return CTR_IR_UNKNOWN;
}

const char *ctr_ir_kind_name(ctr_ir_kind kind)
{
    return (unsigned)kind <= CTR_IR_LINK ? ir_names[kind] : "unknown";
}
