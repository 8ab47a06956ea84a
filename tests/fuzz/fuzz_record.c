/* Fuzz target: the msgpack TU record decoder (irstore/src/record_codec.c).
 * Invariants beyond "no crash": a record that decodes re-encodes to the
 * canonical form, which decodes again to the same canonical bytes, and has
 * a TU id. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "comtainer/irstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ctr_error err;
    irs_record *rec = NULL, *again = NULL;
    if (irs_record_decode(data, size, "fuzz", &rec, &err) < 0)
        return 0;
    char *a = NULL, *b = NULL, id[IRS_HASH_HEX_LEN + 1];
    size_t alen, blen;
    if (irs_record_encode(rec, &a, &alen, &err) < 0)
        abort(); /* a decoded record always encodes */
    if (irs_record_decode(a, alen, "fuzz again", &again, &err) < 0)
        abort(); /* the canonical form decodes */
    if (irs_record_encode(again, &b, &blen, &err) < 0 || alen != blen || memcmp(a, b, alen))
        abort(); /* and is a fixed point */
    if (irs_record_id(rec, id, &err) < 0 || !irs_is_hash_hex(id))
        abort();
    free(a);
    free(b);
    irs_record_free(rec);
    irs_record_free(again);
    return 0;
}
