/* The IR stores inside a root filesystem: found by the scan (rootfs_scan.c)
 * as every directory that holds a store's FORMAT file, and opened as one
 * chain (irs_store_chain) for the plan and the relink. */
#ifndef CTR_ROOTFS_STORES_H
#define CTR_ROOTFS_STORES_H

#include <sys/stat.h>

#include "rootfs_scan.h"

/* More stores than any real root holds (one per Spack install prefix, and
 * an environment's): beyond, the root is refused rather than each store
 * costing a descriptor for the whole run. */
#define CTR_MAX_STORES 4096

/* For the scan's walk: when the entry at path (host path; its inner path
 * starts rootlen bytes in; st from lstat) is a regular file FORMAT holding
 * exactly the store format line, add its directory's inner path to
 * fs->stores.  Only a regular file is opened (O_NOFOLLOW | O_NONBLOCK, the
 * type checked again on the descriptor), and at most IRS_FORMAT_MAX_BYTES
 * of it read.  A FORMAT of another layout version is reported through warn
 * and not used.  -1 with err (naming the root) beyond CTR_MAX_STORES. */
int ctr_rootfs_store_visit(ctr_rootfs *fs, const char *path, size_t rootlen,
                           const struct stat *st, void (*warn)(const char *msg),
                           ctr_error *err);
/* Sort fs->stores, the default store (IRS_DEFAULT_STORE as the image's
 * loader resolves it) first if it is among them. */
void ctr_rootfs_stores_sort(ctr_rootfs *fs);

/* Open the stores a relink reads, chained in order, into *out, and their
 * names as reports show them into names (appended):
 *  - dir (--store) not NULL: that store alone, named as given, as before;
 *  - else every store of fs->stores (inner paths), each resolved inside the
 *    root and opened with IRS_OPEN_NOFOLLOW; one reached through a symlink
 *    is refused;
 *  - none found: the default store, resolved inside the root as chroot
 *    would, as before this search existed; failing that, err says "the
 *    store '/var/lib/comtainer/store' of 'ROOT_NAME': ...".
 * root_name names the root in messages (the ROOTFS argument or the image).
 * -1 with err, and nothing open, on failure (names may then hold some of
 * the names: the caller clears it either way). */
int ctr_rootfs_stores_open(const ctr_rootfs *fs, const char *dir, const char *root_name,
                           irs_store **out, irs_strv *names, ctr_error *err);

#endif
