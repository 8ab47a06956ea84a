/* oci: reading, verifying, unpacking and writing OCI images.
 *
 * The image path of ctr-relink and ctr-store: an image reference is parsed
 * (image_ref.c), the image's index, manifest and config are read and checked
 * against their descriptors (image_read.c), layers are applied in order into
 * a private root filesystem without ever leaving it (layer_apply.c), each
 * verified in the same pass (digest, size, diff_id, compression against media
 * type; layer_verify.c), a new layer is written as a deterministic
 * gzip'ed tar (layer_write.c), and the new image is written whole or not at
 * all (image_write.c).
 *
 * Everything read from an image is untrusted.  Conventions are irstore's:
 * functions return 0 on success and -1 on failure with *err filled (err may be
 * NULL); messages name the image and the entry.  Objects returned through
 * out-parameters are owned by the caller and released with the matching
 * *_free or *_clear function, which accepts NULL.
 */
#ifndef COMTAINER_OCI_H
#define COMTAINER_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "comtainer/irstore.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "sha256:" and 64 lower-case hex digits */
#define OCI_DIGEST_LEN (7 + IRS_HASH_HEX_LEN)

#define OCI_MEDIA_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_MEDIA_INDEX "application/vnd.oci.image.index.v1+json"
#define OCI_MEDIA_CONFIG "application/vnd.oci.image.config.v1+json"
#define OCI_MEDIA_LAYER_TAR "application/vnd.oci.image.layer.v1.tar"
#define OCI_MEDIA_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define OCI_MEDIA_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define OCI_ANNOTATION_REF_NAME "org.opencontainers.image.ref.name"

/* The IR store inside an image's root filesystem: IRS_DEFAULT_STORE (which is
 * absolute) without its leading '/', as layers name their entries. */
#define OCI_STORE_DIR (IRS_DEFAULT_STORE + 1)

/* ---- digests (digest.c) ---------------------------------------------------- */

typedef struct oci_sha256 oci_sha256;

/* A streaming SHA-256 (OpenSSL EVP).  NULL when out of memory. */
oci_sha256 *oci_sha256_new(void);
void oci_sha256_update(oci_sha256 *h, const void *data, size_t len);
/* Finish into "sha256:<hex>"; the hash can then only be freed. */
int oci_sha256_final(oci_sha256 *h, char digest[OCI_DIGEST_LEN + 1], ctr_error *err);
void oci_sha256_free(oci_sha256 *h);
/* Digest of a whole buffer. */
int oci_sha256_buffer(const void *data, size_t len, char digest[OCI_DIGEST_LEN + 1],
                      ctr_error *err);
/* Digest and size (may be NULL) of a file's bytes. */
int oci_sha256_file(const char *path, char digest[OCI_DIGEST_LEN + 1], uint64_t *size,
                    ctr_error *err);
/* True when s is "sha256:" followed by exactly 64 lower-case hex digits. */
bool oci_digest_valid(const char *s);

/* ---- references (image_ref.c) ---------------------------------------------- */

enum oci_ref_kind {
    OCI_REF_ROOTFS,  /* a plain directory: not an image (input only) */
    OCI_REF_LAYOUT,  /* an OCI image layout directory */
    OCI_REF_ARCHIVE, /* a tar file: oci-archive or docker-archive (input), oci-archive (output) */
};

typedef struct oci_ref {
    enum oci_ref_kind kind;
    char *path;
    char *tag; /* NULL when none was given */
} oci_ref;

/* An input: DIR (with oci-layout: a layout, else a root filesystem), DIR:TAG,
 * FILE[:TAG] (a tar archive), or oci:PATH[:TAG], oci-archive:PATH[:TAG],
 * docker-archive:PATH.  The path must exist. */
int oci_ref_parse_input(const char *arg, oci_ref *ref, ctr_error *err);
/* An output: a name ending in .tar (optionally :TAG) is an oci-archive, any
 * other an OCI layout (DIR or DIR:TAG); oci: and oci-archive: prefixes work. */
int oci_ref_parse_output(const char *arg, oci_ref *ref, ctr_error *err);
/* True when arg names an image rather than a root filesystem or a store. */
bool oci_ref_is_image(const char *arg);
void oci_ref_clear(oci_ref *ref);

/* ---- reading a source image (image_read.c) ----------------------------------- */

typedef struct oci_layer {
    char *path;        /* the blob file */
    char *media_type;
    char digest[OCI_DIGEST_LEN + 1];
    uint64_t size;     /* bytes of the blob */
    char diff_id[OCI_DIGEST_LEN + 1];
    uint64_t tar_size; /* uncompressed bytes, known after oci_image_unpack */
} oci_layer;

typedef struct oci_image oci_image;

/* Open and check an image: index (or docker manifest.json), manifest and
 * config, with every JSON document bounded, well-formed, of the right media
 * type and matching its descriptor's digest and size.  Archives are unpacked
 * (regular files only, no path leaving the directory) into scratch, a
 * directory that must not exist yet and that the caller removes.  Layer blobs
 * are not read yet: see oci_image_unpack. */
