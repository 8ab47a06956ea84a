/* irs_sha256_digest() for the GCC plugin: OpenSSL's, loaded with dlopen the
 * first time a digest is needed.  Only the capture process hashes, so the
 * compiler itself never loads libcrypto (linking it cost every cc1 run
 * ~2.5 ms, captured or not), and a missing libcrypto costs one capture,
 * not the compile.  cc1 has no SHA-256 of its own to use instead. */
#include "capture.h"
#include "errbuf.h"

#include <dlfcn.h>
#include <stddef.h>

#ifndef COMTAINER_LIBCRYPTO_SONAME
#error "COMTAINER_LIBCRYPTO_SONAME must name the libcrypto to load"
#endif

/* Opaque OpenSSL types: only pointers to them pass through here. */
typedef struct evp_md_st evp_md;
typedef struct engine_st engine;
typedef const evp_md *(*evp_sha256_fn)(void);
typedef int (*evp_digest_fn)(const void *data, size_t count, unsigned char *md,
                             unsigned int *size, const evp_md *type, engine *impl);

static evp_sha256_fn evp_sha256;
static evp_digest_fn evp_digest;

int cg_sha256_load(char *errbuf, size_t errlen)
{
    if (evp_digest)
        return 0;
    void *lib = dlopen(COMTAINER_LIBCRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return cg_fail(errbuf, errlen, "cannot load %s for SHA-256: %s",
                       COMTAINER_LIBCRYPTO_SONAME, dlerror());
    /* ISO C has no conversion from void * to a function pointer; POSIX
     * defines this one, through the pointer's storage. */
    *(void **)&evp_sha256 = dlsym(lib, "EVP_sha256");
    *(void **)&evp_digest = dlsym(lib, "EVP_Digest");
    if (!evp_sha256 || !evp_digest) {
        evp_digest = NULL;
        return cg_fail(errbuf, errlen, "%s has no EVP_sha256 or EVP_Digest",
                       COMTAINER_LIBCRYPTO_SONAME);
    }
    return 0;
}

int irs_sha256_digest(const void *data, size_t len, unsigned char digest[32])
{
    char errbuf[256];
    unsigned int mdlen = 0;
    if (cg_sha256_load(errbuf, sizeof errbuf) < 0)
        return -1;
    return evp_digest(data, len, digest, &mdlen, evp_sha256(), NULL) && mdlen == 32 ? 0 : -1;
}
