/* Applying layers into a private root filesystem, safely.
 *
 * Every path is resolved one component at a time from a descriptor of the
 * root with O_NOFOLLOW, so nothing in a layer (a symlink planted by an earlier
 * entry or layer included) can make extraction write or link outside the
 * root: a parent that is a symlink is refused.  Symlinks themselves are
 * created as they are — an absolute target resolves inside the container. */
#include "image_private.h"
#include "comtainer/files.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WHITEOUT ".wh."
#define OPAQUE ".wh..wh..opq"
/* the problem of a file larger than what the bound leaves */
static const char OVER_BOUND[] = "over the bound";

struct applier {
    const char *what; /* "IMAGE: layer N (DIGEST)" */
    int rootfd;
    /* the bound on the layers' tars and, apart, on the declared sizes of
     * the files written; the tar bytes left, the file bytes written */
    uint64_t limit, budget, bytes;
    size_t entries;
    const char *only;
    uint64_t only_bytes;
    char **written; /* paths this layer wrote, for opaque directories */
    size_t nwritten, cap;
};

static int remember(struct applier *ap, const char *rel)
{
    if (ap->nwritten == ap->cap) {
        size_t cap = ap->cap ? ap->cap * 2 : 64;
        char **v = realloc(ap->written, cap * sizeof *v);
        if (!v)
            return -1;
        ap->written = v;
        ap->cap = cap;
    }
    if (!(ap->written[ap->nwritten] = strdup(rel)))
        return -1;
    ap->nwritten++;
    return 0;
}

static void forget_all(struct applier *ap)
{
    for (size_t i = 0; i < ap->nwritten; i++)
        free(ap->written[i]);
    ap->nwritten = 0;
}

/* Was rel, or something below it, written by this layer? */
static bool written_at_or_below(const struct applier *ap, const char *rel)
{
    size_t n = strlen(rel);
    for (size_t i = 0; i < ap->nwritten; i++)
        if (!strncmp(ap->written[i], rel, n) && (!ap->written[i][n] || ap->written[i][n] == '/'))
            return true;
    return false;
}

static bool at_or_below(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return !strncmp(path, dir, n) && (!path[n] || path[n] == '/');
}

/* An opaque directory hides everything lower layers put in it; what this
 * layer wrote there (before or after the marker) stays. */
static int make_opaque(const struct applier *ap, int dirfd, const char *dirrel)
{
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char child[PATH_MAX];
        snprintf(child, sizeof child, "%s%s%s", dirrel, *dirrel ? "/" : "", de->d_name);
        if (!written_at_or_below(ap, child)) {
            rc = ctr_tree_remove_at(fd, de->d_name);
            continue;
        }
        int sub = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0) {
            rc = make_opaque(ap, sub, child);
            close(sub);
        }
    }
    closedir(d);
    return rc;
}

/* ---- resolving a path inside the root ------------------------------------------------ */

/* Open the directory holding rel's last component, creating missing parents
 * when create is set.  *leaf points into rel.  Returns the fd, or -1 with
 * errno (ELOOP/ENOTDIR: a parent is a symlink or not a directory). */
static int open_parent(int rootfd, const char *rel, bool create, const char **leaf)
{
    int fd = dup(rootfd);
    const char *p = rel;
    for (;;) {
        size_t len = strcspn(p, "/");
        const char *next = p + len;
        while (*next == '/')
            next++;
        if (!*next) {
            *leaf = p;
            return fd;
        }
        char comp[NAME_MAX + 1];
        if (len > NAME_MAX) {
            close(fd);
            errno = ENAMETOOLONG;
            return -1;
        }
        memcpy(comp, p, len);
        comp[len] = '\0';
        int sub = -1;
        if (strcmp(comp, ".")) {
            sub = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0 && errno == ENOENT && create && mkdirat(fd, comp, 0755) == 0)
                sub = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        } else {
            sub = dup(fd);
        }
        int saved = errno;
        close(fd);
        if (sub < 0) {
            errno = saved;
            return -1;
        }
        fd = sub;
        p = next;
    }
}

/* ---- one entry -------------------------------------------------------------------------- */

static int set_owner_mode(int fd, struct archive_entry *e)
{
    /* chown before chmod: chown clears set-id bits.  Unprivileged runs keep
     * their own uid (EPERM) rather than fail. */
    if (fchown(fd, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)) < 0 && errno != EPERM)
        return -1;
    return fchmod(fd, archive_entry_perm(e));
}

