/* Writing, copying and publishing files (see comtainer/files.h). */
#include "comtainer/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ctr_write_all(int fd, const void *buf, size_t len)
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

static ssize_t read_full(int fd, char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* path is a regular file holding exactly data. */
static bool holds(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    bool same = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
                (size_t)st.st_size == len;
    char buf[1 << 15];
    for (size_t off = 0; same && off < len;) {
        size_t want = len - off < sizeof buf ? len - off : sizeof buf;
        same = read_full(fd, buf, want) == (ssize_t)want &&
               !memcmp(buf, (const char *)data + off, want);
        off += want;
    }
    if (fd >= 0)
        close(fd);
    return same;
}

bool ctr_file_same(const char *a, const char *b)
{
    int fa = open(a, O_RDONLY | O_NONBLOCK | O_CLOEXEC), fb = open(b, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat sa, sb;
    bool same = fa >= 0 && fb >= 0 && fstat(fa, &sa) == 0 && fstat(fb, &sb) == 0 &&
                S_ISREG(sa.st_mode) && S_ISREG(sb.st_mode) && sa.st_size == sb.st_size;
    char ba[1 << 15], bb[1 << 15];
    while (same) {
        ssize_t na = read_full(fa, ba, sizeof ba), nb = read_full(fb, bb, sizeof bb);
        same = na >= 0 && na == nb && !memcmp(ba, bb, (size_t)na);
        if (na < (ssize_t)sizeof ba)
            break;
    }
    if (fa >= 0)
        close(fa);
    if (fb >= 0)
        close(fb);
    return same;
}

int ctr_file_temp(const char *path, char *tmp, size_t size, ctr_error *err)
{
    int n = snprintf(tmp, size, "%s.ctr-tmp-XXXXXX", path);
    if (n < 0 || (size_t)n >= size)
        return ctr_error_set(err, ENAMETOOLONG, "'%s'", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return ctr_error_set(err, errno, "creating a temporary file for '%s'", path);
    return fd;
}

int ctr_file_publish(const char *tmp, const char *path, unsigned flags, ctr_error *err)
{
    if ((flags & CTR_WRITE_KEEP_SAME) && ctr_file_same(tmp, path)) {
        unlink(tmp);
        return 0;
    }
    int rc = flags & CTR_WRITE_NOREPLACE
                 ? renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE)
                 : rename(tmp, path);
    if (rc == 0)
        return 0;
    int e = errno;
    unlink(tmp);
    return e == EEXIST ? ctr_error_code(err, CTR_E_EXISTS, "'%s' exists: not overwritten", path)
                       : ctr_error_set(err, e, "writing '%s'", path);
}

int ctr_file_write(const char *path, const void *data, size_t len, mode_t mode, unsigned flags,
                   ctr_error *err)
{
    if ((flags & CTR_WRITE_KEEP_SAME) && holds(path, data, len))
        return 0;
    char tmp[4096 + 32];
    int fd = ctr_file_temp(path, tmp, sizeof tmp, err);
    if (fd < 0)
        return -1;
    bool ok = ctr_write_all(fd, data, len) == 0 && fchmod(fd, mode & 07777) == 0 &&
              (!(flags & CTR_WRITE_SYNC) || fsync(fd) == 0);
    int e = errno;
    if (close(fd) < 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        unlink(tmp);
        return ctr_error_set(err, e, "writing '%s'", path);
    }
    return ctr_file_publish(tmp, path, flags & ~(unsigned)CTR_WRITE_KEEP_SAME, err);
}

int ctr_file_copy(const char *from, const char *to, mode_t mode, ctr_error *err)
{
    int in = open(from, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (in < 0 || fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
        int e = in < 0 || errno ? errno : 0;
        if (in >= 0)
            close(in);
        return in >= 0 && !S_ISREG(st.st_mode)
                   ? ctr_error_code(err, CTR_E_INPUT, "'%s': not a regular file", from)
                   : ctr_error_set(err, e, "'%s'", from);
    }
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0) {
        int e = errno;
        close(in);
        return ctr_error_set(err, e, "'%s'", to);
    }
    ssize_t n;
    /* copy_file_range shares extents where the file system can (reflinks) */
    while ((n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0)) > 0)
        ;
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
        char buf[1 << 16];
        while ((n = read(in, buf, sizeof buf)) > 0)
            if (ctr_write_all(out, buf, (size_t)n) < 0) {
                n = -1;
                break;
            }
    }
    int rc = 0;
    if (n < 0)
        rc = ctr_error_set(err, errno, "copying '%s' to '%s'", from, to);
    else if (fchmod(out, mode & 07777) < 0)
        rc = ctr_error_set(err, errno, "'%s'", to);
    close(in);
    if (close(out) < 0 && rc == 0)
        rc = ctr_error_set(err, errno, "writing '%s'", to);
    if (rc < 0)
        unlink(to);
    return rc;
}
