/* Fuzz target: reading an OCI image (oci/): index.json, the manifest, the
 * config and a layer, each checked against its descriptor, the layer
 * verified and unpacked into a private root.
 *
 * The input is four parts separated by lines "=====": index, manifest,
 * config, layer tar.  So that the fuzzer reaches past the digest checks,
 * placeholders are replaced by real descriptors: @MANIFEST in the index,
 * @CONFIG and @LAYER in the manifest, @DIFFID in the config.  Invariant:
 * unpacking writes nothing outside the root (a sibling directory stays
 * empty), whatever the layer holds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "comtainer/files.h"
#include "comtainer/oci.h"
#include "fuzz_oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEP "\n=====\n"

struct buf {
    char *p;
    size_t n;
};

/* s with every `token` replaced by `with` */
static struct buf replace(const char *s, size_t n, const char *token, const char *with)
{
    size_t tl = strlen(token), wl = strlen(with), count = 0;
    for (size_t i = 0; i + tl <= n; i++)
        if (!memcmp(s + i, token, tl))
            count++, i += tl - 1;
    struct buf b = {malloc(n + count * wl + 1), 0};
    for (size_t i = 0; i < n;) {
        if (i + tl <= n && !memcmp(s + i, token, tl)) {
            memcpy(b.p + b.n, with, wl);
            b.n += wl;
            i += tl;
        } else {
            b.p[b.n++] = s[i++];
        }
    }
    b.p[b.n] = '\0';
    return b;
}

static void put(const char *dir, const char *name, const void *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(p, 1, n, f);
        fclose(f);
    }
}

/* A blob; its descriptor fields ("mediaType":...,"digest":...,"size":N) in desc. */
static void blob(const char *dir, const char *media, const struct buf *b, char *desc, size_t dsize,
                 char digest[OCI_DIGEST_LEN + 1])
{
    ctr_error err;
    if (oci_sha256_buffer(b->p, b->n, digest, &err) < 0)
        abort();
    char name[256];
    snprintf(name, sizeof name, "blobs/sha256/%s", digest + 7);
    put(dir, name, b->p, b->n);
    snprintf(desc, dsize, "\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu", media, digest,
             b->n);
}

static void remove_all(const char *path)
{
    ctr_tree_remove(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *part[4];
    size_t len[4];
    const char *p = (const char *)data, *end = p + size;
    for (int i = 0; i < 4; i++) {
        const char *s = i < 3 ? memmem(p, (size_t)(end - p), SEP, strlen(SEP)) : NULL;
        part[i] = p;
        len[i] = s ? (size_t)(s - p) : (size_t)(end - p);
        p = s ? s + strlen(SEP) : end;
    }
    static char base[] = "/tmp/fuzz-image-XXXXXX";
    static bool made;
    if (!made && !(made = mkdtemp(base) != NULL))
        return 0;
    char dir[256], root[256], outside[256], scratch[256];
    snprintf(dir, sizeof dir, "%s/layout", base);
    snprintf(root, sizeof root, "%s/root", base);
    snprintf(outside, sizeof outside, "%s/outside", base);
    snprintf(scratch, sizeof scratch, "%s/scratch", base);
    remove_all(dir), remove_all(root), remove_all(outside), remove_all(scratch);
    char blobs[300];
    snprintf(blobs, sizeof blobs, "%s/blobs/sha256", dir);
    mkdir(dir, 0755), mkdir(root, 0755), mkdir(outside, 0755);
    snprintf(blobs, sizeof blobs, "%s/blobs", dir);
    mkdir(blobs, 0755);
    snprintf(blobs, sizeof blobs, "%s/blobs/sha256", dir);
    mkdir(blobs, 0755);
    put(dir, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);

    char d_layer[256], d_config[256], d_manifest[256], diff_id[OCI_DIGEST_LEN + 3];
    char dg[OCI_DIGEST_LEN + 1];
    struct buf tar = {malloc(len[3] + 1), len[3]};
    memcpy(tar.p, part[3], len[3]);
    blob(dir, OCI_MEDIA_LAYER_TAR, &tar, d_layer, sizeof d_layer, dg);
    snprintf(diff_id, sizeof diff_id, "\"%s\"", dg);
    struct buf config = replace(part[2], len[2], "@DIFFID", diff_id);
    blob(dir, OCI_MEDIA_CONFIG, &config, d_config, sizeof d_config, dg);
    struct buf m1 = replace(part[1], len[1], "@CONFIG", d_config);
    struct buf manifest = replace(m1.p, m1.n, "@LAYER", d_layer);
    blob(dir, OCI_MEDIA_MANIFEST, &manifest, d_manifest, sizeof d_manifest, dg);
    struct buf index = replace(part[0], len[0], "@MANIFEST", d_manifest);
    put(dir, "index.json", index.p, index.n);

    bool ok = read_and_unpack(dir, scratch, root);
    if (!empty_dir(outside))
        abort(); /* something was written beside the root */
    if (!ok && !empty_dir(root))
        abort(); /* a refused image left some of its files in the root */
    free(tar.p), free(config.p), free(m1.p), free(manifest.p), free(index.p);
    return 0;
}
