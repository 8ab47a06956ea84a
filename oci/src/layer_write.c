/* Writing a new layer: a deterministic tar (sorted entries, one fixed mtime,
 * numeric owners, no atime/ctime, no root entry) streamed through zlib's gzip
 * (header mtime 0) into the blob file, hashing both streams on the way. */
#include "comtainer/files.h"
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
#include <zlib.h>

/* zlib's default level: within a few percent of 9, at a third of the time. */
#define GZIP_LEVEL 6

struct layer_sink {
    int fd;
    z_stream z;
    oci_sha256 *tar_hash, *gz_hash;
    uint64_t tar_bytes, gz_bytes;
    int errnum; /* first write failure */
    bool raw;   /* write the tar as it is (no gzip, no hashes) */
    unsigned char out[1 << 16];
};

static int drain(struct layer_sink *s, int flush)
{
    int zr;
    do {
        s->z.next_out = s->out;
        s->z.avail_out = sizeof s->out;
        zr = deflate(&s->z, flush);
        size_t n = sizeof s->out - s->z.avail_out;
        if (zr == Z_STREAM_ERROR || (n && ctr_write_all(s->fd, s->out, n) < 0)) {
            s->errnum = zr == Z_STREAM_ERROR ? EIO : errno ? errno : EIO;
            return -1;
        }
        oci_sha256_update(s->gz_hash, s->out, n);
        s->gz_bytes += n;
    } while (s->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
    return 0;
}

static la_ssize_t sink_write(struct archive *a, void *vs, const void *buf, size_t len)
{
    (void)a;
    struct layer_sink *s = vs;
    if (s->raw) {
        if (ctr_write_all(s->fd, buf, len) < 0) {
            s->errnum = errno ? errno : EIO;
            return -1;
        }
        return (la_ssize_t)len;
    }
    oci_sha256_update(s->tar_hash, buf, len);
    s->tar_bytes += len;
    s->z.next_in = (unsigned char *)buf;
    s->z.avail_in = (uInt)len;
    return drain(s, Z_NO_FLUSH) < 0 ? -1 : (la_ssize_t)len;
}

static int compare_entries(const void *a, const void *b)
{
    return strcmp(((const oci_layer_entry *)a)->path, ((const oci_layer_entry *)b)->path);
}

static int copy_data(struct archive *a, const char *host, int64_t size, ctr_error *err)
{
    int fd = open(host, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return ctr_error_set(err, errno, "'%s'", host);
    char buf[1 << 16];
    ssize_t n;
    int64_t total = 0;
    while ((n = read(fd, buf, sizeof buf)) > 0 && total + n <= size) {
        if (archive_write_data(a, buf, (size_t)n) != n) {
            close(fd);
            return ctr_error_set(err, 0, "'%s': %s", host, archive_error_string(a));
        }
        total += n;
    }
    close(fd);
    if (n < 0 || total != size)
        return ctr_error_set(err, n < 0 ? errno : 0, "'%s' changed while being read", host);
    return 0;
}

static int write_entry(struct archive *a, const oci_layer_entry *le, time_t mtime,
                       ctr_error *err)
{
    struct archive_entry *e = archive_entry_new();
    if (!e)
        return ctr_error_set(err, ENOMEM, "'%s'", le->path);
    int64_t size = 0;
    struct stat st;
    if (S_ISREG(le->mode) && le->host) {
        if (lstat(le->host, &st) < 0 || !S_ISREG(st.st_mode)) {
            archive_entry_free(e);
            return ctr_error_set(err, errno, "'%s': not a regular file", le->host);
        }
        size = st.st_size;
    }
    archive_entry_set_pathname(e, le->path);
    archive_entry_set_mode(e, le->mode);
    archive_entry_set_uid(e, le->uid);
    archive_entry_set_gid(e, le->gid);
    archive_entry_set_mtime(e, mtime, 0);
    archive_entry_set_size(e, size);
    if (S_ISLNK(le->mode))
        archive_entry_set_symlink(e, le->host);
    int rc = archive_write_header(a, e) != ARCHIVE_OK
                 ? ctr_error_set(err, 0, "'%s': %s", le->path, archive_error_string(a))
             : size ? copy_data(a, le->host, size, err)
                    : 0;
    archive_entry_free(e);
    return rc;
}

static int write_tar(struct layer_sink *s, oci_layer_entry *v, size_t n, time_t mtime,
                     ctr_error *err)
{
    struct archive *a = archive_write_new();
    if (!a)
        return ctr_error_set(err, ENOMEM, "tar");
    /* pax only where ustar cannot say it (long names), and then without times */
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_none(a);
    int rc = 0;
    if (archive_write_open(a, s, NULL, sink_write, NULL) != ARCHIVE_OK)
        rc = ctr_error_set(err, s->errnum, "tar: %s", archive_error_string(a));
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = write_entry(a, &v[i], mtime, err);
    if (rc == 0 && archive_write_close(a) != ARCHIVE_OK)
        rc = ctr_error_set(err, s->errnum, "tar: %s", archive_error_string(a));
    archive_write_free(a);
    return rc;
}

int oci_layer_write(oci_layer_entry *v, size_t n, time_t mtime, const char *gz_path,
                    oci_layer *out, ctr_error *err)
{
    qsort(v, n, sizeof *v, compare_entries);
    struct layer_sink *s = calloc(1, sizeof *s);
    if (!s)
        return ctr_error_set(err, ENOMEM, "'%s'", gz_path);
    s->tar_hash = oci_sha256_new();
    s->gz_hash = oci_sha256_new();
    /* windowBits 15 + 16: a gzip wrapper whose header has mtime 0 and no name */
    int zr = deflateInit2(&s->z, GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    s->fd = open(gz_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    int rc = 0;
    if (!s->tar_hash || !s->gz_hash || zr != Z_OK)
        rc = ctr_error_set(err, ENOMEM, "'%s'", gz_path);
    else if (s->fd < 0)
        rc = ctr_error_set(err, errno, "'%s'", gz_path);
    if (rc == 0)
        rc = write_tar(s, v, n, mtime, err);
    if (rc == 0 && drain(s, Z_FINISH) < 0)
        rc = ctr_error_set(err, s->errnum, "writing '%s'", gz_path);
    if (s->fd >= 0 && close(s->fd) < 0 && rc == 0)
        rc = ctr_error_set(err, errno, "writing '%s'", gz_path);
    *out = (oci_layer){0};
    if (rc == 0 && (oci_sha256_final(s->tar_hash, out->diff_id, err) < 0 ||
                    oci_sha256_final(s->gz_hash, out->digest, err) < 0))
        rc = -1;
    if (rc == 0 && (!(out->path = strdup(gz_path)) ||
                    !(out->media_type = strdup(OCI_MEDIA_LAYER_GZIP))))
        rc = ctr_error_set(err, ENOMEM, "'%s'", gz_path);
    out->size = s->gz_bytes;
    out->tar_size = s->tar_bytes;
    if (zr == Z_OK)
        deflateEnd(&s->z);
    bool created = s->fd >= 0;
    oci_sha256_free(s->tar_hash);
    oci_sha256_free(s->gz_hash);
    free(s);
    if (rc < 0) {
        oci_layer_clear(out);
        if (created)
            unlink(gz_path);
    }
    return rc;
}

int oci_tar_write(oci_layer_entry *v, size_t n, time_t mtime, int fd, ctr_error *err)
{
    qsort(v, n, sizeof *v, compare_entries);
    struct layer_sink *s = calloc(1, sizeof *s);
    if (!s)
        return ctr_error_set(err, ENOMEM, "tar");
    s->fd = fd;
    s->raw = true;
    int rc = write_tar(s, v, n, mtime, err);
    free(s);
    return rc;
}

void oci_layer_clear(oci_layer *l)
{
    if (!l)
        return;
    free(l->path);
    free(l->media_type);
    *l = (oci_layer){0};
}

char *oci_whiteout_path(const char *path)
{
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    int dirlen = slash ? (int)(base - path) : 0;
    size_t size = strlen(path) + sizeof ".wh.";
    char *w = malloc(size);
    if (w)
        snprintf(w, size, "%.*s.wh.%s", dirlen, path, base);
    return w;
}

/* ---- a whole tree -------------------------------------------------------------------------- */

struct tree_walk {
    size_t rootlen;
    oci_layer_entry *v;
    size_t n, cap;
};

/* Regular files, directories and symlinks (by their target); nothing else
 * goes into a layer. */
static int collect(void *ctx, const char *path, const struct stat *st, ctr_error *err)
{
    struct tree_walk *w = ctx;
    bool dir = S_ISDIR(st->st_mode), link = S_ISLNK(st->st_mode);
    if (!dir && !link && !S_ISREG(st->st_mode))
        return 0;
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 256;
        oci_layer_entry *v = realloc(w->v, cap * sizeof *v);
        if (!v)
            return ctr_error_set(err, ENOMEM, "'%s'", path);
        w->v = v;
        w->cap = cap;
    }
    oci_layer_entry *e = &w->v[w->n];
    *e = (oci_layer_entry){.mode = st->st_mode, .uid = st->st_uid, .gid = st->st_gid};
    char target[PATH_MAX];
    ssize_t tl = link ? readlink(path, target, sizeof target - 1) : 0;
    if (tl >= 0)
        target[tl] = '\0';
    e->path = strdup(path + w->rootlen);
    e->host = link ? strdup(tl >= 0 ? target : "") : dir ? NULL : strdup(path);
    if (!e->path || (!dir && !e->host)) {
        free(e->path);
        free(e->host);
        return ctr_error_set(err, ENOMEM, "'%s'", path);
    }
    w->n++;
    return 0;
}

int oci_tree_layer_write(const char *root, const char *sub, time_t mtime, const char *gz_path,
                         oci_layer *out, ctr_error *err)
{
    char top[PATH_MAX];
    snprintf(top, sizeof top, "%s/%s", root, sub);
    struct tree_walk w = {.rootlen = strlen(root) + 1};
    struct stat st;
    /* the top directory itself, then everything below it */
    int rc = lstat(top, &st) < 0 ? ctr_error_set(err, errno, "'%s'", top)
             : collect(&w, top, &st, err) < 0 ||
                       ctr_tree_walk(top, 0, collect, &w, err) < 0
                 ? -1
                 : oci_layer_write(w.v, w.n, mtime, gz_path, out, err);
    for (size_t i = 0; i < w.n; i++) {
        free(w.v[i].path);
        free(w.v[i].host);
    }
    free(w.v);
    return rc;
}