static int write_file(struct applier *ap, struct archive *a, struct archive_entry *e, int dirfd,
                      const char *name, const char **problem)
{
    if (ctr_tree_remove_at(dirfd, name) < 0)
        return -1;
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    const void *buf;
    size_t len;
    la_int64_t off;
    int r, rc = 0;
    /* the declared size, holes included, against the unpack bound */
    la_int64_t size = archive_entry_size(e);
    if (size < 0 || (uint64_t)size > ap->limit - ap->bytes) {
        *problem = size < 0 ? "a negative size" : OVER_BOUND;
        close(fd);
        return -1;
    }
    ap->bytes += (uint64_t)size;
    while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
        if (off < 0 || (uint64_t)off + len > (uint64_t)size) {
            *problem = "data beyond the entry's size";
            rc = -1;
            break;
        }
        ssize_t w = pwrite(fd, buf, len, off);
        if (w != (ssize_t)len) {
            if (w >= 0)
                errno = ENOSPC; /* a short write: the disk is full */
            rc = -1;
            break;
        }
    }
    if (rc == 0 && r != ARCHIVE_EOF) {
        *problem = archive_error_string(a) ? archive_error_string(a) : "unreadable data";
        rc = -1;
    }
    struct timespec times[2] = {{archive_entry_mtime(e), 0}, {archive_entry_mtime(e), 0}};
    if (rc == 0 && (ftruncate(fd, archive_entry_size(e)) < 0 || set_owner_mode(fd, e) < 0 ||
                    futimens(fd, times) < 0))
        rc = -1;
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

static int make_dir(struct archive_entry *e, int dirfd, const char *name)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode) &&
        ctr_tree_remove_at(dirfd, name) < 0)
        return -1;
    if (mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST)
        return -1;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = set_owner_mode(fd, e);
    close(fd);
    return rc;
}

static int make_symlink(struct archive_entry *e, int dirfd, const char *name)
{
    const char *target = archive_entry_symlink(e);
    if (!target || ctr_tree_remove_at(dirfd, name) < 0 || symlinkat(target, dirfd, name) < 0)
        return -1;
    if (fchownat(dirfd, name, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e),
                 AT_SYMLINK_NOFOLLOW) < 0 && errno != EPERM)
        return -1;
    return 0;
}

