/* ctr-store show: print one TU record, found by its id or a unique prefix. */
#include <stdio.h>

#include "cli.h"

static const char usage[] =
    "usage: ctr-store show [--store DIR] [--json] ID\n"
    "Print the TU record ID (the full id, or a unique prefix of at least 6 characters).\n";

static void print_strv(const char *key, const irs_strv *v)
{
    printf("%-17s", key);
    for (size_t i = 0; i < v->n; i++)
        printf(" %s", v->v[i]);
    putchar('\n');
}

static void print_record(const char *id, const irs_record *r)
{
    printf("%-17s %s\n", "id", id);
    printf("%-17s %s\n%-17s %s\n", "source", r->source, "language", r->language);
    printf("%-17s %s\n%-17s %s\n", "compiler", r->compiler, "compiler_version",
           r->compiler_version);
    printf("%-17s %s\n%-17s %s\n", "compiler_path", r->compiler_path, "producer", r->producer);
    printf("%-17s %s\n%-17s %s\n", "cwd", r->cwd, "output", r->output);
    printf("%-17s %s\n%-17s %s\n", "ir_kind", r->ir_kind, "ir", r->ir);
    printf("%-17s %llu\n", "ir_size", (unsigned long long)r->ir_size);
    printf("%-17s %s\n%-17s %s\n%-17s %s\n", "triple", r->triple, "target_cpu",
           r->target_cpu, "tune_cpu", r->tune_cpu);
    print_strv("target_features", &r->target_features);
    if (r->undef_target_macros.n) /* paths for CPU features it did not have */
        print_strv("undef_target_macros", &r->undef_target_macros);
    printf("%-17s -O%d size=%d pic=%d pie=%d debug=%s\n", "codegen", r->opt_level,
           r->size_level, r->pic_level, r->pie_level, r->debug_info ? "yes" : "no");
    print_strv("driver_args", &r->driver_args);
    print_strv("frontend_args", &r->frontend_args);
}

int cmd_show(int argc, char **argv)
{
    struct ctr_opts o;
    irs_store *store;
    int rc = ctr_begin(argc, argv, usage, CTR_OPT_JSON | CTR_OPT_STORE, 1, 1, false, &o,
                       &store);
    if (rc >= 0)
        return rc;
    char id[IRS_HASH_HEX_LEN + 1];
    ctr_error err;
    irs_record *rec = NULL;
    rc = CTR_EXIT_ERROR;
    if (ctr_find_tu(store, o.pos[0], id) < 0)
        ;
    else if (irs_record_get(store, id, &rec, &err) < 0)
        ctr_err_obj(&err);
    else {
        if (o.json)
            ctr_print_json(ctr_record_json(id, rec));
        else
            print_record(id, rec);
        rc = CTR_EXIT_OK;
    }
    irs_record_free(rec);
    irs_store_free(store);
    return rc;
}
