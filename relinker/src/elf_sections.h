/* Walking the sections of an ELF object held in memory (a stored input):
 * the one loop that ir_symbols.c and object_policy.c share. */
#ifndef CTR_ELF_SECTIONS_H
#define CTR_ELF_SECTIONS_H

#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>

#include "comtainer/irstore.h"

/* Called for each section with its header and name; a negative return
 * (with err set) stops the walk and is returned. */
typedef int (*ctr_section_fn)(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, const char *name,
                              void *ctx, ctr_error *err);

/* fn for every section of the ELF object data[len]; -1 with err naming
 * `what` when the bytes are not an ELF object or a section header is bad. */
int ctr_elf_sections(const void *data, size_t len, const char *what, ctr_section_fn fn,
                     void *ctx, ctr_error *err);

/* The bytes a section holds in the file, in *data and *size (size may be 0);
 * false for SHT_NOBITS or a section libelf cannot read, so no caller ever
 * walks a null buffer with a non-zero size. */
bool ctr_elf_section_bytes(Elf_Scn *scn, const GElf_Shdr *sh, const char **data, size_t *size);

#endif
