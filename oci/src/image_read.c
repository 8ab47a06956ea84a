/* Reading a source image: an OCI layout (or oci-archive, unpacked first) or a
 * docker-archive.  Every JSON document is size-capped before it is parsed,
 * checked against its descriptor, and checked for the fields we rely on;
 * layer blobs are verified while they are applied (layer_verify.c). */
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

/* ---- descriptors ---------------------------------------------------------------- */

struct descriptor {
    const char *media_type, *digest;
    uint64_t size;
};

static int parse_descriptor(json_t *j, const char *what, struct descriptor *d, ctr_error *err)
{
    json_t *mt = json_object_get(j, "mediaType"), *dg = json_object_get(j, "digest"),
           *sz = json_object_get(j, "size");
    if (!json_is_object(j) || !json_is_string(mt) || !json_is_string(dg) || !json_is_integer(sz))
        return ctr_error_set(err, 0, "%s: descriptor without mediaType, digest or size", what);
    d->media_type = json_string_value(mt);
    d->digest = json_string_value(dg);
    if (json_integer_value(sz) < 0)
        return ctr_error_set(err, 0, "%s: negative size", what);
    d->size = (uint64_t)json_integer_value(sz);
    if (!oci_digest_valid(d->digest))
        return ctr_error_set(err, 0, "%s: unsupported digest '%s'", what, d->digest);
    return 0;
}

