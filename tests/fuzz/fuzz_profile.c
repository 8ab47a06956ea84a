/* libFuzzer target: the site profile reader (site_profile.c).  The profile
 * is the operator's file, not the image's, but a parser all the same.
 * Invariants: success gives at most CTR_SITE_MAX_PROVIDERS libraries, each
 * an absolute path of a known class, and host mode an absolute CDI spec
 * path; failure fills a message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_file.h"
#include "site_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_as_file(data, size);
    if (!path)
        return 0;
    static ctr_site_profile prof;
    ctr_error err = {0};
    if (ctr_site_profile_read(path, &prof, &err) == 0) {
        const ctr_site_provider *p = prof.lib;
        if (prof.n > CTR_SITE_MAX_PROVIDERS ||
            (prof.mode == CTR_SITE_HOST && prof.cdi_spec[0] != '/') ||
            (prof.mode == CTR_SITE_BUNDLE && prof.cdi_spec[0]))
            abort();
        for (size_t i = 0; i < prof.n; i++)
            if (p[i].path[0] != '/' || p[i].cls == CTR_LIB_OTHER)
                abort();
    } else if (!err.msg[0] || err.code == CTR_OK) {
        abort();
    }
    return 0;
}
