/* Content addresses: SHA-256 in lower-case hex.  The digest itself comes from
 * irs_sha256_digest(), which the program provides (see irstore.h). */
#include "comtainer/irstore.h"

static const char hexdigits[] = "0123456789abcdef";

int irs_sha256_hex(const void *data, size_t len, char hex[IRS_HASH_HEX_LEN + 1],
                   ctr_error *err)
{
    unsigned char md[32];
    if (irs_sha256_digest(data, len, md) < 0)
        return ctr_error_set(err, 0, "sha256 failed");
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i] = hexdigits[md[i] >> 4];
        hex[2 * i + 1] = hexdigits[md[i] & 15];
    }
    hex[IRS_HASH_HEX_LEN] = '\0';
    return 0;
}

bool irs_is_hash_hex(const char *s)
{
    size_t i = 0;
    for (; s && s[i]; i++) {
        char c = s[i];
        if (i >= IRS_HASH_HEX_LEN || !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return i == IRS_HASH_HEX_LEN;
}
