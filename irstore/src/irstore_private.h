/* Internals shared by the irstore source files; not installed. */
#ifndef COMTAINER_IRSTORE_PRIVATE_H
#define COMTAINER_IRSTORE_PRIVATE_H

#include "comtainer/irstore.h"

/* Limits on what is read back from a store (all of it untrusted). */
/* A record holds command lines; 4 MiB is far above any real one. */
#define IRS_MAX_RECORD_BYTES (4u << 20)
/* Largest IR module accepted, uncompressed: beyond any single real TU. */
#define IRS_MAX_BLOB_BYTES ((size_t)1 << 30)
/* Longest string or argument vector in a record. */
#define IRS_MAX_STRING_BYTES (1u << 20)
#define IRS_MAX_STRV_ITEMS 65536u

#define IRS_BLOB_DIR "blobs"
#define IRS_RECORD_DIR "records"
#define IRS_TMP_DIR "tmp"

struct irs_store {
    char *root;
    int rootfd; /* O_PATH descriptor of root: entries are resolved beneath it */
    irs_store *next; /* the store read after this one (irs_store_chain), owned */
};

/* err, from one store's read of an entry, says only that it is not there. */
bool irs__absent(const ctr_error *err);
/* The error of an entry absent from every store of store's chain: first
 * (the first store's own error) when the chain is that store alone, else
 * "KIND HEX: in none of the N stores (first 'PATH')" with errnum ENOENT.
 * dir is IRS_BLOB_DIR or IRS_RECORD_DIR.  Returns -1. */
int irs__absent_error(const irs_store *store, const char *dir, const char *kind,
                      const char *hex, const ctr_error *first, ctr_error *err);

/* Entry path root/dir/xx/hex into buf; -1 if it does not fit or hex is bad. */
int irs__entry_path(const irs_store *store, const char *dir, const char *hex,
                    char *buf, size_t size);
/* Write data to a temp file inside the store, then rename it to final_path,
 * creating final_path's directory if needed.  Readers never see a partial
 * file; on failure nothing is left behind. */
int irs__write_atomic(irs_store *store, const char *final_path, const void *data,
                      size_t len, ctr_error *err);
/* Read a whole regular file of at most limit bytes into a malloc'ed buffer. */
/* Read the store file at path (root/...), resolved beneath the store's
 * directory with no symlink followed on the way; a regular file of at most
 * limit bytes (a FIFO or device is refused, never opened for reading). */
int irs__read_entry(const irs_store *store, const char *path, size_t limit, void **buf,
                    size_t *len, ctr_error *err);
int irs__read_file(const char *path, size_t limit, void **buf, size_t *len,
                   ctr_error *err);
/* fn(data, size, what, ctx, err) for the bytes of every section named
 * `section` of the ELF file at path, or of each ELF member of the ar archive
 * at path (`what` names the file or member); a negative return stops. */
typedef int (*irs__section_fn)(const void *data, size_t size, const char *what, void *ctx,
                               ctr_error *err);
int irs__each_section(const char *path, const char *section, irs__section_fn fn, void *ctx,
                      ctr_error *err);
/* Decompress a stored blob's bytes (one zstd frame, within
 * IRS_MAX_BLOB_BYTES) into *data (malloc'ed) and check that they hash to
 * hex; -1 with err naming `what` otherwise. */
int irs__blob_decode(const void *z, size_t zlen, const char *hex, const char *what,
                     void **data, size_t *len, ctr_error *err);
/* mkdir -p. */
int irs__mkdirs(const char *path, ctr_error *err);

#endif
