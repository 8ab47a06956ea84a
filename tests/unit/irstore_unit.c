/* Unit tests of irstore: record encoding and hostile records, blob and record
 * storage, corruption detection, chained stores.  argv[1] is a scratch
 * directory. */
#include <errno.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "comtainer/irstore.h"
#include "check.h"


#define CHECK_ERR(call, err, needle)                                                   \
    do {                                                                               \
        if ((call) >= 0) {                                                             \
            fprintf(stderr, "FAIL: %s:%d: %s succeeded\n", __FILE__, __LINE__, #call); \
            failures++;                                                                \
        } else if (!strstr((err).msg, needle)) {                                       \
            fprintf(stderr, "FAIL: %s:%d: message '%s' lacks '%s'\n", __FILE__,        \
                    __LINE__, (err).msg, needle);                                      \
            failures++;                                                                \
        }                                                                              \
    } while (0)

static const char hash_a[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static irs_record *sample_record(void)
{
    irs_record *r = irs_record_new();
    irs_record_set(&r->ir_kind, "llvm-bc");
    memcpy(r->ir, hash_a, sizeof r->ir);
    r->ir_size = 1234;
    irs_record_set(&r->compiler, "clang");
    irs_record_set(&r->language, "c");
    irs_record_set(&r->source, "src/ké y.c"); /* non-ASCII survives */
    irs_strv_push(&r->driver_args, "clang");
    irs_strv_push(&r->driver_args, "-O2");
    irs_strv_push(&r->target_features, "+avx2");
    r->opt_level = 2;
    r->pic_level = 2;
    r->debug_info = true;
    return r;
}

static void test_roundtrip(void)
{
    ctr_error err;
    irs_record *r = sample_record(), *back = NULL;
    char *a, *b;
    size_t alen, blen;
    CHECK(irs_record_encode(r, &a, &alen, &err) == 0);
    CHECK(irs_record_decode(a, alen, "test", &back, &err) == 0);
    CHECK(back && !strcmp(back->source, "src/ké y.c"));
    CHECK(back && back->driver_args.n == 2 && !strcmp(back->driver_args.v[1], "-O2"));
    CHECK(back && back->debug_info && back->opt_level == 2 && back->ir_size == 1234);
    CHECK(back && !strcmp(back->output, "")); /* unset optional strings read as "" */
    CHECK(irs_record_encode(back, &b, &blen, &err) == 0);
    CHECK(alen == blen && !memcmp(a, b, alen)); /* canonical: same bytes, same id */
    char id1[65], id2[65];
    CHECK(irs_record_id(r, id1, &err) == 0 && irs_record_id(back, id2, &err) == 0);
    CHECK(!strcmp(id1, id2) && irs_is_hash_hex(id1));
    irs_record_set(&back->output, "x.o");
    CHECK(irs_record_id(back, id2, &err) == 0 && strcmp(id1, id2) != 0);
    free(a);
    free(b);
    irs_record_free(r);
    irs_record_free(back);
}

/* Pack a map from (key, kind, value) triples: kind 's' string, 'i' int,
 * 'a' array of ints, 'n' string with an embedded NUL. */
static void pack_map(msgpack_sbuffer *sb, int n, const char *const *kv)
{
    msgpack_packer pk;
    msgpack_sbuffer_init(sb);
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, (size_t)n);
    for (int i = 0; i < n; i++) {
        const char *k = kv[3 * i], *t = kv[3 * i + 1], *v = kv[3 * i + 2];
        msgpack_pack_str_with_body(&pk, k, strlen(k));
        if (*t == 's')
            msgpack_pack_str_with_body(&pk, v, strlen(v));
        else if (*t == 'n')
            msgpack_pack_str_with_body(&pk, "a\0b", 3);
        else if (*t == 'i')
            msgpack_pack_int64(&pk, atoll(v));
        else {
            msgpack_pack_array(&pk, 2);
            msgpack_pack_int(&pk, 1);
            msgpack_pack_int(&pk, 2);
        }
    }
}

static int decode_map(int n, const char *const *kv, ctr_error *err)
{
    msgpack_sbuffer sb;
    irs_record *r = NULL;
    pack_map(&sb, n, kv);
    int rc = irs_record_decode(sb.data, sb.size, "rec", &r, err);
    irs_record_free(r);
    msgpack_sbuffer_destroy(&sb);
    return rc;
}

#define REQUIRED "v", "i", "1", "ir_kind", "s", "llvm-bc", "ir", "s", hash_a, \
                 "compiler", "s", "clang", "language", "s", "c", "source", "s", "a.c"

static void test_hostile_records(void)
{
    ctr_error err;
    const char *const ok[] = {REQUIRED};
    CHECK(decode_map(6, ok, &err) == 0);
    const char *const future[] = {REQUIRED, "some_future_key", "a", "", "v2_thing", "s", "x"};
    CHECK(decode_map(8, future, &err) == 0); /* unknown keys are ignored */
    const char *const newer[] = {"v", "i", "7", "ir_kind", "s", "llvm-bc", "ir", "s", hash_a,
                                 "compiler", "s", "clang", "language", "s", "c", "source",
                                 "s", "a.c"};
    CHECK(decode_map(6, newer, &err) == 0); /* a newer schema version still reads */
    CHECK_ERR(decode_map(5, ok, &err), err, "required key 'source' is missing");
    const char *const badtype[] = {REQUIRED, "opt_level", "s", "2"};
    CHECK_ERR(decode_map(7, badtype, &err), err, "'opt_level' is not an integer");
    const char *const range[] = {REQUIRED, "opt_level", "i", "9999999999"};
    CHECK_ERR(decode_map(7, range, &err), err, "'opt_level' is not an integer in range");
    const char *const nul[] = {REQUIRED, "cwd", "n", ""};
    CHECK_ERR(decode_map(7, nul, &err), err, "contains a NUL byte");
    const char *const dup[] = {REQUIRED, "source", "s", "b.c"};
    CHECK_ERR(decode_map(7, dup, &err), err, "'source' appears twice");
    const char *const badhash[] = {"v", "i", "1", "ir_kind", "s", "llvm-bc", "ir", "s",
                                   "../../etc/passwd", "compiler", "s", "clang", "language",
                                   "s", "c", "source", "s", "a.c"};
    CHECK_ERR(decode_map(6, badhash, &err), err, "not a sha256 address");
    const char *const v0[] = {"v", "i", "0", "ir_kind", "s", "llvm-bc", "ir", "s", hash_a,
                              "compiler", "s", "clang", "language", "s", "c", "source", "s",
                              "a.c"};
    CHECK_ERR(decode_map(6, v0, &err), err, "bad schema version");

    /* truncation at every length, and trailing garbage */
    irs_record *r = sample_record(), *back = NULL;
    char *buf;
    size_t len;
    CHECK(irs_record_encode(r, &buf, &len, &err) == 0);
    for (size_t cut = 0; cut < len; cut++) {
        if (irs_record_decode(buf, cut, "cut", &back, &err) == 0) {
            fprintf(stderr, "FAIL: record truncated to %zu bytes decoded\n", cut);
            failures++;
            irs_record_free(back);
        }
    }
    char *longer = malloc(len + 1);
    memcpy(longer, buf, len);
    longer[len] = 0;
    CHECK_ERR(irs_record_decode(longer, len + 1, "trail", &back, &err), err, "trailing");
    CHECK_ERR(irs_record_decode("\x92\x01\x02", 3, "arr", &back, &err), err, "not a map");
    free(longer);
    free(buf);
    irs_record_free(r);
}

static void flip_byte(const char *path, long off)
{
    FILE *f = fopen(path, "r+b");
    fseek(f, off, SEEK_SET);
    int c = fgetc(f);
    fseek(f, off, SEEK_SET);
    fputc(c ^ 0x10, f);
    fclose(f);
}

static void test_store(const char *dir)
{
    ctr_error err;
    irs_store *s = NULL;
    char root[4096], path[4200];
    snprintf(root, sizeof root, "%s/store", dir);
    CHECK_ERR(irs_store_open(root, 0, &s, &err), err, "No such file");
    CHECK(irs_store_open(root, IRS_OPEN_CREATE, &s, &err) == 0);
    if (!s)
        return;

    static char data[100000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)(i * 7 % 251);
    char h1[65], h2[65];
    CHECK(irs_blob_put(s, data, sizeof data, h1, &err) == 0);
    CHECK(irs_blob_put(s, data, sizeof data, h2, &err) == 0 && !strcmp(h1, h2));
    void *back;
    size_t len;
    CHECK(irs_blob_get(s, h1, &back, &len, &err) == 0 && len == sizeof data &&
          !memcmp(back, data, len));
    free(back);
    CHECK_ERR(irs_blob_get(s, "../../../etc/passwd", &back, &len, &err), err,
              "not a blob address");

    irs_record *r = sample_record(), *rr = NULL;
    memcpy(r->ir, h1, sizeof r->ir);
    char id[65];
    CHECK(irs_record_put(s, r, id, &err) == 0);
    CHECK(irs_record_get(s, id, &rr, &err) == 0 && rr && !strcmp(rr->ir, h1));
    irs_record_free(rr);

    /* a flipped bit in a blob or a record is caught on read */
    irs_blob_path(s, h1, path, sizeof path);
    flip_byte(path, 40);
    CHECK_ERR(irs_blob_get(s, h1, &back, &len, &err), err, path);
    CHECK(truncate(path, 10) == 0);
    CHECK_ERR(irs_blob_get(s, h1, &back, &len, &err), err, path);
    irs_record_path(s, id, path, sizeof path);
    flip_byte(path, 5);
    CHECK_ERR(irs_record_get(s, id, &rr, &err), err, "content hash mismatch");

    /* nothing is left in tmp/ after writes */
    snprintf(path, sizeof path, "%s/tmp", root);
    CHECK(rmdir(path) == 0 || errno == ENOENT);
    irs_record_free(r);
    irs_store_free(s);

    /* a store of another format version is refused by name */
    snprintf(path, sizeof path, "%s/FORMAT", root);
    FILE *f = fopen(path, "w");
    fputs("comtainer-store 99\n", f);
    fclose(f);
    CHECK_ERR(irs_store_open(root, IRS_OPEN_CREATE, &s, &err), err,
              "format version not supported");
}

/* The FORMAT file's bytes, as the relinker's search for stores reads them. */
static void test_format_of(void)
{
    CHECK(irs_format_of("comtainer-store 1\n", 18) == IRS_FORMAT_OK);
    CHECK(irs_format_of("comtainer-store 2\n", 18) == IRS_FORMAT_OTHER);
    CHECK(irs_format_of("comtainer-store 1\nmore", 22) == IRS_FORMAT_OTHER);
    CHECK(irs_format_of("comtainer-store 1", 17) == IRS_FORMAT_OTHER);
    CHECK(irs_format_of("comtainer-store ", 16) == IRS_FORMAT_NONE);
    CHECK(irs_format_of("hello\n", 6) == IRS_FORMAT_NONE);
    CHECK(irs_format_of("", 0) == IRS_FORMAT_NONE);
}

static irs_store *chain_store(const char *dir, const char *name)
{
    char root[4096];
    ctr_error err;
    irs_store *s = NULL;
    snprintf(root, sizeof root, "%s/%s", dir, name);
    CHECK(irs_store_open(root, IRS_OPEN_CREATE, &s, &err) == 0);
    return s;
}

/* Chained stores: an entry absent from one is read from the next; absent
 * from all, the count and the first store are named; a damaged entry in an
 * earlier store is an error, never passed over for a later store's copy. */
static void test_chain(const char *dir)
{
    ctr_error err;
    irs_store *s1 = chain_store(dir, "chain1"), *s2 = chain_store(dir, "chain2"),
              *s3 = chain_store(dir, "chain3");
    if (!s1 || !s2 || !s3) {
        irs_store_free(s1), irs_store_free(s2), irs_store_free(s3);
        return;
    }
    static const char x[] = "the IR of x", y[] = "the IR of y", z[] = "stored nowhere";
    char hx[65], hy[65], hz[65], id[65], path[4200];
    CHECK(irs_blob_put(s2, x, sizeof x, hx, &err) == 0);
    CHECK(irs_blob_put(s3, y, sizeof y, hy, &err) == 0);
    CHECK(irs_sha256_hex(z, sizeof z, hz, &err) == 0);
    irs_record *r = sample_record(), *rr = NULL;
    memcpy(r->ir, hx, sizeof r->ir);
    CHECK(irs_record_put(s1, r, id, &err) == 0);
    irs_record_free(r);

    CHECK(irs_store_chain(s1, NULL, &err) < 0 && err.code == CTR_E_USAGE);
    CHECK(irs_store_chain(s1, s1, &err) < 0 && err.code == CTR_E_USAGE);
    CHECK(irs_store_chain(s2, s3, &err) == 0);
    CHECK(irs_store_chain(s1, s2, &err) == 0); /* s2 brings s3 */
    CHECK_ERR(irs_store_chain(s1, s3, &err), err, "already in the chain");
    CHECK_ERR(irs_store_chain(s3, s1, &err), err, "already in the chain");
    CHECK(irs_store_count(s1) == 3 && irs_store_next(s1) == s2 && irs_store_next(s2) == s3 &&
          !irs_store_next(s3) && irs_store_count(NULL) == 0);

    void *back = NULL;
    size_t len = 0;
    CHECK(irs_record_get(s1, id, &rr, &err) == 0 && rr && !strcmp(rr->ir, hx));
    irs_record_free(rr);
    CHECK(irs_blob_get(s1, hx, &back, &len, &err) == 0 && len == sizeof x); /* from s2 */
    free(back);
    CHECK(irs_blob_get(s1, hy, &back, &len, &err) == 0 && len == sizeof y); /* from s3 */
    free(back);
    /* the chain goes forward only: s2's chain is s2, s3 */
    CHECK_ERR(irs_record_get(s2, id, &rr, &err), err, "in none of the 2 stores");

    /* absent everywhere: ENOENT, the count, the first store's path */
    irs_blob_path(s1, hz, path, sizeof path);
    CHECK_ERR(irs_blob_get(s1, hz, &back, &len, &err), err, "in none of the 3 stores");
    CHECK(err.errnum == ENOENT && strstr(err.msg, path));
    /* a store alone: its own message, as before chains */
    irs_blob_path(s3, hz, path, sizeof path);
    CHECK_ERR(irs_blob_get(s3, hz, &back, &len, &err), err, path);
    CHECK(err.errnum == ENOENT && !strstr(err.msg, "in none of"));

    /* x damaged in s1, intact in s2: an error naming s1's file */
    CHECK(irs_blob_put(s1, x, sizeof x, hx, &err) == 0);
    irs_blob_path(s1, hx, path, sizeof path);
    flip_byte(path, 6);
    CHECK_ERR(irs_blob_get(s1, hx, &back, &len, &err), err, path);
    CHECK(err.errnum != ENOENT);
    /* a blob that is a directory in s1 is an error too, not absent */
    CHECK(unlink(path) == 0 && mkdir(path, 0755) == 0);
    CHECK_ERR(irs_blob_get(s1, hx, &back, &len, &err), err, path);
    CHECK(rmdir(path) == 0);
    CHECK(irs_blob_get(s1, hx, &back, &len, &err) == 0); /* gone from s1: s2's again */
    free(back);
    irs_store_free(s1); /* the whole chain */
}

/* Build-system probes, and what only looks like one. */
static void test_probes(void)
{
    CHECK(irs_is_probe("conftest.c", "/b", "conftest.o"));
    CHECK(irs_is_probe("/src/conftest.f90", NULL, NULL));
    CHECK(irs_is_probe(NULL, "/b", "conftest"));
    CHECK(irs_is_probe("src.c", "/b/CMakeFiles/CMakeScratch/TryCompile-ab12", "src.o"));
    CHECK(irs_is_probe("a.c", "/b", "CMakeFiles/CMakeTmp/a.o"));
    CHECK(irs_is_probe("a.c", "/b", "meson-private/tmpx/sanity.o"));
    CHECK(irs_is_probe("a.c", "/b/meson-private", "a.o"));
    CHECK(irs_is_probe("a.c", "/b", "/dev/null"));
    CHECK(!irs_is_probe("conftestify.c", "/b", "conftestify.o"));
    CHECK(!irs_is_probe("main.c", "/b/CMakeFiles/app.dir", "main.o"));
    CHECK(!irs_is_probe("main.c", "/home/meson-privateer", "main.o"));
    CHECK(!irs_is_probe(NULL, NULL, NULL));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: irstore_unit SCRATCH_DIR\n");
        return 2;
    }
    if (make_scratch(argv[1]) < 0)
        return 2;
    test_roundtrip();
    test_hostile_records();
    test_probes();
    test_store(argv[1]);
    test_format_of();
    test_chain(argv[1]);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all irstore unit checks passed\n");
    return 0;
}
