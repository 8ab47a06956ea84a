/* ctr-relink on an OCI image: unpack, relink, write a new image. */
#ifndef CTR_IMAGE_RELINK_H
#define CTR_IMAGE_RELINK_H

#include <jansson.h>

#include "relink.h"

/* How main.c prints a plan and an outcome; the image path prints the same
 * and adds the image's own lines. */
typedef struct ctr_printers {
    void (*warn)(const char *msg);
    void (*error)(const char *msg); /* "ctr-relink: MSG", made safe for a terminal */
    void (*plan)(const ctr_plan *plan);
    void (*summary)(const ctr_plan *plan, const ctr_outcome *oc);
    json_t *(*summary_json)(const ctr_plan *plan, const ctr_outcome *oc, const char *out);
} ctr_printers;

typedef struct ctr_image_opts {
    const char *tag;   /* --tag: the output's ref name (NULL: from OUTPUT, the source, "latest") */
    bool keep_store;   /* --keep-store: no whiteout of the IR store */
    const char *store; /* --store (NULL: the store inside the image) */
    bool json, plan_only;
    uint64_t max_unpacked; /* --max-unpacked: bound on the layers' tar bytes (0: default) */
} ctr_image_opts;

/* Relink the image named by `image` (anything oci_ref_parse_input accepts
 * but a root filesystem) into the image ro->out; ro->out and ro->work are
 * replaced by directories inside the work directory for the run.  Prints the
 * summary.  Returns the exit status: 0 every covered binary relinked, 1 some
 * kept, 2 error (then nothing is left at the output). */
int ctr_image_relink(const char *image, const ctr_image_opts *io, const ctr_relink_opts *ro,
                     const ctr_printers *print);

#endif
