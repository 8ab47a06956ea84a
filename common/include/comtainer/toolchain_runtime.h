/* What a compiler driver adds to every link by itself on GNU/Linux: start
 * files, static support libraries and the shared runtime libraries of the
 * languages.  One table, read by the link recorder (which does not record
 * these files as the link's inputs), by the relinker's symbol accounting
 * (their symbols are no code the store must hold) and by its link commands
 * (a shared runtime is named with the driver's flag, not by its path in the
 * image). */
#ifndef COMTAINER_TOOLCHAIN_RUNTIME_H
#define COMTAINER_TOOLCHAIN_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ctr_runtime_kind {
    CTR_RUNTIME_START,  /* a start file: crt1.o, crtbegin.o, ... */
    CTR_RUNTIME_STATIC, /* a static support or runtime library: libgcc.a, ... */
    CTR_RUNTIME_SHARED, /* a shared runtime library, by its SONAME */
} ctr_runtime_kind;

typedef struct ctr_runtime_file {
    const char *name;      /* file name, or SONAME for CTR_RUNTIME_SHARED */
    ctr_runtime_kind kind;
    bool every_link;       /* the GCC driver links it into every program or library of
                            * its kind (its symbols are the toolchain's) */
    const char *flag;      /* CTR_RUNTIME_SHARED: how a link names it ("-lm"; "" when the
                            * driver always adds it) */
} ctr_runtime_file;

/* The table; its last entry has name NULL. */
extern const ctr_runtime_file ctr_runtime_files[];

/* The entry for a file name (a start file or an archive, by base name:
 * patterns such as crt*.o and libclang_rt.*.a included) or a SONAME; NULL
 * when the toolchain does not add it. */
const ctr_runtime_file *ctr_runtime_find(const char *base, ctr_runtime_kind kind);

#ifdef __cplusplus
}
#endif

#endif
