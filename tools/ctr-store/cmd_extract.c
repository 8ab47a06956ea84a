/* ctr-store extract: write one TU's IR (verified) to a file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "comtainer/files.h"

static const char usage[] =
    "usage: ctr-store extract [--store DIR] -o FILE ID\n"
    "Write the IR of TU ID (LLVM bitcode or a GCC LTO object) to FILE, after\n"
    "checking its hash.  FILE is written whole or not at all.\n";

static int write_file(const char *path, const void *data, size_t len)
{
    ctr_error err;
    if (ctr_file_write(path, data, len, 0644, 0, &err) == 0)
        return 0;
    ctr_err("%s", err.msg);
    return -1;
}

int cmd_extract(int argc, char **argv)
{
    struct ctr_opts o;
    int rc = ctr_parse(argc, argv, usage, CTR_OPT_STORE | CTR_OPT_OUTPUT, 1, 1, &o);
    if (rc)
        return rc > 0 ? CTR_EXIT_OK : CTR_EXIT_ERROR;
    if (!o.output) {
        ctr_err("extract: -o FILE is required");
        return CTR_EXIT_ERROR;
    }
    irs_store *store;
    if (ctr_open_store(o.store, &store) < 0)
        return CTR_EXIT_ERROR;
    char id[IRS_HASH_HEX_LEN + 1];
    irs_record *rec = NULL;
    ctr_error err;
    void *data = NULL;
    size_t len;
    rc = CTR_EXIT_ERROR;
    if (ctr_find_tu(store, o.pos[0], id) < 0)
        ;
    else if (irs_record_get(store, id, &rec, &err) < 0 ||
             irs_blob_get(store, rec->ir, &data, &len, &err) < 0)
        ctr_err_obj(&err);
    else if (write_file(o.output, data, len) == 0)
        rc = CTR_EXIT_OK;
    free(data);
    irs_record_free(rec);
    irs_store_free(store);
    return rc;
}