int oci_image_open(const oci_ref *ref, const char *scratch, oci_image **out, ctr_error *err);
void oci_image_free(oci_image *img);

/* The default bound on an image's uncompressed layers: a multiple of the
 * compressed size (real layers compress 2-5x, a run of zeros ~1000x) plus a
 * floor for small images of large sparse or zero-filled files. */
#define OCI_UNPACK_RATIO 16
#define OCI_UNPACK_FLOOR (1ULL << 30)
uint64_t oci_default_max_unpacked(const oci_image *img);

/* The image as named on the command line, for messages. */
const char *oci_image_name(const oci_image *img);
/* The tag the image was chosen by (NULL if none). */
const char *oci_image_tag(const oci_image *img);
/* Digest of the source manifest (for a docker-archive: of its manifest.json). */
const char *oci_image_manifest_digest(const oci_image *img);
/* The config's "created" (NULL if absent). */
const char *oci_image_created(const oci_image *img);
size_t oci_image_layer_count(const oci_image *img);
const oci_layer *oci_image_layer(const oci_image *img, size_t i);

/* ---- applying layers (layer_apply.c) ---------------------------------------- */

typedef struct oci_apply_opts {
    const char *only; /* apply only entries at or below this path (e.g.
                         OCI_STORE_DIR); NULL: everything */
    uint64_t only_tar_bytes; /* out: tar bytes (headers + data) of those entries */
    uint64_t max_unpacked; /* bound on the layers' tar bytes, and on the declared
                              sizes of the files written (0:
                              oci_default_max_unpacked) */
} oci_apply_opts;

/* Entries (files, directories, links, whiteouts) one image may hold. */
#define OCI_MAX_ENTRIES (4u << 20)

/* Apply every layer of img in order into the directory root (which exists),
 * honouring whiteouts and opaque directories, and verify each in the same
 * pass, reading its blob once: digest and size against the descriptor,
 * compression against the media type, the sha256 of its tar against the
 * config's diff_id (fills each layer's tar_size; a docker-archive's layers
 * get their digest, size and media type).  Refuses, naming the image and the
 * layer or entry, any path with '..' or absolute, a path through a symlink, a
 * hard link whose target is not a file already inside root, device nodes, a
 * truncated or malformed tar, a blob that is not the one its descriptor and
 * the config name, and layers that expand past o->max_unpacked (the error
 * names the limit).  On failure root is left empty: nothing of an unverified
 * layer stays.  o may be NULL. */
int oci_image_unpack(oci_image *img, const char *root, oci_apply_opts *o, ctr_error *err);

/* ---- writing a layer (layer_write.c) ------------------------------------------ */

/* One entry of a new layer. */
typedef struct oci_layer_entry {
    char *path;    /* inside the image, without leading '/' */
    char *host;    /* regular file: where its bytes are (NULL: empty, e.g. a
                      whiteout); symlink: its target */
    unsigned mode; /* st_mode: S_IFREG, S_IFDIR or S_IFLNK and permission bits */
    unsigned uid, gid;
} oci_layer_entry;

/* Write entries (sorted here by path) as a deterministic tar — fixed mtime,
 * numeric owners, no atime/ctime — compressed with gzip (header mtime 0) into
 * gz_path.  Fills out->digest, size, diff_id, tar_size, media_type. */
int oci_layer_write(oci_layer_entry *v, size_t n, time_t mtime, const char *gz_path,
                    oci_layer *out, ctr_error *err);
/* The same for a directory tree root/sub (regular files, directories and
 * symlinks, never followed), e.g. to measure how well a store compresses. */
int oci_tree_layer_write(const char *root, const char *sub, time_t mtime,
                         const char *gz_path, oci_layer *out, ctr_error *err);
void oci_layer_clear(oci_layer *l);
/* The whiteout entry that removes path in a layer above ("a/b": "a/.wh.b";
 * OCI_STORE_DIR: "var/lib/comtainer/.wh.store"), malloc'ed; NULL when out of
 * memory. */
char *oci_whiteout_path(const char *path);

/* ---- writing an image (image_write.c) ------------------------------------------ */

typedef struct oci_annotation {
    const char *key, *value;
} oci_annotation;

typedef struct oci_write_opts {
    const oci_ref *output;   /* layout directory or oci-archive file */
    const char *ref_name;    /* org.opencontainers.image.ref.name */
    const char *scratch;     /* a work directory for the archive's staging */
    const oci_layer *layer;  /* the new layer (its blob is copied) */
    const char *created_by;  /* history entry */
    const oci_annotation *annotations;
    size_t nannotations;
} oci_write_opts;

typedef struct oci_written {
    char manifest_digest[OCI_DIGEST_LEN + 1];
    char config_digest[OCI_DIGEST_LEN + 1];
} oci_written;

/* Write src's layers byte for byte plus o->layer, src's config with the new
 * diff_id and a history entry, a manifest with the annotations, index.json and
 * oci-layout.  Built in a temporary sibling of the output and renamed into
 * place; refuses an existing output; on failure nothing is left. */
int oci_image_write(const oci_image *src, const oci_write_opts *o, oci_written *out,
                    ctr_error *err);

#ifdef __cplusplus
}
#endif

#endif
