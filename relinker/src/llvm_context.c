/* A quiet LLVM context (see llvm_context.h). */
#include "llvm_context.h"

#include <stddef.h>

static void drop_diagnostic(LLVMDiagnosticInfoRef info, void *ctx)
{
    (void)info;
    (void)ctx;
}

LLVMContextRef ctr_llvm_context_new(void)
{
    LLVMContextRef ctx = LLVMContextCreate();
    LLVMContextSetDiagnosticHandler(ctx, drop_diagnostic, NULL);
    return ctx;
}
