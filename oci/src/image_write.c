/* Writing the relinked image: the source's layer blobs byte for byte, the new
 * layer, a config and manifest that describe them, index.json and
 * oci-layout.  The layout is built in a temporary sibling of the output (or,
 * for an oci-archive, staged in the work directory and tarred into a
 * temporary sibling) and renamed into place without replacing anything. */
#include "image_private.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Entries of the oci-archive tar get this mtime: any fixed value will do. */
#define ARCHIVE_MTIME 0

/* OCI media type for a layer: Docker's names for the same bytes map to OCI's. */
static const char *oci_layer_type(const char *mt)
{
    if (!strcmp(mt, "application/vnd.docker.image.rootfs.diff.tar.gzip"))
        return OCI_MEDIA_LAYER_GZIP;
    if (!strcmp(mt, "application/vnd.docker.image.rootfs.diff.tar"))
        return OCI_MEDIA_LAYER_TAR;
    return mt;
}

static int write_all(const char *path, const void *data, size_t len, ctr_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return ctr_error_set(err, errno, "'%s'", path);
    int rc =
        write(fd, data, len) == (ssize_t)len ? 0 : ctr_error_set(err, errno, "writing '%s'", path);
    if (close(fd) < 0 && rc == 0)
        rc = ctr_error_set(err, errno, "writing '%s'", path);
    return rc;
}

/* Serialize j compactly into a blob of dir; fills digest and size. */
static int put_json_blob(const char *dir, json_t *j, char digest[OCI_DIGEST_LEN + 1],
                         uint64_t *size, ctr_error *err)
{
    char *bytes = json_dumps(j, JSON_COMPACT);
    char path[PATH_MAX];
    if (!bytes)
        return ctr_error_set(err, ENOMEM, "json");
    size_t len = strlen(bytes);
    int rc = oci_sha256_buffer(bytes, len, digest, err);
    if (rc == 0 && oci_blob_path(dir, digest, path, sizeof path) < 0)
        rc = ctr_error_set(err, ENAMETOOLONG, "'%s'", dir);
    struct stat st;
    if (rc == 0 && lstat(path, &st) < 0) /* already there: same bytes */
        rc = write_all(path, bytes, len, err);
    *size = len;
    free(bytes);
    return rc;
}

static int put_layer_blob(const char *dir, const oci_layer *l, ctr_error *err)
{
    char path[PATH_MAX];
    struct stat st;
    if (oci_blob_path(dir, l->digest, path, sizeof path) < 0)
        return ctr_error_set(err, ENAMETOOLONG, "'%s'", dir);
    return lstat(path, &st) == 0 ? 0 : ctr_file_copy(l->path, path, 0644, err);
}

static json_t *descriptor(const char *media_type, const char *digest, uint64_t size)
{
    return json_pack("{s:s,s:s,s:I}", "mediaType", media_type, "digest", digest, "size",
                     (json_int_t)size);
}

static json_t *new_config(const oci_image *src, const oci_write_opts *o)
{
    json_t *c = json_deep_copy(src->config);
    json_t *ids = json_object_get(json_object_get(c, "rootfs"), "diff_ids");
    json_t *history = json_object_get(c, "history");
    if (!c || json_array_append_new(ids, json_string(o->layer->diff_id)) < 0) {
        json_decref(c);
        return NULL;
    }
    /* Without a history the config stays without one: a history must list
     * every layer, and we do not know what made the others. */
    if (json_is_array(history)) {
        const char *created = oci_image_created(src);
        json_t *h = json_pack("{s:s,s:s}", "created_by", o->created_by, "comment",
                              "comtainer: programs relinked natively from the IR store");
        if (created)
            json_object_set_new(h, "created", json_string(created));
        json_array_append_new(history, h);
    }
    return c;
}

