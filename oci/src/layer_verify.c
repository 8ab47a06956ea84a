/* A layer blob read once, verified while it is applied: libarchive
 * decompresses the blob (raw format) while its bytes are hashed (digest,
 * size), and a second libarchive reads the tar from that stream while the
 * decompressed bytes are hashed (diff_id) and counted against the unpack
 * bound.  At the tar's end the rest of both streams is read and everything is
 * compared; the compression libarchive detects from the content must be the
 * one the media type names.  The caller throws away what it applied when the
 * blob turns out not to be the one its descriptor and the config name. */
#include "image_private.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct oci_layer_reader {
    const char *what; /* "IMAGE: layer N (DIGEST)" */
    oci_layer *layer;
    bool docker;        /* no descriptor: the blob's own digest names it */
    int fd;
    uint64_t limit;     /* on the tar bytes of all the image's layers */
    uint64_t *budget;   /* ... of which still left before this layer */
    oci_sha256 *blob_hash, *tar_hash;
    uint64_t blob_bytes, tar_bytes;
    int read_errno;     /* reading the blob failed */
    bool over_budget;   /* the tar grew past *budget */
    bool corrupt;       /* decompression failed */
    struct archive *blob; /* the blob, decompressed */
    struct archive *tar;  /* the tar in it */
    char buf[1 << 16];    /* the blob's bytes */
    char tarbuf[1 << 16]; /* decompressed */
};

static la_ssize_t read_blob(struct archive *a, void *vr, const void **data)
{
    (void)a;
    oci_layer_reader *r = vr;
    ssize_t n = read(r->fd, r->buf, sizeof r->buf);
    if (n < 0) {
        r->read_errno = errno;
        return -1;
    }
    oci_sha256_update(r->blob_hash, r->buf, (size_t)n);
    r->blob_bytes += (uint64_t)n;
    *data = r->buf;
    return n;
}

/* The next decompressed bytes, hashed and counted: 0 at the end, -1 when
 * decompression failed or the bound is passed. */
static la_ssize_t pull_tar(oci_layer_reader *r)
{
    la_ssize_t n = archive_read_data(r->blob, r->tarbuf, sizeof r->tarbuf);
    if (n < 0) {
        r->corrupt = true;
        return -1;
    }
    oci_sha256_update(r->tar_hash, r->tarbuf, (size_t)n);
    r->tar_bytes += (uint64_t)n;
    if (r->tar_bytes > *r->budget) {
        r->over_budget = true;
        return -1;
    }
    return n;
}

static la_ssize_t read_tar(struct archive *a, void *vr, const void **data)
{
    oci_layer_reader *r = vr;
    la_ssize_t n = pull_tar(r);
    const char *why = archive_error_string(r->blob);
    if (n < 0) /* the message oci_layer_reader_fault gives is the one shown */
        archive_set_error(a, EIO, "%s", r->over_budget ? "past the unpack bound"
                                        : why          ? why
                                                       : "corrupt");
    *data = r->tarbuf;
    return n;
}

/* The libarchive filter a media type implies. */
static int expected_filter(const char *media_type)
{
    size_t n = strlen(media_type);
    if (n > 5 && !strcmp(media_type + n - 5, "+gzip"))
        return ARCHIVE_FILTER_GZIP;
    if (n > 5 && !strcmp(media_type + n - 5, ".gzip"))
        return ARCHIVE_FILTER_GZIP;
    if (n > 5 && !strcmp(media_type + n - 5, "+zstd"))
        return ARCHIVE_FILTER_ZSTD;
    return ARCHIVE_FILTER_NONE;
}

static const char *media_type_of(int filter)
{
    return filter == ARCHIVE_FILTER_GZIP   ? OCI_MEDIA_LAYER_GZIP
           : filter == ARCHIVE_FILTER_ZSTD ? OCI_MEDIA_LAYER_ZSTD
                                           : OCI_MEDIA_LAYER_TAR;
}

static int bomb_error(const oci_layer_reader *r, ctr_error *err)
{
    return ctr_error_code(err, CTR_E_LIMIT,
                          "%s: the layers expand to more than %llu bytes (a compression "
                          "bomb? --max-unpacked raises the limit)",
                          r->what, (unsigned long long)r->limit);
}

/* Read (and hash) the blob to its end; then its digest and size against
 * the descriptor (a docker-archive's layer takes them). */
static int check_blob(oci_layer_reader *r, ctr_error *err)
{
    const void *ignored;
    while (read_blob(NULL, r, &ignored) > 0)
        ;
    if (r->read_errno)
        return ctr_error_set(err, r->read_errno, "%s: reading", r->what);
    char digest[OCI_DIGEST_LEN + 1];
    if (oci_sha256_final(r->blob_hash, digest, err) < 0)
        return -1;
    oci_layer *l = r->layer;
    if (r->docker) {
        memcpy(l->digest, digest, sizeof digest);
        l->size = r->blob_bytes;
        return 0;
    }
    if (r->blob_bytes != l->size)
        return ctr_error_set(err, 0, "%s: size: %llu bytes, descriptor says %llu", r->what,
                             (unsigned long long)r->blob_bytes, (unsigned long long)l->size);
    if (strcmp(digest, l->digest))
        return ctr_error_set(err, 0, "%s: digest mismatch (blob is %s)", r->what, digest);
    return 0;
}

