/* Fuzz target: oci-archive and docker-archive files (oci/src/image_read.c:
 * the archive's own tar, its paths and links, docker's manifest.json), then
 * the image inside as fuzz_image reads it.  The input is the archive file;
 * the first byte chooses how it is named (oci-archive: or docker-archive:),
 * the rest is the file.  Invariant: nothing is written outside the scratch
 * directory and the root (a sibling directory stays empty). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "comtainer/files.h"
#include "comtainer/oci.h"
#include "fuzz_oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static char base[] = "/tmp/fuzz-archive-XXXXXX";
    static bool made;
    if (!made && !(made = mkdtemp(base) != NULL))
        return 0;
    char file[256], root[256], outside[256], scratch[256], spec[300];
    snprintf(file, sizeof file, "%s/image.tar", base);
    snprintf(root, sizeof root, "%s/root", base);
    snprintf(outside, sizeof outside, "%s/outside", base);
    snprintf(scratch, sizeof scratch, "%s/scratch", base);
    ctr_tree_remove(root), ctr_tree_remove(outside), ctr_tree_remove(scratch);
    mkdir(root, 0755), mkdir(outside, 0755);
    FILE *f = fopen(file, "wb");
    if (!f)
        return 0;
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    snprintf(spec, sizeof spec, "%s:%s", data[0] & 1 ? "docker-archive" : "oci-archive", file);
    bool ok = read_and_unpack(spec, scratch, root);
    if (!empty_dir(outside))
        abort(); /* something was written beside the scratch directory and the root */
    if (!ok && !empty_dir(root))
        abort(); /* a refused image left some of its files in the root */
    return 0;
}