static json_t *new_manifest(const oci_image *src, const oci_write_opts *o,
                            const char *config_digest, uint64_t config_size)
{
    json_t *layers = json_array(), *ann = json_object();
    for (size_t i = 0; i < src->nlayers; i++)
        json_array_append_new(layers, descriptor(oci_layer_type(src->layers[i].media_type),
                                                 src->layers[i].digest, src->layers[i].size));
    json_array_append_new(layers, descriptor(o->layer->media_type, o->layer->digest,
                                             o->layer->size));
    for (size_t i = 0; i < o->nannotations; i++)
        json_object_set_new(ann, o->annotations[i].key, json_string(o->annotations[i].value));
    return json_pack("{s:i,s:s,s:o,s:o,s:o}", "schemaVersion", 2, "mediaType",
                     OCI_MEDIA_MANIFEST, "config",
                     descriptor(OCI_MEDIA_CONFIG, config_digest, config_size), "layers", layers,
                     "annotations", ann);
}

/* The whole layout in dir (which exists and is empty). */
static int build_layout(const char *dir, const oci_image *src, const oci_write_opts *o,
                        oci_written *out, ctr_error *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/blobs", dir);
    if (mkdir(path, 0755) < 0)
        return ctr_error_set(err, errno, "'%s'", path);
    snprintf(path, sizeof path, "%s/blobs/sha256", dir);
    if (mkdir(path, 0755) < 0)
        return ctr_error_set(err, errno, "'%s'", path);
    for (size_t i = 0; i < src->nlayers; i++)
        if (put_layer_blob(dir, &src->layers[i], err) < 0)
            return -1;
    if (put_layer_blob(dir, o->layer, err) < 0)
        return -1;
    uint64_t config_size, manifest_size;
    json_t *config = new_config(src, o);
    if (!config)
        return ctr_error_set(err, ENOMEM, "config");
    int rc = put_json_blob(dir, config, out->config_digest, &config_size, err);
    json_decref(config);
    json_t *manifest = rc == 0 ? new_manifest(src, o, out->config_digest, config_size) : NULL;
    if (rc == 0 && (!manifest || put_json_blob(dir, manifest, out->manifest_digest,
                                               &manifest_size, err) < 0))
        rc = manifest ? -1 : ctr_error_set(err, ENOMEM, "manifest");
    json_decref(manifest);
    if (rc < 0)
        return -1;
    json_t *entry = descriptor(OCI_MEDIA_MANIFEST, out->manifest_digest, manifest_size);
    json_object_set_new(entry, "annotations",
                        json_pack("{s:s}", OCI_ANNOTATION_REF_NAME, o->ref_name));
    json_t *index = json_pack("{s:i,s:s,s:[o]}", "schemaVersion", 2, "mediaType",
                              OCI_MEDIA_INDEX, "manifests", entry);
    char *bytes = index ? json_dumps(index, JSON_COMPACT) : NULL;
    json_decref(index);
    snprintf(path, sizeof path, "%s/index.json", dir);
    rc = bytes ? write_all(path, bytes, strlen(bytes), err) : ctr_error_set(err, ENOMEM, "index");
    free(bytes);
    static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
    snprintf(path, sizeof path, "%s/oci-layout", dir);
    return rc < 0 ? -1 : write_all(path, layout, sizeof layout - 1, err);
}

