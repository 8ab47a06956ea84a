/* The new root filesystem OUT: a copy of the input root (hard links) with
 * the relinked files in place, checked with --check, and put at OUT whole or
 * not at all.  OUT is replaced only when it is the output an earlier run with
 * this work directory wrote (WORK/output.id: its device and inode): never a
 * directory that merely has OUT's name (-o /etc). */
#ifndef CTR_OUTPUT_TREE_H
#define CTR_OUTPUT_TREE_H

#include "ninja_file.h"

/* 0 when OUT may be written: it does not exist, or an earlier run with
 * o->work wrote it; else -1 with CTR_E_EXISTS. */
int ctr_output_check(const ctr_options *o, ctr_error *err);

struct ctr_site;

/* Write OUT with each relinked binary's shipped build (its outcome's tag)
 * of pass `final`, and the site's libraries they use (site may be NULL);
 * with --check, a failing check puts every original back (the binaries are
 * then kept) and takes the site's libraries out.  *replaced lists the
 * entries of OUT that differ from the input's: their image paths and their
 * places in OUT (new directories before the files in them). */
int ctr_output_write(const ctr_plan *plan, ctr_outcome *oc, const ctr_options *o,
                     const struct ctr_site *site, const ctr_pass *final,
                     ctr_file_list *replaced, ctr_error *err);

#endif
