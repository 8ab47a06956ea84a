/* An oci-archive or docker-archive, unpacked into the scratch directory
 * before it is read: regular files and directories only, links resolved
 * inside the archive, a bound on the entries (see image_read.c). */
#include "image_private.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- archives: unpacked into the scratch directory ------------------------------------------ */

/* Create the parents of rel under dir (real directories only). */
static int make_parents(const char *dir, const char *rel, ctr_error *err)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, rel) >= (int)sizeof path)
        return ctr_error_set(err, ENAMETOOLONG, "'%s'", rel);
    for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        struct stat st;
        if (mkdir(path, 0755) < 0 &&
            (errno != EEXIST || lstat(path, &st) < 0 || !S_ISDIR(st.st_mode)))
            return ctr_error_set(err, errno == EEXIST ? ENOTDIR : errno, "'%s'", rel);
        *p = '/';
    }
    return 0;
}

static int extract_member(oci_image *img, struct archive *a, struct archive_entry *e,
                          const char *dir, const char *rel, ctr_error *err)
{
    char path[PATH_MAX];
    if (make_parents(dir, rel, err) < 0)
        return -1;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    if (archive_entry_filetype(e) == AE_IFDIR)
        return mkdir(path, 0755) < 0 && errno != EEXIST ? ctr_error_set(err, errno, "'%s'", rel)
                                                        : 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return ctr_error_set(err, errno, "'%s' (a duplicate entry?)", rel);
    const void *buf;
    size_t len;
    la_int64_t off;
    int r, rc = 0;
    /* the declared size, holes of sparse entries included: every byte of it
     * is read again when the blob is hashed */
    la_int64_t size = archive_entry_size(e);
    if (size < 0 || (uint64_t)size > img->unpack_budget)
        rc = ctr_error_set(err, EFBIG, "the archive expands to more than %d times its size "
                                       "plus %llu bytes", OCI_UNPACK_RATIO,
                           (unsigned long long)OCI_UNPACK_FLOOR);
    else
        img->unpack_budget -= (uint64_t)size;
    while (rc == 0 && (r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
        if (off < 0 || (uint64_t)off + len > (uint64_t)size) {
            rc = ctr_error_set(err, 0, "'%s': data beyond the entry's size", rel);
            break;
        }
        ssize_t w = pwrite(fd, buf, len, off);
        if (w != (ssize_t)len) {
            /* a short write sets no errno: the disk is full */
            rc = ctr_error_set(err, w < 0 ? errno : ENOSPC, "writing '%s'", path);
            break;
        }
    }
    if (rc == 0 && r != ARCHIVE_EOF)
        rc = ctr_error_set(err, 0, "'%s': %s", rel, archive_error_string(a));
    /* sparse entries end in a hole: the size is the entry's */
    if (rc == 0 && ftruncate(fd, archive_entry_size(e)) < 0)
        rc = ctr_error_set(err, errno, "'%s'", path);
    if (close(fd) < 0 && rc == 0)
        rc = ctr_error_set(err, errno, "'%s'", path);
    return rc;
}

/* Resolve a symlink of the archive lexically: dir of `rel` joined with
 * target, "." and ".." applied, never above the archive's top.  NULL if it
 * leaves the archive or is absolute. */
static char *resolve_in_archive(const char *rel, const char *target)
{
    char *joined = NULL, *out;
    const char *slash = strrchr(rel, '/');
    if (target[0] == '/' ||
        asprintf(&joined, "%.*s%s%s", slash ? (int)(slash - rel) : 0, rel, slash ? "/" : "",
                 target) < 0)
        return NULL;
    out = calloc(1, strlen(joined) + 1);
    size_t len = 0;
    for (char *save = NULL, *c = strtok_r(joined, "/", &save); out && c;
         c = strtok_r(NULL, "/", &save)) {
        if (!strcmp(c, "."))
            continue;
        if (!strcmp(c, "..")) {
            if (!len) {
                free(out);
                out = NULL;
                break;
            }
            while (len && out[len - 1] != '/')
                len--;
            len = len ? len - 1 : 0;
            out[len] = '\0';
            continue;
        }
        len += (size_t)sprintf(out + len, "%s%s", len ? "/" : "", c);
    }
    free(joined);
    return out;
}

/* Legacy docker save writes ID/layer.tar as a symlink to ../HEX.tar: after
 * the files are out, each such link becomes a hard link to its target. */
struct archive_links {
    char **from, **to;
    size_t n;
};

static int remember_link(struct archive_links *l, const char *rel, const char *target)
{
    char **from = realloc(l->from, (l->n + 1) * sizeof *from);
    char **to = from ? realloc(l->to, (l->n + 1) * sizeof *to) : NULL;
    if (from)
        l->from = from;
    if (to)
        l->to = to;
    if (!from || !to || !(l->from[l->n] = strdup(rel)))
        return -1;
    if (!(l->to[l->n] = resolve_in_archive(rel, target))) {
        free(l->from[l->n]);
        return -2;
    }
    l->n++;
    return 0;
}

/* Make the links (unless the unpack already failed: rc < 0) and free them. */
static int make_links(const oci_image *img, struct archive_links *l, int rc, ctr_error *err)
{
    for (size_t i = 0; i < l->n; i++) {
        char from[PATH_MAX], to[PATH_MAX];
        struct stat st;
        snprintf(from, sizeof from, "%s/%s", img->dir, l->from[i]);
        snprintf(to, sizeof to, "%s/%s", img->dir, l->to[i]);
        if (rc == 0 && (make_parents(img->dir, l->from[i], err) < 0 || lstat(to, &st) < 0 ||
                        !S_ISREG(st.st_mode) || link(to, from) < 0))
            rc = ctr_error_set(err, errno, "%s: symlink '%s' -> '%s': not a file of the archive",
                               img->name, l->from[i], l->to[i]);
        free(l->from[i]);
        free(l->to[i]);
    }
    free(l->from);
    free(l->to);
    return rc;
}

static int unpack_entry(oci_image *img, struct archive *a, struct archive_entry *e,
                        struct archive_links *links, ctr_error *err)
{
    const char *name = archive_entry_pathname(e);
    const char *rel = name ? oci_clean_relative(name) : NULL;
    mode_t type = archive_entry_filetype(e);
    if (!rel)
        return ctr_error_set(err, 0, "%s: entry '%s': absolute or '..' path", img->name,
                             name ? name : "?");
    if (archive_entry_hardlink(e))
        return ctr_error_set(err, 0, "%s: entry '%s': a hard link", img->name, name);
    if (type == AE_IFLNK) {
        int r =
            remember_link(links, rel, archive_entry_symlink(e) ? archive_entry_symlink(e) : "/");
        return r == 0 ? 0
               : r == -2 ? ctr_error_set(err, 0, "%s: entry '%s': symlink leaves the archive",
                                         img->name, name)
                         : ctr_error_set(err, ENOMEM, "%s", img->name);
    }
    if (type != AE_IFREG && type != AE_IFDIR)
        return ctr_error_set(err, 0, "%s: entry '%s': not a file or directory", img->name, name);
    if (++img->unpack_entries > OCI_MAX_ENTRIES)
        return ctr_error_code(err, CTR_E_LIMIT, "%s: more than %u entries", img->name,
                              OCI_MAX_ENTRIES);
    if (*rel && extract_member(img, a, e, img->dir, rel, err) < 0)
        return ctr_error_wrap(err, "%s: entry '%s'", img->name, name);
    return 0;
}

/* Unpack an oci-archive or docker-archive: regular files and directories
 * (and symlinks between them), every path relative and without "..", each
 * at most once. */
int oci__unpack_archive(oci_image *img, const char *file, ctr_error *err)
{
    if (mkdir(img->dir, 0700) < 0)
        return ctr_error_set(err, errno, "'%s'", img->dir);
    struct archive *a = archive_read_new();
    if (!a)
        return ctr_error_set(err, ENOMEM, "%s", img->name);
    archive_read_support_format_tar(a);
    archive_read_support_filter_all(a);
    struct archive_links links = {0};
    int rc = 0, r;
    struct stat st;
    int fd = irs_open_regular(file, IRS_OPEN_NOFOLLOW, img->name, err);
    if (fd < 0 || fstat(fd, &st) < 0) {
        rc = fd < 0 ? -1 : ctr_error_set(err, errno, "%s", img->name);
    } else if ((img->unpack_budget = (uint64_t)st.st_size * OCI_UNPACK_RATIO + OCI_UNPACK_FLOOR),
               archive_read_open_fd(a, fd, 1 << 16) != ARCHIVE_OK) {
        rc = ctr_error_set(err, 0, "%s: %s", img->name, archive_error_string(a));
    } else {
        struct archive_entry *e;
        while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK)
            rc = unpack_entry(img, a, e, &links, err);
        if (rc == 0 && r != ARCHIVE_EOF)
            rc = ctr_error_set(err, 0, "%s: truncated or not a tar archive: %s", img->name,
                               archive_error_string(a));
    }
    archive_read_free(a);
    if (fd >= 0)
        close(fd);
    return make_links(img, &links, rc, err);
}
