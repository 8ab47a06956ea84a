/* The link-time recorder's view of one linker input: what it is and what
 * the recorder does with it (see README.md). */
#ifndef COMTAINER_LD_INPUT_H
#define COMTAINER_LD_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "comtainer/irstore.h"

enum ld_input_class {
    LDI_TU,      /* ELF relocatable with a .comtainer section: IR captured */
    LDI_LTO,     /* LTO IR only (GCC .gnu.lto_* without code, LLVM bitcode) */
    LDI_RUNTIME, /* a file the compiler driver adds to every link (crt*.o, libgcc.a...) */
    LDI_OBJECT,  /* any other ELF relocatable: code without IR, stored */
    LDI_SHARED,  /* an ELF shared library */
    LDI_ARCHIVE, /* an ar archive as a whole (its members come one by one) */
    LDI_OTHER,   /* anything else the linker offered */
};

const char *ld_input_class_name(enum ld_input_class c);

struct ld_input {
    enum ld_input_class cls;
    char *path;           /* "FILE" or "ARCHIVE(MEMBER)" */
    void *data;           /* LDI_OBJECT: the object's bytes */
    size_t size;
    char **ids;           /* LDI_TU: the TU ids of its .comtainer (NULL-terminated) */
    size_t nids;
    void *carried;        /* LDI_TU: a copy of its IRS_CARRY_SECTION (built under a
                             compile cache), or NULL */
    size_t carried_size;
    bool has_target;      /* ELF: target below is filled */
    irs_elf_target target;
};

/* Examine the input the linker offers (name, fd, offset, size, as in
 * struct ld_plugin_input_file), reading it with pread only.  0, or -1 with
 * err set (an unreadable or malformed input). */
int ld_input_examine(const char *name, int fd, off_t offset, off_t size, struct ld_input *in,
                     ctr_error *err);
void ld_input_clear(struct ld_input *in);

/* Forget the archive member tables cached by ld_input_examine. */
void ld_input_cache_free(void);

#endif
