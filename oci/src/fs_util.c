/* Files of an unpacked image: removing trees without following symlinks
 * (an image may hold symlinks to anywhere), writing and copying files. */
#include "image_private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* name in dirfd and everything below it, by descriptors: no path is ever
 * built, so trees deeper than PATH_MAX go too; other file systems mounted
 * inside are left alone (dev). */
static int remove_at(int dirfd, const char *name, dev_t dev)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? -1 : 0;
    if (st.st_dev != dev)
        return -1;
    /* a directory without read or search permission for us: make it so */
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == EACCES && fchmodat(dirfd, name, 0700, 0) == 0)
        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int rc = 0;
    for (struct dirent *de; (de = readdir(d));)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
            remove_at(fd, de->d_name, dev) < 0)
            rc = -1;
    closedir(d);
    if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        rc = -1;
    return rc;
}

int oci_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    return remove_at(AT_FDCWD, path, st.st_dev);
}

int oci_empty_dir(const char *path)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd < 0 || fstat(fd, &st) < 0 ? NULL : fdopendir(fd);
    if (!d) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int rc = 0;
    for (struct dirent *de; (de = readdir(d));)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
            remove_at(fd, de->d_name, st.st_dev) < 0)
            rc = -1;
    closedir(d);
    return rc;
}

int oci_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = ENOSPC; /* a write that makes no progress: the disk is full */
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int oci_copy_file(const char *from, const char *to, ctr_error *err)
{
    char what[4200];
    snprintf(what, sizeof what, "'%s'", from);
    int in = irs_open_regular(from, IRS_OPEN_NOFOLLOW, what, err);
    if (in < 0)
        return -1;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (out < 0) {
        close(in);
        return ctr_error_set(err, errno, "'%s'", to);
    }
    int rc = 0;
    ssize_t n;
    /* copy_file_range shares extents where the file system can (reflinks) */
    while ((n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0)) > 0)
        ;
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
        char buf[1 << 16];
        while ((n = read(in, buf, sizeof buf)) > 0)
            if (oci_write_all(out, buf, (size_t)n) < 0) {
                n = -1;
                break;
            }
    }
    if (n < 0)
        rc = ctr_error_set(err, errno, "copying '%s' to '%s'", from, to);
    close(in);
    if (close(out) < 0 && rc == 0)
        rc = ctr_error_set(err, errno, "writing '%s'", to);
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
