/* The image object that image_read.c (OCI layouts) and image_docker.c
 * (docker-archive) fill: its JSON documents read bounded and checked, its
 * config, its table of layers, and the accessors. */
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

/* ---- bounded JSON ------------------------------------------------------------ */

int oci_read_json(const char *path, size_t cap, const char *digest, uint64_t size,
                  const char *what, json_t **out, ctr_error *err)
{
    int fd = irs_open_regular(path, IRS_OPEN_NOFOLLOW, what, err);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return ctr_error_set(err, errno, "%s", what);
    }
    if ((uint64_t)st.st_size > cap) {
        close(fd);
        return ctr_error_code(err, CTR_E_LIMIT, "%s: %lld bytes, more than the %zu allowed",
                              what, (long long)st.st_size, cap);
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    ssize_t n = 1;
    while (buf && got < (size_t)st.st_size &&
           (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
        got += (size_t)n;
    close(fd);
    if (!buf || n < 0 || got != (size_t)st.st_size) {
        free(buf);
        return ctr_error_set(err, buf ? errno : ENOMEM, "%s: reading", what);
    }
    char actual[OCI_DIGEST_LEN + 1];
    if (digest && (oci_sha256_buffer(buf, got, actual, err) < 0 || strcmp(actual, digest) ||
                   got != size)) {
        free(buf);
        if (got != size)
            return ctr_error_set(err, 0, "%s: %zu bytes, descriptor says %llu", what, got,
                                 (unsigned long long)size);
        return ctr_error_set(err, 0, "%s: digest mismatch (%s)", what, actual);
    }
    json_error_t jerr;
    *out = json_loadb(buf, got, JSON_REJECT_DUPLICATES, &jerr);
    free(buf);
    if (!*out)
        return ctr_error_set(err, 0, "%s: bad JSON: %s (line %d)", what, jerr.text, jerr.line);
    return 0;
}

/* ---- the image object ------------------------------------------------------------- */

void oci_image_free(oci_image *img)
{
    if (!img)
        return;
    for (size_t i = 0; i < img->nlayers; i++)
        oci_layer_clear(&img->layers[i]);
    free(img->layers);
    json_decref(img->config);
    free(img->config_path);
    free(img->name);
    free(img->dir);
    free(img->tag);
    free(img);
}

const char *oci_image_name(const oci_image *img) { return img->name; }
const char *oci_image_tag(const oci_image *img) { return img->tag; }
const char *oci_image_manifest_digest(const oci_image *img) { return img->manifest_digest; }
size_t oci_image_layer_count(const oci_image *img) { return img->nlayers; }
const oci_layer *oci_image_layer(const oci_image *img, size_t i) { return &img->layers[i]; }

const char *oci_image_created(const oci_image *img)
{
    return json_string_value(json_object_get(img->config, "created"));
}

/* The config: rootfs.diff_ids (one per layer), architecture and os. */
int oci__read_config(oci_image *img, const char *digest, uint64_t size, ctr_error *err)
{
    char what[PATH_MAX + 64];
    snprintf(what, sizeof what, "%s: config %s", img->name, digest ? digest : img->config_path);
    if (oci_read_json(img->config_path, MAX_CONFIG_BYTES, digest, size, what, &img->config,
                      err) < 0)
        return -1;
    json_t *rootfs = json_object_get(img->config, "rootfs");
    json_t *ids = json_object_get(rootfs, "diff_ids");
    if (!json_is_object(img->config) ||
        !json_is_string(json_object_get(img->config, "architecture")) ||
        !json_is_string(json_object_get(img->config, "os")))
        return ctr_error_set(err, 0, "%s: no architecture or os", what);
    if (!json_is_string(json_object_get(rootfs, "type")) ||
        strcmp(json_string_value(json_object_get(rootfs, "type")), "layers") ||
        !json_is_array(ids))
        return ctr_error_set(err, 0,
                             "%s: rootfs is not {\"type\": \"layers\", \"diff_ids\": [...]}", what);
    if (json_array_size(ids) != img->nlayers)
        return ctr_error_set(err, 0, "%s: %zu diff_ids for %zu layers", what,
                             json_array_size(ids), img->nlayers);
    for (size_t i = 0; i < img->nlayers; i++) {
        const char *id = json_string_value(json_array_get(ids, i));
        if (!oci_digest_valid(id))
            return ctr_error_set(err, 0, "%s: diff_id %zu is not a sha256 digest", what, i);
        memcpy(img->layers[i].diff_id, id, OCI_DIGEST_LEN + 1);
    }
    return 0;
}

int oci__alloc_layers(oci_image *img, size_t n, const char *what, ctr_error *err)
{
    if (n > MAX_LAYERS)
        return ctr_error_code(err, CTR_E_LIMIT, "%s: %zu layers, more than %d", what, n,
                              MAX_LAYERS);
    img->layers = calloc(n ? n : 1, sizeof *img->layers);
    if (!img->layers)
        return ctr_error_set(err, ENOMEM, "%s", what);
    img->nlayers = n;
    return 0;
}
