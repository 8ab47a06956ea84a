/* irs_sha256_digest() for the GCC plugin, loaded with dlopen the first time
 * a digest is needed.  Only the capture process hashes, so the compiler
 * itself never loads a crypto library (linking libcrypto cost every cc1 run
 * ~2.5 ms, captured or not), and a missing library costs one capture, not
 * the compile.  cc1 has no SHA-256 of its own to use instead.
 *
 * Nettle's SHA-256 comes first: loading it into cc1 and hashing a TU costs
 * ~0.2 ms, where OpenSSL's libcrypto costs ~2 ms (its relocations against
 * cc1's large dynamic symbol table, then the initialisation of its
 * providers on the first digest) — 1-1.5 % of a build of small C files.
 * libcrypto is the fallback where libnettle is missing. */
#include "capture.h"
#include "errbuf.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>

#ifdef COMTAINER_NETTLE_SONAME
#include <nettle/nettle-meta.h>
#endif
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
#ifdef COMTAINER_NETTLE_SONAME
static const struct nettle_hash *nettle_sha;
#endif

/* POSIX defines converting dlsym's void * to a function pointer through
 * the pointer's storage; ISO C has no such conversion. */
#define LOAD_FN(lib, var, name) (*(void **)&(var) = dlsym((lib), (name)))

#ifdef COMTAINER_NETTLE_SONAME
/* Nettle's own description of its SHA-256 (context size and functions), so
 * that nothing here depends on the layout of its context. */
static const struct nettle_hash *load_nettle(void)
{
    void *lib = dlopen(COMTAINER_NETTLE_SONAME, RTLD_NOW | RTLD_LOCAL);
    const struct nettle_hash *h = lib ? dlsym(lib, "nettle_sha256") : NULL;
    if (h && h->digest_size == 32 && h->context_size && h->init && h->update && h->digest)
        return h;
    if (lib)
        dlclose(lib);
    return NULL;
}
#endif

int cg_sha256_load(char *errbuf, size_t errlen)
{
#ifdef COMTAINER_NETTLE_SONAME
    if (nettle_sha || (nettle_sha = load_nettle()))
        return 0;
#endif
    if (evp_digest)
        return 0;
    void *lib = dlopen(COMTAINER_LIBCRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return cg_fail(errbuf, errlen, "cannot load %s for SHA-256: %s",
#ifdef COMTAINER_NETTLE_SONAME
                       COMTAINER_NETTLE_SONAME " or "
#endif
                       COMTAINER_LIBCRYPTO_SONAME, dlerror());
    if (!LOAD_FN(lib, evp_sha256, "EVP_sha256") || !LOAD_FN(lib, evp_digest, "EVP_Digest")) {
        evp_digest = NULL;
        return cg_fail(errbuf, errlen, "%s has no EVP_sha256 or EVP_Digest",
                       COMTAINER_LIBCRYPTO_SONAME);
    }
    return 0;
}

int irs_sha256_digest(const void *data, size_t len, unsigned char digest[32])
{
    char errbuf[256];
    if (cg_sha256_load(errbuf, sizeof errbuf) < 0)
        return -1;
#ifdef COMTAINER_NETTLE_SONAME
    if (nettle_sha) {
        void *ctx = malloc(nettle_sha->context_size);
        if (!ctx)
            return -1;
        nettle_sha->init(ctx);
        nettle_sha->update(ctx, len, data);
        nettle_sha->digest(ctx, 32, digest);
        free(ctx);
        return 0;
    }
#endif
    unsigned int mdlen = 0;
    return evp_digest(data, len, digest, &mdlen, evp_sha256(), NULL) && mdlen == 32 ? 0 : -1;
}
