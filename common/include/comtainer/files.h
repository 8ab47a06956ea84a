/* Files and trees, the one way every component writes, copies, publishes
 * and removes them.  Nothing here follows a symlink it did not create, and
 * nothing is left half-written: a file or tree appears whole at its name, or
 * not at all. */
#ifndef COMTAINER_FILES_H
#define COMTAINER_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "comtainer/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How ctr_file_write and ctr_file_publish treat an existing file. */
enum ctr_write_flags {
    CTR_WRITE_KEEP_SAME = 1 << 0, /* an existing file with the same bytes is left as it is
                                   * (with its timestamp: Ninja sees nothing new) */
    CTR_WRITE_NOREPLACE = 1 << 1, /* an existing file is an error (CTR_E_EXISTS) */
    CTR_WRITE_SYNC = 1 << 2,      /* the bytes reach the disk before the name appears */
};

/* Write all len bytes to fd, retrying short writes and EINTR; a write that
 * makes no progress is ENOSPC.  0, or -1 with errno. */
int ctr_write_all(int fd, const void *buf, size_t len);

/* A new temporary file beside path (path.ctr-tmp-XXXXXX, mode 0600): its
 * name into tmp (size bytes), its descriptor returned; -1 with err. */
int ctr_file_temp(const char *path, char *tmp, size_t size, ctr_error *err);

/* Give the finished temporary file tmp the name path, atomically (flags:
 * enum ctr_write_flags).  tmp is gone afterwards, whatever the outcome. */
int ctr_file_publish(const char *tmp, const char *path, unsigned flags, ctr_error *err);

/* Write data to path atomically (a temporary file renamed into place) with
 * the given mode.  0, or -1 with err and path untouched. */
int ctr_file_write(const char *path, const void *data, size_t len, mode_t mode, unsigned flags,
                   ctr_error *err);

/* Copy the regular file `from` (not followed if a symlink) to the new file
 * `to` (which must not exist), with mode's permission bits; extents are
 * shared where the file system can.  On failure `to` is removed. */
int ctr_file_copy(const char *from, const char *to, mode_t mode, ctr_error *err);

/* True when both files can be read and hold the same bytes. */
bool ctr_file_same(const char *a, const char *b);

/* Remove path and, if it is a directory, everything below it, by
 * descriptors: no symlink is followed, no path is built (trees deeper than
 * PATH_MAX go too), and file systems mounted inside are left alone.  A
 * missing path is no error.  0, or -1 with errno (what could be removed is
 * gone). */
int ctr_tree_remove(const char *path);
/* The same for the entry `name` of the open directory dirfd. */
int ctr_tree_remove_at(int dirfd, const char *name);
/* Remove everything below the directory path, which stays. */
int ctr_tree_empty(const char *path);

/* A copy of the tree `from` at the new path `to` (cp -al): directories
 * recreated with their mode, owner and times; every other entry (files,
 * symlinks, fifos) a hard link to the original.  Both must be on one file
 * system.  On failure `to` is removed. */
int ctr_tree_link(const char *from, const char *to, ctr_error *err);

/* Walk the tree top by descriptors, never following a symlink: visit(ctx,
 * path, st) for every entry below top (a directory before its entries;
 * path is top/...).  With CTR_WALK_ONE_FS, directories of other file
 * systems are not entered.  A visit that returns -1 stops the walk (it
 * filled err); 0, or -1 with err. */
enum ctr_walk_flags { CTR_WALK_ONE_FS = 1 << 0 };
typedef int (*ctr_walk_fn)(void *ctx, const char *path, const struct stat *st, ctr_error *err);
int ctr_tree_walk(const char *top, unsigned flags, ctr_walk_fn visit, void *ctx,
                  ctr_error *err);

/* Give the finished directory tmp the name dest, atomically.  With
 * `replace`, a directory at dest is swapped out (RENAME_EXCHANGE) and
 * removed; without, an existing dest is CTR_E_EXISTS.  On failure dest is
 * as it was and tmp is removed. */
int ctr_tree_publish(const char *tmp, const char *dest, bool replace, ctr_error *err);

/* How the directories of `inner` (an absolute path, "/a/b/c") stand under
 * root, taken one by one and never followed if a symlink: all are
 * directories, one is missing (those after it are too), or one is
 * something else (a symlink, a file).  In the last two cases, the path of
 * that one inside root goes to `at`. */
enum ctr_dirs_state { CTR_DIRS_ALL, CTR_DIRS_MISSING, CTR_DIRS_OTHER };
enum ctr_dirs_state ctr_tree_dirs_state(const char *root, const char *inner, char *at,
                                        size_t size);

#ifdef __cplusplus
}
#endif

#endif
