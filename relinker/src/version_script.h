/* A version script that defines again the symbol versions of an original
 * ELF file (elf_versions.h): one node per version, in the original's order,
 * with its parent, each listing the symbols of that version, as glibc's
 * maps do.  A symbol of a non-default version (name@V beside name@@W) is
 * made by the IR's own .symver directive; the script lists its name in V
 * too, so that no local: * hides it. */
#ifndef CTR_VERSION_SCRIPT_H
#define CTR_VERSION_SCRIPT_H

#include "comtainer/strbuf.h"
#include "elf_link.h"

/* The script for l into out (nothing when l defines no version).  When
 * every symbol l exports has a version of its own, the first node hides
 * the rest (local: *), as the original's script must have. */
void ctr_version_script(const ctr_elf_link *l, ctr_strbuf *out);

/* The dynamic list of l's exports ({ "name"; ... };), which lld reads as
 * --export-dynamic-symbol-list and ld.bfd as --dynamic-list: LTO would drop
 * or hide inline (linkonce_odr) functions the original exported, and an
 * executable linked with -E exports what it did. */
void ctr_dynamic_list(const ctr_elf_link *l, ctr_strbuf *out);

#endif
