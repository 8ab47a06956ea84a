/* IR blobs: content-addressed by the SHA-256 of the raw IR, stored as one
 * zstd frame that records its decompressed size. */
#include "irstore_private.h"

#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <zstd.h>

/* Level 3 (zstd's default) compresses bitcode ~4x at well over 100 MB/s: the
 * capture cost stays a few milliseconds per TU. */
#define IRS_ZSTD_LEVEL 3

int irs_blob_put(irs_store *store, const void *data, size_t len,
                 char hex[IRS_HASH_HEX_LEN + 1], ctr_error *err)
{
    char path[4096];
    if (len > IRS_MAX_BLOB_BYTES)
        return ctr_error_set(err, 0, "IR of %zu bytes is larger than the limit of %zu",
                             len, IRS_MAX_BLOB_BYTES);
    if (irs_sha256_hex(data, len, hex, err) < 0)
        return -1;
    if (irs_blob_path(store, hex, path, sizeof path) < 0)
        return ctr_error_set(err, ENAMETOOLONG, "store '%s'", store->root);
    if (access(path, F_OK) == 0)
        return 0; /* equal IR is already stored */

    size_t cap = ZSTD_compressBound(len);
    void *z = malloc(cap ? cap : 1);
    if (!z)
        return ctr_error_set(err, ENOMEM, "compressing IR");
    size_t zlen = ZSTD_compress(z, cap, data, len, IRS_ZSTD_LEVEL);
    if (ZSTD_isError(zlen)) {
        free(z);
        return ctr_error_set(err, 0, "compressing IR: %s", ZSTD_getErrorName(zlen));
    }
    int rc = irs__write_atomic(store, path, z, zlen, err);
    free(z);
    return rc;
}

int irs__blob_decode(const void *z, size_t zlen, const char *hex, const char *what,
                     void **data, size_t *len, ctr_error *err)
{
    *data = NULL;
    *len = 0;
    unsigned long long size = ZSTD_getFrameContentSize(z, zlen);
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
        return ctr_error_set(err, 0, "%s: not a zstd frame with a known size", what);
    if (size > IRS_MAX_BLOB_BYTES)
        return ctr_error_code(err, CTR_E_LIMIT, "%s: claims %llu bytes, more than the limit",
                              what, size);
    void *out = malloc(size ? size : 1);
    if (!out)
        return ctr_error_set(err, ENOMEM, "%s", what);
    size_t got = ZSTD_decompress(out, size, z, zlen);
    if (ZSTD_isError(got) || got != size) {
        free(out);
        return ctr_error_set(err, 0, "%s: corrupt compressed data (%s)", what,
                             ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short");
    }
    char actual[IRS_HASH_HEX_LEN + 1];
    if (irs_sha256_hex(out, got, actual, err) < 0) {
        free(out);
        return -1;
    }
    if (strcmp(actual, hex) != 0) {
        free(out);
        return ctr_error_set(err, 0, "%s: content hash mismatch (is %.12s...)", what, actual);
    }
    *data = out;
    *len = got;
    return 0;
}

/* The blob hex of one store (not its chain). */
static int blob_get_one(irs_store *store, const char *hex, void **data, size_t *len,
                        ctr_error *err)
{
    char path[4096], what[4100];
    void *z = NULL;
    size_t zlen = 0;
    if (irs_blob_path(store, hex, path, sizeof path) < 0)
        return ctr_error_set(err, ENAMETOOLONG, "store '%s'", store->root);
    if (irs__read_entry(store, path, IRS_MAX_BLOB_BYTES, &z, &zlen, err) < 0)
        return ctr_error_wrap(err, "blob %s", hex);
    snprintf(what, sizeof what, "'%s'", path);
    int rc = irs__blob_decode(z, zlen, hex, what, data, len, err);
    free(z);
    return rc;
}

int irs_blob_get(irs_store *store, const char *hex, void **data, size_t *len,
                 ctr_error *err)
{
    *data = NULL;
    *len = 0;
    if (!irs_is_hash_hex(hex))
        return ctr_error_set(err, 0, "'%s' is not a blob address", hex);
    ctr_error first = {0}, e;
    for (irs_store *s = store; s; s = s->next) {
        if (blob_get_one(s, hex, data, len, &e) == 0)
            return 0;
        if (!irs__absent(&e)) /* damaged, not absent: never another store's copy */
            return ctr_error_copy(err, &e);
        if (s == store)
            first = e;
    }
    return irs__absent_error(store, IRS_BLOB_DIR, "blob", hex, &first, err);
}
