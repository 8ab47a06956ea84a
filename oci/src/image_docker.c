/* Reading a docker-archive (docker save): its manifest.json names the
 * config and the layers as members of the archive (see image_read.c). */
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

/* ---- docker-archive ----------------------------------------------------------------------- */

/* A path named inside the archive's manifest.json, resolved in its copy. */
static char *archive_member(const oci_image *img, json_t *j)
{
    const char *rel = json_is_string(j) ? oci_clean_relative(json_string_value(j)) : NULL;
    char *path = NULL;
    if (rel && *rel && asprintf(&path, "%s/%s", img->dir, rel) < 0)
        path = NULL;
    return path;
}

static bool repo_tag_matches(json_t *tags, const char *tag)
{
    size_t i, n = strlen(tag);
    json_t *t;
    json_array_foreach(tags, i, t) {
        const char *s = json_string_value(t);
        size_t len = s ? strlen(s) : 0;
        if (s &&
            (!strcmp(s, tag) || (len > n && s[len - n - 1] == ':' && !strcmp(s + len - n, tag))))
            return true;
    }
    return false;
}

int oci__open_docker(oci_image *img, ctr_error *err)
{
    char path[PATH_MAX], what[PATH_MAX + 32];
    json_t *m;
    snprintf(path, sizeof path, "%s/manifest.json", img->dir);
    snprintf(what, sizeof what, "%s: manifest.json", img->name);
    if (oci_read_json(path, MAX_MANIFEST_BYTES, NULL, 0, what, &m, err) < 0)
        return -1;
    img->docker = true;
    json_t *entry = NULL, *e;
    size_t i, n = 0;
    json_array_foreach(m, i, e) {
        if (!img->tag || repo_tag_matches(json_object_get(e, "RepoTags"), img->tag)) {
            entry = e;
            n++;
        }
    }
    json_t *layers = json_object_get(entry, "Layers");
    /* untagged: the image keeps the name docker gave it (RepoTags[0]) */
    const char *repo_tag = json_string_value(json_array_get(json_object_get(entry, "RepoTags"), 0));
    if (!img->tag && n == 1 && repo_tag && !(img->tag = strdup(repo_tag))) {
        json_decref(m);
        return ctr_error_set(err, ENOMEM, "%s", what);
    }
    int rc = -1;
    if (!json_is_array(m) || n != 1)
        ctr_error_set(err, 0, "%s: %zu images%s%s, expected one", what, n,
                      img->tag ? " tagged " : "", img->tag ? img->tag : "");
    else if (!json_is_array(layers))
        ctr_error_set(err, 0, "%s: no Layers", what);
    else if (!(img->config_path = archive_member(img, json_object_get(entry, "Config"))))
        ctr_error_set(err, 0, "%s: Config '%s': not a path inside the archive", what,
                      json_string_value(json_object_get(entry, "Config"))
                          ? json_string_value(json_object_get(entry, "Config"))
                          : "");
    else if (oci__alloc_layers(img, json_array_size(layers), what, err) == 0) {
        rc = 0;
        for (i = 0; rc == 0 && i < img->nlayers; i++) {
            json_t *p = json_array_get(layers, i);
            if (!(img->layers[i].path = archive_member(img, p)))
                rc = ctr_error_set(err, 0, "%s: layer %zu '%s': not a path inside the archive",
                                   what, i, json_string_value(p) ? json_string_value(p) : "");
        }
    }
    json_decref(m);
    if (rc < 0 || oci__read_config(img, NULL, 0, err) < 0)
        return -1;
    /* The source digest of a docker-archive is that of its manifest.json. */
    if (oci_sha256_file(path, img->manifest_digest, NULL, err) < 0 ||
        oci_sha256_file(img->config_path, img->config_digest, &img->config_size, err) < 0)
        return ctr_error_wrap(err, "%s", img->name);
    /* Docker names the config by its digest: a different one is damage. */
    const char *base = strrchr(img->config_path, '/') + 1;
    size_t hexlen = strspn(base, "0123456789abcdef");
    if (hexlen == IRS_HASH_HEX_LEN && (!base[hexlen] || !strcmp(base + hexlen, ".json")) &&
        strncmp(base, img->config_digest + 7, IRS_HASH_HEX_LEN))
        return ctr_error_set(err, 0, "%s: config '%s': digest mismatch (%s)", img->name, base,
                             img->config_digest);
    return 0;
}
