/* Removing, copying and publishing trees by descriptors (see
 * comtainer/files.h).  The trees are often an image's unpacked root, whose
 * symlinks point anywhere: every step is relative to an open directory and
 * refuses to follow a symlink. */
#include "comtainer/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int remove_at(int dirfd, const char *name, dev_t dev);

/* Every entry of the open directory fd (which this closes); -1 with the
 * errno of the first failure, after trying them all. */
static int remove_entries(int fd, dev_t dev)
{
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -1;
    }
    int rc = 0, e = 0;
    for (struct dirent *de; (de = readdir(d));)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
            remove_at(fd, de->d_name, dev) < 0 && !e)
            rc = -1, e = errno;
    closedir(d);
    if (rc < 0)
        errno = e;
    return rc;
}

/* name in dirfd and everything below it; other file systems mounted inside
 * are left alone (dev). */
static int remove_at(int dirfd, const char *name, dev_t dev)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? -1 : 0;
    if (st.st_dev != dev) {
        errno = EXDEV;
        return -1;
    }
    /* a directory without read or search permission for us: make it so */
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == EACCES && fchmodat(dirfd, name, 0700, 0) == 0)
        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = remove_entries(fd, dev), e = errno;
    if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && rc == 0)
        rc = -1, e = errno;
    if (rc < 0)
        errno = e;
    return rc;
}

int ctr_tree_remove_at(int dirfd, const char *name)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : -1;
    return remove_at(dirfd, name, st.st_dev);
}

int ctr_tree_empty(const char *path)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return remove_entries(fd, st.st_dev);
}

int ctr_tree_remove(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    return remove_at(AT_FDCWD, path, st.st_dev);
}

/* The directory src's metadata onto the directory fd: owner (when we may:
 * cp -a as an ordinary user keeps its own), mode, times last. */
static int copy_dir_meta(int fd, const struct stat *src)
{
    if (fchown(fd, src->st_uid, src->st_gid) < 0 && errno != EPERM)
        return -1;
    const struct timespec times[2] = {src->st_atim, src->st_mtim};
    return fchmod(fd, src->st_mode & 07777) < 0 || futimens(fd, times) < 0 ? -1 : 0;
}

/* The entries of the open directory sfd into the open directory dfd.  `rel`
 * is the path below the tree's top, for messages only. */
static int link_entries(int sfd, int dfd, char *rel, size_t rel_size, ctr_error *err)
{
    int dup_fd = dup(sfd);
    DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
    if (!d) {
        if (dup_fd >= 0)
            close(dup_fd);
        return ctr_error_set(err, errno, "'%s'", rel);
    }
    size_t base = strlen(rel);
    int rc = 0;
    for (struct dirent *de; rc == 0 && (de = readdir(d));) {
        const char *name = de->d_name;
        struct stat st;
        if (!strcmp(name, ".") || !strcmp(name, ".."))
            continue;
        snprintf(rel + base, rel_size - base, "/%s", name);
        if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            rc = ctr_error_set(err, errno, "'%s'", rel);
        } else if (!S_ISDIR(st.st_mode)) {
            /* linkat without AT_SYMLINK_FOLLOW links a symlink itself */
            if (linkat(sfd, name, dfd, name, 0) < 0)
                rc = ctr_error_set(err, errno, "linking '%s'", rel);
        } else if (mkdirat(dfd, name, 0700) < 0) {
            rc = ctr_error_set(err, errno, "'%s'", rel);
        } else {
            int cs = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            int cd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (cs < 0 || cd < 0)
                rc = ctr_error_set(err, errno, "'%s'", rel);
            else if ((rc = link_entries(cs, cd, rel, rel_size, err)) == 0 &&
                     copy_dir_meta(cd, &st) < 0)
                rc = ctr_error_set(err, errno, "'%s'", rel);
            if (cs >= 0)
                close(cs);
            if (cd >= 0)
                close(cd);
        }
        if (rc == 0)
            rel[base] = '\0';
    }
    closedir(d);
    return rc;
}

