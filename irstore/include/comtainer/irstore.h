/* irstore: the comtainer IR store.
 *
 * This library is the only code that knows the on-disk format of the store
 * (docs/STORE-FORMAT.md) and of the TU record that objects carry in their
 * `.comtainer` section.  Compiler plugins write through it; ctr-store and
 * ctr-relink read through it.  Everything read back is treated as untrusted:
 * sizes are bounded, hashes are verified, and bad input is reported through an
 * ctr_error (comtainer/error.h) naming the file and the problem.
 *
 * Conventions: functions return 0 on success and a negative value on failure,
 * in which case they have filled *err (err may be NULL when the caller does not
 * care).  Nothing in this library exits or aborts.  Objects returned through
 * out-parameters are owned by the caller and released with the matching
 * *_free function, which accepts NULL.
 */
#ifndef COMTAINER_IRSTORE_H
#define COMTAINER_IRSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "comtainer/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Store layout version written to STORE/FORMAT.  Readers refuse any other. */
#define IRS_STORE_FORMAT_VERSION 1
/* Metadata schema version written in each record's "v" key.  Readers accept
 * any version >= 1: keys they do not know are ignored, keys never change
 * meaning (a changed meaning gets a new key). */
#define IRS_RECORD_SCHEMA_VERSION 1

#define IRS_HASH_HEX_LEN 64 /* SHA-256 in lower-case hex */

/* Where the plugins write and the tools read when no store is named. */
#define IRS_DEFAULT_STORE "/var/lib/comtainer/store"

/* ---- hashing -------------------------------------------------------------- */

/* The SHA-256 digest of data into digest; 0 on success, -1 on failure.
 * irstore does not define it: a program links the irstore-openssl library
 * (OpenSSL), or defines its own from a well-kept implementation it already
 * has loaded — the Clang plugin uses llvm::SHA256, so that compiles do not
 * pay for loading libcrypto. */
int irs_sha256_digest(const void *data, size_t len, unsigned char digest[32]);

/* SHA-256 of data as 64 lower-case hex characters plus NUL in hex. */
int irs_sha256_hex(const void *data, size_t len, char hex[IRS_HASH_HEX_LEN + 1],
                   ctr_error *err);
/* True when s is exactly 64 lower-case hex characters. */
bool irs_is_hash_hex(const char *s);

/* ---- the store ------------------------------------------------------------ */

typedef struct irs_store irs_store;

enum irs_open_flags {
    IRS_OPEN_CREATE = 1 << 0, /* create the directory and FORMAT if missing */
    /* the store's own directory must not be a symlink (a store taken from
     * an image); entries below it are always read without following any */
    IRS_OPEN_NOFOLLOW = 1 << 1,
};

/* The store a tool uses when none is named: $COMTAINER_STORE if set and not
 * empty, else IRS_DEFAULT_STORE.  Returned string is static or from getenv. */
const char *irs_store_default_path(void);

/* Open the store at path (NULL = irs_store_default_path()). */
int irs_store_open(const char *path, int flags, irs_store **out, ctr_error *err);
/* Free store and every store chained after it (irs_store_chain). */
void irs_store_free(irs_store *store);
/* The store's root directory as given to irs_store_open. */
const char *irs_store_path(const irs_store *store);

/* The file in a store's directory that gates its layout: a store this build
 * reads holds exactly the bytes "comtainer-store 1\n" there. */
#define IRS_FORMAT_FILE "FORMAT"
/* Bytes of a FORMAT file that irs_format_of needs to see to tell. */
#define IRS_FORMAT_MAX_BYTES 64
enum irs_format {
    IRS_FORMAT_NONE,  /* not a store's FORMAT file */
    IRS_FORMAT_OK,    /* a store of the layout version this build reads */
    IRS_FORMAT_OTHER, /* "comtainer-store N": another layout version */
};
/* What the len bytes at buf, a FORMAT file's content (or its first
 * IRS_FORMAT_MAX_BYTES bytes), say. */
enum irs_format irs_format_of(const void *buf, size_t len);

