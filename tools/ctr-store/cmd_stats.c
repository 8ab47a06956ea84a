/* ctr-store stats: TUs and bytes, in total and by language and compiler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const char usage[] =
    "usage: ctr-store stats [STORE|IMAGE] [--store DIR] [--json]\n"
    "Count TUs and IR bytes (raw and compressed) in total and by language and\n"
    "compiler.  Equal IR is stored once: 'unique' counts it once.  For an OCI\n"
    "image (layout DIR[:TAG], oci-archive or docker-archive), also the image's\n"
    "size (layer tars, layer blobs) and the store's share of each; the store's\n"
    "compressed size is that of a gzip'ed tar of it.\n";

struct group {
    char *name;
    unsigned long tus;
    unsigned long long raw, compressed;
};

struct groups {
    struct group *v;
    size_t n;
};

struct stats_ctx {
    struct groups by_language, by_compiler;
    struct group total, unique;
    unsigned long bad;
};

static void add(struct groups *g, const char *name, unsigned long long raw,
                unsigned long long compressed)
{
    size_t i = 0;
    while (i < g->n && strcmp(g->v[i].name, name))
        i++;
    if (i == g->n) {
        struct group *nv = realloc(g->v, (g->n + 1) * sizeof *nv);
        if (!nv)
            return;
        g->v = nv;
        g->v[g->n++] = (struct group){.name = strdup(name)};
    }
    g->v[i].tus++;
    g->v[i].raw += raw;
    g->v[i].compressed += compressed;
}

static unsigned long long file_size(irs_store *store, const char *hex, bool blob)
{
    char path[4096];
    struct stat st;
    int rc = blob ? irs_blob_path(store, hex, path, sizeof path)
                  : irs_record_path(store, hex, path, sizeof path);
    return rc == 0 && stat(path, &st) == 0 ? (unsigned long long)st.st_size : 0;
}

static int each_record(irs_store *store, const char *id, const char *path, void *vctx)
{
    struct stats_ctx *ctx = vctx;
    irs_record *rec;
    ctr_error err;
    if (!id || irs_record_get(store, id, &rec, &err) < 0) {
        ctr_err("skipping '%s': %s", path, id ? err.msg : "not a record address");
        ctx->bad++;
        return 0;
    }
    unsigned long long z = file_size(store, rec->ir, true);
    /* the link-time recorder's records have no language: by their kind */
    const char *lang = *rec->language                        ? rec->language
                       : !strcmp(rec->ir_kind, "link")       ? "(link)"
                       : !strcmp(rec->ir_kind, "elf-object") ? "(object)"
                                                             : "(none)";
    add(&ctx->by_language, lang, rec->ir_size, z);
    add(&ctx->by_compiler, rec->compiler, rec->ir_size, z);
    ctx->total.tus++;
    ctx->total.raw += rec->ir_size;
    ctx->total.compressed += z;
    irs_record_free(rec);
    return 0;
}

static int each_blob(irs_store *store, const char *id, const char *path, void *vctx)
{
    (void)path;
    struct stats_ctx *ctx = vctx;
    if (!id)
        return 0;
    void *data;
    size_t len;
    ctr_error err;
    /* The raw size is in the zstd frame header, but only a full read proves it. */
    if (irs_blob_get(store, id, &data, &len, &err) < 0) {
        ctr_err_obj(&err);
        ctx->bad++;
        return 0;
    }
    free(data);
    ctx->unique.tus++;
    ctx->unique.raw += len;
    ctx->unique.compressed += file_size(store, id, true);
    return 0;
}

static int cmp_group(const void *a, const void *b)
{
    return strcmp(((const struct group *)a)->name, ((const struct group *)b)->name);
}

static json_t *groups_json(const struct groups *g)
{
    json_t *o = json_object();
    for (size_t i = 0; i < g->n; i++)
        json_object_set_new(o, g->v[i].name,
                            json_pack("{s:I,s:I,s:I}", "tus", (json_int_t)g->v[i].tus,
                                      "raw_bytes", (json_int_t)g->v[i].raw,
                                      "compressed_bytes", (json_int_t)g->v[i].compressed));
    return o;
}

static void print_group(const char *label, const struct group *g)
{
    printf("  %-22s %6lu TUs %12llu raw %12llu compressed", label, g->tus, g->raw,
           g->compressed);
    if (g->compressed)
        printf("  (%.1fx)", (double)g->raw / (double)g->compressed);
    putchar('\n');
}

static void free_groups(struct groups *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->v[i].name);
    free(g->v);
}