int ctr_tree_link(const char *from, const char *to, ctr_error *err)
{
    int sfd = open(from, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (sfd < 0 || fstat(sfd, &st) < 0) {
        int e = errno;
        if (sfd >= 0)
            close(sfd);
        return ctr_error_set(err, e, "'%s'", from);
    }
    if (mkdir(to, 0700) < 0) {
        int e = errno;
        close(sfd);
        return ctr_error_set(err, e, "'%s'", to);
    }
    int dfd = open(to, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    char rel[4096] = "";
    int rc = dfd < 0 ? ctr_error_set(err, errno, "'%s'", to)
                     : link_entries(sfd, dfd, rel, sizeof rel, err);
    if (rc == 0 && copy_dir_meta(dfd, &st) < 0)
        rc = ctr_error_set(err, errno, "'%s'", to);
    if (rc < 0 && dfd >= 0 && *rel)
        ctr_error_wrap(err, "copying '%s' to '%s'", from, to);
    close(sfd);
    if (dfd >= 0)
        close(dfd);
    if (rc < 0)
        ctr_tree_remove(to);
    return rc;
}

struct walk {
    unsigned flags;
    dev_t dev;
    ctr_walk_fn visit;
    void *ctx;
    char path[4096];
};

/* The entries of directory fd, whose path is w->path (len bytes). */
static int walk_dir(struct walk *w, int fd, size_t len, ctr_error *err)
{
    int dup_fd = dup(fd);
    DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
    if (!d) {
        if (dup_fd >= 0)
            close(dup_fd);
        return ctr_error_set(err, errno, "'%s'", w->path);
    }
    int rc = 0;
    for (struct dirent *de; rc == 0 && (de = readdir(d));) {
        struct stat st;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        int n = snprintf(w->path + len, sizeof w->path - len, "/%s", de->d_name);
        if (n < 0 || (size_t)n >= sizeof w->path - len) {
            w->path[len] = '\0';
            rc = ctr_error_set(err, ENAMETOOLONG, "'%s/%s'", w->path, de->d_name);
            break;
        }
        if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            rc = ctr_error_set(err, errno, "'%s'", w->path);
        else if ((rc = w->visit(w->ctx, w->path, &st, err)) == 0 && S_ISDIR(st.st_mode) &&
                 (!(w->flags & CTR_WALK_ONE_FS) || st.st_dev == w->dev)) {
            int sub = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            rc = sub < 0 ? ctr_error_set(err, errno, "'%s'", w->path)
                         : walk_dir(w, sub, len + (size_t)n, err);
            if (sub >= 0)
                close(sub);
        }
        w->path[len] = '\0';
    }
    closedir(d);
    return rc;
}

int ctr_tree_walk(const char *top, unsigned flags, ctr_walk_fn visit, void *ctx,
                  ctr_error *err)
{
    struct walk w = {.flags = flags, .visit = visit, .ctx = ctx};
    struct stat st;
    if ((size_t)snprintf(w.path, sizeof w.path, "%s", top) >= sizeof w.path)
        return ctr_error_set(err, ENAMETOOLONG, "'%s'", top);
    int fd = open(top, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return ctr_error_set(err, e, "'%s'", top);
    }
    w.dev = st.st_dev;
    size_t len = strlen(w.path);
    while (len && w.path[len - 1] == '/') /* "/": entries are "/usr", ... */
        w.path[--len] = '\0';
    int rc = walk_dir(&w, fd, len, err);
    close(fd);
    return rc;
}

int ctr_tree_publish(const char *tmp, const char *dest, bool replace, ctr_error *err)
{
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dest, RENAME_NOREPLACE) == 0)
        return 0;
    int e = errno;
    if (e == EEXIST && replace) {
        /* one atomic swap: dest is never missing */
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dest, RENAME_EXCHANGE) == 0) {
            ctr_tree_remove(tmp); /* now the old tree */
            return 0;
        }
        e = errno;
    }
    ctr_tree_remove(tmp);
    return e == EEXIST ? ctr_error_code(err, CTR_E_EXISTS, "'%s' exists: not overwritten", dest)
                       : ctr_error_set(err, e, "renaming '%s' to '%s'", tmp, dest);
}

enum ctr_dirs_state ctr_tree_dirs_state(const char *root, const char *inner, char *at,
                                        size_t size)
{
    char cur[PATH_MAX] = "", path[PATH_MAX * 2];
    enum ctr_dirs_state state = CTR_DIRS_ALL;
    for (const char *c = inner; *c && state == CTR_DIRS_ALL;) {
        while (*c == '/')
            c++;
        size_t n = strcspn(c, "/"), len = strlen(cur);
        if (!n)
            break;
        snprintf(cur + len, sizeof cur - len, "/%.*s", (int)n, c);
        snprintf(path, sizeof path, "%s%s", root, cur);
        struct stat st;
        state = lstat(path, &st) < 0      ? CTR_DIRS_MISSING
                : !S_ISDIR(st.st_mode) ? CTR_DIRS_OTHER
                                       : CTR_DIRS_ALL;
        c += n;
    }
    if (state != CTR_DIRS_ALL)
        snprintf(at, size, "%s", cur);
    return state;
}
