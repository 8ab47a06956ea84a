/* ctr-store ls: list the TUs of a store. */
#include <stdio.h>

#include "cli.h"

static const char usage[] =
    "usage: ctr-store ls [STORE|IMAGE] [--store DIR] [--json]\n"
    "List every TU record: id, language, compiler, source.  --json prints an array\n"
    "of full records.  Exit 1 if a record cannot be read (it is named on stderr).\n"
    "IMAGE: an OCI layout DIR[:TAG], an oci-archive or docker-archive (also\n"
    "oci:, oci-archive:, docker-archive: prefixes); its store is verified and read.\n";

struct ls_ctx {
    json_t *out;
    int bad;
};

static int each(irs_store *store, const char *id, const char *path, void *vctx)
{
    struct ls_ctx *ctx = vctx;
    irs_record *rec;
    ctr_error err;
    if (!id) {
        ctr_err("'%s': not a record address", path);
        ctx->bad++;
        return 0;
    }
    if (irs_record_get(store, id, &rec, &err) < 0) {
        ctr_err_obj(&err);
        ctx->bad++;
        return 0;
    }
    if (ctx->out)
        json_array_append_new(ctx->out, ctr_record_json(id, rec));
    else
        printf("%.16s  %-8s %-10s %s\n", id, rec->language, rec->compiler, rec->source);
    irs_record_free(rec);
    return 0;
}

int cmd_ls(int argc, char **argv)
{
    struct ctr_opts o;
    irs_store *store;
    int rc = ctr_begin(argc, argv, usage, CTR_OPT_JSON | CTR_OPT_STORE, 0, 1, true, &o,
                       &store);
    if (rc >= 0)
        return rc;
    struct ls_ctx ctx = {o.json ? json_array() : NULL, 0};
    ctr_error err;
    rc = irs_store_walk(store, IRS_ENTRY_RECORD, each, &ctx, &err);
    irs_store_free(store);
    if (rc < 0) {
        ctr_err_obj(&err);
        json_decref(ctx.out);
        return CTR_EXIT_ERROR;
    }
    if (ctx.out)
        ctr_print_json(ctx.out);
    return ctx.bad ? CTR_EXIT_PROBLEMS : CTR_EXIT_OK;
}