/* Chain next (with any stores chained after it) behind the last store of
 * store's chain, for reading: irs_record_get and irs_blob_get look for an
 * entry that is absent from a store (no such file) in the stores after it,
 * in order.  Any other failure (a hash mismatch, a damaged or oversized
 * file, a FIFO, a symlink on the way) is reported as it is, naming the file
 * in the store where the entry was: a damaged entry is never passed over
 * for another store's copy.  The union is safe because entries are content
 * addressed: an address names the same bytes in every store.  Writes
 * (irs_blob_put, irs_record_put, harvest), irs_store_walk, irs_store_path,
 * irs_blob_path and irs_record_path act on `store` alone.
 * On success store owns next: irs_store_free(store) frees the whole chain.
 * -1 with err when either is NULL or next is already in store's chain (or
 * store in next's); then nothing changed and the caller still owns next. */
int irs_store_chain(irs_store *store, irs_store *next, ctr_error *err);
/* The store chained after store, or NULL (also for store NULL). */
const irs_store *irs_store_next(const irs_store *store);
/* The stores in store's chain, store included (0 for NULL). */
size_t irs_store_count(const irs_store *store);

/* Store data (an IR module) content-addressed by the SHA-256 of its bytes,
 * compressed with zstd.  Writing an already present blob is cheap and not an
 * error.  hex receives the address. */
int irs_blob_put(irs_store *store, const void *data, size_t len,
                 char hex[IRS_HASH_HEX_LEN + 1], ctr_error *err);
/* Open path for reading if it is a regular file: O_NONBLOCK, so that a
 * FIFO cannot block the open; a FIFO, device or socket is refused, and
 * with flags IRS_OPEN_NOFOLLOW a final symlink too.  The descriptor
 * (O_CLOEXEC), or -1 with err naming `what` ("'PATH'" when NULL). */
int irs_open_regular(const char *path, int flags, const char *what, ctr_error *err);
/* Read and decompress a blob and verify that its bytes hash to hex.  *data is
 * malloc'ed and owned by the caller.  Looks in the stores chained after
 * store when it is absent there (irs_store_chain); absent from all, err has
 * errnum ENOENT. */
int irs_blob_get(irs_store *store, const char *hex, void **data, size_t *len,
                 ctr_error *err);
/* Path of a blob or record file (whether or not it exists) into buf. */
int irs_blob_path(const irs_store *store, const char *hex, char *buf, size_t size);
int irs_record_path(const irs_store *store, const char *id, char *buf, size_t size);

/* ---- TU records (metadata) -------------------------------------------------- */

typedef struct irs_strv {
    size_t n;
    char **v;
} irs_strv;

/* One translation unit: what was compiled, how, and where its IR is. */
typedef struct irs_record {
    uint32_t version;     /* schema version the record was written with */
    char *ir_kind;        /* "llvm-bc" or "gcc-lto" */
    char ir[IRS_HASH_HEX_LEN + 1]; /* address of the IR blob */
    uint64_t ir_size;     /* uncompressed IR bytes */
    char *producer;       /* plugin that wrote the record, with its version */
    char *compiler;       /* "clang", "gcc", "g++", "gfortran", ... */
    char *compiler_version;
    char *compiler_path;  /* the executable that ran the front end */
    char *language;       /* "c", "c++", "objective-c", "fortran", ... */
    char *source;         /* input file as given on the command line */
    char *cwd;            /* working directory of the compile */
    char *output;         /* output file as given (may be empty) */
    irs_strv driver_args; /* the compiler driver's argv */
    irs_strv frontend_args; /* the front end's (cc1 / cc1plus / f951) argv */
    char *triple;
    char *target_cpu;     /* -march / -target-cpu of the compile */
    char *tune_cpu;
    irs_strv target_features;
    int32_t opt_level;    /* 0..3 */
    int32_t size_level;   /* 0, 1 (-Os), 2 (-Oz) */
    int32_t pic_level;    /* 0, 1 (-fpic), 2 (-fPIC) */
    int32_t pie_level;    /* 0, 1 (-fpie), 2 (-fPIE) */
    bool debug_info;      /* -g (any level) was on */
    /* target-feature macros (irs_target_macro) the TU's preprocessor
     * conditions tested while they were undefined: code paths for CPU
     * features the compile did not have, which no relink can take */
    irs_strv undef_target_macros;
} irs_record;

