/* ctr-store verify: read back every blob and record, check every hash, that
 * each record parses and that its IR blob is there. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: ctr-store verify [STORE] [--store DIR] [--json]\n"
    "Check every entry of the store: blobs decompress and hash to their address,\n"
    "records hash to their TU id, parse, and point at a present blob of the right\n"
    "size.  Each bad entry is named on stderr.  Exit 0 only if all are intact.\n";

struct verify_ctx {
    unsigned long blobs, records, bad;
    json_t *problems; /* --json: [{path, problem}] */
};

/* path and msg name an image's store as "IMAGE:/var/lib/comtainer/store/...",
 * never its temporary copy. */
static void problem(struct verify_ctx *ctx, const char *path, const char *msg)
{
    char pbuf[PATH_MAX + 128], mbuf[2048];
    path = ctr_store_text(path, pbuf, sizeof pbuf);
    msg = ctr_store_text(msg, mbuf, sizeof mbuf);
    ctx->bad++;
    if (strstr(msg, path))
        ctr_err("bad entry: %s", msg);
    else
        ctr_err("bad entry '%s': %s", path, msg);
    if (ctx->problems)
        json_array_append_new(ctx->problems,
                              json_pack("{s:s,s:s}", "path", path, "problem", msg));
}

static int check_blob(irs_store *store, const char *id, const char *path, void *vctx)
{
    struct verify_ctx *ctx = vctx;
    void *data;
    size_t len;
    ctr_error err;
    ctx->blobs++;
    if (!id)
        problem(ctx, path, "file name is not a blob address");
    else if (irs_blob_get(store, id, &data, &len, &err) < 0)
        problem(ctx, path, err.msg);
    else
        free(data);
    return 0;
}

static int check_record(irs_store *store, const char *id, const char *path, void *vctx)
{
    struct verify_ctx *ctx = vctx;
    irs_record *rec;
    ctr_error err;
    ctx->records++;
    if (!id) {
        problem(ctx, path, "file name is not a TU id");
        return 0;
    }
    if (irs_record_get(store, id, &rec, &err) < 0) {
        problem(ctx, path, err.msg);
        return 0;
    }
    void *data;
    size_t len;
    if (irs_blob_get(store, rec->ir, &data, &len, &err) < 0) {
        char msg[sizeof err.msg + 64];
        snprintf(msg, sizeof msg, "its IR is unusable: %s", err.msg);
        problem(ctx, path, msg);
    } else {
        if (len != rec->ir_size)
            problem(ctx, path, "IR size differs from the record's ir_size");
        free(data);
    }
    irs_record_free(rec);
    return 0;
}

int cmd_verify(int argc, char **argv)
{
    struct ctr_opts o;
    irs_store *store;
    int rc = ctr_begin(argc, argv, usage, CTR_OPT_JSON | CTR_OPT_STORE, 0, 1, true, &o,
                       &store);
    if (rc >= 0)
        return rc;
    struct verify_ctx ctx = {.problems = o.json ? json_array() : NULL};
    ctr_error err;
    rc = irs_store_walk(store, IRS_ENTRY_BLOB, check_blob, &ctx, &err);
    if (rc == 0)
        rc = irs_store_walk(store, IRS_ENTRY_RECORD, check_record, &ctx, &err);
    if (rc < 0) {
        ctr_err_obj(&err);
        json_decref(ctx.problems);
        irs_store_free(store);
        return CTR_EXIT_ERROR;
    }
    if (ctx.problems)
        ctr_print_json(json_pack("{s:s,s:I,s:I,s:I,s:o}", "store", ctr_store_name(store),
                                 "blobs", (json_int_t)ctx.blobs, "records",
                                 (json_int_t)ctx.records, "bad", (json_int_t)ctx.bad,
                                 "problems", ctx.problems));
    else
        printf("%s: %lu blobs, %lu records, %lu bad\n", ctr_store_name(store), ctx.blobs,
               ctx.records, ctx.bad);
    irs_store_free(store);
    return ctx.bad ? CTR_EXIT_PROBLEMS : CTR_EXIT_OK;
}
