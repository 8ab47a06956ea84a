/* GNU symbol versions that an ELF file defines (SHT_GNU_verdef) and the
 * version of each symbol it exports (SHT_GNU_versym beside .dynsym): what
 * a relink must define again, read back from the original so that no
 * capture is needed.  Part of the link reader (elf_link.c). */
#ifndef CTR_ELF_VERSIONS_H
#define CTR_ELF_VERSIONS_H

#include <libelf.h>

#include "elf_link.h"

/* Fill l->verdef, l->verdef_parent and l->exports_ver from elf (the file at
 * path, untrusted: every offset and index is bounded).  0 when the file
 * defines no version. */
int ctr_elf_read_versions(Elf *elf, ctr_elf_link *l, const char *path, ctr_error *err);

#endif
