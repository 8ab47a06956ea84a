/* Which strings read from an image's ELF files may reach a native link.
 *
 * DT_SONAME, PT_INTERP, DT_RUNPATH/DT_RPATH and DT_NEEDED are written by
 * whoever built the image.  The relinker passes each one to the linker as
 * its own argument (-Xlinker pairs: no driver splits them), and before that
 * each must match a strict grammar, so that none can be read as an option,
 * name a path with '..' in it, or carry a separator a tool might split at:
 *
 *   file name   SONAME, a DT_NEEDED name: 1..255 bytes of [A-Za-z0-9._+~@-],
 *               not starting with '-' or '.'
 *   path        PT_INTERP, a library found in the image: absolute, at most
 *               PATH_MAX bytes, printable ASCII without ',', '\\', quotes or
 *               spaces, no empty, '.' or '..' component
 *   RUNPATH     an absolute path as above, or one starting with $ORIGIN,
 *               ${ORIGIN}, $LIB or $PLATFORM (the dynamic loader's tokens),
 *               where '..' components may follow ($ORIGIN/../lib)
 *
 * A binary with a value outside the grammar is kept as it was, with the
 * field and the value named. */
#ifndef CTR_LINK_POLICY_H
#define CTR_LINK_POLICY_H

#include <stdbool.h>

#include "comtainer/irstore.h"
#include "rootfs_scan.h"

bool ctr_is_file_name(const char *s);
bool ctr_is_clean_path(const char *s);
bool ctr_is_runpath_entry(const char *s);

/* 0 if every string of b's link that reaches the native link is within the
 * grammar; -1 with err naming the field and the value otherwise. */
int ctr_link_strings_check(const ctr_binary *b, ctr_error *err);

#endif
