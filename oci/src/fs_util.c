/* Removing a tree without following symlinks (an unpacked image may hold
 * symlinks to anywhere). */
#include "image_private.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    /* a directory without read permission comes back as FTW_DNR: try anyway */
    if (type == FTW_DP || type == FTW_DNR)
        return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
    return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int oci_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    return nftw(path, remove_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

int oci_copy_file(const char *from, const char *to, irs_error *err)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return irs_error_set(err, errno, "'%s'", from);
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (out < 0) {
        close(in);
        return irs_error_set(err, errno, "'%s'", to);
    }
    int rc = 0;
    ssize_t n;
    /* copy_file_range shares extents where the file system can (reflinks) */
    while ((n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0)) > 0)
        ;
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
        char buf[1 << 16];
        while ((n = read(in, buf, sizeof buf)) > 0)
            if (write(out, buf, (size_t)n) != n) {
                n = -1;
                break;
            }
    }
    if (n < 0)
        rc = irs_error_set(err, errno, "copying '%s' to '%s'", from, to);
    close(in);
    if (close(out) < 0 && rc == 0)
        rc = irs_error_set(err, errno, "writing '%s'", to);
    if (rc < 0)
        unlink(to);
    return rc;
}

const char *oci_clean_relative(const char *path)
{
    if (path[0] == '/')
        return NULL;
    while (path[0] == '.' && path[1] == '/') {
        path += 2;
        while (*path == '/')
            path++;
    }
    if (!strcmp(path, "."))
        return "";
    for (const char *p = path; *p;) {
        size_t len = strcspn(p, "/");
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return NULL;
        p += len;
        while (*p == '/')
            p++;
    }
    return path;
}

int oci_blob_path(const char *dir, const char *digest, char *buf, size_t size)
{
    if (!oci_digest_valid(digest))
        return -1;
    int n = snprintf(buf, size, "%s/blobs/sha256/%s", dir, digest + 7);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}
