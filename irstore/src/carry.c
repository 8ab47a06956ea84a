/* IR carried in objects for compile caches (see irstore.h). */
#include "irstore_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEADER_LEN 24

/* The parent of process pid, from /proc (0: none or unreadable), and its
 * command name into comm. */
static long parent_of(long pid, char *comm, size_t size)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "re");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    /* "pid (comm) state ppid ...": comm may hold spaces and parentheses */
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    if (!open || !close || close < open)
        return 0;
    snprintf(comm, size, "%.*s", (int)(close - open - 1), open + 1);
    long ppid = 0;
    char state;
    return sscanf(close + 1, " %c %ld", &state, &ppid) == 2 ? ppid : 0;
}

bool irs_carry_wanted(void)
{
    const char *v = getenv("COMTAINER_CARRY");
    if (v && *v)
        return strcmp(v, "0") != 0;
    static const char *const caches[] = {"ccache", "sccache", "distcc", "icecc", "buildcache",
                                         NULL};
    char comm[64];
    long pid = getppid();
    for (int depth = 0; depth < 6 && pid > 1; depth++) {
        long parent = parent_of(pid, comm, sizeof comm);
        for (size_t i = 0; caches[i]; i++)
            if (!strcmp(comm, caches[i]))
                return true;
        pid = parent;
    }
    return false;
}

/* path fits an assembler string as it is. */
static bool quotable(const char *path)
{
    return !strpbrk(path, "\"\\\n");
}

int irs_carry_asm(const irs_store *store, const char *id, const char *ir_hex, char *buf,
                  size_t size, ctr_error *err)
{
    char rec[4096], blob[4096];
    struct stat rst, bst;
    if (irs_record_path(store, id, rec, sizeof rec) < 0 ||
        irs_blob_path(store, ir_hex, blob, sizeof blob) < 0)
        return ctr_error_set(err, ENAMETOOLONG, "store '%s'", store->root);
    if (stat(rec, &rst) < 0 || stat(blob, &bst) < 0)
        return ctr_error_set(err, errno, "carrying TU %.16s", id);
    if (!quotable(rec) || !quotable(blob))
        return ctr_error_code(err, CTR_E_UNSUPPORTED, "the store's path '%s' cannot be named "
                                                      "to the assembler", store->root);
    /* "e": SHF_EXCLUDE, dropped by every final link */
    int n = snprintf(buf, size,
                     "\t.pushsection " IRS_CARRY_SECTION ",\"e\",@progbits\n"
                     "\t.ascii \"" IRS_CARRY_MAGIC "\"\n\t.byte 0\n"
                     "\t.long %lld\n\t.long 0\n\t.quad %lld\n"
                     "\t.incbin \"%s\"\n\t.incbin \"%s\"\n"
                     "\t.popsection\n",
                     (long long)rst.st_size, (long long)bst.st_size, rec, blob);
    return n < 0 || (size_t)n >= size ? ctr_error_set(err, ENAMETOOLONG, "carrying TU %.16s", id)
                                      : 0;
}

static uint64_t le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

int irs_carry_parse(const void *data, size_t size, const char *what, irs_carry_fn fn, void *ctx,
                    ctr_error *err)
{
    const unsigned char *p = data;
    size_t off = 0;
    while (off < size) {
        if (p[off] == '\0') { /* alignment padding between inputs */
            off++;
            continue;
        }
        if (size - off < HEADER_LEN || memcmp(p + off, IRS_CARRY_MAGIC, 8) != 0)
            return ctr_error_set(err, 0, "%s: malformed " IRS_CARRY_SECTION " entry at offset "
                                         "%zu", what, off);
        uint64_t rlen = le(p + off + 8, 4), blen = le(p + off + 16, 8);
        size_t left = size - off - HEADER_LEN;
        if (rlen > IRS_MAX_RECORD_BYTES || rlen > left || blen > left - rlen)
            return ctr_error_set(err, 0, "%s: " IRS_CARRY_SECTION " entry at offset %zu is "
                                         "cut short", what, off);
        const unsigned char *rec = p + off + HEADER_LEN;
        if (fn(rec, (size_t)rlen, rec + rlen, (size_t)blen, ctx, err) < 0)
            return -1;
        off += HEADER_LEN + (size_t)rlen + (size_t)blen;
    }
    return 0;
}

struct harvest {
    irs_store *store;
    size_t carried, added;
};

/* The blob's bytes (a zstd frame) hash, decompressed, to hex. */
static int blob_matches(const void *z, size_t zlen, const char *hex, ctr_error *err)
{
    void *out;
    size_t len;
    int rc = irs__blob_decode(z, zlen, hex, "the carried IR", &out, &len, err);
    free(out);
    return rc;
}

static int import(const void *record, size_t rlen, const void *blob, size_t blen, void *vctx,
                  ctr_error *err)
{
    struct harvest *h = vctx;
    irs_record *r = NULL;
    char id[IRS_HASH_HEX_LEN + 1], rpath[4096], bpath[4096];
    if (irs_record_decode(record, rlen, "a carried record", &r, err) < 0)
        return -1;
    int rc = irs_sha256_hex(record, rlen, id, err);
    if (rc == 0 && (irs_record_path(h->store, id, rpath, sizeof rpath) < 0 ||
                    irs_blob_path(h->store, r->ir, bpath, sizeof bpath) < 0))
        rc = ctr_error_set(err, ENAMETOOLONG, "store '%s'", h->store->root);
    if (rc == 0 && access(bpath, F_OK) != 0)
        rc = blob_matches(blob, blen, r->ir, err) < 0 ? ctr_error_wrap(err, "TU %.16s", id)
                                                      : irs__write_atomic(h->store, bpath, blob,
                                                                          blen, err);
    bool fresh = rc == 0 && access(rpath, F_OK) != 0;
    if (fresh)
        rc = irs__write_atomic(h->store, rpath, record, rlen, err);
    irs_record_free(r);
    h->carried += rc == 0;
    h->added += rc == 0 && fresh;
    return rc;
}

static int parse_into(const void *data, size_t size, const char *what, void *ctx,
                      ctr_error *err)
{
    return irs_carry_parse(data, size, what, import, ctx, err);
}

int irs_carry_harvest_section(irs_store *store, const void *data, size_t size, const char *what,
                              size_t *carried, size_t *added, ctr_error *err)
{
    struct harvest h = {store, 0, 0};
    int rc = irs_carry_parse(data, size, what, import, &h, err);
    *carried = h.carried;
    *added = h.added;
    return rc;
}

int irs_carry_harvest(irs_store *store, const char *path, size_t *carried, size_t *added,
                      ctr_error *err)
{
    struct harvest h = {store, 0, 0};
    int rc = irs__each_section(path, IRS_CARRY_SECTION, parse_into, &h, err);
    *carried = h.carried;
    *added = h.added;
    return rc;
}