/* A hard link to a file an earlier entry or layer put inside the root. */
static int make_hardlink(const struct applier *ap, const char *target, int dirfd,
                         const char *name, const char **problem)
{
    const char *rel = oci_clean_relative(target), *tleaf;
    if (!rel || !*rel) {
        *problem = "hard link target is absolute or leaves the root";
        return -1;
    }
    int tdir = open_parent(ap->rootfd, rel, false, &tleaf);
    struct stat st, old;
    if (tdir < 0 || fstatat(tdir, tleaf, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR(st.st_mode)) {
        *problem = "hard link target is not a file inside the root";
        if (tdir >= 0)
            close(tdir);
        return -1;
    }
    int rc = 0;
    bool same = fstatat(dirfd, name, &old, AT_SYMLINK_NOFOLLOW) == 0 && old.st_ino == st.st_ino &&
                old.st_dev == st.st_dev;
    if (!same && (ctr_tree_remove_at(dirfd, name) < 0 || linkat(tdir, tleaf, dirfd, name, 0) < 0))
        rc = -1;
    int saved = errno;
    close(tdir);
    errno = saved;
    return rc;
}

/* What an entry changes: the path itself, or the path a whiteout removes, or
 * the directory an opaque marker empties. */
static void affected_path(const char *rel, char *buf, size_t size)
{
    const char *slash = strrchr(rel, '/'), *base = slash ? slash + 1 : rel;
    int dirlen = slash ? (int)(slash - rel) : 0;
    if (!strcmp(base, OPAQUE))
        snprintf(buf, size, "%.*s", dirlen, rel);
    else if (!strncmp(base, WHITEOUT, strlen(WHITEOUT)))
        snprintf(buf, size, "%.*s%s%s", dirlen, rel, slash ? "/" : "", base + strlen(WHITEOUT));
    else
        snprintf(buf, size, "%s", rel);
}

static bool wanted(const struct applier *ap, const char *rel, bool removes)
{
    char path[PATH_MAX];
    if (!ap->only)
        return true;
    affected_path(rel, path, sizeof path);
    return at_or_below(path, ap->only) || (removes && at_or_below(ap->only, path));
}

static int apply_entry(struct applier *ap, struct archive *a, struct archive_entry *e,
                       const char *name, ctr_error *err)
{
    const char *rel = oci_clean_relative(name), *leaf, *problem = NULL;
    if (!rel)
        return ctr_error_set(err, 0, "%s: entry '%s': absolute path or '..'", ap->what, name);
    if (!*rel)
        return 0; /* the root itself: the runtime decides its mode */
    mode_t type = archive_entry_filetype(e);
    const char *hardlink = archive_entry_hardlink(e);
    const char *slash = strrchr(rel, '/'), *base = slash ? slash + 1 : rel;
    bool opaque = !strcmp(base, OPAQUE);
    bool whiteout = !opaque && !strncmp(base, WHITEOUT, strlen(WHITEOUT));
    if (!hardlink && (type == AE_IFCHR || type == AE_IFBLK))
        return ctr_error_set(err, 0, "%s: entry '%s': device nodes are refused", ap->what, name);
    if (whiteout && (!base[strlen(WHITEOUT)] || !strncmp(base, ".wh..wh.", 8)))
        return 0; /* aufs bookkeeping (.wh..wh.plnk), not a whiteout */
    /* ".wh.." and ".wh...": once they removed the directory itself or its
     * parent */
    if (whiteout && (!strcmp(base + strlen(WHITEOUT), ".") ||
                     !strcmp(base + strlen(WHITEOUT), "..")))
        return ctr_error_set(err, 0, "%s: entry '%s': a whiteout of '.' or '..'", ap->what, name);
    if (++ap->entries > OCI_MAX_ENTRIES)
        return ctr_error_code(err, CTR_E_LIMIT, "%s: more than %u entries in the image's layers",
                              ap->what, OCI_MAX_ENTRIES);
    if (!wanted(ap, rel, opaque || whiteout))
        return 0;
    if (ap->only && at_or_below(rel, ap->only))
        ap->only_bytes += 512 + (((uint64_t)archive_entry_size(e) + 511) & ~(uint64_t)511);
    /* a whiteout under a directory that does not exist has nothing to remove */
    int dirfd = open_parent(ap->rootfd, rel, !whiteout, &leaf);
    if (dirfd < 0 && whiteout && errno == ENOENT)
        return 0;
    if (dirfd < 0)
        return ctr_error_set(err, errno, "%s: entry '%s': %s", ap->what, name,
                             errno == ELOOP || errno == ENOTDIR
                                 ? "a parent is a symlink or not a directory"
                                 : "cannot create its parent");
    char dirrel[PATH_MAX];
    snprintf(dirrel, sizeof dirrel, "%.*s", slash ? (int)(slash - rel) : 0, rel);
    int rc;
    if (opaque)
        rc = make_opaque(ap, dirfd, dirrel);
    else if (whiteout)
        rc = ctr_tree_remove_at(dirfd, leaf + strlen(WHITEOUT));
    else if (hardlink)
        rc = make_hardlink(ap, hardlink, dirfd, leaf, &problem);
    else if (type == AE_IFDIR)
        rc = make_dir(e, dirfd, leaf);
    else if (type == AE_IFREG)
        rc = write_file(ap, a, e, dirfd, leaf, &problem);
    else if (type == AE_IFLNK)
        rc = make_symlink(e, dirfd, leaf);
    else if (type == AE_IFIFO)
        rc = ctr_tree_remove_at(dirfd, leaf) < 0 ? -1 : mkfifoat(dirfd, leaf, archive_entry_perm(e));
    else
        rc = (problem = "unsupported entry type", -1);
    int saved = errno;
    close(dirfd);
    if (rc < 0 && problem == OVER_BOUND)
        return ctr_error_code(err, CTR_E_LIMIT,
                              "%s: entry '%s': the layers expand to more than %llu bytes "
                              "(a compression bomb? --max-unpacked raises the limit)",
                              ap->what, name, (unsigned long long)ap->limit);
    if (rc < 0)
        return problem ? ctr_error_set(err, 0, "%s: entry '%s': %s", ap->what, name, problem)
                       : ctr_error_set(err, saved, "%s: entry '%s'", ap->what, name);
    return opaque || whiteout || remember(ap, rel) == 0
               ? 0
               : ctr_error_set(err, ENOMEM, "%s: entry '%s'", ap->what, name);
}

/* ---- layers ------------------------------------------------------------------------------ */

/* Layer i, verified in the same pass (layer_verify.c). */
static int apply_layer(struct applier *ap, oci_image *img, size_t i, ctr_error *err)
{
    oci_layer_reader *lr;
    if (oci_layer_reader_open(img, i, ap->what, ap->limit, &ap->budget, &lr, err) < 0)
        return -1;
    struct archive *a = oci_layer_reader_tar(lr);
    struct archive_entry *e;
    int rc = 0, r;
    while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        rc = name ? apply_entry(ap, a, e, name, err)
                  : ctr_error_set(err, 0, "%s: an entry without a usable name", ap->what);
    }
    if (rc == 0 && r != ARCHIVE_EOF)
        rc = ctr_error_set(err, 0, "%s: truncated or malformed tar: %s", ap->what,
                           archive_error_string(a));
    rc = rc == 0 ? oci_layer_reader_finish(lr, err) : oci_layer_reader_fault(lr, err);
    oci_layer_reader_free(lr);
    forget_all(ap);
    return rc;
}

int oci_image_unpack(oci_image *img, const char *root, oci_apply_opts *o, ctr_error *err)
{
    uint64_t limit = o && o->max_unpacked ? o->max_unpacked : oci_default_max_unpacked(img);
    struct applier ap = {.only = o ? o->only : NULL, .limit = limit, .budget = limit};
    ap.rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (ap.rootfd < 0)
        return ctr_error_set(err, errno, "'%s'", root);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < img->nlayers; i++) {
        const oci_layer *l = &img->layers[i];
        char what[512];
        /* a docker-archive's layer has no digest before it is read */
        snprintf(what, sizeof what, "%s: layer %zu (%s)", img->name, i,
                 img->docker ? strrchr(l->path, '/') + 1 : l->digest);
        ap.what = what;
        rc = apply_layer(&ap, img, i, err);
    }
    close(ap.rootfd);
    free(ap.written);
    if (o)
        o->only_tar_bytes = ap.only_bytes;
    /* nothing of a layer that failed, nor of those before it, stays */
    if (rc < 0)
        ctr_tree_empty(root);
    return rc;
}
