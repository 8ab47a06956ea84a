/* irs_sha256_digest() through OpenSSL's EVP interface (the low-level
 * SHA256_* calls are deprecated in OpenSSL 3).  Linked into the tools and the
 * GCC plugin as the irstore-openssl library. */
#include "comtainer/irstore.h"

#include <openssl/evp.h>

int irs_sha256_digest(const void *data, size_t len, unsigned char digest[32])
{
    unsigned int mdlen = 0;
    return EVP_Digest(data, len, digest, &mdlen, EVP_sha256(), NULL) && mdlen == 32 ? 0 : -1;
}
