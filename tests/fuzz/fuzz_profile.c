/* libFuzzer target: the site profile reader (site_profile.c).  The profile
 * is the operator's file, not the image's, but a parser all the same.
 * Invariants: success gives at most CTR_SITE_MAX_PROVIDERS libraries, each
 * an absolute path of a known class; failure fills a message. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "site_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz-profile", 0);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (fd < 0 || ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        return 0;
    static ctr_site_provider p[CTR_SITE_MAX_PROVIDERS];
    size_t n = 0;
    ctr_error err = {0};
    if (ctr_site_profile_read(path, p, &n, &err) == 0) {
        if (n > CTR_SITE_MAX_PROVIDERS)
            abort();
        for (size_t i = 0; i < n; i++)
            if (p[i].path[0] != '/' || p[i].cls == CTR_LIB_OTHER)
                abort();
    } else if (!err.msg[0] || err.code == CTR_OK) {
        abort();
    }
    return 0;
}
