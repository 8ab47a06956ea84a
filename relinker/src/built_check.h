/* The checks a relinked file passes before it is used: it exists (the link
 * rule removes its output first, so a failed link leaves nothing), names
 * the same TUs, loads in the image (every library it needs is there, with
 * every symbol version it needs: the native toolchain's libc may be newer
 * than the image's), and, for a shared library, exports every symbol the
 * original did. */
#ifndef CTR_BUILT_CHECK_H
#define CTR_BUILT_CHECK_H

#include "plan.h"

/* The image's libraries that relinked files need, each read once per run:
 * most binaries need the same few (libc, libm, libstdc++). */
typedef struct ctr_lib_cache ctr_lib_cache;

ctr_lib_cache *ctr_lib_cache_new(const char *root);
void ctr_lib_cache_free(ctr_lib_cache *c);

/* The link facts of the image's library at inner path `inner` (NULL: none),
 * read once per cache; NULL when absent, unreadable or out of memory. */
const ctr_elf_link *ctr_lib_cache_get(ctr_lib_cache *c, const char *inner);
/* The same for the library `name` (a DT_NEEDED entry) as binary b finds it
 * in the cache's root (ctr_rootfs_find_needed). */
const ctr_elf_link *ctr_lib_cache_find(ctr_lib_cache *c, const ctr_binary *b, const char *name);

/* 0 when the file at path may replace binary e; else -1 with the reason in
 * why (CTR_E_TOOL: the link failed; CTR_E_INPUT: the file is not what it
 * must be; CTR_E_NOMEM). */
int ctr_built_check(const ctr_plan_entry *e, const char *path, ctr_lib_cache *libs,
                    ctr_error *why);

#endif