irs_record *irs_record_new(void);
void irs_record_free(irs_record *rec);
/* Set a string field: the value is copied; NULL stores an empty string. */
int irs_record_set(char **field, const char *value);
/* Append a copy of s to v. */
int irs_strv_push(irs_strv *v, const char *s);
void irs_strv_clear(irs_strv *v);
/* Sort v (strcmp order) and drop repeated strings. */
void irs_strv_sort_unique(irs_strv *v);
/* s is in v, sorted by irs_strv_sort_unique. */
bool irs_strv_sorted_has(const irs_strv *v, const char *s);

/* Serialize to the canonical msgpack encoding (fixed key order, so equal
 * records give equal bytes).  *buf is malloc'ed. */
int irs_record_encode(const irs_record *rec, char **buf, size_t *len, ctr_error *err);
/* Parse an encoded record.  Unknown keys are ignored; required keys must be
 * present with the right types.  `what` names the input in messages. */
int irs_record_decode(const void *buf, size_t len, const char *what,
                      irs_record **out, ctr_error *err);
/* The TU id of a record: SHA-256 of its canonical encoding. */
int irs_record_id(const irs_record *rec, char id[IRS_HASH_HEX_LEN + 1], ctr_error *err);
/* Write the record (its IR blob should be put first); id receives its TU id. */
int irs_record_put(irs_store *store, const irs_record *rec,
                   char id[IRS_HASH_HEX_LEN + 1], ctr_error *err);
/* Read a record by TU id and verify that its bytes hash to id; through the
 * chain as irs_blob_get. */
int irs_record_get(irs_store *store, const char *id, irs_record **out, ctr_error *err);

/* ---- walking and checking --------------------------------------------------- */

enum irs_entry_kind { IRS_ENTRY_BLOB, IRS_ENTRY_RECORD };

/* Call fn for every entry of the given kind, in lexical order of address.
 * Files whose names are not addresses are reported through fn with a NULL id
 * and their path.  A non-zero return from fn stops the walk and is returned. */
typedef int (*irs_walk_fn)(irs_store *store, const char *id, const char *path,
                           void *ctx);
int irs_store_walk(irs_store *store, enum irs_entry_kind kind, irs_walk_fn fn,
                   void *ctx, ctr_error *err);

/* ---- the record inside objects -------------------------------------------- */

/* Each object carries, in a non-allocated section `.comtainer`, one line
 * "CMTR1:<tu-id>\n" per TU; linkers concatenate them into executables and
 * shared libraries. */
#define IRS_SECTION_NAME ".comtainer"
#define IRS_SECTION_TAG "CMTR1:"

/* Assembler text (GNU as syntax) that emits the record for id. */
int irs_section_asm(const char *id, char *buf, size_t size);

/* The TU ids recorded in an ELF object, executable, shared library, or every
 * member of an ar archive, in file order.  *ids is a NULL-terminated array of
 * malloc'ed strings (free with irs_ids_free).  A file with no record gives an
 * empty array, not an error. */
int irs_elf_tu_ids(const char *path, char ***ids, size_t *n, ctr_error *err);
void irs_ids_free(char **ids);
/* The TU ids in the bytes of one `.comtainer` section (as irs_elf_tu_ids
 * reads them: NUL padding allowed, anything else malformed); `what` names
 * the input in messages. */
int irs_section_tu_ids(const void *data, size_t size, const char *what, char ***ids,
                       size_t *n, ctr_error *err);

/* ---- build-system probes -------------------------------------------------- */

/* A compile or link that a build system runs to probe the toolchain and
 * throws away: autoconf's conftest (source conftest.c, .cpp, .f90, ...;
 * output conftest), CMake's try_compile (under CMakeFiles/CMakeScratch or
 * CMakeFiles/CMakeTmp), meson's sanity checks and compiler tests (under
 * meson-private), any output to /dev/null.  The plugins capture and record
 * nothing for them (any argument may be NULL). */
