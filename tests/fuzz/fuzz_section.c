/* Fuzz target: the parsers of the sections the plugins put into objects:
 * .comtainer (irstore/src/tu_section.c) and .comtainer.ir, the IR an object
 * carries for compile caches (irstore/src/carry.c), each entry's record
 * decoded as ctr-store harvest decodes it.  Invariants: every id the first
 * returns is a TU id (64 lower-case hex digits), the array holds exactly n
 * of them and ends with NULL; every carried entry lies inside the input. */
#include <stdint.h>
#include <stdlib.h>

#include "comtainer/irstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *input_start, *input_end;

static int entry(const void *record, size_t rlen, const void *blob, size_t blen, void *ctx,
                 ctr_error *err)
{
    (void)ctx;
    const uint8_t *r = record, *b = blob;
    if (r < input_start || r + rlen > input_end || b < input_start || b + blen > input_end)
        abort();
    irs_record *rec = NULL;
    if (irs_record_decode(record, rlen, "fuzz", &rec, err) == 0 && !irs_is_hash_hex(rec->ir))
        abort();
    irs_record_free(rec);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ctr_error err;
    input_start = data;
    input_end = data + size;
    irs_carry_parse(data, size, "fuzz", entry, NULL, &err);
    char **ids = NULL;
    size_t n = 0;
    if (irs_section_tu_ids(data, size, "fuzz", &ids, &n, &err) < 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!ids[i] || !irs_is_hash_hex(ids[i]))
            abort();
    if (ids[n])
        abort();
    irs_ids_free(ids);
    return 0;
}
