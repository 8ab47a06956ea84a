/* ctr-relink IMAGE: unpack an OCI image, relink it, write a new image. */
#ifndef CTR_IMAGE_RELINK_H
#define CTR_IMAGE_RELINK_H

#include "options.h"

/* Relink the image named by o->input (anything oci_ref_parse_input accepts
 * but a root filesystem) into the image o->out (or, with --plan, show the
 * plan); o->out and o->work are replaced by directories inside the work
 * directory for the relink.  Prints the report.  Returns the exit status:
 * 0 every covered binary relinked, 1 some kept, 2 error (then nothing is
 * left at the output). */
int ctr_image_relink(const ctr_options *o);

#endif
