/* ctr-relink ROOTFS: relink an unpacked root filesystem into a new one. */
#ifndef CTR_ROOTFS_RELINK_H
#define CTR_ROOTFS_RELINK_H

#include "options.h"

/* Plan (--plan) or relink o->input into o->out and print the report.
 * Returns the exit status: 0 every covered binary relinked (or can be),
 * 1 some kept, 2 error (then nothing is written, and a work directory this
 * run created is removed). */
int ctr_rootfs_relink(const ctr_options *o);

#endif
