/* What the OCI fuzz targets share: reading an image as ctr-relink does,
 * and the canary they check beside the root they unpack into. */
#ifndef CTR_FUZZ_OCI_H
#define CTR_FUZZ_OCI_H

#include <dirent.h>
#include <stdbool.h>
#include <string.h>

#include "comtainer/oci.h"

/* Open the image named spec (scratch: where an archive is unpacked),
 * unpack it into root, verified on the way (at most 64 MiB of layers); every
 * failure is an expected outcome for fuzz input.  False on failure. */
static inline bool read_and_unpack(const char *spec, const char *scratch, const char *root)
{
    ctr_error err;
    oci_ref ref;
    oci_image *img = NULL;
    if (oci_ref_parse_input(spec, &ref, &err) < 0)
        return false;
    oci_apply_opts o = {.max_unpacked = 64 << 20};
    bool ok = oci_image_open(&ref, scratch, &img, &err) == 0 &&
              oci_image_unpack(img, root, &o, &err) == 0;
    oci_image_free(img);
    oci_ref_clear(&ref);
    return ok;
}

/* True if path is a directory with no entries: the canary beside the root
 * that nothing from an image may write into. */
static inline bool empty_dir(const char *path)
{
    DIR *d = opendir(path);
    int n = 0;
    for (struct dirent *de; d && (de = readdir(d));)
        n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    if (d)
        closedir(d);
    return d && n == 0;
}

#endif
