/* Shared inside the oci library only. */
#ifndef OCI_IMAGE_PRIVATE_H
#define OCI_IMAGE_PRIVATE_H

#include <archive.h>
#include <jansson.h>

#include "comtainer/oci.h"

struct oci_image {
    char *name;  /* as given, for messages */
    char *dir;   /* the layout directory, or the scratch copy of an archive */
    char *tag;
    bool docker; /* a docker-archive: layers have no descriptors */
    char manifest_digest[OCI_DIGEST_LEN + 1];
    json_t *config; /* the parsed config, kept to write the new one */
    char *config_path;
    char config_digest[OCI_DIGEST_LEN + 1];
    uint64_t config_size;
    oci_layer *layers;
    size_t nlayers;
    /* while an archive is unpacked: the bytes and entries it may still add */
    uint64_t unpack_budget;
    size_t unpack_entries;
};

/* The JSON file at path, at most cap bytes, parsed; when digest is given
 * its bytes must hash to it and have exactly `size` bytes.  what names it. */
int oci_read_json(const char *path, size_t cap, const char *digest, uint64_t size,
                  const char *what, json_t **out, ctr_error *err);
/* dir/blobs/sha256/<hex of digest> into buf (digest must be valid). */
int oci_blob_path(const char *dir, const char *digest, char *buf, size_t size);
/* A path from an archive or manifest with leading "./" and "/" runs removed;
 * NULL if it has a ".." component or is absolute and absolute_ok is false. */
const char *oci_clean_relative(const char *path);

/* ---- one layer blob, verified while it is read (layer_verify.c) ---- */

typedef struct oci_layer_reader oci_layer_reader;
/* Open layer i of img for one pass: oci_layer_reader_tar gives its tar,
 * decompressed from the blob, while the blob's bytes (digest, size) and the
 * tar's (diff_id) are hashed.  The tar may hold at most *budget bytes, the
 * rest of limit (on all the layers' tars: for messages); what names the layer
 * in messages and must outlive the reader. */
int oci_layer_reader_open(oci_image *img, size_t i, const char *what, uint64_t limit,
                          uint64_t *budget, oci_layer_reader **out, ctr_error *err);
struct archive *oci_layer_reader_tar(oci_layer_reader *r);
/* Once the tar reader reached its end: the rest of the tar stream and of the
 * blob are read, then size and digest are checked against the descriptor,
 * the compression against the media type and the tar's hash against the
 * config's diff_id.  Fills the layer's tar_size (a docker-archive's layer
 * also gets digest, size and media_type) and takes it from *budget. */
int oci_layer_reader_finish(oci_layer_reader *r, ctr_error *err);
/* Once the tar reader failed (err says why): the blob's own fault, where it
 * has one, replaces err — the bound passed, a read error, size or digest not
 * the descriptor's, corrupt compression.  Returns -1. */
int oci_layer_reader_fault(oci_layer_reader *r, ctr_error *err);
void oci_layer_reader_free(oci_layer_reader *r);

/* A deterministic uncompressed tar of entries (sorted here) written to fd. */
int oci_tar_write(oci_layer_entry *v, size_t n, time_t mtime, int fd, ctr_error *err);

/* ---- reading an image, across image_read.c, image_docker.c, archive_unpack.c ---- */

/* index.json, manifests and docker's manifest.json list a few descriptors:
 * anything beyond 4 MiB is not an image we were meant to read. */
#define MAX_INDEX_BYTES (4u << 20)
#define MAX_MANIFEST_BYTES (4u << 20)
/* Configs carry the build history and environment; 16 MiB is generous. */
#define MAX_CONFIG_BYTES (16u << 20)
/* More layers than this is far past what any runtime accepts (overlayfs: 128). */
#define MAX_LAYERS 4096

#define DOCKER_MEDIA_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define DOCKER_MEDIA_CONFIG "application/vnd.docker.container.image.v1+json"

/* The config of digest and size into img (bounded, checked). */
int oci__read_config(oci_image *img, const char *digest, uint64_t size, ctr_error *err);
/* Room for n layers in img; refuses more than MAX_LAYERS. */
int oci__alloc_layers(oci_image *img, size_t n, const char *what, ctr_error *err);
/* A docker-archive unpacked at img->dir. */
int oci__open_docker(oci_image *img, ctr_error *err);
/* Unpack the archive file into img->dir. */
int oci__unpack_archive(oci_image *img, const char *file, ctr_error *err);

#endif
