/* Relinking the binaries of a plan: the stages in order (relink.c). */
#ifndef CTR_RELINK_H
#define CTR_RELINK_H

#include "options.h"
#include "outcome.h"
#include "plan.h"

/* Relink every binary of the plan that can be relinked, then write o->out
 * (whole or not at all).  res gets one outcome per plan entry, the --select
 * report and the files of OUT that were replaced; free it with
 * ctr_relink_result_clear (also after a failure).  Returns 0 when OUT was
 * written (even if some binaries were kept), -1 on an error that prevented
 * writing OUT. */
struct ctr_site;

/* site: the --redirect libraries (site_libs.h), planned into the plan's
 * entries already, or NULL. */
int ctr_relink_run(const ctr_plan *plan, irs_store *store, const ctr_options *o,
                   const struct ctr_site *site, ctr_relink_result *res, ctr_error *err);

#endif
