/* ctr-relink: rebuild an image's or a root filesystem's programs natively
 * from the IR store.  The driver: options, then one library call. */
#include <sys/stat.h>

#include "comtainer/oci.h"
#include "image_relink.h"
#include "options.h"
#include "rootfs_relink.h"

int main(int argc, char **argv)
{
    /* the sandboxes' uid reads what we write into the work directory */
    umask(022);
    ctr_options o;
    int rc = ctr_options_parse(argc, argv, &o);
    if (rc)
        return rc == 1 ? 0 : 2;
    /* an OCI image or archive (image_relink.c), else a root filesystem */
    return oci_ref_is_image(o.input) ? ctr_image_relink(&o) : ctr_rootfs_relink(&o);
}
