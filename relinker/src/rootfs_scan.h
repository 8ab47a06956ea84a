/* Finding the programs and libraries of a root filesystem that name TUs,
 * and the libraries each one needs, resolved inside the root. */
#ifndef CTR_ROOTFS_SCAN_H
#define CTR_ROOTFS_SCAN_H

#include "elf_link.h"

typedef struct ctr_needed {
    char *name;  /* DT_NEEDED entry */
    char *found; /* its path inside the image, NULL if not found there */
} ctr_needed;

typedef struct ctr_binary {
    char *inner;         /* path inside the image, e.g. /usr/bin/app */
    char *host;          /* path on this machine */
    ctr_elf_link *link;
    ctr_needed *needed;  /* link->needed.n entries */
} ctr_binary;

typedef struct ctr_rootfs {
    char *root;
    ctr_binary *v;
    size_t n;
    size_t elf_files; /* ELF files seen, with or without TU records */
    /* the directories holding an IR store (a regular file FORMAT with the
     * store format line; rootfs_stores.h), inner paths, sorted, the default
     * store (/var/lib/comtainer/store) first */
    irs_strv stores;
} ctr_rootfs;

/* Walk root (never following symlinks, never leaving it or its file
 * system) and collect every ELF executable or shared library that names at
 * least one TU, sorted by inner path, and every IR store.  Files that
 * cannot be parsed are reported through warn and skipped; more than
 * CTR_MAX_STORES stores are an error. */
int ctr_rootfs_scan(const char *root, void (*warn)(const char *msg), ctr_rootfs **out,
                    ctr_error *err);
void ctr_rootfs_free(ctr_rootfs *fs);

/* Find library `name` (a DT_NEEDED entry) for binary b inside root: its
 * RUNPATH ($ORIGIN = its directory), then the default directories.  The
 * inner path, malloc'ed, or NULL when the image has no such library. */
char *ctr_rootfs_find_needed(const char *root, const ctr_binary *b, const char *name);

#endif