bool irs_is_probe(const char *source, const char *cwd, const char *output);

/* A macro the compiler defines for a CPU feature of its target (__AVX2__,
 * __FMA__, __SSE4_2__, __AVX512F__, __ARM_FEATURE_SVE, ...): a TU that
 * tests one chooses its code path for the CPU at compile time. */
bool irs_target_macro(const char *name);

/* ---- IR carried in objects, for compile caches ------------------------------ */

/* A compile cache (ccache, sccache) that hits never runs the compiler, so
 * the plugin never stores the TU: the cached object must bring its IR.
 * Objects then carry the store's record and blob of each TU in the section
 * IRS_CARRY_SECTION, flagged SHF_EXCLUDE: no linked file keeps it.  Each
 * entry: IRS_CARRY_MAGIC (8 bytes), the record's length (u32 LE), 0 (u32),
 * the blob's length (u64 LE), the record's bytes, the blob's (as stored:
 * a zstd frame).  Entries of several objects (ld -r) follow each other,
 * NUL padding allowed between them. */
#define IRS_CARRY_SECTION ".comtainer.ir"
#define IRS_CARRY_MAGIC "CMTRIR1"

/* Whether a compile should carry its IR: COMTAINER_CARRY=1 yes, =0 no;
 * unset, yes under a compile cache or distributor (ccache, sccache, distcc,
 * icecc among the compiler's parent processes). */
bool irs_carry_wanted(void);
/* Assembler text that copies record id and its blob ir_hex, as the store
 * holds them, into the object's IRS_CARRY_SECTION (.incbin of the store's
 * files).  -1 with err when an entry is missing or a path cannot be
 * quoted. */
int irs_carry_asm(const irs_store *store, const char *id, const char *ir_hex, char *buf,
                  size_t size, ctr_error *err);
/* fn(record, rlen, blob, blen, ctx, err) for each entry of a carried
 * section's bytes; `what` names the input in messages.  The bytes are
 * untrusted: every length is checked against what is left. */
typedef int (*irs_carry_fn)(const void *record, size_t rlen, const void *blob, size_t blen,
                            void *ctx, ctr_error *err);
int irs_carry_parse(const void *data, size_t size, const char *what, irs_carry_fn fn, void *ctx,
                    ctr_error *err);
/* Put the TUs that the object, archive or linked file at path carries into
 * store, each record and blob verified (its record decodes, the blob
 * decompresses to the IR the record names); *added counts the TUs new to
 * the store, *carried all.  A file that carries none is not an error. */
int irs_carry_harvest(irs_store *store, const char *path, size_t *carried, size_t *added,
                      ctr_error *err);
/* The same for the bytes of one IRS_CARRY_SECTION (`what` names its file). */
int irs_carry_harvest_section(irs_store *store, const void *data, size_t size, const char *what,
                              size_t *carried, size_t *added, ctr_error *err);

/* ---- the tagging object of the link-time recorder -------------------------- */

/* The ELF identity a written object takes (copied from a link's inputs). */
typedef struct irs_elf_target {
    unsigned char ei_class;  /* ELFCLASS32 / ELFCLASS64 */
    unsigned char ei_data;   /* ELFDATA2LSB / ELFDATA2MSB */
    unsigned char ei_osabi;
    uint16_t e_machine;
    uint32_t e_flags;
} irs_elf_target;

/* Write a new relocatable object at path (which must not exist) whose only
 * content is a non-allocated `.comtainer` section with one "CMTR1:<id>\n"
 * line per id, plus the notes that keep it neutral in a link (an empty
 * `.note.GNU-stack`; on x86 and AArch64 a `.note.gnu.property` whose
 * feature words cannot change the output's).  Linked into a program, it
 * adds the ids to the program's `.comtainer` and changes no loaded byte. */
int irs_elf_tag_object_write(const char *path, char *const *ids, size_t n,
                             const irs_elf_target *target, ctr_error *err);

#ifdef __cplusplus
}
#endif
#endif
