/* Paths inside an unpacked root filesystem, resolved the way the image's
 * own loader would see them, and never outside the root. */
#ifndef CTR_ROOTFS_PATH_H
#define CTR_ROOTFS_PATH_H

#include <stddef.h>

#include "comtainer/irstore.h"

/* Resolve `path` (absolute, as seen inside the image) under `root`, following
 * symlinks as chroot(root) would: absolute link targets restart at root and
 * ".." stops at root.  On success `out` holds the host path of the final
 * file and `inner` (if not NULL) its path inside the image.  Returns -1 with
 * errno-style err when a component is missing or links loop. */
int ctr_rootfs_resolve(const char *root, const char *path, char *out, size_t outsize,
                       char *inner, size_t innersize, ctr_error *err);

#endif
