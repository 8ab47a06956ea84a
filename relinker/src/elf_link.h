/* What a linked ELF file says about its own link: enough to link it again. */
#ifndef CTR_ELF_LINK_H
#define CTR_ELF_LINK_H

#include "comtainer/irstore.h"

enum ctr_elf_kind {
    CTR_ELF_EXEC,   /* ET_EXEC: non-PIE executable */
    CTR_ELF_PIE,    /* ET_DYN with DF_1_PIE or an interpreter */
    CTR_ELF_SHARED, /* ET_DYN shared library */
    CTR_ELF_OTHER,  /* relocatable objects, core files, ... */
};

typedef struct ctr_elf_link {
    enum ctr_elf_kind kind;
    char *interp;       /* PT_INTERP, "" if none */
    char *soname;       /* DT_SONAME, "" if none */
    irs_strv needed;    /* DT_NEEDED in order */
    irs_strv runpath;   /* DT_RUNPATH (or DT_RPATH) split at ':' */
    bool rpath;         /* the search path came from DT_RPATH, not DT_RUNPATH */
    irs_strv exports;   /* defined global/weak dynamic symbols, sorted */
    irs_strv imports;   /* undefined global/weak dynamic symbols, sorted, unique */
    irs_strv weak_imports; /* those of them that are weak (may stay undefined), sorted */
    irs_strv defined;   /* defined global/weak (and hidden) symbols of .symtab (of .dynsym when
                           stripped), without @version, sorted, unique */
    bool stripped;      /* no .symtab: `defined` holds only the dynamic ones */
    irs_strv verneed;   /* symbol versions needed, as "FILE VERSION" (libc.so.6 GLIBC_2.34) */
    irs_strv verdef;    /* symbol versions defined (a library's), without the base, in order */
    irs_strv verdef_parent; /* for each, the version it inherits from, "" none */
    irs_strv exports_ver; /* exported symbols of a defined version: "name@@V" (its
                             default) or "name@V", sorted */
    char **tu_ids;      /* from the .comtainer section, link order */
    size_t ntu;
} ctr_elf_link;

/* Read an ELF file's link facts.  The file is untrusted: malformed dynamic
 * sections give an error naming the file.  *out is owned by the caller. */
int ctr_elf_link_read(const char *path, ctr_elf_link **out, ctr_error *err);
void ctr_elf_link_free(ctr_elf_link *link);
/* The first symbol version that `lib` needs from the library `soname` (its
 * verneed entries "SONAME VERSION") and that `have`, that library as found
 * (NULL: none), does not define; NULL when it defines them all. */
const char *ctr_elf_version_missing(const ctr_elf_link *lib, const char *soname,
                                    const ctr_elf_link *have);
const char *ctr_elf_kind_name(enum ctr_elf_kind kind);

#endif
