/* File primitives of the store: entry paths, atomic writes, bounded reads. */
#include "irstore_private.h"
#include "comtainer/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

int irs__entry_path(const irs_store *store, const char *dir, const char *hex,
                    char *buf, size_t size)
{
    if (!irs_is_hash_hex(hex))
        return -1;
    int n = snprintf(buf, size, "%s/%s/%.2s/%s", store->root, dir, hex, hex);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

int irs_blob_path(const irs_store *store, const char *hex, char *buf, size_t size)
{
    return irs__entry_path(store, IRS_BLOB_DIR, hex, buf, size);
}

int irs_record_path(const irs_store *store, const char *id, char *buf, size_t size)
{
    return irs__entry_path(store, IRS_RECORD_DIR, id, buf, size);
}

int irs__mkdirs(const char *path, ctr_error *err)
{
    char buf[4096];
    size_t len = strlen(path);
    if (len >= sizeof buf)
        return ctr_error_set(err, ENAMETOOLONG, "creating '%s'", path);
    memcpy(buf, path, len + 1);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, 0777) < 0 && errno != EEXIST)
            return ctr_error_set(err, errno, "creating '%s'", buf);
        *p = c;
        if (!c)
            break;
    }
    return 0;
}

static int open_temp(irs_store *store, char *tmp, size_t size, ctr_error *err)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        uint64_t r = 0;
        if (getrandom(&r, sizeof r, 0) != sizeof r)
            r = (uint64_t)getpid() * 2654435761u ^ (uint64_t)(uintptr_t)tmp;
        if (snprintf(tmp, size, "%s/%s/%ld.%016llx", store->root, IRS_TMP_DIR,
                     (long)getpid(), (unsigned long long)r) >= (int)size)
            return ctr_error_set(err, ENAMETOOLONG, "store '%s'", store->root);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0)
            return fd;
        if (errno != ENOENT || attempt)
            return ctr_error_set(err, errno, "creating temp file '%s'", tmp);
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", store->root, IRS_TMP_DIR);
        if (irs__mkdirs(dir, err) < 0)
            return -1;
    }
    return -1;
}

int irs__write_atomic(irs_store *store, const char *final_path, const void *data,
                      size_t len, ctr_error *err)
{
    char tmp[4096];
    int fd = open_temp(store, tmp, sizeof tmp, err);
    if (fd < 0)
        return -1;
    if (ctr_write_all(fd, data, len) < 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return ctr_error_set(err, e, "writing '%s'", tmp);
    }
    if (close(fd) < 0) {
        int e = errno;
        unlink(tmp);
        return ctr_error_set(err, e, "writing '%s'", tmp);
    }
    for (int attempt = 0;; attempt++) {
        if (rename(tmp, final_path) == 0)
            return 0;
        int e = errno;
        if (e == ENOENT && attempt == 0) {
            char dir[4096];
            snprintf(dir, sizeof dir, "%s", final_path);
            char *slash = strrchr(dir, '/');
            if (slash && slash != dir) {
                *slash = '\0';
                if (irs__mkdirs(dir, NULL) == 0)
                    continue;
            }
        }
        unlink(tmp);
        return ctr_error_set(err, e, "renaming '%s' to '%s'", tmp, final_path);
    }
}

static int read_fd(int fd, const char *path, size_t limit, void **buf, size_t *len,
                   ctr_error *err);

int irs_open_regular(const char *path, int flags, const char *what, ctr_error *err)
{
    char quoted[4200];
    if (!what) {
        snprintf(quoted, sizeof quoted, "'%s'", path);
        what = quoted;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
                            (flags & IRS_OPEN_NOFOLLOW ? O_NOFOLLOW : 0));
    if (fd < 0)
        return ctr_error_set(err, errno, "%s", what);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return ctr_error_set(err, e, "%s", what);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return ctr_error_set(err, 0, "%s: not a regular file", what);
    }
    return fd;
}

int irs__read_entry(const irs_store *store, const char *path, size_t limit, void **buf,
                    size_t *len, ctr_error *err)
{
    size_t n = strlen(store->root);
    *buf = NULL;
    *len = 0;
    if (store->rootfd < 0 || strncmp(path, store->root, n) || path[n] != '/')
        return irs__read_file(path, limit, buf, len, err);
    /* O_NONBLOCK: a FIFO must not block the open; it is refused below */
    struct open_how how = {.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW,
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
                                      RESOLVE_NO_MAGICLINKS};
    int fd = (int)syscall(SYS_openat2, store->rootfd, path + n + 1, &how, sizeof how);
    if (fd < 0)
        return ctr_error_set(err, errno, "'%s'%s", path,
                             errno == ELOOP || errno == EXDEV ? " (a symlink on the way)" : "");
    return read_fd(fd, path, limit, buf, len, err);
}

int irs__read_file(const char *path, size_t limit, void **buf, size_t *len,
                   ctr_error *err)
{
    *buf = NULL;
    *len = 0;
    int fd = irs_open_regular(path, IRS_OPEN_NOFOLLOW, NULL, err);
    return fd < 0 ? -1 : read_fd(fd, path, limit, buf, len, err);
}

static int read_fd(int fd, const char *path, size_t limit, void **buf, size_t *len,
                   ctr_error *err)
{
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return ctr_error_set(err, e, "'%s'", path);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return ctr_error_set(err, 0, "'%s': not a regular file", path);
    }
    if ((uint64_t)st.st_size > limit) {
        close(fd);
        return ctr_error_code(err, CTR_E_LIMIT, "'%s': %lld bytes, more than the limit of %zu",
                              path, (long long)st.st_size, limit);
    }
    size_t size = (size_t)st.st_size;
    char *p = malloc(size ? size : 1);
    if (!p) {
        close(fd);
        return ctr_error_set(err, ENOMEM, "'%s'", path);
    }
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, p + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(p);
            close(fd);
            return ctr_error_set(err, e, "reading '%s'", path);
        }
        if (r == 0)
            break; /* shrank under us: the caller's hash check will say so */
        got += (size_t)r;
    }
    close(fd);
    *buf = p;
    *len = got;
    return 0;
}
