/* SHA-256 through OpenSSL's EVP interface (the low-level SHA256_* calls are
 * deprecated in OpenSSL 3). */
#include "comtainer/irstore.h"

#include <openssl/evp.h>

static const char hexdigits[] = "0123456789abcdef";

int irs_sha256_hex(const void *data, size_t len, char hex[IRS_HASH_HEX_LEN + 1],
                   irs_error *err)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
        return irs_error_set(err, 0, "sha256 failed");
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
