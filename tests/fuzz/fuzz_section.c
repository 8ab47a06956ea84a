/* Fuzz target: the .comtainer section parser (irstore/src/tu_section.c).
 * Invariant: every id it returns is a TU id (64 lower-case hex digits), the
 * array holds exactly n of them and ends with NULL. */
#include <stdint.h>
#include <stdlib.h>

#include "comtainer/irstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ctr_error err;
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
