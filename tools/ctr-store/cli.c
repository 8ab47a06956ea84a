/* Shared pieces of the ctr-store commands. */
#include "cli.h"
#include "comtainer/oci.h"

#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ctr_err(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", ctr_progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void ctr_err_obj(const ctr_error *err)
{
    char msg[sizeof err->msg + PATH_MAX];
    ctr_err("%s", ctr_store_text(err->msg, msg, sizeof msg));
}

static json_t *strv_json(const irs_strv *v)
{
    json_t *a = json_array();
    for (size_t i = 0; i < v->n; i++)
        json_array_append_new(a, json_string(v->v[i]));
    return a;
}

json_t *ctr_record_json(const char *id, const irs_record *rec)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    if (!rec)
        return o;
    json_object_set_new(o, "source", json_string(rec->source));
    json_object_set_new(o, "language", json_string(rec->language));
    json_object_set_new(o, "compiler", json_string(rec->compiler));
    json_object_set_new(o, "compiler_version", json_string(rec->compiler_version));
    json_object_set_new(o, "compiler_path", json_string(rec->compiler_path));
    json_object_set_new(o, "ir_kind", json_string(rec->ir_kind));
    json_object_set_new(o, "ir", json_string(rec->ir));
    json_object_set_new(o, "ir_size", json_integer((json_int_t)rec->ir_size));
    json_object_set_new(o, "producer", json_string(rec->producer));
    json_object_set_new(o, "cwd", json_string(rec->cwd));
    json_object_set_new(o, "output", json_string(rec->output));
    json_object_set_new(o, "driver_args", strv_json(&rec->driver_args));
    json_object_set_new(o, "frontend_args", strv_json(&rec->frontend_args));
    json_object_set_new(o, "triple", json_string(rec->triple));
    json_object_set_new(o, "target_cpu", json_string(rec->target_cpu));
    json_object_set_new(o, "tune_cpu", json_string(rec->tune_cpu));
    json_object_set_new(o, "target_features", strv_json(&rec->target_features));
    json_object_set_new(o, "opt_level", json_integer(rec->opt_level));
    json_object_set_new(o, "size_level", json_integer(rec->size_level));
    json_object_set_new(o, "pic_level", json_integer(rec->pic_level));
    json_object_set_new(o, "pie_level", json_integer(rec->pie_level));
    json_object_set_new(o, "debug_info", json_boolean(rec->debug_info));
    json_object_set_new(o, "undef_target_macros", strv_json(&rec->undef_target_macros));
    json_object_set_new(o, "schema_version", json_integer(rec->version));
    return o;
}

int ctr_print_json(json_t *value)
{
    int rc = json_dumpf(value, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    json_decref(value);
    fputc('\n', stdout);
    return rc;
}

int ctr_open_store(const char *path, irs_store **out)
{
    ctr_error err = {0};
    int rc = path && oci_ref_is_image(path) ? ctr_open_image_store(path, out, &err)
                                            : irs_store_open(path, 0, out, &err);
    if (rc < 0) {
        ctr_err_obj(&err); /* an image's store by its name, not the temporary copy */
        return -1;
    }
    return 0;
}


int ctr_parse(int argc, char **argv, const char *usage, unsigned allowed, int min_pos,
              int max_pos, struct ctr_opts *o)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"store", required_argument, NULL, 's'},
        {"output", required_argument, NULL, 'o'},
        {"dry-run", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(usage, stdout);
            return 1;
        case 'j':
            if (!(allowed & CTR_OPT_JSON))
                goto bad;
            o->json = true;
            break;
        case 's':
            if (!(allowed & CTR_OPT_STORE))
                goto bad;
            o->store = optarg;
            break;
        case 'o':
            if (!(allowed & CTR_OPT_OUTPUT))
                goto bad;
            o->output = optarg;
            break;
        case 'n':
            if (!(allowed & CTR_OPT_DRY_RUN))
                goto bad;
            o->dry_run = true;
            break;
        default:
            goto bad;
        }
    }
    o->npos = argc - optind;
    o->pos = argv + optind;
    if (o->npos < min_pos || o->npos > max_pos) {
        ctr_err("%s: wrong number of arguments", argv[0]);
        fputs(usage, stderr);
        return -1;
    }
    return 0;
bad:
    ctr_err("%s: unknown option '%s'", argv[0], argv[optind - 1]);
    fputs(usage, stderr);
    return -1;
}

/* Shortest prefix accepted: short prefixes match by accident. */
#define MIN_PREFIX 6

struct find_ctx {
    const char *prefix;
    char found[IRS_HASH_HEX_LEN + 1];
    int matches;
};

static int find(irs_store *store, const char *id, const char *path, void *vctx)
{
    (void)store;
    (void)path;
    struct find_ctx *ctx = vctx;
    if (id && !strncmp(id, ctx->prefix, strlen(ctx->prefix))) {
        if (!ctx->matches++)
            memcpy(ctx->found, id, sizeof ctx->found);
    }
    return 0;
}

int ctr_find_tu(irs_store *store, const char *prefix, char id[IRS_HASH_HEX_LEN + 1])
{
    size_t len = strlen(prefix);
    if (len < MIN_PREFIX || len > IRS_HASH_HEX_LEN ||
        strspn(prefix, "0123456789abcdef") != len) {
        ctr_err("'%s' is not a TU id or id prefix", prefix);
        return -1;
    }
    struct find_ctx ctx = {.prefix = prefix};
    ctr_error err;
    if (irs_store_walk(store, IRS_ENTRY_RECORD, find, &ctx, &err) < 0) {
        ctr_err_obj(&err);
        return -1;
    }
    if (ctx.matches == 0) {
        ctr_err("no TU '%s' in store '%s'", prefix, ctr_store_name(store));
        return -1;
    }
    if (ctx.matches > 1) {
        ctr_err("'%s' is ambiguous: %d TUs start with it", prefix, ctx.matches);
        return -1;
    }
    memcpy(id, ctx.found, IRS_HASH_HEX_LEN + 1);
    return 0;
}

int ctr_begin(int argc, char **argv, const char *usage, unsigned allowed, int min_pos,
              int max_pos, bool store_arg, struct ctr_opts *o, irs_store **store)
{
    int rc = ctr_parse(argc, argv, usage, allowed, min_pos, max_pos, o);
    if (rc)
        return rc > 0 ? CTR_EXIT_OK : CTR_EXIT_ERROR;
    const char *path = store_arg && o->npos ? o->pos[0] : o->store;
    return ctr_open_store(path, store) < 0 ? CTR_EXIT_ERROR : -1;
}
