/* An LLVM context whose errors come back as return values.  Without a
 * diagnostic handler, LLVM prints an error about bad bitcode and exits the
 * process; the relinker reads untrusted bitcode and must go on. */
#ifndef CTR_LLVM_CONTEXT_H
#define CTR_LLVM_CONTEXT_H

#include <llvm-c/Core.h>

/* A new context (dispose with LLVMContextDispose) that drops diagnostics:
 * every LLVM-C call that can fail reports it through its result. */
LLVMContextRef ctr_llvm_context_new(void);

#endif
