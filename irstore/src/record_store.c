/* Records in the store: addressed by the SHA-256 of their encoding (the TU id). */
#include "irstore_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int irs_record_put(irs_store *store, const irs_record *rec,
                   char id[IRS_HASH_HEX_LEN + 1], ctr_error *err)
{
    char *buf;
    size_t len;
    char path[4096];
    if (irs_record_encode(rec, &buf, &len, err) < 0)
        return -1;
    int rc = irs_sha256_hex(buf, len, id, err);
    if (rc == 0 && irs_record_path(store, id, path, sizeof path) < 0)
        rc = ctr_error_set(err, ENAMETOOLONG, "store '%s'", store->root);
    if (rc == 0 && access(path, F_OK) != 0)
        rc = irs__write_atomic(store, path, buf, len, err);
    free(buf);
    return rc;
}

/* The record id of one store (not its chain). */
static int record_get_one(irs_store *store, const char *id, irs_record **out, ctr_error *err)
{
    char path[4096];
    void *buf;
    size_t len;
    char actual[IRS_HASH_HEX_LEN + 1];
    if (irs_record_path(store, id, path, sizeof path) < 0)
        return ctr_error_set(err, ENAMETOOLONG, "store '%s'", store->root);
    if (irs__read_entry(store, path, IRS_MAX_RECORD_BYTES, &buf, &len, err) < 0)
        return ctr_error_wrap(err, "TU %s", id);
    if (irs_sha256_hex(buf, len, actual, err) < 0) {
        free(buf);
        return -1;
    }
    if (strcmp(actual, id) != 0) {
        free(buf);
        return ctr_error_set(err, 0, "'%s': content hash mismatch (is %.12s...)", path,
                             actual);
    }
    char what[4200];
    snprintf(what, sizeof what, "'%s'", path);
    int rc = irs_record_decode(buf, len, what, out, err);
    free(buf);
    return rc;
}

int irs_record_get(irs_store *store, const char *id, irs_record **out, ctr_error *err)
{
    *out = NULL;
    if (!irs_is_hash_hex(id))
        return ctr_error_set(err, 0, "'%s' is not a TU id", id);
    ctr_error first = {0}, e;
    for (irs_store *s = store; s; s = s->next) {
        if (record_get_one(s, id, out, &e) == 0)
            return 0;
        if (!irs__absent(&e)) /* damaged, not absent: never another store's copy */
            return ctr_error_copy(err, &e);
        if (s == store)
            first = e;
    }
    return irs__absent_error(store, IRS_RECORD_DIR, "TU", id, &first, err);
}
