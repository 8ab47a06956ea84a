/* Shared inside the oci library only. */
#ifndef OCI_IMAGE_PRIVATE_H
#define OCI_IMAGE_PRIVATE_H

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

/* A deterministic uncompressed tar of entries (sorted here) written to fd. */
int oci_tar_write(oci_layer_entry *v, size_t n, time_t mtime, int fd, ctr_error *err);

#endif
