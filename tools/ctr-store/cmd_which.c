/* ctr-store which: the TUs that executables, shared libraries, objects or
 * archives name in their .comtainer section. */
#include <stdio.h>

#include "cli.h"

static const char usage[] =
    "usage: ctr-store which [--store DIR] [--json] FILE...\n"
    "List the TUs each FILE (executable, shared library, object or archive) was\n"
    "built from, looked up in the store.  Exit 1 if a TU is missing from the store\n"
    "or a file cannot be read.\n";

static int which_one(irs_store *store, const char *file, bool many, json_t *out)
{
    char **ids;
    size_t n;
    ctr_error err;
    if (irs_elf_tu_ids(file, &ids, &n, &err) < 0) {
        ctr_err_obj(&err);
        return 1;
    }
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        irs_record *rec = NULL;
        if (store && irs_record_get(store, ids[i], &rec, &err) < 0) {
            ctr_err("%s: %s", file, err.msg);
            rec = NULL;
        }
        if (!rec)
            bad = 1;
        if (out) {
            json_t *o = ctr_record_json(ids[i], rec);
            json_object_set_new(o, "present", json_boolean(rec != NULL));
            if (many)
                json_object_set_new(o, "binary", json_string(file));
            json_array_append_new(out, o);
        } else {
            printf("%s%s%.16s  %-8s %-10s %s\n", many ? file : "", many ? ": " : "", ids[i],
                   rec ? rec->language : "-", rec ? rec->compiler : "-",
                   rec ? rec->source : "(not in store)");
        }
        irs_record_free(rec);
    }
    irs_ids_free(ids);
    return bad;
}

int cmd_which(int argc, char **argv)
{
    struct ctr_opts o;
    int rc = ctr_parse(argc, argv, usage, CTR_OPT_JSON | CTR_OPT_STORE, 1, 1 << 20, &o);
    if (rc)
        return rc > 0 ? CTR_EXIT_OK : CTR_EXIT_ERROR;
    irs_store *store = NULL;
    ctr_error err;
    if (irs_store_open(o.store, 0, &store, &err) < 0)
        ctr_err("%s (listing ids only)", err.msg);
    json_t *out = o.json ? json_array() : NULL;
    int bad = 0;
    for (int i = 0; i < o.npos; i++)
        bad |= which_one(store, o.pos[i], o.npos > 1, out);
    if (out)
        ctr_print_json(out);
    irs_store_free(store);
    return bad ? CTR_EXIT_PROBLEMS : CTR_EXIT_OK;
}
