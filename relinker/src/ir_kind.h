/* The kinds of stored input a record names. */
#ifndef CTR_IR_KIND_H
#define CTR_IR_KIND_H

/* A stored input's kind: a record's "ir_kind" (docs/STORE-FORMAT.md). */
typedef enum ctr_ir_kind {
    CTR_IR_UNKNOWN,    /* a kind this relinker does not read (record_policy refuses it) */
    CTR_IR_LLVM_BC,    /* "llvm-bc": one TU's LLVM bitcode */
    CTR_IR_GCC_LTO,    /* "gcc-lto": one TU's GIMPLE, as a slim LTO object */
    CTR_IR_ELF_OBJECT, /* "elf-object": a native object recorded at link time */
    CTR_IR_LINK,       /* "link": the link's command line, recorded at link time */
} ctr_ir_kind;

ctr_ir_kind ctr_ir_kind_of(const char *name);
const char *ctr_ir_kind_name(ctr_ir_kind kind);

#endif
