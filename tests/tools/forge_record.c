/* Test helper: make a hostile variant of a stored TU record.
 *   forge_record STORE ID FIELD VALUE
 * FIELD is driver_args, frontend_args or undef_target_macros (VALUE is
 * appended; "@N:TEXT" appends N copies of TEXT), ir (VALUE
 * replaces the IR address), or ir_file (the file VALUE is stored as a blob
 * and becomes the IR).  Writes the new record and prints its TU id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comtainer/irstore.h"

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: forge_record STORE ID FIELD VALUE\n");
        return 2;
    }
    ctr_error err;
    irs_store *store;
    irs_record *rec;
    char id[IRS_HASH_HEX_LEN + 1];
    if (irs_store_open(argv[1], 0, &store, &err) < 0 ||
        irs_record_get(store, argv[2], &rec, &err) < 0) {
        fprintf(stderr, "forge_record: %s\n", err.msg);
        return 1;
    }
    if (!strcmp(argv[3], "driver_args"))
        irs_strv_push(&rec->driver_args, argv[4]);
    else if (!strcmp(argv[3], "frontend_args"))
        irs_strv_push(&rec->frontend_args, argv[4]);
    else if (!strcmp(argv[3], "undef_target_macros")) {
        unsigned long copies = 1;
        const char *text = argv[4];
        if (text[0] == '@' && strchr(text, ':')) {
            copies = strtoul(text + 1, NULL, 10);
            text = strchr(text, ':') + 1;
        }
        for (unsigned long k = 0; k < copies; k++)
            irs_strv_push(&rec->undef_target_macros, text);
    }
    else if (!strcmp(argv[3], "ir") && strlen(argv[4]) == IRS_HASH_HEX_LEN)
        memcpy(rec->ir, argv[4], IRS_HASH_HEX_LEN + 1);
    else if (!strcmp(argv[3], "ir_file")) {
        static char data[1 << 24];
        FILE *f = fopen(argv[4], "rb");
        size_t len = f ? fread(data, 1, sizeof data, f) : 0;
        if (f)
            fclose(f);
        if (!len || irs_blob_put(store, data, len, rec->ir, &err) < 0) {
            fprintf(stderr, "forge_record: cannot store '%s'\n", argv[4]);
            return 1;
        }
    } else {
        fprintf(stderr, "forge_record: bad field or value\n");
        return 2;
    }
    if (irs_record_put(store, rec, id, &err) < 0) {
        fprintf(stderr, "forge_record: %s\n", err.msg);
        return 1;
    }
    puts(id);
    irs_record_free(rec);
    irs_store_free(store);
    return 0;
}
