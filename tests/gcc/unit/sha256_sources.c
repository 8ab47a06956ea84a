/* The GCC capture process's SHA-256 (gcc-plugin/sha256_dlopen.c), built
 * twice: as the plugin is (libnettle first) and without nettle (libcrypto
 * only).  Each build must give the FIPS 180-2 test vectors' digests and
 * load the library it is meant to, and only that one.
 *   sha256_sources nettle|libcrypto */
#include "capture.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void check(const char *what, const void *data, size_t len, const char *want)
{
    unsigned char md[32];
    char hex[65];
    if (irs_sha256_digest(data, len, md) < 0) {
        printf("FAIL: %s: no digest\n", what);
        failures++;
        return;
    }
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    if (strcmp(hex, want)) {
        printf("FAIL: %s: %s, want %s\n", what, hex, want);
        failures++;
    }
}

static int loaded(const char *soname)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_NOLOAD);
    if (h)
        dlclose(h);
    return h != NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    char errbuf[256];
    if (cg_sha256_load(errbuf, sizeof errbuf) < 0) {
        printf("FAIL: %s\n", errbuf);
        return 1;
    }
    check("\"\"", "", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check("\"abc\"", "abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check("the two-block vector", two, strlen(two),
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *million = malloc(1000000);
    if (!million)
        return 2;
    memset(million, 'a', 1000000);
    check("a million 'a'", million, 1000000,
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
    int nettle = loaded(COMTAINER_TEST_NETTLE_SONAME);
    int crypto = loaded(COMTAINER_LIBCRYPTO_SONAME);
    int want_nettle = !strcmp(argv[1], "nettle");
    if (nettle != want_nettle || crypto == want_nettle) {
        printf("FAIL: loaded %s%s%s, want %s only\n", nettle ? COMTAINER_TEST_NETTLE_SONAME : "",
               nettle && crypto ? " and " : "", crypto ? COMTAINER_LIBCRYPTO_SONAME : "",
               want_nettle ? COMTAINER_TEST_NETTLE_SONAME : COMTAINER_LIBCRYPTO_SONAME);
        failures++;
    }
    if (!failures)
        printf("ok: SHA-256 from %s\n", argv[1]);
    return failures ? 1 : 0;
}