static bool is_layer_media_type(const char *mt)
{
    static const char *const ok[] = {
        OCI_MEDIA_LAYER_TAR, OCI_MEDIA_LAYER_GZIP, OCI_MEDIA_LAYER_ZSTD,
        "application/vnd.docker.image.rootfs.diff.tar.gzip",
        "application/vnd.docker.image.rootfs.diff.tar",
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (!strcmp(mt, ok[i]))
            return true;
    return false;
}

/* ---- OCI layouts ---------------------------------------------------------------------- */

static int read_manifest(oci_image *img, const struct descriptor *d, ctr_error *err)
{
    char path[PATH_MAX], what[PATH_MAX + 64];
    snprintf(what, sizeof what, "%s: manifest %s", img->name, d->digest);
    if (oci_blob_path(img->dir, d->digest, path, sizeof path) < 0)
        return ctr_error_code(err, CTR_E_LIMIT, "%s: path too long", what);
    json_t *m;
    if (oci_read_json(path, MAX_MANIFEST_BYTES, d->digest, d->size, what, &m, err) < 0)
        return -1;
    memcpy(img->manifest_digest, d->digest, OCI_DIGEST_LEN + 1);
    int rc = -1;
    json_t *mt = json_object_get(m, "mediaType"), *layers = json_object_get(m, "layers");
    struct descriptor cfg;
    if (!json_is_object(m) || json_integer_value(json_object_get(m, "schemaVersion")) != 2) {
        ctr_error_set(err, 0, "%s: not a schemaVersion 2 manifest", what);
    } else if (mt &&
               (!json_is_string(mt) || (strcmp(json_string_value(mt), OCI_MEDIA_MANIFEST) &&
                                        strcmp(json_string_value(mt), DOCKER_MEDIA_MANIFEST)))) {
        ctr_error_set(err, 0, "%s: media type is not an image manifest", what);
    } else if (!json_is_array(layers)) {
        ctr_error_set(err, 0, "%s: no layers", what);
    } else if (parse_descriptor(json_object_get(m, "config"), what, &cfg, err) == 0 &&
               oci__alloc_layers(img, json_array_size(layers), what, err) == 0) {
        rc = 0;
        if (strcmp(cfg.media_type, OCI_MEDIA_CONFIG) && strcmp(cfg.media_type, DOCKER_MEDIA_CONFIG))
            rc = ctr_error_set(err, 0, "%s: config media type '%s'", what, cfg.media_type);
        for (size_t i = 0; rc == 0 && i < img->nlayers; i++) {
            struct descriptor ld;
            oci_layer *l = &img->layers[i];
            if (parse_descriptor(json_array_get(layers, i), what, &ld, err) < 0)
                rc = -1;
            else if (!is_layer_media_type(ld.media_type))
                rc = ctr_error_set(err, 0, "%s: layer %s: unsupported media type '%s'", what,
                                   ld.digest, ld.media_type);
            else if (oci_blob_path(img->dir, ld.digest, path, sizeof path) < 0 ||
                     !(l->path = strdup(path)) || !(l->media_type = strdup(ld.media_type)))
                rc = ctr_error_set(err, ENOMEM, "%s", what);
            if (rc == 0) {
                memcpy(l->digest, ld.digest, OCI_DIGEST_LEN + 1);
                l->size = ld.size;
            }
        }
        if (rc == 0) {
            memcpy(img->config_digest, cfg.digest, OCI_DIGEST_LEN + 1);
            img->config_size = cfg.size;
            rc = oci_blob_path(img->dir, cfg.digest, path, sizeof path) < 0 ||
                         !(img->config_path = strdup(path))
                     ? ctr_error_set(err, ENOMEM, "%s", what)
                     : oci__read_config(img, cfg.digest, cfg.size, err);
        }
    }
    json_decref(m);
    return rc;
}

static const char *ref_name(json_t *desc)
{
    return json_string_value(
        json_object_get(json_object_get(desc, "annotations"), OCI_ANNOTATION_REF_NAME));
}

/* The image manifests of the index (artifacts, which carry artifactType,
 * and nested indexes are not images). */
static bool is_image_entry(json_t *desc)
{
    const char *mt = json_string_value(json_object_get(desc, "mediaType"));
    return mt && (!strcmp(mt, OCI_MEDIA_MANIFEST) || !strcmp(mt, DOCKER_MEDIA_MANIFEST)) &&
           !json_object_get(desc, "artifactType");
}

static int choose_manifest(oci_image *img, json_t *manifests, json_t **chosen, ctr_error *err)
{
    size_t i, found = 0, images = 0;
    json_t *d;
    char tags[512] = "";
    json_array_foreach(manifests, i, d) {
        if (!is_image_entry(d))
            continue;
        const char *name = ref_name(d);
        images++;
        if (img->tag ? name && !strcmp(name, img->tag) : true) {
            found++;
            *chosen = d;
        }
        if (name && strlen(tags) + strlen(name) + 3 < sizeof tags)
            strcat(strcat(tags, *tags ? ", " : ""), name);
    }
    if (img->tag && found > 1)
        return ctr_error_set(err, 0, "%s: tag '%s' is ambiguous (%zu manifests)", img->name,
                             img->tag, found);
    if (img->tag && !found)
        return ctr_error_set(err, 0, "%s: no tag '%s' (tags: %s)", img->name, img->tag,
                             *tags ? tags : "none");
    if (!images)
        return ctr_error_set(err, 0, "%s: index.json lists no image manifest", img->name);
    if (found > 1)
        return ctr_error_set(err, 0, "%s: %zu images, name one with :TAG (tags: %s)", img->name,
                             found, *tags ? tags : "none");
    if (!img->tag && ref_name(*chosen) && !(img->tag = strdup(ref_name(*chosen))))
        return ctr_error_set(err, ENOMEM, "%s", img->name);
    return 0;
}

static int open_layout(oci_image *img, ctr_error *err)
{
    char path[PATH_MAX], what[PATH_MAX + 32];
    json_t *layout, *index;
    snprintf(path, sizeof path, "%s/oci-layout", img->dir);
    snprintf(what, sizeof what, "%s: oci-layout", img->name);
    if (oci_read_json(path, MAX_INDEX_BYTES, NULL, 0, what, &layout, err) < 0)
        return -1;
    bool version_ok = json_is_string(json_object_get(layout, "imageLayoutVersion"));
    json_decref(layout);
    if (!version_ok)
        return ctr_error_set(err, 0, "%s: no imageLayoutVersion", what);
    snprintf(path, sizeof path, "%s/index.json", img->dir);
    snprintf(what, sizeof what, "%s: index.json", img->name);
    if (oci_read_json(path, MAX_INDEX_BYTES, NULL, 0, what, &index, err) < 0)
        return -1;
    json_t *manifests = json_object_get(index, "manifests"), *chosen = NULL;
    json_t *mt = json_object_get(index, "mediaType");
    int rc = -1;
    struct descriptor d;
    if (json_integer_value(json_object_get(index, "schemaVersion")) != 2 ||
        !json_is_array(manifests))
        ctr_error_set(err, 0, "%s: not a schemaVersion 2 index with manifests", what);
    else if (mt && (!json_is_string(mt) || strcmp(json_string_value(mt), OCI_MEDIA_INDEX)))
        ctr_error_set(err, 0, "%s: media type is not an image index", what);
    else if (choose_manifest(img, manifests, &chosen, err) == 0 &&
             parse_descriptor(chosen, what, &d, err) == 0)
        rc = read_manifest(img, &d, err);
    json_decref(index);
    return rc;
}

static bool exists_in(const char *dir, const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int oci_image_open(const oci_ref *ref, const char *scratch, oci_image **out, ctr_error *err)
{
    *out = NULL;
    oci_image *img = calloc(1, sizeof *img);
    if (!img)
        return ctr_error_set(err, ENOMEM, "image");
    int n = ref->tag ? asprintf(&img->name, "%s:%s", ref->path, ref->tag)
                     : asprintf(&img->name, "%s", ref->path);
    img->tag = ref->tag ? strdup(ref->tag) : NULL;
    img->dir = strdup(ref->kind == OCI_REF_ARCHIVE ? scratch : ref->path);
    if (n < 0 || !img->dir || (ref->tag && !img->tag)) {
        if (n < 0)
            img->name = NULL;
        oci_image_free(img);
        return ctr_error_set(err, ENOMEM, "image");
    }
    int rc = 0;
    if (ref->kind == OCI_REF_ARCHIVE)
        rc = oci__unpack_archive(img, ref->path, err);
    if (rc == 0 && ref->kind == OCI_REF_ROOTFS)
        rc = ctr_error_set(err, 0, "'%s': not an image", ref->path);
    if (rc == 0) {
        if (exists_in(img->dir, "oci-layout"))
            rc = open_layout(img, err);
        else if (ref->kind == OCI_REF_ARCHIVE && exists_in(img->dir, "manifest.json"))
            rc = oci__open_docker(img, err);
        else
            rc = ctr_error_set(err, 0, "%s: neither an OCI image (oci-layout) nor a "
                                       "docker-archive (manifest.json)", img->name);
    }
    if (rc < 0) {
        oci_image_free(img);
        return -1;
    }
    *out = img;
    return 0;
}
