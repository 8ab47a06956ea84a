/* Verifying layer blobs before any is applied: one pass over each blob hashes
 * its bytes (digest, size) while libarchive decompresses it, and hashes the
 * decompressed tar (diff_id).  The compression libarchive detects from the
 * content must be the one the media type names. */
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

struct blob_reader {
    int fd;
    uint64_t budget; /* tar bytes the image's layers may still hold */
    uint64_t limit;  /* ... of the limit on all of them */
    oci_sha256 *hash;
    uint64_t bytes;
    int read_errno;
    char buf[1 << 16];  /* the blob's bytes */
    char tar[1 << 16];  /* decompressed */
};

static la_ssize_t read_blob(struct archive *a, void *vr, const void **data)
{
    (void)a;
    struct blob_reader *r = vr;
    ssize_t n = read(r->fd, r->buf, sizeof r->buf);
    if (n < 0) {
        r->read_errno = errno;
        return -1;
    }
    oci_sha256_update(r->hash, r->buf, (size_t)n);
    r->bytes += (uint64_t)n;
    *data = r->buf;
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

/* Decompress the whole blob through libarchive's raw format: the tar's
 * sha256 into diff_id, its length into *tar_size, the filter into *filter. */
static int hash_layer(struct archive *a, struct blob_reader *r, const char *what,
                      char diff_id[OCI_DIGEST_LEN + 1], uint64_t *tar_size, int *filter,
                      ctr_error *err)
{
    struct archive_entry *e;
    if (archive_read_open(a, r, NULL, read_blob, NULL) != ARCHIVE_OK ||
        archive_read_next_header(a, &e) != ARCHIVE_OK)
        return ctr_error_set(err, r->read_errno, "%s: unreadable: %s", what,
                             archive_error_string(a) ? archive_error_string(a) : "empty");
    if (archive_filter_count(a) > 2)
        return ctr_error_set(err, 0, "%s: compressed more than once", what);
    *filter = archive_filter_code(a, 0);
    oci_sha256 *h = oci_sha256_new();
    if (!h)
        return ctr_error_set(err, ENOMEM, "%s", what);
    la_ssize_t n;
    *tar_size = 0;
    while ((n = archive_read_data(a, r->tar, sizeof r->tar)) > 0) {
        oci_sha256_update(h, r->tar, (size_t)n);
        *tar_size += (uint64_t)n;
        if (*tar_size > r->budget)
            break;
    }
    int rc = *tar_size > r->budget
                 ? ctr_error_set(err, 0, "%s: the layers expand to more than %llu bytes (a "
                                         "compression bomb? --max-unpacked raises the limit)",
                                 what, (unsigned long long)r->limit)
           : n < 0 ? ctr_error_set(err, r->read_errno, "%s: truncated or corrupt: %s", what,
                                   archive_error_string(a))
                   : oci_sha256_final(h, diff_id, err);
    oci_sha256_free(h);
    return rc;
}

static int verify_layer(const oci_image *img, size_t i, oci_layer *l, uint64_t limit,
                        uint64_t *budget, ctr_error *err)
{
    char what[512];
    snprintf(what, sizeof what, "%s: layer %zu (%s)", img->name, i,
             img->docker ? strrchr(l->path, '/') + 1 : l->digest);
    struct blob_reader *r = calloc(1, sizeof *r);
    struct archive *a = archive_read_new();
    if (!r || !a || !(r->hash = oci_sha256_new())) {
        archive_read_free(a);
        free(r);
        return ctr_error_set(err, ENOMEM, "%s", what);
    }
    r->budget = *budget;
    r->limit = limit;
    int rc = 0, filter = ARCHIVE_FILTER_NONE;
    char diff_id[OCI_DIGEST_LEN + 1], digest[OCI_DIGEST_LEN + 1];
    r->fd = irs_open_regular(l->path, IRS_OPEN_NOFOLLOW, what, err);
    if (r->fd < 0) {
        rc = -1; /* "LAYER: not a regular file", or why it cannot be opened */
    } else {
        archive_read_support_format_raw(a);
        archive_read_support_filter_all(a);
        rc = hash_layer(a, r, what, diff_id, &l->tar_size, &filter, err);
    }
    /* the digest covers every byte, also any after the compressed stream */
    const void *ignored;
    while (rc == 0 && read_blob(NULL, r, &ignored) > 0)
        ;
    if (rc == 0 && r->read_errno)
        rc = ctr_error_set(err, r->read_errno, "%s: reading", what);
    if (rc == 0)
        rc = oci_sha256_final(r->hash, digest, err);
    if (rc == 0 && img->docker) {
        /* no descriptor: the blob's own digest and content name it */
        memcpy(l->digest, digest, sizeof digest);
        l->size = r->bytes;
        if (!(l->media_type = strdup(media_type_of(filter))))
            rc = ctr_error_set(err, ENOMEM, "%s", what);
    } else if (rc == 0 && r->bytes != l->size) {
        rc = ctr_error_set(err, 0, "%s: %llu bytes, descriptor says %llu", what,
                           (unsigned long long)r->bytes, (unsigned long long)l->size);
    } else if (rc == 0 && strcmp(digest, l->digest)) {
        rc = ctr_error_set(err, 0, "%s: digest mismatch (blob is %s)", what, digest);
    }
    if (rc == 0 && filter != expected_filter(l->media_type))
        rc = ctr_error_set(err, 0, "%s: media type '%s' but the content is %s", what, l->media_type,
                           filter == ARCHIVE_FILTER_NONE ? "uncompressed"
                                                         : archive_filter_name(a, 0));
    if (rc == 0 && strcmp(diff_id, l->diff_id))
        rc = ctr_error_set(err, 0, "%s: diff_id mismatch: the tar is %s, the config says %s",
                           what, diff_id, l->diff_id);
    if (rc == 0)
        *budget -= l->tar_size;
    archive_read_free(a);
    if (r->fd >= 0)
        close(r->fd);
    oci_sha256_free(r->hash);
    free(r);
    return rc;
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

int oci_image_verify(oci_image *img, uint64_t max_unpacked, ctr_error *err)
{
    uint64_t limit = max_unpacked ? max_unpacked : oci_default_max_unpacked(img), budget = limit;
    for (size_t i = 0; i < img->nlayers; i++)
        if (verify_layer(img, i, &img->layers[i], limit, &budget, err) < 0)
            return -1;
    return 0;
}
