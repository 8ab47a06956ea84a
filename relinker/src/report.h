/* What ctr-relink prints: the plan, each binary's outcome, and errors and
 * warnings, as text for a terminal (every string from the image made safe
 * with ctr_shown) or as JSON for scripts (--json). */
#ifndef CTR_REPORT_H
#define CTR_REPORT_H

#include <jansson.h>

#include "outcome.h"
#include "plan.h"

/* "ctr-relink: warning: MSG" and "ctr-relink: MSG" on standard error. */
void ctr_report_warning(const char *msg);
void ctr_report_error(const char *msg);

/* The plan on standard output, as a table or (json) a JSON document. */
void ctr_report_plan(const ctr_plan *plan, bool json);

/* The outcome of each binary as a table on standard output. */
void ctr_report_summary(const ctr_plan *plan, const ctr_relink_result *res);
/* ... and as JSON: {"output": out, "binaries": [...], "select": {...}}. */
json_t *ctr_report_summary_json(const ctr_plan *plan, const ctr_relink_result *res,
                                const char *out);

/* Print a JSON document on standard output and free it. */
void ctr_report_json(json_t *j);

/* The exit status of a run: 0 when every binary was relinked (with --plan:
 * can be), 1 when some are kept. */
int ctr_report_status(const ctr_plan *plan, const ctr_relink_result *res);

#endif