int oci_layer_reader_fault(oci_layer_reader *r, ctr_error *err)
{
    if (r->over_budget)
        return bomb_error(r, err);
    ctr_error own;
    if (check_blob(r, &own) < 0) {
        if (err)
            *err = own;
        return -1;
    }
    if (r->corrupt)
        return ctr_error_set(err, 0, "%s: truncated or corrupt: %s", r->what,
                             archive_error_string(r->blob) ? archive_error_string(r->blob)
                                                           : "decompression failed");
    return -1; /* the tar's own problem, as err says */
}

int oci_layer_reader_finish(oci_layer_reader *r, ctr_error *err)
{
    while (pull_tar(r) > 0) /* what follows the tar's end: padding */
        ;
    if (r->over_budget || r->corrupt)
        return oci_layer_reader_fault(r, err);
    if (check_blob(r, err) < 0)
        return -1;
    oci_layer *l = r->layer;
    int filter = archive_filter_code(r->blob, 0);
    if (r->docker && !(l->media_type = strdup(media_type_of(filter))))
        return ctr_error_set(err, ENOMEM, "%s", r->what);
    if (filter != expected_filter(l->media_type))
        return ctr_error_set(err, 0, "%s: media type '%s' but the content is %s", r->what,
                             l->media_type,
                             filter == ARCHIVE_FILTER_NONE ? "uncompressed"
                                                           : archive_filter_name(r->blob, 0));
    char diff_id[OCI_DIGEST_LEN + 1];
    if (oci_sha256_final(r->tar_hash, diff_id, err) < 0)
        return -1;
    if (strcmp(diff_id, l->diff_id))
        return ctr_error_set(err, 0, "%s: diff_id mismatch: the tar is %s, the config says %s",
                             r->what, diff_id, l->diff_id);
    l->tar_size = r->tar_bytes;
    *r->budget -= r->tar_bytes;
    return 0;
}

/* Both archives opened: the blob's compression found, the tar's format. */
static int open_streams(oci_layer_reader *r, ctr_error *err)
{
    struct archive_entry *e;
    archive_read_support_format_raw(r->blob);
    archive_read_support_filter_all(r->blob);
    if (archive_read_open(r->blob, r, NULL, read_blob, NULL) != ARCHIVE_OK ||
        archive_read_next_header(r->blob, &e) != ARCHIVE_OK) {
        const char *why = archive_error_string(r->blob);
        return ctr_error_set(err, r->read_errno, "%s: unreadable: %s", r->what,
                             why ? why : "empty");
    }
    if (archive_filter_count(r->blob) > 2)
        return ctr_error_set(err, 0, "%s: compressed more than once", r->what);
    /* the tar as it is: no second decompression */
    archive_read_support_format_tar(r->tar);
    if (archive_read_open(r->tar, r, NULL, read_tar, NULL) != ARCHIVE_OK) {
        ctr_error_set(err, 0, "%s: not a tar: %s", r->what, archive_error_string(r->tar));
        return oci_layer_reader_fault(r, err);
    }
    return 0;
}

int oci_layer_reader_open(oci_image *img, size_t i, const char *what, uint64_t limit,
                          uint64_t *budget, oci_layer_reader **out, ctr_error *err)
{
    oci_layer_reader *r = calloc(1, sizeof *r);
    if (!r)
        return ctr_error_set(err, ENOMEM, "%s", what);
    *r = (oci_layer_reader){.what = what, .layer = &img->layers[i], .docker = img->docker,
                            .limit = limit, .budget = budget};
    r->fd = irs_open_regular(r->layer->path, IRS_OPEN_NOFOLLOW, what, err);
    int rc = r->fd < 0 ? -1 : 0; /* "LAYER: not a regular file", or why it cannot be opened */
    if (rc == 0 && (!(r->blob = archive_read_new()) || !(r->tar = archive_read_new()) ||
                    !(r->blob_hash = oci_sha256_new()) || !(r->tar_hash = oci_sha256_new())))
        rc = ctr_error_set(err, ENOMEM, "%s", what);
    if (rc == 0)
        rc = open_streams(r, err);
    if (rc < 0) {
        oci_layer_reader_free(r);
        return -1;
    }
    *out = r;
    return 0;
}

struct archive *oci_layer_reader_tar(oci_layer_reader *r)
{
    return r->tar;
}

void oci_layer_reader_free(oci_layer_reader *r)
{
    if (!r)
        return;
    archive_read_free(r->tar);
    archive_read_free(r->blob);
    if (r->fd >= 0)
        close(r->fd);
    oci_sha256_free(r->blob_hash);
    oci_sha256_free(r->tar_hash);
    free(r);
}

uint64_t oci_default_max_unpacked(const oci_image *img)
{
    uint64_t compressed = 0;
    for (size_t i = 0; i < img->nlayers; i++)
        compressed += img->layers[i].size;
    /* docker archives know sizes only once read: their files' sizes then */
    for (size_t i = 0; i < img->nlayers && img->docker; i++) {
        struct stat st;
        if (stat(img->layers[i].path, &st) == 0)
            compressed += (uint64_t)st.st_size;
    }
    return compressed * OCI_UNPACK_RATIO + OCI_UNPACK_FLOOR;
}