/* The layout in dir as a deterministic tar into fd. */
static int tar_layout(const char *dir, const oci_image *src, const oci_write_opts *o,
                      const oci_written *w, int fd, ctr_error *err)
{
    size_t cap = src->nlayers + 8, n = 0;
    oci_layer_entry *v = calloc(cap, sizeof *v);
    if (!v)
        return ctr_error_set(err, ENOMEM, "archive");
    const char *names[] = {"oci-layout", "index.json", "blobs", "blobs/sha256"};
    for (size_t i = 0; i < 4; i++)
        v[n++] = (oci_layer_entry){.path = strdup(names[i]),
                                   .mode = i < 2 ? S_IFREG | 0644 : S_IFDIR | 0755};
    const char *digests[cap];
    size_t nd = 0;
    for (size_t i = 0; i < src->nlayers; i++)
        digests[nd++] = src->layers[i].digest;
    digests[nd++] = o->layer->digest;
    digests[nd++] = w->config_digest;
    digests[nd++] = w->manifest_digest;
    for (size_t i = 0; i < nd; i++) {
        bool seen = false;
        for (size_t k = 0; k < i; k++)
            seen |= !strcmp(digests[k], digests[i]);
        if (!seen && asprintf(&v[n].path, "blobs/sha256/%s", digests[i] + 7) >= 0)
            v[n++].mode = S_IFREG | 0644;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!v[i].path || (S_ISREG(v[i].mode) && asprintf(&v[i].host, "%s/%s", dir, v[i].path) < 0))
            rc = ctr_error_set(err, ENOMEM, "archive");
    }
    if (rc == 0)
        rc = oci_tar_write(v, n, ARCHIVE_MTIME, fd, err);
    for (size_t i = 0; i < n; i++) {
        free(v[i].path);
        free(v[i].host);
    }
    free(v);
    return rc;
}

/* "DIR/.BASE.ctr-tmp-XXXXXX" for the output path. */
static int temp_sibling(const char *out, char *buf, size_t size)
{
    char a[PATH_MAX], b[PATH_MAX];
    snprintf(a, sizeof a, "%s", out);
    snprintf(b, sizeof b, "%s", out);
    int n = snprintf(buf, size, "%s/.%s.ctr-tmp-XXXXXX", dirname(a), basename(b));
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int write_archive(const oci_image *src, const oci_write_opts *o, oci_written *w,
                         const char *tmp, ctr_error *err)
{
    char stage[PATH_MAX];
    snprintf(stage, sizeof stage, "%s/image-out", o->scratch);
    ctr_tree_remove(stage);
    if (mkdir(stage, 0755) < 0)
        return ctr_error_set(err, errno, "'%s'", stage);
    int fd = mkstemp((char *)tmp);
    int rc = fd < 0 ? ctr_error_set(err, errno, "'%s'", tmp) : build_layout(stage, src, o, w, err);
    if (rc == 0)
        rc = tar_layout(stage, src, o, w, fd, err);
    if (rc == 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
        rc = ctr_error_set(err, errno, "'%s'", tmp);
    if (fd >= 0 && close(fd) < 0 && rc == 0)
        rc = ctr_error_set(err, errno, "'%s'", tmp);
    ctr_tree_remove(stage);
    return rc;
}

int oci_image_write(const oci_image *src, const oci_write_opts *o, oci_written *w,
                    ctr_error *err)
{
    const char *out = o->output->path;
    char tmp[PATH_MAX];
    struct stat st;
    *w = (oci_written){0};
    if (lstat(out, &st) == 0)
        return ctr_error_set(err, 0, "'%s' exists: not overwritten", out);
    if (temp_sibling(out, tmp, sizeof tmp) < 0)
        return ctr_error_set(err, ENAMETOOLONG, "'%s'", out);
    int rc;
    if (o->output->kind == OCI_REF_ARCHIVE) {
        rc = write_archive(src, o, w, tmp, err);
    } else if (!mkdtemp(tmp)) {
        return ctr_error_set(err, errno, "'%s'", tmp);
    } else if ((rc = build_layout(tmp, src, o, w, err)) == 0 && chmod(tmp, 0755) < 0) {
        rc = ctr_error_set(err, errno, "'%s'", tmp);
    }
    /* RENAME_NOREPLACE: an output that appeared meanwhile is not replaced */
    if (rc == 0 && renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_NOREPLACE) < 0)
        rc = ctr_error_set(err, errno, "'%s'", out);
    if (rc < 0)
        ctr_tree_remove(tmp);
    return rc;
}