static double percent(unsigned long long part, unsigned long long whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* For a store read out of an image: how much of the image it is. */
static void add_image_json(json_t *j)
{
    const struct ctr_image_info *im = ctr_image_info();
    if (!im)
        return;
    json_object_set_new(j, "image", json_string(im->name));
    json_object_set_new(j, "image_bytes", json_integer((json_int_t)im->image_bytes));
    json_object_set_new(j, "image_compressed_bytes",
                        json_integer((json_int_t)im->image_compressed_bytes));
    json_object_set_new(j, "store_bytes", json_integer((json_int_t)im->store_bytes));
    json_object_set_new(j, "store_compressed_bytes",
                        json_integer((json_int_t)im->store_compressed_bytes));
    json_object_set_new(j, "store_share_percent",
                        json_real(percent(im->store_bytes, im->image_bytes)));
    json_object_set_new(j, "store_compressed_share_percent",
                        json_real(percent(im->store_compressed_bytes, im->image_compressed_bytes)));
}

static void print_image(void)
{
    const struct ctr_image_info *im = ctr_image_info();
    if (!im)
        return;
    printf("image %s\n"
           "  %-22s %12llu bytes uncompressed %12llu compressed (layer blobs)\n"
           "  %-22s %12llu bytes uncompressed %12llu compressed (gzip estimate)\n"
           "  %-22s %11.1f%% of uncompressed %11.1f%% of compressed\n",
           im->name, "image", im->image_bytes, im->image_compressed_bytes, "IR store",
           im->store_bytes, im->store_compressed_bytes, "store share",
           percent(im->store_bytes, im->image_bytes),
           percent(im->store_compressed_bytes, im->image_compressed_bytes));
}

int cmd_stats(int argc, char **argv)
{
    struct ctr_opts o;
    irs_store *store;
    int rc = ctr_begin(argc, argv, usage, CTR_OPT_JSON | CTR_OPT_STORE, 0, 1, true, &o,
                       &store);
    if (rc >= 0)
        return rc;
    struct stats_ctx ctx = {0};
    ctr_error err;
    rc = ctr_image_store_compressed(&err);
    if (rc == 0)
        rc = irs_store_walk(store, IRS_ENTRY_RECORD, each_record, &ctx, &err);
    if (rc == 0)
        rc = irs_store_walk(store, IRS_ENTRY_BLOB, each_blob, &ctx, &err);
    /* the same lines in the same order for the same contents */
    qsort(ctx.by_language.v, ctx.by_language.n, sizeof *ctx.by_language.v, cmp_group);
    qsort(ctx.by_compiler.v, ctx.by_compiler.n, sizeof *ctx.by_compiler.v, cmp_group);
    if (rc < 0) {
        ctr_err_obj(&err);
    } else if (o.json) {
        json_t *j = json_pack(
            "{s:s,s:I,s:I,s:I,s:{s:I,s:I,s:I},s:o,s:o,s:I}", "store", ctr_store_name(store),
            "tus", (json_int_t)ctx.total.tus, "raw_bytes", (json_int_t)ctx.total.raw,
            "compressed_bytes", (json_int_t)ctx.total.compressed, "unique", "blobs",
            (json_int_t)ctx.unique.tus, "raw_bytes", (json_int_t)ctx.unique.raw,
            "compressed_bytes", (json_int_t)ctx.unique.compressed, "by_language",
            groups_json(&ctx.by_language), "by_compiler", groups_json(&ctx.by_compiler),
            "bad", (json_int_t)ctx.bad);
        add_image_json(j);
        ctr_print_json(j);
    } else {
        print_image();
        printf("store %s\n", ctr_store_name(store));
        print_group("all TUs", &ctx.total);
        printf("  %-22s %6lu    %12llu raw %12llu compressed\n", "unique IR blobs",
               ctx.unique.tus, ctx.unique.raw, ctx.unique.compressed);
        printf("by language:\n");
        for (size_t i = 0; i < ctx.by_language.n; i++)
            print_group(ctx.by_language.v[i].name, &ctx.by_language.v[i]);
        printf("by compiler:\n");
        for (size_t i = 0; i < ctx.by_compiler.n; i++)
            print_group(ctx.by_compiler.v[i].name, &ctx.by_compiler.v[i]);
    }
    free_groups(&ctx.by_language);
    free_groups(&ctx.by_compiler);
    irs_store_free(store);
    if (rc < 0)
        return CTR_EXIT_ERROR;
    return ctx.bad ? CTR_EXIT_PROBLEMS : CTR_EXIT_OK;
}
